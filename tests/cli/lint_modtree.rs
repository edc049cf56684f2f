//! `orch lint` / `orch doctor` on module-tree, pairing and fix-check shapes found by QA on a
//! release build (modules declared by a macro's metavariable, `use .. as` aliases, a crate
//! root that no longer calls `features::register`, I/O through a crate alias).

use crate::support::{Fixture, Run};

/// (rule, path) of every finding of a `--format json` run.
fn findings(run: &Run) -> Vec<(String, String)> {
    let v: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.transcript()));
    v["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings:\n{}", run.transcript()))
        .iter()
        .map(|f| {
            (f["rule"].as_str().unwrap_or_default().into(), f["path"].as_str().unwrap_or_default().into())
        })
        .collect()
}

fn append(fx: &Fixture, rel: &str, text: &str) {
    let mut content = fx.read(rel);
    content.push_str(text);
    fx.write(rel, &content);
}

/// rand_os: `macro_rules! mod_use { ($c:meta, $m:ident) => { #[$c] mod $m; .. } }` invoked
/// with the module names.
const MOD_USE: &str = "\nmacro_rules! mod_use {\n    ($c:meta, $m:ident) => {\n        #[$c]\n        mod $m;\n        #[$c]\n        use $m as imp;\n    };\n}\n\nmod_use!(cfg(target_os = \"linux\"), linux);\nmod_use!(cfg(windows), windows);\n";

#[test]
fn modules_named_by_a_macro_metavariable_are_reached() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    append(&fx, "src/main.rs", MOD_USE);
    fx.write("src/linux.rs", "//! Linux.\n");
    fx.write("src/windows.rs", "//! Windows.\n");
    let run = fx.orch(&["lint", "--format", "json"]);
    assert_eq!(findings(&run), [], "{}", run.transcript());
    run.ok();
    // a file no invocation names is still an orphan
    fx.write("src/macos.rs", "//! macOS.\n");
    let run = fx.orch(&["lint", "--format", "json"]);
    assert_eq!(findings(&run), [("orphan-module".into(), "src/macos.rs".into())], "{}", run.transcript());
}

/// The macro defined in one file and invoked in another: the modules it declares cannot be
/// told, so the files next to the defining one are not reported (never a false error).
#[test]
fn a_module_macro_invoked_from_another_file_makes_no_false_orphans() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    append(&fx, "src/main.rs", "\n#[macro_use]\nmod os;\n");
    fx.write(
        "src/os.rs",
        "//! Platforms.\n\nmacro_rules! mod_use {\n    ($m:ident) => {\n        mod $m;\n    };\n}\n",
    );
    fx.write("src/linux.rs", "//! Linux.\n");
    append(&fx, "src/main.rs", "\nmod_use!(linux);\n");
    let run = fx.orch(&["lint", "--format", "json"]);
    assert_eq!(findings(&run), [], "{}", run.transcript());
}

/// `--fix` must not add `mod x;` where the parent already declares `x` another way (E0428).
#[test]
fn fix_declines_a_mod_line_the_parent_already_declares_inline() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    append(&fx, "src/main.rs", "\nmod io {\n    pub fn f() {}\n}\n");
    fx.write("src/io.rs", "//! Shadowed by the inline module.\n");
    let before = fx.read("src/main.rs");
    let run = fx.orch(&["lint"]);
    assert!(run.stdout.contains("src/io.rs"), "{}", run.transcript());
    assert!(run.stdout.contains("inline module"), "{}", run.transcript());
    assert!(!run.stdout.contains("add `mod io;`"), "{}", run.transcript());
    let fix = fx.orch(&["lint", "--fix"]);
    assert_eq!(fx.read("src/main.rs"), before, "{}", fix.transcript());
}

