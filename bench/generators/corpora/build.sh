#!/usr/bin/env bash
# Builds a judged corpus that no Debian package ships, with its generator from npm, into
# .cache/corpora/NAME/site (ignored by git): the directory a tests/relevance TSV's '# corpus:'
# header names as root=, and bench/generators/run.sh runs this when it is missing.
#
#   bench/generators/corpora/build.sh date-fns    # TypeDoc 0.28 on date-fns 4.1.0's declarations
#
# Each corpus is a folder here: package.json (exact versions; its "build" script writes site/) and
# the generator's configuration. Needs npm's registry once; idempotent (the site is rebuilt whole,
# node_modules kept).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
name=${1:?usage: build.sh CORPUS (a folder of bench/generators/corpora)}
src="$here/$name"
[ -d "$src" ] || { echo "build.sh: no corpus $name in $here" >&2; exit 2; }
dest="$root/.cache/corpora/$name"
mkdir -p "$dest"
cp "$src"/*.json "$dest/"
(cd "$dest" && npm install --no-audit --no-fund --loglevel=error > /dev/null)
rm -rf "$dest/site"
(cd "$dest" && npm run --silent build > build.log 2>&1) || { cat "$dest/build.log" >&2; exit 1; }
echo "$name: $(find "$dest/site" -name '*.html' | wc -l) HTML files in $dest/site"
