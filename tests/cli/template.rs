//! `orch template init|list|check`, and custom templates that break.

use insta::assert_snapshot;

use crate::support::Fixture;

#[test]
fn init_copies_templates_and_list_shows_overrides() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    let run = fx.orch(&["template", "init", "-t", "executor"]);
    run.ok();
    assert_snapshot!("template_init_executor", run.transcript());
    assert_eq!(
        fx.read(".orch/templates/executor/executor.rs.tera"),
        orch::templates::builtin_source("executor/executor.rs.tera").unwrap()
    );
    let again = fx.orch(&["template", "init", "-t", "executor"]);
    again.ok();
    assert!(again.stderr.contains("already a copy of the built-in"), "{}", again.stderr);
    let run = fx.orch(&["template", "list"]);
    run.ok();
    assert_snapshot!("template_list", run.transcript());
    let run = fx.orch(&["template", "init", "-t", "nope"]);
    run.expect_code(2);
    assert!(run.stderr.contains("unknown template kind `nope`"), "{}", run.stderr);
}

#[test]
fn custom_templates_are_used_by_generation() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    fx.orch(&["template", "init", "-t", "event", "-q"]).ok();
    let rel = ".orch/templates/event/event.rs.tera";
    fx.write(rel, &format!("// Custom header.\n{}", fx.read(rel)));
    fx.orch(&["add", "event", "ping", "-q"]).ok();
    assert!(fx.read("src/shared/events/ping.rs").starts_with("// Custom header.\n"));
}

#[test]
fn a_custom_template_rendering_invalid_rust_writes_nothing() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    fx.orch(&["template", "init", "-t", "job", "-q"]).ok();
    fx.write(".orch/templates/job/job.rs.tera", "pub struct {{ pascal }}Job {\n    broken\n");
    let before = fx.snapshot();
    let run = fx.orch(&["add", "job", "x"]);
    run.expect_code(2);
    assert_snapshot!("template_renders_invalid_rust", run.transcript());
    assert_eq!(fx.snapshot(), before);
    let run = fx.orch(&["template", "check"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains(".orch/templates/job/job.rs.tera renders Rust that does not parse"),
        "{}",
        run.stderr
    );
    fx.write(".orch/templates/job/job.rs.tera", "{% if %}\n");
    let before = fx.snapshot();
    let run = fx.orch(&["add", "job", "x"]);
    run.expect_code(2);
    assert!(run.stderr.contains(".orch/templates/job/job.rs.tera does not parse"), "{}", run.stderr);
    assert_eq!(fx.snapshot(), before);
}

/// Slow (runs `cargo check` on a scratch project): one run of the built-ins and one with a
/// custom template that parses but does not compile, sharing one target directory.
#[test]
fn template_check_runs_cargo_check_and_names_the_failing_template() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    let target = std::env::temp_dir().join("orch-template-check-tests");
    let mut cmd = fx.command(&["template", "check"]);
    cmd.env("CARGO_TARGET_DIR", &target);
    let run = fx.run(cmd);
    run.ok();
    assert!(run.stderr.contains("cargo check: ok"), "{}", run.stderr);
    fx.orch(&["template", "init", "-t", "event", "-q"]).ok();
    let rel = ".orch/templates/event/event.rs.tera";
    fx.write(rel, &fx.read(rel).replace("pub message: String", "pub message: NoSuchType"));
    let mut cmd = fx.command(&["template", "check"]);
    cmd.env("CARGO_TARGET_DIR", &target);
    let run = fx.run(cmd);
    run.expect_code(1);
    assert!(run.stderr.contains("templates involved: .orch/templates/event/event.rs.tera"), "{}", run.stderr);
    assert!(run.stderr.contains("NoSuchType"), "{}", run.stderr);
}
