#!/usr/bin/env bash
# Lint on real crate sources (BENCHMARKS.md, "Lint on real crate sources"): builds an orch project
# holding >= MIN_FILES `.rs` files copied from cargo's registry cache, then times side by side
# the read-everything floor (`find -name '*.rs' -print0 | xargs -0 cat >/dev/null`), `orch lint`
# (release build; human and JSON output), and ls-lint / alint when setup.sh installed them.
# Reports the median wall time, its ratio to the floor, and the peak RSS of each.
#
#   bash scripts/bench/real-tree.sh [TREE]          # default TREE=/tmp/orch-real-tree
#   MIN_FILES=100000 RUNS=5 WARMUP=1 CARGO_HOME=~/.cargo ORCH=target/release/orch
#
# The registry cache holds fewer files than MIN_FILES on most machines: the crate sources are
# copied as many times as needed (TREE/src/crates/cK/<crate>/...), every copy a real file. No
# `mod` line reaches them: they are orphans, the case that was quadratic (issue 11, defect 1),
# and the crates' own folder and file names trip file-naming. Timing uses hyperfine when
# setup.sh installed it ($ANCHORS/env.sh), else repeated `/usr/bin/time` runs.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
TREE=${1:-/tmp/orch-real-tree}
MIN_FILES=${MIN_FILES:-100000}
REGISTRY=${CARGO_HOME:-$HOME/.cargo}/registry/src
ORCH=${ORCH:-$REPO/target/release/orch}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
ANCHORS=${ANCHORS:-/tmp/orch-anchors}
CFG=$REPO/scripts/bench/configs
log() { printf '[real-tree] %s\n' "$*" >&2; }

[[ -n ${ORCH_NO_BUILD:-} ]] || (cd "$REPO" && cargo build --release --quiet --bin orch)
[[ -x $ORCH ]] || { log "no orch binary at $ORCH"; exit 1; }
[[ -d $REGISTRY ]] || { log "no registry cache at $REGISTRY (set CARGO_HOME)"; exit 1; }

# ---------- the tree ----------
if [[ ! -f $TREE/.real-tree ]]; then
  rm -rf "$TREE"
  "$ORCH" new project "$TREE" --name real_tree --vcs none -q \
    --runtime-version 0.1.0 --allow-unpublished-runtime
  src_tar=$(mktemp /tmp/real-tree-src.XXXXXX.tar)
  # one archive of every `.rs` file of the cache (registry/src/<index>/<crate>-<version>/...)
  (cd "$REGISTRY" && find . -name '*.rs' -type f -print0 | tar --null -T - -cf "$src_tar")
  per_copy=$(tar -tf "$src_tar" | grep -c '\.rs$')
  ((per_copy > 0)) || { log "no .rs files under $REGISTRY"; exit 1; }
  copies=$(((MIN_FILES + per_copy - 1) / per_copy))
  log "$per_copy .rs files in $REGISTRY; $copies copies"
  for ((k = 1; k <= copies; k++)); do
    mkdir -p "$TREE/src/crates/c$k"
    tar -xf "$src_tar" -C "$TREE/src/crates/c$k"
  done
  rm -f "$src_tar"
  find "$TREE/src" -name '*.rs' | wc -l >"$TREE/.real-tree"
fi
files=$(cat "$TREE/.real-tree")
bytes=$(find "$TREE/src" -name '*.rs' -type f -printf '%s\n' | awk '{s+=$1} END {printf "%.0f", s/1048576}')
log "$TREE: $files .rs files, $bytes MiB"

# ---------- timing ----------
out=$(mktemp -d /tmp/real-tree-bench.XXXXXX)
HYPERFINE=
if [[ -f $ANCHORS/env.sh ]]; then
  # shellcheck disable=SC1091
  source "$ANCHORS/env.sh"
