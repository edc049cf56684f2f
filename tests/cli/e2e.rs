//! End to end: generate real projects with orch, then build, test, lint, format-check and run
//! them with cargo. Every generated project shares one target directory
//! (`$CARGO_TARGET_TMPDIR/e2e`, or `ORCH_E2E_TARGET_DIR`), and each is generated into a fresh
//! temporary directory, then mirrored into a stable directory outside the workspace (so no
//! parent `Cargo.toml` or `rustfmt.toml` applies) writing only files whose content changed:
//! unchanged sources keep their mtimes, so after the first build this takes seconds. Cargo runs
//! offline (the vendored runtime only needs tokio, tokio-util and tracing from the registry
//! cache); set `ORCH_E2E_ONLINE=1` to allow network access.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::Fixture;

fn target_dir() -> PathBuf {
    std::env::var_os("ORCH_E2E_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e"))
}

/// A stable directory for project `name`, outside the workspace, tied to the target directory.
fn stable_dir(name: &str) -> PathBuf {
    let key = crate::support::hash(target_dir().to_string_lossy().as_bytes());
    std::env::temp_dir().join(format!("orch-e2e-{key:016x}")).join(name)
}

/// Make `to` hold exactly the files of `from` (besides cargo's `Cargo.lock`), writing only
/// files whose content differs.
fn mirror(from: &Path, to: &Path) {
    let fresh = walk(from);
    for (rel, bytes) in &fresh {
        let target = to.join(rel);
        if std::fs::read(&target).ok().as_ref() != Some(bytes) {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(&target, bytes).unwrap();
        }
    }
    for rel in walk(to).into_keys() {
        if !fresh.contains_key(&rel) && rel != Path::new("Cargo.lock") {
            std::fs::remove_file(to.join(rel)).unwrap();
        }
    }
}

fn walk(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect()
}

/// Run `cargo args` in `dir`; panic with its output unless it succeeds. Returns stdout.
#[track_caller]
fn cargo(dir: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS");
    if std::env::var_os("ORCH_E2E_ONLINE").is_none() {
        cmd.env("CARGO_NET_OFFLINE", "true");
    }
    let output = cmd.output().expect("running cargo");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "`cargo {}` failed in {}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        args.join(" "),
        dir.display()
    );
    stdout
}

/// Test, lint and format-check the project at `dir`.
fn check(dir: &Path) {
    let tests = cargo(dir, &["test"]);
    assert!(tests.contains("test result: ok"), "{tests}");
    cargo(dir, &["clippy", "--all-targets", "--", "-D", "warnings"]);
    cargo(dir, &["fmt", "--check"]);
}

