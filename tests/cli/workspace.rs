//! `orch lint` in cargo workspaces: at the root every member with an `orch.toml` is linted (paths
//! relative to where orch runs, exit status aggregated); `--workspace` and `-p NAME` like cargo;
//! a workspace without an orch member is a usage error.

use crate::support::{Fixture, Run};

/// A workspace with members `crates/app` (orch, one unregistered executor), `crates/web`
/// (orch, clean) and `crates/plain` (a cargo library without orch.toml).
fn workspace() -> Fixture {
    let fx = Fixture::new();
    fx.write("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n");
    std::fs::create_dir(fx.path("crates")).unwrap();
    for (name, feature) in [("app", &["--feature", "auth"][..]), ("web", &[])] {
        let mut args = vec!["new", "project", name, "-q", "--runtime-version", "0.1.0"];
        args.extend_from_slice(feature);
        args.push("--allow-unpublished-runtime");
        fx.orch_in("crates", &args).ok();
    }
    fx.write("crates/plain/Cargo.toml", "[package]\nname = \"plain\"\nversion = \"0.1.0\"\n");
    fx.write("crates/plain/src/lib.rs", "mod core;\n");
    fx.write("crates/plain/src/core/mod.rs", "pub struct Value;\n");
    let auth = fx.read("crates/app/src/features/auth/mod.rs");
    let kept: Vec<&str> = auth.lines().filter(|l| !l.contains("register::<jobs::AuthJob")).collect();
    fx.write("crates/app/src/features/auth/mod.rs", &(kept.join("\n") + "\n"));
    fx
}

