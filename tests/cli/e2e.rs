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
        "shared::executors::upload::tests::job_in_events_out",
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

// ---------------------------------------------------------------------------------------------
// The corpus: real and awkward crates adopted with `orch init` + `new feature` + `add
// executor`, then checked with cargo under their own lints and formatting. Real crates' sources
// are copied at test time from cargo's registry (the crates orch itself builds with, so they
// are there wherever these tests were built); none is committed here.

/// `cargo clippy -- -D warnings` and `cargo fmt --check` on a crate adopted as is, and its tests.
fn check_adopted(dir: &Path) {
    cargo(dir, &["check", "--all-targets"]);
    cargo(dir, &["clippy", "--all-targets", "--", "-D", "warnings"]);
    cargo(dir, &["fmt", "--check"]);
    let tests = cargo(dir, &["test"]);
    assert!(tests.contains("test result: ok"), "{tests}");
}

/// Adopt the crate in `fx`: `orch init` (with `init_args`), a feature, an executor in core;
/// then mirror it to a stable directory named `name` (see [`stable_dir`]) and return that.
fn adopt(fx: &Fixture, name: &str, init_args: &[&str]) -> PathBuf {
    let mut init = vec!["init"];
    init.extend_from_slice(init_args);
    fx.orch(&init).ok();
    fx.orch(&["new", "feature", "inventory"]).ok();
    fx.orch(&["add", "executor", "ping"]).ok();
    let app = stable_dir(name);
    mirror(&fx.root, &app);
    app
}

