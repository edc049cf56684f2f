//! Bad input: every refused name, existing files, read-only directories, corrupt config,
//! unparsable files, symlinks out of the project, running outside a project. Each case checks
//! the exit code, the message, and that the tree is byte-for-byte unchanged.

use std::process::Command;

use insta::assert_snapshot;

use crate::support::{Fixture, is_root, orch_bin};

/// Names every generator refuses (exit 2), with why.
const REFUSED: &[(&str, &str)] = &[
    ("", "the name is empty"),
    ("   ", "the name is empty"),
    ("a/b", "path separators"),
    ("..", "path separators"),
    ("../evil", "path separators"),
    ("a\\b", "path separators"),
    ("type", "is a Rust keyword"),
    ("self", "is a Rust keyword"),
    ("Self", "is a Rust keyword"),
    ("crate", "is a Rust keyword"),
    ("async", "is a Rust keyword"),
    ("super", "is a Rust keyword"),
    ("1user", "cannot start with a digit"),
    ("9", "no letters"),
    ("fetch$user", "is not allowed"),
    ("ünïcode", "is not allowed"),
    ("---", "no letters"),
    ("jobs", "folder name of the orch layout"),
    ("mod", "is a Rust keyword"),
    ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "longer than 64"),
];

#[test]
fn refused_names_exit_2_and_change_nothing() {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "auth"]);
    let before = fx.snapshot();
    let mut table = String::new();
    for (name, why) in REFUSED {
        let feature = format!("--feature={name}");
        for args in [
            vec!["new", "feature", "--", name],
            vec!["add", "job", "--", name],
            vec!["add", "executor", "--feature", "auth", "--", name],
            vec!["add", "job", "ok", &feature],
        ] {
            let run = fx.orch(&args);
            run.expect_code(2);
            assert!(run.stderr.contains(why), "orch {args:?}: expected {why:?} in\n{}", run.stderr);
            assert_eq!(fx.snapshot(), before, "orch {args:?} changed the tree");
        }
        let run = fx.orch(&["new", "feature", "--", name]);
        table.push_str(&format!("{name:?}\n{}", run.stderr));
    }
    let project = Fixture::new();
    // A path is accepted (`cargo new` does); its last component is the package name.
    for name in ["type", "core", "std", "orch-runtime", "apps/type", ""] {
        let run = project.orch(&["new", "project", "--", name]);
        run.expect_code(2);
        table.push_str(&format!("new project {name:?}\n{}", run.stderr));
    }
    assert_eq!(project.snapshot().len(), 1, "new project wrote something");
    assert_snapshot!("refused_names", table);
}

#[test]
fn names_colliding_with_existing_modules_are_refused() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    fx.write("src/features/legacy.rs", "// an old-style module file\n");
    fx.write("src/shared/jobs/report/mod.rs", "// a directory module\n");
    let features =
        fx.read("src/features/mod.rs").replace("use orch_runtime", "mod inline {}\n\nuse orch_runtime");
    fx.write("src/features/mod.rs", &features);
    let before = fx.snapshot();
    let mut out = String::new();
    for args in
        [vec!["new", "feature", "legacy"], vec!["add", "job", "report"], vec!["new", "feature", "inline"]]
    {
        let run = fx.orch(&args);
        run.expect_code(2);
        out.push_str(&format!("### orch {}\n{}", args.join(" "), run.stderr));
        assert_eq!(fx.snapshot(), before);
    }
    assert_snapshot!("module_collisions", out);
}

#[test]
fn unknown_feature_is_a_usage_error() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    let before = fx.snapshot();
    let run = fx.orch(&["add", "job", "ping", "--feature", "nope"]);
    run.expect_code(2);
    assert_snapshot!("unknown_feature", run.transcript());
    assert_eq!(fx.snapshot(), before);
}

#[test]
fn corrupt_config_names_file_line_and_column() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    fx.write("orch.toml", "[paths]\nfeatures = \"src/features\"\ncore = 3\n");
    let before = fx.snapshot();
    let mut out = String::new();
    for args in [vec!["new", "feature", "auth"], vec!["add", "job", "ping"], vec!["init"]] {
        let run = fx.orch_in("src", &args);
        run.expect_code(2);
        assert!(run.stderr.contains("orch.toml:3:8"), "{}", run.stderr);
        out.push_str(&format!("### orch {}\n{}", args.join(" "), run.stderr));
    }
    fx.write("orch.toml", "[paths]\nfeatures = \"lib/features\"\n");
    let run = fx.orch(&["new", "feature", "auth"]);
    run.expect_code(2);
    out.push_str(&format!("### features outside src/\n{}", run.stderr));
    assert_snapshot!("corrupt_config", out);
    fx.write("orch.toml", "[paths]\nfeatures = \"src/features\"\ncore = 3\n");
    assert_eq!(fx.snapshot(), before);
}

