//! `orch lint`: every planted violation found with the right rule and location; zero findings on
//! a hand-written clean project and on generated ones; every output format (snapshots, SARIF
//! validated against the official 2.1.0 schema); exit codes; path filters; `--fix`.

use std::path::{Path, PathBuf};

use crate::support::{Fixture, Run};

/// A copy of `tests/fixtures/lint/<name>` in a temporary directory.
pub(crate) fn fixture(name: &str) -> Fixture {
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
    ("unused-suppression", "src/features/auth/events/generic.rs", Some((6, 1))),
];

/// The `findings` of a `--format json` report.
/// How many planted violations are errors (those of rules that warn by default are not).
fn planted_errors() -> usize {
    let warns =
        |id: &str| orch::lint::RULES.iter().any(|r| r.id == id && r.default == orch::config::Level::Warn);
    PLANTED.iter().filter(|(rule, ..)| !warns(rule)).count()
}

fn findings(run: &Run) -> Vec<serde_json::Value> {
    report(run)["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings array:\n{}", run.transcript()))
        .clone()
}

/// A `--format json` report: an object with `version`, `orch_version`, `findings`, `summary`.
fn report(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.transcript()))
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
    assert_eq!(findings(&run), Vec::<serde_json::Value>::new(), "{}", run.transcript());
    let doctor = fx.orch(&["doctor"]);
    doctor.ok();
}

pub(crate) fn snapshot_settings() -> insta::Settings {
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
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), PLANTED.len());
    // every result has the baseline's fingerprint (tests/cli/suppress.rs checks its stability);
    // the planted findings are all different
    let prints: std::collections::BTreeSet<&str> =
        results.iter().map(|r| r["partialFingerprints"]["orchLint/v1"].as_str().unwrap()).collect();
    assert_eq!(prints.len(), results.len());
    assert!(prints.iter().all(|p| p.len() == 32 && p.bytes().all(|b| b.is_ascii_hexdigit())), "{prints:?}");
    let mut settings = snapshot_settings();
    settings.add_filter(r#""orchLint/v1": "[0-9a-f]{32}""#, r#""orchLint/v1": "[fingerprint]""#);
    settings.bind(|| insta::assert_snapshot!("lint_sarif", run.transcript()));
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
    // (the fixture's core is src/core, not the default src/shared)
    fx.write("orch.toml", "[paths]\ncore = \"src/core\"\n[lint.rules]\nnaming = \"off\"\n");
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
    assert_eq!(report(&run)["summary"]["files_checked"], 5, "the selection is counted");
    // a clean part of the project exits 0, whatever the rest holds
    fx.orch(&["lint", "src/core"]).ok();
    fx.refused(&["lint", "/"], 2);
    fx.refused(&["lint", "../elsewhere/gone.rs"], 2);
}

#[test]
fn json_reports_are_versioned_objects_with_a_summary() {
    let fx = fixture("violations");
    let run = fx.orch(&["lint", "--format", "json"]);
    run.expect_code(1);
    let doc = report(&run);
    assert_eq!(doc["version"], orch::lint::report::JSON_VERSION);
    assert_eq!(doc["orch_version"], env!("CARGO_PKG_VERSION"));
    let all = findings(&run);
    let errors = all.iter().filter(|f| f["severity"] == "error").count();
    let fixable = all.iter().filter(|f| f["fixable"] == true).count();
    assert_eq!(errors, planted_errors());
    let want = serde_json::json!({
        "errors": errors,
        "warnings": all.len() - errors,
        "files_checked": 33,
        "fixable": fixable,
        "fixable_unsafe": 2,
    });
    assert_eq!(doc["summary"], want);
    assert!(run.stderr.is_empty(), "status stays off a machine format's streams:\n{}", run.stderr);
}

