#!/usr/bin/env bash
# Every bench in bench/ in its quick mode, on temporary SQLite files (`make bench-smoke`): a bench
# that no longer runs, or whose requests fail, fails here. The figures go nowhere; the full runs
# are in docs/PERFORMANCE.md. The capture bench drives Chromium: BROWSER_LOCK="flock FILE" makes
# it wait for that lock, so it never runs beside browser tests.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
read -r -a LOCK <<< "${BROWSER_LOCK:-}"
RUNS=(
  "asset_sizes.py --quick"
  "board_bench.py --quick"
  "dashboard_bench.py --quick"
  "walks_bench.py --quick"
  "fuzz_bench.py --quick"
  "notify_bench.py --quick"
  "export_sync_bench.py --quick"
  "capture_bench.py --quick"
)
# A bench added to bench/ without a quick run here fails, so none rots unnoticed.
for file in bench/*_bench.py bench/asset_sizes.py; do
  name=$(basename "$file")
  if ! printf '%s\n' "${RUNS[@]}" | grep -q "^$name "; then
    echo "bench/$name has no quick run in bench/smoke.sh" >&2
    exit 1
  fi
done
started=$SECONDS
for run in "${RUNS[@]}"; do
  read -r -a words <<< "$run"
  prefix=()
  [[ $run == capture_bench.py* ]] && prefix=("${LOCK[@]}")
  begun=$SECONDS
  if ! output=$("${prefix[@]}" "$PYTHON" "bench/${words[0]}" "${words[@]:1}" 2>&1); then
    printf '%s\n' "$output" | tail -40
    echo "FAILED: bench/$run" >&2
    exit 1
  fi
  echo "ok  bench/$run  ($((SECONDS - begun)) s)"
done
echo "Every bench ran in its quick mode in $((SECONDS - started)) s."
