//! `orch doctor`: every check passes on a generated project; broken setups fail or warn with a
//! hint; `--fix` repairs the safe ones; JSON output; exit codes.

use crate::support::{Fixture, Run};

fn checks(run: &Run) -> Vec<(String, String)> {
    let doc: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.transcript()));
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_string(), c["status"].as_str().unwrap().to_string()))
        .collect()
}

fn status<'a>(checks: &'a [(String, String)], id: &str) -> &'a str {
    checks.iter().find(|(i, _)| i == id).map(|(_, s)| s.as_str()).unwrap_or_else(|| panic!("no check {id}"))
}

#[test]
fn a_generated_project_passes_every_check() {
    let fx = Fixture::project(&["--feature", "auth"]);
    let run = fx.orch(&["doctor"]);
    run.ok();
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.bind(|| insta::assert_snapshot!("doctor_generated", run.transcript()));
    let json = fx.orch(&["doctor", "--format", "json"]);
    json.ok();
    assert!(checks(&json).iter().all(|(_, s)| s == "pass"), "{}", json.stdout);
}

#[test]
fn broken_setups_fail_with_hints_and_fix_repairs_the_safe_ones() {
    let fx = Fixture::project(&["--feature", "auth"]);
    // a drifted runtime, an unregistered executor and feature
    let lib = fx.read("vendor/orch-runtime/src/lib.rs");
    fx.write("vendor/orch-runtime/src/lib.rs", &format!("{lib}\n// local edit\n"));
    fx.write("vendor/orch-runtime/src/stale.rs", "// not part of the runtime\n");
    let auth = fx.read("src/features/auth/mod.rs");
    let kept: Vec<&str> = auth.lines().filter(|l| !l.contains("register::<jobs::AuthJob")).collect();
    fx.write("src/features/auth/mod.rs", &(kept.join("\n") + "\n"));
    let features = fx.read("src/features/mod.rs");
    fx.write("src/features/mod.rs", &features.replace("    auth::register(builder)?;\n", ""));

    let run = fx.orch(&["doctor", "--format", "json"]);
    run.expect_code(1);
    let c = checks(&run);
    assert_eq!(status(&c, "config"), "pass");
    assert_eq!(status(&c, "runtime"), "warn");
    assert_eq!(status(&c, "executors-registered"), "fail");
    assert_eq!(status(&c, "features-registered"), "fail");
    assert_eq!(status(&c, "manifest"), "pass");

    let human = fx.orch(&["doctor", "-v"]);
    human.expect_code(1);
    assert!(human.stdout.contains("FAIL  executors registered"), "{}", human.stdout);
    assert!(human.stdout.contains("src/features/auth/executors/auth.rs:"), "{}", human.stdout);
    assert!(
        human.stdout.contains("vendor/orch-runtime/src/stale.rs is not part of orch-runtime"),
        "{}",
        human.stdout
    );

    let tree = fx.tree(".");
    fx.orch(&["doctor", "--fix", "--dry-run"]).expect_code(1);
    assert_eq!(fx.tree("."), tree, "--dry-run wrote something");

    let fixed = fx.orch(&["doctor", "--fix"]);
    fixed.ok();
    let after = fx.orch(&["doctor", "--format", "json"]);
    after.ok();
    assert!(checks(&after).iter().all(|(_, s)| s == "pass"), "{}", after.stdout);
    assert!(!fx.exists("vendor/orch-runtime/src/stale.rs"));
    assert_eq!(fx.read("vendor/orch-runtime/src/lib.rs"), lib);
    fx.orch(&["lint"]).ok();
}

#[test]
fn a_corrupt_config_is_a_failed_check_not_a_crash() {
    let fx = Fixture::project(&[]);
    fx.write("orch.toml", "[paths\n");
    let run = fx.orch(&["doctor", "--format", "json"]);
    run.expect_code(1);
    assert_eq!(status(&checks(&run), "config"), "fail");
    fx.write("orch.toml", "[lint.rules]\nnaming = \"off\"\n");
    let run = fx.orch(&["doctor"]);
    run.expect_code(1);
    assert!(run.stdout.contains("unknown lint rule `naming`"), "{}", run.stdout);
}

#[test]
fn a_plain_cargo_project_is_not_an_orch_project() {
    let fx = Fixture::cargo_bin("plain");
    for args in [&["doctor"][..], &["doctor", "--fix"], &["doctor", "--format", "json"]] {
        let run = fx.refused(args, 2);
        assert!(run.stdout.is_empty(), "{}", run.transcript());
        assert!(run.stderr.contains("error: not an orch project: no orch.toml in [ROOT]"), "{}", run.stderr);
        assert!(run.stderr.contains("hint: run `orch init` to adopt this cargo project"), "{}", run.stderr);
    }
    // From a subdirectory too (the walk up finds the manifest, not an orch.toml).
    fx.orch_in("src", &["doctor"]).expect_code(2);
}

#[test]
fn a_cargo_project_with_only_an_orch_toml_is_told_how_to_adopt_the_layout() {
    let fx = Fixture::cargo_bin("plain");
    fx.write("orch.toml", "");
    let run = fx.orch(&["doctor", "--format", "json"]);
    run.expect_code(1);
    let c = checks(&run);
    assert_eq!(status(&c, "runtime-dependency"), "fail");
    assert_eq!(status(&c, "tokio-dependency"), "fail");
    assert_eq!(status(&c, "folders"), "fail");
    assert_eq!(status(&c, "entry-point"), "fail");
    let human = fx.orch(&["doctor"]);
    assert!(human.stdout.contains("run `orch init`"), "{}", human.stdout);
}

#[test]
fn outside_a_project_is_a_usage_error() {
    let fx = Fixture::new();
    let run = fx.orch(&["doctor"]);
    run.expect_code(2);
    assert!(run.stderr.contains("error: not an orch project: no orch.toml in [ROOT]"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: run `orch init` inside a cargo project"), "{}", run.stderr);
}
