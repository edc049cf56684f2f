//! The project's source model: what `orch lint`, `orch doctor`, `orch graph` and `orch list`
//! know about a project, built in one parallel pass over `src/`.
//!
//! [`analyze`] walks the source directories in parallel ([`walk`]), classifies every path
//! ([`place`]), reads and tokenizes every `.rs` file ([`lex`]) and extracts compact facts from it
//! ([`scan`]): module declarations, public types, `impl Executor<J> for E`, `register::<J, _>`
//! calls, feature `register` calls, boundary-relevant paths, dispatch / emit / domain facts, each
//! with its line and column; and, for the event rules, one fact per `...Event` name a file uses
//! (how: read, emitted, in a macro) and the catch-all shapes of `events/` types. Token buffers are reused per thread and dropped after each file, so
//! memory grows only with the facts kept (about 390 bytes per file with its path, at 100k
//! files). Then [`modtree`] resolves the module tree from the crate roots, following `mod x;`,
//! `#[path]`, inline and `cfg`'d modules and `include!`, and marks which files are reachable
//! and which are test-only.
//!
//! Robustness: a file that is not UTF-8 or does not tokenize becomes a [`Problem`] (one
//! `parse-error` finding) and contributes no facts; non-UTF-8 file names are kept as `OsStr`
//! paths and reported, never unwrapped; unreadable directories or files are problems too.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

pub mod lex;
pub mod modtree;
pub mod overlay;
pub mod place;
pub mod scan;
pub mod suppress;
pub mod walk;

pub use place::{Folder, Place, Role};

/// 1-based line and column (in characters) of a fact in its file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub col: u32,
}

/// Fact flags (bit set).
pub mod flags {
    /// Inside test-only code (`#[cfg(test)]` module, `#[test]` function, test-only file).
    pub const TEST: u8 = 1;
    /// Inside a function named `register`.
    pub const IN_REGISTER_FN: u8 = 2;
    /// Found inside a macro invocation's tokens.
    pub const IN_MACRO: u8 = 4;
    /// At item level (module scope, not inside a function body or impl).
    pub const ITEM_LEVEL: u8 = 8;
    /// Behind a `#[cfg(...)]` or `#[cfg_attr(...)]` attribute.
    pub const CFG: u8 = 16;
    /// A `#[path]` given only through `cfg_attr`: the default location is reachable too.
    pub const DEFAULT_PATH_TOO: u8 = 32;
    /// A `mod x;` inside a `macro_rules!` body: rustc resolves it where the macro is invoked
    /// (usually the defining file's parent module), so both locations count.
    pub const MACRO_DEF: u8 = 64;
}

/// How a file names a `...Event` type ([`Fact::EventUse`]).
pub mod uses {
    /// Named other than by constructing it: a type position (`domain::<E>()`, `e: &E`,
    /// `impl Handler<E>`), a match or `if let` on its variants, a macro's tokens. Test code too.
    pub const READ: u8 = 1;
    /// Constructed as a value handed on (`ctx.emit(E { .. })`, `f(E::new(..))`,
    /// `let e = E { .. }`) in code outside tests.
    pub const EMIT: u8 = 2;
    /// Named in an item-level macro invocation (the macro may generate its handler).
    pub const MACRO: u8 = 4;
    /// The type implements a trait other than std's and serde's (`impl Auditable for E`): code
    /// generic over that trait may be what handles it.
    pub const TRAIT: u8 = 8;
    /// Named as a turbofish argument (`event.domain::<E>()`, `subscribe::<E>()`): a handler,
    /// also in the event's own file.
    pub const HANDLE: u8 = 16;
}

/// What makes an event type a catch-all ([`Fact::EventShape`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// An enum whose variants carry types of other features (names sorted, deduplicated).
    CrossFeature(Box<[Box<str>]>),
    /// A struct with a string tag field and an untyped payload field.
    Stringly {
        /// The tag field (`kind`) and its type as written (`String`).
        tag: Box<str>,
        /// The payload field (`payload`) and its type as written (`serde_json::Value`).
        payload: Box<str>,
    },
}

/// Kind of a type declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeKind {
    /// `struct`
    Struct,
    /// `enum`
    Enum,
    /// `union`
    Union,
    /// `trait`
    Trait,
    /// `type` alias
    Alias,
}

impl TypeKind {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            TypeKind::Struct => "struct",
            TypeKind::Enum => "enum",
            TypeKind::Union => "union",
            TypeKind::Trait => "trait",
            TypeKind::Alias => "type",
        }
    }
}

