#!/bin/sh
# Runs the benchmarks: every bench/*.ts in turn, or the ones named (with or without .ts),
# passing any further arguments after `--` to each. Benchmarks print figures; they are not tests.
#   npm run bench                      # all of them
#   npm run bench -- hl7-parse         # one
#   npm run bench -- mllp-roundtrip -- --rounds 3
set -eu
cd "$(dirname "$0")/.."
names=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  names="$names ${1%.ts}"
  shift
done
[ $# -gt 0 ] && shift
if [ -z "$names" ]; then
  for f in bench/*.ts; do
    names="$names $(basename "$f" .ts)"
  done
fi
for name in $names; do
  file="bench/$name.ts"
  if [ ! -f "$file" ]; then
    have=""
    for f in bench/*.ts; do have="$have $(basename "$f" .ts)"; done
    echo "run-bench: no benchmark '$name' (have:$have)" >&2
    exit 2
  fi
  echo "== $name"
  node --import tsx "$file" "$@"
done
