#!/usr/bin/env bash
# What the query log costs a server, measured against the same binary with it off: each round
# starts the server once per variant (in turn, so both see the same minutes of this shared, noisy
# machine) and runs the same wrk loads:
#   q=python         one query, answered from the result cache (the cheapest answer: the log weighs most)
#   mix-40 cache on  the 40-query mix of shared/peers with a session id per reader (sessions.lua)
#   mix-40 cache off the same with result_cache_mb=0: every request searches the index
# then, from the "on" runs of the mix alone (the server with the cache off, which serves nothing
# else), the bytes the log stored per million searches.
#   bench/http/analytics.sh SITESEEK [ROUNDS=3]     (DURATION=5s PORT=18192 SHARED_DIR=../shared)
# Prints req/s and p99 per run, then the medians with the ratio on/off per load.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ $# -lt 1 ]; then
  sed -n '2,11p' "$0"
  exit 2
fi
bin=$(realpath "$1") rounds=${2:-3}
duration=${DURATION:-5s}
port=${PORT:-18192}
queries=${SHARED_DIR:-$(pwd)/../shared}/peers/queries.txt
[ -s "$queries" ] || { echo "no query mix at $queries (set SHARED_DIR)" >&2; exit 2; }
work=$(mktemp -d /tmp/siteseek-http-analytics.XXXXXX)
source "$(dirname "$0")/server.sh"
base="http://127.0.0.1:$port"

# max_mb well above what a run writes, so no record is dropped for the bound while measuring.
declare -A options=([off]="--set analytics.enabled=false" [on]="--set analytics.enabled=true --set analytics.max_mb=4000")
for round in $(seq "$rounds"); do
  for variant in off on; do
    for cache in on off; do
      rm -rf "$work/data/analytics"
      extra=""
      [ "$cache" = on ] || extra="--set result_cache_mb=0"
      # shellcheck disable=SC2086 # options are words on purpose
      start_server "$bin" ${options[$variant]} $extra
      loads=("mix-40-cache-$cache")
      [ "$cache" = off ] || loads=("q=python" "${loads[@]}")
      for load in "${loads[@]}"; do
        if [ "$load" = q=python ]; then
          curl -fs -o /dev/null "$base/search?q=python"
          wrk -c 60 -t 20 -d "$duration" --latency "$base/search?q=python" > "$work/wrk.txt" 2>&1
        else
          QUERIES_FILE=$queries wrk -c 60 -t 20 -d 1s -s bench/http/sessions.lua "$base" > /dev/null 2>&1  # warm-up
          QUERIES_FILE=$queries wrk -c 60 -t 20 -d "$duration" --latency -s bench/http/sessions.lua "$base" > "$work/wrk.txt" 2>&1
        fi
        if grep -qE 'Non-2xx|Socket errors' "$work/wrk.txt"; then
          echo "errors in $variant $load: $(grep -E 'Non-2xx|Socket errors' "$work/wrk.txt")" >&2
          exit 1
        fi
        echo "$load $variant $(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt") $(awk '$1 == "99%" {print $2}' "$work/wrk.txt")" |
          tee -a "$work/runs.txt" | sed 's/^/  /'
      done
      if [ "$variant" = on ] && [ "$cache" = off ]; then
        # Storage: what the writer wrote for the searches this server recorded (its /metrics),
        # after the stop has flushed the queue. Only this server's: it ran the mix and nothing else.
        curl -fs "$base/metrics" > "$work/metrics.txt"
        stop_server
        recorded=$(awk '/^siteseek_analytics_events_total\{outcome="recorded"\}/ {print $2}' "$work/metrics.txt")
        dropped=$(awk '/^siteseek_analytics_events_total\{outcome="dropped_(queue|full)"\}/ {s += $2} END {print s + 0}' "$work/metrics.txt")
        bytes=$(cat "$work/data/analytics/"*.log | wc -c)
        echo "storage $cache $recorded $dropped $bytes" >> "$work/storage.txt"
      else
        stop_server
      fi
    done
  done
done  # not in a pipeline: an exit inside the loop must reach server.sh's cleanup, which stops the server
/usr/bin/python3 - "$work/runs.txt" "$work/storage.txt" <<'PY'
import statistics, sys
def ms(text):
    for unit, scale in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * scale
runs, order = {}, []
for line in open(sys.argv[1]):
    load, variant, rps, p99 = line.split()
    if load not in order:
        order.append(load)
    runs.setdefault((load, variant), []).append((float(rps), ms(p99)))
n = len(runs[(order[0], "off")])
print(f"{'load':<20}{'off req/s':>11}{'on req/s':>10}{'ratio':>7}{'off p99':>10}{'on p99':>10}   (medians of {n} rounds)")
for load in order:
    off = runs[(load, "off")]; on = runs[(load, "on")]
    r_off = statistics.median(r for r, _ in off); r_on = statistics.median(r for r, _ in on)
    p_off = statistics.median(p for _, p in off); p_on = statistics.median(p for _, p in on)
    print(f"{load:<20}{r_off:>11.0f}{r_on:>10.0f}{r_on / r_off:>7.3f}{p_off:>8.2f}ms{p_on:>8.2f}ms")
recorded = dropped = written = 0
for line in open(sys.argv[2]):
    _, _, r, d, b = line.split()
    recorded += int(float(r)); dropped += int(float(d)); written += int(b)
kept = recorded - dropped
print(f"storage: {written:,} bytes for {kept:,} recorded events ({dropped:,} dropped): "
      f"{written / kept * 1e6 / 2**20:.1f} MiB per million searches (the mix's queries, a session id each)")
PY
