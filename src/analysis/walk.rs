//! The parallel walk: one pool of threads walks the source directories and reads, tokenizes and
//! scans the `.rs` files it meets (walk and parse in the same pass). Each worker keeps
//! reusable buffers and collects compact results locally; results are merged at the end.
//!
//! Why a small walker of our own instead of `ignore`'s `WalkParallel` or `jwalk`: at 100k files
//! the syscalls per entry are the cost, and those walkers open every file by its full path,
//! `stat` every directory, and build a `PathBuf` per entry before we see it. Here, on Linux,
//! directories are read with `getdents64` into one reused buffer (`rustix::fs::RawDir`, no
//! allocation per entry), and files are opened relative to their directory's descriptor
//! (`openat(dirfd, name)`: a one-component lookup) and read with a single `read` (see
//! [`sys::read_file`]). Elsewhere the same walker runs on `std::fs`. Work is shared through one
//! stack of directories (a mutex and a condition variable: ~35k pushes at 100k files, no
//! contention to speak of with a handful of threads); depth-first order keeps it short.
//!
//! No `.gitignore` handling (rustc does not care about it); `[lint] exclude` globs (`globset`)
//! skip paths.
//!
//! Hostile trees: only regular files are read (a FIFO or a device, also behind a symlink, is a
//! [`ProblemKind::Skipped`] problem, never a read), and at most [`MAX_FILE`] bytes of each (a
//! larger file is skipped too). Symbolic links are followed as rustc does, but never out of the
//! project: a link whose real path is outside the project root is reported, not read, so no
//! content from outside ends up in findings or snippets. A symlinked folder inside the project
//! is walked (after the main walk, in path order, so the result is deterministic) unless its
//! directory (device, inode) was walked already: that bounds the walk by the number of real
//! directories and ends symlink cycles; such a duplicate is skipped silently (its files are
//! analysed under their other path).

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Condvar, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::place::{Classifier, Place};
use super::scan::{Input, RefPolicy, Scanner};
use super::{Chunks, FastSet, Loc, Options, Problem, ProblemKind, SourceDir, SourceFile};
use crate::error::Failure;

/// The most bytes read from one source file (8 MiB, ~20 times the largest `.rs` file of the
/// crates.io top 1000): a larger file is reported and skipped, so one huge or endless file
/// cannot exhaust memory.
pub const MAX_FILE: usize = 8 << 20;

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

/// One worker's results.
struct Local {
    files: Chunks<SourceFile>,
    dirs: Chunks<SourceDir>,
    problems: Vec<Problem>,
    /// (device, inode) of each directory read.
    seen: Vec<(u64, u64)>,
    /// Symbolic links met that are not `.rs` files (maybe folders: followed after the walk).
    links: Vec<PathBuf>,
}

/// Shared, read-only settings of one walk.
struct Ctx {
    features: PathBuf,
    core: PathBuf,
    /// Module path of the features directory (`["features"]`), if it is under `src/`.
    features_mod: Option<Vec<String>>,
    /// I/O deny-list entries, split on `::`.
    io_deny: Vec<Vec<String>>,
    excludes: Option<GlobSet>,
    /// [`Options::flow`].
    flow: bool,
    /// The project root's real path (symlink targets must stay below it); `None` if it cannot
    /// be resolved (then no symlink is followed).
    real_root: Option<PathBuf>,
}

/// Directories still to read, and how many workers are reading one.
struct Queue {
    state: Mutex<(Vec<PathBuf>, usize)>,
    wake: Condvar,
}

impl Queue {
    /// The next directory, or `None` when every directory has been read.
    fn pop(&self) -> Option<PathBuf> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(dir) = st.0.pop() {
                st.1 += 1;
                return Some(dir);
            }
            if st.1 == 0 {
                self.wake.notify_all();
                return None;
            }
            st = self.wake.wait(st).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// A directory was read; `found` are its subdirectories.
    fn done(&self, found: &mut Vec<PathBuf>) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let woke = !found.is_empty();
        st.0.append(found);
        st.1 -= 1;
        if woke || st.1 == 0 {
            self.wake.notify_all();
        }
    }
}

