#!/usr/bin/env bash
# Installs what is missing, builds, and runs the tests. Ends with one line "N passed, N failed, N skipped",
# summed over the TRX logs of every test project.
#   PSTRAINING_TEST_ALL=1 ./scripts/test.sh   also runs the tests marked [Trait("Category", "Slow")]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

results=TestResults
rm -rf "$results"
filter=()
if [[ "${PSTRAINING_TEST_ALL:-0}" != 1 ]]; then
  filter=(--filter "Category!=Slow")
fi

dotnet build PsTraining.sln -c Release || { echo "the build failed" >&2; echo "0 passed, 1 failed"; exit 1; }

# One TRX log per test project, named after it, so that logs never collide.
status=0
for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build "${filter[@]}" \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" || status=$?
done

# Sum the counters of every TRX log (one per test project).
shopt -s nullglob
trx=("$results"/*.trx)
if ((${#trx[@]} == 0)); then
  echo "no TRX log was written: the build or the test host failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
totals=$(cat "${trx[@]}" | grep -o '<Counters [^>]*>' | awk '
  { for (i = 1; i <= NF; i++) { split($i, kv, "="); gsub(/"|\/|>/, "", kv[2]); c[kv[1]] += kv[2] } }
  END { printf "%d passed, %d failed, %d skipped\n", c["passed"], c["failed"] + c["error"] + c["timeout"] + c["aborted"], c["notExecuted"] }')
echo "$totals"
exit $status
