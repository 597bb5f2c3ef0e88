#!/usr/bin/env bash
# /search?q=python three ways in one run, over one redis-server + RediSearch 1.2 (Debian's
# redis-redisearch) on a free 127.0.0.1 port:
#   siteseek-redisearch  siteseek serve with backend = "redisearch" (FT.SEARCH through the async
#                        hiredis client on the server's io threads)
#   siteseek-embedded    siteseek serve with the embedded engine (no Redis)
#   fastapi-uvicorn-w2   the FastAPI peer of shared/peers over the same Redis (its own index,
#                        loaded by shared/peers/load_redisearch.py from the same Python 3.11 docs)
# each measured by shared/peers/bench.py (`wrk -c 60 -t 20 -d 10s --latency`, server and Redis
# CPU per request); then the figures and the ratios. wrk shares the 2 cores with the servers.
# Every process started here is stopped by PID, also on failure or Ctrl-C.
#   bench/redisearch/run.sh   (RUNS=1 DURATION=10s BUILD_DIR=build QUIET_WAIT=30 RETRIES=2
#                              SHARED_DIR=../shared)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
shared=${SHARED_DIR:-$root/../shared}
peers=$shared/peers
[ -f "$peers/bench.py" ] || { echo "no $peers/bench.py: set SHARED_DIR to the folder holding peers/" >&2; exit 1; }
build=${BUILD_DIR:-$root/build}
runs=${RUNS:-1}
duration=${DURATION:-10s}
py=/usr/bin/python3
module=/usr/lib/redis/modules/redisearch.so
# bench.py waits for an idle machine and redoes runs other work intruded on; on a shared machine
# bound both (a run kept despite other work says so in the output).
export QUIET_WAIT=${QUIET_WAIT:-30} RETRIES=${RETRIES:-2}
work=$(mktemp -d /tmp/siteseek-redisearch-bench.XXXXXX)
pids=()

stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_pid "${pids[$i]}"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for tool in redis-server redis-cli wrk curl; do
  command -v "$tool" > /dev/null || { echo "missing $tool (scripts/setup)" >&2; exit 1; }
done
[ -f "$module" ] || { echo "missing $module (apt-get install redis-redisearch)" >&2; exit 1; }
free_port() { "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() {  # wait_http URL PID LOG
  local i
  for i in $(seq 1 600); do
    curl -fs -o /dev/null --max-time 2 "$1" && return 0
    kill -0 "$2" 2> /dev/null || { echo "exited during start-up:" >&2; tail -20 "$3" >&2; return 1; }
    sleep 0.2
  done
  echo "$1 did not answer in 120 s" >&2; tail -20 "$3" >&2; return 1
}

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSITESEEK_WITH_HTTP=ON -DSITESEEK_WITH_REDIS=ON > "$work/configure.log"
cmake --build "$build" -j "${JOBS:-2}" --target siteseek > "$work/build.log"
bin=$build/transports/cli/siteseek

redis_port=$(free_port)
echo "== redis-server $(redis-server --version | grep -o 'v=[^ ]*') + RediSearch $(dpkg-query -W -f='${Version}' redis-redisearch) on 127.0.0.1:$redis_port"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
  --loadmodule "$module" > "$work/redis.log" 2>&1 &
redis_pid=$!
pids+=("$redis_pid")
for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping > /dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$redis_port" ping > /dev/null

echo "== the FastAPI peer's index (shared/peers/load_redisearch.py)"
[ -f "$peers/data/python-docs.jsonl" ] || "$py" "$peers/extract.py"
"$py" "$peers/load_redisearch.py" --port "$redis_port" | sed 's/^/  /'

bench() {  # bench LABEL URL SERVER_PID [REDIS_PID]
  "$py" "$peers/bench.py" sizes --base "$(dirname "$2")" --queries "$peers/queries.txt" | sed "s/^/  $1: /"
  "$py" "$peers/bench.py" run --label "$1" --workload q=python --url "$2" --runs "$runs" --duration "$duration" \
    --warmup 2s --server-pid "$3" ${4:+--redis-pid "$4"} --out "$work/results.jsonl"
}
serve() {  # serve NAME PORT [--set k=v ...]: start siteseek on the Python docs, wait for /health
  local name=$1 port=$2
  shift 2
  env -u SITESEEK_API_KEY "$bin" --config examples/configs/python-docs.json --set "data_dir=$work/data-$name" "$@" \
    serve --port "$port" > "$work/$name.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_http "http://127.0.0.1:$port/health" "$server_pid" "$work/$name.log"
}

port=$(free_port)
echo "== siteseek serve, backend = redisearch, on 127.0.0.1:$port (indexes the docs into RediSearch at start)"
serve redisearch "$port" --set backend=redisearch --set "redis_url=redis://127.0.0.1:$redis_port/0"
curl -fs "http://127.0.0.1:$port/search?q=python&num=1" | grep -q '"url"' || { echo "no results from RediSearch" >&2; exit 1; }
bench siteseek-redisearch "http://127.0.0.1:$port/search?q=python" "$server_pid" "$redis_pid"
stop_pid "$server_pid"

port=$(free_port)
echo "== siteseek serve, embedded engine, on 127.0.0.1:$port"
serve embedded "$port"
bench siteseek-embedded "http://127.0.0.1:$port/search?q=python" "$server_pid"
stop_pid "$server_pid"

port=$(free_port)
echo "== FastAPI peer (uvicorn, 2 workers, uvloop, httptools) on 127.0.0.1:$port"
(cd "$peers" && exec env REDIS_PORT="$redis_port" QUERIES_FILE="$peers/queries.txt" "$py" -m uvicorn app_fastapi:app \
  --host 127.0.0.1 --port "$port" --workers 2 --loop uvloop --http httptools --no-access-log --log-level warning) \
  > "$work/fastapi.log" 2>&1 &
server_pid=$!
pids+=("$server_pid")
wait_http "http://127.0.0.1:$port/health" "$server_pid" "$work/fastapi.log"
bench fastapi-uvicorn-w2 "http://127.0.0.1:$port/search?q=python" "$server_pid" "$redis_pid"
stop_pid "$server_pid"

echo "== results (median of $runs run(s) each)"
"$py" "$peers/bench.py" report "$work/results.jsonl"
"$py" - "$work/results.jsonl" << 'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rps = {}
for r in rows:
    rps.setdefault(r["label"], []).append(r["rps"])
rps = {k: statistics.median(v) for k, v in rps.items()}
print("\nratios (req/s, q=python):")
for a, b in (("siteseek-redisearch", "fastapi-uvicorn-w2"), ("siteseek-embedded", "fastapi-uvicorn-w2"),
             ("siteseek-embedded", "siteseek-redisearch")):
    if a in rps and b in rps:
        print(f"  {a} / {b} = {rps[a] / rps[b]:.2f}x")
PY
