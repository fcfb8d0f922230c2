#!/bin/sh
# node --test on Node 20 finds no .ts files by itself: pass an explicit, shell-expanded list.
set -eu
cd "$(dirname "$0")/.."
files=$(find src test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
if [ -z "$files" ]; then
  echo "no test files found" >&2
  exit 1
fi
# shellcheck disable=SC2086
exec node --import tsx --test --test-concurrency=2 "$@" $files
