//! Generators: `orch new project`, `orch new feature`, `orch add` — the trees they write, their
//! output, their options, idempotency and dry runs.

use insta::assert_snapshot;

use crate::support::Fixture;

#[test]
fn new_project_writes_the_layout_with_a_vendored_runtime() {
    let fx = Fixture::new();
    let run = fx.orch(&["new", "project", "hello"]);
    run.ok();
    assert_snapshot!("new_project_output", run.transcript_folding_runtime());
    assert_snapshot!("new_project_tree", fx.tree("hello"));
    // The vendored runtime is exactly the embedded source.
    for (path, text) in orch::templates::runtime_files().unwrap() {
        let rel = format!("hello/vendor/orch-runtime/{}", path.display());
        assert_eq!(fx.read(&rel), text, "{rel}");
    }
}

#[test]
fn new_project_with_a_feature_writes_the_whole_feature() {
    let fx = Fixture::new();
    fx.orch(&["new", "project", "shop", "--feature", "Auth"]).ok();
    assert_snapshot!("new_project_with_feature_tree", fx.tree("shop/src"));
}

#[test]
fn new_project_runtime_alternatives() {
    let fx = Fixture::new();
    fx.orch(&["new", "project", "by-version", "--runtime-version", "0.1", "--allow-unpublished-runtime"])
        .ok();
    assert!(!fx.exists("by-version/vendor"));
    let runtime = format!("{}/crates/orch-runtime", env!("CARGO_MANIFEST_DIR"));
    fx.write("sub/.keep", "");
    fx.orch_in("sub", &["new", "project", "by_path", "--runtime-path", &runtime]).ok();
    assert!(!fx.exists("sub/by_path/vendor"));
    let rel_runtime = orch::generate::relative_path(
        std::path::Path::new(&runtime).canonicalize().unwrap().as_path(),
        &fx.path("sub/by_path"),
    );
    let mut manifests = String::new();
    for file in
        ["by-version/Cargo.toml", "by-version/orch.toml", "sub/by_path/Cargo.toml", "sub/by_path/orch.toml"]
    {
        let text = fx.read(file).replace(&rel_runtime.display().to_string(), "[RUNTIME]");
        manifests.push_str(&format!("== {file}\n{text}"));
    }
    assert_snapshot!("new_project_runtime_alternatives", manifests);
    let run = fx.orch(&["new", "project", "x", "--runtime-path", "nowhere"]);
    run.expect_code(2);
    assert!(run.stderr.contains("--runtime-path nowhere: no Cargo.toml there"), "{}", run.stderr);
    let both = fx.orch(&["new", "project", "y", "--runtime-path", ".", "--runtime-version", "1"]);
    both.expect_code(2);
}

#[test]
fn runtime_version_is_refused_while_the_runtime_is_unpublished() {
    let fx = Fixture::cargo_bin("app");
    let before = fx.snapshot();
    let mut out = String::new();
    for args in
        [&["new", "project", "x", "--runtime-version", "0.1"][..], &["init", "--runtime-version", "0.1"]]
    {
        let run = fx.orch(args);
        run.expect_code(2);
        assert_eq!(fx.snapshot(), before, "orch {args:?} changed the tree");
        out.push_str(&format!("### orch {}\n{}", args.join(" "), run.transcript()));
    }
    assert_snapshot!("runtime_version_unpublished", out);
}