/// The violations fixture with the `register` line of `LoginExecutor` deleted from the auth
/// feature's `mod.rs` (what a CI sees as the one changed file).
fn without_login_registration() -> Fixture {
    let fx = fixture("violations");
    let auth = fx.read("src/features/auth/mod.rs");
    let kept: Vec<&str> = auth.lines().filter(|l| !l.contains("LoginExecutor")).collect();
    assert_ne!(kept.len(), auth.lines().count(), "{auth}");
    fx.write("src/features/auth/mod.rs", &(kept.join("\n") + "\n"));
    fx
}

#[test]
fn a_changed_file_selects_the_findings_about_it_seen_across_the_project() {
    let fx = without_login_registration();
    let run = fx.orch(&["lint", "src/features/auth/mod.rs", "--format", "json"]);
    run.expect_code(1);
    let got: Vec<_> = findings(&run).iter().map(located).collect();
    assert!(
        got.contains(&("registration".into(), "src/features/auth/executors/login.rs".into(), Some((9, 15)))),
        "the deleted register line is caught through the file that lost it:\n{}",
        run.transcript()
    );
    // besides, only the cross-file findings of that feature (what the change may have caused)
    assert!(got.iter().all(|(_, path, _)| path.starts_with("src/features/auth/")), "{got:?}");
    assert!(!got.iter().any(|(rule, ..)| rule == "type-naming" || rule == "boundaries"), "{got:?}");
    assert_eq!(report(&run)["summary"]["files_checked"], 1);
    // a `mod` line missing from the changed file: the orphan it leaves is reported
    let run = fx.orch(&["lint", "src/features/auth/jobs/mod.rs", "--format", "json"]);
    run.expect_code(1);
    let got: Vec<_> = findings(&run).iter().map(located).collect();
    assert!(
        got.contains(&("orphan-module".into(), "src/features/auth/jobs/session.rs".into(), None)),
        "{got:?}"
    );
    let human = fx.orch(&["lint", "src/features/auth/mod.rs"]);
    human.expect_code(1);
    assert!(human.stderr.contains(" in 1 file;"), "{}", human.stderr);
}

#[test]
fn deleted_paths_are_accepted_and_select_the_findings_about_them() {
    let fx = fixture("violations");
    // `mod refunds;` in billing names a file that is gone (CI passes the deleted path)
    let run = fx.orch(&["lint", "src/features/billing/refunds.rs", "--format", "json"]);
    run.expect_code(1);
    let got: Vec<_> = findings(&run).iter().map(located).collect();
    assert!(
        got.contains(&("missing-module".into(), "src/features/billing/mod.rs".into(), Some((12, 9)))),
        "{got:?}"
    );
    assert!(got.iter().all(|(_, path, _)| path.starts_with("src/features/billing/")), "{got:?}");
    assert_eq!(report(&run)["summary"]["files_checked"], 0);
    // a deleted file outside the features that nothing names selects nothing: a clean run
    // that says what it did
    let run = fx.refused(&["lint", "src/gone.rs"], 0);
    assert!(run.stderr.contains("src/gone.rs does not exist"), "{}", run.stderr);
    assert!(run.stderr.contains("0 files checked, no findings"), "{}", run.stderr);
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    let fx = fixture("clean");
    fx.write("orch.toml", "[paths]\ncore = \"src/core\"\n");
    fx.write(
        "src/features/billing/events/charged.rs",
        "#[derive(Debug, Clone)]\npub struct ChargedEvent {\n    pub cents: u64,\n}\n\npub struct GenericEvent;\n",
    );
    let run = fx.orch(&["lint"]);
    run.ok();
    assert!(run.stdout.starts_with("warning[god-event]: `GenericEvent`"), "{}", run.stdout);
    fx.orch(&["lint", "--deny-warnings"]).expect_code(1);
    fx.write("orch.toml", "[paths]\ncore = \"src/core\"\n[lint.rules]\ngod-event = \"off\"\n");
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
    // nothing written: the errors are still there, and the exit status says so
    let dry = fx.orch(&["lint", "--fix", "--unsafe", "--dry-run"]);
    dry.expect_code(1);
    assert_eq!(fx.tree("."), tree, "--dry-run wrote something");
    snapshot_settings().bind(|| insta::assert_snapshot!("lint_fix_dry_run", dry.transcript()));

    // `--fix` alone applies the safe fixes (wiring lines for compiled code) and says how to get
    // the executor and the orphan's `mod` line (code rustc has not compiled)
    let safe = fx.orch(&["lint", "--fix"]);
    safe.expect_code(1);
    assert!(
        safe.stderr.contains(
            "2 findings have an unsafe fix (new code, or a file rustc has not compiled): apply with `orch lint --fix --unsafe`"
        ),
        "{}",
        safe.transcript()
    );
    assert!(!fx.exists("src/features/auth/executors/refresh.rs"), "{}", safe.transcript());
    assert!(!fx.read("src/features/auth/events/mod.rs").contains("audited"), "{}", safe.transcript());
    assert!(fx.read("src/features/mod.rs").contains("auth::register(builder)?;"));

    let fixed = fx.orch(&["lint", "--fix", "--unsafe"]);
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
    let again = fx.orch(&["lint", "--fix", "--unsafe"]);
    again.ok();
    assert!(
        again.stderr.contains("nothing to fix: no finding has an automatic fix"),
        "{}",
        again.transcript()
    );
    if std::env::var_os("ORCH_E2E_SKIP").is_none() {
        cargo_test(&fx.root);
    }
}