/// Walk the source directories of the project at `root`.
pub fn walk(root: &Path, options: &Options) -> anyhow::Result<Walked> {
    let mut starts: Vec<PathBuf> = Vec::new();
    if root.join("src").is_dir() {
        starts.push(PathBuf::from("src"));
    }
    for extra in [&options.features_dir, &options.core_dir] {
        let rel: PathBuf = extra.components().filter(|c| !matches!(c, Component::CurDir)).collect();
        if !rel.starts_with("src") && root.join(&rel).is_dir() && !starts.iter().any(|s| rel.starts_with(s)) {
            starts.push(rel);
        }
    }
    if starts.is_empty() {
        return Ok(Walked::default());
    }
    let excludes = if options.exclude.is_empty() {
        None
    } else {
        let mut b = GlobSetBuilder::new();
        for glob in &options.exclude {
            let g = Glob::new(glob.trim_start_matches("./")).map_err(|e| {
                Failure::usage(format!("invalid [lint] exclude pattern {glob:?}: {e}"))
                    .hint("patterns are globs relative to the project root, e.g. \"src/generated/**\"")
            })?;
            b.add(g);
        }
        Some(b.build().map_err(|e| Failure::usage(format!("invalid [lint] exclude patterns: {e}")))?)
    };
    let ctx = Ctx {
        features: options.features_dir.clone(),
        core: options.core_dir.clone(),
        features_mod: module_path_of_dir(&options.features_dir),
        io_deny: options.io_deny.iter().map(|d| d.split("::").map(str::to_string).collect()).collect(),
        excludes,
        flow: options.flow,
        real_root: std::fs::canonicalize(root).ok(),
    };
    let root_dir = sys::open_root(root).map_err(|e| {
        anyhow::Error::new(e).context(Failure::failed(format!("cannot read {}", root.display())))
    })?;
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()).min(8),
        n => n,
    };
    let mut locals = walk_from(&ctx, &root_dir, starts, threads);
    // Symlinked folders, in path order, each walked with the pool in turn: a link whose target
    // directory was already read (a cycle, or a second link to it) is skipped, so every real
    // directory is read at most once whatever the links.
    let mut seen: FastSet<(u64, u64)> = FastSet::default();
    let mut links: Vec<PathBuf> = Vec::new();
    loop {
        for l in &mut locals {
            seen.extend(l.seen.drain(..));
            links.append(&mut l.links);
        }
        // pop from the end: the smallest path first
        links.sort_unstable_by(|x, y| super::key(y).cmp(super::key(x)));
        let Some(link) = links.pop() else { break };
        if !symlinked_dir(&ctx, root, &link, &seen, &mut locals) {
            continue;
        }
        let place = Classifier::new(&ctx.features, &ctx.core).classify(&link, true);
        let mut found = walk_from(&ctx, &root_dir, vec![link.clone()], threads);
        if let Some(first) = found.first_mut() {
            first.dirs.push(SourceDir { path: link.into_boxed_path(), place });
        }
        locals.append(&mut found);
    }
    let mut files = Vec::with_capacity(locals.len());
    let mut dirs = Vec::with_capacity(locals.len());
    let mut problems = Vec::new();
    for l in locals {
        files.push(l.files);
        dirs.push(l.dirs);
        problems.extend(l.problems);
    }
    Ok(Walked { files: Chunks::merge(files), dirs: Chunks::merge(dirs), problems })
}

/// Whether the symbolic link `link` (root-relative) is a folder to walk: it leads to a
/// directory inside the project that was not read yet. A link out of the project is a problem
/// (recorded in `locals`); a dangling link or one to something else is ignored (it is no
/// source file: its name does not end in `.rs`).
fn symlinked_dir(
    ctx: &Ctx,
    root: &Path,
    link: &Path,
    seen: &FastSet<(u64, u64)>,
    locals: &mut [Local],
) -> bool {
    let abs = root.join(link);
    let Some(meta) = std::fs::metadata(&abs).ok().filter(std::fs::Metadata::is_dir) else { return false };
    let real = std::fs::canonicalize(&abs).ok();
    let inside = ctx.real_root.as_ref().zip(real.as_ref()).is_some_and(|(r, real)| real.starts_with(r));
    // a link to a folder that contains it (`src/up -> ..`): following it would walk the
    // project again (and its `.git`, `target`) before the inode check could end the cycle
    let cycle = || {
        let parent = ctx.real_root.as_ref().map(|r| r.join(link.parent().unwrap_or(Path::new(""))));
        let parent = parent.and_then(|p| std::fs::canonicalize(p).ok());
        real.as_ref().zip(parent).is_some_and(|(real, parent)| parent.starts_with(real))
    };
    let why = if !inside {
        "symbolic link to a folder outside the project: not followed"
    } else if cycle() {
        "symbolic link to a folder that contains it (a cycle): not followed"
    } else {
        ""
    };
    if !why.is_empty() {
        let problem =
            Problem { path: link.into(), kind: ProblemKind::Skipped, loc: None, message: why.to_string() };
        if let Some(l) = locals.first_mut() {
            l.problems.push(problem);
        }
        return false;
    }
    !seen.contains(&dev_ino(&meta))
}

