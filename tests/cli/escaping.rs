//! User file names in human output (issue 11): a name holding a line break and `::error` must
//! not start a line of its own, which GitHub Actions would run as a workflow command (log
//! injection). Control characters are shown as Rust escapes (`\n`) by every command that
//! prints paths; `--format github` keeps its own escaping. And a stdout that cannot be written.

use crate::support::Fixture;

const EVIL: &str = "nl\n::error file=x::FAKE.rs";
const SHOWN: &str = "nl\\n::error file=x::FAKE.rs";

/// No line, blanks skipped (as the runner does), starts a workflow command.
fn assert_no_command_line(what: &str, text: &str) {
    for line in text.lines() {
        assert!(!line.trim_start().starts_with("::"), "{what}: a line starts a workflow command:\n{text}");
    }
}

#[test]
fn file_names_with_control_characters_are_escaped_in_human_output() {
    let fx = Fixture::project(&["--runtime-version", "0.1.0", "--feature", "auth"]);
    fx.write(&format!("src/features/auth/{EVIL}"), "pub struct X;\n");
    fx.write(&format!("src/features/auth/jobs/{EVIL}"), "pub struct Y;\n");

    let lint = fx.orch(&["lint"]);
    lint.expect_code(1);
    assert!(lint.stdout.contains(&format!("src/features/auth/{SHOWN}")), "{}", lint.transcript());
    assert_no_command_line("lint stdout", &lint.stdout);
    assert_no_command_line("lint stderr", &lint.stderr);

    // A path argument echoed in a status line or an error.
    let one = fx.orch(&["lint", &format!("src/features/auth/{EVIL}")]);
    assert_no_command_line("lint PATH stdout", &one.stdout);
    assert_no_command_line("lint PATH stderr", &one.stderr);
    assert!(one.stdout.contains(SHOWN), "{}", one.transcript());

    // A feature folder (list and graph print feature names).
    std::fs::create_dir_all(fx.path("src/features/a\n::error::b")).unwrap();
    let list = fx.orch(&["list"]);
    assert!(list.stdout.contains("a\\n::error::b"), "{}", list.transcript());
    for args in [&["doctor"][..], &["doctor", "-v"], &["list"], &["graph"]] {
        let run = fx.orch(args);
        assert_no_command_line(&format!("{args:?} stdout"), &run.stdout);
        assert_no_command_line(&format!("{args:?} stderr"), &run.stderr);
    }

    // The machine format escapes in its own way and still starts its lines with `::`.
    let github = fx.orch(&["lint", "--format", "github"]);
    assert!(github.stdout.contains("FAKE.rs"), "{}", github.stdout);
    let commands = github.stdout.lines().filter(|l| l.starts_with("::")).count();
    assert_eq!(commands, github.stdout.lines().count(), "{}", github.stdout);
}

/// `orch lint >/dev/full`: a write error other than a closed pipe is an `error:` (exit 1),
/// also when the result itself would exit 0.
#[test]
fn a_write_error_on_stdout_is_an_error_with_exit_1() {
    let fx = Fixture::project(&["--runtime-version", "0.1.0", "--feature", "auth"]);
    for args in [&["lint", "--format", "json"][..], &["list"], &["doctor"], &["graph"]] {
        let mut cmd = fx.command(args);
        cmd.stdout(std::fs::File::create("/dev/full").unwrap());
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("error: cannot write the result to stdout"), "{args:?}: {stderr}");
        assert!(stderr.contains("No space left on device"), "{args:?}: {stderr}");
        assert!(stderr.contains("hint: "), "{args:?}: {stderr}");
    }
}
