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
//! skip paths. Symbolic links to directories are not followed; a symlinked `.rs` file is read.

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Condvar, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::place::{Classifier, Place};
use super::scan::{Input, RefPolicy, Scanner};
use super::{Chunks, Loc, Options, Problem, ProblemKind, Reach, SourceDir, SourceFile};
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

/// One worker's results.
struct Local {
    files: Chunks<SourceFile>,
    dirs: Chunks<SourceDir>,
    problems: Vec<Problem>,
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
    };
    let root_dir = sys::open_root(root).map_err(|e| {
        anyhow::Error::new(e).context(Failure::failed(format!("cannot read {}", root.display())))
    })?;
    let queue = Queue { state: Mutex::new((starts, 0)), wake: Condvar::new() };
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()).min(8),
        n => n,
    };
    let locals: Vec<Local> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut w = Worker::new(&ctx, &root_dir);
                    w.run(&queue);
                    w.local
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    });
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
            local: Local { files: Chunks::new(), dirs: Chunks::new(), problems: Vec::new() },
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
        let mut entries = std::mem::take(&mut self.entries);
        let listed = sys::entries(&handle, &mut self.dirbuf, &mut |name: &OsStr, kind: EntryKind| {
            let wanted = match kind {
                EntryKind::Dir => true,
                EntryKind::File | EntryKind::Symlink => name.as_encoded_bytes().ends_with(b".rs"),
                EntryKind::Other => false,
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
                EntryKind::File | EntryKind::Symlink => self.file(&handle, rel, kind == EntryKind::Symlink),
                EntryKind::Other => {}
            }
        }
        self.entries = entries;
    }

    fn io_problem(&mut self, rel: &Path, message: String) {
        self.local.problems.push(Problem { path: rel.into(), kind: ProblemKind::Io, loc: None, message });
    }

    fn file(&mut self, dir: &sys::Dir, rel: PathBuf, symlink: bool) {
        let place = self.classifier.classify(&rel, false);
        let mut file = SourceFile {
            path: rel.into_boxed_path(),
            place,
            facts: Box::new([]),
            reach: Reach::Unreached,
            root: false,
            cfg: false,
            path_loaded: false,
            module: false,
        };
        // A file whose name is not UTF-8 cannot be a module (`mod` names and `#[path]` values
        // are UTF-8): the name rule reports it; its contents are never read.
        if file.path.to_str().is_some() {
            let name = file.path.file_name().unwrap_or_default().to_os_string();
            match self.scan_file(dir, &name, &mut file) {
                Ok(()) => {}
                // a symlink to a directory named `x.rs`: not a source file
                Err(e) if symlink && e.kind() == std::io::ErrorKind::IsADirectory => return,
                Err(e) => {
                    let path = file.path.clone();
                    self.io_problem(&path, format!("cannot read file: {e}"));
                }
            }
        }
        self.local.files.push(file);
    }

    fn scan_file(&mut self, dir: &sys::Dir, name: &OsStr, file: &mut SourceFile) -> std::io::Result<()> {
        let (mut len, mut complete) = sys::read_file(dir, name, &mut self.buf, false)?;
        loop {
            let bytes = &self.buf[..len];
            let text = match std::str::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) if !complete => {
                    (len, complete) = sys::read_file(dir, name, &mut self.buf, true)?;
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
                    (len, complete) = sys::read_file(dir, name, &mut self.buf, true)?;
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
pub struct SourceReader {
    root: Option<sys::Root>,
    dir: Option<(PathBuf, sys::Dir)>,
}

impl SourceReader {
    /// A reader of the project at `root` (an unreadable root makes every read fail).
    pub fn new(root: &Path) -> Self {
        SourceReader { root: sys::open_root(root).ok(), dir: None }
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
        Ok(sys::read_file(dir, name, buf, true)?.0)
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

    use super::EntryKind;

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
    pub fn read_file(dir: &Dir, name: &OsStr, buf: &mut Vec<u8>, exact: bool) -> io::Result<(usize, bool)> {
        let fd = rustix::fs::openat(&dir.0, name, OFlags::RDONLY.union(OFlags::CLOEXEC), Mode::empty())?;
        let mut filled = 0;
        loop {
            if filled == buf.len() {
                buf.resize((buf.len() * 2).max(64 * 1024), 0);
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

    use super::EntryKind;

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

    pub fn read_file(dir: &Dir, name: &OsStr, buf: &mut Vec<u8>, _exact: bool) -> io::Result<(usize, bool)> {
        let mut file = std::fs::File::open(dir.0.join(name))?;
        let mut filled = 0;
        loop {
            if filled == buf.len() {
                buf.resize((buf.len() * 2).max(64 * 1024), 0);
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
