//! `orch remove`: the exact inverse of the generators, refusals on edited files, `--force`.

use insta::assert_snapshot;

use crate::support::Fixture;

#[test]
fn new_feature_then_remove_feature_is_byte_identical() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    let before = fx.snapshot();
    fx.orch(&["new", "feature", "fetch-user"]).ok();
    assert!(fx.exists(".orch/generated.toml"));
    let run = fx.orch(&["remove", "feature", "fetch-user"]);
    run.ok();
    assert_snapshot!("remove_feature_output", run.transcript());
    assert_eq!(fx.snapshot(), before);
}

#[test]
fn feature_in_another_directory_round_trips_with_the_module_it_created() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    let before = fx.snapshot();
    // The first feature in src/modules creates src/modules/mod.rs and `pub mod modules;`.
    fx.orch(&["new", "feature", "billing", "-o", "src/modules", "-q"]).ok();
    fx.orch(&["new", "feature", "invoices", "-o", "./src/modules", "-q"]).ok();
    let with_both = fx.snapshot();
    // Without -o the feature is looked for in the configured features directory.
    fx.orch(&["remove", "feature", "billing"]).expect_code(1);
    assert_eq!(fx.snapshot(), with_both);
    // The module still declares `invoices`: it stays.
    fx.orch(&["remove", "feature", "billing", "-o", "src/modules", "-q"]).ok();
    assert!(fx.exists("src/modules/mod.rs"));
    assert!(fx.read("src/main.rs").contains("pub mod modules;"));
    fx.orch(&["remove", "feature", "invoices", "-o", "src/modules", "-q"]).ok();
    assert_eq!(fx.snapshot(), before);
    // -o is for features only.
    let run = fx.orch(&["remove", "job", "x", "-o", "src/modules"]);
    run.expect_code(2);
    assert!(run.stderr.contains("-o/--path applies to `orch remove feature` only"), "{}", run.stderr);
}

#[test]
fn a_features_module_the_user_wired_into_main_is_kept() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    fx.orch(&["new", "feature", "billing", "-o", "src/modules", "-q"]).ok();
    let main = fx.read("src/main.rs")
        + "\nfn wire(b: &mut orch_runtime::DispatcherBuilder) {\n    let _ = modules::register(b);\n}\n";
    fx.write("src/main.rs", &main);
    let run = fx.orch(&["remove", "feature", "billing", "-o", "src/modules"]);
    run.ok();
    assert!(
        run.stderr.contains("kept src/modules/mod.rs: src/main.rs still uses `modules`"),
        "{}",
        run.stderr
    );
    assert!(fx.exists("src/modules/mod.rs"));
    assert_eq!(fx.read("src/main.rs"), main);
}

#[test]
fn the_record_is_deleted_with_its_last_entry() {
    let fx = Fixture::cargo_bin("app");
    fx.orch(&["init", "-q", "--runtime-version", "0.1", "--allow-unpublished-runtime"]).ok();
    let before = fx.snapshot();
    fx.orch(&["new", "feature", "auth", "-q"]).ok();
    fx.orch(&["remove", "feature", "auth", "-q"]).ok();
    assert_eq!(fx.snapshot(), before);
}

#[test]
fn core_executor_round_trip_removes_the_job_it_created() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    let before = fx.snapshot();
    fx.orch(&["add", "executor", "upload"]).ok();
    assert!(fx.exists("src/shared/jobs/upload.rs"));
    let run = fx.orch(&["remove", "executor", "upload"]);
    run.ok();
    assert_snapshot!("remove_core_executor_output", run.transcript());
    assert_eq!(fx.snapshot(), before);
}

#[test]
fn every_component_kind_round_trips_in_a_feature() {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "shop"]);
    for kind in ["job", "event", "executor", "orchestrator", "state"] {
        let before = fx.snapshot();
        fx.orch(&["add", kind, "extra", "--feature", "shop", "-q"]).ok();
        assert_ne!(fx.snapshot(), before, "{kind}");
        fx.orch(&["remove", kind, "extra", "--feature", "shop", "-q"]).ok();
        assert_eq!(fx.snapshot(), before, "{kind}");
    }
}

