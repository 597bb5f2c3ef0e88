#!/usr/bin/env bash
# Proves that an outside project builds against an installed siteseek with find_package:
# installs this build into a temporary prefix, configures examples/embed against it, builds
# and runs it (it indexes three documents and must find "install packge", typo included).
# The example is configured as on a machine without Boost.Test: a library user needs only what
# the installed library links, not the test framework. The Redis headers must be installed
# exactly when the build has Redis.
#   embed_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
test -f "$work/prefix/include/siteseek/siteseek.hpp"
test -f "$work/prefix/lib/cmake/siteseek/siteseekConfig.cmake"
# The Redis layer's headers are installed only by a build with it (SITESEEK_WITH_REDIS).
case "$(sed -n 's/^SITESEEK_WITH_REDIS:BOOL=//p' "$build/CMakeCache.txt")" in
  ON|on|TRUE|true|1|YES|yes|Y|y) with_redis=1 ;;
  *) with_redis=0 ;;
esac
for h in redis.hpp redis_jobs.hpp redisearch.hpp redis_store.hpp; do
  if [ -f "$work/prefix/include/siteseek/$h" ] && [ "$with_redis" = 0 ]; then
    echo "embed: siteseek/$h is installed by a build without Redis (SITESEEK_WITH_REDIS=OFF)" >&2
    exit 1
  fi
  if [ ! -f "$work/prefix/include/siteseek/$h" ] && [ "$with_redis" = 1 ]; then
    echo "embed: siteseek/$h is missing from a build with Redis" >&2
    exit 1
  fi
done
cmake -S "$src/examples/embed" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_DISABLE_FIND_PACKAGE_boost_unit_test_framework=ON \
  > "$work/configure.log" || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" > "$work/build.log" || { cat "$work/build.log"; exit 1; }
out=$("$work/build/embed_search" "install packge")
echo "$out"
grep -q "https://docs.example.org/install.html" <<< "$out"
echo "embed: find_package(siteseek) project built and found the document"