/// Visibility of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vis {
    /// No `pub`.
    Private,
    /// `pub`.
    Pub,
    /// `pub(crate)`, `pub(super)`, `pub(in ...)`.
    Restricted,
}

/// How a path was referenced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// In a `use` declaration.
    Use,
    /// Written inline in code (`std::fs::read(..)`).
    Inline,
    /// `extern crate x;`
    ExternCrate,
}

/// One fact extracted from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// `mod name;` (out-of-line) declaration.
    Mod {
        /// Module name (raw prefix removed).
        name: Box<str>,
        /// `#[path]` values and enclosing inline modules, when there are any (rare: kept out
        /// of line so every fact stays small).
        extra: Option<Box<ModExtra>>,
        /// Location of the name.
        loc: Loc,
        /// [`flags`].
        flags: u8,
    },
    /// `include!("file")`: the file is part of the crate. Also `include_str!("f.rs")` and any
    /// `"….rs"` literal in a macro invocation (test macros that `include_str!` their argument):
    /// the file is used, as data, so it is no orphan.
    Include {
        /// The literal path.
        path: Box<str>,
        /// Location of the literal.
        loc: Loc,
    },
    /// A type declaration at module level (file top or inline module).
    Type {
        /// Type name.
        name: Box<str>,
        /// struct / enum / ...
        kind: TypeKind,
        /// Visibility.
        vis: Vis,
        /// Inside an inline module (`mod x { .. }`) rather than at the file's top level.
        nested: bool,
        /// Location of the name.
        loc: Loc,
        /// [`flags`].
        flags: u8,
    },
    /// `impl Executor<Job> for Executor`.
    ExecutorImpl {
        /// Last path segment of the job type.
        job: Box<str>,
        /// Last path segment of the implementing type.
        executor: Box<str>,
        /// Location of the job type in `Executor<..>`.
        loc: Loc,
        /// [`flags`].
        flags: u8,
    },
    /// `impl<J: Job, E: Executor<J>> Executor<J> for Wrapper<E>`: an executor generic over its
    /// job (a wrapper adding logging, retries, ...). It pairs with no job of its own.
    GenericExecutorImpl {
        /// Last path segment of the implementing type.
        executor: Box<str>,
        /// Location of the job parameter in `Executor<..>`.
        loc: Loc,
        /// [`flags`].
        flags: u8,
    },
    /// `.register::<Job, _>(Executor)` (also `register_shared`, `register_with_breaker`, or
    /// `.register(Executor)` without turbofish).
    Register {
        /// Job type (last segment), when given by turbofish.
        job: Option<Box<str>>,
        /// First `...Executor` identifier in the arguments, if any.
        executor: Option<Box<str>>,
        /// Location of the method name.
        loc: Loc,
        /// [`flags`].
        flags: u8,
    },
    /// `module::register(..)`: a call to a module's `register` function (feature wiring).
    RegisterCall {
        /// The segment before `register`.
        module: Box<str>,
        /// Location of the module segment.
        loc: Loc,
        /// [`flags`].
        flags: u8,
    },
    /// A path the boundaries rule may care about, resolved (`crate::features::x::...`,
    /// `std::fs::read`).
    Ref {
        /// Resolved path, segments joined by `::`; crate-local paths start with `crate::`.
        path: Box<str>,
        /// use / inline / extern crate.
        kind: RefKind,
        /// Location of the path's first segment.
        loc: Loc,
        /// [`flags`].
        flags: u8,
    },
    /// `.dispatch(Job ..)` / `.dispatch_with(Job ..)`, or a job constructed
    /// (`XJob { .. }`, `XJob::new(..)`) as an argument or assigned value.
    Dispatch {
        /// Job type (last segment).
        job: Box<str>,
        /// Location.
        loc: Loc,
        /// [`flags`].
        flags: u8,
    },
    /// `.emit(Event ..)`.
    Emit {
        /// Event type (last segment).
        event: Box<str>,
        /// Location.
        loc: Loc,
        /// [`flags`].
        flags: u8,
    },
    /// `.domain::<Event>()`.
    Observe {
        /// Event type (last segment).
        event: Box<str>,
        /// Location.
        loc: Loc,
        /// [`flags`].
        flags: u8,
    },
    /// A `...Job` / `...Executor` identifier inside a macro invocation: the macro may implement
    /// or register it, so rules that would report its absence stay quiet.
    MacroMention {
        /// The identifier.
        name: Box<str>,
        /// Location.
        loc: Loc,
        /// [`flags`].
        flags: u8,
    },
    /// A `...Event` type named in this file outside `use` items and its own declaration: one
    /// fact per name and file, [`uses`] bits OR'd together (the `unused-event` rule).
    EventUse {
        /// The identifier.
        name: Box<str>,
        /// [`uses`] bits.
        uses: u8,
    },
    /// A public enum or struct in an `events/` folder whose shape makes it a catch-all
    /// (`god-event`); recorded only for such shapes, so almost never.
    EventShape {
        /// Type name.
        name: Box<str>,
        /// What makes it one.
        shape: Box<Shape>,
        /// Location of the name.
        loc: Loc,
        /// [`flags`].
        flags: u8,
    },
    /// A function named `register` is defined at module level.
    RegisterFn {
        /// Location of the name.
        loc: Loc,
    },
    /// `#[test]` / `#[tokio::test]` functions or a `#[cfg(test)]` module exist in the file.
    HasTests,
    /// A function named `main` is defined at module level.
    MainFn,
    /// An `orch-lint: allow(..)` comment (rare: boxed so every fact stays small).
    Suppress(Box<suppress::Suppression>),
}

