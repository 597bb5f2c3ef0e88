#!/usr/bin/env bash
# siteseek against Pagefind on real documentation built by different generators (issue 21): for
# each judged corpus in tests/relevance/ (a '# corpus:' header names its Debian package, HTML
# root and base URL; postgresql.tsv is the PostgreSQL 15 docs, DocBook like pam but the corpus
# siteseek was first tuned on), and the Python dev set for reference,
#   (a) siteseek indexes the built directory with no site configuration beyond name, base URL and
#       directory (`siteseek index --dir`), and eval.py scores `siteseek query` (--cmd mode);
#       The same answers are also scored as pages (fragments dropped: siteseek-page), as Pagefind's
#       results are;
#   (b) Pagefind (npm `pagefind`, its bundled binary) indexes the same directory with no options
#       beyond --site and --output-path, and eval.py scores Pagefind's own pagefind.js run in Node
#       (pagefind_query.mjs), its page URLs joined to the same base URL; a second run takes each
#       result's first sub-result anchor instead (--sub);
#   A header's build= names a script that builds a corpus no Debian package ships (date-fns's TypeDoc
#   reference: bench/generators/corpora/build.sh, npm), run when its root= (then relative to the
#   repository) is missing.
#   A header's files= (a shell pattern: debian-reference-zh's `*.zh-cn.html`) says that the corpus
#   is only those pages of its root, which holds others (every installed translation): both
#   engines then index a copy of the matching files. A header's lang= (an ISO 639-1 code) is the
#   language of pages that do not declare it: Pagefind indexes them a second time with
#   --force-language, scored as pagefind-lang.
#   (c) summarize.py prints per corpus and class MRR@10, nDCG@10, R@10 side by side and the
#       siteseek / Pagefind ratios, and writes the run as JSON.
#
#   bench/generators/run.sh                     # every corpus whose package is installed
#   CORPORA="flask pam" PYTHON=0 bench/generators/run.sh
#   OUT=bench/results/generators-DATE.json bench/generators/run.sh
# SITESEEK= names the siteseek binary (default build/transports/cli/siteseek, built if missing);
# BUILD_COMMIT= the commit that binary was built from, recorded in OUT instead of HEAD's (not a
# SITESEEK_ variable: siteseek refuses environment variables it does not know);
# KEEP=1 keeps the work directory (indexes, Pagefind bundles, eval JSON) and prints its path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
rel="$root/tests/relevance"
siteseek=${SITESEEK:-$root/build/transports/cli/siteseek}
corpora=${CORPORA:-"flask drf jsoup jsoncpp rust-alloc pam postgresql debian-reference-zh debian-reference-ja octave rust-book git date-fns cppreference"}
python_dev=${PYTHON:-1}
t_start=$(date +%s.%N)

if [ ! -x "$siteseek" ]; then
  echo "== building siteseek (Release) in build/"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSITESEEK_BUILD_TESTS=OFF > /dev/null
  cmake --build build -j "${JOBS:-2}" --target siteseek > /dev/null
fi
if [ ! -x "$here/node_modules/.bin/pagefind" ]; then
  echo "== npm install (pagefind, pinned in bench/generators/package.json)"
  (cd "$here" && npm install --no-audit --no-fund > /dev/null)
fi
pagefind="$here/node_modules/.bin/pagefind"

work=$(mktemp -d /tmp/siteseek-bench-generators.XXXXXX)
if [ "${KEEP:-0}" = 1 ]; then echo "work directory: $work"; else trap 'rm -rf "$work"' EXIT; fi

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# run_corpus ORDER NAME GENERATOR PACKAGE TSV HTML_ROOT BASE_URL EVAL...
run_corpus() {
  local order=$1 name=$2 generator=$3 package=$4 tsv=$5 html=$6 base=$7
  shift 7
  local d="$work/$name"
  mkdir -p "$d"
  if [ ! -d "$html" ]; then
    echo "== $name: skipped, $html is missing (apt-get install $package)"
    return
  fi
  local files
  files=$(find "$html" -name '*.html' | wc -l)
  echo "== $name ($generator, $package, $files HTML files in $html)"

  local t0 t1 t2
  t0=$(now)
  "$siteseek" index --dir "$html" --base-url "$base" --site "$name" --data-dir "$d/siteseek" > "$d/siteseek-index.log" 2>&1
  t1=$(now)
  "$pagefind" --site "$html" --output-path "$d/pagefind" > "$d/pagefind-index.log" 2>&1
  t2=$(now)

  "$@" "$tsv" --label siteseek --json "$d/siteseek.json" \
    --cmd "$siteseek query --data-dir $d/siteseek --site $name" > /dev/null
  # The same answers as pages (each URL's #fragment dropped), the unit Pagefind's results are in:
  # a page matches every judged section on it, where a section must be the one judged.
  "$@" "$tsv" --label siteseek-page --json "$d/siteseek-page.json" \
    --cmd "$siteseek query --data-dir $d/siteseek --site $name | /usr/bin/python3 $here/as_pages.py" > /dev/null
  "$@" "$tsv" --label pagefind --json "$d/pagefind.json" \
    --cmd "node $here/pagefind_query.mjs $d/pagefind $base" > /dev/null
  "$@" "$tsv" --label pagefind-sub --json "$d/pagefind-sub.json" \
    --cmd "node $here/pagefind_query.mjs $d/pagefind $base --sub" > /dev/null
  if [ -n "${PAGEFIND_LANG:-}" ]; then
    # Pages that declare no language are indexed as "unknown", which Pagefind does not segment:
    # the language the corpus is written in, forced, shows what Pagefind does with it declared.
    "$pagefind" --site "$html" --output-path "$d/pagefind-lang" --force-language "$PAGEFIND_LANG" \
      > "$d/pagefind-lang-index.log" 2>&1
    "$@" "$tsv" --label pagefind-lang --json "$d/pagefind-lang.json" \
      --cmd "node $here/pagefind_query.mjs $d/pagefind-lang $base" > /dev/null
  fi

  /usr/bin/python3 - "$d" "$order" "$name" "$generator" "$package" "$html" "$base" "$files" \
    "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")" <<'EOF'