fi
# measure NAME COMMAND_LINE   (run with sh -c; stdout discarded)
measure() {
  local name=$1 cmd=$2 r
  if [[ -n $HYPERFINE && -x $HYPERFINE ]]; then
    "$HYPERFINE" --style basic --warmup "$WARMUP" --runs "$RUNS" -i --command-name "$name" \
      --export-json "$out/$name.json" -- "$cmd >/dev/null 2>&1" >"$out/$name.log" 2>&1
  else
    for ((r = 1 - WARMUP; r <= RUNS; r++)); do
      /usr/bin/time -f '%e %M %U %S' -o "$out/$name.time" sh -c "$cmd >/dev/null 2>&1" || true
      ((r >= 1)) && cat "$out/$name.time" >>"$out/$name.times"
    done
  fi
  log "measured $name"
}

measure floor "cd '$TREE' && find . -name '*.rs' -print0 | xargs -0 cat"
measure orch-lint "'$ORCH' -C '$TREE' lint"
measure orch-lint-json "'$ORCH' -C '$TREE' lint --format json"
if [[ -n ${LS_LINT_NATIVE:-} && -x $LS_LINT_NATIVE ]]; then
  measure ls-lint "'$LS_LINT_NATIVE' -workdir '$TREE' -config '$CFG/.ls-lint.yml'"
fi
if [[ -n ${ALINT:-} && -x $ALINT ]]; then
  measure alint-naming "'$ALINT' check -c '$CFG/.alint.yml' '$TREE'"
  measure alint-naming+content "'$ALINT' check -c '$CFG/content.alint.yml' '$TREE'"
fi

# what orch reports on the tree (by rule), to show the run did the work
"$ORCH" -C "$TREE" lint --format json >"$out/findings.json" 2>/dev/null || true

python3 - "$out" "$files" "$bytes" <<'EOF'
import json, os, statistics, sys
out, files, mib = sys.argv[1], sys.argv[2], sys.argv[3]
rows = {}
for f in sorted(os.listdir(out)):
    name, ext = os.path.splitext(f)
    if ext == ".json" and name != "findings":
        r = json.load(open(os.path.join(out, f)))["results"][0]
        cpu = [u + s for u, s in zip(r["user"] if isinstance(r["user"], list) else [r["user"]],
                                     r["system"] if isinstance(r["system"], list) else [r["system"]])]
        rows[name] = (r["times"], r.get("memory_usage_byte") or [0], cpu)
    elif ext == ".times":
        # (`time` adds a "Command exited with non-zero status" line: orch fails on findings)
        runs = [l.split() for l in open(os.path.join(out, f)) if l[:1].isdigit()]
        rows[name] = ([float(r[0]) for r in runs], [int(r[1]) * 1024 for r in runs],
                      [float(r[2]) + float(r[3]) for r in runs])
order = ["floor", "orch-lint", "orch-lint-json", "ls-lint", "alint-naming", "alint-naming+content"]
floor = statistics.median(rows["floor"][0])
floor_cpu = statistics.median(rows["floor"][2])
print(f"tree: {files} .rs files, {mib} MiB of source")
print("| command | median wall | min | max | wall / floor | CPU (user+sys) | CPU / floor | peak RSS |")
print("|---|---|---|---|---|---|---|---|")
for name in [n for n in order if n in rows]:
    t, m, c = rows[name]
    med, cpu = statistics.median(t), statistics.median(c)
    print(f"| {name} | {med:.2f} s | {min(t):.2f} s | {max(t):.2f} s | {med / floor:.2f}x "
          f"| {cpu:.2f} s | {cpu / floor_cpu:.2f}x | {max(m) / 1048576:.1f} MiB |")
try:
    data = json.load(open(os.path.join(out, "findings.json")))
    found = data if isinstance(data, list) else data.get("findings", [])
    by_rule = {}
    for f in found:
        by_rule[f["rule"]] = by_rule.get(f["rule"], 0) + 1
    print("orch findings:", len(found), dict(sorted(by_rule.items())))
except (OSError, ValueError) as e:
    print("orch findings: unreadable JSON:", e)
EOF
log "raw timings in $out"
