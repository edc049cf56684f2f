//! `orch lint` suppressions and baseline: inline `orch-lint: allow(..)` comments (line, item,
//! file), `[[lint.overrides]]` per path, `unused-suppression`, and `--baseline FILE` with
//! fingerprints that survive line moves (also SARIF `partialFingerprints`).

use std::collections::BTreeMap;

use crate::lint::fixture;
use crate::support::{Fixture, Run};

/// (rule, path, line) of each finding of a `--format json` run.
fn found(run: &Run) -> Vec<(String, String, Option<u64>)> {
    json_findings(run)
        .iter()
        .map(|f| (f["rule"].as_str().unwrap().into(), f["path"].as_str().unwrap().into(), f["line"].as_u64()))
        .collect()
}

/// The `findings` of a `--format json` run.
fn json_findings(run: &Run) -> Vec<serde_json::Value> {
    let report: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.transcript()));
    report["findings"].as_array().unwrap_or_else(|| panic!("no findings:\n{}", run.transcript())).clone()
}

/// How many findings of each (rule, path).
fn counted(run: &Run) -> BTreeMap<(String, String), usize> {
    let mut m = BTreeMap::new();
    for (rule, path, _) in found(run) {
        *m.entry((rule, path)).or_default() += 1;
    }
    m
}

fn take(m: &mut BTreeMap<(String, String), usize>, rule: &str, path: &str) {
    let n = m.get_mut(&(rule.to_string(), path.to_string())).unwrap_or_else(|| panic!("no {rule} in {path}"));
    *n -= 1;
    if *n == 0 {
        m.remove(&(rule.to_string(), path.to_string()));
    }
}

const LOGIN: &str = "src/features/auth/orchestrators/login.rs";
const GHOST: &str = "src/features/auth/executors/ghost.rs";
const SESSION: &str = "src/features/auth/jobs/session.rs";

#[test]
fn inline_suppressions_cover_their_line_their_item_or_their_file() {
    let fx = fixture("violations");
    let mut want = counted(fx.orch(&["lint", "--format", "json"]).expect_code(1));
    // login.rs: a trailing comment on `use std::fs;` (boundaries 1:5), one above the item
    // `LoginStatus` with its doc comment and attribute in between (type-naming), one above a
    // statement (std::net, boundaries); the executor import (boundaries) stays
    let login = fx.read(LOGIN);
    let login = login
        .replacen("use std::fs;\n", "use std::fs; // orch-lint: allow(boundaries) audited: the login marker file\n", 1)
        .replacen(
            "/// type-naming:",
            "// orch-lint: allow(type-naming) serialised under this name by clients\n/// type-naming:",
            1,
        )
        .replacen(
            "        let _ = std::net::",
            "        // orch-lint: allow(boundaries) health probe, moves to an executor in #12\n        let _ = std::net::",
            1,
        );
    fx.write(LOGIN, &login);
    // ghost.rs: an item-level allow of one rule leaves the other rule's finding on that line
    let ghost = fx.read(GHOST).replacen(
        "impl Executor",
        "// orch-lint: allow(pairing) GhostJob comes from the plugin crate\nimpl Executor",
        1,
    );
    fx.write(GHOST, &ghost);
    // session.rs: a file-level allow covers the file's own finding (orphan-module, no line)
    fx.write(
        SESSION,
        &format!("//! orch-lint: allow(orphan-module) compiled by the plugin build\n{}", fx.read(SESSION)),
    );

    let run = fx.orch(&["lint", "--format", "json"]);
    run.expect_code(1);
    take(&mut want, "boundaries", LOGIN);
    take(&mut want, "boundaries", LOGIN);
    take(&mut want, "type-naming", LOGIN);
    take(&mut want, "pairing", GHOST);
    take(&mut want, "orphan-module", SESSION);
    assert_eq!(counted(&run), want, "{}", run.transcript());
    let got = found(&run);
    // what stays is where it was (lines shifted by the inserted comments)
    assert!(got.contains(&("boundaries".into(), LOGIN.into(), Some(3))), "{got:?}");
    assert!(got.contains(&("registration".into(), GHOST.into(), Some(8))), "{got:?}");
    // none of the five comments is reported as unused
    assert!(
        !got.iter().any(|(r, p, _)| r == "unused-suppression" && p != "src/features/auth/events/generic.rs")
    );
}