import json, os, re, subprocess, sys
d, order, name, gen, pkg, html, base, files, ss_s, pf_s = sys.argv[1:]
def tree_bytes(top):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(top) for f in fs)
ss_log = open(f"{d}/siteseek-index.log").read()
pf_log = open(f"{d}/pagefind-index.log").read()
m = re.search(r"^\S+: (\d+ pages read, .*?), [0-9.]+ s$", ss_log, re.M)
pf = [l.strip() for l in pf_log.splitlines()
      if re.search(r"Found \d+ files|Indexed \d+ (pages|words)|data-pagefind-body|Indexing all|Running Pagefind|WARN|rror", l)]
ver = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True).stdout
if not ver and pkg.startswith("npm:"):  # built here from npm (bench/generators/corpora)
    ver = json.load(open(os.path.join(html, "..", "node_modules", pkg[4:], "package.json")))["version"]
json.dump({"order": int(order), "name": name, "generator": gen, "package": pkg, "package_version": ver,
           "html_root": html, "base_url": base, "html_files": int(files),
           "siteseek_index_s": float(ss_s), "pagefind_index_s": float(pf_s),
           "siteseek_bytes": tree_bytes(f"{d}/siteseek"), "pagefind_bytes": tree_bytes(f"{d}/pagefind"),
           "siteseek_summary": m.group(1) if m else "", "siteseek_log": ss_log.strip().splitlines(),
           "pagefind_summary": "; ".join(pf), "pagefind_log": pf_log.strip().splitlines()},
          open(f"{d}/meta.json", "w"), indent=1)
EOF
}

i=0
for name in $corpora; do
  tsv="$rel/$name.tsv"
  header=$(grep -m1 '^# corpus:' "$tsv" | sed 's/^# corpus://')
  field() { printf '%s\n' "$header" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
  i=$((i + 1))
  html=$(field root)
  case "$html" in /*) ;; *) html="$root/$html" ;; esac  # a corpus built here: from the repository's root
  # A corpus no Debian package ships is built with its generator from npm (build=, once).
  if [ ! -d "$html" ] && [ -n "$(field build)" ]; then
    echo "== $name: building it ($(field build) $name)"
    "$root/$(field build)" "$name" || { echo "== $name: skipped, its build failed"; continue; }
  fi
  files=$(field files)
  if [ -n "$files" ] && [ -d "$html" ]; then
    if [ -z "$(find "$html" -maxdepth 1 -name "$files" -print -quit)" ]; then
      echo "== $name: skipped, no $files in $html (apt-get install $(field package))"
      continue
    fi
    mkdir -p "$work/$name-html"
    find "$html" -maxdepth 1 -name "$files" -exec cp {} "$work/$name-html/" \;
    html="$work/$name-html"
  fi
  PAGEFIND_LANG=$(field lang) run_corpus "$i" "$name" "$(field generator)" "$(field package)" "$tsv" "$html" \
    "$(field base)" /usr/bin/python3 "$rel/eval_corpus.py"
done
if [ "$python_dev" = 1 ]; then
  # Reference: the Python dev set, indexed the same way (no site configuration), not the
  # configured examples/configs/python-docs.json that tests/relevance's guard uses.
  py_eval() { local tsv=$1; shift; /usr/bin/python3 "$rel/eval.py" "$tsv" --corpus python \
      --root /usr/share/doc/python3.11/html "$@"; }
  run_corpus 100 python-dev Sphinx python3.11-doc "$rel/python-docs.dev.tsv" \
    /usr/share/doc/python3.11/html https://docs.python.org/3/ py_eval
fi

t_end=$(now)
args=()
if [ -n "${OUT:-}" ]; then
  args=(--out "$OUT" --date "$(date -u +%Y-%m-%dT%H:%MZ)" --commit "${BUILD_COMMIT:-$(git rev-parse HEAD)}"
        --command "$0${CORPORA:+ (CORPORA=$CORPORA)}" --seconds "$(secs "$t_start" "$t_end")")
fi
echo
/usr/bin/python3 "$here/summarize.py" "$work" "${args[@]}"
echo
echo "total: $(secs "$t_start" "$t_end") s"
