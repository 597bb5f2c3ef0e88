# Sourced by the HTTP benchmarks: one `siteseek serve` at a time over the Python docs, on
# 127.0.0.1:$port with its snapshot in $work/data, stopped by PID (also when the script exits).
# The sourcing script sets `work` and `port` first (and `scheme=https` for a server with TLS).
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# start_server BINARY [siteseek options...]: returns once /health answers 200 (a first start
# indexes the docs first); exits the script when the server dies or is not healthy in 60 s.
start_server() {
  local bin=$1
  shift
  env -u SITESEEK_API_KEY "$bin" --config examples/configs/python-docs.json --set "data_dir=$work/data" "$@" \
    serve --port "$port" > "$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    curl -fsk -o /dev/null "${scheme:-http}://127.0.0.1:$port/health" && return 0
    kill -0 "$server_pid" || { cat "$work/server.log"; exit 1; }
    sleep 0.1
  done
  echo "server did not become healthy: $(tail -3 "$work/server.log")" >&2
  exit 1
}
stop_server() { kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; }
