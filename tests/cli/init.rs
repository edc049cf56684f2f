//! `orch init`: adopting existing cargo projects in place, never overwriting.

use insta::assert_snapshot;

use crate::support::Fixture;

const MANIFEST: &str = r#"# Inventory service: keeps stock levels in sync with the warehouse.
[package]
name = "inventory"
version = "0.3.1"   # bump on every release
edition = "2024"
authors = ["Ops <ops@example.com>"]

[dependencies]
# HTTP client for the warehouse API
reqwest = { version = "0.12", default-features = false }
serde = { version = "1", features = ["derive"] }  # derive only

[dev-dependencies]
pretty_assertions = "1"

[profile.release]
lto = true # small binaries
"#;

const MAIN: &str = r#"//! Inventory service entry point.
#![warn(missing_docs)]

// Configuration is read from the environment.
mod config;

use std::process::ExitCode;

/// Start the service.
fn main() -> ExitCode {
    let cfg = config::load();
    println!("inventory: {cfg:?}"); // keep this line
    ExitCode::SUCCESS
}
"#;

fn real_looking_project() -> Fixture {
    let fx = Fixture::new();
    fx.write("Cargo.toml", MANIFEST);
    fx.write("src/main.rs", MAIN);
    fx.write("src/config.rs", "//! Config.\n\n/// Load it.\npub fn load() -> u32 {\n    42\n}\n");
    fx.write("README.md", "# inventory\n");
    fx
}

/// Every line of `before` is still in `after`, in order: the edit only inserted lines.
#[track_caller]
fn only_insertions(before: &str, after: &str) {
    let diff = similar::TextDiff::from_lines(before, after);
    for change in diff.iter_all_changes() {
        assert_ne!(change.tag(), similar::ChangeTag::Delete, "line removed or changed: {change}");
    }
}

#[test]
fn init_adopts_a_real_looking_binary_project_touching_nothing_else() {
    let fx = real_looking_project();
    let before = fx.files(".");
    let run = fx.orch(&["init"]);
    run.ok();
    let after = fx.files(".");
    // Everything that existed is byte-identical, except the two files init edits, which only
    // gain lines.
    for (path, content) in &before {
        if path != "Cargo.toml" && path != "src/main.rs" {
            assert_eq!(after.get(path), Some(content), "{path} changed");
        }
    }
    only_insertions(MANIFEST, &fx.read("Cargo.toml"));
    only_insertions(MAIN, &fx.read("src/main.rs"));
    assert_snapshot!("init_binary_output", run.transcript_folding_runtime());
    assert_snapshot!("init_binary_changes", Fixture::changes(&before, &after));
}

#[test]
fn init_twice_changes_nothing_the_second_time() {
    let fx = real_looking_project();
    fx.orch(&["init"]).ok();
    let before = fx.snapshot();
    let run = fx.orch(&["init"]);
    run.ok();
    assert_eq!(fx.snapshot(), before);
    assert_snapshot!("init_again_output", run.transcript());
}

#[test]
fn init_in_a_library_declares_the_modules_in_lib_rs() {
    let fx = Fixture::new();
    fx.write("Cargo.toml", "[package]\nname = \"shared\"\nversion = \"0.1.0\"\nedition = \"2024\"\n");
    fx.write("src/lib.rs", "//! Shared code.\n\npub mod util;\n\npub use util::helper;\n");
    fx.write("src/util.rs", "/// Help.\npub fn helper() {}\n");
    fx.write("src/main.rs", "fn main() {\n    shared::helper();\n}\n");
    let before = fx.files(".");
    fx.orch(&["init", "--runtime-version", "0.1", "--allow-unpublished-runtime"]).ok();
    let after = fx.files(".");
    assert_eq!(after["src/main.rs"], before["src/main.rs"]);
    assert!(!fx.exists("vendor"));
    let edited: String =
        ["Cargo.toml", "src/lib.rs", "orch.toml"].iter().map(|p| format!("== {p}\n{}", fx.read(p))).collect();
    assert_snapshot!("init_library", edited);
}

#[test]
fn init_keeps_existing_orch_files_and_reports_them() {
    let fx = real_looking_project();
    fx.write("orch.toml", "# mine\n[runtime]\nsource = \"version\"\nversion = \"0.1\"\n");
    fx.write("src/features/mod.rs", "//! My features.\n");
    let run = fx.orch(&["init", "--dry-run"]);
    run.ok();
    assert_snapshot!("init_with_existing_files_dry_run", run.transcript());
    fx.orch(&["init"]).ok();
    assert_eq!(fx.read("orch.toml"), "# mine\n[runtime]\nsource = \"version\"\nversion = \"0.1\"\n");
    assert_eq!(fx.read("src/features/mod.rs"), "//! My features.\n");
    assert!(!fx.exists("vendor"), "the configured runtime source (version) was not used");
    assert!(fx.read("src/main.rs").contains("pub mod features;\n"));
}

