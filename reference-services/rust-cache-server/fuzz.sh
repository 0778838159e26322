#!/usr/bin/env bash
# Runs every fuzz target of rust-cache-server for a bounded time each (FUZZTIME, default 15s).
# go test -fuzz accepts one target per run, hence the loop. A failing input is saved under
# testdata/fuzz/ by go test and the script exits non-zero.
set -euo pipefail
cd "$(dirname "$0")"
fuzztime="${FUZZTIME:-15s}"
for target in FuzzBenchJSON FuzzInvalidateBody FuzzPressureQuery; do
	echo "== $target ($fuzztime)"
	go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" .
done
