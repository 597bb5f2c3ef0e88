#!/usr/bin/env bash
# HTTP benchmark, in one run on this machine: siteseek's server against the service it replaces
# (shared/peers: FastAPI and Falcon over Redis + RediSearch 1.2, same Python 3.11 docs) and a
# static nginx as the ceiling, all measured the same way: shared/peers/bench.py runs
# `wrk -c 60 -t 20 -d 10s --latency` for /search?q=python and the 40-query mix (queries.lua).
# Then the layer costs: the engine's own time for the same queries against the server's CPU per
# request. Everything binds 127.0.0.1 and is stopped by PID, also on failure.
#   bench/http/run.sh     (RUNS=1 DURATION=10s PORT=18090 BUILD_DIR=build-bench)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
shared=${SHARED_DIR:-$root/../shared}
peers=$shared/peers
build=${BUILD_DIR:-$root/build-bench}
runs=${RUNS:-1}
duration=${DURATION:-10s}
port=${PORT:-18090}
work=$(mktemp -d /tmp/siteseek-http-bench.XXXXXX)
source "$(dirname "$0")/server.sh"

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSITESEEK_WITH_HTTP=ON -DSITESEEK_WITH_PYTHON=OFF > "$work/configure.log"
cmake --build "$build" -j "${JOBS:-2}" --target siteseek > "$work/build.log"
bin=$build/transports/cli/siteseek

base="http://127.0.0.1:$port"
run() {
  /usr/bin/python3 "$peers/bench.py" run --runs "$runs" --duration "$duration" --warmup 2s \
    --server-pid "$server_pid" --out "$work/results.jsonl" "$@"
}
# The server twice: as shipped (the result cache on: the workloads repeat their queries, so after
# the warm-up every request is answered from it) and with result_cache_mb=0 (every request
# searches the index).
# Third, with one io thread instead of one per core (the default, like nginx's and the peers' two
# workers): wrk needs a core of its own here, and this shows what the second thread costs and gives.
for variant in siteseek siteseek-nocache siteseek-1thread; do
  if [ "$variant" = siteseek ]; then
    echo "== siteseek serve (embedded engine, Python docs, result cache on) on 127.0.0.1:$port"
    start_server "$bin"
    /usr/bin/python3 "$peers/bench.py" sizes --base "$base" --queries "$peers/queries.txt" | sed 's/^/  siteseek: /'
  elif [ "$variant" = siteseek-nocache ]; then
    echo "== siteseek serve with result_cache_mb=0 (every request searches)"
    start_server "$bin" --set result_cache_mb=0
  else
    echo "== siteseek serve with threads=1 (result cache on)"
    start_server "$bin" --set threads=1
  fi
  run --label "$variant" --workload q=python --url "$base/search?q=python"
  QUERIES_FILE="$peers/queries.txt" run --label "$variant" --workload mix-40 --url "$base" --script "$peers/queries.lua"
  curl -fs "$base/metrics" | grep '^siteseek_result_cache' | sed 's/^/  /' || true
  stop_server
done

echo "== layer costs: the engine alone (siteseek query over a pipe, result cache off) for the same queries"
/usr/bin/python3 - "$peers/queries.txt" > "$work/queries.jsonl" <<'PY'
import json, sys, urllib.parse
for line in open(sys.argv[1]):
    line = line.strip()
    if line and not line.startswith("#"):
        params = {k: v[0] for k, v in urllib.parse.parse_qs("q=" + line).items()}
        print(json.dumps({k: params[k] for k in ("q", "from_url") if k in params}))
PY
for _ in $(seq 1 50); do cat "$work/queries.jsonl"; done > "$work/queries-x50.jsonl"
env -u SITESEEK_API_KEY "$bin" --config examples/configs/python-docs.json --set "data_dir=$work/data" \
  --set result_cache_mb=0 query < "$work/queries-x50.jsonl" 2>/dev/null | /usr/bin/python3 -c '