#[test]
fn fix_on_the_violations_fixture_fixes_the_fixable_and_leaves_the_rest() {
    let fx = fixture("violations");
    let run = fx.orch(&["lint", "--fix", "--unsafe", "--format", "json"]);
    run.expect_code(1);
    let left: Vec<_> = findings(&run).iter().map(located).collect();
    // `RefreshJob` (and `SessionJob`, once declared) implement no `Job`: an executor for them
    // would not compile, so none is written, and the reason is given
    for job in ["refresh", "session"] {
        let pascal = format!("{}{}Job", job[..1].to_uppercase(), &job[1..]);
        assert!(
            run.stderr.contains(&format!(
                "warning: fix declined: src/features/auth/jobs/{job}.rs: no `impl Job for {pascal}`"
            )),
            "{}",
            run.transcript()
        );
        assert!(!fx.exists(&format!("src/features/auth/executors/{job}.rs")));
    }
    // what a generator can make is made; the rest needs a person
    for (rule, path, _) in &left {
        assert!(
            !matches!(
                (rule.as_str(), path.as_str()),
                ("registration", "src/features/auth/executors/logout.rs")
                    | ("registration", "src/features/mod.rs")
                    | ("orphan-module", _)
            ),
            "{rule} {path} was not fixed:\n{}",
            run.transcript()
        );
    }
    // 3 fixed; the declared orphan shows its own missing executor
    assert_eq!(left.len(), PLANTED.len() - 3 + 1, "{}", run.transcript());
    assert!(left.contains(&("pairing".into(), "src/features/auth/jobs/session.rs".into(), Some((2, 12)))));
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

/// Run orch with `args` in `fx`, its stdout a pipe whose reader is gone before orch writes
/// (`orch lint | head -0`): (exit code, stderr).
fn with_closed_stdout(fx: &Fixture, args: &[&str]) -> (i32, String) {
    let mut cmd = fx.command(args);
    cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("running orch");
    drop(child.stdout.take()); // the reader goes away: every write gets EPIPE
    let out = child.wait_with_output().expect("waiting for orch");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_closed_stdout_stops_the_output_but_not_the_exit_status() {
    let fx = fixture("violations");
    for format in ["human", "json", "github", "sarif"] {
        let (code, stderr) = with_closed_stdout(&fx, &["lint", "--format", format]);
        assert_eq!(code, 1, "--format {format}: errors are found whoever reads\n{stderr}");
        assert!(!stderr.contains("error:"), "--format {format}: a closed pipe is no error\n{stderr}");
    }
    // every command keeps the exit status of its result: doctor fails this project
    let doctor = fx.orch(&["doctor"]);
    doctor.expect_code(1);
    assert_eq!(with_closed_stdout(&fx, &["doctor"]).0, 1, "{}", doctor.transcript());
    // a clean run stays 0; another command's result too
    let clean = fixture("clean");
    assert_eq!(with_closed_stdout(&clean, &["lint"]).0, 0);
    assert_eq!(with_closed_stdout(&clean, &["lint", "--list-rules"]).0, 0);
}

#[test]
fn quiet_human_output_shows_only_what_fails_the_run() {
    let fx = fixture("violations");
    let run = fx.orch(&["lint", "-q"]);
    run.expect_code(1);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let full = fx.orch(&["lint"]);
    let errors = full.stdout.matches("\nerror[").count() + usize::from(full.stdout.starts_with("error["));
    assert_eq!(errors, planted_errors(), "{}", full.stdout);
    assert!(full.stdout.contains("warning[god-event]"), "{}", full.stdout);
    assert!(!run.stdout.contains("warning["), "-q prints no warning:\n{}", run.stdout);
    assert_eq!(run.stdout.matches("error[").count(), errors, "{}", run.stdout);
    // with --deny-warnings a warning fails the run, so it is shown
    let deny = fx.orch(&["lint", "-q", "--deny-warnings"]);
    deny.expect_code(1);
    assert!(deny.stdout.contains("warning[god-event]"), "{}", deny.stdout);
    // machine formats are complete whatever -q says
    let json = fx.orch(&["lint", "-q", "--format", "json"]);
    assert_eq!(findings(&json).len(), PLANTED.len());
}

#[test]
fn fix_with_a_machine_format_prints_that_format_on_stdout() {
    let fx = fixture("violations");
    let schema = sarif_validator();
    // a dry run: the plan goes to stderr, the findings as they are now to stdout
    let dry = fx.refused(&["lint", "--fix", "--dry-run", "--diff", "--format", "sarif"], 1);
    let doc: serde_json::Value = serde_json::from_str(&dry.stdout)
        .unwrap_or_else(|e| panic!("not SARIF ({e}):\n{}", dry.transcript()));
    assert!(schema.is_valid(&doc), "{}", dry.stdout);
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), PLANTED.len());
    assert!(dry.stderr.contains("+++ b/src/features/auth/mod.rs"), "{}", dry.stderr);
    // applied: what remains, in the format; the writer's status on stderr
    let run = fx.orch(&["lint", "--fix", "--format", "sarif"]);
    run.expect_code(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not SARIF ({e}):\n{}", run.transcript()));
    assert!(schema.is_valid(&doc), "{}", run.stdout);
    // the two safe fixes (`register` lines) applied; the orphan's `mod` line and the executor
    // are unsafe fixes (`--unsafe`)
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), PLANTED.len() - 2, "{}", run.stdout);
    assert!(run.stdout.contains("src/features/auth/jobs/session.rs"), "{}", run.stdout);
    assert!(run.stderr.contains("done lint --fix"), "{}", run.stderr);
    let github = fx.orch(&["lint", "--fix", "--diff", "--format", "github"]);
    github.expect_code(1);
    assert!(
        github.stdout.lines().all(|l| l.starts_with("::error ") || l.starts_with("::warning ")),
        "{}",
        github.stdout
    );
    assert_eq!(github.stdout.lines().count(), PLANTED.len() - 2);
}

