//! Test fixtures shared by the CLI tests: temporary project trees, running the `orch` binary in
//! them, and text views of trees and runs for snapshots (temporary paths replaced by `[ROOT]`).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The `orch` binary under test.
pub fn orch_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_orch"))
}

/// A temporary directory holding one test's files; removed on drop.
pub struct Fixture {
    _dir: tempfile::TempDir,
    /// Canonical path of the directory.
    pub root: PathBuf,
}

/// The outcome of one `orch` run.
#[derive(Debug, Clone)]
pub struct Run {
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    /// Standard output, temporary paths replaced by `[ROOT]`.
    pub stdout: String,
    /// Standard error, temporary paths replaced by `[ROOT]`.
    pub stderr: String,
}

impl Run {
    /// Exit code, stdout and stderr as one text for snapshots.
    pub fn transcript(&self) -> String {
        format!("exit: {}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }

    /// The transcript with the vendored runtime's `create` lines folded into one, and the
    /// created count split accordingly, so snapshots do not change when the runtime gains a file.
    pub fn transcript_folding_runtime(&self) -> String {
        let text = self.transcript();
        let vendored = text.lines().filter(|l| l.contains("vendor/orch-runtime/")).count();
        let mut out = String::new();
        let mut folded = false;
        for line in text.lines() {
            if line.contains("vendor/orch-runtime/") {
                if !folded {
                    let prefix = &line[..line.find("vendor/orch-runtime/").unwrap_or(0)];
                    out.push_str(&format!("{prefix}vendor/orch-runtime/** (the embedded runtime)\n"));
                    folded = true;
                }
                continue;
            }
            let line = match line.find(" created") {
                Some(end) if vendored > 0 && line.starts_with("done ") => {
                    let start = line[..end].rfind(' ').map_or(0, |i| i + 1);
                    let n: usize = line[start..end].parse().unwrap_or(0);
                    format!("{}{} created + the runtime{}", &line[..start], n - vendored, &line[end + 8..])
                }
                _ => line.to_string(),
            };
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    /// Panic with the transcript unless the run exited with `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "unexpected exit code\n{}", self.transcript());
        self
    }

    /// Panic with the transcript unless the run succeeded.
    #[track_caller]
    pub fn ok(&self) -> &Self {
        self.expect_code(0)
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Fixture::new()
    }
}

impl Fixture {
    /// An empty temporary directory.
    pub fn new() -> Fixture {
        let dir = tempfile::Builder::new().prefix("orch-test-").tempdir().expect("temp dir");
        let root = dir.path().canonicalize().expect("canonical temp dir");
        Fixture { _dir: dir, root }
    }

    /// A fresh project made by `orch new project app` plus `args`, rooted at the project.
    /// The temporary directory is the parent of the project; `root` is the project.
    /// `--runtime-version` (fast: no vendored runtime; these projects are not built) comes with
    /// `--allow-unpublished-runtime`.
    pub fn project(args: &[&str]) -> Fixture {
        let mut fixture = Fixture::new();
        let mut all = vec!["new", "project", "app", "-q"];
        all.extend_from_slice(args);
        if args.contains(&"--runtime-version") {
            all.push("--allow-unpublished-runtime");
        }
        fixture.orch(&all).ok();
        fixture.root = fixture.root.join("app");
        fixture
    }

    /// A plain cargo binary project (what `cargo new app` makes), rooted at the project.
    pub fn cargo_bin(name: &str) -> Fixture {
        let fixture = Fixture::new();
        fixture.write(
            "Cargo.toml",
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\n"
            ),
        );
        fixture.write("src/main.rs", "fn main() {\n    println!(\"Hello, world!\");\n}\n");
        fixture
    }

    /// Absolute path of `rel`.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Write `content` to `rel`, creating parent directories.
    pub fn write(&self, rel: &str, content: &str) -> &Self {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("create dirs");
        fs::write(path, content).expect("write");
        self
    }

    /// Content of `rel`.
    #[track_caller]
    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
    }

    /// Whether `rel` exists.
    pub fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }

    /// A command running the orch binary in `root` (no terminal, no colour).
    pub fn command(&self, args: &[&str]) -> Command {
        self.command_in(".", args)
    }

    /// A command running the orch binary in `root/dir`.
    pub fn command_in(&self, dir: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(orch_bin());
        cmd.args(args)
            .current_dir(self.path(dir))
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE")
            .stdin(Stdio::null());
        cmd
    }

    /// Run orch with `args` in `root`.
    pub fn orch(&self, args: &[&str]) -> Run {
        self.run(self.command(args))
    }

    /// Run orch with `args` in `root/dir`.
    pub fn orch_in(&self, dir: &str, args: &[&str]) -> Run {
        self.run(self.command_in(dir, args))
    }

