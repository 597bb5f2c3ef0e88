#!/usr/bin/env bash
# A re-crawl that writes only what changed: the Python docs (python3.11-doc) served over HTTP on
# 127.0.0.1 by Python's http.server (which answers If-Modified-Since with 304), crawled by
# `siteseek index` into a fresh data_dir, then crawled again four times:
#   1. nothing changed             (every page 304: index unchanged, nothing built or written)
#   2. 3 pages changed             (those 3 fetched and applied as a live update)
#   3. 3 pages changed, 1 removed  (likewise, the removed page deleted)
#   4. every page changed          (every page fetched, the index built and written whole)
# For each: wall time of the command, and bytes written to data_dir (the sizes of the files it
# created or changed). Ratios are runs 2 and 3 against run 4, the re-crawl that builds whole.
# Then the same site with a /sitemap.xml giving each page's <lastmod> (its file's time, written
# again after each change, as a generator's build does): a first crawl, then 3 pages changed,
# where pages whose <lastmod> is older than their last fetch are not requested at all. Last, the
# site without a sitemap served by nginx (ETag, Last-Modified, keep-alive: as docs are served),
# whose 304s cost little: a first crawl, 3 pages changed, every page changed.
#   bench/ingest/recrawl.sh             # BUILD_DIR=build-bench JOBS=2 PIN=0 (taskset core; "" none)
#   BIN=/tmp/old/siteseek bench/ingest/recrawl.sh   # a given binary, not built (to compare builds)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
build=${BUILD_DIR:-$root/build-bench}
pin=${PIN-0}
docs=/usr/share/doc/python3.11/html
[ -d "$docs" ] || { echo "recrawl.sh: $docs is missing (scripts/setup installs python3.11-doc)" >&2; exit 2; }

bin=${BIN:-}
if [ -z "$bin" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSITESEEK_BUILD_BENCH=ON -DSITESEEK_WITH_PYTHON=OFF >/dev/null
  cmake --build "$build" -j "${JOBS:-2}" --target siteseek >/dev/null
  bin=$build/transports/cli/siteseek
fi

work=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fresh_site() {  # stop the server; a new copy of the docs (file times kept), no data_dir
  [ -n "$server" ] && { kill "$server"; wait "$server" 2>/dev/null || true; }
  server=
  rm -rf "$work/site" "$work/data"
  cp -r --preserve=timestamps "$docs" "$work/site"
}
serve() {  # Python's http.server over a fresh copy of the docs at $port
  fresh_site
  /usr/bin/python3 -m http.server --bind 127.0.0.1 --directory "$work/site" "$port" >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 50); do
    /usr/bin/python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/index.html')" 2>/dev/null && break
    sleep 0.1
  done
}
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
serve
cat > "$work/config.json" <<EOF
{"data_dir": "$work/data", "sites": [{"name": "python", "url": "http://127.0.0.1:$port/",
  "deny_patterns": ["/(genindex[^/]*|search|py-modindex)\\\\.html\$", "/_(sources|static|images|downloads)/"],
  "content_selectors": ["div.body[role=main]", "div.body"], "title_separators": [" — "],
  "crawl": {"max_pages": 5000}}]}
EOF

run() {  # run LABEL: one `siteseek index`, its time, the bytes it wrote to data_dir, its report's last lines
  local label=$1 before after t0 t1 bytes
  before=$(find "$work/data" -type f -printf '%p %s %T@\n' 2>/dev/null | sort || true)
  t0=$(date +%s.%N)
  ${pin:+taskset -c "$pin"} "$bin" --config "$work/config.json" --log-level warn index > "$work/report.txt"
  t1=$(date +%s.%N)
  after=$(find "$work/data" -type f -printf '%p %s %T@\n' | sort)
  bytes=$(comm -13 <(echo "$before") <(echo "$after") | awk '{s += $2} END {print s + 0}')
  printf '%-34s %8.2f s %14d bytes   %s\n' "$label" "$(echo "$t1 - $t0" | bc)" "$bytes" \
    "$(grep -E 'fetched|unchanged|updated in place|not requested' "$work/report.txt" | tr -s ' ' | tr '\n' ';' | cut -c1-150)"
  echo "$label $(echo "$t1 - $t0" | bc) $bytes" >> "$work/figures"
}

