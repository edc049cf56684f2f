#!/usr/bin/env bash
# CPU time of `orch new feature auth` in a five-feature project, two orch binaries side by side
# (BENCHMARKS.md, "Scaffolding": cost of the pre-apply checks). Each run copies the pristine
# project and measures the command's task-clock with `perf stat`; prints the median per binary.
#
#   bash scripts/bench-new-feature-cpu.sh OLD_ORCH NEW_ORCH [RUNS]
set -euo pipefail
old=$(realpath "$1") new=$(realpath "$2") runs=${3:-15}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$new" -q -C "$dir" new project pristine --vcs none --runtime-path "$repo/crates/orch-runtime" \
  --feature users --feature orders --feature billing --feature search --feature inventory
for bin in "$old" "$new"; do
  for _ in $(seq 1 "$runs"); do
    rm -rf "$dir/w" && cp -r "$dir/pristine" "$dir/w"
    perf stat -x, -e task-clock "$bin" -q -C "$dir/w" new feature auth 2>&1 >/dev/null | grep task-clock | cut -d, -f1
  done | sort -n | awk -v b="$bin" '{a[NR]=$1} END {printf "%s: median task-clock %.2f ms (%d runs)\n", b, a[int((NR+1)/2)], NR}'
done
