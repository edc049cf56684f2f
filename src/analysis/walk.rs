//! The parallel walk: `ignore`'s work-stealing [`ignore::WalkParallel`] over the source
//! directories, with each worker thread reading, tokenizing and scanning the `.rs` files it meets
//! (one pool does walk and parse). Every worker keeps reusable buffers and collects compact
//! results locally; results are merged when the workers finish. Only `.rs` files are read.
//!
//! No `.gitignore` handling (rustc does not care about it, and probing every directory for
//! ignore files costs three `stat`s per directory); `[lint] exclude` globs are applied as
//! `ignore` overrides. Symbolic links are not followed into directories; a symlinked `.rs` file
//! is read like a file.

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use ignore::{DirEntry, WalkBuilder, WalkState};

use super::place::{Classifier, Place};
use super::scan::{Input, RefPolicy, Scanner};
use super::{Loc, Options, Problem, ProblemKind, Reach, SourceDir, SourceFile};
use crate::error::Failure;

/// What the walk found.
#[derive(Debug, Default)]
pub struct Walked {
    /// `.rs` files.
    pub files: Vec<SourceFile>,
    /// Directories.
    pub dirs: Vec<SourceDir>,
    /// Unreadable paths and files that do not parse.
    pub problems: Vec<Problem>,
}

impl Walked {
    fn append(&mut self, other: &mut Walked) {
        self.files.append(&mut other.files);
        self.dirs.append(&mut other.dirs);
        self.problems.append(&mut other.problems);
    }
}

/// Shared, read-only settings of one walk.
struct Ctx {
    root: PathBuf,
    features: PathBuf,
    core: PathBuf,
    /// Module path of the features directory (`["features"]`), if it is under `src/`.
    features_mod: Option<Vec<String>>,
    /// I/O deny-list entries, split on `::`.
    io_deny: Vec<Vec<String>>,
}

/// Walk the source directories of the project at `root`.
pub fn walk(root: &Path, options: &Options) -> anyhow::Result<Walked> {
    let src = root.join("src");
    let mut starts: Vec<PathBuf> = Vec::new();
    if src.is_dir() {
        starts.push(src.clone());
    }
    for extra in [&options.features_dir, &options.core_dir] {
        let abs = root.join(extra);
        if !abs.starts_with(&src) && abs.is_dir() && !starts.iter().any(|s| abs.starts_with(s)) {
            starts.push(abs);
        }
    }
    let Some((first, rest)) = starts.split_first() else { return Ok(Walked::default()) };
    let mut builder = WalkBuilder::new(first);
    for extra in rest {
        builder.add(extra);
    }
    builder.standard_filters(false).follow_links(false).threads(options.threads);
    if !options.exclude.is_empty() {
        let mut ob = ignore::overrides::OverrideBuilder::new(root);
        for glob in &options.exclude {
            ob.add(&format!("!{glob}")).map_err(|e| {
                Failure::usage(format!("invalid [lint] exclude pattern {glob:?}: {e}"))
                    .hint("patterns are globs relative to the project root, e.g. \"src/generated/**\"")
            })?;
        }
        let ov = ob.build().map_err(|e| Failure::usage(format!("invalid [lint] exclude patterns: {e}")))?;
        builder.overrides(ov);
    }
    let features_mod = module_path_of_dir(&options.features_dir);
    let ctx = Ctx {
        root: root.to_path_buf(),
        features: options.features_dir.clone(),
        core: options.core_dir.clone(),
        features_mod,
        io_deny: options.io_deny.iter().map(|d| d.split("::").map(str::to_string).collect()).collect(),
    };
    let shared = Mutex::new(Walked::default());
    let mut vb = VisitorBuilder { ctx: &ctx, shared: &shared };
    builder.build_parallel().visit(&mut vb);
    let walked = shared.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    Ok(walked)
}

/// `src/features` → `["features"]`; `None` outside `src/`.
pub(crate) fn module_path_of_dir(dir: &Path) -> Option<Vec<String>> {
    let rest = dir.strip_prefix("src").ok()?;
    rest.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_str().map(str::to_string))
        .collect()
}

/// The module path of a root-relative `.rs` file (`src/features/auth/mod.rs` →
/// `["features", "auth"]`); `None` outside `src/` or for non-UTF-8 names.
pub fn module_path(rel: &Path) -> Option<Vec<&str>> {
    let rest = rel.strip_prefix("src").ok()?;
    let mut segs: Vec<&str> = rest.components().map(|c| c.as_os_str().to_str()).collect::<Option<_>>()?;
    let last = segs.pop()?;
    let stem = last.strip_suffix(".rs")?;
    if stem != "mod" && !(segs.is_empty() && (stem == "main" || stem == "lib")) {
        segs.push(stem);
    }
    Some(segs)
}

struct VisitorBuilder<'s> {
    ctx: &'s Ctx,
    shared: &'s Mutex<Walked>,
}

impl<'s> ignore::ParallelVisitorBuilder<'s> for VisitorBuilder<'s> {
    fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 's> {
        Box::new(Visitor {
            ctx: self.ctx,
            shared: self.shared,
            local: Walked::default(),
            scanner: Scanner::new(),
            buf: vec![0; 64 * 1024],
            classifier: Classifier::new(&self.ctx.features, &self.ctx.core),
        })
    }
}