change() {  # change N FILES...: a word added to each page's body
  for f in "$@"; do sed -i 's|<div class="body" role="main">|<div class="body" role="main"><p>recrawlmarker</p>|' "$work/site/$f"; done
}

echo "re-crawl of the Python docs over HTTP on 127.0.0.1 ($(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ), pinned to core ${pin:-none})"
run "first crawl (built whole)"
run "1. nothing changed"
change library/argparse.html library/os.html tutorial/index.html
run "2. 3 pages changed"
change library/pathlib.html library/json.html faq/general.html
rm "$work/site/library/turtle.html"
run "3. 3 changed, 1 removed"
find "$work/site" -name '*.html' -exec sed -i 's|<div class="body" role="main">|<div class="body" role="main"><p>everywhere</p>|' {} +
run "4. every page changed (built whole)"
awk 'NR == 1 {next} {t[NR] = $(NF-1); b[NR] = $NF} END {
  printf "ratios against run 4: run 2 time %.3f, bytes %.4f; run 3 time %.3f, bytes %.4f\n", t[3] / t[5], b[3] / b[5], t[4] / t[5], b[4] / b[5] }' "$work/figures"

sitemap() {  # every page with its file's modification time as <lastmod>
  /usr/bin/python3 - "$work/site" "http://127.0.0.1:$port/" <<'PY'
import datetime, os, sys
root, base = sys.argv[1], sys.argv[2]
with open(os.path.join(root, "sitemap.xml"), "w") as out:
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            if f.endswith(".html"):
                p = os.path.join(d, f)
                when = datetime.datetime.fromtimestamp(os.path.getmtime(p), datetime.timezone.utc)
                out.write(f"<url><loc>{base}{os.path.relpath(p, root)}</loc><lastmod>{when:%Y-%m-%dT%H:%M:%S+00:00}</lastmod></url>\n")
    out.write("</urlset>\n")
PY
}
echo "with /sitemap.xml giving <lastmod>:"
serve
sitemap
: > "$work/figures"
run "first crawl (built whole)"
change library/argparse.html library/os.html tutorial/index.html
sitemap
run "5. 3 pages changed, with lastmod"
find "$work/site" -name '*.html' -exec sed -i 's|<div class="body" role="main">|<div class="body" role="main"><p>everywhere</p>|' {} +
sitemap
run "6. every page changed, with lastmod"
awk '{t[NR] = $(NF-1); b[NR] = $NF} END {
  printf "ratios against run 6: run 5 time %.3f, bytes %.4f\n", t[2] / t[3], b[2] / b[3] }' "$work/figures"

nginx_bin=/usr/sbin/nginx
if [ ! -x "$nginx_bin" ]; then
  echo "served by nginx: skipped ($nginx_bin is missing; scripts/setup installs nginx-light)"
  exit 0
fi
echo "served by nginx, no sitemap:"
fresh_site
chmod a+rx "$work"  # nginx started as root serves as nobody
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy; fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  types { text/html html; text/css css; application/javascript js; application/xml xml; image/png png; }
  default_type application/octet-stream;
  server { listen 127.0.0.1:$port; root $work/site; }
}
EOF
"$nginx_bin" -c "$work/nginx/nginx.conf" -p "$work/nginx" 2>/dev/null &
server=$!
for _ in $(seq 50); do
  /usr/bin/python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/index.html')" 2>/dev/null && break
  sleep 0.1
done
: > "$work/figures"
run "first crawl (built whole)"
change library/argparse.html library/os.html tutorial/index.html
run "7. 3 pages changed, nginx"
find "$work/site" -name '*.html' -exec sed -i 's|<div class="body" role="main">|<div class="body" role="main"><p>everywhere</p>|' {} +
run "8. every page changed, nginx"
awk '{t[NR] = $(NF-1); b[NR] = $NF} END {
  printf "ratios against run 8: run 7 time %.3f, bytes %.4f\n", t[2] / t[3], b[2] / b[3] }' "$work/figures"