#[test]
fn init_refuses_what_it_cannot_adopt() {
    let mut out = String::new();
    let workspace = Fixture::new();
    workspace.write("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
    let empty = Fixture::new();
    empty.write("Cargo.toml", "[package]\nname = \"x\"\nversion = \"0.1.0\"\n");
    let broken = Fixture::new();
    broken.write("Cargo.toml", "[package\nname = \"x\"\n");
    broken.write("src/main.rs", "fn main() {}\n");
    let no_std = Fixture::cargo_bin("bare");
    no_std.write("src/lib.rs", "//! Bare.\n#![no_std]\n");
    for (what, fx) in [
        ("workspace manifest", &workspace),
        ("no src/", &empty),
        ("broken manifest", &broken),
        ("no_std crate", &no_std),
    ] {
        let before = fx.snapshot();
        let run = fx.orch(&["init"]);
        run.expect_code(2);
        assert_eq!(fx.snapshot(), before, "{what}");
        out.push_str(&format!("### {what}\n{}", run.stderr));
    }
    assert_snapshot!("init_refusals", out);
}

/// init refuses (exit 2, nothing written) module names it cannot have: `shared`/`features`
/// naming a dependency (the module would shadow it: E0433), an inline module or another item of
/// that name in the crate root (the created mod.rs would be unreachable), an existing
/// src/shared.rs; each hint names the `[paths]` setting.
#[test]
fn init_refuses_module_names_that_are_taken() {
    let mut out = String::new();
    let dependency = Fixture::cargo_bin("app");
    dependency.write(
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\n\
         shared = { package = \"cfg-if\", version = \"1\" }\n",
    );
    dependency.write("src/main.rs", "shared::cfg_if! { if #[cfg(unix)] { fn os() {} } else { fn os() {} } }\n\nfn main() {\n    os();\n}\n");
    let inline = Fixture::cargo_bin("app");
    inline.write(
        "src/main.rs",
        "mod features {\n    pub fn list() {}\n}\n\nfn main() {\n    features::list();\n}\n",
    );
    let item = Fixture::cargo_bin("app");
    item.write(
        "src/main.rs",
        "use std::collections::HashSet as shared;\n\nfn main() {\n    let _ = shared::<u8>::new();\n}\n",
    );
    let file = Fixture::cargo_bin("app");
    file.write("src/main.rs", "mod shared;\n\nfn main() {}\n");
    file.write("src/shared.rs", "//! Shared.\n");
    for (what, fx) in [
        ("dependency named shared", &dependency),
        ("inline mod features", &inline),
        ("import named shared", &item),
        ("src/shared.rs", &file),
    ] {
        let before = fx.snapshot();
        let run = fx.orch(&["init", "--runtime-version", "0.1", "--allow-unpublished-runtime"]);
        run.expect_code(2);
        assert_eq!(fx.snapshot(), before, "{what}");
        out.push_str(&format!("### {what}\n{}", run.stderr));
    }
    assert_snapshot!(out, @r#"
    ### dependency named shared
    error: Cargo.toml: cannot create module `shared` ([paths] core = "src/shared"): `shared` names a crate in Cargo.toml; the module would shadow it
      hint: choose another directory: in orch.toml, under `[paths]`, set `core = "src/app_shared"`, then run `orch init` again
    ### inline mod features
    error: src/main.rs: cannot create module `features` ([paths] features = "src/features"): the crate root already has a module `features`
      hint: choose another directory: in orch.toml, under `[paths]`, set `features = "src/app_features"`, then run `orch init` again
    ### import named shared
    error: src/main.rs: cannot create module `shared` ([paths] core = "src/shared"): the crate root already has an import `shared`
      hint: choose another directory: in orch.toml, under `[paths]`, set `core = "src/app_shared"`, then run `orch init` again
    ### src/shared.rs
    error: src/shared.rs: cannot create module `shared` ([paths] core = "src/shared"): src/shared.rs exists
      hint: choose another directory: in orch.toml, under `[paths]`, set `core = "src/app_shared"`, then run `orch init` again
    "#);
}

/// A crate root that brings macros into textual scope (a `#[macro_use]` module, a
/// `macro_rules!`): orch's modules are declared above, so the crate's own `println!` does not
/// apply inside the generated code (tests/cli/e2e.rs builds such a crate).
#[test]
fn init_declares_its_modules_above_the_crates_macros() {
    let fx = Fixture::cargo_bin("printer");
    // Without the macro, `pub mod` lines would join the `pub mod` block below it.
    let main = "//! Printer.\n\n#[macro_use]\nmod print;\n\npub mod util;\n\nfn main() {}\n";
    fx.write("src/main.rs", main);
    fx.write("src/print.rs", "macro_rules! println {\n    ($($t:tt)*) => {};\n}\n");
    fx.write("src/util.rs", "");
    fx.orch(&["init", "-q", "--runtime-version", "0.1", "--allow-unpublished-runtime"]).ok();
    only_insertions(main, &fx.read("src/main.rs"));
    assert_eq!(
        fx.read("src/main.rs"),
        "//! Printer.\n\npub mod features;\npub mod shared;\n\n#[macro_use]\nmod print;\n\npub mod util;\n\nfn main() {}\n"
    );
}

/// An `orch-runtime` dependency already in the manifest, however declared, is reused: nothing
/// vendored, a dev-dependency with the same key and source (cargo refuses anything else),
/// `orch.toml` records its source, and a renamed one gets its name back for generated code.
#[test]
fn init_reuses_an_existing_runtime_dependency() {
    let mut out = String::new();
    for (what, dependencies) in [
        ("by path", "[dependencies]\norch-runtime = { path = \"../runtime\" }  # ours\n"),
        ("by version", "[dependencies]\norch-runtime = \"0.1\"\n"),
        ("renamed", "[dependencies]\nrt = { package = \"orch-runtime\", path = \"../runtime\" }\n"),
        ("target-specific", "[target.'cfg(unix)'.dependencies]\norch-runtime = { path = \"../runtime\" }\n"),
        ("from the workspace", "[dependencies]\norch-runtime = { workspace = true }\n"),
    ] {
        let fx = Fixture::new();
        fx.write(
            "Cargo.toml",
            "[workspace]\nmembers = [\"app\"]\n\n[workspace.dependencies]\norch-runtime = { path = \"crates/rt\" }\n",
        );
        let manifest =
            format!("[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n{dependencies}");
        fx.write("app/Cargo.toml", &manifest);
        fx.write("app/src/main.rs", "fn main() {}\n");
        // An explicit runtime source does not win over the dependency that is there.
        let run = fx.orch_in("app", &["init", "--runtime-version", "9", "--allow-unpublished-runtime"]);
        run.ok();
        assert!(!fx.exists("app/vendor"), "{what}: vendored a second copy");
        let doctor = fx.orch_in("app", &["doctor"]);
        assert!(
            doctor.stdout.lines().any(|l| l.trim_start().starts_with("pass  orch-runtime dependency")),
            "{what}: doctor does not see the dependency\n{}",
            doctor.stdout
        );
        let edited = fx.read("app/Cargo.toml");
        only_insertions(&manifest, &edited);
        let config = fx.read("app/orch.toml");
        let runtime = &config[config.find("[runtime]").unwrap()..config.find("[lint]").unwrap()];
        out.push_str(&format!(
            "### {what}\n== Cargo.toml\n{edited}== orch.toml\n{runtime}== src/main.rs\n{}== notes\n{}",
            fx.read("app/src/main.rs"),
            run.stderr.lines().filter(|l| l.contains("note")).map(|l| format!("{l}\n")).collect::<String>()
        ));
    }
    assert_snapshot!("init_existing_runtime", out);
}

/// In a library, the generated modules stay out of its public API (`pub(crate)`, dead code
/// allowed until the library calls `register`) unless `--public` asks for `pub`.
#[test]
fn init_in_a_library_keeps_the_modules_private_unless_asked() {
    for (args, want) in [
        (
            &["init", "-q"][..],
            "#[allow(dead_code, unused_imports, reason = \"until the crate calls `register`\")]\npub(crate) mod features;\n",
        ),
        (&["init", "-q", "--public"][..], "//! Lib.\n\npub mod features;\npub mod shared;\n"),
    ] {
        let fx = Fixture::new();
        fx.write("Cargo.toml", "[package]\nname = \"lib\"\nversion = \"0.1.0\"\nedition = \"2024\"\n");
        fx.write("src/lib.rs", "//! Lib.\n");
        fx.orch(args).ok();
        let lib = fx.read("src/lib.rs");
        assert!(lib.contains(want), "{args:?}:\n{lib}");
        assert_eq!(lib.contains("pub mod"), args.contains(&"--public"), "{args:?}:\n{lib}");
    }
}
