#!/usr/bin/env bash
# The widget against DocSearch (sizes of the published bundles, from npm) and its keystroke-to-paint
# on the Python docs in Debian's Chromium, with more keystrokes than the browser test. Builds
# siteseek (Release) in build-bench/ and installs the npm packages of tests/browser and bench/ui.
#   bench/ui/run.sh        (BUILD_DIR=build-bench JOBS=2 QUERIES=24)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build-bench}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSITESEEK_WITH_HTTP=ON -DSITESEEK_WITH_PYTHON=OFF > /dev/null
cmake --build "$build" -j "${JOBS:-2}" --target siteseek > /dev/null
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
(cd bench/ui && npm ci --no-audit --no-fund --loglevel=error)
SITESEEK_BIN="$build/transports/cli/siteseek" node bench/ui/bench.mjs --queries="${QUERIES:-24}"