#[test]
fn a_suppression_needs_a_reason_and_a_known_rule() {
    let fx = fixture("violations");
    let login = fx
        .read(LOGIN)
        .replacen("use std::fs;\n", "use std::fs; // orch-lint: allow(boundaries)\n", 1)
        .replacen("/// type-naming:", "// orch-lint: allow(type-namin) typo\n/// type-naming:", 1)
        .replacen(
            "impl LoginOrchestrator {",
            "// orch-lint: allow boundaries, no parentheses\nimpl LoginOrchestrator {",
            1,
        );
    fx.write(LOGIN, &login);
    let run = fx.orch(&["lint"]);
    run.expect_code(1);
    let err = &run.stdout;
    // nothing was suppressed: the findings stay, and each comment is reported at its place
    assert!(err.contains("error[boundaries]: orchestrator uses `std::fs`"), "{}", run.transcript());
    assert!(err.contains("error[type-naming]: public enum `LoginStatus`"), "{}", run.transcript());
    for (at, message) in [
        ("1:14", "`orch-lint: allow(boundaries)` gives no reason; it suppresses nothing"),
        ("10:1", "unknown rule `type-namin` in `orch-lint: allow(type-namin)`; it suppresses nothing"),
        ("24:1", "malformed `orch-lint:` comment (expected `allow(rule-id) reason` after `orch-lint:`)"),
    ] {
        let block = format!("warning[unused-suppression]: {message}");
        let i = err.find(&block).unwrap_or_else(|| panic!("no {block:?} in\n{}", run.transcript()));
        assert!(err[i..].contains(&format!("--> {LOGIN}:{at}")), "{at}: {}", &err[i..]);
    }
    assert!(err.contains("= hint: did you mean `type-naming`?"), "{}", run.transcript());
    assert!(
        err.contains("= hint: say why after the parentheses: `// orch-lint: allow(boundaries) <reason>`")
    );
}

#[test]
fn unused_suppressions_are_warnings_with_a_level_of_their_own() {
    let fx = fixture("clean");
    fx.orch(&["lint"]).ok();
    let main = fx.read("src/main.rs");
    fx.write("src/main.rs", &format!("// orch-lint: allow(orphan-module) left over\n{main}"));
    let run = fx.orch(&["lint", "--format", "json"]);
    run.ok();
    assert_eq!(found(&run), [("unused-suppression".into(), "src/main.rs".into(), Some(1))]);
    fx.orch(&["lint", "--deny-warnings"]).expect_code(1);
    let human = fx.orch(&["lint"]);
    crate::lint::snapshot_settings()
        .bind(|| insta::assert_snapshot!("suppress_unused_human", human.transcript()));
    // a rule turned off where the comment is: still unused, and the hint says why
    fx.write("orch.toml", "[paths]\ncore = \"src/core\"\n[lint.rules]\norphan-module = \"off\"\n");
    let off = fx.orch(&["lint"]);
    assert!(off.stdout.contains("`orphan-module` is off for this file"), "{}", off.transcript());
    // the rule has a level like any other
    fx.write("orch.toml", "[paths]\ncore = \"src/core\"\n[lint.rules]\nunused-suppression = \"off\"\n");
    let quiet = fx.orch(&["lint", "--format", "json"]);
    quiet.ok();
    assert_eq!(found(&quiet), []);
}

