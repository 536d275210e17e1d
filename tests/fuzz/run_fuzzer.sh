#!/usr/bin/env bash
# Runs one libFuzzer target for a set time from its committed seed corpus and prints one summary
# line. Usage: run_fuzzer.sh <fuzzer> <seed-dir> <work-dir> <seconds> [--keep-corpus]
# With FUZZ_RUNS set, it stops after that many executions too (whichever comes first).
#
# New inputs go to <work-dir>/<name>/corpus (wiped first unless --keep-corpus, so a smoke run
# costs the same every time; `make fuzz` keeps it to build on earlier runs). A crash, leak or
# timeout input is saved as <work-dir>/<name>/crash-* (leak-*, timeout-*) and the script fails.
set -uo pipefail

fuzzer=$1 seeds=$2 work=$3 seconds=$4 keep=${5:-}
name=$(basename "$fuzzer")
dir="$work/$name"
[ "$keep" = "--keep-corpus" ] || rm -rf "$dir/corpus"
mkdir -p "$dir/corpus"
corpora=("$dir/corpus")
[ -d "$seeds" ] && corpora+=("$seeds")

started=$(date +%s)
# -timeout: one input taking longer is a hang; -rss_limit_mb: bounded parsers stay far below.
"$fuzzer" -max_total_time="$seconds" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$dir/" "${corpora[@]}" >"$dir/log" 2>&1
status=$?

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
units=$(find "$dir/corpus" -type f | wc -l)
if [ $status -ne 0 ]; then
  tail -n 60 "$dir/log"
  echo "$name: FAILED (exit $status) after ${runs:-?} runs; input and log in $dir/"
  exit 1
fi
elapsed=$(( $(date +%s) - started ))
elapsed=$(( elapsed > 0 ? elapsed : 1 ))
echo "$name: ${runs:-?} runs in ${elapsed} s ($(( ${runs:-0} / elapsed ))/s), $units new corpus inputs"
