#!/usr/bin/env bash
# Issue 28 baseline ("Relevance for questions in readers' words"): siteseek, Xapian and Pagefind on
# the judged readers'-words sets tests/relevance/python-vocab.tsv (Python 3.11 docs) and
# tests/relevance/postgresql-vocab.tsv (PostgreSQL 15 docs), per class (how-to, concept) MRR@10,
# nDCG@10, R@10 and P@1; and, as a check of the set-up, the same engines on the sets the relevance
# guards run (python-docs.dev.tsv, postgresql.tsv), siteseek's guard figures against floors.json
# and floors-postgresql.json.
#
# Engines, each on the same judged queries, scored by tests/relevance/eval.py (unchanged):
#   siteseek      as the relevance guards run it (tests/relevance/check_relevance.py): relevance_cmd
#                 with examples/configs/python-docs.json (site python) or
#                 tests/relevance/postgresql-docs.json (site postgresql: name, URL, directory only)
#   siteseek-dir  `siteseek index --dir` with no site settings, then `siteseek query`, as
#                 bench/generators/run.sh runs it (the Python docs without their configuration)
#   xapian        shared/relevance/eval.py --engine xapian (anchors.py: BM25, English stemmer,
#                 title boosted, OR, partial last word) on corpus.py's reference split of the same HTML
#   pagefind      npm pagefind (bench/generators/package.json) indexing the HTML directory with
#                 --site and --output-path only, searched by pagefind_query.mjs in Node (page URLs);
#   pagefind-sub  the same, each result's first sub-result anchor
#
#   bench/relevance/vocab_baseline.sh                 # prints the tables
#   OUT=bench/results/vocab-baseline-DATE.json bench/relevance/vocab_baseline.sh
# Environment: RELEVANCE_CMD, SITESEEK (default build/tests/relevance_cmd and
# build/transports/cli/siteseek; built with -j${JOBS:-1} if missing), PAGEFIND (default
# bench/generators/node_modules/.bin/pagefind; `npm install` there if missing), SHARED_DIR
# (default ../shared: shared/relevance holds anchors.py), ENGINES (default
# "siteseek siteseek-dir xapian pagefind pagefind-sub"), BUILD_COMMIT (recorded in OUT instead of
# HEAD), KEEP=1 keeps the work directory.
# Exits 77 (skipped) when python3.11-doc or postgresql-doc-15 is not installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
rel="$root/tests/relevance"
shared=${SHARED_DIR:-$root/../shared}/relevance
relevance_cmd=${RELEVANCE_CMD:-$root/build/tests/relevance_cmd}
siteseek=${SITESEEK:-$root/build/transports/cli/siteseek}
pagefind=${PAGEFIND:-$root/bench/generators/node_modules/.bin/pagefind}
engines=${ENGINES:-"siteseek siteseek-dir xapian pagefind pagefind-sub"}
py_html=/usr/share/doc/python3.11/html
pg_html=/usr/share/doc/postgresql-doc-15/html
t_start=$(date +%s)

for pair in "$py_html python3.11-doc" "$pg_html postgresql-doc-15"; do
  set -- $pair
  if [ ! -f "$1/index.html" ]; then
    echo "vocab_baseline: skipped: $1 is missing (apt-get install $2)"
    exit 77
  fi
done
has() { case " $engines " in *" $1 "*) return 0;; *) return 1;; esac; }

if { has siteseek && [ ! -x "$relevance_cmd" ]; } || { has siteseek-dir && [ ! -x "$siteseek" ]; }; then
  echo "== building relevance_cmd and siteseek (Release, -j${JOBS:-1}) in build/"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSITESEEK_BUILD_TESTS=ON > /dev/null
  cmake --build build -j "${JOBS:-1}" --target relevance_cmd siteseek > /dev/null
fi
if { has pagefind || has pagefind-sub; } && [ ! -x "$pagefind" ]; then
  echo "== npm install (pagefind, pinned in bench/generators/package.json)"
  (cd "$root/bench/generators" && npm install --no-audit --no-fund > /dev/null)
  pagefind="$root/bench/generators/node_modules/.bin/pagefind"
fi
if has xapian && ! /usr/bin/python3 -c 'import xapian' 2> /dev/null; then
  echo "vocab_baseline: no python3-xapian: leaving Xapian out"
  engines=${engines/xapian/}
