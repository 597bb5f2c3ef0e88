#!/usr/bin/env bash
# Layer costs, in one run: the dev queries (shared/relevance/python-docs.dev.tsv) through the
# C++ core (its own timer, took_ms), through the Python module (wall time of each call from
# Python), and through `siteseek query` over a pipe (queries/s, one process, one core busy).
#   bench/layers/run.sh     (REPS=200, BUILD_DIR=build-bench)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
shared=${SHARED_DIR:-$root/../shared}
build=${BUILD_DIR:-$root/build-bench}
reps=${REPS:-200}
work=$(mktemp -d /tmp/siteseek-layers.XXXXXX)
trap 'rm -rf "$work"' EXIT
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSITESEEK_WITH_PYTHON=ON > "$work/configure.log"
cmake --build "$build" -j "${JOBS:-2}" --target siteseek _siteseek > "$work/build.log"
bin=$build/transports/cli/siteseek
config=examples/configs/python-docs.json
cut -f1 "$shared/relevance/python-docs.dev.tsv" | grep -v '^#' | awk '!seen[$0]++' > "$work/queries.txt"
env -u SITESEEK_API_KEY "$bin" --config "$config" --set "data_dir=$work/data" index > /dev/null 2>&1

echo "== Python module vs core ($(wc -l < "$work/queries.txt") dev queries x $reps, num=10)"
PYTHONPATH="$build/bindings/python" /usr/bin/python3 - "$work/data/python.snapshot" "$work/queries.txt" "$reps" <<'PY'
import statistics, sys, time
import siteseek
engine = siteseek.Engine.open(sys.argv[1], site="python")
queries = [q.rstrip("\n") for q in open(sys.argv[2])]
reps = int(sys.argv[3])
for q in queries:
    engine.search(q, site="python")  # warm-up
wall, core = [], []
for _ in range(reps):
    for q in queries:
        t0 = time.perf_counter()
        r = engine.search(q, site="python", num=10)
        wall.append((time.perf_counter() - t0) * 1e6)
        core.append(r.took_ms * 1000)
over = [w - c for w, c in zip(wall, core)]
print(f"  core (took_ms):        median {statistics.median(core):7.1f} us  mean {statistics.mean(core):7.1f} us")
print(f"  Python call (wall):    median {statistics.median(wall):7.1f} us  mean {statistics.mean(wall):7.1f} us")
print(f"  Python layer adds:     median {statistics.median(over):7.1f} us  mean {statistics.mean(over):7.1f} us per search")
PY

echo "== stdin transport: siteseek query over a pipe"
for _ in $(seq 1 "$reps"); do cat "$work/queries.txt"; done > "$work/stream.txt"
n=$(wc -l < "$work/stream.txt")
start=$(date +%s.%N)
env -u SITESEEK_API_KEY "$bin" --config "$config" --set "data_dir=$work/data" --set default_num=10 query \
  < "$work/stream.txt" 2>/dev/null > "$work/out.jsonl"
end=$(date +%s.%N)
/usr/bin/python3 - "$work/out.jsonl" "$n" "$start" "$end" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
n, start, end = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
assert len(lines) == n, f"{len(lines)} answers for {n} queries"
core = sum(json.loads(l)["took_ms"] for l in lines) / 1000
secs = end - start
print(f"  {n} queries in {secs:.2f} s (snapshot load included): {n / secs:,.0f} queries/s; "
      f"core time {core:.2f} s ({core / secs:.0%}); transport adds {(secs - core) / n * 1e6:.1f} us per query")
PY