#[test]
fn component_added_to_a_hand_edited_feature_round_trips_and_keeps_user_edits() {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "auth"]);
    // Hand edits in the files the add and remove will touch, and elsewhere.
    let edit = |rel: &str, f: &dyn Fn(String) -> String| fx.write(rel, &f(fx.read(rel)));
    edit("src/features/auth/mod.rs", &|s| {
        s.replace("pub mod jobs;\n", "pub mod jobs;\n// my note about jobs\n")
    });
    edit("src/features/auth/jobs/mod.rs", &|s| format!("{s}\n/// Handy alias.\npub type Id = u64;\n"));
    edit("src/features/auth/executors/mod.rs", &|s| format!("// mine\n{s}"));
    let before = fx.snapshot();
    fx.orch(&["add", "executor", "refresh", "--feature", "auth", "-q"]).ok();
    assert!(fx.read("src/features/auth/mod.rs").contains("RefreshJob"));
    let run = fx.orch(&["remove", "executor", "refresh", "--feature", "auth"]);
    run.ok();
    assert_snapshot!("remove_from_hand_edited_feature_output", run.transcript());
    assert_eq!(fx.snapshot(), before);
    assert!(fx.read("src/features/auth/jobs/mod.rs").contains("pub type Id = u64;"));
}

#[test]
fn edited_files_are_refused_with_a_diff_unless_forced() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    fx.orch(&["new", "feature", "auth", "-q"]).ok();
    let rel = "src/features/auth/jobs/auth.rs";
    fx.write(rel, &fx.read(rel).replace("    /// What to work on.\n", "    /// What to work on (edited).\n"));
    fx.write("src/features/auth/notes.md", "mine\n");
    let run = fx.refused(&["remove", "feature", "auth"], 1);
    assert_snapshot!("remove_refused_edited", run.transcript());
    fx.orch(&["remove", "feature", "auth", "--force", "-q"]).ok();
    assert!(!fx.exists("src/features/auth"));
    assert!(!fx.read("src/features/mod.rs").contains("auth"));
}

#[test]
fn removing_a_type_still_in_use_is_refused() {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "auth"]);
    let run = fx.refused(&["remove", "job", "auth", "--feature", "auth"], 1);
    assert_snapshot!("remove_refused_in_use", run.transcript());
}

#[test]
fn dry_run_and_missing_components() {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "auth"]);
    let before = fx.snapshot();
    let run = fx.orch(&["remove", "executor", "auth", "--feature", "auth", "--dry-run", "--diff"]);
    run.ok();
    assert!(
        run.stdout.contains(
            "-    builder.register::<jobs::AuthJob, _>(executors::AuthExecutor)?;\n+    let _ = builder;\n"
        ),
        "{}",
        run.stdout
    );
    let run = fx.orch(&["remove", "executor", "auth", "--feature", "auth", "--dry-run"]);
    run.ok();
    assert_snapshot!("remove_dry_run", run.transcript());
    assert_eq!(fx.snapshot(), before);
    let run = fx.orch(&["remove", "job", "nope", "--feature", "auth"]);
    run.expect_code(1);
    assert_snapshot!("remove_missing", run.transcript());
    let run = fx.orch(&["remove", "feature", "nope"]);
    run.expect_code(1);
    assert!(run.stderr.contains("feature `nope` not found"), "{}", run.stderr);
}

/// Under a project's own rustfmt configuration the created files are formatted (not as the
/// templates render them), and `orch remove` still undoes every generation byte for byte,
/// including a features module it created in another directory.
#[test]
fn remove_undoes_generations_formatted_by_the_projects_rustfmt_config() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    for (config, indent) in [("tab_spaces = 2\nmax_width = 80\n", "\n  "), ("hard_tabs = true\n", "\n\t")] {
        fx.write("rustfmt.toml", config);
        let before = fx.snapshot();
        fx.orch(&["new", "feature", "billing", "-q"]).ok();
        assert!(fx.read("src/features/billing/jobs/billing.rs").contains(&format!("{indent}pub input")));
        fx.orch(&["add", "executor", "refund", "--feature", "billing", "-q"]).ok();
        // The wiring edit copies the indentation of the file it edits.
        let wired = fx.read("src/features/billing/mod.rs");
        assert!(wired.contains(&format!("{indent}builder.register::<jobs::RefundJob, _>")), "{wired}");
        fx.orch(&["add", "job", "ping", "-q"]).ok();
        fx.orch(&["new", "feature", "invoices", "-o", "src/modules", "-q"]).ok();
        for args in [
            &["remove", "feature", "invoices", "-o", "src/modules"][..],
            &["remove", "job", "ping"],
            &["remove", "executor", "refund", "--feature", "billing"],
            &["remove", "feature", "billing"],
        ] {
            fx.orch(args).ok();
        }
        assert_eq!(fx.snapshot(), before, "{config}");
    }
}

/// An edited file formatted by the project's rustfmt configuration when it was generated: the
/// refusal shows the diff against what orch wrote (formatted), not against the template.
#[test]
fn refusals_diff_against_the_formatted_file_orch_wrote() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    fx.write("rustfmt.toml", "tab_spaces = 2\n");
    fx.orch(&["new", "feature", "auth", "-q"]).ok();
    let rel = "src/features/auth/jobs/auth.rs";
    fx.write(rel, &fx.read(rel).replace("  /// What to work on.\n", "  /// What to work on (edited).\n"));
    let run = fx.orch(&["remove", "feature", "auth"]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("-  /// What to work on.\n+  /// What to work on (edited).\n"),
        "{}",
        run.stderr
    );
}