/// `use ..::PingJob as Ping; impl Executor<Ping> for PingExecutor` compiles: it pairs.
#[test]
fn an_aliased_job_type_pairs_with_its_executor() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    let path = "src/features/auth/executors/auth.rs";
    let text = fx
        .read(path)
        .replace(
            "use crate::features::auth::jobs::AuthJob;",
            "use crate::features::auth::jobs::AuthJob as Auth;",
        )
        .replace("impl Executor<AuthJob> for AuthExecutor", "impl Executor<Auth> for AuthExecutor")
        .replace("job: &AuthJob", "job: &Auth")
        .replace(
            "use crate::features::auth::events::AuthEvent;",
            "use crate::features::auth::events::AuthEvent as Done;",
        )
        .replace("ctx.emit(AuthEvent { message });", "ctx.emit(Done { message });")
        .replace("Event::domain::<AuthEvent>", "Event::domain::<Done>");
    assert!(text.contains("Executor<Auth>") && text.contains("emit(Done {"));
    fx.write(path, &text);
    let run = fx.orch(&["lint", "--format", "json"]);
    assert_eq!(findings(&run), [], "{}", run.transcript());
    run.ok();
    fx.orch(&["doctor"]).ok();
}

/// `use std as s; s::fs::read(..)` in an orchestrator is I/O.
#[test]
fn io_through_a_crate_alias_breaks_the_boundary() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    let path = "src/features/auth/orchestrators/auth.rs";
    append(
        &fx,
        path,
        "\nuse std as s;\n\n/// Reads.\npub fn sneaky() -> usize {\n    s::fs::read(\"x\").map(|b| b.len()).unwrap_or(0)\n}\n",
    );
    let run = fx.orch(&["lint", "--format", "json"]);
    assert!(findings(&run).contains(&("boundaries".into(), path.into())), "{}", run.transcript());
}

/// `main.rs` no longer calling `features::register(&mut builder)?` builds, and registers
/// nothing: `registration` reports it at the `mod features;` line, with the line to add.
#[test]
fn a_crate_root_that_never_calls_features_register_is_reported() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    let main = fx.read("src/main.rs");
    assert!(main.contains("    features::register(&mut builder)?;\n"));
    fx.write("src/main.rs", &main.replace("    features::register(&mut builder)?;\n", ""));
    let run = fx.orch(&["lint", "--format", "json"]);
    assert_eq!(findings(&run), [("registration".into(), "src/main.rs".into())], "{}", run.transcript());
    let human = fx.orch(&["lint"]);
    human.expect_code(1);
    assert!(human.stdout.contains("`features::register` is never called"), "{}", human.transcript());
    assert!(
        human.stdout.contains("add `features::register(&mut builder)?;` to src/main.rs"),
        "{}",
        human.transcript()
    );
}

/// The same call under an imported name is a call: silence rather than a wrong error.
#[test]
fn features_register_called_through_an_import_is_not_reported() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    let main = fx.read("src/main.rs");
    for (import, call) in [
        ("use crate::features::register;\n", "    register(&mut builder)?;\n"),
        ("use crate::features::register as wire;\n", "    wire(&mut builder)?;\n"),
        ("use crate::features::{register};\n", "    register(&mut builder)?;\n"),
    ] {
        let edited = main.replace("    features::register(&mut builder)?;\n", call);
        fx.write("src/main.rs", &format!("{import}{edited}"));
        let run = fx.orch(&["lint", "--format", "json"]);
        assert_eq!(findings(&run), [], "{import}{}", run.transcript());
    }
}

fn doctor_check(fx: &Fixture, id: &str) -> serde_json::Value {
    let run = fx.orch(&["doctor", "--format", "json"]);
    let doc: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.transcript()));
    doc["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == id).cloned())
        .unwrap_or_else(|| panic!("no check {id}:\n{}", run.transcript()))
}

/// Doctor counts the jobs rustc compiles, as lint does: not one in a file no `mod` reaches.
#[test]
fn doctor_counts_only_jobs_in_reached_files() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    fx.write("src/features/auth/jobs/orphan.rs", "//! Not declared.\n\npub struct OrphanJob;\n");
    let check = doctor_check(&fx, "jobs-have-executors");
    assert_eq!(check["message"], "1 job(s), one executor each", "{check}");
}

/// Generating a missing executor is an unsafe fix: doctor's hint says `--unsafe`.
#[test]
fn doctor_hint_for_missing_executors_names_unsafe() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    fx.orch(&["add", "job", "fetch_user", "--feature", "auth"]).ok();
    let check = doctor_check(&fx, "jobs-have-executors");
    assert_eq!(check["status"], "fail", "{check}");
    let hint = check["hint"].as_str().unwrap_or_default();
    assert!(hint.contains("orch lint --fix --unsafe"), "{check}");
    // and that command does generate it
    fx.orch(&["lint", "--fix", "--unsafe"]).ok();
    assert_eq!(doctor_check(&fx, "jobs-have-executors")["status"], "pass");
}

