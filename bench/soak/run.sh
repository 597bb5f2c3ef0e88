#!/usr/bin/env bash
# Soak: 60 connections of mixed queries against `siteseek serve` (the Python 3.11 docs) for
# SOAK_SECONDS (300) while the site is re-indexed every 10 s through POST /indexer; before it,
# IDLE_SECONDS (30) of the same load without reindexing gives the idle p99. Every response is
# checked (bench/soak/soak.lua): no non-2xx, no empty result for a query known to match. The
# server's resident memory is sampled every 5 s. Prints the figures and PASS/FAIL per criterion.
# Everything binds 127.0.0.1 and is stopped by PID, also on failure.
#   bench/soak/run.sh    (SOAK_SECONDS=300 IDLE_SECONDS=30 PORT=18097 BUILD_DIR=build-bench)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
shared=${SHARED_DIR:-$root/../shared}
build=${BUILD_DIR:-$root/build-bench}
port=${PORT:-18097}
soak=${SOAK_SECONDS:-300}
idle=${IDLE_SECONDS:-30}
key=soak-$$-key
work=$(mktemp -d /tmp/siteseek-soak.XXXXXX)
pids=()
cleanup() {
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; wait "${pids[$i]}" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSITESEEK_WITH_PYTHON=OFF > /dev/null
cmake --build "$build" -j "${JOBS:-2}" --target siteseek > /dev/null
# The rate limits are off: the whole load comes from one address.
SITESEEK_API_KEY=$key "$build/transports/cli/siteseek" --config examples/configs/python-docs.json \
  --set "data_dir=$work/data" --set rate_limits.enabled=false --log-level warn serve --port "$port" > "$work/serve.log" 2>&1 &
server=$!; pids+=("$server")
for _ in $(seq 1 600); do curl -fs -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
curl -fs -o /dev/null "http://127.0.0.1:$port/health"

# Queries known to match: the peers' 40-query mix and the judged dev queries, kept when they
# have results now.
/usr/bin/python3 - "$shared/peers/queries.txt" "$shared/relevance/python-docs.dev.tsv" "$port" > "$work/queries.txt" <<'PY'
import json, sys, urllib.parse, urllib.request
def encoded(params):
    return urllib.parse.urlencode(params)
# queries.txt: query text, optionally followed by &from_url=...; the TSV: query<TAB>...
lines = [encoded({k: v[0] for k, v in urllib.parse.parse_qs("q=" + l.strip()).items()})
         for l in open(sys.argv[1]) if l.strip() and not l.startswith("#")]
lines += [encoded({"q": l.split("\t")[0]}) for l in open(sys.argv[2]) if l.strip() and not l.startswith("#")]
seen = set()
for l in lines:
    if l in seen:
        continue
    seen.add(l)
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[3]}/search?{l}") as r:
        if json.load(r)["total"] > 0:
            print(l)
PY
echo "queries known to match: $(wc -l < "$work/queries.txt")"

rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
load() {  # SECONDS
  QUERIES_FILE="$work/queries.txt" wrk -c 60 -t 2 -d "${1}s" --latency -s bench/soak/soak.lua "http://127.0.0.1:$port" \
    | grep '^SOAK ' | sed 's/^SOAK //'
}

echo "== idle: ${idle} s"
idle_json=$(load "$idle")
echo "  $idle_json"

echo "== soak: ${soak} s, reindex every 10 s"
( while true; do
    sleep 10
    curl -fs -o /dev/null -X POST -H "X-API-KEY: $key" "http://127.0.0.1:$port/indexer" || echo "reindex request failed" >&2
  done ) &
pids+=("$!")
( while true; do echo "$(date +%s) $(rss)"; sleep 5; done ) > "$work/rss.txt" &
pids+=("$!")
soak_json=$(load "$soak")
echo "  $soak_json"
kill "${pids[-1]}" "${pids[-2]}" 2>/dev/null || true
jobs_done=$(curl -fs -H "X-API-KEY: $key" "http://127.0.0.1:$port/jobs" | /usr/bin/python3 -c '
import json, sys; j = json.load(sys.stdin)["jobs"]; print(sum(x["status"] == "finished" for x in j), sum(x["status"] == "failed" for x in j))')

/usr/bin/python3 - "$idle_json" "$soak_json" "$work/rss.txt" "$jobs_done" <<'PY'
import json, sys
idle, soak = json.loads(sys.argv[1]), json.loads(sys.argv[2])
rss = [int(l.split()[1]) for l in open(sys.argv[3]) if len(l.split()) == 2]
finished, failed = map(int, sys.argv[4].split())
warm = rss[len(rss) // 5:] or rss  # after the first fifth (warm-up)
# RSS swings with every reindex (a build's tables come and go, and are given back when it ends),
# so one sample against another says little: growth compares the mean of the first third of the
# samples after warm-up (several reindexes each) with the mean of the last third. Floors and
# peaks of each third are printed too.
third = max(1, len(warm) // 3)
first, last = warm[:third], warm[-third:]
mean_first, mean_last = sum(first) / len(first), sum(last) / len(last)
growth = (mean_last - mean_first) / mean_first * 100 if warm else 0
print(f"responses {soak['responses']:,} ({soak['responses'] / max(1, soak['requests']) * 100:.0f}% of requests), "
      f"non-2xx {soak['bad_status']}, empty {soak['empty']}, socket errors {soak['errors']}")
print(f"reindex jobs finished {finished}, failed {failed}")
print(f"p99: idle {idle['p99_ms']:.2f} ms, under reindex {soak['p99_ms']:.2f} ms ({soak['p99_ms'] / idle['p99_ms']:.2f}x); "
      f"p50 {idle['p50_ms']:.2f} -> {soak['p50_ms']:.2f} ms")
print(f"RSS after warm-up: {warm[0] / 1024:.0f} MB -> {warm[-1] / 1024:.0f} MB at the end, peak {max(warm) / 1024:.0f} MB; "
      f"first third vs last third: mean {mean_first / 1024:.0f} -> {mean_last / 1024:.0f} MB ({growth:+.1f}%), "
      f"floor {min(first) / 1024:.0f} -> {min(last) / 1024:.0f} MB, peak {max(first) / 1024:.0f} -> {max(last) / 1024:.0f} MB")
checks = {
    "zero non-2xx": soak["bad_status"] == 0 and soak["errors"] == 0,
    "zero empty results for matching queries": soak["empty"] == 0,
    "p99 within 2x idle": soak["p99_ms"] <= 2 * idle["p99_ms"],
    "RSS growth < 10% after warm-up": growth < 10,
    "reindexes ran": finished > 0 and failed == 0,
}
for name, ok in checks.items():
    print(f"{'PASS' if ok else 'FAIL'}  {name}")
sys.exit(0 if all(checks.values()) else 1)
PY
