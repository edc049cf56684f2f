//! Plans: the complete, sorted list of file operations a command will perform.
//!
//! Every generating command first builds a [`Plan`] (reading the disk, never writing), then
//! either prints it (`--dry-run`, `--format json`, `--diff`) or hands it to
//! [`crate::writer`], which applies it all-or-nothing. Reads through the plan see the planned
//! content, so several edits to one file compose.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use serde_json::json;

use crate::error::Failure;
use crate::output::Paint;

/// What happens to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum OpKind {
    /// A new file.
    Create,
    /// An existing file gets new content.
    Update,
    /// An existing file is deleted.
    Delete,
}

impl OpKind {
    /// Lower-case verb used in output ("create", "update", "delete").
    pub fn verb(self) -> &'static str {
        match self {
            OpKind::Create => "create",
            OpKind::Update => "update",
            OpKind::Delete => "delete",
        }
    }
}

/// One file operation. `before` is the content on disk when the plan was made (checked again
/// when applying); `after` is the content to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    /// Path relative to the project root.
    pub path: PathBuf,
    /// Create, update or delete.
    pub kind: OpKind,
    /// Content on disk when planned (`None` for a new file).
    pub before: Option<String>,
    /// Content to write (`None` for a delete).
    pub after: Option<String>,
}

/// Something the plan deliberately leaves alone, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// Path relative to the project root.
    pub path: PathBuf,
    /// Why it is left alone ("already wired", "exists; init never overwrites").
    pub reason: String,
}

/// A sorted set of file operations plus what the user should know about them.
#[derive(Debug, Clone)]
pub struct Plan {
    root: PathBuf,
    ops: BTreeMap<PathBuf, Op>,
    /// Existing files a forced `create` replaces (see [`Plan::overwrites`]).
    overwritten: BTreeSet<PathBuf>,
    skipped: Vec<Skip>,
    notes: Vec<String>,
    next_steps: Vec<String>,
}