/// `fetch-user.rs` next to an existing `fetch_user.rs`: renaming it would overwrite that file.
#[test]
fn a_rename_hint_never_proposes_an_existing_file() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    fx.write("src/shared/fetch_user.rs", "//! Taken.\n");
    fx.write("src/shared/fetch-user.rs", "//! Dash.\n");
    let run = fx.orch(&["lint"]);
    assert!(run.stdout.contains("src/shared/fetch-user.rs"), "{}", run.transcript());
    assert!(!run.stdout.contains("rename it to `fetch_user.rs`"), "{}", run.transcript());
    assert!(!run.stdout.contains("rename the file to `fetch_user.rs`"), "{}", run.transcript());
    assert!(run.stdout.contains("src/shared/fetch_user.rs exists"), "{}", run.transcript());
}

/// A job named after a keyword: `orch add executor type` is refused, so the hint does not
/// send the user there.
#[test]
fn the_missing_executor_hint_for_a_keyword_job_is_one_that_works() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    let jobs = "src/features/auth/jobs/mod.rs";
    append(&fx, jobs, "\n/// A job named after a keyword.\n#[derive(Debug)]\npub struct TypeJob;\n");
    let run = fx.orch(&["lint"]);
    assert!(run.stdout.contains("job `TypeJob` has no executor"), "{}", run.transcript());
    assert!(!run.stdout.contains("orch add executor type --feature"), "{}", run.transcript());
    assert!(run.stdout.contains("impl Executor<TypeJob> for .."), "{}", run.transcript());
    // and the refused command really is refused
    fx.orch(&["add", "executor", "type", "--feature", "auth"]).expect_code(2);
}

/// `impl<T> Job for PageJob<T>`: the generator cannot write its executor, and says why.
#[test]
fn a_generic_job_is_declined_with_the_true_reason() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    fx.orch(&["add", "job", "page", "--feature", "auth"]).ok();
    fx.write(
        "src/features/auth/jobs/page.rs",
        "//! Pages.\n\nuse orch_runtime::Job;\n\n/// A page of `T`.\n#[derive(Debug)]\npub struct PageJob<T> {\n    /// Items.\n    pub items: Vec<T>,\n}\n\n\
         impl<T: Send + Sync + std::fmt::Debug + 'static> Job for PageJob<T> {\n    type Output = usize;\n}\n",
    );
    let run = fx.orch(&["lint", "--fix", "--unsafe"]);
    assert!(run.stderr.contains("`PageJob` is generic"), "{}", run.transcript());
    assert!(!run.stderr.contains("no `impl Job for PageJob`"), "{}", run.transcript());
}

/// `mod pipe;` whose `pipe.rs` is a FIFO: the file is there, it is just not a regular file.
#[cfg(unix)]
#[test]
fn a_declared_module_that_is_a_fifo_is_said_to_be_one() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    append(&fx, "src/shared/mod.rs", "\nmod pipe;\n");
    let status = std::process::Command::new("mkfifo").arg(fx.path("src/shared/pipe.rs")).status().unwrap();
    assert!(status.success());
    let run = fx.orch(&["lint"]);
    run.expect_code(1);
    assert!(!run.stdout.contains("neither src/shared/pipe.rs"), "{}", run.transcript());
    assert!(run.stdout.contains("src/shared/pipe.rs is not a regular file"), "{}", run.transcript());
}

/// A dangling symbolic link `x.rs` is no permission problem.
#[cfg(unix)]
#[test]
fn a_dangling_link_is_said_to_be_one() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    std::os::unix::fs::symlink("gone.rs", fx.path("src/shared/x.rs")).unwrap();
    let run = fx.orch(&["lint"]);
    run.expect_code(1);
    assert!(run.stdout.contains("src/shared/x.rs"), "{}", run.transcript());
    assert!(!run.stdout.contains("permissions"), "{}", run.transcript());
    assert!(
        run.stdout.contains("dangling symbolic link (its target does not exist)"),
        "{}",
        run.transcript()
    );
    let fix = fx.orch(&["lint", "--fix"]);
    assert!(!fx.read("src/shared/mod.rs").contains("mod x;"), "{}", fix.transcript());
}

