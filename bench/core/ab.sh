#!/usr/bin/env bash
# Compare two builds of search_jsonl on a shared, noisy machine: runs them in turn, pinned to one
# core, N times each, and prints the p50 of every run with the minimum and median per build, so
# that a change is judged against the old binary in the same minutes rather than against a figure
# from another hour (this machine drifts by 30-50 % within a day).
#   bench/core/ab.sh OLD_BINARY NEW_BINARY [N=6] [search_jsonl options...]
#   e.g. bench/core/ab.sh /tmp/old/search_jsonl build-bench/bench/core/search_jsonl 6 \
#          --bench ../shared/relevance/python-docs.dev.tsv --reps 30
# DOCS=path of the documents (default: the reference split, written to a temporary file);
# CPU=the core to pin to (default 1).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ $# -lt 2 ]; then
  sed -n '2,10p' "$0"
  exit 2
fi
old=$1 new=$2 runs=${3:-6}
shift $(( $# >= 3 ? 3 : 2 ))
[ $# -gt 0 ] || set -- --bench "${SHARED_DIR:-../shared}/relevance/python-docs.dev.tsv" --reps 30
docs=${DOCS:-}
if [ -z "$docs" ]; then
  docs=$(mktemp /tmp/siteseek-ab.XXXXXX.jsonl)
  trap 'rm -f "$docs"' EXIT
  /usr/bin/python3 "${SHARED_DIR:-../shared}/relevance/corpus.py" python > "$docs"
fi
for _ in $(seq "$runs"); do
  for which in old new; do
    bin=${!which}
    p50=$(taskset -c "${CPU:-1}" "$bin" "$docs" "$@" | sed -n 's/^queries .* p50 \([0-9.]*\) us.*/\1/p')
    echo "$which $p50"
  done
done | /usr/bin/python3 -c '
import statistics, sys
runs = {}
for line in sys.stdin:
    which, p50 = line.split()
    runs.setdefault(which, []).append(float(p50))
for which in ("old", "new"):
    v = runs.get(which, [])
    if v:
        print(f"{which}: p50 min {min(v):.1f} us, median {statistics.median(v):.1f} us  (each run: {v})")
if len(runs) == 2:
    ratio = statistics.median(runs["new"]) / statistics.median(runs["old"])
    print(f"new / old, medians: {ratio:.3f}")
'