/// The newest `<name>-<version>` source directory in cargo's registry (`$CARGO_HOME`, else
/// `~/.cargo`).
fn registry_crate(name: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .expect("CARGO_HOME or HOME");
    let prefix = format!("{name}-");
    let mut found: Vec<PathBuf> = std::fs::read_dir(home.join("registry/src"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .flat_map(|index| std::fs::read_dir(index.path()).into_iter().flatten().filter_map(Result::ok))
        .map(|e| e.path())
        .filter(|p| {
            let file = p.file_name().and_then(|f| f.to_str()).unwrap_or("");
            file.strip_prefix(&prefix).is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        })
        .collect();
    found.sort();
    found.pop().unwrap_or_else(|| panic!("{name} is not in {}/registry/src", home.display()))
}

/// A copy of the registry crate `name` in a fixture: its manifest, `src/`, build script and
/// formatting / clippy configs, its README (doc-included). Its dev-dependencies and test, bench and example targets are
/// left out (cargo runs offline, and they are not what orch touches).
fn real_crate(name: &str) -> Fixture {
    let from = registry_crate(name);
    let fx = Fixture::new();
    for (rel, bytes) in walk(&from) {
        let keep = rel.starts_with("src")
            || ["build.rs", "README.md", "rustfmt.toml", ".rustfmt.toml", "clippy.toml", ".clippy.toml"]
                .iter()
                .any(|f| rel == Path::new(f));
        if keep {
            let to = fx.root.join(&rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::write(to, bytes).unwrap();
        }
    }
    let text = std::fs::read_to_string(from.join("Cargo.toml")).unwrap();
    let mut doc: toml_edit::DocumentMut = text.parse().unwrap();
    for key in ["dev-dependencies", "test", "bench", "example"] {
        doc.remove(key);
    }
    if let Some(targets) = doc.get_mut("target").and_then(|t| t.as_table_like_mut()) {
        for (_, target) in targets.iter_mut() {
            if let Some(target) = target.as_table_like_mut() {
                target.remove("dev-dependencies");
            }
        }
    }
    fx.write("Cargo.toml", &doc.to_string());
    fx
}

/// A real library that has its own `mod core;` (src/core.rs): orch's shared module must not
/// collide with it, and stays out of the library's API.
#[test]
fn real_library_with_its_own_core_module_is_adopted() {
    let fx = real_crate("predicates-core");
    assert!(fx.exists("src/core.rs"), "predicates-core changed its layout; pick another crate");
    let app = adopt(&fx, "predicates-core", &[]);
    let lib = fx.read("src/lib.rs");
    assert!(lib.contains("pub(crate) mod features;") && lib.contains("pub(crate) mod shared;"), "{lib}");
    check_adopted(&app);
}

/// A real edition-2024 library with a strict lint configuration of its own (`unreachable_pub`,
/// `str_to_string`, ... in `[lints]`; `print_stdout`, ... in its crate root) and the public
/// flag: it builds, stays formatted and passes clippy under its own lints.
#[test]
fn real_library_with_strict_lints_is_adopted() {
    let fx = real_crate("clap_lex");
    let app = adopt(&fx, "clap_lex", &["--public"]);
    cargo(&app, &["check", "--all-targets"]);
    cargo(&app, &["fmt", "--check"]);
    cargo(&app, &["clippy", "--all-targets", "--", "-D", "warnings"]);
}

/// A binary whose crate root starts with `#[macro_use] mod print;`, a `println!` of its own
/// that uses `?`: orch's modules are declared above it, so the generated code keeps std's.
/// It also uses `core::` paths (the `core` crate), which a `mod core;` would shadow.
#[test]
fn binary_with_its_own_println_and_core_paths_is_adopted() {
    let fx = Fixture::cargo_bin("printer");
    fx.write(
        "src/main.rs",
        "//! Prints through its own macro.\n\n#[macro_use]\nmod print;\n\npub mod report;\n\n\
         use core::time::Duration;\n\nfn main() -> std::io::Result<()> {\n    \
         println!(\"waiting {:?}\", Duration::from_millis(1));\n    report::done()\n}\n",
    );
    fx.write(
        "src/report.rs",
        "//! Reports.\n\n/// Says it is done.\npub fn done() -> std::io::Result<()> {\n    println!(\"done\");\n    Ok(())\n}\n",
    );
    fx.write(
        "src/print.rs",
        "//! `println!` that reports write errors with `?` instead of panicking.\n\n\
         macro_rules! println {\n    ($($arg:tt)*) => {{\n        use std::io::Write as _;\n        \
         writeln!(std::io::stdout(), $($arg)*)?;\n    }};\n}\n",
    );
    let app = adopt(&fx, "printer", &[]);
    let main = fx.read("src/main.rs");
    assert!(main.find("pub mod features;").unwrap() < main.find("#[macro_use]").unwrap(), "{main}");
    check_adopted(&app);
}

/// An `orch-runtime` dependency that is already there (by path, renamed, target-specific) is
/// reused: no second copy, a dev-dependency cargo accepts, `orch.toml` records the path.
#[test]
fn crates_that_already_depend_on_the_runtime_are_adopted() {
    let seed = Fixture::new();
    seed.orch(&["new", "project", "seed", "-q"]).ok();
    for (name, dependency) in [
        ("runtime-by-path", "orch-runtime = { path = \"../runtime\" }"),
        ("runtime-renamed", "rt = { package = \"orch-runtime\", path = \"../runtime\" }"),
    ] {
        let fx = Fixture::cargo_bin(name);
        fx.write(
            "Cargo.toml",
            &format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\n{dependency}\n"),
        );
        let app = adopt(&fx, &format!("{name}/app"), &[]);
        assert!(!fx.exists("vendor"), "{name}: vendored a second copy");
        assert!(
            fx.read("orch.toml")
                .contains("source = \"path\"     # vendor | path | version\npath = \"../runtime\""),
            "{name}"
        );
        mirror(&seed.path("seed/vendor/orch-runtime"), &app.parent().unwrap().join("runtime"));
        check_adopted(&app);
    }
}

/// The vendored runtime inside an enclosing cargo workspace (with pedantic workspace lints and
/// a `rustfmt.toml` of its own): a project created there, and a member adopted with `orch
/// init`. The copy is a member of those workspaces (cargo makes path dependencies under the
/// root members) and stays clean under their clippy and fmt.
#[test]
fn vendored_runtime_is_clean_inside_a_workspace() {
    let fx = Fixture::new();
    fx.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"member\"]\nresolver = \"3\"\n\n[workspace.lints.clippy]\n\
         pedantic = { level = \"warn\", priority = -1 }\n",
    );
    fx.write("rustfmt.toml", "tab_spaces = 2\n");
    fx.write(
        "member/Cargo.toml",
        "[package]\nname = \"member\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[lints]\nworkspace = true\n",
    );
    fx.write("member/src/main.rs", "fn main() {\n  println!(\"member\");\n}\n");
    fx.orch_in("member", &["init"]).ok();
    fx.orch(&["new", "project", "hello", "-q"]).ok();
    let ws = stable_dir("workspace");
    mirror(&fx.root, &ws);
    let member = ws.join("member");
    cargo(&member, &["check", "--workspace", "--all-targets"]);
    cargo(&member, &["clippy", "-p", "orch-runtime", "--", "-D", "warnings"]);
    cargo(&member, &["fmt", "-p", "orch-runtime", "--check"]);
    cargo(&member, &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]);
    cargo(&member, &["fmt", "--all", "--check"]);
    let hello = ws.join("hello");
    cargo(&hello, &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]);
    cargo(&hello, &["fmt", "-p", "orch-runtime", "--check"]);
    cargo(&hello, &["fmt", "--all", "--check"]);
}