/// (device, inode) of a directory, from its metadata.
#[cfg(unix)]
fn dev_ino(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

/// Without inodes, every folder is its own: symlinked folders are followed but not deduplicated
/// (cycles end at the OS's path length limit).
#[cfg(not(unix))]
fn dev_ino(_meta: &std::fs::Metadata) -> (u64, u64) {
    (u64::MAX, u64::MAX)
}

/// Why a file was not read: a [`ProblemKind::Skipped`] problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skip {
    /// A FIFO, socket or device: no source file at all.
    NotRegular,
    /// Over [`MAX_FILE`]: a source file, unknown content.
    TooLarge,
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::NotRegular => f.write_str("not a regular file (a FIFO, socket or device): not read"),
            Skip::TooLarge => write!(f, "larger than {} MiB: not read", MAX_FILE >> 20),
        }
    }
}

impl std::error::Error for Skip {}

fn skip(why: Skip) -> std::io::Error {
    std::io::Error::other(why)
}

/// Why `e` says the file was skipped, if it is not an I/O error.
fn skipped(e: &std::io::Error) -> Option<Skip> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<Skip>()).copied()
}

/// Walk `starts` (root-relative directories) with a pool of `threads` workers.
fn walk_from(ctx: &Ctx, root_dir: &sys::Root, starts: Vec<PathBuf>, threads: usize) -> Vec<Local> {
    let queue = Queue { state: Mutex::new((starts, 0)), wake: Condvar::new() };
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut w = Worker::new(ctx, root_dir);
                    w.run(&queue);
                    w.local
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    })
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
    let rest = rel.to_str()?.strip_prefix("src/")?;
    let mut segs: Vec<&str> = rest.split('/').collect();
    let last = segs.pop()?;
    let stem = last.strip_suffix(".rs")?;
    if stem != "mod" && !(segs.is_empty() && (stem == "main" || stem == "lib")) {
        segs.push(stem);
    }
    Some(segs)
}

/// What a directory entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntryKind {
    Dir,
    File,
    Symlink,
    Other,
}

struct Worker<'a> {
    ctx: &'a Ctx,
    root: &'a sys::Root,
    local: Local,
    scanner: Scanner,
    buf: Vec<u8>,
    dirbuf: sys::DirBuf,
    classifier: Classifier,
    features_mod: Vec<&'a str>,
    entries: Vec<(PathBuf, EntryKind)>,
}

impl<'a> Worker<'a> {
    fn new(ctx: &'a Ctx, root: &'a sys::Root) -> Self {
        Worker {
            ctx,
            root,
            local: Local {
                files: Chunks::new(),
                dirs: Chunks::new(),
                problems: Vec::new(),
                seen: Vec::new(),
                links: Vec::new(),
            },
            scanner: Scanner::new(),
            buf: vec![0; 64 * 1024],
            dirbuf: sys::DirBuf::new(),
            classifier: Classifier::new(&ctx.features, &ctx.core),
            features_mod: ctx
                .features_mod
                .as_deref()
                .unwrap_or_default()
                .iter()
                .map(String::as_str)
                .collect(),
            entries: Vec::new(),
        }
    }

    fn run(&mut self, queue: &Queue) {
        let mut found = Vec::new();
        while let Some(dir) = queue.pop() {
            self.read_dir(&dir, &mut found);
            queue.done(&mut found);
        }
    }

    fn excluded(&self, rel: &Path) -> bool {
        self.ctx.excludes.as_ref().is_some_and(|g| g.is_match(rel))
    }

