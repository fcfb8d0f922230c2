#!/bin/sh
# node --test on Node 20 finds no .ts files by itself: pass an explicit, shell-expanded list.
set -eu
cd "$(dirname "$0")/.."
files=$(find src test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
if [ -z "$files" ]; then
  echo "no test files found" >&2
  exit 1
fi
# --test-timeout: a test without its own timeout fails after 5 min instead of hanging the run;
# --test-force-exit: a file's process exits when its tests are over, even if a test that timed
# out left a handle open (its spawned processes are killed on exit: test/children.ts).
# shellcheck disable=SC2086
exec node --import tsx --test --test-concurrency=2 --test-timeout=300000 --test-force-exit "$@" $files
