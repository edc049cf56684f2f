//! The only module that writes to the user's project: applies a [`Plan`] all-or-nothing.
//!
//! [`apply`] checks every path stays inside the root (symlinks included), takes an advisory
//! lock on the root directory (two orch processes never interleave), re-checks that files
//! still hold the content the plan was made from, stages every new content in a temp file next
//! to its target, then renames them into place. On any error, every file already touched is
//! restored and created directories are removed: the tree is left byte-for-byte as it was.
//!
//! The same holds when the user stops orch: while a plan is applied, SIGINT, SIGTERM and SIGHUP
//! are only recorded (see [`interrupt`]); the writer checks between file operations, rolls back,
//! and the command exits 128 + the signal's number saying every file was restored. Outside
//! `apply` the signals keep their default action (orch writes nothing there).
//! [`MemoryWriter`] applies a plan to an in-memory map instead, for tests.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::error::Failure;
use crate::plan::{OpKind, Plan, display};

/// What [`apply`] did, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Files created.
    pub created: usize,
    /// Files updated.
    pub updated: usize,
    /// Files deleted.
    pub deleted: usize,
}

/// Apply `plan` to the disk, all-or-nothing.
pub fn apply(plan: &Plan) -> anyhow::Result<Applied> {
    let root = plan.root();
    // Existing directory → where it resolves to: files of one folder share one canonicalize.
    let mut resolved_dirs = std::collections::HashMap::new();
    for op in plan.ops() {
        check_inside(root, &op.path, &mut resolved_dirs)?;
    }
    let _lock = lock_root(root)?;
    // From here until `apply` returns, a termination signal is recorded, not obeyed: the
    // transaction stops at the next file operation and rolls back (or has just completed).
    let _deferred = interrupt::Deferred::start()?;
    // Re-check preconditions under the lock: nothing changed since planning.
    for op in plan.ops() {
        let abs = root.join(&op.path);
        let current = match fs::read(&abs) {
            Ok(bytes) => Some(bytes),
            Err(e)
                if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) =>
            {
                None
            }
            Err(e) => return Err(anyhow::Error::new(e).context(Failure::failed("cannot read file").at(&abs))),
        };
        if current.as_deref() != op.before.as_ref().map(String::as_bytes) {
            return Err(Failure::failed("changed on disk while orch was planning; nothing was written")
                .at(&op.path)
                .hint("run the command again")
                .into());
        }
    }
    let mut tx = Transaction { root, created_dirs: Vec::new(), done: Vec::new() };
    match tx.run(plan) {
        Ok(applied) => {
            tx.prune_emptied_dirs(plan);
            Ok(applied)
        }
        Err(err) => {
            let restore = tx.rollback();
            let err = match interrupt::take() {
                // The rollback is done: the signal decides the exit code, the message says so.
                Some(signal) => anyhow::Error::new(Failure {
                    kind: crate::error::ExitKind::Interrupted(signal.number),
                    message: format!("interrupted ({}); every file was restored", signal.name),
                    path: None,
                    hint: Some("nothing was changed; run the command again".to_string()),
                }),
                None => err.context(
                    Failure::failed("could not apply the changes; every file was restored")
                        .hint("fix the cause above (permissions, disk space) and run the command again"),
                ),
            };
            match restore {
                Ok(()) => Err(err),
                Err(restore_err) => {
                    Err(err.context(format!("rollback was incomplete ({restore_err:#}); check `git status`")))
                }
            }
        }
    }
}