#[test]
fn outside_any_cargo_project() {
    let fx = Fixture::new();
    fx.write("notes.txt", "not a project\n");
    let before = fx.snapshot();
    let mut out = String::new();
    for args in [vec!["new", "feature", "auth"], vec!["add", "job", "x"], vec!["init"]] {
        let run = fx.orch(&args);
        run.expect_code(2);
        out.push_str(&format!("### orch {}\n{}", args.join(" "), run.stderr));
    }
    let run = fx.orch(&["-C", "does/not/exist", "add", "job", "x"]);
    run.expect_code(2);
    out.push_str(&format!("### orch -C does/not/exist add job x\n{}", run.stderr));
    assert_snapshot!("outside_a_project", out);
    assert_eq!(fx.snapshot(), before);
}

#[test]
fn unparsable_files_to_wire_into_are_named_and_left_alone() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    fx.write("src/shared/mod.rs", "pub fn register(builder: &mut B) -> R {\n    Ok(()\n}\n");
    let before = fx.snapshot();
    let run = fx.orch(&["add", "executor", "upload"]);
    run.expect_code(1);
    assert_snapshot!("unparsable_wiring_target", run.transcript());
    assert_eq!(fx.snapshot(), before);
}

#[test]
fn a_register_fn_that_is_missing_is_reported() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    fx.write("src/shared/mod.rs", "pub mod events;\npub mod executors;\npub mod jobs;\n");
    let before = fx.snapshot();
    let run = fx.orch(&["add", "executor", "upload"]);
    run.expect_code(1);
    assert!(run.stderr.contains("src/shared/mod.rs: has no `fn register` to wire into"), "{}", run.stderr);
    assert_eq!(fx.snapshot(), before);
}

#[test]
fn symlinks_out_of_the_project_are_refused() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    let outside = Fixture::new();
    std::os::unix::fs::symlink(&outside.root, fx.path("src/features/escape")).unwrap();
    let before = fx.snapshot();
    let run = fx.orch(&["new", "feature", "escape", "--force"]);
    run.expect_code(1);
    assert!(run.stderr.contains("outside the project"), "{}", run.stderr);
    assert_eq!(fx.snapshot(), before);
    assert!(outside.snapshot().len() == 1, "something was written outside the project");
}

/// A command that runs orch as an unprivileged user when this process is root (root ignores
/// permission bits), else as ourselves. The binary is copied where that user can run it.
fn unprivileged(fx: &Fixture, bin_dir: &Fixture, dir: &str, args: &[&str]) -> Command {
    if !is_root() {
        return fx.command_in(dir, args);
    }
    let bin = bin_dir.path("orch");
    if !bin.exists() {
        std::fs::copy(orch_bin(), &bin).expect("copy orch");
    }
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(&bin)
        .args(args)
        .current_dir(fx.path(dir))
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null());
    cmd
}

fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn read_only_directories_fail_cleanly_and_leave_the_tree_unchanged() {
    let bin_dir = Fixture::new();
    chmod(&bin_dir.root, 0o755);
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    // The test user must reach the project: open up the temp dir, and own the project.
    chmod(fx.root.parent().unwrap(), 0o755);
    if is_root() {
        let status = Command::new("chown").args(["-R", "65534:65534"]).arg(&fx.root).status().expect("chown");
        assert!(status.success());
    }
    let mut out = String::new();
    // A feature into a read-only features directory (staging the edit of its mod.rs fails
    // before anything changed); an executor whose job folder is read-only and lost its mod.rs:
    // executors/mod.rs is replaced and executors/upload.rs created before creating
    // jobs/mod.rs fails, so both are rolled back.
    std::fs::remove_file(fx.path("src/shared/jobs/mod.rs")).unwrap();
    for (dir, args) in [
        ("src/features", vec!["new", "feature", "auth"]),
        ("src/shared/jobs", vec!["add", "executor", "upload"]),
    ] {
        chmod(&fx.path(dir), 0o555);
        let before = fx.snapshot();
        let run = fx.run(unprivileged(&fx, &bin_dir, ".", &args));
        run.expect_code(1);
        assert_eq!(fx.snapshot(), before, "orch {args:?} changed the tree");
        out.push_str(&format!("### {dir} read-only: orch {}\n{}", args.join(" "), run.stderr));
        chmod(&fx.path(dir), 0o755);
    }
    insta::with_settings!({ filters => vec![(r"\.orch-tmp-\w+", ".orch-tmp-[RANDOM]")] }, {
        assert_snapshot!("read_only", out);
    });
}