impl Fact {
    /// The fact's location, if it has one.
    pub fn loc(&self) -> Option<Loc> {
        match self {
            Fact::Mod { loc, .. }
            | Fact::Include { loc, .. }
            | Fact::Type { loc, .. }
            | Fact::ExecutorImpl { loc, .. }
            | Fact::GenericExecutorImpl { loc, .. }
            | Fact::Register { loc, .. }
            | Fact::RegisterCall { loc, .. }
            | Fact::Ref { loc, .. }
            | Fact::Dispatch { loc, .. }
            | Fact::Emit { loc, .. }
            | Fact::Observe { loc, .. }
            | Fact::MacroMention { loc, .. }
            | Fact::EventShape { loc, .. }
            | Fact::RegisterFn { loc } => Some(*loc),
            Fact::Suppress(s) => Some(s.loc),
            Fact::HasTests | Fact::MainFn | Fact::EventUse { .. } => None,
        }
    }

    /// The fact's flags (0 for facts without).
    pub fn flags(&self) -> u8 {
        match self {
            Fact::Mod { flags, .. }
            | Fact::Type { flags, .. }
            | Fact::ExecutorImpl { flags, .. }
            | Fact::GenericExecutorImpl { flags, .. }
            | Fact::Register { flags, .. }
            | Fact::RegisterCall { flags, .. }
            | Fact::Ref { flags, .. }
            | Fact::Dispatch { flags, .. }
            | Fact::Emit { flags, .. }
            | Fact::Observe { flags, .. }
            | Fact::MacroMention { flags, .. }
            | Fact::EventShape { flags, .. } => *flags,
            _ => 0,
        }
    }

    /// Whether the fact is one only `orch graph` reads (see [`Options::flow`]).
    pub fn is_flow(&self) -> bool {
        matches!(self, Fact::Dispatch { .. } | Fact::Emit { .. } | Fact::Observe { .. })
    }

    /// Whether the fact is in test-only code (within its file).
    pub fn is_test(&self) -> bool {
        self.flags() & flags::TEST != 0
    }
}

/// The rare parts of a [`Fact::Mod`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModExtra {
    /// `#[path = ".."]` values (including ones inside `cfg_attr`), empty for none.
    pub paths: Box<[Box<str>]>,
    /// Directory segments of enclosing inline modules, joined with `/` (empty at top).
    pub inline: Box<str>,
    /// Whether the outermost enclosing inline module has a `#[path]`: its folder is then
    /// relative to the file's own folder, even in a non-mod-rs file (rustc; rustls-webpki's
    /// `#[path = "."] mod tests { #[path = "alg_tests.rs"] mod alg_tests; }`).
    pub inline_from_path: bool,
}

impl Fact {
    /// For a [`Fact::Mod`]: its `#[path]` values and inline-module directory (both empty in the
    /// common case).
    pub fn mod_location(&self) -> (&[Box<str>], &str) {
        match self {
            Fact::Mod { extra: Some(e), .. } => (&e.paths, &e.inline),
            _ => (&[], ""),
        }
    }