#[test]
fn new_project_inside_a_workspace_that_does_not_list_it_builds_standalone() {
    let fx = Fixture::new();
    fx.write("ws/Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
    fx.write("ws/crates/.keep", "");
    let run = fx.orch_in("ws", &["new", "project", "hello"]);
    run.ok();
    assert!(run.stderr.contains("is a cargo workspace that does not list this project"), "{}", run.stderr);
    assert!(fx.read("ws/hello/Cargo.toml").ends_with("\n[workspace]\n"));
    // cargo accepts the project (before the table: "believes it's in a workspace when it's not").
    let metadata = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--offline", "--format-version", "1"])
        .current_dir(fx.path("ws/hello"))
        .output()
        .unwrap();
    assert!(metadata.status.success(), "{}", String::from_utf8_lossy(&metadata.stderr));
    // A member (matched by a glob) joins the workspace: no table, no note.
    let member = fx.orch_in("ws/crates", &["new", "project", "lib-a"]);
    member.ok();
    assert!(!member.stderr.contains("workspace"), "{}", member.stderr);
    assert!(!fx.read("ws/crates/lib-a/Cargo.toml").contains("[workspace]"));
}

#[test]
fn new_project_name_option_sets_the_package_name() {
    let fx = Fixture::new();
    let run = fx.orch(&[
        "new",
        "project",
        "cart",
        "--name",
        "example-cart",
        "--runtime-version",
        "0.1",
        "--allow-unpublished-runtime",
    ]);
    run.ok();
    assert!(run.stderr.contains("done project `example-cart`"), "{}", run.stderr);
    assert!(fx.read("cart/Cargo.toml").starts_with("[package]\nname = \"example-cart\"\n"));
    assert!(fx.read("cart/src/main.rs").starts_with("//! example-cart: "));
    // The package name is checked like the project name, and nothing is written.
    for (bad, why) in [("tokio", "is the name of a crate it uses"), ("a/b", "path separators")] {
        let run = fx.orch(&["new", "project", "other", "--name", bad]);
        run.expect_code(2);
        assert!(run.stderr.contains(why), "{}", run.stderr);
        assert!(!fx.exists("other"));
    }
}

#[test]
fn new_project_accepts_relative_and_absolute_paths() {
    let fx = Fixture::new();
    let run = fx.orch(&["new", "project", "path/to/app", "--vcs", "none"]);
    run.ok();
    assert!(run.stderr.contains("cd path/to/app && cargo run"), "{}", run.stderr);
    assert!(fx.read("path/to/app/Cargo.toml").starts_with("[package]\nname = \"app\"\n"));
    let absolute = fx.path("elsewhere/deep/my-tool");
    let run = fx
        .orch_in("path", &["new", "project", absolute.to_str().unwrap(), "--name", "tool", "--vcs", "none"]);
    run.ok();
    assert!(fx.read("elsewhere/deep/my-tool/Cargo.toml").starts_with("[package]\nname = \"tool\"\n"));
    // An existing destination is refused, and nothing is written (no parent directories either).
    let before = fx.snapshot();
    for args in [&["new", "project", "path/to/app"][..], &["new", "project", "new/parents/app", "--dry-run"]]
    {
        let run = fx.orch(args);
        assert_eq!(fx.snapshot(), before, "orch {args:?} changed the tree");
        if args.contains(&"--dry-run") {
            run.ok();
        } else {
            run.expect_code(1);
            assert!(run.stderr.contains("path/to/app: destination already exists"), "{}", run.stderr);
        }
    }
}

#[test]
fn flags_that_would_do_nothing_are_not_accepted() {
    let fx = Fixture::cargo_bin("app");
    let before = fx.snapshot();
    for args in [
        &["init", "--force"][..],
        &["new", "project", "x", "--force"],
        &["new", "project", "x", "--diff"],
        &["new", "feature", "x", "--overwrite-edited"],
    ] {
        let run = fx.orch(args);
        run.expect_code(2);
        assert_eq!(fx.snapshot(), before, "orch {args:?} changed the tree");
    }
}

#[test]
fn new_project_initialises_a_git_repository_unless_inside_one() {
    let fx = Fixture::new();
    fx.orch(&["new", "project", "alone", "-q"]).ok();
    assert!(fx.path("alone/.git").is_dir(), "no repository initialised");
    fx.orch(&["new", "project", "plain", "-q", "--vcs", "none"]).ok();
    assert!(!fx.exists("plain/.git"));
    // Inside a work tree: no nested repository (like `cargo new`).
    fx.orch_in("alone", &["new", "project", "nested", "-q"]).ok();
    assert!(!fx.exists("alone/nested/.git"));
    // Without git: a note, and the project is complete.
    let empty = Fixture::new();
    let mut cmd = fx.command(&["new", "project", "no-git"]);
    cmd.env("PATH", &empty.root);
    let run = fx.run(cmd);
    run.ok();
    assert!(run.stderr.contains("note git is not installed"), "{}", run.stderr);
    assert!(fx.exists("no-git/Cargo.toml") && !fx.exists("no-git/.git"));
}

#[test]
fn new_feature_creates_and_wires_a_feature() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    let before = fx.files(".");
    let run = fx.orch(&["new", "feature", "fetch-user"]);
    run.ok();
    assert_snapshot!("new_feature_output", run.transcript());
    assert_snapshot!("new_feature_changes", Fixture::changes(&before, &fx.files(".")));
}

