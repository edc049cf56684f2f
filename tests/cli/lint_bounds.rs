//! `orch lint` is bounded on any tree and safe on hostile files: large trees of orphans and
//! one huge folder (findings checked, not time: each runs in about a second when every rule
//! is linear), files that are not regular or too large, and symbolic links out of the project
//! or in cycles.

use crate::support::{Fixture, Run};

/// (rule, path, message) of every finding of a `--format json` run.
fn findings(run: &Run) -> Vec<(String, String, String)> {
    let v: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.transcript()));
    let list = v["findings"].as_array().expect("a list of findings");
    list.iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("rule"), s("path"), s("message"))
        })
        .collect()
}

/// An orch project (no vendored runtime: it is not built).
fn project() -> Fixture {
    Fixture::project(&["--runtime-version", "0.1.0"])
}

fn lint_json(fx: &Fixture) -> (Run, Vec<(String, String, String)>) {
    let run = fx.orch(&["lint", "--format", "json"]);
    let found = findings(&run);
    (run, found)
}

/// The orphan rule once re-scanned every file for each orphan (12k orphan files: 20 s).
#[test]
fn twelve_thousand_orphans_are_each_reported_once() {
    let fx = project();
    for i in 0..12_000 {
        fx.write(&format!("src/stray/s{i}.rs"), "pub fn f() {}\n");
    }
    // nested: `src/lost.rs` is reported with the count of the unreached files below it
    fx.write("src/lost.rs", "mod a;\n").write("src/lost/a.rs", "").write("src/lost/b/c.rs", "");
    let (run, found) = lint_json(&fx);
    run.expect_code(1);
    let orphans: Vec<_> = found.iter().filter(|(rule, _, _)| rule == "orphan-module").collect();
    // src/stray has no module file: each file is reported; src/lost/b has none either
    assert_eq!(orphans.len(), 12_000 + 2, "{:?}", &orphans[..orphans.len().min(5)]);
    let message = |path: &str| {
        orphans.iter().find(|(_, p, _)| p == path).map(|(_, _, m)| m.as_str()).unwrap_or_default()
    };
    assert_eq!(
        message("src/lost.rs"),
        "no `mod` declaration reaches this file; rustc ignores it (nor the 2 files below it)"
    );
    assert_eq!(message("src/lost/b/c.rs"), "no `mod` declaration reaches this file; rustc ignores it");
    assert_eq!(message("src/stray/s11999.rs"), "no `mod` declaration reaches this file; rustc ignores it");
    assert!(!orphans.iter().any(|(_, p, _)| p == "src/lost/a.rs"), "reported at src/lost.rs only");
}

/// 50k files in one folder, half of them declared: every rule stays linear (the orphan rule
/// counted the files below each orphan by a scan of all files).
#[test]
fn deeply_nested_code_is_a_finding_not_a_stack_overflow() {
    let fx = project();
    let n = 10_000;
    fx.write("src/deep.rs", &format!("pub fn f() {}{}\n", "{".repeat(n), "}".repeat(n)));
    let main = fx.read("src/main.rs");
    fx.write("src/main.rs", &format!("mod deep;\n{main}"));
    let (run, found) = lint_json(&fx);
    run.expect_code(1);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "parse-error");
    assert_eq!(found[0].1, "src/deep.rs");
    assert!(found[0].2.contains("nested more than 512 levels"), "{found:?}");
    // doctor reads the same analysis
    fx.orch(&["doctor"]).expect_code(1);
}

#[test]
fn a_folder_of_fifty_thousand_files() {
    let fx = project();
    let mut decls = String::new();
    for i in 0..50_000 {
        fx.write(&format!("src/big/f{i}.rs"), "pub struct Item;\n");
        if i % 2 == 0 {
            decls.push_str(&format!("mod f{i};\n"));
        }
    }
    fx.write("src/big/mod.rs", &decls);
    let main = fx.read("src/main.rs");
    fx.write("src/main.rs", &format!("mod big;\n{main}"));
    let (run, found) = lint_json(&fx);
    run.expect_code(1);
    assert_eq!(found.len(), 25_000, "only the orphans: {:?}", &found[..found.len().min(5)]);
    assert!(found.iter().all(|(rule, path, message)| rule == "orphan-module"
        && path.starts_with("src/big/f")
        && message == "no `mod` declaration reaches this file; rustc ignores it"));
    assert!(found.iter().any(|(_, p, _)| p == "src/big/f49999.rs"));
    assert!(!found.iter().any(|(_, p, _)| p == "src/big/f49998.rs"));
}

