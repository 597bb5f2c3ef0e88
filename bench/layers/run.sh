#!/usr/bin/env bash
# Layer costs, in one run, on the same settings (examples/configs/python-docs.json), the same
# snapshot and the same queries (the unique dev queries of shared/relevance/python-docs.dev.tsv,
# num=10):
#   1. the C++ core: Engine::search timed from C++ (bench/layers/core_loop.cpp), and the JSON
#      writing of the responses;
#   2. the Python module: engine.search timed from Python;
#   3. `siteseek query` over a pipe: one process, queries/s, start-up (snapshot load) measured
#      on its own and taken out; and the transport alone on searches that cost next to nothing.
#   bench/layers/run.sh     (REPS=200, BUILD_DIR=build-bench, JOBS=2)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
shared=${SHARED_DIR:-$root/../shared}
build=${BUILD_DIR:-$root/build-bench}
reps=${REPS:-200}
work=$(mktemp -d /tmp/siteseek-layers.XXXXXX)
trap 'rm -rf "$work"' EXIT
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSITESEEK_WITH_PYTHON=ON -DSITESEEK_BUILD_BENCH=ON \
  > "$work/configure.log"
cmake --build "$build" -j "${JOBS:-2}" --target siteseek _siteseek layers_core > "$work/build.log"
bin=$build/transports/cli/siteseek
config=examples/configs/python-docs.json
site=python
cut -f1 "$shared/relevance/python-docs.dev.tsv" | grep -v '^#' | awk 'NF && !seen[$0]++' > "$work/queries.txt"
nq=$(wc -l < "$work/queries.txt")
export -n SITESEEK_API_KEY 2>/dev/null || true
env -u SITESEEK_API_KEY "$bin" --config "$config" --set "data_dir=$work/data" --log-level warn index > /dev/null

echo "== C++ core ($nq dev queries x $reps, num=10, site '$site')"
"$build/bench/layers/layers_core" "$config" "$work/data" "$site" "$work/queries.txt" "$reps" | tee "$work/core.txt" \
  | grep -v '^CORE_MEAN_US'
eval "$(grep '^CORE_MEAN_US' "$work/core.txt")"

echo "== Python module (same settings and snapshot)"
PYTHONPATH="$build/bindings/python" /usr/bin/python3 - "$config" "$work/data" "$site" "$work/queries.txt" "$reps" \
  "$CORE_MEAN_US" "$CORE_MEDIAN_US" <<'PY'
import statistics, sys, time
import siteseek
config, data, site, qfile, reps, core_mean, core_median = sys.argv[1:]
engine = siteseek.Engine(siteseek.AppSettings.load(config, overrides={"data_dir": data, "result_cache_mb": "0"}, environment=False))
assert engine.load_snapshots() == [site]
queries = [q.rstrip("\n") for q in open(qfile)]
search = engine.search
for q in queries:
    search(q, site=site)  # warm-up
wall, inner = [], []
clock = time.perf_counter
for _ in range(int(reps)):
    for q in queries:
        t0 = clock()
        r = search(q, site=site, num=10)
        t1 = clock()
        wall.append((t1 - t0) * 1e6)
        inner.append(r.took_ms * 1000)
print(f"  engine.search from Python: median {statistics.median(wall):7.1f} us  mean {statistics.mean(wall):7.1f} us")
print(f"  Python adds over C++ (same loop, same queries): median {statistics.median(wall) - float(core_median):5.1f} us"
      f"  mean {statistics.mean(wall) - float(core_mean):5.1f} us per search")
over = [w - c for w, c in zip(wall, inner)]
print(f"  call wall time minus the core's own timer, per call: median {statistics.median(over):5.1f} us"
      f"  mean {statistics.mean(over):5.1f} us")
PY