/// The official SARIF 2.1.0 schema, compiled.
fn sarif_validator() -> jsonschema::Validator {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

/// The fields GitHub code scanning and the SARIF 2.1.0 specification require of a result,
/// missing or of the wrong type in `doc` (JSON pointers).
fn missing_sarif_fields(doc: &serde_json::Value) -> Vec<String> {
    let mut missing = Vec::new();
    let mut need = |at: &str, ok: bool| {
        if !ok {
            missing.push(at.to_string());
        }
    };
    need("/version", doc["version"] == "2.1.0");
    need("/$schema", doc["$schema"].is_string());
    let runs = doc["runs"].as_array().cloned().unwrap_or_default();
    need("/runs", !runs.is_empty());
    for (r, run) in runs.iter().enumerate() {
        let driver = &run["tool"]["driver"];
        need(&format!("/runs/{r}/tool/driver/name"), driver["name"].is_string());
        need(&format!("/runs/{r}/tool/driver/version"), driver["version"].is_string());
        need(&format!("/runs/{r}/tool/driver/rules"), driver["rules"].is_array());
        for (i, result) in run["results"].as_array().into_iter().flatten().enumerate() {
            let at = format!("/runs/{r}/results/{i}");
            need(&format!("{at}/ruleId"), result["ruleId"].is_string());
            need(&format!("{at}/level"), result["level"].is_string());
            need(&format!("{at}/message/text"), result["message"]["text"].is_string());
            let locations = result["locations"].as_array().cloned().unwrap_or_default();
            need(&format!("{at}/locations"), !locations.is_empty());
            for (l, loc) in locations.iter().enumerate() {
                let physical = &loc["physicalLocation"];
                let uri = physical["artifactLocation"]["uri"].as_str();
                need(&format!("{at}/locations/{l}/physicalLocation/artifactLocation/uri"), uri.is_some());
                need(
                    &format!("{at}/locations/{l}/physicalLocation/region/startLine"),
                    physical["region"]["startLine"].as_u64().is_some_and(|n| n >= 1),
                );
            }
        }
    }
    missing
}

#[cfg(unix)]
#[test]
fn sarif_results_have_the_fields_code_scanning_requires() {
    use std::os::unix::ffi::OsStrExt;
    let fx = fixture("violations");
    // a file whose name is not UTF-8: its URI keeps its bytes
    std::fs::write(fx.path("src").join(std::ffi::OsStr::from_bytes(b"bad\xffname.rs")), "fn x() {}\n")
        .unwrap();
    let run = fx.orch(&["lint", "--format", "sarif"]);
    run.expect_code(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(missing_sarif_fields(&doc), Vec::<String>::new(), "{}", run.stdout);
    assert!(sarif_validator().is_valid(&doc));
    assert_eq!(doc["runs"][0]["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    let uris: Vec<&str> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap())
        .collect();
    assert!(uris.contains(&"src/bad%FFname.rs"), "{uris:?}");
    assert!(!uris.iter().any(|u| u.contains("%EF%BF%BD")), "no U+FFFD: {uris:?}");
    // the check itself finds what is missing
    let mut broken = doc.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        .as_object_mut()
        .unwrap()
        .remove("region");
    broken["runs"][0]["tool"]["driver"].as_object_mut().unwrap().remove("version");
    assert_eq!(
        missing_sarif_fields(&broken),
        ["/runs/0/tool/driver/version", "/runs/0/results/0/locations/0/physicalLocation/region/startLine"]
    );
}

#[test]
fn a_finding_on_a_huge_line_prints_a_window_of_it() {
    let fx = fixture("clean");
    fx.write("orch.toml", "[paths]\ncore = \"src/core\"\n");
    let line = format!("pub const PAD: &str = \"{}\"; pub struct GenericEvent;\n", "x".repeat(1_000_000));
    fx.write("src/features/billing/events/padded.rs", &line);
    let events = fx.read("src/features/billing/events/mod.rs");
    fx.write("src/features/billing/events/mod.rs", &format!("{events}mod padded;\n"));
    let run = fx.orch(&["lint"]);
    run.ok();
    assert!(
        run.stdout.starts_with("warning[god-event]: `GenericEvent`"),
        "{}",
        &run.stdout[..run.stdout.len().min(2000)]
    );
    assert!(run.stdout.len() < 2_000, "{} bytes for one finding", run.stdout.len());
    assert!(run.stdout.contains("| …xxx"), "cut before the column:\n{}", run.stdout);
    assert!(run.stdout.contains("xxx\"; pub struct GenericEvent;\n"), "{}", run.stdout);
    assert!(run.stdout.contains("^^^^^^^^^^^^"), "{}", run.stdout);
}

/// A generated project with a hand-written job: no `input` field, its own `Output`.
fn hand_written_job_project() -> Fixture {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    fx.write(
        "src/features/auth/jobs/refresh.rs",
        "//! A job written by hand.\n\nuse orch_runtime::Job;\n\n/// A session token.\n#[derive(Debug, Clone, Default)]\npub struct Token(pub String);\n\n/// Refreshes a session.\n#[derive(Debug, Clone)]\npub struct RefreshJob {\n    /// The token to refresh.\n    pub token: String,\n}\n\nimpl Job for RefreshJob {\n    type Output = Token;\n}\n",
    );
    let jobs = fx.read("src/features/auth/jobs/mod.rs");
    fx.write("src/features/auth/jobs/mod.rs", &jobs.replace("mod auth;\n", "mod auth;\npub mod refresh;\n"));
    fx
}

#[test]
fn fix_writes_an_executor_for_the_job_as_it_is() {
    let fx = hand_written_job_project();
    // the executor generates code: only with --unsafe
    let safe = fx.orch(&["lint", "--fix"]);
    safe.expect_code(1);
    assert!(safe.stderr.contains("apply with `orch lint --fix --unsafe`"), "{}", safe.transcript());
    assert!(!fx.exists("src/features/auth/executors/refresh.rs"));

    let fixed = fx.orch(&["lint", "--fix", "--unsafe"]);
    // the `Token` type in jobs/ is a finding of its own, left to the user
    fixed.expect_code(1);
    assert!(!fixed.stdout.contains("[pairing]"), "{}", fixed.transcript());
    let executor = fx.read("src/features/auth/executors/refresh.rs");
    // no `job.input` (the job has none), no made-up `Output = String`, no tests constructing
    // the job with a `new` it does not have
    assert!(!executor.contains("input"), "{executor}");
    assert!(!executor.contains("RefreshJob::"), "{executor}");
    assert!(executor.contains("Result<<RefreshJob as Job>::Output, JobError>"), "{executor}");
    assert!(executor.contains("use orch_runtime::{ExecContext, Executor, Job, JobError};"), "{executor}");
    assert!(fx.read("src/features/auth/jobs/mod.rs").contains("pub use refresh::RefreshJob;"));
    assert!(fx.read("src/features/auth/mod.rs").contains("register::<jobs::RefreshJob, _>"));
    // the output type is written out when it names only prelude types
    let fx = hand_written_job_project();
    let job = fx
        .read("src/features/auth/jobs/refresh.rs")
        .replace("type Output = Token;", "type Output = Vec<String>;");
    fx.write("src/features/auth/jobs/refresh.rs", &job);
    fx.orch(&["lint", "--fix", "--unsafe"]).expect_code(1);
    let executor = fx.read("src/features/auth/executors/refresh.rs");
    assert!(executor.contains("-> Result<Vec<String>, JobError>"), "{executor}");
    assert!(executor.contains("use orch_runtime::{ExecContext, Executor, JobError};"), "{executor}");
}

#[test]
fn fix_declines_an_executor_for_a_job_without_impl_job() {
    let fx = hand_written_job_project();
    let job = fx.read("src/features/auth/jobs/refresh.rs");
    let job = &job[..job.find("impl Job").unwrap()];
    fx.write("src/features/auth/jobs/refresh.rs", job.replace("use orch_runtime::Job;\n\n", "").as_str());
    let before = fx.files(".");
    let run = fx.orch(&["lint", "--fix", "--unsafe"]);
    // the one thing asked could not be done: exit 1, said so, nothing written
    run.expect_code(1);
    assert!(
        run.stderr.contains(
            "warning: fix declined: src/features/auth/jobs/refresh.rs: no `impl Job for RefreshJob`"
        ),
        "{}",
        run.transcript()
    );
    assert!(!run.stderr.contains("done lint --fix"), "{}", run.transcript());
    assert!(
        run.stderr
            .contains("1 finding has a fix that was declined (see the warnings above): fix them by hand"),
        "{}",
        run.transcript()
    );
    assert_eq!(fx.files("."), before, "a declined fix wrote something");
}

#[test]
fn fix_declares_keyword_file_names_raw_and_declines_names_that_are_not_identifiers() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    for name in ["type", "fetch-user", "odd,name:1"] {
        fx.write(&format!("src/features/auth/events/{name}.rs"), "//! An event.\n");
    }
    let lint = fx.orch(&["lint"]);
    lint.expect_code(1);
    // hints never suggest a line that does not compile
    assert!(lint.stdout.contains("add `mod r#type;` to src/features/auth/events/mod.rs"), "{}", lint.stdout);
    assert!(!lint.stdout.contains("mod fetch-user"), "{}", lint.stdout);
    assert!(!lint.stdout.contains("mod odd,name:1"), "{}", lint.stdout);
    assert!(
        lint.stdout.contains(
            "`fetch-user` is not a Rust identifier (ASCII letters, digits and `_`), so `orch lint --fix` does not declare it: rename the file to `fetch_user.rs`, then declare it with `mod fetch_user;` in src/features/auth/events/mod.rs, or delete it"
        ),
        "{}",
        lint.stdout
    );
    assert!(lint.stdout.contains("rename the file to `odd_name_1.rs`"), "{}", lint.stdout);

    let fixed = fx.orch(&["lint", "--fix", "--unsafe"]);
    fixed.expect_code(1);
    let events = fx.read("src/features/auth/events/mod.rs");
    assert!(events.contains("mod r#type;\n"), "{events}");
    assert!(!events.contains("fetch") && !events.contains("odd"), "{events}");
    assert!(fixed.stderr.contains("done lint --fix (1 fix)"), "{}", fixed.transcript());
    // the undeclarable ones stay reported, with the rename hint, and are not offered as fixes
    let left: Vec<_> = fixed.stdout.lines().filter(|l| l.starts_with("error[orphan-module]")).collect();
    assert_eq!(left.len(), 2, "{}", fixed.transcript());
    let again = fx.orch(&["lint", "--fix", "--unsafe"]);
    assert!(
        again.stderr.contains("nothing to fix: no finding has an automatic fix"),
        "{}",
        again.transcript()
    );
}

#[test]
fn fix_declines_a_fix_whose_tree_would_have_a_new_finding() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    // an orphan second executor for `AuthJob`: declaring it would give the job two executors
    fx.write(
        "src/features/auth/executors/other.rs",
        "use orch_runtime::{ExecContext, Executor, JobError};\n\nuse crate::features::auth::jobs::AuthJob;\n\n/// Another.\n#[derive(Debug)]\npub struct OtherExecutor;\n\nimpl Executor<AuthJob> for OtherExecutor {\n    async fn execute(&self, job: &AuthJob, _ctx: &ExecContext) -> Result<String, JobError> {\n        Ok(job.input.clone())\n    }\n}\n",
    );
    // and a fix that is fine on its own: the feature's `register` call removed
    let features = fx.read("src/features/mod.rs");
    fx.write("src/features/mod.rs", &features.replace("    auth::register(builder)?;\n", ""));
    // a dry run writes nothing: the findings are still there (exit 1)
    let orphan_fix = fx.orch(&["lint", "--fix", "--unsafe", "--dry-run"]);
    orphan_fix.expect_code(1);
    assert!(
        orphan_fix.stderr.contains(
            "warning: fix declined: src/features/auth/jobs/auth.rs: it would add a finding: error[pairing] at src/features/auth/jobs/auth.rs: job `AuthJob` has 2 executors"
        ),
        "{}",
        orphan_fix.transcript()
    );
    assert!(!orphan_fix.stdout.contains("executors/mod.rs"), "{}", orphan_fix.transcript());
    assert!(orphan_fix.stdout.contains("update src/features/mod.rs"), "{}", orphan_fix.transcript());
    let fixed = fx.orch(&["lint", "--fix"]);
    fixed.expect_code(1);
    assert!(fx.read("src/features/mod.rs").contains("auth::register(builder)?;"));
    assert!(!fx.read("src/features/auth/executors/mod.rs").contains("other"));
    assert!(fixed.stdout.contains("error[orphan-module]"), "{}", fixed.transcript());
}

#[test]
fn changed_paths_select_what_a_deleted_executor_leaves_behind_in_its_feature() {
    // what a pre-commit hook passes after `git rm` of an executor and its wiring
    let fx = fixture("clean");
    std::fs::remove_file(fx.path("src/features/auth/executors/login.rs")).unwrap();
    let executors = fx.read("src/features/auth/executors/mod.rs");
    fx.write(
        "src/features/auth/executors/mod.rs",
        &executors.replace("mod login;\n", "").replace("pub use login::LoginExecutor;\n", ""),
    );
    let feature = fx.read("src/features/auth/mod.rs");
    fx.write(
        "src/features/auth/mod.rs",
        &feature.replace("    builder.register::<jobs::LoginJob, _>(executors::LoginExecutor)?;\n", ""),
    );
    let changed = [
        "src/features/auth/executors/login.rs",
        "src/features/auth/executors/mod.rs",
        "src/features/auth/mod.rs",
    ];
    let run = fx.orch(&[&["lint", "--format", "json"][..], &changed[..]].concat());
    run.expect_code(1);
    let got: Vec<_> = findings(&run).iter().map(located).collect();
    assert!(
        got.iter().any(|(rule, path, _)| rule == "pairing" && path == "src/features/auth/jobs/login.rs"),
        "the job the deleted executor served is reported:\n{}",
        run.transcript()
    );
    // the same finding as a full run, and nothing from another feature
    let full = fx.orch(&["lint", "--format", "json"]);
    let all: Vec<_> = findings(&full).iter().map(located).collect();
    assert!(got.iter().all(|f| all.contains(f)), "{got:?}\n{all:?}");
    assert!(got.iter().all(|(_, path, _)| path.starts_with("src/features/auth/")), "{got:?}");
    // a changed file in another feature does not select them
    let other = fx.orch(&["lint", "src/features/billing/mod.rs"]);
    other.ok();
}

#[test]
fn fix_declines_what_would_not_build_a_duplicate_re_export_or_a_non_unit_executor() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    // a copy of a job file: declaring it would re-export `AuthJob` twice (E0252)
    fx.write("src/features/auth/jobs/auth_copy.rs", &fx.read("src/features/auth/jobs/auth.rs"));
    // an executor that needs values: `register(.., executors::AuthExecutor)` is no value (E0423)
    let feature = fx.read("src/features/auth/mod.rs");
    let line = "    builder.register::<jobs::AuthJob, _>(executors::AuthExecutor)?;\n";
    assert!(feature.contains(line), "{feature}");
    fx.write("src/features/auth/mod.rs", &feature.replace(line, ""));
    let executor = fx.read("src/features/auth/executors/auth.rs");
    let unit = executor.lines().find(|l| l.starts_with("pub struct AuthExecutor")).unwrap().to_string();
    fx.write(
        "src/features/auth/executors/auth.rs",
        &executor
            .replace(&unit, "pub struct AuthExecutor {\n    /// Where to log in.\n    pub base: String,\n}")
            .replace("Default, ", "")
            .replace(", Default", ""),
    );
    let before = fx.files(".");
    let run = fx.orch(&["lint", "--fix", "--unsafe"]);
    run.expect_code(1);
    assert_eq!(fx.files("."), before, "a declined fix wrote something:\n{}", run.transcript());
    assert!(
        run.stderr.contains("already has a `AuthJob`: re-exporting the one in src/features/auth/jobs/auth_copy.rs would not build (E0252)"),
        "{}",
        run.transcript()
    );
    assert!(run.stderr.contains("`AuthExecutor` is not a unit struct"), "{}", run.transcript());
}