#[test]
fn generated_project_builds_tests_lints_formats_and_runs() {
    let fx = Fixture::new();
    fx.orch(&["new", "project", "hello", "--feature", "auth", "--feature", "cart"]).ok();
    for args in [
        vec!["add", "executor", "checkout", "--feature", "cart"],
        vec!["add", "orchestrator", "summary", "--feature", "cart"],
        vec!["add", "executor", "upload"],
    ] {
        fx.orch_in("hello", &args).ok();
    }
    let app = stable_dir("hello");
    mirror(&fx.path("hello"), &app);
    check(&app);
    let tests = cargo(&app, &["test"]);
    for test in [
        "features::auth::executors::auth::tests::job_in_events_out",
        "features::cart::executors::checkout::tests::job_in_events_out",
        "features::cart::orchestrators::summary::tests::a_failed_job_records_the_error",
        "core::executors::upload::tests::job_in_events_out",
    ] {
        assert!(tests.contains(&format!("test {test} ... ok")), "{test} did not run:\n{tests}");
    }
    let run = cargo(&app, &["run", "--quiet"]);
    assert!(
        run.contains(r#"registered job types: ["AuthJob", "CartJob", "CheckoutJob", "UploadJob"]"#),
        "{run}"
    );
    for line in
        ["auth: dispatched job", "auth: AuthState { running: false, finished: 1, output: Some(\"demo\")"]
    {
        assert!(run.contains(line), "demo output lacks {line:?}:\n{run}");
    }
    assert!(run.contains("cart: CartState { running: false, finished: 1"), "{run}");
}

#[test]
fn adopted_project_builds_tests_lints_and_formats() {
    let fx = Fixture::cargo_bin("adopted");
    fx.orch(&["init"]).ok();
    fx.orch(&["new", "feature", "inventory"]).ok();
    fx.orch(&["new", "feature", "audit", "--no-orchestrator"]).ok();
    fx.orch(&["add", "executor", "ping"]).ok();
    let app = stable_dir("adopted");
    mirror(&fx.root, &app);
    check(&app);
}

/// `cargo fmt` in `dir` (the project's own rustfmt configuration applies), as a project that
/// follows its configuration would be before orch is used in it.
fn cargo_fmt(dir: &Path) {
    cargo(dir, &["fmt"]);
}

/// The commands every "fits the project" test runs: a feature, components into it and into
/// core (an executor creating its job, an orchestrator, an event, a state).
fn generate_everything(fx: &Fixture) {
    for args in [
        &["new", "feature", "payments"][..],
        &["new", "feature", "audit", "--no-orchestrator"],
        &["add", "executor", "refund", "--feature", "payments"],
        &["add", "orchestrator", "summary", "--feature", "payments"],
        &["add", "event", "settled", "--feature", "payments"],
        &["add", "state", "ledger", "--feature", "payments"],
        &["add", "orchestrator", "ledger", "--feature", "payments"],
        &["add", "job", "ping"],
        &["add", "executor", "upload"],
    ] {
        fx.orch(args).ok();
    }
}

/// A generated project with its own rustfmt configuration (`tab_spaces = 2`, `max_width =
/// 80`; then `hard_tabs` in a `.rustfmt.toml`): created files follow it, wiring edits copy
/// their neighbours' indentation, and `cargo fmt --check` passes.
#[test]
fn generated_code_follows_the_projects_rustfmt_config() {
    for (name, file, config) in [
        ("narrow", "rustfmt.toml", "tab_spaces = 2\nmax_width = 80\n"),
        ("tabs", ".rustfmt.toml", "hard_tabs = true\n"),
    ] {
        let mut fx = Fixture::new();
        fx.orch(&["new", "project", name, "--feature", "auth", "-q"]).ok();
        fx.root = fx.path(name);
        fx.write(file, config);
        cargo_fmt(&fx.root);
        generate_everything(&fx);
        let app = stable_dir(name);
        mirror(&fx.root, &app);
        check(&app);
    }
}

/// Adopted crates of editions 2018 and 2021: the generated code compiles, its tests pass,
/// and it is clippy- and rustfmt-clean under that edition (style edition 2015: another
/// import order). Edition 2015 is refused: the generated code needs `async fn`.
#[test]
fn generated_code_fits_editions_2018_and_2021_and_refuses_2015() {
    for edition in ["2018", "2021"] {
        let name = format!("edition{edition}");
        let fx = Fixture::cargo_bin(&name);
        let manifest =
            fx.read("Cargo.toml").replace("edition = \"2024\"", &format!("edition = \"{edition}\""));
        fx.write("Cargo.toml", &manifest);
        fx.orch(&["init", "-q"]).ok();
        generate_everything(&fx);
        let app = stable_dir(&name);
        mirror(&fx.root, &app);
        check(&app);
    }
    let fx = Fixture::cargo_bin("old");
    let manifest = fx.read("Cargo.toml").replace("edition = \"2024\"\n", "");
    fx.write("Cargo.toml", &manifest);
    let tree = fx.tree(".");
    let run = fx.orch(&["init"]);
    run.expect_code(2);
    assert!(run.stderr.contains("edition 2015 is not supported"), "{}", run.stderr);
    assert_eq!(fx.tree("."), tree);
}

/// Projects with a strict lint configuration, denied with `-D warnings`: `clippy::pedantic`
/// and `missing_docs` in `[lints]` of a generated binary, then in the crate root of a library.
#[test]
fn generated_code_passes_pedantic_clippy_and_missing_docs() {
    let fx = Fixture::project(&[]);
    let manifest = fx.read("Cargo.toml")
        + "\n[lints.rust]\nmissing_docs = \"warn\"\nunsafe_code = \"forbid\"\n\n\
           [lints.clippy]\npedantic = { level = \"warn\", priority = -1 }\n";
    fx.write("Cargo.toml", &manifest);
    generate_everything(&fx);
    fx.orch(&["new", "feature", "bare", "--no-job", "--no-orchestrator"]).ok();
    let app = stable_dir("pedantic");
    mirror(&fx.root, &app);
    check(&app);

    // The same lints switched on in the crate root of an adopted library.
    let fx = Fixture::cargo_bin("pedantic_lib");
    std::fs::remove_file(fx.path("src/main.rs")).unwrap();
    fx.write("src/lib.rs", "//! A library.\n\n#![warn(clippy::pedantic, missing_docs)]\n");
    fx.orch(&["init", "-q"]).ok();
    generate_everything(&fx);
    let app = stable_dir("pedantic_lib");
    mirror(&fx.root, &app);
    check(&app);
}

/// Names of the longest accepted length (64 characters): laid out by rustfmt, so the project
/// still passes `cargo fmt --check` (and builds, tests and lints).
#[test]
fn the_longest_names_build_lint_and_format() {
    let fx = Fixture::project(&[]);
    let feature = format!("f{}", "e".repeat(crate_max_len() - 1));
    let component = format!("c{}", "o".repeat(crate_max_len() - 1));
    fx.orch(&["new", "feature", &feature]).ok();
    fx.orch(&["add", "executor", &component, "--feature", &feature]).ok();
    fx.orch(&["add", "orchestrator", &component, "--feature", &feature]).ok();
    fx.orch(&["add", "executor", &component]).ok();
    let app = stable_dir("long");
    mirror(&fx.root, &app);
    check(&app);
}

fn crate_max_len() -> usize {
    orch::names::MAX_LEN
}