impl Plan {
    /// An empty plan for the project at `root` (absolute).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Plan {
            root: root.into(),
            ops: BTreeMap::new(),
            overwritten: BTreeSet::new(),
            skipped: Vec::new(),
            notes: Vec::new(),
            next_steps: Vec::new(),
        }
    }

    /// The project root the paths are relative to.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The operations, sorted by path.
    pub fn ops(&self) -> impl Iterator<Item = &Op> {
        self.ops.values()
    }

    /// Number of operations.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether the plan changes nothing.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The updates that replace an existing file with generated content (a `create` with
    /// `force`), as opposed to edits of it: the caller checks them against the record of
    /// generated files before applying (`orch new feature --force` never loses edits unasked).
    pub fn overwrites(&self) -> impl Iterator<Item = &Op> {
        self.overwritten.iter().filter_map(|path| self.ops.get(path)).filter(|op| op.kind == OpKind::Update)
    }

    /// Files deliberately left alone.
    pub fn skipped(&self) -> &[Skip] {
        &self.skipped
    }

    /// Notes for the user ("UploadJob did not exist; creating it too").
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Suggested next commands.
    pub fn next_steps(&self) -> &[String] {
        &self.next_steps
    }

    /// Content of `rel` as the plan would leave it: planned content, else the file on disk,
    /// else `None` (absent, or deleted by the plan).
    pub fn read(&self, rel: impl AsRef<Path>) -> anyhow::Result<Option<String>> {
        let rel = check_relative(rel.as_ref())?;
        if let Some(op) = self.ops.get(&rel) {
            return Ok(op.after.clone());
        }
        read_disk(&self.root.join(&rel))
    }

    /// Whether `rel` exists as the plan would leave it (files planned; files or directories on
    /// disk).
    pub fn exists(&self, rel: impl AsRef<Path>) -> bool {
        let rel = rel.as_ref();
        if let Some(op) = self.ops.get(rel) {
            return op.after.is_some();
        }
        if self.ops.keys().any(|p| p.starts_with(rel) && p != rel) {
            return true;
        }
        self.root.join(rel).symlink_metadata().is_ok()
    }

    /// Plan a new file. An existing file is a conflict (exit 1) unless `force`, which turns it
    /// into an update (listed by [`Plan::overwrites`] when the content differs).
    pub fn create(
        &mut self,
        rel: impl AsRef<Path>,
        contents: impl Into<String>,
        force: bool,
    ) -> anyhow::Result<()> {
        let rel = check_relative(rel.as_ref())?;
        let contents = contents.into();
        let abs = self.root.join(&rel);
        if self.ops.get(&rel).is_some_and(|op| op.after.is_some()) {
            return Err(Failure::failed("planned twice")
                .at(&rel)
                .hint("this is a bug in orch; please report it")
                .into());
        }
        match abs.symlink_metadata() {
            Err(_) => {
                self.ops.insert(
                    rel.clone(),
                    Op { path: rel, kind: OpKind::Create, before: None, after: Some(contents) },
                );
                Ok(())
            }
            Ok(meta) if meta.is_dir() => Err(Failure::failed("already exists as a directory")
                .at(&rel)
                .hint("pick another name")
                .into()),
            Ok(_) if !force => Err(Failure::failed("already exists")
                .at(&rel)
                .hint("pick another name, or pass --force to overwrite it")
                .into()),
            Ok(_) => {
                self.overwritten.insert(rel.clone());
                self.update(&rel, contents)
            }
        }
    }

    /// Plan new content for an existing file (read from disk now). Content equal to what is on
    /// disk plans nothing.
    pub fn update(&mut self, rel: impl AsRef<Path>, after: impl Into<String>) -> anyhow::Result<()> {
        let rel = check_relative(rel.as_ref())?;
        let after = after.into();
        let before = match self.ops.get(&rel) {
            Some(op) => op.before.clone(),
            None => read_disk(&self.root.join(&rel))?,
        };
        if before.as_deref() == Some(after.as_str()) {
            self.ops.remove(&rel);
            return Ok(());
        }
        let kind = if before.is_some() { OpKind::Update } else { OpKind::Create };
        self.ops.insert(rel.clone(), Op { path: rel, kind, before, after: Some(after) });
        Ok(())
    }

    /// Edit a file through `f`, which gets the current (planned or on-disk) content. Returns
    /// whether anything changed. A missing file is an error naming it.
    pub fn edit(
        &mut self,
        rel: impl AsRef<Path>,
        f: impl FnOnce(&str) -> anyhow::Result<String>,
    ) -> anyhow::Result<bool> {
        let rel = rel.as_ref();
        let current = self.read(rel)?.ok_or_else(|| {
            Failure::failed("file not found").at(rel).hint("run `orch doctor` to check the project layout")
        })?;
        let next = f(&current)?;
        if next == current {
            return Ok(false);
        }
        self.update(rel, next)?;
        Ok(true)
    }

    /// Plan deleting a file.
    pub fn delete(&mut self, rel: impl AsRef<Path>) -> anyhow::Result<()> {
        let rel = check_relative(rel.as_ref())?;
        let before = match self.ops.get(&rel) {
            Some(op) => op.before.clone(),
            None => read_disk(&self.root.join(&rel))?,
        };
        match before {
            None => {
                self.ops.remove(&rel);
            }
            Some(before) => {
                self.ops.insert(
                    rel.clone(),
                    Op { path: rel, kind: OpKind::Delete, before: Some(before), after: None },
                );
            }
        }
        Ok(())
    }

    /// Record a file deliberately left alone.
    pub fn skip(&mut self, rel: impl Into<PathBuf>, reason: impl Into<String>) {
        self.skipped.push(Skip { path: rel.into(), reason: reason.into() });
    }

    /// Add a note for the user.
    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Add a suggested next command.
    pub fn next_step(&mut self, step: impl Into<String>) {
        self.next_steps.push(step.into());
    }

    /// Refuse a plan that would leave a Rust file that does not parse, wiring outside the
    /// statements of `fn register` / `fn demo`, or a new `mod` declaration without its file
    /// ([`crate::wiring::check_planned`]): whatever planned it, orch never writes a broken
    /// project. Run before applying and before printing a dry run.
    pub fn check_sources(&self) -> anyhow::Result<()> {
        let rust: Vec<&Op> = self
            .ops
            .values()
            .filter(|op| op.after.is_some() && op.path.extension().is_some_and(|e| e == "rs"))
            .collect();
        // `orch new project` with hundreds of features plans thousands of files: parse them on
        // every core (a chunk each, in path order, so the error reported is always the same).
        let threads = std::thread::available_parallelism().map_or(1, usize::from).min(rust.len() / 64).max(1);
        if threads == 1 {
            return rust.iter().try_for_each(|op| self.check_source(op));
        }
        std::thread::scope(|scope| {
            let workers: Vec<_> = rust
                .chunks(rust.len().div_ceil(threads))
                .map(|ops| scope.spawn(move || ops.iter().try_for_each(|op| self.check_source(op))))
                .collect();
            let results: Vec<_> = workers
                .into_iter()
                .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect();
            results.into_iter().collect()
        })
    }

    /// [`Plan::check_sources`] for one planned Rust file.
    fn check_source(&self, op: &Op) -> anyhow::Result<()> {
        let Some(after) = &op.after else { return Ok(()) };
        let at = |e: anyhow::Error| crate::wiring::at_path(e, &op.path);
        let declared = crate::wiring::check_planned(op.before.as_deref(), after).map_err(at)?;
        // `mod x;` in `mod.rs`, `main.rs`, `lib.rs` (and other crate roots: `src/bin/*.rs`,
        // `tests/*.rs`, ...) looks next to the file, in `a.rs` under `a/`: either will do here,
        // the check is for a module whose file is nowhere.
        let next_to = op.path.parent().map(Path::to_path_buf).unwrap_or_default();
        let dir = match op.path.file_stem().and_then(|s| s.to_str()) {
            Some("mod" | "main" | "lib") => next_to.clone(),
            _ => op.path.with_extension(""),
        };
        let found = |d: &Path, m: &str| {
            self.exists(d.join(format!("{m}.rs"))) || self.exists(d.join(m).join("mod.rs"))
        };
        // `mod r#type;` is the file `type.rs`
        let missing = |m: &&String| {
            let m = m.strip_prefix("r#").unwrap_or(m);
            !found(&dir, m) && !found(&next_to, m)
        };
        match declared.iter().find(missing) {
            None => Ok(()),
            Some(module) => Err(Failure::failed(format!(
                "orch's edit would declare `mod {module};` but neither {} nor {} exists",
                display(&dir.join(format!("{module}.rs"))),
                display(&dir.join(module).join("mod.rs"))
            ))
            .at(&op.path)
            .hint(
                "nothing was written; if the project has custom templates (`orch list -c`), check \
                 them, else this is a bug in orch: please report it",
            )
            .into()),
        }
    }

    /// Counts of (created, updated, deleted).
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |k| self.ops.values().filter(|op| op.kind == k).count();
        (count(OpKind::Create), count(OpKind::Update), count(OpKind::Delete))
    }

    /// The plan as aligned lines: `create  path`, `skip    path (reason)`, then notes.
    pub fn render_human(&self, paint: Paint) -> String {
        let mut out = String::new();
        for op in self.ops.values() {
            let verb = format!("{:>8}", op.kind.verb());
            let verb = match op.kind {
                OpKind::Create => paint.green(&verb),
                OpKind::Update => paint.yellow(&verb),
                OpKind::Delete => paint.red(&verb),
            };
            out.push_str(&format!("{verb} {}\n", display(&op.path)));
        }
        for skip in &self.skipped {
            out.push_str(&format!(
                "{} {} {}\n",
                paint.dim(&format!("{:>8}", "skip")),
                display(&skip.path),
                paint.dim(&format!("({})", skip.reason))
            ));
        }
        for note in &self.notes {
            out.push_str(&format!("{} {note}\n", paint.cyan(&format!("{:>8}", "note"))));
        }
        out
    }

    /// Unified diffs of every update and delete (creates are listed, not diffed).
    pub fn render_diff(&self) -> String {
        let mut out = String::new();
        for op in self.ops.values().filter(|op| op.kind != OpKind::Create) {
            let before = op.before.as_deref().unwrap_or("");
            let after = op.after.as_deref().unwrap_or("");
            let path = display(&op.path);
            let new_header =
                if op.kind == OpKind::Delete { "/dev/null".to_string() } else { format!("b/{path}") };
            let diff = similar::TextDiff::from_lines(before, after);
            out.push_str(
                &diff.unified_diff().context_radius(3).header(&format!("a/{path}"), &new_header).to_string(),
            );
        }
        out
    }

    /// The plan as JSON: operations, skipped files, notes and next steps.
    pub fn to_json(&self, applied: bool) -> serde_json::Value {
        let ops: Vec<_> = self
            .ops
            .values()
            .map(|op| {
                json!({
                    "op": op.kind.verb(),
                    "path": display(&op.path),
                    "bytes": op.after.as_ref().map_or(0, String::len),
                })
            })
            .collect();
        let skipped: Vec<_> =
            self.skipped.iter().map(|s| json!({ "path": display(&s.path), "reason": s.reason })).collect();
        json!({
            "applied": applied,
            "operations": ops,
            "skipped": skipped,
            "notes": self.notes,
            "next_steps": self.next_steps,
        })
    }
}

