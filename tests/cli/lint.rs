//! `orch lint`: every planted violation found with the right rule and location; zero findings on
//! a hand-written clean project and on generated ones; every output format (snapshots, SARIF
//! validated against the official 2.1.0 schema); exit codes; path filters; `--fix`.

use std::path::{Path, PathBuf};

use crate::support::{Fixture, Run};

/// A copy of `tests/fixtures/lint/<name>` in a temporary directory.
fn fixture(name: &str) -> Fixture {
    let fx = Fixture::new();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint").join(name);
    for entry in walkdir::WalkDir::new(&from).into_iter().filter_map(Result::ok) {
        let rel = entry.path().strip_prefix(&from).unwrap();
        let to = fx.root.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    fx
}

/// A finding's rule, path and line:col.
type Located<'a> = (&'a str, &'a str, Option<(u32, u32)>);

/// (rule, path, line:col) of every violation planted in `tests/fixtures/lint/violations`.
const PLANTED: &[Located<'static>] = &[
    ("layout", "src/features/auth/helpers", None),
    ("layout", "src/features/auth/util.rs", None),
    ("file-naming", "src/features/billing/jobs/ChargeCard.rs", None),
    ("type-naming", "src/features/auth/orchestrators/login.rs", Some((12, 10))),
    ("pairing", "src/features/auth/jobs/refresh.rs", Some((3, 12))),
    ("pairing", "src/features/auth/executors/ghost.rs", Some((7, 15))),
    ("registration", "src/features/auth/executors/ghost.rs", Some((7, 15))),
    ("registration", "src/features/auth/executors/logout.rs", Some((8, 15))),
    ("registration", "src/features/mod.rs", Some((3, 9))),
    ("orphan-module", "src/features/auth/jobs/session.rs", None),
    ("missing-module", "src/features/billing/mod.rs", Some((12, 9))),
    ("boundaries", "src/features/auth/orchestrators/login.rs", Some((1, 5))),
    ("boundaries", "src/features/auth/orchestrators/login.rs", Some((3, 5))),
    ("boundaries", "src/features/auth/orchestrators/login.rs", Some((26, 17))),
    ("boundaries", "src/features/billing/orchestrators/checkout.rs", Some((2, 5))),
    ("god-event", "src/features/auth/events/generic.rs", Some((3, 12))),
    ("god-event", "src/features/auth/events/envelope.rs", Some((3, 12))),
    ("god-event", "src/core/events/app.rs", Some((3, 10))),
    ("unused-event", "src/features/auth/events/logged_in.rs", Some((3, 12))),
    ("parse-error", "src/features/search/jobs/query.rs", Some((4, 20))),
];

fn findings(run: &Run) -> Vec<serde_json::Value> {
    serde_json::from_str::<Vec<serde_json::Value>>(&run.stdout)
        .unwrap_or_else(|e| panic!("not a JSON array ({e}):\n{}", run.transcript()))
}

fn located(f: &serde_json::Value) -> (String, String, Option<(u32, u32)>) {
    let at = match (f["line"].as_u64(), f["column"].as_u64()) {
        (Some(l), Some(c)) => Some((l as u32, c as u32)),
        _ => None,
    };
    (f["rule"].as_str().unwrap().to_string(), f["path"].as_str().unwrap().to_string(), at)
}

#[test]
fn every_planted_violation_is_found_with_its_rule_and_location() {
    let fx = fixture("violations");
    let run = fx.orch(&["lint", "--format", "json"]);
    run.expect_code(1);
    let mut got: Vec<_> = findings(&run).iter().map(located).collect();
    let mut want: Vec<_> = PLANTED.iter().map(|(r, p, at)| (r.to_string(), p.to_string(), *at)).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    let rules: std::collections::BTreeSet<_> = PLANTED.iter().map(|p| p.0).collect();
    let all: std::collections::BTreeSet<_> = orch::lint::RULES.iter().map(|r| r.id).collect();
    assert_eq!(rules, all, "every rule has a planted violation");
}

#[test]
fn the_hand_written_clean_project_has_no_findings() {
    // macros, #[path], cfg modules, cfg'd alternative executors, raw identifiers, include!,
    // test modules with fake executors: none of it is a finding
    let fx = fixture("clean");
    let run = fx.orch(&["lint"]);
    run.ok();
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("36 files checked, no findings"), "{}", run.stderr);
}