fi
if has xapian && [ ! -f "$shared/anchors.py" ]; then
  echo "vocab_baseline: no $shared/anchors.py (set SHARED_DIR): leaving Xapian out"
  engines=${engines/xapian/}
fi

work=$(mktemp -d /tmp/siteseek-vocab-baseline.XXXXXX)
if [ "${KEEP:-0}" = 1 ]; then echo "work directory: $work"; else trap 'rm -rf "$work"' EXIT; fi
export PYTHONDONTWRITEBYTECODE=1

# corpus table: name html base config site xapian-corpus
corpus_of() {
  case $1 in
    python) echo "$py_html https://docs.python.org/3/ $root/examples/configs/python-docs.json python python" ;;
    postgresql) echo "$pg_html https://www.postgresql.org/docs/15/ $rel/postgresql-docs.json postgresql postgres" ;;
  esac
}

for corpus in python postgresql; do
  read -r html base config site xcorpus <<< "$(corpus_of $corpus)"
  echo "== $corpus ($html)"
  if has siteseek-dir; then
    "$siteseek" index --dir "$html" --base-url "$base" --site "$corpus" --data-dir "$work/index-$corpus" \
      > "$work/index-$corpus.log" 2>&1
  fi
  if has pagefind || has pagefind-sub; then
    "$pagefind" --site "$html" --output-path "$work/pagefind-$corpus" > "$work/pagefind-$corpus.log" 2>&1
  fi
  if [ $corpus = python ]; then sets="python-vocab python-docs.dev"; else sets="postgresql-vocab postgresql"; fi
  for set in $sets; do
    tsv="$rel/$set.tsv"
    d="$work/sets/$set"
    mkdir -p "$d"
    # tests/relevance/eval.py through eval_corpus.py (the corpus named by the TSV's header) or, for
    # the Python dev set, which has no header, directly as check_relevance.py runs it.
    if grep -q '^# corpus:' "$tsv"; then
      ev() { /usr/bin/python3 "$rel/eval_corpus.py" "$tsv" "$@"; }
    else
      ev() { /usr/bin/python3 "$rel/eval.py" "$tsv" --corpus python --root "$html" "$@"; }
    fi
    for engine in $engines; do
      echo "   $set: $engine"
      case $engine in
        siteseek) ev --label siteseek --json "$d/siteseek.json" \
                    --cmd "$relevance_cmd $config $site 2>/dev/null" > /dev/null ;;
        siteseek-dir) ev --label siteseek-dir --json "$d/siteseek-dir.json" \
                    --cmd "$siteseek query --data-dir $work/index-$corpus --site $corpus" > /dev/null ;;
        xapian) /usr/bin/python3 "$shared/eval.py" "$tsv" --engine xapian --corpus "$xcorpus" \
                    --work "$work/anchors" --label xapian --json "$d/xapian.json" > /dev/null ;;
        pagefind) ev --label pagefind --json "$d/pagefind.json" \
                    --cmd "node $root/bench/generators/pagefind_query.mjs $work/pagefind-$corpus $base" > /dev/null ;;
        pagefind-sub) ev --label pagefind-sub --json "$d/pagefind-sub.json" \
                    --cmd "node $root/bench/generators/pagefind_query.mjs $work/pagefind-$corpus $base --sub" > /dev/null ;;
        *) echo "unknown engine $engine"; exit 2 ;;
      esac
    done
  done
done

args=(--floors "python-docs.dev=$rel/floors.json" --floors "postgresql=$rel/floors-postgresql.json")
if [ -n "${OUT:-}" ]; then
  pf_version=$(sed -n 's/.*"pagefind": *"\([^"]*\)".*/\1/p' "$root/bench/generators/package.json")
  args+=(--out "$OUT" --date "$(date -u +%Y-%m-%dT%H:%MZ)" --commit "${BUILD_COMMIT:-$(git rev-parse HEAD)}"
         --command "$0" --seconds "$(( $(date +%s) - t_start ))"
         --versions "python3.11-doc $(dpkg-query -W -f='${Version}' python3.11-doc)"
         --versions "postgresql-doc-15 $(dpkg-query -W -f='${Version}' postgresql-doc-15)"
         --versions "pagefind $pf_version"
         --versions "xapian $(/usr/bin/python3 -c 'import xapian; print(xapian.version_string())' 2>/dev/null || echo -)")
fi
echo
/usr/bin/python3 "$here/vocab_summary.py" "$work/sets" "${args[@]}"
echo
echo "total: $(( $(date +%s) - t_start )) s"