    fn read_dir(&mut self, dir: &Path, found: &mut Vec<PathBuf>) {
        let handle = match sys::open_dir(self.root, dir) {
            Ok(h) => h,
            Err(e) => {
                self.io_problem(dir, format!("cannot read directory: {e}"));
                return;
            }
        };
        match sys::dir_id(&handle) {
            Ok(id) => self.local.seen.push(id),
            Err(e) => self.io_problem(dir, format!("cannot read directory: {e}")),
        }
        let mut entries = std::mem::take(&mut self.entries);
        let listed = sys::entries(&handle, &mut self.dirbuf, &mut |name: &OsStr, kind: EntryKind| {
            let wanted = match kind {
                EntryKind::Dir | EntryKind::Symlink => true,
                // a FIFO, socket or device named `x.rs` is reported, never opened
                EntryKind::File | EntryKind::Other => name.as_encoded_bytes().ends_with(b".rs"),
            };
            if !wanted {
                return;
            }
            let mut rel = PathBuf::with_capacity(dir.as_os_str().len() + 1 + name.len());
            rel.push(dir);
            rel.push(name);
            entries.push((rel, kind));
        });
        if let Err(e) = listed {
            self.io_problem(dir, format!("cannot read directory: {e}"));
        }
        for (rel, kind) in entries.drain(..) {
            if self.excluded(&rel) {
                continue;
            }
            match kind {
                EntryKind::Dir => {
                    let place = self.classifier.classify(&rel, true);
                    self.local.dirs.push(SourceDir { path: rel.clone().into_boxed_path(), place });
                    found.push(rel);
                }
                EntryKind::Symlink if !rel.as_os_str().as_encoded_bytes().ends_with(b".rs") => {
                    self.local.links.push(rel);
                }
                EntryKind::File | EntryKind::Symlink => self.file(&handle, rel, kind == EntryKind::Symlink),
                EntryKind::Other => self.local.problems.push(Problem {
                    path: rel.into_boxed_path(),
                    kind: ProblemKind::Skipped,
                    loc: None,
                    message: Skip::NotRegular.to_string(),
                }),
            }
        }
        self.entries = entries;
    }

    fn io_problem(&mut self, rel: &Path, message: String) {
        self.local.problems.push(Problem { path: rel.into(), kind: ProblemKind::Io, loc: None, message });
    }

    fn file(&mut self, dir: &sys::Dir, rel: PathBuf, symlink: bool) {
        if symlink && !self.inside(&rel) {
            // never read (nor echo in a snippet) a file outside the project
            match self.root_abs_meta(&rel) {
                Some(m) if m.is_dir() => self.local.links.push(rel), // a folder named `x.rs`
                // dangling: reported as before (a `mod` line naming it fails to build)
                None => self.io_problem(&rel, "cannot read file: dangling symbolic link".to_string()),
                Some(_) => self.local.problems.push(Problem {
                    path: rel.into_boxed_path(),
                    kind: ProblemKind::Skipped,
                    loc: None,
                    message: "symbolic link to a file outside the project: not read".to_string(),
                }),
            }
            return;
        }
        let place = self.classifier.classify(&rel, false);
        let mut file = SourceFile::new(rel.into_boxed_path(), place);
        // A file whose name is not UTF-8 cannot be a module (`mod` names and `#[path]` values
        // are UTF-8): the name rule reports it; its contents are never read.
        if file.path.to_str().is_some() {
            let name = file.path.file_name().unwrap_or_default().to_os_string();
            match self.scan_file(dir, &name, &mut file, symlink) {
                Ok(()) => {}
                // a symlink to a directory named `x.rs`: a folder (walked after the main walk)
                Err(e) if symlink && e.kind() == std::io::ErrorKind::IsADirectory => {
                    self.local.links.push(file.path.into_path_buf());
                    return;
                }
                Err(e) => {
                    let path = file.path.clone();
                    match skipped(&e) {
                        Some(why) => {
                            self.local.problems.push(Problem {
                                path,
                                kind: ProblemKind::Skipped,
                                loc: None,
                                message: why.to_string(),
                            });
                            if why == Skip::NotRegular {
                                return; // not a source file: no orphan or naming findings for it
                            }
                        }
                        None => self.io_problem(&path, format!("cannot read file: {e}")),
                    }
                }
            }
        }
        self.local.files.push(file);
    }

    /// Whether the symlink `rel` (root-relative) resolves to a path inside the project.
    fn inside(&self, rel: &Path) -> bool {
        let Some(real_root) = &self.ctx.real_root else { return false };
        std::fs::canonicalize(real_root.join(rel)).is_ok_and(|real| real.starts_with(real_root))
    }

    fn root_abs_meta(&self, rel: &Path) -> Option<std::fs::Metadata> {
        std::fs::metadata(self.ctx.real_root.as_ref()?.join(rel)).ok()
    }

