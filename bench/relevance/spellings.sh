#!/usr/bin/env bash
# How far siteseek's answers carry when readers type a judged query another way (words joined,
# identifiers without separators or with spaces): tests/relevance/spellings.py makes those
# variants of the Python dev set (python-docs.dev.tsv), howto_own.tsv and postgresql.tsv, with the
# same judgments; tests/relevance/eval.py scores each variant and the same queries as judged, both
# through relevance_cmd as the relevance guards run it (examples/configs/python-docs.json,
# tests/relevance/postgresql-docs.json).
#   bench/relevance/spellings.sh            # RELEVANCE_CMD= (default build/tests/relevance_cmd),
#                                           # BUILD_COMMIT= the commit it was built from (default HEAD)
# Exits 77 (skipped) when python3.11-doc or postgresql-doc-15 is not installed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
rel="$root/tests/relevance"
rc=${RELEVANCE_CMD:-$root/build/tests/relevance_cmd}
for d in /usr/share/doc/python3.11/html /usr/share/doc/postgresql-doc-15/html; do
  [ -f "$d/index.html" ] || { echo "spellings: skipped: $d is missing"; exit 77; }
done
if [ ! -x "$rc" ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSITESEEK_BUILD_TESTS=ON > /dev/null
  cmake --build build -j "${JOBS:-1}" --target relevance_cmd > /dev/null
fi
work=$(mktemp -d /tmp/siteseek-spellings.XXXXXX)
trap 'rm -rf "$work"' EXIT
export PYTHONDONTWRITEBYTECODE=1
score() {  # score SET TSV: the overall line of eval.py for TSV, as the guards run that set
  case $1 in
    postgresql) /usr/bin/python3 "$rel/eval_corpus.py" "$2" --cmd "$rc $rel/postgresql-docs.json postgresql 2>/dev/null" ;;
    *) /usr/bin/python3 "$rel/eval.py" "$2" --corpus python --root /usr/share/doc/python3.11/html \
         --cmd "$rc $root/examples/configs/python-docs.json python 2>/dev/null" ;;
  esac | awk '$1 == "overall" {print $3, $4, $5}'
}
echo "siteseek ${BUILD_COMMIT:-$(git rev-parse --short HEAD)}, $(date -u +%Y-%m-%dT%H:%MZ): MRR@10 nDCG@10 R@10 of each variant, and of the same queries as judged"
printf '%-28s %5s  %-20s %-20s\n' variant n "typed so" "as judged"
for set in python-docs.dev howto_own postgresql; do
  /usr/bin/python3 "$rel/spellings.py" "$rel/$set.tsv" "$work" > /dev/null
  for f in "$work/$set"-*.tsv; do
    [ -f "$f" ] || continue
    v=$(basename "$f" .tsv)
    n=$(grep -v '^#' "$f" | cut -f1 | sort -u | wc -l)
    printf '%-28s %5d  %-20s %-20s\n' "$v" "$n" "$(score "$set" "$f")" "$(score "$set" "${f%.tsv}.judged")"
  done
done