#[test]
fn new_feature_parts_can_be_skipped() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    let mut out = String::new();
    for (name, flags) in [
        ("no_job", vec!["--no-job"]),
        ("no_event", vec!["--no-event"]),
        ("no_executor", vec!["--no-executor"]),
        ("no_orchestrator", vec!["--no-orchestrator"]),
        ("bare", vec!["--no-job", "--no-event", "--no-orchestrator"]),
    ] {
        let mut args = vec!["new", "feature", name];
        args.extend(flags.iter().copied());
        let run = fx.orch(&args);
        run.ok();
        out.push_str(&format!("### orch {}\n{}", args.join(" "), run.stderr));
        out.push_str(&fx.listing(&format!("src/features/{name}")));
        out.push_str(&format!(
            "== src/features/{name}/mod.rs\n{}",
            fx.read(&format!("src/features/{name}/mod.rs"))
        ));
    }
    assert_snapshot!("new_feature_parts", out);
}

#[test]
fn new_feature_path_option_places_the_feature_elsewhere() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    let before = fx.files(".");
    let run = fx.orch(&["new", "feature", "billing", "-o", "src/modules", "--no-orchestrator"]);
    run.ok();
    assert_snapshot!(
        "new_feature_path_option",
        format!("{}{}", run.stderr, Fixture::changes(&before, &fx.files(".")))
    );
    let bad = fx.orch(&["new", "feature", "x", "-o", "../elsewhere"]);
    bad.expect_code(2);
    let outside_src = fx.orch(&["new", "feature", "x", "-o", "lib/features"]);
    outside_src.expect_code(2);
    assert!(outside_src.stderr.contains("is not under src/"), "{}", outside_src.stderr);
}

/// `-o` directories that would not build or that orch's own lint rejects are refused (exit 2)
/// before anything is written: src/bin (cargo's binaries, E0601), src/lib and src/main (rustc's
/// `special_module_name`), a last component equal to the feature's name (clippy::module_inception), a directory inside a feature.
#[test]
fn new_feature_path_option_refuses_directories_that_would_not_build() {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "auth"]);
    let before = fx.files(".");
    let mut out = String::new();
    for dir in ["src/bin", "src/bin/tools", "src/lib", "src/main/x", "src/shared/pay3", "src/features/auth"] {
        let run = fx.orch(&["new", "feature", "pay3", "-o", dir]);
        run.expect_code(2);
        out.push_str(&run.stderr);
    }
    assert_eq!(Fixture::changes(&before, &fx.files(".")), "");
    assert_snapshot!(out, @"
    error: -o/--path src/bin: cargo treats src/bin/ as binary targets, not modules
      hint: pick a module directory such as `-o src/modules`
    error: -o/--path src/bin/tools: cargo treats src/bin/ as binary targets, not modules
      hint: pick a module directory such as `-o src/modules`
    error: -o/--path src/lib: src/lib/ would be declared as a module named after cargo's crate root src/lib.rs
      hint: pick a module directory such as `-o src/modules`
    error: -o/--path src/main/x: src/main/ would be declared as a module named after cargo's crate root src/main.rs
      hint: pick a module directory such as `-o src/modules`
    error: -o/--path src/shared/pay3: the feature would be a module `pay3` inside a module `pay3` (clippy::module_inception)
      hint: pass the parent directory, e.g. `-o src/modules` creates src/modules/<name>/
    error: -o/--path src/features/auth: is inside a feature of src/features; features do not nest
      hint: omit -o to create it in the features directory, or pick a directory outside it
    ");
}