fn paths(run: &Run) -> Vec<String> {
    let doc: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.transcript()));
    doc["findings"]
        .as_array()
        .expect("a findings array")
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn lint_at_a_workspace_root_lints_every_orch_member() {
    let fx = workspace();
    let run = fx.orch(&["lint"]);
    run.expect_code(1);
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.bind(|| insta::assert_snapshot!("workspace_lint_root", run.transcript()));

    let json = fx.orch(&["lint", "--format", "json"]);
    json.expect_code(1);
    assert_eq!(paths(&json), ["crates/app/src/features/auth/executors/auth.rs"]);
    // Both orch members are checked (the summary counts their files), the plain one is not
    // (its src/core is not the pattern's core).
    let app = fx.orch_in("crates/app", &["lint"]);
    let web = fx.orch_in("crates/web", &["lint"]);
    let count = |r: &Run| -> usize {
        let at = r.stderr.rfind(" files").unwrap_or_else(|| panic!("{}", r.stderr));
        r.stderr[..at].rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert_eq!(count(&run), count(&app) + count(&web), "{}\n{}\n{}", run.stderr, app.stderr, web.stderr);
    assert!(!run.stdout.contains("plain"), "{}", run.stdout);

    // Path arguments pick the member holding them; a clean member exits 0.
    fx.orch(&["lint", "crates/web"]).ok();
    fx.orch(&["lint", "crates/app/src"]).expect_code(1);
    // a plain member is in the workspace but no orch project: it selects nothing (see below)
    let run = fx.orch(&["lint", "crates/plain"]);
    run.ok();
    assert!(run.stderr.contains("note: crates/plain is in no linted orch member"), "{}", run.stderr);

    // Once fixed (each member with its own config and files), the whole workspace passes.
    fx.orch(&["lint", "--fix", "-q"]).ok();
    fx.orch(&["lint"]).ok();
}

#[test]
fn workspace_and_package_select_members_like_cargo() {
    let fx = workspace();
    // From inside a member, --workspace lints them all, paths relative to that member.
    let run = fx.orch_in("crates/web", &["lint", "--workspace", "--format", "json"]);
    run.expect_code(1);
    assert_eq!(paths(&run), ["../app/src/features/auth/executors/auth.rs"]);
    fx.orch_in("crates/web", &["lint"]).ok();
    fx.orch_in("crates/web", &["lint", "-p", "web"]).ok();
    let run = fx.orch(&["lint", "-p", "app", "--format", "json"]);
    run.expect_code(1);
    assert_eq!(paths(&run), ["crates/app/src/features/auth/executors/auth.rs"]);
    fx.orch(&["lint", "--package", "web"]).ok();

    let run = fx.refused(&["lint", "-p", "plain"], 2);
    assert!(run.stderr.contains("error: package `plain` is not an orch project"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: run `orch -C crates/plain init` to adopt it"), "{}", run.stderr);
    let run = fx.refused(&["lint", "-p", "nope"], 2);
    assert!(run.stderr.contains("package `nope` is not a member"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: members: app, plain, web"), "{}", run.stderr);

    let lone = Fixture::project(&["--runtime-version", "0.1.0"]);
    let run = lone.refused(&["lint", "--workspace"], 2);
    assert!(run.stderr.contains("is not in a cargo workspace"), "{}", run.stderr);
    assert!(run.stderr.contains("hint:"), "{}", run.stderr);
    // Looking for a workspace does not make a manifest lint never needed a new failure.
    let manifest = lone.read("Cargo.toml");
    lone.write("Cargo.toml", &format!("{manifest}\n[workspace\n"));
    lone.orch(&["lint"]).ok();
}

#[test]
fn a_workspace_without_an_orch_member_is_a_usage_error() {
    let fx = Fixture::new();
    fx.write("Cargo.toml", "[workspace]\nmembers = [\"plain\"]\n");
    fx.write("plain/Cargo.toml", "[package]\nname = \"plain\"\nversion = \"0.1.0\"\n");
    fx.write("plain/src/lib.rs", "mod core;\n");
    fx.write("plain/src/core/mod.rs", "pub struct Value;\n");
    let run = fx.refused(&["lint"], 2);
    assert!(run.stdout.is_empty(), "{}", run.transcript());
    assert!(
        run.stderr.contains("has no orch project: none of its members (plain) has an orch.toml"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hint: run `orch init` in a member"), "{}", run.stderr);
    fx.write("Cargo.toml", "[workspace]\nmembers = []\n");
    let run = fx.refused(&["lint"], 2);
    assert!(run.stderr.contains("has no orch project: it has no member packages"), "{}", run.stderr);
}

#[test]
fn a_baseline_is_per_project_not_per_workspace() {
    let fx = workspace();
    for args in [&["lint", "--baseline", "b.json"][..], &["lint", "-p", "app", "--baseline", "b.json"]] {
        let run = fx.refused(args, 2);
        assert!(run.stderr.contains("--baseline records the findings of one project"), "{}", run.stderr);
        assert!(run.stderr.contains("orch -C <member> lint --baseline"), "{}", run.stderr);
    }
    // in a member it works
    fx.orch_in("crates/app", &["lint", "--baseline", "b.json"]).ok();
    assert!(fx.exists("crates/app/b.json"));
}

#[test]
fn root_files_of_a_workspace_select_nothing_and_paths_outside_it_are_refused() {
    let fx = workspace();
    fx.write("README.md", "# workspace\n");
    // what a pre-commit hook passes for a commit touching only root files: a pass checking nothing
    for args in [
        &["lint", "Cargo.toml"][..],
        &["lint", "README.md", "crates/plain/src/lib.rs"],
        &["lint", "deleted.rs"],
        &["lint", "-p", "web", "crates/app/src/main.rs"],
    ] {
        let run = fx.refused(args, 0);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.transcript());
        for p in &args[1..] {
            if !p.starts_with('-') && *p != "web" {
                let note =
                    format!("note: {p} is in no linted orch member of the workspace: it selects nothing");
                assert!(run.stderr.contains(&note), "{args:?}: {}", run.stderr);
            }
        }
        assert!(run.stderr.contains("0 files"), "{args:?}: {}", run.stderr);
    }
    let run = fx.orch(&["lint", "Cargo.toml", "--format", "json"]);
    run.ok();
    assert!(paths(&run).is_empty(), "{}", run.transcript());
    // with a member's file among them, that member is linted as before
    let run = fx.orch(&[
        "lint",
        "Cargo.toml",
        "crates/app/src/features/auth/executors/auth.rs",
        "--format",
        "json",
    ]);
    run.expect_code(1);
    assert_eq!(paths(&run), ["crates/app/src/features/auth/executors/auth.rs"]);
    // outside the workspace: a usage error
    let run = fx.refused(&["lint", "../elsewhere.rs"], 2);
    assert!(
        run.stderr.contains("error: ../elsewhere.rs is outside the workspace at [ROOT]"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hint: "), "{}", run.stderr);
}

#[test]
fn workspace_findings_say_their_hints_are_member_relative() {
    let fx = workspace();
    let run = fx.orch(&["lint"]);
    run.expect_code(1);
    assert!(run.stdout.contains("--> crates/app/src/features/auth/executors/auth.rs"), "{}", run.stdout);
    assert!(run.stdout.contains("in src/features/auth/mod.rs"), "{}", run.stdout);
    assert!(
        run.stderr.contains("note: the hints of findings in crates/app/ name paths relative to crates/app"),
        "{}",
        run.stderr
    );
    // a clean member gets no note; from inside the member nothing is relocated
    assert!(!run.stderr.contains("crates/web"), "{}", run.stderr);
    let run = fx.orch_in("crates/app", &["lint", "--workspace"]);
    assert!(!run.stderr.contains("note: the hints"), "{}", run.stderr);
}