    /// For a [`Fact::Mod`]: [`ModExtra::inline_from_path`].
    pub fn inline_from_path(&self) -> bool {
        matches!(self, Fact::Mod { extra: Some(e), .. } if e.inline_from_path)
    }
}

/// Whether and how a `.rs` file is reached from a crate root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Reach {
    /// No `mod` declaration reaches it (rustc ignores it).
    #[default]
    Unreached,
    /// Reached only through `#[cfg(test)]` modules.
    Test,
    /// Reached by normal code (or a crate root).
    Yes,
}

/// One `.rs` file under the source directories.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the project root.
    pub path: Box<Path>,
    /// Where it sits in the orch layout.
    pub place: Place,
    /// Facts, in source order (empty when the file could not be read or tokenized).
    pub facts: Box<[Fact]>,
    /// Whether a crate root reaches it (filled by [`modtree`]).
    pub reach: Reach,
    /// Whether this file is a crate root (`src/main.rs`, `src/lib.rs`, `src/bin/*.rs`, ...).
    pub root: bool,
    /// Whether every `mod` path reaching it goes through a `#[cfg(..)]` declaration (so it may
    /// be one of several platform alternatives).
    pub cfg: bool,
    /// Whether a `#[path]`, `include!` or file mention reaches it: its `mod x;` lines resolve
    /// next to it, as in a `mod.rs` (filled by [`modtree`]).
    pub path_loaded: bool,
    /// Whether a `mod` declaration (with or without `#[path]`) reaches it, so it is a module
    /// (filled by [`modtree`]); a file reached only through `include!` or a file mention is
    /// text pasted into, or read by, a module, and may be named anything (`eq.expected.rs`).
    pub module: bool,
}

impl SourceFile {
    /// A file at `path` (root-relative) in `place`, before the scan and the module tree fill
    /// in its facts and reach.
    pub fn new(path: Box<Path>, place: Place) -> Self {
        SourceFile {
            path,
            place,
            facts: Box::new([]),
            reach: Reach::Unreached,
            root: false,
            cfg: false,
            path_loaded: false,
            module: false,
        }
    }

    /// The file name.
    pub fn file_name(&self) -> &OsStr {
        self.path.file_name().unwrap_or_default()
    }

    /// The file stem as UTF-8, if it is.
    pub fn stem(&self) -> Option<&str> {
        self.path.file_stem().and_then(OsStr::to_str)
    }

    /// Whether the file's `mod x;` lines look for `x.rs` next to it (a crate root, a `mod.rs`
    /// or a file loaded through `#[path]`), rather than in a folder named after it.
    pub fn is_mod_rs(&self) -> bool {
        self.root || self.path_loaded || self.file_name() == "mod.rs"
    }

    /// Whether the file is reached, and only through `include!` or a file mention (no `mod`
    /// declaration): it is not a module, so its name is no module name.
    pub fn is_included_only(&self) -> bool {
        self.reach != Reach::Unreached && !self.module && !self.root
    }

    /// Whether the whole file is test-only (reached only through `#[cfg(test)]`).
    pub fn is_test_file(&self) -> bool {
        self.reach == Reach::Test
    }

    /// Public (or restricted-public) types declared at the file's top level outside tests.
    pub fn public_types(&self) -> impl Iterator<Item = (&str, TypeKind, Loc)> {
        self.public_type_names().map(|(name, kind, loc)| (&**name, kind, loc))
    }

    /// [`Self::public_types`], names as the facts' own boxes (lint findings keep a thin
    /// pointer to them).
    pub fn public_type_names(&self) -> impl Iterator<Item = (&Box<str>, TypeKind, Loc)> {
        let test_file = self.is_test_file();
        self.facts.iter().filter_map(move |f| match f {
            Fact::Type { name, kind, vis, nested: false, loc, flags }
                if *vis != Vis::Private && flags & flags::TEST == 0 && !test_file =>
            {
                Some((name, *kind, *loc))
            }
            _ => None,
        })
    }

    /// Facts outside test code (test files yield nothing).
    pub fn live_facts(&self) -> impl Iterator<Item = &Fact> {
        let test_file = self.is_test_file();
        self.facts.iter().filter(move |f| !test_file && !f.is_test())
    }

    /// Whether the file contains tests.
    pub fn has_tests(&self) -> bool {
        self.facts.iter().any(|f| matches!(f, Fact::HasTests))
    }
}