/// An edition-2018 binary: the generated code builds and its tests pass there.
#[test]
fn edition_2018_binary_is_adopted() {
    let fx = Fixture::cargo_bin("old");
    fx.write(
        "Cargo.toml",
        "[package]\nname = \"old\"\nversion = \"0.1.0\"\nedition = \"2018\"\n\n[dependencies]\n",
    );
    let app = adopt(&fx, "edition-2018", &[]);
    cargo(&app, &["check", "--all-targets"]);
    cargo(&app, &["fmt", "--check"]);
    let tests = cargo(&app, &["test"]);
    assert!(tests.contains("test result: ok"), "{tests}");
    cargo(&app, &["clippy", "--all-targets", "--", "-D", "warnings"]);
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
/// and `missing_docs` in `[lints]` of a generated binary, pedantic with `max_width = 60`, then
/// in the crate root of a library.
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

    // Pedantic at a narrow width: rustfmt wraps closures into blocks, which must end their
    // statement with `;` (`semicolon_if_nothing_returned`).
    let fx = Fixture::project(&[]);
    fx.write(
        "Cargo.toml",
        &(fx.read("Cargo.toml") + "\n[lints.clippy]\npedantic = { level = \"warn\", priority = -1 }\n"),
    );
    fx.write("rustfmt.toml", "max_width = 60\n");
    cargo_fmt(&fx.root);
    generate_everything(&fx);
    let app = stable_dir("pedantic_narrow");
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

/// The lines orch inserts into existing files (`mod` and `pub use` lines, `register` and `demo`
/// calls) follow the project's rustfmt configuration and edition, not only the files it
/// creates: long names (up to the maximum) wrap at `max_width = 80` with `tab_spaces = 2` or
/// with `hard_tabs`, stay on one line under `use_small_heuristics = "Max"`, and in edition 2021 (style edition 2015) `pub use` lines sort `a0` before
/// `a_b` and `x10` before `x9`. `cargo fmt --check` and `cargo check` pass, and `orch remove`
/// takes the wrapped lines out again.
#[test]
fn inserted_lines_follow_the_projects_rustfmt_config_and_edition() {
    let long = |first: char, len: usize| format!("{first}{}", "e".repeat(len - 1));
    let (feature, executor, core) = (long('f', crate_max_len()), long('m', 45), long('c', crate_max_len()));
    for (name, edition, file, config) in [
        ("wire-narrow", "2024", "rustfmt.toml", "max_width = 80\ntab_spaces = 2\n"),
        ("wire-tabs", "2024", ".rustfmt.toml", "hard_tabs = true\nreorder_imports = false\n"),
        ("wire-2021", "2021", "", ""),
        ("wire-wide", "2024", "rustfmt.toml", "use_small_heuristics = \"Max\"\nmax_width = 120\n"),
    ] {
        let mut fx = Fixture::new();
        fx.orch(&["new", "project", name, "--feature", "auth", "-q"]).ok();
        fx.root = fx.path(name);
        let manifest =
            fx.read("Cargo.toml").replace("edition = \"2024\"", &format!("edition = \"{edition}\""));
        fx.write("Cargo.toml", &manifest);
        if !file.is_empty() {
            fx.write(file, config);
        }
        cargo_fmt(&fx.root);
        // Names whose order differs between the editions' sort orders, added out of order.
        for n in ["x9", "a0", "x10", "a_b", "ab", &feature] {
            fx.orch(&["new", "feature", n, "-q"]).ok();
        }
        for n in ["x9", "a0", "x10", "a_b", "ab", &executor] {
            fx.orch(&["add", "executor", n, "--feature", "auth", "-q"]).ok();
        }
        for n in [&core, "x9", "x10"] {
            fx.orch(&["add", "executor", n, "-q"]).ok();
        }
        let app = stable_dir(name);
        mirror(&fx.root, &app);
        cargo(&app, &["fmt", "--check"]);
        cargo(&app, &["check", "--all-targets"]);

        for args in [
            &["remove", "executor", &executor, "--feature", "auth"][..],
            &["remove", "executor", &core],
            &["remove", "feature", &feature],
            &["remove", "executor", "x10", "--feature", "auth"],
        ] {
            fx.orch(args).ok();
        }
        for (wired, gone) in [
            ("src/features/auth/mod.rs", "Meee"),
            ("src/features/auth/mod.rs", "X10"),
            ("src/features/auth/jobs/mod.rs", "x10"),
            ("src/shared/mod.rs", "Ceee"),
            ("src/features/mod.rs", "feee"),
        ] {
            let text = fx.read(wired);
            assert!(!text.contains(gone), "{name}: {wired} still wires {gone}:\n{text}");
        }
        mirror(&fx.root, &app);
        cargo(&app, &["fmt", "--check"]);
        cargo(&app, &["check", "--all-targets"]);
    }
}

fn crate_max_len() -> usize {
    orch::names::MAX_LEN
}

// ---------------------------------------------------------------------------------------------
// The project's own lints (src/lint_levels.rs): the lints generated code trips are measured,
// not guessed, and every one of them is in orch's table.

/// [`generate_everything`] plus the parts it leaves out: a state, an orchestrator and an event
/// in core, a feature with neither job nor orchestrator.
fn generate_every_part(fx: &Fixture) {
    generate_everything(fx);
    for args in [
        &["add", "state", "tally"][..],
        &["add", "orchestrator", "tally"],
        &["add", "event", "tick"],
        &["new", "feature", "bare", "--no-job", "--no-orchestrator"],
    ] {
        fx.orch(args).ok();
    }
}

/// A cargo project adopted with `orch init` (a binary, or a library without `--public`: its
/// modules are crate-private) whose manifest ends with `lints`, with every part generated.
fn adopted_with_lints(name: &str, library: bool, lints: &str) -> Fixture {
    let fx = Fixture::cargo_bin(name);
    let manifest = fx.read("Cargo.toml") + lints;
    fx.write("Cargo.toml", &manifest);
    // No `println!` of the crate's own: what clippy reports is orch's.
    if library {
        std::fs::remove_file(fx.path("src/main.rs")).unwrap();
        fx.write("src/lib.rs", "//! A library.\n");
    } else {
        fx.write("src/main.rs", "//! A binary.\n\nfn main() {}\n");
    }
    fx.orch(&["init", "-q"]).ok();
    generate_every_part(&fx);
    fx
}

/// Every allow-by-default lint of rustc (`rustc -W help`), by name.
fn rustc_allow_by_default_lints() -> Vec<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let help = Command::new(rustc).args(["-W", "help"]).output().expect("running rustc -W help");
    let help = String::from_utf8_lossy(&help.stdout).to_string();
    help.lines()
        .skip_while(|l| !l.contains("Lint checks provided by rustc:"))
        .take_while(|l| !l.contains("Lint groups provided by rustc:"))
        .filter_map(|l| match l.split_whitespace().collect::<Vec<_>>()[..] {
            [name, "allow", ..] => Some(name.to_string()),
            _ => None,
        })
        .collect()
}