#[cfg(test)]
thread_local! {
    /// Test-only fault injection: fail before committing the N-th staged file.
    static FAIL_AT_COMMIT: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
    /// Test-only: behave as if SIGINT arrived before committing the N-th file (tests run on
    /// threads of one process, so a real signal would reach the other tests' writers too).
    static INTERRUPT_AT_COMMIT: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// Termination signals while a plan is applied: recorded by a handler, obeyed by the writer
/// between file operations (after rolling back).
///
/// The handlers are installed once per process (signal-hook cannot uninstall a handler, only
/// its actions) and do one of two things: while a [`Deferred`] guard lives, record the signal
/// in [`PENDING`]; otherwise run the signal's default action (terminate), as if orch had never
/// installed them. A signal ignored when orch started (`nohup` ignores SIGHUP, a script's `&`
/// SIGINT) gets no handler and stays ignored (Linux, where `/proc/self/status` says so).
mod interrupt {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use crate::error::Failure;

    /// The last termination signal received while deferring (0: none).
    static PENDING: AtomicUsize = AtomicUsize::new(0);
    /// Whether a signal takes its default action (false while a plan is applied).
    static DEFAULT_ACTION: AtomicBool = AtomicBool::new(true);

    /// A signal that stopped the writer.
    #[derive(Debug, Clone, Copy)]
    pub struct Signal {
        pub number: u8,
        pub name: &'static str,
    }

    /// While alive, termination signals are deferred; dropping it restores their default
    /// action, and re-delivers a signal that arrived after the plan completed.
    pub struct Deferred;

    impl Deferred {
        pub fn start() -> anyhow::Result<Deferred> {
            install()?;
            PENDING.store(0, Ordering::SeqCst);
            DEFAULT_ACTION.store(false, Ordering::SeqCst);
            Ok(Deferred)
        }
    }

    impl Drop for Deferred {
        fn drop(&mut self) {
            DEFAULT_ACTION.store(true, Ordering::SeqCst);
            // The plan completed before the writer saw the signal: obey it now (the tree is
            // whole and recorded), like the default action would have.
            #[cfg(all(unix, not(test)))]
            if let Some(signal) = take() {
                let _ = signal_hook::low_level::emulate_default_handler(i32::from(signal.number));
            }
        }
    }

    #[cfg(unix)]
    fn install() -> anyhow::Result<()> {
        use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGTERM};
        static INSTALLED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
        let installed = INSTALLED.get_or_init(|| {
            let ignored = ignored_at_start();
            for signal in [SIGINT, SIGTERM, SIGHUP] {
                if ignored & (1 << (signal - 1)) != 0 {
                    continue;
                }
                // The default action first: outside `apply`, it ends the process right there.
                signal_hook::flag::register_conditional_default(signal, &DEFAULT_ACTION)
                    .and_then(|_| signal_hook::flag::register_usize(signal, &PENDING, signal as usize))
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        });
        installed.clone().map_err(|e| {
            Failure::failed(format!("cannot install signal handlers ({e}); nothing was written"))
                .hint("run the command again")
                .into()
        })
    }

    /// The signals this process ignores (bit `n - 1` for signal `n`), read before any handler
    /// is installed; none where the kernel does not say.
    #[cfg(unix)]
    fn ignored_at_start() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix("SigIgn:"))
            .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
            .unwrap_or(0)
    }

    #[cfg(not(unix))]
    fn install() -> anyhow::Result<()> {
        Ok(())
    }

    /// The signal received while deferring, if any; clears it.
    pub fn take() -> Option<Signal> {
        let pending = PENDING.swap(0, Ordering::SeqCst);
        #[cfg(test)]
        let pending = SIMULATED.with(|s| s.replace(0)).max(pending);
        let number = u8::try_from(pending).ok().filter(|&n| n != 0)?;
        #[cfg(unix)]
        let name = signal_hook::low_level::signal_name(i32::from(number)).unwrap_or("a signal");
        #[cfg(not(unix))]
        let name = "a signal";
        Some(Signal { number, name })
    }

    /// Stop the transaction (an error) when a signal is pending; `apply` then rolls back and
    /// reports the signal.
    pub fn check() -> anyhow::Result<()> {
        #[cfg(test)]
        if SIMULATED.with(std::cell::Cell::get) != 0 {
            anyhow::bail!("interrupted");
        }
        if PENDING.load(Ordering::SeqCst) != 0 {
            anyhow::bail!("interrupted");
        }
        Ok(())
    }

    #[cfg(test)]
    thread_local! {
        /// A signal "received" by this test thread only (see `simulate`).
        static SIMULATED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    /// Record `signal` as if its handler had run, for this thread's writer only (tests).
    #[cfg(test)]
    pub fn simulate(signal: usize) {
        SIMULATED.with(|s| s.set(signal));
    }
}