struct Visitor<'s> {
    ctx: &'s Ctx,
    shared: &'s Mutex<Walked>,
    local: Walked,
    scanner: Scanner,
    buf: Vec<u8>,
    classifier: Classifier,
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        let mut shared = self.shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        shared.append(&mut self.local);
    }
}

impl ignore::ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        match entry {
            Ok(entry) => self.entry(&entry),
            Err(err) => self.error(&err),
        }
        WalkState::Continue
    }
}

impl Visitor<'_> {
    fn rel<'p>(&self, path: &'p Path) -> &'p Path {
        path.strip_prefix(&self.ctx.root).unwrap_or(path)
    }

    fn error(&mut self, err: &ignore::Error) {
        let path = error_path(err).map(|p| self.rel(p).into()).unwrap_or_else(|| Path::new("src").into());
        self.local.problems.push(Problem {
            path,
            kind: ProblemKind::Io,
            loc: None,
            message: io_message(err),
        });
    }

    fn entry(&mut self, entry: &DirEntry) {
        if entry.depth() == 0 {
            return;
        }
        let Some(ft) = entry.file_type() else { return };
        let path = entry.path();
        let rel = self.rel(path);
        if ft.is_dir() {
            let place = self.classifier.classify(rel, true);
            self.local.dirs.push(SourceDir { path: rel.into(), place });
            return;
        }
        if path.extension() != Some(OsStr::new("rs")) {
            return;
        }
        if ft.is_symlink() && !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            return;
        }
        let place = self.classifier.classify(rel, false);
        let mut file =
            SourceFile { path: rel.into(), place, facts: Box::new([]), reach: Reach::Unreached, root: false };
        // A file whose name is not UTF-8 cannot be a module (`mod` names and `#[path]` values
        // are UTF-8): the name rule reports it; its contents are never read.
        if rel.to_str().is_some() {
            self.scan_file(path, &mut file);
        }
        self.local.files.push(file);
    }

    fn scan_file(&mut self, abs: &Path, file: &mut SourceFile) {
        let len = match read_into(abs, &mut self.buf) {
            Ok(len) => len,
            Err(e) => {
                self.local.problems.push(Problem {
                    path: file.path.clone(),
                    kind: ProblemKind::Io,
                    loc: None,
                    message: format!("cannot read file: {e}"),
                });
                return;
            }
        };
        let bytes = &self.buf[..len];
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let at = e.valid_up_to();
                let before = &bytes[..at];
                let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
                let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                let col = String::from_utf8_lossy(&before[line_start..]).chars().count() as u32 + 1;
                self.local.problems.push(Problem {
                    path: file.path.clone(),
                    kind: ProblemKind::Parse,
                    loc: Some(Loc { line, col }),
                    message: "the file is not valid UTF-8".to_string(),
                });
                return;
            }
        };
        let rel_path = file.path.clone();
        let module = module_path(&rel_path).unwrap_or_default();
        let features_mod: Vec<&str> =
            self.ctx.features_mod.as_deref().unwrap_or_default().iter().map(String::as_str).collect();
        let refs = match &file.place {
            _ if file.place.folder() == Some(super::Folder::Orchestrators) => RefPolicy::Orchestrator {
                deny: &self.ctx.io_deny,
                features: self.ctx.features_mod.as_ref().map(|_| features_mod.as_slice()),
                own: file.place.feature(),
            },
            Place::Feature { feature, .. } if self.ctx.features_mod.is_some() => {
                RefPolicy::OtherFeatures { features: &features_mod, own: feature }
            }
            _ => RefPolicy::None,
        };
        match self.scanner.scan(Input { src: text, module: &module, refs }) {
            Ok(facts) => file.facts = facts,
            Err(e) => self.local.problems.push(Problem {
                path: file.path.clone(),
                kind: ProblemKind::Parse,
                loc: Some(e.loc),
                message: e.message,
            }),
        }
        if self.buf.len() > 1 << 20 {
            self.buf = vec![0; 64 * 1024];
        }
    }
}

/// Read a whole file into `buf` (whose length is its usable size, grown when full) with plain
/// `read` calls, returning the number of bytes read. `File::read_to_end` first asks the file's
/// size and position: two more syscalls per file, a measurable cost at 100k files.
fn read_into(path: &Path, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut file = std::fs::File::open(path)?;
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            buf.resize((buf.len() * 2).max(64 * 1024), 0);
        }
        match file.read(&mut buf[filled..]) {
            Ok(0) => return Ok(filled),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child),
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}

fn io_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => io_message(err),
        ignore::Error::Loop { .. } => "symbolic link loop".to_string(),
        other => format!("cannot read: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths() {
        let m = |p: &str| module_path(Path::new(p)).map(|v| v.join("::"));
        assert_eq!(m("src/main.rs").as_deref(), Some(""));
        assert_eq!(m("src/features/mod.rs").as_deref(), Some("features"));
        assert_eq!(m("src/features/auth/jobs/login.rs").as_deref(), Some("features::auth::jobs::login"));
        assert_eq!(m("src/bin/tool.rs").as_deref(), Some("bin::tool"));
        assert_eq!(m("tests/x.rs"), None);
    }
}
