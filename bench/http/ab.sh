#!/usr/bin/env bash
# Compare two builds of the `siteseek` server on this shared, noisy machine: each round starts the
# old and then the new binary over the same snapshot of the Python docs and runs the same wrk loads
# against each, so a change is judged against the old build in the same minutes. Loads:
# q=python and the 40-query mix (shared/peers/queries.lua), each with the result cache on (what a
# server with repeating traffic answers from) and off (result_cache_mb=0: every request searches).
#   bench/http/ab.sh OLD_SITESEEK NEW_SITESEEK [ROUNDS=3]     (DURATION=5s PORT=18190)
# Prints req/s and p99 per run, then the median per build and load with new/old ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
if [ $# -lt 2 ]; then
  sed -n '2,8p' "$0"
  exit 2
fi
old=$(realpath "$1") new=$(realpath "$2") rounds=${3:-3}
peers=${SHARED_DIR:-$root/../shared}/peers
duration=${DURATION:-5s}
port=${PORT:-18190}
work=$(mktemp -d /tmp/siteseek-http-ab.XXXXXX)
source "$(dirname "$0")/server.sh"

# One snapshot for both (built by the old binary): the servers only load it.
env -u SITESEEK_API_KEY "$old" --config examples/configs/python-docs.json --set "data_dir=$work/data" index > /dev/null

load() {  # name, wrk args...
  local name=$1
  shift
  wrk -c 60 -t 20 -d "$duration" --latency "$@" > "$work/wrk.txt" 2>&1
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
  local errors
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$work/wrk.txt")
  [ -z "$errors" ] || { echo "errors in $name: $errors" >&2; exit 1; }
  echo "$which $name $rps $p99"
}
base="http://127.0.0.1:$port"
for round in $(seq "$rounds"); do
  for which in old new; do
    bin=${!which}
    for cache in on off; do
      if [ "$cache" = on ]; then start_server "$bin"; else start_server "$bin" --set result_cache_mb=0; fi
      curl -fs -o /dev/null "$base/search?q=python"  # warm-up
      load "python-cache-$cache" "$base/search?q=python"
      (cd "$peers" && QUERIES_FILE=queries.txt load "mix-cache-$cache" -s queries.lua "$base")
      stop_server
    done
  done
done | tee "$work/runs.txt" | sed 's/^/  /'
/usr/bin/python3 - "$work/runs.txt" <<'PY'
import statistics, sys
runs = {}
def ms(text):
    for unit, scale in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * scale
for line in open(sys.argv[1]):
    which, load, rps, p99 = line.split()
    runs.setdefault((load, which), []).append((float(rps), ms(p99)))
print(f"{'load':<22}{'old req/s':>12}{'new req/s':>12}{'new/old':>9}{'old p99':>10}{'new p99':>10}   (medians)")
for load in sorted({l for l, _ in runs}):
    o, n = runs.get((load, "old"), []), runs.get((load, "new"), [])
    if not o or not n:
        continue
    orps, nrps = statistics.median(r for r, _ in o), statistics.median(r for r, _ in n)
    op99, np99 = statistics.median(p for _, p in o), statistics.median(p for _, p in n)
    print(f"{load:<22}{orps:>12.0f}{nrps:>12.0f}{nrps / orps:>9.3f}{op99:>8.2f}ms{np99:>8.2f}ms")
PY