/// Where unparsable files are ([`Analysis::unparsed`]).
#[derive(Debug, Default)]
pub struct Unparsed<'a> {
    /// Features holding one.
    pub features: FastSet<&'a str>,
    /// Whether core holds one.
    pub core: bool,
    /// Whether a file outside features and core is one.
    pub other: bool,
}

impl Unparsed<'_> {
    /// Whether an unparsable file may hide a declaration belonging to code at `place`: one in
    /// the same feature, in core (shared by all), or, for code outside the layout, anywhere.
    pub fn may_hide(&self, place: &Place) -> bool {
        self.core
            || match place {
                Place::Feature { feature, .. } => self.features.contains(&**feature),
                Place::Core { .. } => false,
                _ => self.other || !self.features.is_empty(),
            }
    }
}

/// A directory under the source directories.
#[derive(Debug, Clone)]
pub struct SourceDir {
    /// Path relative to the project root.
    pub path: Box<Path>,
    /// Where it sits in the orch layout.
    pub place: Place,
}

/// What kept a path from being analysed fully.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file is not valid UTF-8, or does not tokenize, or its delimiters do not balance.
    Parse,
    /// A file orch wires into (it has a `fn register`) tokenizes but does not parse as Rust
    /// (e.g. a call after a tail expression); its facts are kept.
    Syntax,
    /// A directory or file could not be read.
    Io,
    /// A path deliberately not read: not a regular file (a FIFO, a device), larger than
    /// [`walk::MAX_FILE`], or a symbolic link out of the project.
    Skipped,
}

/// A path that could not be analysed (becomes a `parse-error` finding, or a walk error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Path relative to the project root.
    pub path: Box<Path>,
    /// Kind.
    pub kind: ProblemKind,
    /// Location, when known.
    pub loc: Option<Loc>,
    /// What went wrong.
    pub message: String,
}

/// Layout settings the analysis needs (from `orch.toml`).
#[derive(Debug, Clone)]
pub struct Options {
    /// Features directory relative to the root (`src/features`).
    pub features_dir: PathBuf,
    /// Core directory relative to the root (`src/core`).
    pub core_dir: PathBuf,
    /// Root-relative glob patterns of paths to skip entirely.
    pub exclude: Vec<String>,
    /// I/O deny-list (`[lint] io_deny`): in orchestrator files, only paths on it, into
    /// `executors` modules or into other features are kept as [`Fact::Ref`]s.
    pub io_deny: Vec<String>,
    /// Threads for the walk (0 = available parallelism).
    pub threads: usize,
    /// Keep the facts only `orch graph` reads ([`Fact::Dispatch`], [`Fact::Emit`],
    /// [`Fact::Observe`]); the other commands leave them out (less to hold at 100k files).
    pub flow: bool,
}

impl Options {
    /// Options from a project's configuration.
    pub fn from_config(config: &crate::config::Config) -> Options {
        Options {
            features_dir: config.paths.features.clone(),
            core_dir: config.paths.core.clone(),
            exclude: config.lint.exclude.clone(),
            io_deny: config.lint.io_deny.clone(),
            threads: 0,
            flow: false,
        }
    }
}

/// The whole project's source model.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Absolute project root.
    pub root: PathBuf,
    /// Every `.rs` file under the source directories, sorted by [`key`].
    pub files: Vec<SourceFile>,
    /// Every directory under the source directories, sorted by [`key`].
    pub dirs: Vec<SourceDir>,
    /// Files that could not be analysed, and walk errors.
    pub problems: Vec<Problem>,
    /// Whether any crate root was found (without one, reachability is unknown).
    pub has_roots: bool,
    /// Directories whose module file could not be parsed: reachability below them is unknown
    /// (sorted by [`key`]).
    pub unknown: Vec<Box<Path>>,
    /// Options used.
    pub options: Options,
}

impl Analysis {
    /// The file at `rel` (root-relative), if it was analysed.
    pub fn file(&self, rel: &Path) -> Option<&SourceFile> {
        self.file_index(rel).map(|i| &self.files[i])
    }

    /// Index of the file at `rel` in [`Analysis::files`] (binary search: no index kept).
    pub fn file_index(&self, rel: &Path) -> Option<usize> {
        let k = key(rel);
        self.files.binary_search_by(|f| key(&f.path).cmp(k)).ok()
    }

    /// Whether a directory was walked at `rel`.
    pub fn has_dir(&self, rel: &Path) -> bool {
        let k = key(rel);
        self.dirs.binary_search_by(|d| key(&d.path).cmp(k)).is_ok()
    }

