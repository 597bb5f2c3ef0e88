#!/usr/bin/env bash
# Python's Engine.add_documents one document per call, as a library user adding documents as
# they come: the total time for N calls followed by one search (which builds the index: an engine
# that keeps nothing on disk builds at the next read, not at each call), the time of one call
# with the same N documents and a search, and how the total grows with N (x2 per doubling of N:
# linear; x4: quadratic). Issue 27's goal is linear, 10,000 calls under 2 s. Then the pattern
# that rebuilds each time: a search after every add_documents call; and the same with
# upsert_documents, which adds each page as a segment instead.
#   bench/layers/add_documents.sh     (COUNTS="400 2000 10000", INTERLEAVED=200, BUILD_DIR=build-bench, JOBS=2)
# Documents: the Python docs records of shared/relevance/corpus.py, in order, as they are (2,279),
# then the same records again with "?copy=k" in their URLs.
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
PYTHONPATH="$build/bindings/python" /usr/bin/python3 - "$work/docs.jsonl" "${INTERLEAVED:-200}" ${COUNTS:-400 2000 10000} <<'PY'
import json, sys, time
import siteseek
path, interleaved, counts = sys.argv[1], int(sys.argv[2]), [int(n) for n in sys.argv[3:]]
keys = ("url", "id", "title", "section_title", "body", "hierarchy", "type", "section_key", "position")
docs = []
for line in open(path):
    d = json.loads(line)
    docs.append({k: d[k] for k in keys if k in d and d[k] not in (None, "")})
print(f"{len(docs)} documents (Python docs records); past them, the same again under other URLs")
def doc_at(i):
    d = dict(docs[i % len(docs)])
    if i >= len(docs):
        d["url"] = d["url"].replace("#", f"?copy={i // len(docs)}#", 1) if "#" in d["url"] else d["url"] + f"?copy={i // len(docs)}"
        d.pop("id", None)
    return d
previous = None
for n in counts:
    batch_docs = [doc_at(i) for i in range(n)]
    e = siteseek.Engine()
    t = time.perf_counter()
    for d in batch_docs:
        e.add_documents("notes", [d])
    calls = time.perf_counter() - t
    total = e.search("the", site="notes").total
    single = time.perf_counter() - t
    b = siteseek.Engine()
    t = time.perf_counter()
    b.add_documents("notes", batch_docs)
    assert total == b.search("the", site="notes").total
    batch = time.perf_counter() - t
    growth = f", x{single / previous[1]:.1f} for x{n / previous[0]:.0f} the calls" if previous else ""
    print(f"{n} calls of one document, then a search: {single:.2f} s (the calls {calls:.2f} s, "
          f"{calls / n * 1e6:.0f} us a call){growth}; one call with all {n} and a search: {batch:.3f} s")
    previous = (n, single)
e = siteseek.Engine()
t = time.perf_counter()
for d in docs[:interleaved]:
    e.add_documents("notes", [d])
    e.search("the", site="notes")
print(f"{interleaved} calls of one document, each followed by a search: {time.perf_counter() - t:.2f} s "
      "(each search rebuilds from every document so far)")
# The same records with upsert_documents, a page (its records) per call, each followed by a
# search: each call adds its page as a segment (merged in the background) instead of a rebuild.
pages = []
for d in docs[:interleaved]:
    url = d["url"].split("#")[0]
    if pages and pages[-1][0] == url:
        pages[-1][1].append(d)
    else:
        pages.append((url, [d]))
e = siteseek.Engine()
t = time.perf_counter()
for _, records in pages:
    e.upsert_documents("notes", records)
    e.search("the", site="notes")
print(f"{len(pages)} upsert_documents calls (the same {interleaved} records, a page a call), each followed by a search: "
      f"{time.perf_counter() - t:.2f} s")
PY
