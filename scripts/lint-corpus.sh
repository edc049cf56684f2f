#!/usr/bin/env bash
# Lint every crate of the local cargo registry as an orch project and tally the findings
# (BENCHMARKS.md, "Lint on the cargo registry"). Real code is not in the pattern, so the
# pattern rules (layout, pairing, ...) have nothing to say about it; what this measures is the
# rules that apply to any crate (orphan-module, missing-module, file-naming, parse-error,
# boundaries): every finding there is a false positive unless the crate really has the defect.
#
# Each crate is copied to a scratch directory and adopted the way a user would: `orch init`
# (runtime by path, nothing vendored). Crates `orch init` refuses (no_std, proc-macro, ...) get
# the orch.toml `orch init` writes and its two empty folders instead.
#
#   bash scripts/lint-corpus.sh                 # summary on stdout
#   ORCH=target/release/orch OUT=/tmp/corpus bash scripts/lint-corpus.sh
#   CRATES='serde-1.*' bash scripts/lint-corpus.sh   # a glob of crate directories
#
# Output: per rule totals, per crate counts, and every finding (rule, crate, file:line,
# message) in $OUT/findings.tsv; exit 0 (the tally is the result, not a verdict).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
ORCH=${ORCH:-$REPO/target/debug/orch}
[[ $ORCH = /* ]] || ORCH=$REPO/$ORCH
CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
CRATES=${CRATES:-*}
OUT=${OUT:-$(mktemp -d -t orch-corpus-XXXXXX)}
mkdir -p "$OUT"
[[ -x $ORCH ]] || cargo build --quiet
SCRATCH=$(mktemp -d -t orch-corpus-crate-XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT

: >"$OUT/findings.tsv"
: >"$OUT/crates.tsv"
for src in "$CARGO_HOME"/registry/src/*/$CRATES; do
  [[ -f $src/Cargo.toml ]] || continue
  name=$(basename "$src")
  work=$SCRATCH/$name
  rm -rf "$work"
  cp -r "$src" "$work"
  # cargo's registry copies are read-only for some crates: make the scratch copy writable
  chmod -R u+w "$work"
  mode=init
  if ! "$ORCH" -C "$work" init -q --runtime-path "$REPO/crates/orch-runtime" >/dev/null 2>"$OUT/init.err"; then
    mode=toml
    # the folders `orch init` would create, under names the crate does not use already
    # (winapi has its own src/shared/)
    features=src/features core=src/shared
    [[ -e $work/$features ]] && features=src/orch_features
    [[ -e $work/$core ]] && core=src/orch_shared
    printf '[paths]\nfeatures = "%s"\ncore = "%s"\n' "$features" "$core" >"$work/orch.toml"
    mkdir -p "$work/$features" "$work/$core"
  fi
  files=$(find "$work/src" -name '*.rs' | wc -l)
  set +e
  "$ORCH" -C "$work" lint --format json >"$OUT/lint.json" 2>"$OUT/lint.err"
  rc=$?
  set -e
  # JSON output: a bare array of findings, or an object with a `findings` array
  python3 - "$name" "$mode" "$files" "$rc" "$OUT" <<'PY'
import json, sys
name, mode, files, rc, out = sys.argv[1:]
try:
    data = json.load(open(f"{out}/lint.json"))
except ValueError:
    data = None
if isinstance(data, dict):
    data = data.get("findings", [])
with open(f"{out}/findings.tsv", "a") as f:
    if data is None:
        err = open(f"{out}/lint.err").read().strip().splitlines()[:1]
        f.write(f"lint-failed\t{name}\t-\texit {rc}: {' '.join(err)}\n")
        data = []
    for d in data:
        loc = d.get("path") or d.get("file") or ""
        if d.get("line"):
            loc += f":{d['line']}"
        msg = d.get("message", "").replace("\t", " ").replace("\n", " ")
        f.write(f"{d.get('rule')}\t{name}\t{loc}\t{msg}\n")
with open(f"{out}/crates.tsv", "a") as f:
    f.write(f"{name}\t{mode}\t{files}\t{len(data)}\t{rc}\n")
PY
  rm -rf "$work"
done

python3 - "$OUT" <<'PY'
import collections, sys
out = sys.argv[1]
crates = [l.rstrip("\n").split("\t") for l in open(f"{out}/crates.tsv")]
rows = [l.rstrip("\n").split("\t") for l in open(f"{out}/findings.tsv")]
print(f"crates: {len(crates)} ({sum(c[1] == 'init' for c in crates)} adopted with `orch init`, "
      f"{sum(c[1] == 'toml' for c in crates)} with orch.toml only)")
print(f".rs files under src/: {sum(int(c[2]) for c in crates)}")
print(f"findings: {len(rows)} in {len({r[1] for r in rows})} crates")
for rule, n in collections.Counter(r[0] for r in rows).most_common():
    print(f"  {rule:16} {n:5} in {len({r[1] for r in rows if r[0] == rule})} crates")
print(f"details: {out}/findings.tsv")
PY