fn two_features() -> Fixture {
    Fixture::project(&["--runtime-version", "0.1", "--feature", "auth", "--feature", "cart"])
}

/// B1: code outside the removed feature that still names it blocks the removal, listed by
/// file and line; the tree is left as it was.
#[test]
fn removing_a_feature_other_code_uses_is_refused() {
    let fx = two_features();
    let shared =
        fx.read("src/shared/mod.rs") + "pub use crate::features::auth::jobs::AuthJob as SharedAuthJob;\n";
    fx.write("src/shared/mod.rs", &shared);
    let cart = fx.read("src/features/cart/mod.rs")
        + "\n/// From auth.\npub type E = super::auth::events::AuthEvent;\n// features::auth in a comment is no use\npub const S: &str = \"features::auth\";\n";
    fx.write("src/features/cart/mod.rs", &cart);
    let before = fx.snapshot();
    let run = fx.orch(&["remove", "feature", "auth"]);
    run.expect_code(1);
    assert_snapshot!(run.transcript(), @"
    exit: 1
    --- stdout
    --- stderr
    error: 2 file(s) still use what this removes; nothing was changed
      src/features/cart/mod.rs:45: still uses `features::auth`, which this removes
      src/shared/mod.rs:21: still uses `features::auth`, which this removes
      hint: remove those uses first (the project would not compile without them), then run the command again
    ");
    assert_eq!(fx.snapshot(), before);
    // `--force` gives up edits, never the build: the uses still refuse it.
    let run = fx.orch(&["remove", "feature", "auth", "--force"]);
    run.expect_code(1);
    assert!(run.stderr.contains("still use what this removes"), "{}", run.stderr);
    assert_eq!(fx.snapshot(), before);
}

/// B1: the feature's calls moved into a helper: `cart::register` left there blocks the removal.
#[test]
fn removing_a_feature_called_from_a_helper_is_refused() {
    let fx = two_features();
    let features = fx.read("src/features/mod.rs").replace(
        "    auth::register(builder)?;\n    cart::register(builder)?;\n    Ok(())\n}\n",
        "    register_all(builder)\n}\n\nfn register_all(builder: &mut DispatcherBuilder) -> Result<(), RegisterError> {\n    auth::register(builder)?;\n    cart::register(builder)?;\n    Ok(())\n}\n",
    );
    assert!(features.contains("fn register_all"));
    fx.write("src/features/mod.rs", &features);
    let run = fx.refused(&["remove", "feature", "cart"], 1);
    assert_snapshot!(run.transcript(), @"
    exit: 1
    --- stdout
    --- stderr
    error: 1 file(s) still use what this removes; nothing was changed
      src/features/mod.rs:19: still uses `features::cart`, which this removes
      hint: remove those uses first (the project would not compile without them), then run the command again
    ");
}

/// B2: a removed type named in another feature blocks the removal; a longer identifier, a
/// comment or a string naming it does not.
#[test]
fn removing_a_component_another_feature_uses_is_refused() {
    let fx = two_features();
    fx.orch(&["add", "executor", "login", "--feature", "auth", "-q"]).ok();
    let shared = fx.read("src/shared/mod.rs")
        + "\n/// Not the executor (LoginExecutor).\npub struct LoginExecutorExt;\npub const S: &str = \"LoginExecutor\";\n";
    fx.write("src/shared/mod.rs", &shared);
    let cart = fx.read("src/features/cart/mod.rs")
        + "\n/// Alias.\npub type L = crate::features::auth::executors::LoginExecutor;\n";
    fx.write("src/features/cart/mod.rs", &cart);
    let run = fx.refused(&["remove", "executor", "login", "--feature", "auth"], 1);
    assert_snapshot!(run.transcript(), @"
    exit: 1
    --- stdout
    --- stderr
    error: 1 file(s) still use what this removes; nothing was changed
      src/features/cart/mod.rs:45: still uses `LoginExecutor`, which this removes
      hint: remove those uses first (the project would not compile without them), then run the command again
    ");
    // Without the alias, the look-alikes in shared/ do not block it.
    fx.write(
        "src/features/cart/mod.rs",
        &cart.replace("pub type L = crate::features::auth::executors::LoginExecutor;\n", ""),
    );
    fx.orch(&["remove", "executor", "login", "--feature", "auth", "-q"]).ok();
}

/// B2: the refusal lists the uses outside the component's feature too.
#[test]
fn a_refused_event_removal_lists_uses_in_other_features() {
    let fx = two_features();
    let cart = fx.read("src/features/cart/mod.rs")
        + "\n/// From auth.\npub type E = crate::features::auth::events::AuthEvent;\n";
    fx.write("src/features/cart/mod.rs", &cart);
    // The package's tests count too.
    fx.write("tests/it.rs", "//! Test.\n\ntype E = app::features::auth::AuthEvent;\n");
    let run = fx.refused(&["remove", "event", "auth", "--feature", "auth"], 1);
    assert!(run.stderr.contains("src/features/cart/mod.rs:"), "{}", run.stderr);
    assert!(run.stderr.contains("tests/it.rs:3: still uses `AuthEvent`"), "{}", run.stderr);
    assert!(run.stderr.contains("src/features/auth/"), "{}", run.stderr);
}

/// B8: a call nested in the user's code (a `match`, an `if`) is not orch's to cut: refused with
/// the line to edit by hand, nothing written.
#[test]
fn a_wiring_call_nested_in_user_code_is_refused() {
    let fx = two_features();
    let calls = "    auth::register(builder)?;\n    cart::register(builder)?;\n    Ok(())\n";
    let original = fx.read("src/features/mod.rs");
    assert!(original.contains(calls));
    let with_match = original.replace(
        calls,
        "    match std::env::var(\"MODE\").as_deref() {\n        Ok(\"all\") => {\n            auth::register(builder)?;\n            cart::register(builder)?;\n        }\n        _ => auth::register(builder)?,\n    }\n    Ok(())\n",
    );
    fx.write("src/features/mod.rs", &with_match);
    let before = fx.snapshot();
    let run = fx.orch(&["remove", "feature", "auth"]);
    run.expect_code(1);
    assert_snapshot!(run.transcript(), @"
    exit: 1
    --- stdout
    --- stderr
    error: src/features/mod.rs: `fn register` has `auth::register(..)` inside other code (line 16): orch removes only a call that is a statement of its own
      hint: remove `auth::register(..)` from line 16 by hand, then run the command again
    ");
    assert_eq!(fx.snapshot(), before);

    let with_if = original.replace(
        calls,
        "    auth::register(builder)?;\n    if std::env::var(\"NO_CART\").is_ok() {\n        Ok(())\n    } else {\n        cart::register(builder)\n    }\n",
    );
    fx.write("src/features/mod.rs", &with_if);
    let run = fx.refused(&["remove", "feature", "cart"], 1);
    assert!(run.stderr.contains("`cart::register(..)` inside other code (line "), "{}", run.stderr);
}

/// A grouped re-export in a folder `mod.rs` is orch's wiring: the removed entry goes, the
/// others stay.
#[test]
fn a_grouped_re_export_loses_only_the_removed_entry() {
    let fx = two_features();
    fx.orch(&["add", "job", "login", "--feature", "auth", "-q"]).ok();
    let rel = "src/features/auth/jobs/mod.rs";
    let jobs = fx.read(rel);
    assert!(jobs.contains("pub use auth::AuthJob;\npub use login::LoginJob;\n"), "{jobs}");
    fx.write(
        rel,
        &jobs.replace(
            "pub use auth::AuthJob;\npub use login::LoginJob;\n",
            "pub use {auth::AuthJob, login::LoginJob};\n",
        ),
    );
    fx.orch(&["remove", "job", "login", "--feature", "auth", "-q"]).ok();
    let after = fx.read(rel);
    assert!(after.contains("pub use {auth::AuthJob};\n"), "{after}");
    assert!(!after.contains("login"), "{after}");
}

/// Components of the same name in two places are two types: removing one is not blocked by
/// the other's own code (it is by code that names the removed one's module).
#[test]
fn a_component_of_the_same_name_elsewhere_does_not_block_the_removal() {
    let fx = two_features();
    fx.orch(&["add", "executor", "upload", "-q"]).ok();
    fx.orch(&["add", "executor", "upload", "--feature", "cart", "-q"]).ok();
    fx.orch(&["add", "executor", "upload", "--feature", "auth", "-q"]).ok();
    fx.orch(&["remove", "executor", "upload", "--feature", "auth", "-q"]).ok();
    assert!(!fx.exists("src/features/auth/executors/upload.rs"));
    assert!(fx.exists("src/features/cart/executors/upload.rs"));
    assert!(fx.exists("src/shared/executors/upload.rs"));
    let cart = fx.read("src/features/cart/mod.rs")
        + "\n/// Auth's.\npub type U = crate::features::auth::jobs::AuthJob;\n";
    fx.write("src/features/cart/mod.rs", &cart);
    let run = fx.refused(&["remove", "job", "auth", "--feature", "auth"], 1);
    assert!(run.stderr.contains("src/features/cart/mod.rs:"), "{}", run.stderr);
}