    /// Run a prepared command, filtering temporary paths out of its output.
    pub fn run(&self, mut cmd: Command) -> Run {
        let output = cmd.output().expect("running orch");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: self.filter(&String::from_utf8_lossy(&output.stdout)),
            stderr: self.filter(&String::from_utf8_lossy(&output.stderr)),
        }
    }

    /// `text` with the fixture's temporary directory replaced by `[ROOT]`.
    pub fn filter(&self, text: &str) -> String {
        let base = self._dir.path().canonicalize().expect("canonical");
        text.replace(&base.display().to_string(), "[ROOT]")
    }

    /// Every file under `rel` (relative to root) with its content, sorted by path, for
    /// snapshots. The vendored runtime is summarised (it is compared with the embedded source
    /// by a test of its own).
    pub fn tree(&self, rel: &str) -> String {
        let mut out = String::new();
        for (path, content) in self.files(rel) {
            out.push_str(&format!("== {path}\n"));
            out.push_str(&String::from_utf8_lossy(&content));
            if !content.ends_with(b"\n") && !content.is_empty() {
                out.push_str("\n[no newline at end of file]\n");
            }
        }
        if self.path(rel).join("vendor/orch-runtime").is_dir() {
            out.push_str("== vendor/orch-runtime/** (the embedded runtime source, not shown)\n");
        }
        out
    }

    /// Paths of every file under `rel` (as in [`Fixture::files`]), one per line.
    pub fn listing(&self, rel: &str) -> String {
        self.files(rel).into_keys().map(|p| p + "\n").collect()
    }

    /// Files under `rel`: path relative to `rel` → bytes. Left out: the vendored runtime,
    /// orch's record of generated files (`.orch/generated.toml`, tested by the `remove` tests)
    /// and the git repository `orch new project` initialises, which are not what the
    /// generators' snapshots are about.
    pub fn files(&self, rel: &str) -> BTreeMap<String, Vec<u8>> {
        let base = self.path(rel);
        walkdir::WalkDir::new(&base)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                !e.path().ends_with("vendor/orch-runtime")
                    && !e.path().ends_with(".orch/generated.toml")
                    && e.file_name() != "target"
                    && e.file_name() != ".git"
            })
            .filter_map(Result::ok)
            // The record of generated files (`orch remove`) holds hashes of the other files:
            // tested by tests/cli/remove.rs, left out of tree snapshots.
            .filter(|e| e.file_type().is_file() && !e.path().ends_with(".orch/generated.toml"))
            .map(|e| {
                let rel = e.path().strip_prefix(&base).expect("under base");
                (slash(rel), fs::read(e.path()).expect("read"))
            })
            .collect()
    }

    /// Run orch with `args`, expecting exit `code` and the tree left exactly as it was (what
    /// every refusal promises); returns the run for its messages.
    pub fn refused(&self, args: &[&str], code: i32) -> Run {
        let before = self.snapshot();
        let run = self.orch(args);
        run.expect_code(code);
        assert_eq!(self.snapshot(), before, "orch {args:?} changed the tree");
        run
    }

    /// Every entry under root (directories, files with their bytes, symlinks with targets, and
    /// permission bits), vendored runtime included: compare before and after a run to prove
    /// nothing changed.
    pub fn snapshot(&self) -> BTreeMap<String, String> {
        use std::os::unix::fs::PermissionsExt;
        walkdir::WalkDir::new(&self.root)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| {
                let rel = slash(e.path().strip_prefix(&self.root).expect("under root"));
                let meta = e.path().symlink_metadata().expect("metadata");
                let mode = meta.permissions().mode() & 0o7777;
                let what = if meta.file_type().is_symlink() {
                    format!("link -> {}", fs::read_link(e.path()).expect("link").display())
                } else if meta.is_dir() {
                    format!("dir {mode:o}")
                } else {
                    format!("file {mode:o} {:016x}", hash(&fs::read(e.path()).expect("read")))
                };
                (rel, what)
            })
            .collect()
    }

    /// What changed between two snapshots of [`Fixture::files`]: created files with their
    /// content, updated files as unified diffs, deleted files.
    pub fn changes(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) -> String {
        let mut out = String::new();
        for (path, content) in after {
            match before.get(path) {
                None => {
                    out.push_str(&format!("== created {path}\n{}", String::from_utf8_lossy(content)));
                }
                Some(old) if old != content => {
                    let old = String::from_utf8_lossy(old);
                    let new = String::from_utf8_lossy(content);
                    let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
                    out.push_str(&format!("== updated {path}\n"));
                    out.push_str(&diff.unified_diff().context_radius(2).to_string());
                }
                Some(_) => {}
            }
        }
        for path in before.keys().filter(|p| !after.contains_key(*p)) {
            out.push_str(&format!("== deleted {path}\n"));
        }
        out
    }
}

fn slash(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// FNV-1a: a stable content hash for tree snapshots.
pub fn hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Whether this process runs as root (which ignores permission bits).
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