    fn scan_file(
        &mut self,
        dir: &sys::Dir,
        name: &OsStr,
        file: &mut SourceFile,
        symlink: bool,
    ) -> std::io::Result<()> {
        // a symlink may lead to a FIFO or a device: check the type before reading
        let how = sys::How { exact: false, check_type: symlink, nofollow: false };
        let exact = sys::How { exact: true, ..how };
        let (mut len, mut complete) = sys::read_file(dir, name, &mut self.buf, how)?;
        loop {
            let bytes = &self.buf[..len];
            let text = match std::str::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) if !complete => {
                    (len, complete) = sys::read_file(dir, name, &mut self.buf, exact)?;
                    continue;
                }
                Err(e) => {
                    let loc = utf8_error_loc(bytes, e.valid_up_to());
                    self.local.problems.push(Problem {
                        path: file.path.clone(),
                        kind: ProblemKind::Parse,
                        loc: Some(loc),
                        message: "the file is not valid UTF-8".to_string(),
                    });
                    return Ok(());
                }
            };
            let features = self.ctx.features_mod.as_ref().map(|_| self.features_mod.as_slice());
            let scanned =
                scan_text(&mut self.scanner, file, text, &self.ctx.io_deny, features, self.ctx.flow);
            match scanned {
                Ok(problem) => self.local.problems.extend(problem),
                Err(_) if !complete => {
                    // The single read may have been short: read it all and scan again.
                    (len, complete) = sys::read_file(dir, name, &mut self.buf, exact)?;
                    continue;
                }
                Err(e) => self.local.problems.push(Problem {
                    path: file.path.clone(),
                    kind: ProblemKind::Parse,
                    loc: Some(e.loc),
                    message: e.message,
                }),
            }
            break;
        }
        if self.buf.len() > 1 << 20 {
            self.buf = vec![0; 64 * 1024];
        }
        Ok(())
    }
}

/// Scan `text` as the content of `file` (its path and place set): its facts, with the walk's
/// policy for which paths to keep. The files orch wires into (a `fn register`: features
/// module, core and feature `mod.rs`) are also parsed in full: a hand edit that breaks their
/// statements still tokenizes, and `cargo build` would be the first to say. Their facts stay
/// (the rest of the checks still see the wiring) and the syntax error is the `Ok` problem.
/// Also used by [`super::overlay`] for planned content that is not on disk.
pub(crate) fn scan_text(
    scanner: &mut Scanner,
    file: &mut SourceFile,
    text: &str,
    io_deny: &[Vec<String>],
    features: Option<&[&str]>,
    flow: bool,
) -> Result<Option<Problem>, super::scan::ScanError> {
    let module = module_path(&file.path).unwrap_or_default();
    let refs = match &file.place {
        p if p.folder() == Some(super::Folder::Orchestrators) => {
            RefPolicy::Orchestrator { deny: io_deny, features, own: p.feature() }
        }
        Place::Feature { feature, .. } if features.is_some() => {
            RefPolicy::OtherFeatures { features: features.unwrap_or_default(), own: feature }
        }
        _ => RefPolicy::None,
    };
    // event files: the features module, for the shapes `god-event` looks at
    let events = (file.place.folder() == Some(super::Folder::Events)).then(|| features.unwrap_or_default());
    let facts = scanner.scan(Input { src: text, module: &module, refs, flow, events })?;
    let mut problem = None;
    // Only files in the layout: a library's own `fn register` elsewhere may be valid code syn
    // does not parse (edition 2015 bare trait objects).
    if !matches!(file.place, Place::Other)
        && facts.iter().any(|f| matches!(f, super::Fact::RegisterFn { .. }))
        && let Err(e) = syn::parse_file(text)
    {
        let start = e.span().start();
        problem = Some(Problem {
            path: file.path.clone(),
            kind: ProblemKind::Syntax,
            loc: Some(super::Loc { line: start.line as u32, col: start.column as u32 + 1 }),
            message: format!("does not parse as Rust: {e}"),
        });
    }
    file.facts = facts;
    Ok(problem)
}

/// Reads source files of one project again after the walk (the human lint report shows the
/// line of each finding). Findings come sorted by path, so the directory of the previous file
/// is kept open and the next file in it is opened relative to it, as the walk does.
/// It reads what the walk would: regular files up to [`MAX_FILE`], through a symlink only if
/// it stays inside the project.
pub struct SourceReader {
    root: Option<sys::Root>,
    real_root: Option<PathBuf>,
    dir: Option<(PathBuf, sys::Dir)>,
}

