//! `orch lint`: convention rules over the source model ([`crate::analysis`]).
//!
//! [`RULES`] is the registry: stable ids, default severities, config knobs and explanations.
//! [`Settings`] is the `[lint]` section made usable (levels per rule, compiled patterns);
//! [`check`] runs every enabled rule and returns sorted [`Finding`]s; [`report`] renders them
//! (human, json, github, sarif) and [`fix`] turns the fixable ones into a [`crate::plan::Plan`].

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::{Analysis, Loc};
use crate::config::{Level, LintConfig};
use crate::error::Failure;

pub mod fix;
pub mod report;
mod rules;

/// A rule: stable id, default level, one-line summary, config knobs and explanation.
#[derive(Debug)]
pub struct Rule {
    /// Stable id (used in `orch.toml`, output and `--explain`).
    pub id: &'static str,
    /// Level when `orch.toml` does not set one.
    pub default: Level,
    /// One line: what it checks.
    pub summary: &'static str,
    /// `[lint]` options that tune it (besides its level).
    pub knobs: &'static str,
    /// Why, what it reports, how to fix, how to configure.
    pub explanation: &'static str,
}

/// Every rule, in report order.
pub const RULES: &[Rule] = &[
    Rule {
        id: "layout",
        default: Level::Error,
        summary: "only jobs/, events/, executors/, orchestrators/ (and `mod.rs`) inside a feature or core",
        knobs: "extra_folders = [\"...\"]",
        explanation: "\
A feature folder holds exactly the component folders of the pattern: `jobs/`, `events/`,
`executors/` and `orchestrators/`, plus its `mod.rs` (or `<folder>.rs` module files). The same
holds for the core folder. Anything else at that level (a `helpers/` folder, a `util.rs`) is
reported: such code has no place in the job -> executor -> event -> orchestrator flow and tends
to grow into a second architecture. Directly in the features folder, only `mod.rs` (and
`<feature>.rs` module files of feature folders) belong; features are folders.
Non-Rust files (READMEs, fixtures) are not reported.

Fix: move the code into the component folder it belongs to (I/O into an executor, data into a
job or event), or into another module outside the features folder.
Configure: allow more folders with `[lint] extra_folders = [\"helpers\"]`.",
    },
    Rule {
        id: "file-naming",
        default: Level::Error,
        summary: "`.rs` files and folders under src/ are snake_case",
        knobs: "",
        explanation: "\
Rust module files and folders are named in snake_case (`fetch_user.rs`, `user_profile/`), as
rustc's `non_snake_case` lint expects of module names and as `orch` generates them. A file
named `FetchUser.rs` can only be reached with a `#[path]` attribute, and a name that is not
valid UTF-8 cannot be a module at all. Crate roots under `src/bin/` are exempt (binary names
may contain `-`).

Fix: rename the file or folder (the hint gives the snake_case name) and its `mod` line.",
    },
    Rule {
        id: "type-naming",
        default: Level::Error,
        summary: "public types carry their folder's suffix (`...Job` in jobs/, `...Executor` in executors/, ...)",
        knobs: "",
        explanation: "\
Public structs, enums and unions declared in a component folder carry the folder's suffix:
`...Job` in `jobs/`, `...Event` in `events/`, `...Executor` in `executors/`, `...Orchestrator`
or `...State` in `orchestrators/`. The suffix is how readers (and `orch lint`, `orch graph`)
tell the roles apart at a glance. Private types, type aliases, traits and test code are not
checked.

Fix: rename the type (the hint proposes a name), make it private, or move it to the folder
that matches its role.",
    },
    Rule {
        id: "pairing",
        default: Level::Error,
        summary: "every job has exactly one executor; every executor handles an existing job",
        knobs: "",
        explanation: "\
The dispatcher routes each job type to exactly one executor, found by `impl Executor<XJob> for
YExecutor`. Reported: a job (a public `...Job` type in a `jobs/` folder) with no executor
(dispatching it fails at run time), a job with several executors (only one can be registered),
an executor that implements `Executor<J>` for a job type this crate does not declare, and an
`...Executor` type in `executors/` that implements no `Executor<J>` at all. Types mentioned in
item-level macro invocations are assumed to be handled by the macro.

Fix: `orch add executor <job> --feature <feature>` generates and registers the missing
executor (`orch lint --fix` does it for every job without one).",
    },
    Rule {
        id: "registration",
        default: Level::Error,
        summary: "every executor is registered, every feature is wired into `features::register`",
        knobs: "",
        explanation: "\
An executor that is never registered is dead code, and dispatching its job fails with
`DispatchError::NoExecutor`. Reported: an `impl Executor<J> for E` with no
`register::<J, _>(..)` (or `register_shared` / `register_with_breaker`, or `.register(E..)`)
call outside test code, and a feature folder that is declared in the features module but whose
`register` function `features::register` never calls.

Fix: `orch lint --fix` adds the missing `builder.register::<jobs::XJob, _>(executors::XExecutor)?;`
line to the feature's `register` function, and the missing `<feature>::register(builder)?;` call.",
    },
    Rule {
        id: "orphan-module",
        default: Level::Error,
        summary: "`.rs` files that no `mod` declaration reaches (rustc ignores them silently)",
        knobs: "",
        explanation: "\
rustc compiles only the files that `mod` declarations reach from the crate roots
(`src/main.rs`, `src/lib.rs`, `src/bin/*`, `[lib]`/`[[bin]]` paths). A file nobody declares is
silently ignored: its code, its tests and its executors do not exist. `orch lint` resolves the
module tree like rustc (`#[path]`, inline modules, `cfg`'d modules and `include!` all count)
and reports the topmost unreached file of each unreached subtree.

Fix: add the `mod` line (`orch lint --fix` adds it to the parent module, with the `pub use`
re-exports of the generated layout for component folders), or delete the file.",
    },
    Rule {
        id: "missing-module",
        default: Level::Error,
        summary: "every `mod x;` declaration has its file (`x.rs` or `x/mod.rs`)",
        knobs: "",
        explanation: "\
rustc refuses a `mod x;` whose file does not exist (E0583): the crate does not build. Reported:
an out-of-line `mod` declaration (without `#[path]`, not behind `#[cfg]`, in a file the crate
compiles) for which neither `x.rs` nor `x/mod.rs` exists next to the declaring module. The files
below the missing module are then not reported as orphans: the declaration is the problem.

Fix: create the module file (for a component folder, the `mod.rs` declaring its files), or
remove the `mod` line.",
    },
    Rule {
        id: "boundaries",
        default: Level::Error,
        summary: "orchestrators do no I/O and never call executors; features use only each other's public modules",
        knobs: "io_deny = [\"...\"], public_modules = [\"...\"]",
        explanation: "\
Orchestrators hold state and never do I/O: they dispatch jobs, and executors do the work.
Reported in orchestrator files (outside tests): a path into an `executors` module, and any use
of a crate or module on the I/O deny-list (`use` or inline, e.g. `std::fs::read(..)`).
Across features: a feature may use another feature's public modules (by default its `events`)
and what it re-exports at its root, but not its jobs, executors or orchestrators folders.

Fix: dispatch a job instead of calling an executor; move the I/O into an executor
(`orch add executor <name>`); talk to another feature through its events.
Configure: `[lint] io_deny = [\"reqwest\", \"std::fs\", ...]` (crates or paths, matched by
prefix on `::` boundaries); `[lint] public_modules = [\"events\", \"jobs\"]`.",
    },
    Rule {
        id: "god-event",
        default: Level::Warn,
        summary: "no generic catch-all event types (`GenericSuccessEvent`, `AnyEvent`, ...)",
        knobs: "god_events = [\"...\"]",
        explanation: "\
An event says what happened, specifically (`PaymentCapturedEvent`). A generic event
(`GenericSuccessEvent`, `AnyEvent`, `BaseEvent`) forces every observer to inspect a payload to
learn what happened, and couples every feature to one type. Reported: type names matching a
`[lint] god_events` pattern. Patterns match whole PascalCase words; `*` stands for any number
of words: `Generic*Event` matches `GenericSuccessEvent` and `GenericEvent`, `Base*Event`
matches `BaseEvent` but not `BaseballScoredEvent`.

Fix: one event type per outcome (`orch add event <name>`).
Configure: `[lint] god_events = [\"Generic*Event\", \"*AnyEvent\"]`.",
    },
    Rule {
        id: "parse-error",
        default: Level::Error,
        summary: "a `.rs` file that cannot be read or tokenized (its facts are unknown)",
        knobs: "",
        explanation: "\
`orch lint` reads every `.rs` file under src/. A file that is not UTF-8, has an unterminated
string, char or comment, a stray character, or unbalanced delimiters cannot be analysed: it is
reported once (with the position of the problem) and contributes no facts, and files below it
are not reported as orphans. Other syntax errors are left to rustc (`cargo check`), except in
the files orch wires into (those with a `fn register`: the features module, core's and each
feature's `mod.rs`), which are parsed in full: a hand edit that breaks them (a call after a
tail expression) is reported here, with their facts kept. Unreadable files and directories are
reported under this id too, and so are paths deliberately not read: FIFOs, sockets and devices,
files over 8 MiB, symbolic links to files or folders outside the project, and folder links
that lead back into a folder holding them (a cycle).

Fix: fix the file (`cargo check` shows the compiler's view).",
    },
];

/// Ids of every rule, comma-separated (for hints).
pub fn rule_ids() -> String {
    RULES.iter().map(|r| r.id).collect::<Vec<_>>().join(", ")
}

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Unknown rule id: a usage error (exit 2) naming the closest id and listing all of them.
pub fn unknown_rule(id: &str, whence: &str) -> Failure {
    let closest = RULES.iter().map(|r| (edit_distance(id, r.id), r.id)).min().filter(|(d, _)| *d <= 3);
    let suggestion = closest.map(|(_, c)| format!("did you mean `{c}`? ")).unwrap_or_default();
    Failure::usage(format!("unknown lint rule `{id}` {whence}"))
        .hint(format!("{suggestion}rule ids: {} (`orch lint --list-rules`)", rule_ids()))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Severity of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Reported; fails only with `--deny-warnings`.
    Warning,
    /// Reported; fails the run.
    Error,
}

impl Severity {
    /// `error` / `warning`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A fix a generator can make.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fix {
    /// Generate (and register) an executor for a job.
    AddExecutor {
        /// Feature directory name; `None` for core.
        feature: Option<String>,
        /// The job type (`LoginJob`).
        job: String,
    },
    /// Add `register::<Job, _>(Executor)` to the feature's (or core's) `register`.
    Register {
        /// Feature directory name; `None` for core.
        feature: Option<String>,
        /// Job type.
        job: String,
        /// Executor type.
        executor: String,
        /// The file with `impl Executor<Job> for Executor`.
        executor_file: PathBuf,
        /// The file declaring the job type, if found.
        job_file: Option<PathBuf>,
    },
    /// Add `<feature>::register(builder)?;` (and `pub mod <feature>;`) to the features module.
    WireFeature {
        /// Feature directory name.
        feature: String,
    },
    /// Add `mod <name>;` to a parent module file.
    ModLine {
        /// The parent module file (root-relative).
        parent: PathBuf,
        /// The orphan file (root-relative).
        file: PathBuf,
        /// Its public types (re-exported with `pub use` in component folders).
        exports: Vec<String>,
    },
}

/// One finding. It borrows from the [`Analysis`] it was found in: its message, hint and fix
/// are rendered when asked for, from the facts (a tree far from the pattern has tens of
/// thousands of findings, and their text would outweigh everything else `orch lint` keeps).
/// 48 bytes: paths and names are thin references to the analysis' own boxes.
#[derive(Debug, Clone)]
#[expect(clippy::borrowed_box, reason = "a thin pointer: a large tree has many findings")]
pub struct Finding<'a> {
    /// Root-relative path.
    pub path: &'a Box<Path>,
    /// Line and column, where there is one.
    pub loc: Option<Loc>,
    /// Severity (from the rule's configured level).
    pub severity: Severity,
    /// Index of the rule in [`RULES`].
    rule: u8,
    /// What is wrong, what to do, what `--fix` can do.
    what: rules::What<'a>,
}

/// The index of rule `id` in [`RULES`].
fn rule_index(id: &str) -> u8 {
    let i = RULES.iter().position(|r| r.id == id).unwrap_or_else(|| panic!("unknown rule id {id:?}"));
    u8::try_from(i).unwrap_or(u8::MAX)
}

impl<'a> Finding<'a> {
    /// A finding whose message and hint are written out now (rare kinds; the common ones are
    /// made by the rules with their facts, rendered later).
    #[expect(clippy::borrowed_box, reason = "see `Finding::path`")]
    pub(crate) fn new(
        rule: &'static str,
        severity: Severity,
        path: &'a Box<Path>,
        loc: Option<Loc>,
        message: String,
        hint: Option<String>,
    ) -> Self {
        let text = rules::Text { message, hint, fix: None };
        Finding { rule: rule_index(rule), severity, path, loc, what: rules::What::Text(Box::new(text)) }
    }

    /// Rule id.
    pub fn rule(&self) -> &'static str {
        RULES[usize::from(self.rule)].id
    }

    /// What is wrong.
    pub fn message(&self) -> std::borrow::Cow<'_, str> {
        self.what.message()
    }

    /// What to do (names the orch command that fixes it, where one exists).
    pub fn hint(&self) -> Option<std::borrow::Cow<'_, str>> {
        self.what.hint()
    }

    /// What `--fix` can do about it.
    pub fn fix(&self) -> Option<Fix> {
        self.what.fix()
    }

    /// Whether `--fix` can do something about it.
    pub fn fixable(&self) -> bool {
        self.what.fixable()
    }

    /// Same rule, place, message and hint.
    fn same(&self, other: &Finding<'_>) -> bool {
        self.rule == other.rule
            && self.path == other.path
            && self.loc == other.loc
            && self.message() == other.message()
            && self.hint() == other.hint()
    }
}

/// `[lint]` made usable: a level per rule and compiled options.
#[derive(Debug, Clone)]
pub struct Settings {
    levels: Vec<Level>,
    /// I/O deny-list entries, split on `::`.
    pub io_deny: Vec<Vec<String>>,
    /// Module names of another feature that a feature may use.
    pub public_modules: Vec<String>,
    /// God-event patterns, as PascalCase words (`*` = any words).
    pub god_events: Vec<(String, Vec<String>)>,
    /// Extra folders allowed in a feature.
    pub extra_folders: Vec<String>,
}

impl Settings {
    /// Settings from `[lint]`; unknown rule ids and bad patterns are usage errors (exit 2).
    pub fn from_config(cfg: &LintConfig) -> anyhow::Result<Settings> {
        let mut levels: Vec<Level> = RULES.iter().map(|r| r.default).collect();
        for (id, level) in &cfg.rules {
            let Some(i) = RULES.iter().position(|r| r.id == id) else {
                return Err(unknown_rule(id, "in orch.toml [lint.rules]").into());
            };
            levels[i] = *level;
        }
        let mut god_events = Vec::new();
        for pattern in &cfg.god_events {
            let words = pattern_words(pattern).ok_or_else(|| {
                Failure::usage(format!("invalid [lint] god_events pattern {pattern:?}"))
                    .hint("use PascalCase words and `*`, e.g. \"Generic*Event\"")
            })?;
            god_events.push((pattern.clone(), words));
        }
        for folder in &cfg.extra_folders {
            if folder.is_empty() || folder.contains(['/', '\\']) {
                return Err(Failure::usage(format!("invalid [lint] extra_folders entry {folder:?}"))
                    .hint("give folder names, e.g. [\"helpers\"]")
                    .into());
            }
        }
        Ok(Settings {
            levels,
            io_deny: cfg.io_deny.iter().map(|d| d.split("::").map(str::to_string).collect()).collect(),
            public_modules: cfg.public_modules.clone(),
            god_events,
            extra_folders: cfg.extra_folders.clone(),
        })
    }

    /// The configured level of a rule.
    pub fn level(&self, id: &str) -> Level {
        RULES.iter().position(|r| r.id == id).map_or(Level::Off, |i| self.levels[i])
    }

    fn severity(&self, id: &str) -> Option<Severity> {
        match self.level(id) {
            Level::Off => None,
            Level::Warn => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }
}

/// Split `Generic*Event` into words `["Generic", "*", "Event"]`; `None` if it is not made of
/// identifier characters and `*`.
fn pattern_words(pattern: &str) -> Option<Vec<String>> {
    if pattern.is_empty() || !pattern.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '*') {
        return None;
    }
    let mut words = Vec::new();
    for (i, part) in pattern.split('*').enumerate() {
        if i > 0 {
            words.push("*".to_string());
        }
        words.extend(pascal_words(part).into_iter().map(str::to_string));
    }
    Some(words)
}

/// PascalCase words of an identifier: `GenericSuccessEvent` → `Generic`, `Success`, `Event`.
pub(crate) fn pascal_words(name: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    let b = name.as_bytes();
    for i in 1..b.len() {
        let boundary = b[i].is_ascii_uppercase()
            && (!b[i - 1].is_ascii_uppercase() || b.get(i + 1).is_some_and(|c| c.is_ascii_lowercase()));
        if boundary {
            words.push(&name[start..i]);
            start = i;
        }
    }
    if start < name.len() {
        words.push(&name[start..]);
    }
    words.retain(|w| !w.is_empty() && *w != "_");
    words
}

/// Whether `name`'s words match `pattern` words (`*` = any number of words).
/// Greedy, backtracking only to the last `*`: O(pattern × name) (trying every split for every
/// `*` recursively was exponential in the number of `*`s).
pub(crate) fn words_match(pattern: &[String], name: &[&str]) -> bool {
    let (mut p, mut n) = (0, 0);
    // the last `*` seen and the name position it is matched up to
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if pattern.get(p).is_some_and(|w| w == "*") {
            star = Some((p, n));
            p += 1;
        } else if pattern.get(p).is_some_and(|w| w == name[n]) {
            p += 1;
            n += 1;
        } else if let Some((sp, sn)) = star {
            // let that `*` take one more word
            star = Some((sp, sn + 1));
            (p, n) = (sp + 1, sn + 1);
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|w| w == "*")
}

/// Run every enabled rule; findings sorted by path, line, column, rule.
pub fn check<'a>(analysis: &'a Analysis, settings: &'a Settings) -> Vec<Finding<'a>> {
    let mut findings = rules::run(analysis, settings);
    fn k<'f>(f: &'f Finding<'_>) -> (&'f [u8], Option<Loc>, &'static str) {
        (crate::analysis::key(f.path), f.loc, f.rule())
    }
    // Unstable (no scratch copy of 100k findings) but total: ties in path, place and rule are
    // broken by the rendered message, which only those few render.
    findings.sort_unstable_by(|a, b| {
        k(a).cmp(&k(b)).then_with(|| a.message().cmp(&b.message())).then_with(|| a.hint().cmp(&b.hint()))
    });
    findings.dedup_by(|a, b| a.same(b));
    findings
}

/// Keep only findings under one of `paths` (root-relative; empty = keep all).
pub fn filter_paths(findings: &mut Vec<Finding<'_>>, paths: &[PathBuf]) {
    if paths.is_empty() {
        return;
    }
    if paths.iter().any(|p| p.as_os_str().is_empty()) {
        return;
    }
    // sorted, so each finding is one binary search per ancestor (CI may pass thousands of
    // changed paths: a scan of all of them per finding is quadratic)
    let mut sorted: Vec<PathBuf> = paths.iter().map(|p| p.components().collect()).collect();
    sorted.sort_unstable_by(|x, y| crate::analysis::key(x).cmp(crate::analysis::key(y)));
    findings.retain(|f| crate::analysis::below_any(&sorted, f.path));
}

/// Counts of (errors, warnings).
pub fn counts(findings: &[Finding<'_>]) -> (usize, usize) {
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    (errors, findings.len() - errors)
}

/// Root-relative display of a path (forward slashes).
pub fn show(path: &Path) -> String {
    crate::plan::display(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_kebab_case() {
        let mut ids: Vec<_> = RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        assert!(RULES.iter().all(|r| r.id.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
    }

    #[test]
    fn god_event_patterns_match_whole_words() {
        let m = |p: &str, n: &str| words_match(&pattern_words(p).unwrap(), &pascal_words(n));
        assert!(m("Generic*Event", "GenericSuccessEvent"));
        assert!(m("Generic*Event", "GenericEvent"));
        assert!(m("*AnyEvent", "AnyEvent"));
        assert!(m("*AnyEvent", "UserAnyEvent"));
        assert!(!m("*AnyEvent", "CompanyEvent"));
        assert!(!m("Base*Event", "BaseballScoredEvent"));
        assert!(m("Base*Event", "BaseEvent"));
        assert!(!m("Generic*Event", "LoginEvent"));
        assert_eq!(pascal_words("HTTPRequestEvent"), ["HTTP", "Request", "Event"]);
    }

    #[test]
    fn patterns_with_many_stars_stay_polynomial() {
        // the recursive matcher tried every split for every `*`: C(200, 8) here
        let pattern = pattern_words("*A*A*A*A*A*A*A*A*B").unwrap();
        let mut name: Vec<&str> = vec!["A"; 200];
        assert!(!words_match(&pattern, &name));
        name.push("B");
        assert!(words_match(&pattern, &name));
        // same answers as the exhaustive definition on every short name over {A, B}
        fn reference(pattern: &[String], name: &[&str]) -> bool {
            match pattern.split_first() {
                None => name.is_empty(),
                Some((p, rest)) if p == "*" => (0..=name.len()).any(|k| reference(rest, &name[k..])),
                Some((p, rest)) => name.first().is_some_and(|w| w == p) && reference(rest, &name[1..]),
            }
        }
        for p in ["*", "A", "*A", "A*", "A*B", "*A*B*", "**A", "A*A*A", "*B*A", "B**"] {
            let pattern = pattern_words(p).unwrap();
            for len in 0..7 {
                for bits in 0..1u32 << len {
                    let name: Vec<&str> =
                        (0..len).map(|i| if bits >> i & 1 == 1 { "B" } else { "A" }).collect();
                    assert_eq!(words_match(&pattern, &name), reference(&pattern, &name), "{p} {name:?}");
                }
            }
        }
    }

    #[test]
    fn unknown_rule_ids_are_usage_errors_with_suggestions() {
        let mut cfg = LintConfig::default();
        cfg.rules.insert("pairng".into(), Level::Off);
        let err = Settings::from_config(&cfg).unwrap_err();
        let (kind, hint) = crate::error::classify(&err);
        assert_eq!(kind.code(), 2);
        assert!(hint.unwrap().starts_with("did you mean `pairing`? rule ids: layout, "), "{hint:?}");
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_names_and_contents_are_findings_not_crashes() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("src/features/auth/jobs")).unwrap();
        std::fs::write(root.join("src/main.rs"), "mod features;\nfn main() {}\n").unwrap();
        std::fs::write(root.join("src/features/mod.rs"), "pub mod auth;\n").unwrap();
        std::fs::write(root.join("src/features/auth/mod.rs"), "pub mod jobs;\n").unwrap();
        std::fs::write(root.join("src/features/auth/jobs/mod.rs"), "mod login;\n").unwrap();
        std::fs::write(root.join("src/features/auth/jobs/login.rs"), b"pub struct LoginJob;\n// \xff\xfe\n")
            .unwrap();
        std::fs::write(root.join("src").join(OsStr::from_bytes(b"bad\xffname.rs")), "fn x() {}\n").unwrap();
        std::fs::create_dir_all(root.join("src").join(OsStr::from_bytes(b"dir\xfe"))).unwrap();
        let analysis =
            crate::analysis::analyze(&root, &crate::analysis::Options::from_config(&Default::default()))
                .unwrap();
        let settings = Settings::from_config(&LintConfig::default()).unwrap();
        let findings = check(&analysis, &settings);
        let got: Vec<(&str, String, Option<Loc>)> =
            findings.iter().map(|f| (f.rule(), show(f.path), f.loc)).collect();
        assert!(
            got.contains(&(
                "parse-error",
                "src/features/auth/jobs/login.rs".into(),
                Some(Loc { line: 2, col: 4 })
            )),
            "{got:?}"
        );
        assert!(got.contains(&("file-naming", "src/bad\u{fffd}name.rs".into(), None)), "{got:?}");
        assert!(got.contains(&("file-naming", "src/dir\u{fffd}".into(), None)), "{got:?}");
        // a non-UTF-8 name cannot be a module: not also an orphan
        assert!(!got.iter().any(|(r, p, _)| *r == "orphan-module" && p.starts_with("src/bad")), "{got:?}");
    }

    #[test]
    fn levels_default_and_override() {
        let mut cfg = LintConfig::default();
        cfg.rules.insert("god-event".into(), Level::Error);
        cfg.rules.insert("layout".into(), Level::Off);
        let s = Settings::from_config(&cfg).unwrap();
        assert_eq!(s.level("god-event"), Level::Error);
        assert_eq!(s.level("layout"), Level::Off);
        assert_eq!(s.level("pairing"), Level::Error);
    }
}
