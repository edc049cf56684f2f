#!/usr/bin/env bash
# Scaffolding benchmark for orch (BENCHMARKS.md, "Scaffolding"): `orch new feature auth` against
# the floor of orch's OWN output — `cp -r` of the same files pre-rendered, a one-line `echo >>`
# wiring edit, and a copy of the updated record of generated files (`.orch/generated.toml`,
# part of what `orch new feature` writes) — following the method of scripts/bench (README, gen-run.sh):
# every timed unit copies a pristine project to a fresh directory, runs one mode, and moves the
# copy to a graveyard deleted after timing; `none` is the copy wrapper alone (subtracted, paired
# round by round); rounds are interleaved so machine drift hits every mode alike.
#
#   bash scripts/bench-scaffold.sh                 # builds orch --release first
#   ORCH=/path/to/orch RUNS=30 bash scripts/bench-scaffold.sh
#
# Needs scripts/bench/setup.sh to have run (hyperfine). Everything goes under
# $ANCHORS/orch-scaffold (default /tmp/orch-anchors/orch-scaffold).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
BENCH=${BENCH:-$REPO/scripts/bench}
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
source "$BENCH/lib.sh"
if [[ -z ${ORCH:-} ]]; then
  (cd "$REPO" && cargo build --release -q -p orch)
  ORCH=${CARGO_TARGET_DIR:-$REPO/target}/release/orch
fi
ORCH=$(realpath "$ORCH")
A=$ANCHORS/orch-scaffold
rm -rf "$A"
mkdir -p "$A"

# The pristine project: what `orch new project` makes, with five features (like bench-gen.sh's
# small project), runtime from crates.io so the copy wrapper does not carry the vendored source.
(cd "$A" && "$ORCH" -q new project pristine --runtime-version 0.1 \
  --feature users --feature orders --feature billing --feature search --feature inventory)
# orch's own output, pre-rendered once: the files of feature `auth`.
cp -r "$A/pristine" "$A/check-orch"
"$ORCH" -q -C "$A/check-orch" new feature auth
# Laid out as an overlay of the project, so one `cp -r` writes the feature and the record.
mkdir -p "$A/prerendered/src/features" "$A/prerendered/.orch"
cp -r "$A/check-orch/src/features/auth" "$A/prerendered/src/features/auth"
cp "$A/check-orch/.orch/generated.toml" "$A/prerendered/.orch/generated.toml"

cat >"$A/run.sh" <<EOF
#!/usr/bin/env bash
# One timed unit: copy the pristine project, run MODE, move the copy to the graveyard.
set -eu
tmp=\$(mktemp -d "$A/run.XXXXXX")
cp -r "$A/pristine/." "\$tmp/"
cd "\$tmp"
case \$1 in
  none) ;;
  floor) cp -r "$A/prerendered/." .
         echo 'pub mod auth;' >>src/features/mod.rs ;;
  orch) "$ORCH" -q new feature auth >/dev/null ;;
esac
cd /
mv "\$tmp" "$A/graveyard/"
EOF
chmod +x "$A/run.sh"

echo "# orch new feature: timing"
echo
machine_info
echo "- orch: $ORCH ($("$ORCH" --version)); project: $(find "$A/pristine" -type f | wc -l) files, 5 features"
echo "- output: $(find "$A/prerendered/src/features/auth" -type f | wc -l) files in src/features/auth, src/features/mod.rs edited (\`pub mod\`, register and demo calls), .orch/generated.toml updated; the floor copies the same files, appends one line and copies the record"
echo
out=$A/results
mkdir -p "$out" "$A/graveyard"
sync; sleep "${SETTLE_S:-3}"
probe_before=$(fs_create_probe "$A" "$A/graveyard")
bench_rounds "$out" "none=$A/run.sh none" "floor=$A/run.sh floor" "orch=$A/run.sh orch"
probe_after=$(fs_create_probe "$A" "$A/graveyard")
python3 "$BENCH/summarize.py" --baseline none "$out"/none.r*.json "$out"/floor.r*.json "$out"/orch.r*.json
echo
echo "File-creation probe (300 empty files): ${probe_before} us/file before timing, ${probe_after} us/file after."
rm -rf "$A/graveyard"
