//! `orch lint` on the shapes real crates have (issue 11, defects 6 and 7): modules chosen by
//! `cfg_attr`, declared by macros, files reached through `#[path]`, `include!`, build scripts,
//! tests, benches and examples, generic wrapper executors, pure data types of `std::net`
//! (no findings); `::std::fs` and `std::process::Command` in orchestrators (findings); a file
//! that does not parse causes no finding about what it failed to declare.
//! `scripts/lint-corpus.sh` runs the same check over every crate of the cargo registry.

use std::path::Path;

use crate::support::{Fixture, Run};

/// A copy of `tests/fixtures/real-shapes`.
fn real_shapes() -> Fixture {
    let fx = Fixture::new();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real-shapes");
    for entry in walkdir::WalkDir::new(&from).into_iter().filter_map(Result::ok) {
        let to = fx.root.join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    fx
}

/// (rule, path, line) of every finding of a `--format json` run (a bare array, or an object
/// with a `findings` array).
fn findings(run: &Run) -> Vec<(String, String, Option<u64>)> {
    let v: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.transcript()));
    let list = v.get("findings").unwrap_or(&v).as_array().cloned().unwrap_or_default();
    list.iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["path"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64(),
            )
        })
        .collect()
}

#[test]
fn real_crate_shapes_have_no_findings() {
    let fx = real_shapes();
    let run = fx.orch(&["lint", "--format", "json"]);
    assert_eq!(findings(&run), [], "{}", run.transcript());
    run.ok();
    // and in the human format: nothing on stdout, a clean summary
    let human = fx.orch(&["lint"]);
    human.ok();
    assert_eq!(human.stdout, "");
    assert!(human.stderr.contains("no findings"), "{}", human.stderr);
}

#[test]
fn orchestrators_calling_leading_colon_std_fs_or_spawning_processes_are_found() {
    let fx = real_shapes();
    let file = "src/features/ping/orchestrators/ping.rs";
    let mut text = fx.read(file);
    text.push_str(
        "\npub fn load() -> Vec<u8> {\n    ::std::fs::read(\"hosts\").unwrap_or_default()\n}\n\n\
         pub fn spawn() {\n    let _ = std::process::Command::new(\"ping\");\n}\n",
    );
    fx.write(file, &text);
    let run = fx.orch(&["lint", "--format", "json"]);
    run.expect_code(1);
    let lines = text.lines().count() as u64;
    let want = [
        ("boundaries".to_string(), file.to_string(), Some(lines - 5)),
        ("boundaries".to_string(), file.to_string(), Some(lines - 1)),
    ];
    assert_eq!(findings(&run), want, "{}", run.transcript());
    assert!(run.stdout.contains("std::fs::read") && run.stdout.contains("std::process::Command::new"));
}

#[test]
fn a_file_that_does_not_parse_causes_no_finding_about_what_it_declares() {
    let fx = real_shapes();
    // the executor's file no longer tokenizes: its `impl Executor<PingJob>` is unknown, so
    // "PingJob has no executor" (and a fix creating a second one) would be made up
    let file = "src/features/ping/executors/ping.rs";
    let text = fx.read(file).replace("Ok(job.host.clone())", "Ok(job.host.clone()");
    fx.write(file, &text);
    let run = fx.orch(&["lint", "--format", "json"]);
    run.expect_code(1);
    let got = findings(&run);
    assert_eq!(got.len(), 1, "{}", run.transcript());
    assert_eq!((got[0].0.as_str(), got[0].1.as_str()), ("parse-error", file));
    assert!(!run.stdout.contains("\"fixable\": true"), "{}", run.stdout);
}