impl SourceReader {
    /// A reader of the project at `root` (an unreadable root makes every read fail).
    pub fn new(root: &Path) -> Self {
        SourceReader {
            root: sys::open_root(root).ok(),
            real_root: std::fs::canonicalize(root).ok(),
            dir: None,
        }
    }

    /// Read the root-relative file `rel` into `buf` (from its start; it grows as needed and is
    /// never shrunk, so keep one per thread): the file's length.
    pub fn read(&mut self, rel: &Path, buf: &mut Vec<u8>) -> std::io::Result<usize> {
        let root = self.root.as_ref().ok_or_else(|| std::io::Error::other("cannot open the project root"))?;
        let parent = rel.parent().unwrap_or(Path::new(""));
        let name = rel.file_name().ok_or_else(|| std::io::Error::other("not a file path"))?;
        let dir = match &mut self.dir {
            Some((open, dir)) if open == parent => dir,
            slot => {
                *slot = None; // close the previous directory first
                let dir =
                    sys::open_dir(root, if parent.as_os_str().is_empty() { Path::new(".") } else { parent })?;
                &slot.insert((parent.to_path_buf(), dir)).1
            }
        };
        if buf.is_empty() {
            buf.resize(64 * 1024, 0);
        }
        let how = sys::How { exact: true, check_type: true, nofollow: true };
        match sys::read_file(dir, name, buf, how) {
            Err(e) if sys::is_symlink(&e) => {
                let inside = self.real_root.as_ref().is_some_and(|r| {
                    std::fs::canonicalize(r.join(rel)).is_ok_and(|real| real.starts_with(r))
                });
                if !inside {
                    return Err(std::io::Error::other("symbolic link to a file outside the project"));
                }
                Ok(sys::read_file(dir, name, buf, sys::How { nofollow: false, ..how })?.0)
            }
            r => Ok(r?.0),
        }
    }
}

fn utf8_error_loc(bytes: &[u8], at: usize) -> Loc {
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[line_start..]).chars().count() as u32 + 1;
    Loc { line, col }
}

/// Directory and file access, Linux: descriptors, `getdents64` into a reused buffer, `openat`.
#[cfg(target_os = "linux")]
mod sys {
    use std::ffi::OsStr;
    use std::io;
    use std::mem::MaybeUninit;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    use rustix::fd::OwnedFd;
    use rustix::fs::{AtFlags, FileType, Mode, OFlags, RawDir};

    use super::{EntryKind, MAX_FILE, Skip, skip};

    /// How [`read_file`] opens and reads.
    #[derive(Debug, Clone, Copy)]
    pub struct How {
        /// Read to the end (else one short read is taken as the end).
        pub exact: bool,
        /// Open without blocking and refuse what is not a regular file (a symlink's target may
        /// be a FIFO or a device: reading `/dev/zero` never ends).
        pub check_type: bool,
        /// Do not follow a symlink (the error then satisfies [`is_symlink`]).
        pub nofollow: bool,
    }

    /// Whether `e` is the error of opening a symlink with `nofollow`.
    pub fn is_symlink(e: &io::Error) -> bool {
        e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
    }

    /// (device, inode) of an open directory.
    pub fn dir_id(dir: &Dir) -> io::Result<(u64, u64)> {
        let st = rustix::fs::fstat(&dir.0)?;
        Ok((st.st_dev, st.st_ino))
    }

    pub struct Root(OwnedFd);
    pub struct Dir(OwnedFd);
    pub struct DirBuf(Vec<MaybeUninit<u8>>);

    impl DirBuf {
        pub fn new() -> Self {
            DirBuf(vec![MaybeUninit::uninit(); 32 * 1024])
        }
    }

    const DIR_FLAGS: OFlags = OFlags::RDONLY.union(OFlags::DIRECTORY).union(OFlags::CLOEXEC);

    pub fn open_root(root: &Path) -> io::Result<Root> {
        Ok(Root(rustix::fs::open(root, DIR_FLAGS, Mode::empty())?))
    }

    pub fn open_dir(root: &Root, rel: &Path) -> io::Result<Dir> {
        // no O_NOFOLLOW: the start directories may be symlinks; below them, symlinked
        // directories are never queued
        Ok(Dir(rustix::fs::openat(&root.0, rel, DIR_FLAGS, Mode::empty())?))
    }