struct Done {
    path: PathBuf,
    before: Option<String>,
}

struct Transaction<'a> {
    root: &'a Path,
    created_dirs: Vec<PathBuf>,
    done: Vec<Done>,
}

impl Transaction<'_> {
    fn run(&mut self, plan: &Plan) -> anyhow::Result<Applied> {
        // Stage the new content of existing files in temp files next to them first (most
        // failures, such as permissions or a full disk, happen here, before anything visible
        // changed); they replace their targets atomically by rename below. New files are written
        // in place (create-new, so nothing is ever clobbered): no temp file, link and unlink per
        // file, which was most of the writer's cost; a failure removes them again.
        // No fsync: the guarantee is all-or-nothing against errors and other orch processes,
        // not against power loss (like cargo new); syncing every file made `orch new feature`
        // several times slower.
        let mut staged = Vec::new();
        for op in plan.ops().filter(|op| op.kind == OpKind::Update) {
            let Some(after) = &op.after else { continue };
            interrupt::check()?;
            let abs = self.root.join(&op.path);
            let parent = abs.parent().unwrap_or(self.root);
            let mut tmp = tempfile::Builder::new()
                .prefix(".orch-tmp-")
                .tempfile_in(parent)
                .map_err(|e| anyhow::Error::new(e).context(Failure::failed("cannot write file").at(&abs)))?;
            tmp.write_all(after.as_bytes())
                .map_err(|e| anyhow::Error::new(e).context(Failure::failed("cannot write file").at(&abs)))?;
            set_permissions(tmp.as_file(), &abs)?;
            staged.push(tmp);
        }
        let mut staged = staged.into_iter();
        let mut applied = Applied::default();
        for op in plan.ops() {
            let Some(after) = &op.after else { continue };
            interrupt::check()?;
            let abs = self.root.join(&op.path);
            #[cfg(test)]
            if FAIL_AT_COMMIT.with(|f| f.get()) == Some(self.done.len()) {
                anyhow::bail!("injected failure before committing {}", op.path.display());
            }
            #[cfg(test)]
            if INTERRUPT_AT_COMMIT.with(|f| f.get()) == Some(self.done.len()) {
                interrupt::simulate(2);
                interrupt::check()?;
            }
            let cannot_write = |e: std::io::Error| {
                anyhow::Error::new(e).context(Failure::failed("cannot write file").at(&abs))
            };
            if op.kind == OpKind::Create {
                self.create_dirs(abs.parent().unwrap_or(self.root))?;
                let mut file =
                    fs::OpenOptions::new().write(true).create_new(true).open(&abs).map_err(cannot_write)?;
                // Recorded before writing, so a failed write is removed by the rollback too.
                self.done.push(Done { path: op.path.clone(), before: None });
                file.write_all(after.as_bytes()).map_err(cannot_write)?;
                new_file_permissions(&file, &abs)?;
                applied.created += 1;
            } else {
                let tmp = staged.next().ok_or_else(|| anyhow::anyhow!("internal: no staged file"))?;
                tmp.persist(&abs).map_err(|e| cannot_write(e.error))?;
                self.done.push(Done { path: op.path.clone(), before: op.before.clone() });
                applied.updated += 1;
            }
        }
        for op in plan.ops().filter(|op| op.kind == OpKind::Delete) {
            interrupt::check()?;
            let abs = self.root.join(&op.path);
            fs::remove_file(&abs)
                .map_err(|e| anyhow::Error::new(e).context(Failure::failed("cannot delete file").at(&abs)))?;
            self.done.push(Done { path: op.path.clone(), before: op.before.clone() });
            applied.deleted += 1;
        }
        // A signal during the last operation still undoes the whole plan; one after this
        // check finds the plan complete (see `interrupt::Deferred`'s drop).
        interrupt::check()?;
        Ok(applied)
    }

    fn create_dirs(&mut self, dir: &Path) -> anyhow::Result<()> {
        if self.created_dirs.last().is_some_and(|d| d == dir) {
            return Ok(());
        }
        let mut missing = Vec::new();
        let mut cur = dir;
        while !self.created_dirs.iter().any(|d| d == cur) && !cur.exists() {
            missing.push(cur.to_path_buf());
            match cur.parent() {
                Some(parent) => cur = parent,
                None => break,
            }
        }
        for dir in missing.into_iter().rev() {
            fs::create_dir(&dir).map_err(|e| {
                anyhow::Error::new(e).context(Failure::failed("cannot create directory").at(&dir))
            })?;
            self.created_dirs.push(dir);
        }
        Ok(())
    }

    fn rollback(&mut self) -> anyhow::Result<()> {
        let mut first_err = None;
        for done in self.done.drain(..).rev() {
            let abs = self.root.join(&done.path);
            let result = match &done.before {
                None => fs::remove_file(&abs),
                Some(before) => fs::write(&abs, before),
            };
            if let Err(e) = result {
                first_err
                    .get_or_insert(anyhow::Error::new(e).context(format!("restoring {}", abs.display())));
            }
        }
        for dir in self.created_dirs.drain(..).rev() {
            let _ = fs::remove_dir(&dir);
        }
        first_err.map_or(Ok(()), Err)
    }

    /// After deletes, remove directories the plan left empty (up to, not including, the root).
    fn prune_emptied_dirs(&self, plan: &Plan) {
        for op in plan.ops().filter(|op| op.kind == OpKind::Delete) {
            let mut dir = self.root.join(&op.path);
            while let Some(parent) = dir.parent() {
                if parent == self.root || !parent.starts_with(self.root) {
                    break;
                }
                if fs::remove_dir(parent).is_err() {
                    break;
                }
                dir = parent.to_path_buf();
            }
        }
    }
}