/// signal-hook-registry: an edition-2018 crate root with a bare trait object, which rustc
/// accepts and syn 2 refuses. `orch init` declares its modules anyway (above every item),
/// every other byte as it was; the generated files parse.
#[test]
fn init_declares_its_modules_in_a_root_syn_cannot_parse() {
    let fx = Fixture::cargo_bin("sigs");
    let manifest = fx.read("Cargo.toml").replace("edition = \"2024\"", "edition = \"2018\"");
    fx.write("Cargo.toml", &manifest);
    let main = "#![allow(bare_trait_objects)]\n\n//! Signals.\n\ntype Action = Fn(u8) + Send + Sync;\n\nfn main() {\n    let _: Option<Box<Action>> = None;\n}\n";
    fx.write("src/main.rs", main);
    fx.orch(&["init", "-q", "--runtime-version", "0.1", "--allow-unpublished-runtime"]).ok();
    assert_eq!(
        fx.read("src/main.rs"),
        "#![allow(bare_trait_objects)]\n\n//! Signals.\n\npub mod features;\npub mod shared;\n\ntype Action = Fn(u8) + Send + Sync;\n\nfn main() {\n    let _: Option<Box<Action>> = None;\n}\n"
    );
    assert!(syn::parse_file(&fx.read("src/features/mod.rs")).is_ok());
    fx.orch(&["lint"]).ok();
    // a root that does not even tokenize is still refused, untouched
    let fx = Fixture::cargo_bin("broken");
    let manifest = fx.read("Cargo.toml").replace("edition = \"2024\"", "edition = \"2018\"");
    fx.write("Cargo.toml", &manifest);
    fx.write("src/main.rs", "fn main() {\n");
    let run = fx.orch(&["init", "-q", "--runtime-version", "0.1", "--allow-unpublished-runtime"]);
    run.expect_code(1);
    assert_eq!(fx.read("src/main.rs"), "fn main() {\n");
    assert!(!fx.exists("src/features"));
}

/// `mod a;` with both `a.rs` and `a/mod.rs` present: rustc refuses (E0761), lint must too.
#[test]
fn a_module_with_two_files_is_reported() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    let main = fx.read("src/main.rs");
    fx.write("src/main.rs", &format!("mod a;\n{main}"));
    fx.write("src/a.rs", "//! One.\n").write("src/a/mod.rs", "//! The other.\n");
    let run = fx.orch(&["lint", "--format", "json"]);
    run.expect_code(1);
    assert!(
        findings(&run).contains(&("missing-module".into(), "src/main.rs".into())),
        "{}",
        run.transcript()
    );
    assert!(
        run.stdout.contains("both src/a.rs and src/a/mod.rs exist: rustc refuses to choose (E0761)"),
        "{}",
        run.stdout
    );
    // one of them gone: clean
    std::fs::remove_file(fx.path("src/a/mod.rs")).unwrap();
    fx.orch(&["lint"]).ok();
}

/// `use crate::features::billing;` then `billing::jobs::BillingJob` in auth: another
/// feature's jobs folder, reached through the imported module name, as rustc resolves it.
#[test]
fn another_features_jobs_through_an_imported_module_break_the_boundary() {
    let fx = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    fx.orch(&["new", "feature", "billing"]).ok();
    let path = "src/features/auth/orchestrators/auth.rs";
    append(
        &fx,
        path,
        "\nuse crate::features::billing;\n\n/// Builds another feature's job.\npub fn sneaky() -> billing::jobs::BillingJob {\n    billing::jobs::BillingJob::new(\"x\")\n}\n",
    );
    let run = fx.orch(&["lint", "--format", "json"]);
    assert!(findings(&run).contains(&("boundaries".into(), path.into())), "{}", run.transcript());
    // its events are public: the same import used for them is fine
    let clean = Fixture::project(&["--feature", "auth", "--runtime-version", "0.1.0"]);
    clean.orch(&["new", "feature", "billing"]).ok();
    append(
        &clean,
        path,
        "\nuse crate::features::billing;\n\n/// Reads another feature's event type.\npub fn seen(e: &billing::events::BillingEvent) -> bool {\n    let _ = e;\n    true\n}\n",
    );
    let run = clean.orch(&["lint", "--format", "json"]);
    assert!(!findings(&run).iter().any(|(rule, _)| rule == "boundaries"), "{}", run.transcript());
}