    pub fn entries(dir: &Dir, buf: &mut DirBuf, f: &mut dyn FnMut(&OsStr, EntryKind)) -> io::Result<()> {
        let mut raw = RawDir::new(&dir.0, &mut buf.0);
        while let Some(entry) = raw.next() {
            let entry = entry?;
            let name = entry.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let kind = match entry.file_type() {
                FileType::Directory => EntryKind::Dir,
                FileType::RegularFile => EntryKind::File,
                FileType::Symlink => EntryKind::Symlink,
                FileType::Unknown => {
                    match rustix::fs::statat(&dir.0, entry.file_name(), AtFlags::SYMLINK_NOFOLLOW) {
                        Ok(st) => match FileType::from_raw_mode(st.st_mode) {
                            FileType::Directory => EntryKind::Dir,
                            FileType::RegularFile => EntryKind::File,
                            FileType::Symlink => EntryKind::Symlink,
                            _ => EntryKind::Other,
                        },
                        Err(_) => EntryKind::Other,
                    }
                }
                _ => EntryKind::Other,
            };
            f(OsStr::from_bytes(name), kind);
        }
        Ok(())
    }

    /// Read file `name` of `dir` into `buf` (its length is the usable size; grown when full).
    /// Returns the length and whether the content is known to be complete. Without `exact`,
    /// one `read` that does not fill the buffer is taken as the whole file: for regular files a
    /// short read means end of file, which saves one syscall per file. The walker re-reads with
    /// `exact` if the content then fails to decode or tokenize.
    /// At most [`MAX_FILE`] bytes are read: a longer file is an error.
    pub fn read_file(dir: &Dir, name: &OsStr, buf: &mut Vec<u8>, how: How) -> io::Result<(usize, bool)> {
        let mut flags = OFlags::RDONLY.union(OFlags::CLOEXEC);
        if how.check_type {
            flags |= OFlags::NONBLOCK;
        }
        if how.nofollow {
            flags |= OFlags::NOFOLLOW;
        }
        let fd = rustix::fs::openat(&dir.0, name, flags, Mode::empty())?;
        if how.check_type {
            let st = rustix::fs::fstat(&fd)?;
            match FileType::from_raw_mode(st.st_mode) {
                FileType::RegularFile => {}
                FileType::Directory => return Err(io::ErrorKind::IsADirectory.into()),
                _ => return Err(skip(Skip::NotRegular)),
            }
            if u64::try_from(st.st_size).unwrap_or(u64::MAX) > MAX_FILE as u64 {
                return Err(skip(Skip::TooLarge));
            }
        }
        let exact = how.exact;
        let mut filled = 0;
        loop {
            if filled == buf.len() {
                if filled > MAX_FILE {
                    return Err(skip(Skip::TooLarge));
                }
                // up to one byte past the cap, to tell a file of exactly MAX_FILE bytes
                buf.resize((buf.len() * 2).clamp(64 * 1024, MAX_FILE + 1), 0);
            }
            let n = match rustix::io::read(&fd, &mut buf[filled..]) {
                Ok(n) => n,
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            };
            if n == 0 {
                return Ok((filled, true));
            }
            filled += n;
            if !exact && filled < buf.len() {
                return Ok((filled, false));
            }
        }
    }
}

/// Directory and file access elsewhere: `std::fs` with full paths.
#[cfg(not(target_os = "linux"))]
mod sys {
    use std::ffi::OsStr;
    use std::io::{self, Read};
    use std::path::{Path, PathBuf};

    use super::{EntryKind, MAX_FILE, Skip, skip};

    /// See the Linux version.
    #[derive(Debug, Clone, Copy)]
    pub struct How {
        pub exact: bool,
        pub check_type: bool,
        pub nofollow: bool,
    }

    /// The error [`read_file`] returns for a symlink with `nofollow`.
    #[derive(Debug)]
    struct IsSymlink;