/// A file just created gets 0644 whatever the umask (as staged files always did).
fn new_file_permissions(file: &File, target: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o644)).map_err(|e| {
            anyhow::Error::new(e).context(Failure::failed("cannot set permissions").at(target))
        })?;
    }
    #[cfg(not(unix))]
    let _ = (file, target);
    Ok(())
}

/// New files get 0644; updated files keep their mode.
fn set_permissions(tmp: &File, target: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(target).map(|m| m.permissions().mode()).unwrap_or(0o644);
        tmp.set_permissions(fs::Permissions::from_mode(mode)).map_err(|e| {
            anyhow::Error::new(e).context(Failure::failed("cannot set permissions").at(target))
        })?;
    }
    #[cfg(not(unix))]
    let _ = (tmp, target);
    Ok(())
}

/// Refuse any path whose existing part resolves (through symlinks) outside the root, and
/// writing through a symlink.
fn check_inside(
    root: &Path,
    rel: &Path,
    resolved_dirs: &mut std::collections::HashMap<PathBuf, PathBuf>,
) -> anyhow::Result<()> {
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(Failure::usage("path leaves the project root").at(rel).into());
    }
    let abs = root.join(rel);
    if abs.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Failure::failed("is a symbolic link; orch does not write through links")
            .at(rel)
            .hint("replace the link with a regular file, or generate elsewhere")
            .into());
    }
    let resolved = resolve_existing(&abs, resolved_dirs);
    if !resolved.starts_with(root) {
        return Err(Failure::failed(format!(
            "resolves outside the project (to {}) through a symbolic link; nothing was written",
            resolved.display()
        ))
        .at(rel)
        .hint("remove the link or run orch in the directory it points to")
        .into());
    }
    Ok(())
}

/// Where the deepest existing ancestor of `path` (or `path` itself) resolves to, through
/// symbolic links; results are cached per path, so files of one folder cost one lookup.
fn resolve_existing(path: &Path, cache: &mut std::collections::HashMap<PathBuf, PathBuf>) -> PathBuf {
    if let Some(resolved) = cache.get(path) {
        return resolved.clone();
    }
    let resolved = if path.symlink_metadata().is_ok() {
        path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
    } else {
        match path.parent() {
            Some(parent) => resolve_existing(parent, cache),
            None => path.to_path_buf(),
        }
    };
    cache.insert(path.to_path_buf(), resolved.clone());
    resolved
}