#[test]
fn generated_projects_have_no_findings() {
    let fx = Fixture::project(&["--feature", "auth", "--feature", "cart"]);
    for args in [
        vec!["new", "feature", "billing", "--no-orchestrator"],
        vec!["add", "executor", "checkout", "--feature", "cart"],
        vec!["add", "orchestrator", "summary", "--feature", "cart"],
        vec!["add", "state", "wallet", "--feature", "billing"],
        vec!["add", "event", "audited"],
        vec!["add", "executor", "upload"],
    ] {
        fx.orch(&args).ok();
    }
    let run = fx.orch(&["lint", "--format", "json"]);
    run.ok();
    assert_eq!(run.stdout.trim(), "[]", "{}", run.transcript());
    let doctor = fx.orch(&["doctor"]);
    doctor.ok();
}

fn snapshot_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_snapshot_path("snapshots");
    s
}

#[test]
fn human_output() {
    let fx = fixture("violations");
    let run = fx.orch(&["lint"]);
    snapshot_settings().bind(|| insta::assert_snapshot!("lint_human", run.transcript()));
}

#[test]
fn json_output() {
    let fx = fixture("violations");
    let run = fx.orch(&["lint", "--format", "json"]);
    snapshot_settings().bind(|| insta::assert_snapshot!("lint_json", run.transcript()));
}

#[test]
fn github_output() {
    let fx = fixture("violations");
    let run = fx.orch(&["lint", "--format", "github"]);
    snapshot_settings().bind(|| insta::assert_snapshot!("lint_github", run.transcript()));
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let fx = fixture("violations");
    let run = fx.orch(&["lint", "--format", "sarif"]);
    run.expect_code(1);
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    assert_eq!(
        schema["id"],
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    );
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
    // an invalid document is refused, so the check above means something
    let mut broken = doc.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), PLANTED.len());
    snapshot_settings().bind(|| insta::assert_snapshot!("lint_sarif", run.transcript()));
    // a clean run is valid too
    let clean = fixture("clean").orch(&["lint", "--format", "sarif"]);
    clean.ok();
    assert!(validator.is_valid(&serde_json::from_str(&clean.stdout).unwrap()));
}

#[test]
fn list_rules_and_explain() {
    let fx = Fixture::new();
    let list = fx.orch(&["lint", "--list-rules"]);
    list.ok();
    let explain = fx.orch(&["lint", "--explain", "orphan-module"]);
    explain.ok();
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("lint_list_rules", list.stdout);
        insta::assert_snapshot!("lint_explain_orphan_module", explain.stdout);
    });
    for rule in orch::lint::RULES {
        let run = fx.orch(&["lint", "--explain", rule.id]);
        run.ok();
        assert!(run.stdout.starts_with(rule.id), "{}", run.stdout);
    }
}

