#!/usr/bin/env bash
# Runs one end-to-end case: tests/e2e/run_case.sh SLUICE_BINARY CASE_DIR
#   cmd            arguments to sluice, one line, run with the case folder as working directory
#   expected.out   exact expected stdout
#   expected.exit  expected exit code (default 0)
#   expected.err   lines that stderr must contain (each line checked)
#   expected.F     for each such file, the command must have written F with exactly this content
#   expected.report facts of the newest runs/*/report.json (`path = json`; see check_report.mjs)
#   setup          optional shell lines run first in the case folder (e.g. to age files)
set -uo pipefail
sluice=$1
case_dir=$2
script_dir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$case_dir"/. "$work"/
cd "$work" || exit 1
if [ -f setup ]; then
  bash ./setup || { echo "FAILED: $(basename "$case_dir"): setup"; exit 1; }
fi
args=$(cat cmd)
eval "\"$sluice\" $args" > actual.out 2> actual.err
code=$?
failed=0
expected_code=0
[ -f expected.exit ] && expected_code=$(cat expected.exit)
if [ "$code" != "$expected_code" ]; then
  echo "exit code $code, expected $expected_code"; failed=1
fi
if ! diff -u expected.out actual.out; then
  echo "stdout differs (above)"; failed=1
fi
if [ -f expected.err ]; then
  while IFS= read -r line; do
    [ -z "$line" ] && continue
    if ! grep -qF -- "$line" actual.err; then
      echo "stderr lacks: $line"; failed=1
    fi
  done < expected.err
fi
for expected in expected.*; do
  name=${expected#expected.}
  case $name in out|exit|err|report) continue ;; esac
  if ! diff -u "$expected" "$name"; then
    echo "file $name differs (above)"; failed=1
  fi
done
if [ -f expected.report ]; then
  report=$(ls -1t runs/*/report.json 2>/dev/null | head -n 1)
  if [ -z "$report" ]; then
    echo "no runs/*/report.json was written"; failed=1
  elif ! node "$script_dir/check_report.mjs" "$report" expected.report; then
    failed=1
  fi
fi
if [ $failed -ne 0 ]; then
  echo "--- stderr ---"; cat actual.err
  echo "FAILED: $(basename "$case_dir"): sluice $args"
  exit 1
fi
echo "ok: $(basename "$case_dir")"
