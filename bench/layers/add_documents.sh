#!/usr/bin/env bash
# Python's Engine.add_documents one document per call, as a library user adding documents as
# they come: the total time for N calls, the time of one call with the same N documents, and how
# the total grows with N (x2 per doubling of N: linear; x4: quadratic). Issue 27's goal is linear,
# 10,000 calls under 2 s; each call rebuilds the site's index from all its documents today, so
# the default stops at 400 calls of these full pages (10,000 would take hours).
#   bench/layers/add_documents.sh     (COUNTS="100 200 400", BUILD_DIR=build-bench, JOBS=2)
# Documents: the Python docs records of shared/relevance/corpus.py, in order, as they are.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
shared=${SHARED_DIR:-$root/../shared}
build=${BUILD_DIR:-$root/build-bench}
work=$(mktemp -d /tmp/siteseek-add-documents.XXXXXX)
trap 'rm -rf "$work"' EXIT
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSITESEEK_WITH_PYTHON=ON -DSITESEEK_BUILD_BENCH=ON \
  > "$work/configure.log"
cmake --build "$build" -j "${JOBS:-2}" --target _siteseek > "$work/build.log"
/usr/bin/python3 "$shared/relevance/corpus.py" python > "$work/docs.jsonl"
PYTHONPATH="$build/bindings/python" /usr/bin/python3 - "$work/docs.jsonl" ${COUNTS:-100 200 400} <<'PY'
import json, sys, time
import siteseek
path, counts = sys.argv[1], [int(n) for n in sys.argv[2:]]
keys = ("url", "id", "title", "section_title", "body", "hierarchy", "type", "section_key", "position")
docs = []
for line in open(path):
    d = json.loads(line)
    docs.append({k: d[k] for k in keys if k in d and d[k] not in (None, "")})
print(f"{len(docs)} documents available (Python docs records)")
previous = None
for n in counts:
    if n > len(docs):
        print(f"{n}: more than the {len(docs)} documents; skipped")
        continue
    e = siteseek.Engine()
    t = time.perf_counter()
    for d in docs[:n]:
        e.add_documents("notes", [d])
    single = time.perf_counter() - t
    b = siteseek.Engine()
    t = time.perf_counter()
    b.add_documents("notes", docs[:n])
    batch = time.perf_counter() - t
    assert e.search("the", site="notes").total == b.search("the", site="notes").total
    growth = f", x{single / previous[1]:.1f} for x{n / previous[0]:.0f} the calls" if previous else ""
    print(f"{n} calls of one document: {single:.2f} s ({single / n * 1e3:.2f} ms a call){growth}; "
          f"one call with all {n}: {batch:.3f} s")
    previous = (n, single)
PY
