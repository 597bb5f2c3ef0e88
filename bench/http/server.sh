# Sourced by the HTTP benchmarks: one `siteseek serve` at a time over the Python docs, on
# 127.0.0.1:$port with its snapshot in $work/data, stopped by PID (also when the script exits).
# The sourcing script sets `work` and `port` first (and `scheme=https` for a server with TLS).
# The PID is also kept in $work/server.pid: a benchmark whose loop runs in a pipeline (a subshell)
# and exits there leaves this shell's server_pid empty, and the cleanup still stops the server.
server_pid=""
cleanup() {
  local pid=${server_pid:-$(cat "$work/server.pid" 2>/dev/null || true)}
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || tail --pid="$pid" -f /dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# start_server BINARY [siteseek options...]: returns once /health answers 200 (a first start
# indexes the docs first); exits the script when the server dies or is not healthy in 60 s.
# The load comes from one address (wrk on 127.0.0.1), so the rate limits are turned off unless
# the options set them, or the binary predates them (ab.sh may compare with one).
start_server() {
  local bin=$1
  shift
  case " $* " in
    *rate_limits*) ;;
    *) if "$bin" --set rate_limits.enabled=false config show > /dev/null 2>&1; then set -- "$@" --set rate_limits.enabled=false; fi ;;
  esac
  env -u SITESEEK_API_KEY "$bin" --config examples/configs/python-docs.json --set "data_dir=$work/data" "$@" \
    serve --port "$port" > "$work/server.log" 2>&1 &
  server_pid=$!
  echo "$server_pid" > "$work/server.pid"
  for _ in $(seq 1 600); do
    curl -fsk -o /dev/null "${scheme:-http}://127.0.0.1:$port/health" && return 0
    kill -0 "$server_pid" || { cat "$work/server.log"; exit 1; }
    sleep 0.1
  done
  echo "server did not become healthy: $(tail -3 "$work/server.log")" >&2
  exit 1
}
stop_server() { kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; rm -f "$work/server.pid"; }