#[test]
fn unknown_rule_ids_are_usage_errors_naming_the_ids() {
    let fx = Fixture::new();
    let run = fx.orch(&["lint", "--explain", "pairng"]);
    run.expect_code(2);
    assert!(run.stderr.contains("unknown lint rule `pairng`"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `pairing`?"), "{}", run.stderr);
    assert!(run.stderr.contains("layout, file-naming, type-naming"), "{}", run.stderr);

    let fx = fixture("clean");
    fx.write("orch.toml", "[lint.rules]\nnaming = \"off\"\n");
    let run = fx.orch(&["lint"]);
    run.expect_code(2);
    assert!(run.stderr.contains("unknown lint rule `naming` in orch.toml [lint.rules]"), "{}", run.stderr);
    fx.write("orch.toml", "[lint.rules]\npairing = \"sometimes\"\n");
    fx.orch(&["lint"]).expect_code(2);
    fx.write("orch.toml", "[lint]\nexclude = [\"src/[\"]\n");
    fx.orch(&["lint"]).expect_code(2);
}

#[test]
fn paths_limit_the_report_not_the_analysis() {
    let fx = fixture("violations");
    let run = fx.orch_in("src/features", &["lint", "billing", "--format", "json"]);
    run.expect_code(1);
    let got: Vec<_> = findings(&run).iter().map(located).collect();
    assert_eq!(
        got,
        [
            ("file-naming".into(), "src/features/billing/jobs/ChargeCard.rs".into(), None),
            ("missing-module".into(), "src/features/billing/mod.rs".into(), Some((12, 9))),
            ("boundaries".into(), "src/features/billing/orchestrators/checkout.rs".into(), Some((2, 5))),
        ]
    );
    // a clean part of the project exits 0, whatever the rest holds
    fx.orch(&["lint", "src/core"]).ok();
    fx.orch(&["lint", "src/nope"]).expect_code(2);
    fx.orch(&["lint", "/"]).expect_code(2);
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    let fx = fixture("clean");
    fx.write("orch.toml", "");
    fx.write(
        "src/features/billing/events/charged.rs",
        "#[derive(Debug, Clone)]\npub struct ChargedEvent {\n    pub cents: u64,\n}\n\npub struct GenericEvent;\n",
    );
    let run = fx.orch(&["lint"]);
    run.ok();
    assert!(run.stdout.starts_with("warning[god-event]: `GenericEvent`"), "{}", run.stdout);
    fx.orch(&["lint", "--deny-warnings"]).expect_code(1);
    fx.write("orch.toml", "[lint.rules]\ngod-event = \"off\"\n");
    let run = fx.orch(&["lint", "--deny-warnings"]);
    run.ok();
    assert_eq!(run.stdout, "");
}

/// A generated project broken in the four ways a generator can repair.
fn broken_project() -> Fixture {
    let fx = Fixture::project(&["--feature", "auth"]);
    // pairing: a job without an executor
    fx.orch(&["add", "job", "refresh", "--feature", "auth"]).ok();
    // registration: the executor's `register` line removed
    let auth_mod = fx.read("src/features/auth/mod.rs");
    let kept: Vec<&str> = auth_mod.lines().filter(|l| !l.contains("register::<jobs::AuthJob")).collect();
    assert_ne!(kept.len(), auth_mod.lines().count(), "{auth_mod}");
    fx.write("src/features/auth/mod.rs", &(kept.join("\n") + "\n"));
    // registration: the feature's `register` call removed
    let features = fx.read("src/features/mod.rs");
    fx.write("src/features/mod.rs", &features.replace("    auth::register(builder)?;\n", ""));
    // orphan-module: a component file nobody declares
    fx.write("src/features/auth/events/audited.rs", "#[derive(Debug, Clone)]\npub struct AuditedEvent;\n");
    fx
}

#[test]
fn fix_repairs_what_a_generator_can() {
    let fx = broken_project();
    let before = fx.orch(&["lint", "--format", "json"]);
    before.expect_code(1);
    let mut rules: Vec<_> =
        findings(&before).iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect();
    rules.sort();
    assert_eq!(rules, ["orphan-module", "pairing", "registration", "registration"], "{}", before.stdout);
    assert!(findings(&before).iter().all(|f| f["fixable"] == true), "{}", before.stdout);

    let tree = fx.tree(".");
    let dry = fx.orch(&["lint", "--fix", "--dry-run"]);
    dry.ok();
    assert_eq!(fx.tree("."), tree, "--dry-run wrote something");
    snapshot_settings().bind(|| insta::assert_snapshot!("lint_fix_dry_run", dry.transcript()));

    let fixed = fx.orch(&["lint", "--fix"]);
    fixed.ok();
    assert!(fixed.stderr.contains("no findings"), "{}", fixed.transcript());
    fx.orch(&["lint"]).ok();
    assert!(
        fx.read("src/features/auth/executors/refresh.rs")
            .contains("impl Executor<RefreshJob> for RefreshExecutor")
    );
    assert!(fx.read("src/features/mod.rs").contains("auth::register(builder)?;"));
    assert!(fx.read("src/features/auth/events/mod.rs").contains("pub use audited::AuditedEvent;"));
    // nothing left to fix: a second run changes nothing
    let again = fx.orch(&["lint", "--fix"]);
    again.ok();
    assert!(again.stderr.contains("nothing to fix"), "{}", again.transcript());
    if std::env::var_os("ORCH_E2E_SKIP").is_none() {
        cargo_test(&fx.root);
    }
}

#[test]
fn fix_on_the_violations_fixture_fixes_the_fixable_and_leaves_the_rest() {
    let fx = fixture("violations");
    let run = fx.orch(&["lint", "--fix", "--format", "json"]);
    run.expect_code(1);
    let left: Vec<_> = findings(&run).iter().map(located).collect();
    // what a generator can make is made; the rest needs a person
    for (rule, path, _) in &left {
        assert!(
            !matches!(
                (rule.as_str(), path.as_str()),
                ("pairing", "src/features/auth/jobs/refresh.rs")
                    | ("registration", "src/features/auth/executors/logout.rs")
                    | ("registration", "src/features/mod.rs")
                    | ("orphan-module", _)
            ),
            "{rule} {path} was not fixed:\n{}",
            run.transcript()
        );
    }
    assert_eq!(left.len(), PLANTED.len() - 4, "{}", run.transcript());
}

/// `cargo test` the project at `root` (offline, sharing the e2e target directory so the
/// runtime's dependencies are built once for every end-to-end test).
fn cargo_test(root: &Path) {
    let target: PathBuf = std::env::var_os("ORCH_E2E_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e"));
    let mut cmd = std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args(["test", "--quiet"])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("RUSTFLAGS");
    if std::env::var_os("ORCH_E2E_ONLINE").is_none() {
        cmd.env("CARGO_NET_OFFLINE", "true");
    }
    let out = cmd.output().expect("running cargo");
    assert!(
        out.status.success(),
        "the fixed project does not build and pass its tests:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
