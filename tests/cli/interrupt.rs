//! Interrupting a generation (Ctrl-C, `kill`, a closed terminal) leaves the tree as it was: the
//! writer rolls back and exits 128 + the signal's number, and orch runs again afterwards.

use std::process::{Child, Stdio};

use crate::support::Fixture;

/// How the generation ended.
enum Outcome {
    /// Stopped by the signal: exit code and stderr.
    Interrupted(i32, String),
    /// It finished (or the signal came after its last file): the tree is complete.
    Completed,
}

/// Start `orch new project big` with `features` features, wait until some of its files exist,
/// send `signal`, and report how it ended.
fn generate_and_signal(fx: &Fixture, features: usize, signal: &str) -> Outcome {
    let names: Vec<String> = (0..features).map(|i| format!("feature{i}")).collect();
    let mut args = vec!["new", "project", "big", "-q", "--vcs", "none"];
    for name in &names {
        args.extend(["--feature", name]);
    }
    let mut cmd = fx.command(&args);
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawning orch");
    // `src/` comes after the project's top-level files in the plan's (sorted) order: once it
    // exists, the writer is in the middle of the plan. Planning 400 features (and parsing every
    // planned file) takes a while on a loaded machine, so there is no bound but orch itself:
    // the loop ends when the writer has started or orch has exited.
    let started = fx.path("big/src");
    let writing = loop {
        if started.exists() {
            break true;
        }
        if child.try_wait().expect("polling orch").is_some() {
            break false;
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    };
    if writing {
        kill(&child, signal);
    }
    let output = child.wait_with_output().expect("waiting for orch");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    match output.status.code() {
        Some(code) if code != 0 => Outcome::Interrupted(code, stderr),
        _ => Outcome::Completed,
    }
}

fn kill(child: &Child, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .expect("running kill");
    assert!(status.success(), "kill -{signal} failed");
}

/// Interrupt a large generation with `signal`; retry with a larger plan when it finished
/// first, and fail if the interruption was never exercised.
fn interrupted_generation_leaves_nothing(signal: &str, code: i32) {
    // orch leaves a signal its parent ignores ignored (as `nohup` wants), and children inherit it.
    let ignored = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("SigIgn:")).map(|m| m.trim().to_string()))
        .and_then(|mask| u64::from_str_radix(&mask, 16).ok())
        .unwrap_or(0);
    let number = code - 128;
    assert!(
        ignored & (1 << (number - 1)) == 0,
        "SIG{signal} is ignored by the test process (started with `&` from a script?): orch keeps \
         ignoring it, so this test cannot interrupt it; run the tests in the foreground"
    );
    let fx = Fixture::new();
    let before = fx.snapshot();
    let mut features = 400;
    for _attempt in 0..3 {
        match generate_and_signal(&fx, features, signal) {
            Outcome::Interrupted(got, stderr) => {
                assert_eq!(got, code, "{stderr}");
                assert!(
                    stderr.contains(&format!("interrupted (SIG{signal}); every file was restored")),
                    "{stderr}"
                );
                // Byte for byte as before: no `big/`, no temp file, no directory left behind.
                assert_eq!(fx.snapshot(), before);
                // The lock is released and the destination free: the same command now works.
                fx.orch(&["new", "project", "big", "-q", "--vcs", "none", "--feature", "auth"]).ok();
                assert!(fx.exists("big/src/features/auth/mod.rs"));
                return;
            }
            Outcome::Completed => {
                // Complete, never partial: every file the record lists (plus the record) is there.
                let record = fx.read("big/.orch/generated.toml");
                let recorded = record.lines().filter(|l| l.contains(" = { hash = ")).count();
                let files = walkdir::WalkDir::new(fx.path("big"))
                    .into_iter()
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_file())
                    .count();
                assert_eq!(files, recorded + 1, "a completed generation must be whole");
                std::fs::remove_dir_all(fx.path("big")).unwrap();
                features *= 2;
            }
        }
    }
    panic!("orch finished every generation before SIG{signal} arrived: the interruption was never exercised");
}

#[test]
fn sigint_during_a_large_generation_restores_everything() {
    interrupted_generation_leaves_nothing("INT", 130);
}

#[test]
fn sigterm_during_a_large_generation_restores_everything() {
    interrupted_generation_leaves_nothing("TERM", 143);
}