echo "== stdin transport: siteseek query over a pipe (one process)"
for _ in $(seq 1 "$reps"); do cat "$work/queries.txt"; done > "$work/stream.txt"
n=$(wc -l < "$work/stream.txt")
# Words the index lacks, without typo or prefix expansion: the core answers in a few microseconds,
# so this stream measures what the transport itself can carry (JSON lines in, JSON lines out).
for _ in $(seq 1 "$((n * 5))"); do
  printf '{"q":"xqzjvw","typo":false,"prefix":false}\n{"q":"qqxv zzyqx","typo":false,"prefix":false}\n'
done > "$work/cheap.txt"
# The layer costs are measured with the result cache off (the stream repeats its queries, and the
# cache would answer all but the first pass); the same stream with the cache, as shipped, after.
query() {
  local input=$1 out=$2 cache_mb=${3:-0}
  local start end
  start=$(date +%s.%N)
  env -u SITESEEK_API_KEY "$bin" --config "$config" --set "data_dir=$work/data" --set default_num=10 \
    --set "result_cache_mb=$cache_mb" --log-level warn query --site "$site" < "$input" | cat > "$out"
  end=$(date +%s.%N)
  echo "$start $end"
}
read -r s0 e0 < <(query /dev/null "$work/none.jsonl")
read -r s1 e1 < <(query "$work/stream.txt" "$work/out.jsonl")
read -r s2 e2 < <(query "$work/cheap.txt" "$work/cheap.jsonl")
read -r s3 e3 < <(query "$work/stream.txt" "$work/cached.jsonl" 32)
/usr/bin/python3 - "$work" "$n" "$CORE_MEAN_US" "$s0" "$e0" "$s1" "$e1" "$s2" "$e2" "$s3" "$e3" "$nq" <<'PY'
import json, sys
work, n, core_mean = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s0, e0, s1, e1, s2, e2, s3, e3 = map(float, sys.argv[4:12])
nq = int(sys.argv[12])
startup = e0 - s0
lines = open(f"{work}/out.jsonl").read().splitlines()
assert len(lines) == n, f"{len(lines)} answers for {n} queries"
assert all("total" in json.loads(l) for l in lines[:200])
per_query = (e1 - s1 - startup) / n * 1e6
print(f"  start-up (settings, snapshot load): {startup * 1000:.0f} ms")
print(f"  dev queries: {n} in {e1 - s1:.2f} s: {n / (e1 - s1):,.0f} queries/s with start-up, "
      f"{1e6 / per_query:,.0f} queries/s without; {per_query:.1f} us per query")
stream_core = sum(json.loads(l)["took_ms"] for l in lines) / n * 1000
print(f"  the core's own timer in this process: {stream_core:.1f} us per query; the transport adds "
      f"{per_query - stream_core:.1f} us (read, parse, JSON writing, writes batched per block of input); "
      f"vs the C++ loop's {core_mean:.1f} us: {per_query - core_mean:+.1f} us")
cheap = open(f"{work}/cheap.jsonl").read().splitlines()
m = len(cheap)
assert m and all(json.loads(l)["total"] == 0 for l in cheap)
cheap_core = sum(json.loads(l)["took_ms"] for l in cheap) / m * 1000
per_cheap = (e2 - s2 - startup) / m * 1e6
print(f"  transport alone (searches matching nothing, core {cheap_core:.1f} us each): {m} lines, "
      f"{1e6 / per_cheap:,.0f} lines/s, {per_cheap:.1f} us per line")
cached = open(f"{work}/cached.jsonl").read().splitlines()
assert len(cached) == n
strip = lambda l: l.split(',"took_ms":')[0]
assert all(strip(a) == strip(b) for a, b in zip(cached, lines)), "cached answers differ from uncached ones"
per_cached = (e3 - s3 - startup) / n * 1e6
print(f"  with the result cache (as shipped; the first {nq} lines search, the other {n - nq} repeat them): "
      f"{1e6 / per_cached:,.0f} queries/s, {per_cached:.1f} us per query; answers identical to the uncached run")
PY
