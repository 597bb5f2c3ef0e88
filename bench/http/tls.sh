#!/usr/bin/env bash
# HTTPS against plain HTTP: the same siteseek binary, same run, rounds alternating the two
# (plain, then TLS, ROUNDS times), each `wrk -c 60 -t 20 -d $DURATION --latency` on
# /search?q=python over keep-alive connections (wrk opens its 60 connections once: this is the
# per-request cost of TLS). Then the handshake alone: `openssl s_time -new`, one full handshake
# after another from one client. Self-signed ECDSA P-256 certificate made here; everything binds
# 127.0.0.1 and is stopped by PID.
#   bench/http/tls.sh     (ROUNDS=3 DURATION=5s PORT=18091 BUILD_DIR=build)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build}
bin=$build/transports/cli/siteseek
rounds=${ROUNDS:-3}
duration=${DURATION:-5s}
port=${PORT:-18091}
[ -x "$bin" ] || { echo "no $bin: build siteseek first (cmake --build $build --target siteseek)" >&2; exit 1; }
work=$(mktemp -d /tmp/siteseek-tls-bench.XXXXXX)
source "$(dirname "$0")/server.sh"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
  -days 2 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2> /dev/null
tls_flags=(--set "tls.cert_file=$work/cert.pem" --set "tls.key_file=$work/key.pem")

# "Requests/sec" and the 99th percentile (in ms) of a wrk --latency report.
summary() {
  awk '/Requests\/sec/ {rps = $2}
       $1 == "99%" {v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
                    p99 = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v}
       END {printf "%.0f %.2f\n", rps, p99}'
}

results=$work/results.txt
echo "siteseek $(git rev-parse --short HEAD) $(date -u +%Y-%m-%dT%H:%MZ): $rounds rounds of $duration, wrk -c 60 -t 20, /search?q=python"
for round in $(seq 1 "$rounds"); do
  for scheme in http https; do
    if [ "$scheme" = https ]; then start_server "$bin" "${tls_flags[@]}"; else start_server "$bin"; fi
    wrk -c 60 -t 20 -d 1s "$scheme://127.0.0.1:$port/search?q=python" > /dev/null  # warm-up
    read -r rps p99 < <(wrk -c 60 -t 20 -d "$duration" --latency "$scheme://127.0.0.1:$port/search?q=python" | summary)
    printf '  round %d %-5s %8s req/s  p99 %6s ms\n' "$round" "$scheme" "$rps" "$p99"
    echo "$scheme $rps $p99" >> "$results"
    stop_server
  done
done
awk '{n[$1]++; rps[$1] += $2; p99[$1] += $3}
     END {printf "mean  http  %8.0f req/s  p99 %6.2f ms\n", rps["http"] / n["http"], p99["http"] / n["http"];
          printf "mean  https %8.0f req/s  p99 %6.2f ms\n", rps["https"] / n["https"], p99["https"] / n["https"];
          printf "https/http throughput ratio %.3f\n", rps["https"] / rps["http"]}' "$results"

echo "handshakes: openssl s_time -new (a full handshake per connection, one client, $duration)"
scheme=https
start_server "$bin" "${tls_flags[@]}"
seconds=${duration%s}
openssl s_time -connect "127.0.0.1:$port" -new -time "$seconds" 2> /dev/null | grep -E "connections in .* real seconds" | sed 's/^/  /'
curl -fsk "https://127.0.0.1:$port/metrics" | grep '^siteseek_tls_handshake_failures_total' | sed 's/^/  /'
stop_server
