#!/usr/bin/env bash
# A million sections from real docs text: build time, memory, snapshot size and load time,
# dev-query latency, and one-page updates in memory, in a data_dir and in Redis, on one core
# (bench/scale/scale_bench.cpp says how the corpus is made).
#   bench/scale/run.sh    (SECTIONS=1000000 BUILD_DIR=build-bench)
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=${SHARED_DIR:-$(pwd)/../shared}
build=${BUILD_DIR:-build-bench}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSITESEEK_BUILD_BENCH=ON -DSITESEEK_WITH_PYTHON=OFF > /dev/null
cmake --build "$build" -j "${JOBS:-2}" --target scale_bench > /dev/null
corpus=$(mktemp /tmp/siteseek-scale-corpus.XXXXXX.jsonl)
trap 'rm -f "$corpus"' EXIT
/usr/bin/python3 "$shared/relevance/corpus.py" python > "$corpus"
# One core: taskset pins the measurement (the build is single-threaded anyway).
taskset -c 0 "$build/bench/scale/scale_bench" "$corpus" "$shared/relevance/python-docs.dev.tsv" --sections "${SECTIONS:-1000000}"