    /// Whether any file is under directory `dir` (one binary search).
    pub fn has_files_below(&self, dir: &Path) -> bool {
        let mut prefix = key(dir).to_vec();
        prefix.push(b'/');
        let start = self.files.partition_point(|f| key(&f.path) < prefix.as_slice());
        self.files.get(start).is_some_and(|f| key(&f.path).starts_with(&prefix))
    }

    /// Files under directory `dir` (a contiguous range, thanks to the byte order).
    pub fn files_below(&self, dir: &Path) -> &[SourceFile] {
        &self.files[self.range_below(dir)]
    }

    /// Indices in [`Analysis::files`] of the files under directory `dir`: two binary searches,
    /// so asking for every file's folder stays O(n log n) (walking the range would make nested
    /// folders quadratic).
    pub fn range_below(&self, dir: &Path) -> std::ops::Range<usize> {
        let mut prefix = key(dir).to_vec();
        prefix.push(b'/');
        let start = self.files.partition_point(|f| key(&f.path) < prefix.as_slice());
        // every key with the prefix sorts right after it, before any larger key without it
        let end = start + self.files[start..].partition_point(|f| key(&f.path).starts_with(&prefix));
        start..end
    }

    /// Where files could not be read or tokenized: their facts (types, impls, registrations)
    /// are missing, so a rule must not report their absence there.
    pub fn unparsed(&self) -> Unparsed<'_> {
        let mut u = Unparsed::default();
        let broken = self.problems.iter().filter(|p| {
            p.kind == ProblemKind::Parse
                || (p.kind == ProblemKind::Io && p.path.extension().is_some_and(|e| e == "rs"))
        });
        for p in broken {
            match self.file(&p.path).map(|f| &f.place) {
                Some(Place::Feature { feature, .. }) => {
                    u.features.insert(&**feature);
                }
                Some(Place::Core { .. }) => u.core = true,
                _ => u.other = true,
            }
        }
        u
    }

    /// Whether reachability of `rel` is unknown (a module file above it does not parse).
    pub fn reach_unknown(&self, rel: &Path) -> bool {
        below_any(&self.unknown, rel)
    }

    /// Module path of the features directory (`["features"]`), if it is under `src/`.
    pub fn features_module(&self) -> Option<Vec<String>> {
        walk::module_path_of_dir(&self.options.features_dir)
    }

    /// Names of the feature directories, sorted (UTF-8 names only).
    pub fn features(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .dirs
            .iter()
            .filter_map(|d| match &d.place {
                Place::Feature { feature, rest: place::Rest::Root } => Some(&**feature),
                _ => None,
            })
            .collect();
        names.dedup();
        names
    }

    /// Files in a feature (by directory name), or in core (`None`).
    pub fn files_in(&self, feature: Option<&str>) -> impl Iterator<Item = &SourceFile> {
        self.files.iter().filter(move |f| match (&f.place, feature) {
            (Place::Feature { feature: name, .. }, Some(want)) => &**name == want,
            (Place::Core { .. }, None) => true,
            _ => false,
        })
    }
}

/// Analyse the project at `root` (absolute).
pub fn analyze(root: &Path, options: &Options) -> anyhow::Result<Analysis> {
    let walked = walk::walk(root, options)?;
    let (mut files, mut dirs, mut problems) = (walked.files, walked.dirs, walked.problems);
    // Sorting 100k paths is measurable: files on a second thread, directories here.
    std::thread::scope(|s| {
        s.spawn(|| files.sort_unstable_by(|a, b| key(&a.path).cmp(key(&b.path))));
        dirs.sort_unstable_by(|a, b| key(&a.path).cmp(key(&b.path)));
        problems.sort_by(|a, b| key(&a.path).cmp(key(&b.path)));
    });
    let mut analysis = Analysis {
        root: root.to_path_buf(),
        files,
        dirs,
        problems,
        has_roots: false,
        unknown: Vec::new(),
        options: options.clone(),
    };
    modtree::resolve(&mut analysis);
    Ok(analysis)
}

/// A list grown in fixed-size chunks: no doubling slack and no copying while it grows (a
/// doubling `Vec` of 100k entries may hold twice its size for a moment). The walk collects
/// files and directories in them, the lint rules their findings.
pub(crate) struct Chunks<T> {
    full: Vec<Vec<T>>,
    cur: Vec<T>,
}