/// A feature whose module is declared with `#[path]` (the user renamed its folder) or inline:
/// orch cannot generate into it (module path and folder differ), so `add` and `new feature`
/// refuse (exit 2, nothing written) instead of writing unresolved paths or an unreachable folder.
#[test]
fn features_declared_with_path_or_inline_are_refused() {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "auth", "--feature", "cart"]);
    std::fs::rename(fx.path("src/features/cart"), fx.path("src/features/shopping_cart")).unwrap();
    let features = fx
        .read("src/features/mod.rs")
        .replace("pub mod cart;", "#[path = \"shopping_cart/mod.rs\"]\npub mod cart;\npub mod inline {}");
    fx.write("src/features/mod.rs", &features);
    let before = fx.files(".");
    let mut out = String::new();
    for args in [
        &["add", "executor", "checkout", "--feature", "shopping_cart"][..],
        &["add", "executor", "checkout", "--feature", "cart"],
        &["new", "feature", "cart"],
        &["new", "feature", "inline"],
    ] {
        let run = fx.orch(args);
        run.expect_code(2);
        out.push_str(&run.stderr);
    }
    assert_eq!(Fixture::changes(&before, &fx.files(".")), "");
    assert_snapshot!(out, @r#"
    error: src/features/mod.rs: feature `shopping_cart` is the folder of module `cart` (`#[path = "shopping_cart/mod.rs"]`), not of a module `shopping_cart`; orch generates only into a feature whose folder is named as its module
      hint: make the folder and the module name match: `git mv src/features/shopping_cart src/features/cart` and a plain `pub mod cart;`
    error: src/features/mod.rs: feature `cart` is declared with `#[path = "shopping_cart/mod.rs"]`; orch generates only into a feature whose folder is named as its module
      hint: make the folder and the module name match: `git mv src/features/shopping_cart src/features/cart` and a plain `pub mod cart;`
    error: src/features/mod.rs: feature `cart` is declared with `#[path = "shopping_cart/mod.rs"]`; orch generates only into a feature whose folder is named as its module
      hint: make the folder and the module name match: `git mv src/features/shopping_cart src/features/cart` and a plain `pub mod cart;`
    error: src/features/mod.rs: feature `inline` is declared inline (`mod inline { … }`); orch generates only into a feature whose folder is named as its module
      hint: pick another name, or move its code to src/features/inline/mod.rs and declare `pub mod inline;`
    "#);
}

#[test]
fn add_executor_creates_the_missing_job_and_registers_it_in_core() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    let before = fx.files(".");
    let run = fx.orch(&["add", "executor", "upload"]);
    run.ok();
    assert_snapshot!("add_core_executor_output", run.transcript());
    assert_snapshot!("add_core_executor_changes", Fixture::changes(&before, &fx.files(".")));
}

#[test]
fn add_infers_the_feature_from_the_working_directory() {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "cart"]);
    let before = fx.files(".");
    fx.orch_in("src/features/cart/jobs", &["add", "orchestrator", "checkout"]).ok();
    fx.orch_in("src/features/cart", &["add", "event", "CheckoutEvent"]).ok();
    fx.orch(&["add", "job", "checkout", "--feature", "cart"]).ok();
    assert_snapshot!("add_into_feature_changes", Fixture::changes(&before, &fx.files(".")));
}

#[test]
fn a_standalone_state_is_reused_by_a_later_orchestrator() {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "cart"]);
    let before = fx.files(".");
    fx.orch(&["add", "state", "basket", "--feature", "cart"]).ok();
    fx.orch(&["add", "orchestrator", "basket", "--feature", "cart"]).ok();
    assert_snapshot!("add_state_then_orchestrator_changes", Fixture::changes(&before, &fx.files(".")));
    let clash = fx.orch(&["add", "state", "cart", "--feature", "cart"]);
    clash.expect_code(1);
    assert!(clash.stderr.contains("`CartState` already exists"), "{}", clash.stderr);
}