/// The lints `cargo clippy --all-targets` reports in the package at `dir` (its own `src/`,
/// not the vendored runtime) with `flags`, by name (`clippy::print_stdout`).
fn tripped_lints(dir: &Path, flags: &[String]) -> std::collections::BTreeSet<String> {
    let mut args: Vec<&str> = vec!["clippy", "--all-targets", "--message-format", "json", "--"];
    args.extend(flags.iter().map(String::as_str));
    let json = cargo(dir, &args);
    json.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-message")
        .filter(|m| {
            m["message"]["spans"].as_array().into_iter().flatten().any(|s| {
                s["is_primary"] == true && s["file_name"].as_str().is_some_and(|f| f.starts_with("src/"))
            })
        })
        .filter_map(|m| m["message"]["code"]["code"].as_str().map(str::to_string))
        .collect()
}

/// Generated code under every restriction, pedantic and nursery lint of clippy and every
/// allow-by-default lint of rustc: each lint it trips is in orch's table
/// (`orch::lint_levels::KnownLint`), as allowed where it fires or as not supported; none of
/// the lints the templates are written to avoid fires.
#[test]
fn generated_code_trips_only_the_lints_orch_knows() {
    use orch::lint_levels::{Handling, KnownLint};
    let mut flags: Vec<String> = Vec::new();
    for lint in ["clippy::restriction", "clippy::pedantic", "clippy::nursery"]
        .into_iter()
        .map(str::to_string)
        .chain(rustc_allow_by_default_lints())
    {
        flags.extend(["-W".to_string(), lint]);
    }
    // An artefact of the flags: clippy's advice against enabling the whole restriction group.
    flags.extend(["-A", "clippy::blanket_clippy_restriction_lints"].map(String::from));
    let binary = adopted_with_lints("every_lint_bin", false, "");
    let library = adopted_with_lints("every_lint_lib", true, "");
    for (fx, name) in [(&binary, "every-lint-bin"), (&library, "every-lint-lib")] {
        let app = stable_dir(name);
        mirror(&fx.root, &app);
        let mut tripped = tripped_lints(&app, &flags);
        // Another: `rustc -W help` lists lints that need a nightly feature (unknown on stable).
        tripped.remove("unknown_lints");
        let unknown: Vec<&String> = tripped.iter().filter(|l| KnownLint::from_name(l).is_none()).collect();
        assert!(unknown.is_empty(), "{name}: lints missing from orch::lint_levels::KnownLint: {unknown:?}");
        let clean: Vec<&String> = tripped
            .iter()
            .filter(|l| KnownLint::from_name(l).is_some_and(|k| k.handling() == Handling::Clean))
            .collect();
        assert!(clean.is_empty(), "{name}: the templates trip lints they are written to avoid: {clean:?}");
    }
}