    impl std::fmt::Display for IsSymlink {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a symbolic link")
        }
    }

    impl std::error::Error for IsSymlink {}

    pub fn is_symlink(e: &io::Error) -> bool {
        e.get_ref().is_some_and(|inner| inner.is::<IsSymlink>())
    }

    pub fn dir_id(dir: &Dir) -> io::Result<(u64, u64)> {
        Ok(super::dev_ino(&std::fs::metadata(&dir.0)?))
    }

    pub struct Root(PathBuf);
    pub struct Dir(PathBuf);
    pub struct DirBuf;

    impl DirBuf {
        pub fn new() -> Self {
            DirBuf
        }
    }

    pub fn open_root(root: &Path) -> io::Result<Root> {
        Ok(Root(root.to_path_buf()))
    }

    pub fn open_dir(root: &Root, rel: &Path) -> io::Result<Dir> {
        Ok(Dir(root.0.join(rel)))
    }

    pub fn entries(dir: &Dir, _buf: &mut DirBuf, f: &mut dyn FnMut(&OsStr, EntryKind)) -> io::Result<()> {
        for entry in std::fs::read_dir(&dir.0)? {
            let entry = entry?;
            let kind = match entry.file_type() {
                Ok(t) if t.is_dir() => EntryKind::Dir,
                Ok(t) if t.is_file() => EntryKind::File,
                Ok(t) if t.is_symlink() => EntryKind::Symlink,
                _ => EntryKind::Other,
            };
            f(&entry.file_name(), kind);
        }
        Ok(())
    }

    pub fn read_file(dir: &Dir, name: &OsStr, buf: &mut Vec<u8>, how: How) -> io::Result<(usize, bool)> {
        let path = dir.0.join(name);
        if how.nofollow && std::fs::symlink_metadata(&path)?.file_type().is_symlink() {
            return Err(io::Error::other(IsSymlink));
        }
        if how.check_type {
            // checked by path before opening: opening a FIFO would block
            let meta = std::fs::metadata(&path)?;
            if meta.is_dir() {
                return Err(io::ErrorKind::IsADirectory.into());
            }
            if !meta.is_file() {
                return Err(skip(Skip::NotRegular));
            }
            if meta.len() > MAX_FILE as u64 {
                return Err(skip(Skip::TooLarge));
            }
        }
        // always read to the end here (`exact` saves a syscall on Linux only)
        let _ = how.exact;
        let mut file = std::fs::File::open(path)?;
        let mut filled = 0;
        loop {
            if filled == buf.len() {
                if filled > MAX_FILE {
                    return Err(skip(Skip::TooLarge));
                }
                buf.resize((buf.len() * 2).clamp(64 * 1024, MAX_FILE + 1), 0);
            }
            match file.read(&mut buf[filled..]) {
                Ok(0) => return Ok((filled, true)),
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
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

    #[test]
    fn every_file_and_directory_is_found_once_with_several_threads() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let mut expected = Vec::new();
        for i in 0..30 {
            for j in 0..5 {
                let rel = format!("src/features/f{i}/jobs/j{j}.rs");
                std::fs::create_dir_all(root.join(&rel).parent().unwrap()).unwrap();
                std::fs::write(root.join(&rel), format!("pub struct J{j}Job;\n")).unwrap();
                expected.push(rel);
            }
            std::fs::write(root.join(format!("src/features/f{i}/README.md")), "not read").unwrap();
        }
        let options = Options {
            features_dir: "src/features".into(),
            core_dir: "src/core".into(),
            exclude: vec!["src/features/f7/**".into()],
            io_deny: Vec::new(),
            threads: 4,
            flow: true,
        };
        let walked = walk(root, &options).unwrap();
        let mut found: Vec<String> =
            walked.files.iter().map(|f| f.path.to_str().unwrap().to_string()).collect();
        found.sort();
        expected.retain(|p| !p.starts_with("src/features/f7/"));
        expected.sort();
        assert_eq!(found, expected);
        assert!(walked.files.iter().all(|f| f.facts.len() == 1));
        // src/features, 30 features (f7's subfolder excluded) and their jobs/ folders
        assert_eq!(walked.dirs.len(), 1 + 30 + 29);
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_directories_are_problems_not_errors() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let locked = tmp.path().join("src/locked");
        std::fs::create_dir_all(&locked).unwrap();
        std::fs::write(tmp.path().join("src/main.rs"), "fn main() {}").unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        let options = Options {
            features_dir: "src/features".into(),
            core_dir: "src/core".into(),
            exclude: Vec::new(),
            io_deny: Vec::new(),
            threads: 2,
            flow: true,
        };
        let walked = walk(tmp.path(), &options).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(walked.files.len(), 1);
        // root can read anything: only check for a problem when the directory was unreadable
        if std::fs::read_dir(&locked).is_err() || walked.problems.iter().any(|p| p.kind == ProblemKind::Io) {
            assert!(walked.problems.iter().all(|p| p.path.ends_with("locked")), "{:?}", walked.problems);
        }
    }
}
