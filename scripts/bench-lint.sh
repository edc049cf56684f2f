#!/usr/bin/env bash
# Lint benchmark for orch (BENCHMARKS.md, "Lint"): `orch lint` against ls-lint and alint on
# synthetic trees of ~1k, ~10k and ~100k files, side by side in one run, with the shared
# peer scripts (scripts/bench/: setup.sh installs the peers, mktree.sh makes the trees,
# bench-lint.sh times them with hyperfine and checks every linter finds the planted
# violations first). orch runs with all its rules (the default); its row counts the findings
# of the three rules that match the planted violations.
#
#   bash scripts/bench-lint.sh            # trees under /tmp/orch-lint-trees, report on stdout
#   SIZES="70 700" bash scripts/bench-lint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=${BENCH:-scripts/bench}
TREES=${TREES:-/tmp/orch-lint-trees}
SIZES=${SIZES:-70 700 7000}

cargo build --release --quiet
bash "$BENCH/setup.sh" >&2
trees=()
for n in $SIZES; do
  [[ -f $TREES/t$n/.mktree ]] || bash "$BENCH/mktree.sh" "$n" "$TREES/t$n" >&2
  trees+=("$TREES/t$n")
done
ORCH_LINT="$PWD/target/release/orch -C {tree} lint" \
ORCH_FINDINGS_RE='^error\[(file-naming|layout|type-naming)\]' \
  bash "$BENCH/bench-lint.sh" "${trees[@]}"
