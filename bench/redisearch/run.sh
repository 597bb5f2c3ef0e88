#!/usr/bin/env bash
# /search?q=python over the same RediSearch 1.2, in one run on this machine:
#   - siteseek serve with backend = "redisearch" (its own index of the Python 3.11 docs in that Redis),
#   - the FastAPI peer (shared/peers/app_fastapi.py, uvicorn, 2 workers) over the peers' index,
#   - siteseek serve with the embedded engine (no Redis round trip), for reference;
# each siteseek backend also with a filter (&filters=area:library) and with facets (&facets=area,type).
# Each measured by shared/peers/bench.py (wrk -c 60 -t 20 --latency), with the server's and
# Redis's CPU. Everything binds 127.0.0.1 and is stopped by PID, also on failure.
#   bench/redisearch/run.sh     (RUNS=1 DURATION=10s REDIS_PORT=6393 PORT=18095 BUILD_DIR=build-bench)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
peers=${SHARED_DIR:-$root/../shared}/peers
build=${BUILD_DIR:-$root/build-bench}
runs=${RUNS:-1}
duration=${DURATION:-10s}
redis_port=${REDIS_PORT:-6393}
port=${PORT:-18095}
work=$(mktemp -d /tmp/siteseek-rs-bench.XXXXXX)
pids=()
cleanup() {
  for ((i=${#pids[@]}-1; i>=0; i--)); do
    kill -TERM "${pids[$i]}" 2>/dev/null || true
    wait "${pids[$i]}" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSITESEEK_WITH_HTTP=ON -DSITESEEK_WITH_PYTHON=OFF > "$work/configure.log"
cmake --build "$build" -j "${JOBS:-2}" --target siteseek > "$work/build.log"
bin=$build/transports/cli/siteseek

echo "== redis-server + RediSearch $(dpkg-query -W -f='${Version}' redis-redisearch) on 127.0.0.1:$redis_port"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
  --loadmodule /usr/lib/redis/modules/redisearch.so > "$work/redis.log" 2>&1 &
redis_pid=$!; pids+=("$redis_pid")
for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping > /dev/null 2>&1 && break; sleep 0.1; done

wait_up() {  # URL PID LOG
  for _ in $(seq 1 600); do
    curl -fs -o /dev/null "$1" && return 0
    kill -0 "$2" 2>/dev/null || { tail -20 "$3"; exit 1; }
    sleep 0.1
  done
  tail -20 "$3"; exit 1
}
measure() {  # LABEL PID [QUERY_STRING]
  /usr/bin/python3 "$peers/bench.py" run --label "$1" --workload q=python --url "http://127.0.0.1:$port/search?q=python${3:-}" \
    --runs "$runs" --duration "$duration" --warmup 2s --server-pid "$2" --redis-pid "$redis_pid" --out "$work/results.jsonl"
}
stop() {
  kill -TERM "$1"; wait "$1" 2>/dev/null || true
  unset 'pids[-1]'
}

echo "== the peers' documents and index (extract.py, load_redisearch.py)"
# Into this run's work directory: shared/peers/data is the peers' own, left as it is.
/usr/bin/python3 "$peers/extract.py" --out "$work/python-docs.jsonl" | tail -1
/usr/bin/python3 "$peers/load_redisearch.py" --port "$redis_port" --data "$work/python-docs.jsonl" | tail -1

echo "== FastAPI peer (uvicorn, 2 workers, uvloop, httptools) over that RediSearch"
(cd "$peers" && REDIS_PORT=$redis_port exec /usr/bin/python3 -m uvicorn app_fastapi:app --host 127.0.0.1 --port "$port" \
  --workers 2 --loop uvloop --http httptools --no-access-log --log-level warning) > "$work/fastapi.log" 2>&1 &
pid=$!; pids+=("$pid")
wait_up "http://127.0.0.1:$port/health" "$pid" "$work/fastapi.log"
measure fastapi "$pid"
stop "$pid"

for backend in redisearch embedded; do
  echo "== siteseek serve, backend = $backend"
  # The result cache is off: it serves the embedded backend only, and this compares the engines.
  # The rate limits are off: the whole load comes from one address.
  env -u SITESEEK_API_KEY "$bin" --config examples/configs/python-docs.json --set "data_dir=$work/data-$backend" \
    --set "backend=$backend" --set "redis_url=redis://127.0.0.1:$redis_port/0" --set result_cache_mb=0 \
    --set rate_limits.enabled=false serve --port "$port" > "$work/$backend.log" 2>&1 &
  pid=$!; pids+=("$pid")
  wait_up "http://127.0.0.1:$port/health" "$pid" "$work/$backend.log"
  curl -fs "http://127.0.0.1:$port/search?q=python" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
print("  q=python: total", r["total"], "-", len(r["results"]), "results, first", r["results"][0]["url"])'
  for extra in "filters=area:library" "facets=area,type"; do
    curl -fs "http://127.0.0.1:$port/search?q=python&$extra" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
print("  q=python&'"$extra"': total", r["total"], {k: v["values"][:3] for k, v in r.get("facets", {}).items()})'
  done
  measure "siteseek-$backend" "$pid"
  measure "siteseek-$backend-filtered" "$pid" "&filters=area:library"
  measure "siteseek-$backend-faceted" "$pid" "&facets=area,type"
  if [ "$backend" = redisearch ]; then
    # The old service's semantics: the exact word, no typo tolerance, no search-as-you-type prefix.
    measure "siteseek-redisearch-exact" "$pid" "&prefix=false&typo=false"
  fi
  stop "$pid"
done

echo "== results (median of $runs run(s))"
/usr/bin/python3 "$peers/bench.py" report "$work/results.jsonl"
/usr/bin/python3 - "$work/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    by.setdefault(r["label"], []).append(r)
def med(label, f):
    return statistics.median(f(r) for r in by[label])
rps = {k: med(k, lambda r: r["rps"]) for k in by}
print("\nratios (req/s):")
for a, b in (("siteseek-redisearch", "fastapi"), ("siteseek-redisearch-exact", "fastapi"), ("siteseek-embedded", "fastapi"),
             ("siteseek-embedded", "siteseek-redisearch"),
             ("siteseek-redisearch-filtered", "siteseek-redisearch"), ("siteseek-redisearch-faceted", "siteseek-redisearch"),
             ("siteseek-embedded-filtered", "siteseek-embedded"), ("siteseek-embedded-faceted", "siteseek-embedded")):
    print(f"  {a} / {b} = {rps[a] / rps[b]:.2f}x")
print("CPU per request (server / redis), us:")
for k in by:
    s = med(k, lambda r: 1e6 * r["cpu_s"]["server"] / max(r["requests"], 1))
    rd = med(k, lambda r: 1e6 * r["cpu_s"].get("redis", 0) / max(r["requests"], 1))
    print(f"  {k:30} {s:8.0f} / {rd:8.0f}")
PY