/// A project enabling every lint orch handles (template fixes and narrow allows), denied with
/// `-D warnings`: a binary and a crate-private library (`unreachable_pub`) pass clippy, their
/// tests and `fmt --check`. A forbidden lint the code would trip is refused, naming it and the
/// file; an enabled lint orch does not support gets a warning.
#[test]
fn generated_code_passes_every_lint_orch_handles() {
    use orch::lint_levels::{Handling, KnownLint};
    let (mut rust, mut clippy) = (String::from("\n[lints.rust]\n"), String::from("\n[lints.clippy]\n"));
    for lint in KnownLint::ALL.iter().filter(|l| l.handling() != Handling::Unsupported) {
        match lint.name().strip_prefix("clippy::") {
            Some(name) => clippy.push_str(&format!("{name} = \"warn\"\n")),
            None => rust.push_str(&format!("{} = \"warn\"\n", lint.name())),
        }
    }
    let lints = rust + &clippy;
    for (name, library) in [("handled_lints_bin", false), ("handled_lints_lib", true)] {
        let fx = adopted_with_lints(name, library, &lints);
        let app = stable_dir(name);
        mirror(&fx.root, &app);
        check(&app);
    }

    let fx = Fixture::project(&[]);
    fx.write("src/main.rs", &format!("#![forbid(clippy::print_stdout)]\n{}", fx.read("src/main.rs")));
    let tree = fx.tree(".");
    let run = fx.orch(&["new", "feature", "loud"]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("src/features/loud/mod.rs: the project forbids `clippy::print_stdout`"),
        "{}",
        run.stderr
    );
    assert_eq!(fx.tree("."), tree);
    // The same for `orch init` of a library forbidding `unreachable_pub`.
    let fx = Fixture::cargo_bin("forbidding");
    std::fs::remove_file(fx.path("src/main.rs")).unwrap();
    fx.write("src/lib.rs", "//! A library.\n#![forbid(unreachable_pub)]\n");
    let tree = fx.tree(".");
    let run = fx.orch(&["init"]);
    run.expect_code(1);
    assert!(run.stderr.contains("src/lib.rs: the project forbids `unreachable_pub`"), "{}", run.stderr);
    assert_eq!(fx.tree("."), tree);

    let fx = Fixture::project(&[]);
    fx.write("Cargo.toml", &(fx.read("Cargo.toml") + "\n[lints.clippy]\nmod_module_files = \"warn\"\n"));
    let run = fx.orch(&["new", "feature", "quiet"]);
    run.ok();
    assert!(
        run.stderr
            .contains("the project sets `clippy::mod_module_files` to `warn`; orch does not support it"),
        "{}",
        run.stderr
    );
}

