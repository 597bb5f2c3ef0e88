#!/usr/bin/env bash
# Core benchmark, in one run on this machine: siteseek against Xapian on the Python 3.11 docs
# (Debian's python3.11-doc), the same documents for both (the reference split of
# shared/relevance/corpus.py), then relevance for both with shared/relevance/eval.py, relevance
# through siteseek's own ingestion, the same for how-to queries beyond the dev set
# (tests/relevance/howto_own.tsv), both engines given the link counts of siteseek's ingestion,
# and ingestion speed. Prints figures and ratios.
#   bench/run-core.sh            (REPS=50 query repetitions; BUILD_DIR=build-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shared=${SHARED_DIR:-$root/../shared}
build=${BUILD_DIR:-$root/build-bench}
reps=${REPS:-50}
work=$(mktemp -d /tmp/siteseek-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSITESEEK_BUILD_BENCH=ON -DSITESEEK_BUILD_TESTS=ON \
  -DSITESEEK_WITH_PYTHON=OFF > "$work/configure.log"
cmake --build "$build" -j "${JOBS:-2}" --target core_vs_xapian ingest_bench relevance_cmd > "$work/build.log"

tsv="$shared/relevance/python-docs.dev.tsv"
echo "== documents: the reference split (shared/relevance/corpus.py python)"
/usr/bin/python3 "$shared/relevance/corpus.py" python > "$work/python.jsonl"

echo "== speed, single thread, prefix and typo tolerance on (siteseek defaults), $reps repetitions"
"$build/bench/core_vs_xapian" "$work/python.jsonl" "$tsv" --reps "$reps"

echo "== relevance on the same documents"
for engine in siteseek xapian; do
  /usr/bin/python3 "$shared/relevance/eval.py" "$tsv" --label "$engine" \
    --cmd "$build/bench/core_vs_xapian $work/python.jsonl $tsv --out-urls $engine" | tail -8
done

echo "== relevance through siteseek's own ingestion (examples/configs/python-docs.json)"
/usr/bin/python3 "$shared/relevance/eval.py" "$tsv" --label siteseek-own-ingestion \
  --cmd "$build/tests/relevance_cmd $root/examples/configs/python-docs.json python" | tail -8

# How-to queries beyond the dev set's nine, written and judged before the ranking changes they
# check (tests/relevance/howto_own.tsv): does a how-to gain carry to other queries?
own="$root/tests/relevance/howto_own.tsv"
echo "== how-to queries of tests/relevance/howto_own.tsv ($(grep -v '^#' "$own" | cut -f1 | sort -u | wc -l) queries)"
for engine in siteseek xapian; do
  printf '%-32s' "$engine (reference split)"
  /usr/bin/python3 "$shared/relevance/eval.py" "$own" --label "$engine" \
    --cmd "$build/bench/core_vs_xapian $work/python.jsonl $own --out-urls $engine" | tail -1
done
printf '%-32s' "siteseek (own ingestion)"
/usr/bin/python3 "$shared/relevance/eval.py" "$own" --label siteseek-own-ingestion \
  --cmd "$build/tests/relevance_cmd $root/examples/configs/python-docs.json python" | tail -1

# siteseek's ingestion counts the pages linking to each page (boosts.inbound_links); the reference
# split has no links. Here both engines get those counts for the same documents, so the ranking
# is compared with the same evidence (Xapian re-ranks its best 100 pages by the same factor).
config="$root/examples/configs/python-docs.json"
echo "== both engines with siteseek's link counts, reference split (core_vs_xapian --inbound)"
for engine in siteseek xapian; do
  for set in "$tsv" "$own"; do
    printf '%-10s %-24s' "$engine" "$(basename "$set")"
    /usr/bin/python3 "$shared/relevance/eval.py" "$set" --label "$engine" \
      --cmd "$build/bench/core_vs_xapian $work/python.jsonl $set --out-urls $engine --inbound $config" |
      awk '$1 == "howto" || $1 == "overall" { printf "  %s MRR@10 %s nDCG@10 %s", $1, $3, $4 } END { print "" }'
  done
done

echo "== ingestion: read_directory over /usr/share/doc/python3.11/html"
"$build/bench/ingest/ingest_bench" --reps 5