#[cfg(unix)]
mod hostile {
    use std::os::unix::fs::symlink;

    use super::*;

    fn skipped<'a>(found: &'a [(String, String, String)], path: &str) -> Option<&'a str> {
        found.iter().find(|(rule, p, _)| rule == "parse-error" && p == path).map(|(_, _, m)| m.as_str())
    }

    /// A symlink to `/dev/zero` made lint allocate 4 GiB and abort.
    #[test]
    fn a_symlink_to_dev_zero_or_a_fifo_is_a_finding_never_a_read() {
        let fx = project();
        symlink("/dev/zero", fx.path("src/zero.rs")).unwrap();
        // inside the project, behind a link: the type is checked before reading
        let status = std::process::Command::new("mkfifo").arg(fx.path("pipe")).status().unwrap();
        assert!(status.success());
        symlink("../pipe", fx.path("src/piped.rs")).unwrap();
        let status = std::process::Command::new("mkfifo").arg(fx.path("src/fifo.rs")).status().unwrap();
        assert!(status.success());
        // dangling: reported, as rustc would fail on it if a `mod` line named it
        symlink("gone.rs", fx.path("src/dangling.rs")).unwrap();
        let before = fx.files("src");
        let (run, found) = lint_json(&fx);
        run.expect_code(1);
        assert_eq!(
            skipped(&found, "src/zero.rs"),
            Some("symbolic link to a file outside the project: not read")
        );
        assert_eq!(
            skipped(&found, "src/fifo.rs"),
            Some("not a regular file (a FIFO, socket or device): not read")
        );
        assert!(
            skipped(&found, "src/piped.rs").is_some_and(|m| m.starts_with("not a regular file")),
            "{found:?}"
        );
        assert_eq!(skipped(&found, "src/dangling.rs"), Some("cannot read file: dangling symbolic link"));
        assert_eq!(found.len(), 4, "{found:?}");
        let human = fx.orch(&["lint"]);
        human.expect_code(1);
        assert!(human.stdout.contains("hint: orch reads only regular files up to 8 MiB"), "{}", human.stdout);
        assert_eq!(fx.files("src"), before, "nothing written");
    }

    #[test]
    fn files_over_eight_mib_are_reported_not_read() {
        let fx = project();
        let mut big = "// x\n".repeat((8 << 20) / 5);
        big.push_str("pub struct Over;\n");
        fx.write("src/big.rs", &big);
        let main = fx.read("src/main.rs");
        fx.write("src/main.rs", &format!("mod big;\n{main}"));
        // exactly at the cap: read
        fx.write("src/edge.rs", &" ".repeat(8 << 20));
        fx.write("src/main.rs", &format!("mod edge;\n{}", fx.read("src/main.rs")));
        let (run, found) = lint_json(&fx);
        run.expect_code(1);
        assert_eq!(
            found,
            [("parse-error".into(), "src/big.rs".into(), "larger than 8 MiB: not read".into())]
        );
    }

    /// A symlink to a file outside the project echoed that file's content in snippets.
    #[test]
    fn a_symlink_out_of_the_project_is_never_read_nor_shown() {
        let fx = project();
        let outside = Fixture::new();
        // unbalanced: if it were read, the parse error would show this line
        outside.write("secret.rs", "pub struct TopSecretToken { hunter2: u8,\n");
        symlink(outside.path("secret.rs"), fx.path("src/features/leak.rs")).unwrap();
        outside.write("dir/mod.rs", "pub struct OtherSecret;\n");
        symlink(outside.path("dir"), fx.path("src/external")).unwrap();
        for format in [&["lint"][..], &["lint", "--format", "json"], &["lint", "--format", "sarif"]] {
            let run = fx.orch(format);
            run.expect_code(1);
            assert!(!run.stdout.contains("hunter2") && !run.stdout.contains("Secret"), "{}", run.stdout);
        }
        let (_, found) = lint_json(&fx);
        assert_eq!(
            skipped(&found, "src/features/leak.rs"),
            Some("symbolic link to a file outside the project: not read")
        );
        assert_eq!(
            skipped(&found, "src/external"),
            Some("symbolic link to a folder outside the project: not followed")
        );
        assert_eq!(found.len(), 2, "{found:?}");
    }

    /// rustc follows symlinked folders: so does lint, inside the project, once per folder.
    #[test]
    fn symlinked_folders_inside_the_project_are_followed_and_cycles_end() {
        let fx = project();
        fx.write("lib_code/mod.rs", "mod used;\n")
            .write("lib_code/used.rs", "")
            .write("lib_code/unused.rs", "");
        symlink("../lib_code", fx.path("src/common")).unwrap();
        let main = fx.read("src/main.rs");
        fx.write("src/main.rs", &format!("mod common;\n{main}"));
        // a second link to the same folder, and links that lead back up
        // (links are followed in path order: `src/mirror` comes second and is skipped)
        symlink("../lib_code", fx.path("src/mirror")).unwrap();
        symlink("..", fx.path("lib_code/up")).unwrap();
        symlink(".", fx.path("src/features/here")).unwrap();
        let (run, found) = lint_json(&fx);
        run.expect_code(1);
        let got: Vec<(&str, &str)> = found.iter().map(|(r, p, _)| (r.as_str(), p.as_str())).collect();
        assert_eq!(
            got,
            [
                ("orphan-module", "src/common/unused.rs"),
                // `lib_code/up` → the project root, which holds it
                ("parse-error", "src/common/up"),
                ("parse-error", "src/features/here"),
            ],
            "{found:?}"
        );
        assert_eq!(
            skipped(&found, "src/features/here"),
            Some("symbolic link to a folder that contains it (a cycle): not followed")
        );
    }
}