/// `orch lint --fix --unsafe` on the shapes that used to break the build (issue 11): a
/// hand-written job without `input` and with its own `Output`, and orphan files named after a
/// keyword or not as identifiers. The fixed project builds and passes clippy `-D warnings`.
#[test]
fn lint_fix_never_breaks_the_build() {
    let fx = Fixture::new();
    fx.orch(&["new", "project", "fixes", "--feature", "auth"]).ok();
    fx.write(
        "fixes/src/features/auth/jobs/refresh.rs",
        "//! A job written by hand.\n\nuse orch_runtime::Job;\n\n/// A session token.\n#[derive(Debug, Clone, Default)]\npub struct Token(pub String);\n\n/// Refreshes a session.\n#[derive(Debug, Clone)]\npub struct RefreshJob {\n    /// The token to refresh.\n    pub token: String,\n}\n\nimpl Job for RefreshJob {\n    type Output = Token;\n}\n",
    );
    let jobs = fx.read("fixes/src/features/auth/jobs/mod.rs");
    fx.write(
        "fixes/src/features/auth/jobs/mod.rs",
        &jobs.replace("mod auth;\n", "mod auth;\npub mod refresh;\n"),
    );
    for name in ["type", "fetch-user", "odd,name:1"] {
        fx.write(&format!("fixes/src/features/auth/events/{name}.rs"), "//! Not an event yet.\n");
    }
    let run = fx.orch_in("fixes", &["lint", "--fix", "--unsafe"]);
    // left for a person: the two files no `mod` line can reach, their names, `Token` in jobs/
    run.expect_code(1);
    assert!(run.stderr.contains("done lint --fix (2 fixes)"), "{}", run.transcript());
    assert!(fx.read("fixes/src/features/auth/events/mod.rs").contains("pub mod r#type;"));
    assert!(fx.exists("fixes/src/features/auth/executors/refresh.rs"));
    let app = stable_dir("lint-fix");
    mirror(&fx.path("fixes"), &app);
    cargo(&app, &["build"]);
    cargo(&app, &["clippy", "--all-targets", "--", "-D", "warnings"]);
}