#[test]
fn overrides_set_rule_levels_per_path() {
    let fx = fixture("violations");
    let mut want = counted(fx.orch(&["lint", "--format", "json"]).expect_code(1));
    let base = fx.read("orch.toml");
    fx.write(
        "orch.toml",
        &format!(
            "{base}\n[lint.rules]\nlayout = \"off\"\n\n\
             [[lint.overrides]]\npaths = [\"src/features/auth/jobs/**\"]\nrules = {{ orphan-module = \"off\" }}\n\n\
             [[lint.overrides]]\npaths = [\"src/features/billing\"]\nrules = {{ boundaries = \"warn\" }}\n\n\
             [[lint.overrides]]\npaths = [\"src/*/auth/helpers\"]\nrules = {{ layout = \"error\" }}\n"
        ),
    );
    let run = fx.orch(&["lint", "--format", "json"]);
    run.expect_code(1);
    take(&mut want, "orphan-module", SESSION);
    take(&mut want, "layout", "src/features/auth/util.rs"); // off everywhere else
    assert_eq!(counted(&run), want, "{}", run.transcript());
    let all = json_findings(&run);
    let severity = |rule: &str, path: &str| {
        all.iter()
            .find(|f| f["rule"] == rule && f["path"] == path)
            .map(|f| f["severity"].as_str().unwrap().to_string())
    };
    // a folder matched covers what is below it; `*` stays within a folder
    assert_eq!(
        severity("boundaries", "src/features/billing/orchestrators/checkout.rs").as_deref(),
        Some("warning")
    );
    assert_eq!(severity("boundaries", LOGIN).as_deref(), Some("error"));
    // a rule off by default runs where an override turns it on
    assert_eq!(severity("layout", "src/features/auth/helpers").as_deref(), Some("error"));
}

#[test]
fn bad_overrides_are_config_errors_with_line_and_column() {
    let fx = fixture("violations");
    let base = fx.read("orch.toml");
    let lines = base.lines().count();
    fx.write(
        "orch.toml",
        &format!(
            "{base}\n[[lint.overrides]]\npaths = [\"src/legacy/**\"]\nrules = {{ orphan-modul = \"off\" }}\n"
        ),
    );
    let run = fx.refused(&["lint"], 2);
    let at = format!("orch.toml:{}:11: unknown lint rule `orphan-modul` in [[lint.overrides]]", lines + 4);
    assert!(run.stderr.contains(&at), "{}", run.stderr);
    assert!(run.stderr.contains("hint: did you mean `orphan-module`?"), "{}", run.stderr);
    fx.write(
        "orch.toml",
        &format!("{base}\n[[lint.overrides]]\npaths = [\"../elsewhere/**\"]\nrules = {{}}\n"),
    );
    let run = fx.refused(&["lint"], 2);
    let at = format!("orch.toml:{}:10: invalid [[lint.overrides]] path \"../elsewhere/**\"", lines + 3);
    assert!(run.stderr.contains(&at), "{}", run.stderr);
}

#[test]
fn overrides_written_with_dot_slash_or_a_trailing_slash_apply_and_empty_rules_are_refused() {
    let fx = fixture("violations");
    let mut want = counted(fx.orch(&["lint", "--format", "json"]).expect_code(1));
    let base = fx.read("orch.toml");
    fx.write(
        "orch.toml",
        &format!(
            "{base}\n[[lint.overrides]]\npaths = [\"./src/features/auth/jobs/**\"]\nrules = {{ orphan-module = \"off\" }}\n\n\
             [[lint.overrides]]\npaths = [\"src/features/auth/orchestrators/\"]\nrules = {{ boundaries = \"off\" }}\n"
        ),
    );
    let run = fx.orch(&["lint", "--format", "json"]);
    take(&mut want, "orphan-module", SESSION);
    while want.contains_key(&("boundaries".to_string(), LOGIN.to_string())) {
        take(&mut want, "boundaries", LOGIN);
    }
    assert_eq!(counted(&run), want, "{}", run.transcript());

    let lines = base.lines().count();
    fx.write("orch.toml", &format!("{base}\n[[lint.overrides]]\npaths = [\"./src/**\"]\nrules = {{}}\n"));
    let run = fx.refused(&["lint"], 2);
    let at = format!("orch.toml:{}:9: [[lint.overrides]] `rules` is empty", lines + 4);
    assert!(run.stderr.contains(&at), "{}", run.stderr);
    assert!(run.stderr.contains("hint: "), "{}", run.stderr);
    fx.write(
        "orch.toml",
        &format!("{base}\n[[lint.overrides]]\npaths = [\"src//features\"]\nrules = {{ layout = \"off\" }}\n"),
    );
    let run = fx.refused(&["lint"], 2);
    let at = format!("orch.toml:{}:10: invalid [[lint.overrides]] path \"src//features\"", lines + 3);
    assert!(run.stderr.contains(&at), "{}", run.stderr);
}

