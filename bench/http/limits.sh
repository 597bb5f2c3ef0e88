#!/usr/bin/env bash
# The cost of a server-side check, measured against the same binary without it: each round starts
# the server once per variant (in turn, so every variant sees the same minutes of this shared,
# noisy machine) and runs the same wrk load, q=python with the result cache on (as shipped: the
# cheapest answer, so a per-request check weighs the most).
#   bench/http/limits.sh SITESEEK [ROUNDS=3]     (DURATION=5s PORT=18191)
# Prints req/s and p99 per run, then the medians with each variant's ratio to the first.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ $# -lt 1 ]; then
  sed -n '2,7p' "$0"
  exit 2
fi
bin=$(realpath "$1") rounds=${2:-3}
duration=${DURATION:-5s}
port=${PORT:-18191}
work=$(mktemp -d /tmp/siteseek-http-limits.XXXXXX)
source "$(dirname "$0")/server.sh"

env -u SITESEEK_API_KEY "$bin" --config examples/configs/python-docs.json --set "data_dir=$work/data" index > /dev/null
# A search key in the bench's store, and a scoped token minted from it (the stand-alone example of
# docs/security.md, with a filter every record passes), for the key-required variants.
key=$(env -u SITESEEK_API_KEY "$bin" --config examples/configs/python-docs.json --set "data_dir=$work/data" \
  keys create --action search --description bench 2> /dev/null)
token=$(/usr/bin/python3 - "$key" <<'PY'
import base64, hashlib, hmac, json, sys
def b64(data): return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
key = sys.argv[1]
payload = "sst1." + b64(json.dumps({"key": key.split("_")[1], "filters": "type:*"}).encode())
signing_key = hmac.new(key.encode(), b"siteseek scoped token v1", hashlib.sha256).digest()
print(payload + "." + b64(hmac.new(signing_key, payload.encode(), hashlib.sha256).digest()))
PY
)

# One variant a line: name | siteseek options | X-API-KEY to send (none: empty). The first is the
# reference.
# "limits": limits so high they never refuse, so every request runs the whole check. "key" and
# "token": the site needs a key (search_access=key) and each request carries one, limits on too:
# what a key-protected endpoint costs over an open one without limits.
unlimited="--set rate_limits.search.per_second=1e9 --set rate_limits.search.burst=1000000000"
unlimited_keys="$unlimited --set rate_limits.per_key.per_second=1e9 --set rate_limits.per_key.burst=1000000000"
variants=(
  "off | --set rate_limits.enabled=false |"
  "limits | $unlimited |"
  "key | $unlimited_keys --set sites[0].search_access=key | $key"
  "token | $unlimited_keys --set sites[0].search_access=key | $token"
)
base="http://127.0.0.1:$port"
for round in $(seq "$rounds"); do
  for v in "${variants[@]}"; do
    IFS='|' read -r name options credential <<< "$v"
    name=$(echo $name) credential=$(echo $credential)
    headers=()
    [ -z "$credential" ] || headers=(-H "X-API-KEY: $credential")
    # shellcheck disable=SC2086 # options are words on purpose
    start_server "$bin" $options
    curl -fs -o /dev/null "${headers[@]}" "$base/search?q=python"  # warm-up (and the key is taken)
    wrk -c 60 -t 20 -d "$duration" --latency "${headers[@]}" "$base/search?q=python" > "$work/wrk.txt" 2>&1
    if grep -qE 'Non-2xx|Socket errors' "$work/wrk.txt"; then
      echo "errors in $name: $(grep -E 'Non-2xx|Socket errors' "$work/wrk.txt")" >&2
      exit 1
    fi
    echo "$name $(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt") $(awk '$1 == "99%" {print $2}' "$work/wrk.txt")" |
      tee -a "$work/runs.txt" | sed 's/^/  /'
    stop_server
  done
done  # not in a pipeline: an exit inside the loop must reach server.sh's cleanup, which stops the server
/usr/bin/python3 - "$work/runs.txt" <<'PY'
import statistics, sys
runs, order = {}, []
def ms(text):
    for unit, scale in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * scale
for line in open(sys.argv[1]):
    name, rps, p99 = line.split()
    if name not in runs:
        order.append(name)
    runs.setdefault(name, []).append((float(rps), ms(p99)))
ref = statistics.median(r for r, _ in runs[order[0]])
print(f"{'variant':<12}{'req/s':>10}{'p99':>10}{'ratio':>8}   (medians of {len(runs[order[0]])} rounds; ratio: req/s / {order[0]}'s)")
for name in order:
    rps = statistics.median(r for r, _ in runs[name])
    p99 = statistics.median(p for _, p in runs[name])
    print(f"{name:<12}{rps:>10.0f}{p99:>8.2f}ms{rps / ref:>8.3f}")
PY