/// Exclusive advisory lock on the root directory for the duration of a write.
fn lock_root(root: &Path) -> anyhow::Result<File> {
    let dir = File::open(root).map_err(|e| {
        anyhow::Error::new(e).context(Failure::failed("cannot open project directory").at(root))
    })?;
    match dir.try_lock() {
        Ok(()) => Ok(dir),
        Err(fs::TryLockError::WouldBlock) => {
            Err(Failure::failed("another orch process is writing to this project")
                .at(root)
                .hint("wait for it to finish, then run the command again")
                .into())
        }
        Err(fs::TryLockError::Error(e)) => {
            Err(anyhow::Error::new(e).context(Failure::failed("cannot lock project directory").at(root)))
        }
    }
}

/// Applies plans to an in-memory file map (tests and previews).
#[derive(Debug, Clone, Default)]
pub struct MemoryWriter {
    /// Path (forward slashes, root-relative) → content.
    pub files: BTreeMap<String, String>,
}

impl MemoryWriter {
    /// Apply `plan`: creates and updates set content, deletes remove entries.
    pub fn apply(&mut self, plan: &Plan) -> Applied {
        let mut applied = Applied::default();
        for op in plan.ops() {
            let key = display(&op.path);
            match (&op.kind, &op.after) {
                (OpKind::Delete, _) | (_, None) => {
                    self.files.remove(&key);
                    applied.deleted += 1;
                }
                (kind, Some(after)) => {
                    self.files.insert(key, after.clone());
                    if *kind == OpKind::Create {
                        applied.created += 1;
                    } else {
                        applied.updated += 1;
                    }
                }
            }
        }
        applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
        walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| {
                let rel = e.path().strip_prefix(root).unwrap().to_string_lossy().to_string();
                let bytes =
                    if e.file_type().is_file() { fs::read(e.path()).unwrap() } else { b"<dir>".to_vec() };
                (rel, bytes)
            })
            .collect()
    }

    fn project() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("src")).unwrap();
        fs::write(tmp.path().join("src/main.rs"), "fn main() {}\n").unwrap();
        tmp
    }

    #[test]
    fn applies_creates_updates_and_deletes() {
        let tmp = project();
        let root = tmp.path().canonicalize().unwrap();
        fs::write(root.join("old.rs"), "x").unwrap();
        let mut plan = Plan::new(&root);
        plan.create("src/a/b/new.rs", "new\n", false).unwrap();
        plan.edit("src/main.rs", |s| Ok(format!("mod a;\n{s}"))).unwrap();
        plan.delete("old.rs").unwrap();
        let applied = apply(&plan).unwrap();
        assert_eq!(applied, Applied { created: 1, updated: 1, deleted: 1 });
        assert_eq!(fs::read_to_string(root.join("src/a/b/new.rs")).unwrap(), "new\n");
        assert_eq!(fs::read_to_string(root.join("src/main.rs")).unwrap(), "mod a;\nfn main() {}\n");
        assert!(!root.join("old.rs").exists());
        let leftovers: Vec<_> = walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(".orch-tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn a_failure_midway_restores_everything() {
        let tmp = project();
        let root = tmp.path().canonicalize().unwrap();
        let before = snapshot(&root);
        let mut plan = Plan::new(&root);
        plan.create("src/a/new.rs", "new\n", false).unwrap();
        plan.edit("src/main.rs", |s| Ok(format!("mod a;\n{s}"))).unwrap();
        plan.create("src/zz/file.rs", "z\n", false).unwrap();
        // A file appears where a directory is needed: staging the last op fails even as root.
        fs::write(root.join("src/zz"), "in the way").unwrap();
        let mut before_with_blocker = before.clone();
        before_with_blocker.insert("src/zz".into(), b"in the way".to_vec());
        let err = apply(&plan).unwrap_err();
        assert!(format!("{err:#}").contains("every file was restored"), "{err:#}");
        assert_eq!(snapshot(&root), before_with_blocker);
    }

    /// A plan creating a file in a new directory and editing two existing ones.
    fn create_and_edit_plan(root: &Path) -> Plan {
        let mut plan = Plan::new(root);
        plan.create("src/a/new.rs", "new\n", false).unwrap();
        plan.edit("src/lib.rs", |s| Ok(format!("{s}mod a;\n"))).unwrap();
        plan.edit("src/main.rs", |s| Ok(format!("mod a;\n{s}"))).unwrap();
        plan
    }

    #[test]
    fn a_failure_after_some_renames_restores_every_file() {
        let tmp = project();
        let root = tmp.path().canonicalize().unwrap();
        fs::write(root.join("src/lib.rs"), "// lib\n").unwrap();
        let before = snapshot(&root);
        let plan = create_and_edit_plan(&root);
        FAIL_AT_COMMIT.with(|f| f.set(Some(2)));
        let err = apply(&plan).unwrap_err();
        FAIL_AT_COMMIT.with(|f| f.set(None));
        assert!(format!("{err:#}").contains("injected failure"), "{err:#}");
        assert_eq!(snapshot(&root), before);
    }

    #[test]
    fn an_interruption_midway_restores_everything_and_reports_the_signal() {
        let tmp = project();
        let root = tmp.path().canonicalize().unwrap();
        fs::write(root.join("src/lib.rs"), "// lib\n").unwrap();
        let before = snapshot(&root);
        let plan = create_and_edit_plan(&root);
        INTERRUPT_AT_COMMIT.with(|f| f.set(Some(2)));
        let err = apply(&plan).unwrap_err();
        INTERRUPT_AT_COMMIT.with(|f| f.set(None));
        assert_eq!(format!("{err:#}"), "interrupted (SIGINT); every file was restored");
        assert_eq!(crate::error::classify(&err).0.code(), 130);
        assert_eq!(snapshot(&root), before);
        // Nothing is left pending: the next apply runs.
        let mut again = Plan::new(&root);
        again.create("src/b.rs", "b\n", false).unwrap();
        apply(&again).unwrap();
    }

    #[test]
    fn files_changed_since_planning_abort_before_writing() {
        let tmp = project();
        let root = tmp.path().canonicalize().unwrap();
        let mut plan = Plan::new(&root);
        plan.create("src/new.rs", "new\n", false).unwrap();
        plan.edit("src/main.rs", |s| Ok(format!("mod new;\n{s}"))).unwrap();
        fs::write(root.join("src/main.rs"), "fn main() { /* edited */ }\n").unwrap();
        let err = apply(&plan).unwrap_err();
        assert!(err.to_string().contains("changed on disk"), "{err}");
        assert!(!root.join("src/new.rs").exists());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_project_are_refused() {
        let tmp = project();
        let outside = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("src/escape")).unwrap();
        let mut plan = Plan::new(&root);
        plan.create("src/escape/evil.rs", "x", false).unwrap();
        let err = apply(&plan).unwrap_err();
        assert!(err.to_string().contains("outside the project"), "{err}");
        assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_second_writer_is_refused_while_the_lock_is_held() {
        let tmp = project();
        let root = tmp.path().canonicalize().unwrap();
        let held = lock_root(&root).unwrap();
        let err = lock_root(&root).unwrap_err();
        assert!(err.to_string().contains("another orch process"), "{err}");
        drop(held);
        assert!(lock_root(&root).is_ok());
    }

    #[test]
    fn deleting_the_last_file_prunes_emptied_directories() {
        let tmp = project();
        let root = tmp.path().canonicalize().unwrap();
        let mut plan = Plan::new(&root);
        plan.create("src/features/auth/jobs/login.rs", "x", false).unwrap();
        apply(&plan).unwrap();
        let mut undo = Plan::new(&root);
        undo.delete("src/features/auth/jobs/login.rs").unwrap();
        apply(&undo).unwrap();
        assert!(!root.join("src/features").exists());
        assert!(root.join("src").exists());
    }
}