/// The baseline's entries.
fn entries(fx: &Fixture, file: &str) -> Vec<serde_json::Value> {
    let doc: serde_json::Value = serde_json::from_str(&fx.read(file)).unwrap();
    assert_eq!(doc["version"], 1);
    doc["findings"].as_array().unwrap().clone()
}

#[test]
fn a_baseline_records_todays_findings_then_reports_only_new_ones() {
    let fx = fixture("violations");
    let all = found(fx.orch(&["lint", "--format", "json"]).expect_code(1)).len();
    // first run: recorded, exit 0, an empty report
    let run = fx.orch(&["lint", "--baseline", "lint-baseline.json", "--format", "json"]);
    run.ok();
    assert_eq!(json_findings(&run), Vec::<serde_json::Value>::new());
    assert!(
        run.stderr.contains(&format!("recorded {all} findings in baseline lint-baseline.json")),
        "{}",
        run.stderr
    );
    assert_eq!(entries(&fx, "lint-baseline.json").len(), all);
    // the same tree: nothing new
    let run = fx.orch(&["lint", "--baseline", "lint-baseline.json"]);
    run.ok();
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains(&format!("{all} known findings left out")), "{}", run.stderr);
    // code moves (lines above every finding of a file): still known
    fx.write(LOGIN, &format!("// moved down\n\n{}", fx.read(LOGIN)));
    fx.write(GHOST, &format!("\n\n\n{}", fx.read(GHOST)));
    fx.orch(&["lint", "--baseline", "lint-baseline.json"]).ok();
    // a new finding is reported (and fails the run); one fixed is counted as gone
    fx.write(
        "src/features/auth/jobs/refresh.rs",
        &format!("{}\npub struct RenewJob;\n", fx.read("src/features/auth/jobs/refresh.rs")),
    );
    fx.write(LOGIN, &fx.read(LOGIN).replacen("use std::fs;\n", "", 1).replace("fs::write", "std::mem::drop"));
    let run = fx.orch(&["lint", "--baseline", "lint-baseline.json", "--format", "json"]);
    run.expect_code(1);
    assert_eq!(found(&run), [("pairing".into(), "src/features/auth/jobs/refresh.rs".into(), Some(5))]);
    assert!(run.stderr.contains("1 baseline entry no longer occurs"), "{}", run.stderr);
    // path arguments: only entries under them can be gone (the fixed one is in auth/)
    let run = fx.orch(&["lint", "--baseline", "lint-baseline.json", "src/features/billing"]);
    run.ok();
    assert!(!run.stderr.contains("no longer"), "{}", run.stderr);
    let run = fx.orch(&["lint", "--baseline", "lint-baseline.json", "src/features/auth"]);
    assert!(run.stderr.contains("1 baseline entry no longer occurs"), "{}", run.stderr);
    // ...and a baseline is recorded over the whole project only
    let run =
        fx.refused(&["lint", "--baseline", "lint-baseline.json", "--update-baseline", "src/features"], 2);
    assert!(
        run.stderr.contains("cannot record baseline lint-baseline.json from some paths only"),
        "{}",
        run.stderr
    );
    // --update-baseline records the tree as it is now
    let run = fx.orch(&["lint", "--baseline", "lint-baseline.json", "--update-baseline"]);
    run.ok();
    assert!(run.stderr.contains(&format!("recorded {all} findings")), "{}", run.stderr);
    let run = fx.orch(&["lint", "--baseline", "lint-baseline.json"]);
    run.ok();
    assert!(!run.stderr.contains("no longer"), "{}", run.stderr);
}