/// Forward-slash display of a relative path, on every platform.
pub fn display(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Refuse absolute paths and `..`: every planned path stays under the root.
fn check_relative(rel: &Path) -> anyhow::Result<PathBuf> {
    let mut clean = PathBuf::new();
    for comp in rel.components() {
        match comp {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            _ => {
                return Err(Failure::usage("path leaves the project root")
                    .at(rel)
                    .hint("paths must be relative to the project root, without `..`")
                    .into());
            }
        }
    }
    if clean.as_os_str().is_empty() {
        return Err(Failure::usage("empty path").into());
    }
    Ok(clean)
}

/// Read a file as UTF-8; `None` if it does not exist.
fn read_disk(abs: &Path) -> anyhow::Result<Option<String>> {
    match std::fs::read(abs) {
        Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| {
            Failure::failed("is not valid UTF-8; orch only edits UTF-8 text")
                .at(abs)
                .hint("convert the file to UTF-8 or edit it by hand")
                .into()
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow::Error::new(e).context(Failure::failed("cannot read file").at(abs))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> (tempfile::TempDir, Plan) {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("src")).unwrap();
        std::fs::write(tmp.path().join("src/main.rs"), "fn main() {}\n").unwrap();
        let plan = Plan::new(tmp.path());
        (tmp, plan)
    }

    #[test]
    fn operations_are_sorted_and_edits_compose() {
        let (_tmp, mut plan) = fixture();
        plan.create("src/z.rs", "z", false).unwrap();
        plan.create("src/a.rs", "a", false).unwrap();
        plan.edit("src/main.rs", |s| Ok(format!("mod a;\n{s}"))).unwrap();
        plan.edit("src/main.rs", |s| Ok(format!("mod z;\n{s}"))).unwrap();
        let paths: Vec<_> = plan.ops().map(|op| display(&op.path)).collect();
        assert_eq!(paths, ["src/a.rs", "src/main.rs", "src/z.rs"]);
        assert_eq!(plan.read("src/main.rs").unwrap().unwrap(), "mod z;\nmod a;\nfn main() {}\n");
        let main = plan.ops().find(|op| op.path.ends_with("main.rs")).unwrap();
        assert_eq!(main.before.as_deref(), Some("fn main() {}\n"));
        assert_eq!(plan.counts(), (2, 1, 0));
    }

    #[test]
    fn existing_file_conflicts_unless_forced() {
        let (_tmp, mut plan) = fixture();
        let err = plan.create("src/main.rs", "x", false).unwrap_err();
        assert_eq!(crate::error::classify(&err).0.code(), 1);
        assert!(err.to_string().contains("src/main.rs: already exists"), "{err}");
        plan.create("src/main.rs", "x", true).unwrap();
        assert_eq!(plan.ops().next().unwrap().kind, OpKind::Update);
        assert_eq!(plan.overwrites().map(|op| display(&op.path)).collect::<Vec<_>>(), ["src/main.rs"]);
    }

    #[test]
    fn paths_outside_the_root_are_refused() {
        let (_tmp, mut plan) = fixture();
        assert!(plan.create("../evil.rs", "x", false).is_err());
        assert!(plan.create("/etc/evil.rs", "x", false).is_err());
        assert!(plan.is_empty());
    }

    #[test]
    fn an_edit_back_to_the_original_plans_nothing() {
        let (_tmp, mut plan) = fixture();
        plan.edit("src/main.rs", |s| Ok(format!("// x\n{s}"))).unwrap();
        plan.edit("src/main.rs", |s| Ok(s.trim_start_matches("// x\n").to_string())).unwrap();
        assert!(plan.is_empty());
    }

    #[test]
    fn diff_shows_updates_only() {
        let (_tmp, mut plan) = fixture();
        plan.create("src/a.rs", "a\n", false).unwrap();
        plan.edit("src/main.rs", |s| Ok(format!("mod a;\n{s}"))).unwrap();
        let diff = plan.render_diff();
        assert!(diff.contains("--- a/src/main.rs\n+++ b/src/main.rs\n"), "{diff}");
        assert!(diff.contains("+mod a;\n"), "{diff}");
        assert!(!diff.contains("src/a.rs"), "{diff}");
    }

    #[test]
    fn sources_that_would_not_parse_or_miss_a_module_file_are_refused() {
        let (_tmp, mut plan) = fixture();
        plan.create("src/a.rs", "mod b;\n", false).unwrap();
        let err = plan.check_sources().unwrap_err();
        assert!(err.to_string().contains("src/a.rs: orch's edit would declare `mod b;`"), "{err}");
        plan.create("src/a/b.rs", "fn b() {}\n", false).unwrap();
        plan.check_sources().unwrap();
        plan.edit("src/main.rs", |s| Ok(format!("{s}fn broken(\n"))).unwrap();
        let err = plan.check_sources().unwrap_err();
        assert!(err.to_string().contains("src/main.rs: orch would leave this file unparsable"), "{err}");
        assert_eq!(crate::error::classify(&err).0.code(), 1);
        // Other files are not Rust: not checked.
        let (_tmp, mut plan) = fixture();
        plan.create("notes.txt", "fn (", false).unwrap();
        plan.check_sources().unwrap();
    }
}
