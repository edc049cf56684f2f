//! Refusals found by trying orch as a user on awkward projects: each would otherwise exit 0
//! and leave a project that does not build. Every one exits non-zero and leaves the tree as
//! it was.

use crate::support::Fixture;

/// Run `args` in `fx`, expect exit `code` (tree unchanged) and an error containing `needle`.
fn refused(fx: &Fixture, args: &[&str], code: i32, needle: &str) {
    let run = fx.refused(args, code);
    assert!(run.stderr.contains(needle), "orch {args:?}:\n{}", run.stderr);
}

#[test]
fn generators_need_the_runtime_dependency_not_just_orch_toml() {
    let fx = Fixture::cargo_bin("np");
    fx.write("orch.toml", "");
    refused(&fx, &["new", "feature", "ab"], 2, "does not depend on orch-runtime");
    refused(&fx, &["add", "executor", "up"], 2, "run `orch init`");
}

#[test]
fn init_refuses_a_core_module_that_shadows_core_paths() {
    let fx = Fixture::cargo_bin("np");
    fx.write("orch.toml", "[paths]\ncore = \"src/core\"\n");
    fx.write("src/main.rs", "use core::fmt::Write as _;\n\nfn main() {}\n");
    refused(&fx, &["init"], 2, "would shadow the `core` crate");
}

#[test]
fn init_refuses_proc_macro_crates() {
    let fx = Fixture::cargo_bin("pm");
    fx.write(
        "Cargo.toml",
        "[package]\nname = \"pm\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\nproc-macro = true\n",
    );
    fx.write("src/lib.rs", "//! Macros.\n");
    refused(&fx, &["init"], 2, "is a proc-macro crate");
}

#[test]
fn init_refuses_a_library_that_forbids_unused_code() {
    let fx = Fixture::cargo_bin("lib");
    fx.write("src/lib.rs", "//! A library.\n#![forbid(dead_code)]\n");
    std::fs::remove_file(fx.path("src/main.rs")).unwrap();
    refused(&fx, &["init"], 1, "the crate forbids `dead_code`");
    // Public modules are not dead code: `--public` works.
    fx.orch(&["init", "--public", "-q"]).ok();
}

#[test]
fn project_names_cargo_reserves_are_refused() {
    let fx = Fixture::new();
    for name in ["build", "deps", "examples", "incremental"] {
        refused(&fx, &["new", "project", name, "--vcs", "none"], 2, "cargo forbids a binary named");
    }
    // The directory may be called so when the package is not.
    fx.orch(&["new", "project", "build", "--name", "app", "--vcs", "none", "-q"]).ok();
}

#[test]
fn removing_a_component_re_exported_under_another_name_still_in_use_is_refused() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    fx.orch(&["add", "executor", "upload", "-q"]).ok();
    let executors = fx.read("src/shared/executors/mod.rs") + "pub use upload::UploadExecutor as Uploader;\n";
    fx.write("src/shared/executors/mod.rs", &executors);
    let main = fx.read("src/main.rs") + "\n#[allow(dead_code)]\nfn h(_: &shared::executors::Uploader) {}\n";
    fx.write("src/main.rs", &main);
    refused(&fx, &["remove", "executor", "upload"], 1, "src/main.rs:");
}