#[test]
fn baseline_fingerprints_are_sarif_partial_fingerprints() {
    let fx = fixture("violations");
    fx.orch(&["lint", "--baseline", "b.json"]).ok();
    let recorded: Vec<String> =
        entries(&fx, "b.json").iter().map(|e| e["fingerprint"].as_str().unwrap().to_string()).collect();
    fx.write(LOGIN, &format!("\n\n{}", fx.read(LOGIN)));
    let run = fx.orch(&["lint", "--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mut sarif: Vec<String> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["partialFingerprints"]["orchLint/v1"].as_str().unwrap().to_string())
        .collect();
    let mut recorded = recorded;
    sarif.sort();
    recorded.sort();
    assert_eq!(sarif, recorded);
}

#[test]
fn identical_findings_are_counted_not_merged() {
    let fx = fixture("clean");
    fx.orch(&["lint", "--baseline", "b.json"]).ok();
    assert_eq!(entries(&fx, "b.json"), Vec::<serde_json::Value>::new());
    let stale = "// orch-lint: allow(pairing) stale\nfn a() {}\n";
    fx.write("src/main.rs", &format!("{stale}{}", fx.read("src/main.rs")));
    fx.orch(&["lint", "--baseline", "b.json", "--update-baseline"]).ok();
    assert_eq!(entries(&fx, "b.json").len(), 1);
    // the same comment again: the same fingerprint, but a second finding
    fx.write("src/main.rs", &format!("{stale}{}", fx.read("src/main.rs").replace("fn a()", "fn b()")));
    let run = fx.orch(&["lint", "--baseline", "b.json", "--format", "json"]);
    assert_eq!(found(&run).len(), 1, "{}", run.transcript());
}

#[test]
fn bad_baselines_are_refused_and_nothing_is_written() {
    let fx = fixture("violations");
    fx.write("b.json", "{\"version\": 1, \"findings\": [\n  {\"fingerprint\": 3}\n]}\n");
    let run = fx.refused(&["lint", "--baseline", "b.json"], 2);
    assert!(run.stderr.contains("error: invalid baseline b.json:2:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("hint: record it again with `orch lint --baseline b.json --update-baseline`")
    );
    fx.write("b.json", "{\"version\": 2, \"findings\": []}\n");
    let run = fx.refused(&["lint", "--baseline", "b.json"], 2);
    assert!(
        run.stderr.contains("baseline b.json has version 2; this orch reads version 1"),
        "{}",
        run.stderr
    );
    // outside the project, a missing folder, a folder: usage errors, nothing created
    let run = fx.refused(&["lint", "--baseline", "../outside-baseline.json"], 2);
    assert!(run.stderr.contains("is outside the project"), "{}", run.stderr);
    assert!(!fx.root.parent().unwrap().join("outside-baseline.json").exists());
    let run = fx.refused(&["lint", "--baseline", "no/such/dir/b.json"], 2);
    assert!(run.stderr.contains("its folder does not exist"), "{}", run.stderr);
    fx.refused(&["lint", "--baseline", "src"], 2);
    // with --fix: a usage error
    fx.refused(&["lint", "--fix", "--baseline", "b.json"], 2);
}

#[test]
fn project_files_are_never_taken_for_baselines_nor_overwritten() {
    let fx = fixture("violations");
    // the project's own files: refused by their path, with or without --update-baseline
    for (file, what) in [
        ("src/main.rs", "is a Rust source file"),
        ("orch.toml", "is the orch configuration"),
        ("Cargo.toml", "is the cargo manifest"),
        ("src/lint-baseline.json", "is inside src/"),
    ] {
        for update in [false, true] {
            let mut args = vec!["lint", "--baseline", file];
            if update {
                args.push("--update-baseline");
            }
            let run = fx.refused(&args, 2);
            assert!(run.stderr.contains(&format!("error: baseline {file} {what}")), "{}", run.stderr);
            assert!(!run.stderr.contains("--update-baseline"), "{}", run.stderr);
        }
    }
    // any other file that is not a baseline: refused, saying what it is, and never replaced
    fx.write("notes.txt", "release notes\n");
    fx.write("package.json", "{\"name\": \"app\", \"version\": \"1.0.0\"}\n");
    for (file, what) in [("notes.txt", "not JSON"), ("package.json", "JSON without a `version` number")] {
        for update in [false, true] {
            let mut args = vec!["lint", "--baseline", file];
            if update {
                args.push("--update-baseline");
            }
            let run = fx.refused(&args, 2);
            assert!(
                run.stderr.contains(&format!("error: {file} is not an orch baseline ({what}")),
                "{}",
                run.stderr
            );
            assert!(!run.stderr.contains("--update-baseline"), "{}", run.stderr);
        }
    }
    // a baseline of another version is recognised: recording it again is what the hint says
    fx.write("b.json", "{\"version\": 2, \"findings\": []}\n");
    fx.orch(&["lint", "--baseline", "b.json", "--update-baseline"]).ok();
    assert!(!entries(&fx, "b.json").is_empty());
}