#[test]
fn second_runs_report_already_exists_and_change_nothing() {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "auth"]);
    fx.orch(&["add", "executor", "upload"]).ok();
    let before = fx.snapshot();
    let mut out = String::new();
    for args in [
        vec!["new", "feature", "auth"],
        vec!["add", "executor", "upload"],
        vec!["add", "job", "auth", "--feature", "auth"],
    ] {
        let run = fx.orch(&args);
        run.expect_code(1);
        out.push_str(&format!("### orch {}\n{}", args.join(" "), run.transcript()));
        assert_eq!(fx.snapshot(), before, "orch {args:?} changed the tree");
    }
    let again = fx.orch_in("..", &["new", "project", "app"]);
    again.expect_code(1);
    out.push_str(&format!("### orch new project app (again)\n{}", again.transcript()));
    assert_snapshot!("already_exists", out);
}

#[test]
fn force_regenerates_missing_files_without_duplicating_wiring() {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "auth"]);
    fx.orch(&["add", "executor", "upload", "--feature", "auth"]).ok();
    let before = fx.snapshot();
    std::fs::remove_file(fx.path("src/features/auth/jobs/auth.rs")).unwrap();
    std::fs::remove_file(fx.path("src/features/auth/executors/upload.rs")).unwrap();
    fx.orch(&["new", "feature", "auth", "--force"]).ok();
    fx.orch(&["add", "executor", "upload", "--feature", "auth", "--force"]).ok();
    // Missing files are back, unchanged ones rewritten as they were, wiring not duplicated.
    assert_eq!(fx.snapshot(), before);
}

#[test]
fn force_refuses_to_overwrite_edited_files_unless_told() {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "auth"]);
    let pristine = fx.read("src/features/auth/orchestrators/auth.rs");
    let edited = pristine.replacen("pub struct", "/// Mine.\npub struct", 1);
    fx.write("src/features/auth/orchestrators/auth.rs", &edited);
    fx.write("src/features/auth/jobs/upload.rs", "// written by hand\n");
    let before = fx.snapshot();
    let mut out = String::new();
    for args in [
        &["new", "feature", "auth", "--force"][..],
        &["add", "job", "upload", "--feature", "auth", "--force"],
    ] {
        let run = fx.orch(args);
        run.expect_code(1);
        assert_eq!(fx.snapshot(), before, "orch {args:?} changed the tree");
        out.push_str(&format!("### orch {}\n{}", args.join(" "), run.transcript()));
    }
    assert_snapshot!("force_refuses_edited", out);
    // --overwrite-edited needs --force, and replaces them (then they count as generated again).
    fx.orch(&["new", "feature", "auth", "--overwrite-edited"]).expect_code(2);
    let run = fx.orch(&["new", "feature", "auth", "--force", "--overwrite-edited"]);
    run.ok();
    assert!(run.stderr.contains("--overwrite-edited: replacing src/features/auth/orchestrators/auth.rs"));
    assert_eq!(fx.read("src/features/auth/orchestrators/auth.rs"), pristine);
    // The record knows the replaced file as generated again: `orch remove` deletes it unasked.
    std::fs::remove_file(fx.path("src/features/auth/jobs/upload.rs")).unwrap();
    fx.orch(&["remove", "feature", "auth", "-q"]).ok();
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    let before = fx.snapshot();
    let human = fx.orch(&["new", "feature", "auth", "--dry-run"]);
    human.ok();
    let diff = fx.orch(&["add", "executor", "upload", "--dry-run", "--diff"]);
    diff.ok();
    let json = fx.orch(&["new", "feature", "auth", "--dry-run", "--format", "json"]);
    json.ok();
    assert_eq!(fx.snapshot(), before, "a dry run wrote something");
    let parsed: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON plan");
    assert_eq!(parsed["applied"], false);
    assert_eq!(parsed["operations"].as_array().map(Vec::len), Some(10));
    assert_snapshot!("dry_run_human", human.transcript());
    assert_snapshot!("dry_run_diff", diff.transcript());
    assert_snapshot!("dry_run_json", json.transcript());
    let project = Fixture::new();
    project.orch(&["new", "project", "p", "--dry-run"]).ok();
    assert!(project.snapshot().len() == 1, "new project --dry-run created files");
}

#[test]
fn json_output_after_applying() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    let run = fx.orch(&["add", "job", "ping", "--format", "json"]);
    run.ok();
    assert_snapshot!("add_job_json", run.transcript());
}