import json, sys, statistics
took = [json.loads(l)["took_ms"] for l in sys.stdin]
print(f"  engine time per query (40-query mix x 50): mean {statistics.mean(took)*1000:.1f} us, "
      f"median {statistics.median(took)*1000:.1f} us, p99 {sorted(took)[len(took)*99//100]*1000:.1f} us")'
echo "  q=python, num=30 (the HTTP default):"
for _ in $(seq 1 200); do echo python; done | env -u SITESEEK_API_KEY "$bin" --config examples/configs/python-docs.json \
  --set "data_dir=$work/data" --set result_cache_mb=0 query 2>/dev/null | /usr/bin/python3 -c '
import json, sys, statistics
took = [json.loads(l)["took_ms"] for l in sys.stdin]
print(f"  engine time per query: median {statistics.median(took)*1000:.1f} us")'

echo "== the peers (shared/peers/run-all.sh): FastAPI, Falcon, nginx static ceiling"
RESULTS="$work/peers" RUNS="$runs" DURATION="$duration" \
  CONFIGS="fastapi-uvicorn-w2 falcon-gunicorn-gthread-w2-t8 nginx-static" bash "$peers/run-all.sh" > "$work/peers.log" 2>&1 \
  || { tail -30 "$work/peers.log"; exit 1; }
grep -E "bytes|req/s" "$work/peers.log" | sed 's/^/  /' || true

echo "== results (median of $runs run(s) each)"
cat "$work/results.jsonl" "$work/peers/results.jsonl" > "$work/all.jsonl"
/usr/bin/python3 "$peers/bench.py" report "$work/all.jsonl"
/usr/bin/python3 - "$work/all.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
med = {}
for r in rows:
    med.setdefault((r["workload"], r["label"]), []).append(r)
def rps(w, label):
    rs = med.get((w, label))
    return statistics.median(r["rps"] for r in rs) if rs else None
print("\nratios (req/s):")
for w in ("q=python", "mix-40"):
    for mine in ("siteseek", "siteseek-nocache", "siteseek-1thread"):
        s = rps(w, mine)
        for label in ("fastapi-uvicorn-w2", "falcon-gunicorn-gthread-w2-t8", "nginx-static"):
            o = rps(w, label)
            if s and o:
                print(f"  {w:8} {mine:16} / {label:30} = {s / o:6.2f}x")
        ss = med.get((w, mine), [])
        if ss:
            cpu = statistics.median(1000.0 * r["cpu_s"]["server"] / max(r["requests"], 1) for r in ss)
            print(f"  {w:8} {mine} server CPU per request: {cpu * 1000:.0f} us")

# Issue 5's targets, on the medians of this run: >= 50x FastAPI on both workloads, >= 40 % of the
# nginx ceiling (q=python: nginx serves a static file of that response's size), p99 < 5 ms on
# both, zero errors.
def p99(w, label):
    rs = med.get((w, label))
    return statistics.median(r["p99_ms"] for r in rs) if rs else None
print("\ntargets (issue 5), medians of this run:")
for mine in ("siteseek", "siteseek-nocache", "siteseek-1thread"):
    checks = []
    for w in ("q=python", "mix-40"):
        s, f = rps(w, mine), rps(w, "fastapi-uvicorn-w2")
        if s and f:
            checks.append((f"{w} {s / f:.1f}x FastAPI >= 50x", s / f >= 50))
        if p99(w, mine) is not None:
            checks.append((f"{w} p99 {p99(w, mine):.2f} ms < 5 ms", p99(w, mine) < 5))
    s, n = rps("q=python", mine), rps("q=python", "nginx-static")
    if s and n:
        checks.append((f"{s / n:.2f}x nginx >= 0.40x", s / n >= 0.40))
    errors = sum(sum(r["errors"].values()) for w in ("q=python", "mix-40") for r in med.get((w, mine), []))
    checks.append((f"{errors} errors", errors == 0))
    if checks:
        verdict = "all met" if all(ok for _, ok in checks) else "NOT met: " + "; ".join(t for t, ok in checks if not ok)
        print(f"  {mine:16} {verdict}  ({'; '.join(t for t, _ in checks)})")
PY
