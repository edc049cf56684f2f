//! Names never shadow crates: a feature or component module named like a built-in crate or a
//! dependency of the package is refused (exit 2, hint, nothing written).

use insta::assert_snapshot;

use crate::support::Fixture;

#[test]
fn names_that_shadow_a_crate_are_refused() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    let manifest = fx.read("Cargo.toml").replace(
        "[dependencies]\n",
        "[dependencies]\nserde_json = \"1\"\nrt = { package = \"orch-runtime\", path = \"x\" }\n",
    );
    fx.write("Cargo.toml", &manifest);
    let mut out = String::new();
    for args in [
        &["new", "feature", "orch_runtime"][..],
        &["new", "feature", "orch-runtime"],
        &["new", "feature", "tokio"],
        &["new", "feature", "std"],
        &["new", "feature", "alloc"],
        &["new", "feature", "proc-macro"],
        &["new", "feature", "serde-json"],
        &["new", "feature", "app"],
        &["add", "job", "rt"],
        &["add", "executor", "tokio", "--feature", "x"],
    ] {
        let before = fx.snapshot();
        let run = fx.orch(args);
        run.expect_code(2);
        assert_eq!(fx.snapshot(), before, "{args:?}");
        out.push_str(&format!("### orch {}\n{}", args.join(" "), run.stderr));
    }
    assert_snapshot!("names_shadowing_crates", out);
    // Names that only contain a crate's name are fine.
    fx.orch(&["new", "feature", "tokio_jobs", "-q"]).ok();
}

#[test]
fn new_projects_refuse_features_named_like_a_crate() {
    let fx = Fixture::new();
    for args in [
        &["new", "project", "shop", "--feature", "tokio"][..],
        &["new", "project", "shop", "--feature", "shop"],
    ] {
        fx.orch(args).expect_code(2);
        assert!(!fx.exists("shop"), "{args:?}");
    }
}