#[test]
fn quiet_prints_nothing_and_names_any_spelling_the_same() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    for (i, spelling) in ["FetchUser", "fetch-user", "fetch_user"].iter().enumerate() {
        let run = fx.orch(&["-q", "add", "job", spelling]);
        if i == 0 {
            run.ok();
            assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
        } else {
            run.expect_code(1);
            assert!(
                run.stderr.contains("src/shared/jobs/fetch_user.rs: job `FetchUserJob` already exists"),
                "{}",
                run.stderr
            );
        }
    }
}

#[test]
fn a_missing_name_without_a_terminal_fails_naming_the_argument() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    let before = fx.snapshot();
    let mut out = String::new();
    for args in [
        vec!["new", "feature"],
        vec!["new", "feature", "-i"],
        vec!["add", "job"],
        vec!["add"],
        vec!["new", "project"],
    ] {
        let run = fx.orch(&args);
        run.expect_code(2);
        out.push_str(&format!("### orch {}\n{}", args.join(" "), run.transcript()));
    }
    assert_eq!(fx.snapshot(), before);
    assert_snapshot!("missing_names", out);
}

#[test]
fn project_template_overrides_win() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    fx.write(
        ".orch/templates/job/job.rs.tera",
        "//! custom job {{ pascal }}Job for {{ owner }}\npub struct {{ pascal }}Job;\n",
    );
    fx.orch(&["add", "job", "ping"]).ok();
    assert_eq!(fx.read("src/shared/jobs/ping.rs"), "//! custom job PingJob for core\npub struct PingJob;\n");
    fx.write(".orch/templates/event/event.rs.tera", "{% if %}");
    let run = fx.orch(&["add", "event", "pong"]);
    run.expect_code(2);
    assert!(run.stderr.contains(".orch/templates/event/event.rs.tera does not parse"), "{}", run.stderr);
    assert!(!fx.exists("src/shared/events/pong.rs"));
}

#[test]
fn generators_need_an_orch_project() {
    let fx = Fixture::cargo_bin("plain");
    let before = fx.snapshot();
    let run = fx.orch(&["new", "feature", "auth"]);
    run.expect_code(2);
    assert_snapshot!("not_an_orch_project", run.transcript());
    assert_eq!(fx.snapshot(), before);
}

#[test]
fn wiring_into_hand_edited_files_only_inserts_lines() {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "cart"]);
    let features = fx.read("src/features/mod.rs").replace(
        "pub mod cart;\n",
        "// Shopping.\npub mod cart;\n\n/// Written by hand.\npub fn helper() -> u32 {\n    42 // the answer\n}\n",
    );
    fx.write("src/features/mod.rs", &features);
    let cart = fx.read("src/features/cart/mod.rs").replace(
        "    builder.register::<jobs::CartJob, _>(executors::CartExecutor)?;\n",
        "    // Checkout comes later.\n    builder.register::<jobs::CartJob, _>(executors::CartExecutor)?;\n",
    ) + "\n/// Also by hand.\npub const LIMIT: usize = 3;\n";
    fx.write("src/features/cart/mod.rs", &cart);
    let before = fx.files(".");
    fx.orch(&["new", "feature", "auth"]).ok();
    fx.orch(&["add", "executor", "checkout", "--feature", "cart"]).ok();
    fx.orch(&["add", "executor", "apply_coupon", "--feature", "cart"]).ok();
    let after = fx.files(".");
    for path in ["src/features/mod.rs", "src/features/cart/mod.rs"] {
        let old = String::from_utf8(before[path].clone()).unwrap();
        let new = String::from_utf8(after[path].clone()).unwrap();
        let diff = similar::TextDiff::from_lines(&old, &new);
        assert!(
            diff.iter_all_changes().all(|c| c.tag() != similar::ChangeTag::Delete),
            "{path}: a line was removed or changed\n{}",
            diff.unified_diff()
        );
    }
    let only = |files: std::collections::BTreeMap<String, Vec<u8>>| -> std::collections::BTreeMap<_, _> {
        files
            .into_iter()
            .filter(|(p, _)| p == "src/features/mod.rs" || p == "src/features/cart/mod.rs")
            .collect()
    };
    assert_snapshot!("hand_edited_wiring", Fixture::changes(&only(before), &only(after)));
}