impl<T> Chunks<T> {
    const SIZE: usize = 4096;

    pub(crate) fn new() -> Self {
        Chunks { full: Vec::new(), cur: Vec::new() }
    }

    pub(crate) fn push(&mut self, item: T) {
        if self.cur.len() == self.cur.capacity() {
            let next = Vec::with_capacity(if self.cur.capacity() == 0 { 256 } else { Self::SIZE });
            let done = std::mem::replace(&mut self.cur, next);
            if !done.is_empty() {
                self.full.push(done);
            }
        }
        self.cur.push(item);
    }

    pub(crate) fn len(&self) -> usize {
        self.full.iter().map(Vec::len).sum::<usize>() + self.cur.len()
    }

    /// One exact-size `Vec` of every chunk's items; each chunk is freed as soon as it is moved.
    pub(crate) fn merge(all: Vec<Chunks<T>>) -> Vec<T> {
        let total = all.iter().map(Chunks::len).sum();
        let mut out = Vec::with_capacity(total);
        for c in all {
            for chunk in c.full.into_iter().chain(std::iter::once(c.cur)) {
                out.extend(chunk);
            }
        }
        out
    }
}

/// A fast, non-cryptographic hasher for the analysis' own indexes (the `FxHash` function used
/// by rustc: one multiply-rotate per 8 bytes). The keys are the project's own paths and names,
/// so hash flooding is not a concern, and std's SipHash shows up in profiles at 100k files.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let word = u64::from_le_bytes(c.try_into().unwrap_or_default());
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }

    fn write_usize(&mut self, i: usize) {
        self.0 = (self.0.rotate_left(5) ^ i as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` with [`FxHasher`].
pub type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;
/// A `HashSet` with [`FxHasher`].
pub type FastSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<FxHasher>>;

/// The sort and search key of a path: its bytes. Files and directories are kept in this order
/// (comparing bytes is several times faster than comparing `Path` components, and every path
/// below a directory forms one contiguous range).
pub fn key(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

/// Whether `rel` is one of `sorted` (paths sorted by [`key`]) or below one: a binary search
/// per ancestor of `rel`, so checking every file against many folders is O(n depth log m),
/// not O(n m).
pub fn below_any<P: AsRef<Path>>(sorted: &[P], rel: &Path) -> bool {
    !sorted.is_empty()
        && rel.ancestors().any(|dir| sorted.binary_search_by(|p| key(p.as_ref()).cmp(key(dir))).is_ok())
}

/// Forward-slash display of a relative path (lossy for non-UTF-8 names).
pub fn display(path: &Path) -> String {
    crate::plan::display(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_and_ranges_by_binary_search() {
        let mut dirs = vec![Path::new("src/b"), Path::new("src/a/x"), Path::new("src/a.rs")];
        dirs.sort_unstable_by(|x, y| key(x).cmp(key(y)));
        assert!(below_any(&dirs, Path::new("src/a/x/y.rs")));
        assert!(below_any(&dirs, Path::new("src/a.rs")), "a path is below itself");
        assert!(!below_any(&dirs, Path::new("src/a/xy.rs")), "by components, not bytes");
        assert!(!below_any(&dirs, Path::new("src/a")));
        assert!(!below_any::<&Path>(&[], Path::new("src")));

        let file = |p: &str| SourceFile::new(Path::new(p).into(), Place::Other);
        let mut files: Vec<SourceFile> =
            ["src/a.rs", "src/a/b.rs", "src/a/c/d.rs", "src/a-b.rs", "src/ab.rs", "src/a0.rs"]
                .into_iter()
                .map(file)
                .collect();
        files.sort_unstable_by(|x, y| key(&x.path).cmp(key(&y.path)));
        let a = Analysis {
            root: PathBuf::new(),
            files,
            dirs: Vec::new(),
            problems: Vec::new(),
            has_roots: true,
            unknown: Vec::new(),
            options: Options {
                features_dir: "src/features".into(),
                core_dir: "src/core".into(),
                exclude: Vec::new(),
                io_deny: Vec::new(),
                threads: 1,
                flow: false,
            },
        };
        let below: Vec<String> = a.files_below(Path::new("src/a")).iter().map(|f| display(&f.path)).collect();
        assert_eq!(below, ["src/a/b.rs", "src/a/c/d.rs"]);
        assert_eq!(a.range_below(Path::new("src/zzz")).len(), 0);
    }
}