/// Columns were counted from the start of the line for every fact: many facts on one long line
/// (minified or generated code) were quadratic (50k types on one 800 KB line: 9 s).
#[test]
fn many_findings_on_one_long_line() {
    let fx = project();
    let mut line = String::from("/* é */");
    for i in 0..20_000 {
        line.push_str(&format!(" pub struct T{i};"));
    }
    fx.write("src/shared/jobs/mod.rs", &format!("{line}\n"));
    let run = fx.orch(&["lint", "--format", "json"]);
    run.expect_code(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let list = v.as_array().or_else(|| v["findings"].as_array()).expect("a list of findings");
    let naming: Vec<_> = list.iter().filter(|f| f["rule"] == "type-naming").collect();
    assert_eq!(naming.len(), 20_000);
    // the last name's column, in characters (`é` is one)
    let last = naming.iter().find(|f| f["message"].as_str().is_some_and(|m| m.contains("`T19999`"))).unwrap();
    let col = line.chars().count() - "T19999;".len() + 1;
    assert_eq!((last["line"].as_u64(), last["column"].as_u64()), (Some(1), Some(col as u64)));
}

/// A job with several executors listed every one of them in each file declaring the job: k
/// declarations × n executors entries (300 × 300 here); the list is capped.
#[test]
fn a_job_with_hundreds_of_executors_lists_a_few() {
    let fx = project();
    let (mut jobs, mut execs) = (String::new(), String::new());
    for i in 0..300 {
        fx.write(&format!("src/shared/jobs/j{i}.rs"), "pub struct DupJob;\n");
        fx.write(
            &format!("src/shared/executors/e{i}.rs"),
            &format!("pub struct E{i}Executor;\nimpl Executor<DupJob> for E{i}Executor {{}}\n"),
        );
        jobs.push_str(&format!("mod j{i};\n"));
        execs.push_str(&format!("mod e{i};\n"));
    }
    fx.write("src/shared/jobs/mod.rs", &jobs).write("src/shared/executors/mod.rs", &execs);
    let (run, found) = lint_json(&fx);
    run.expect_code(1);
    let pairing: Vec<_> = found.iter().filter(|(rule, _, _)| rule == "pairing").collect();
    assert_eq!(pairing.len(), 300, "one per declaration: {:?}", pairing.first());
    let first = "job `DupJob` has 300 executors: `E0Executor` (src/shared/executors/e0.rs:2), ";
    assert!(
        pairing.iter().all(|(_, _, m)| m.starts_with(first) && m.ends_with(" and 295 more")),
        "{:?}",
        pairing[0]
    );
}
