//! `orch lint`: convention rules over the source model ([`crate::analysis`]).
//!
//! [`RULES`] is the registry (one module per rule under `rules/`: id, default severity, config
//! knobs, explanation and check), typed by [`RuleId`].
//! [`Settings`] is the `[lint]` section made usable (levels per rule, compiled patterns);
//! [`check`] runs every enabled rule and returns sorted [`Finding`]s; [`report`] renders them
//! (human, json, github, sarif) and [`fix`] turns the fixable ones into a [`crate::plan::Plan`].

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::{Analysis, Loc};
use crate::config::{Level, LintConfig};
use crate::error::Failure;

pub mod baseline;
pub mod fix;
pub mod report;
mod rules;
pub mod select;
pub mod suppress;

pub use rules::{RULES, Rule, RuleId, UnknownRule};

/// Ids of every rule, comma-separated (for hints).
pub fn rule_ids() -> String {
    RULES.iter().map(|r| r.id).collect::<Vec<_>>().join(", ")
}

/// The rule named `id` by the user (`--explain`); unknown: a usage error with "did you mean".
pub fn parse_rule(id: &str, whence: &str) -> Result<RuleId, Failure> {
    id.parse().map_err(|_: UnknownRule| unknown_rule(id, whence))
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
    /// Generate (and register) an executor for a job (unsafe: new code, see [`Fix::is_safe`]).
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

impl Fix {
    /// Whether the fix only adds a line wiring in code rustc already compiles (a `register`
    /// call for a compiled executor, a declared feature's wiring): `orch lint --fix` applies it.
    /// The others need `--fix --unsafe`: an executor is new code (a stub the user has to
    /// write), and a `mod` line brings a file rustc has never compiled into the build (its
    /// own errors, imports and names are unchecked until then).
    pub fn is_safe(&self) -> bool {
        !matches!(self, Fix::AddExecutor { .. } | Fix::ModLine { .. })
    }
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
    /// The rule (one byte).
    rule: RuleId,
    /// What is wrong, what to do, what `--fix` can do.
    what: rules::What<'a>,
}

impl<'a> Finding<'a> {
    /// A finding whose message and hint are written out now (rare kinds; the common ones are
    /// made by the rules with their facts, rendered later).
    #[expect(clippy::borrowed_box, reason = "see `Finding::path`")]
    pub(crate) fn new(
        rule: RuleId,
        severity: Severity,
        path: &'a Box<Path>,
        loc: Option<Loc>,
        message: String,
        hint: Option<String>,
    ) -> Self {
        let text = rules::Text { message, hint, fix: None, related: Vec::new() };
        Finding { rule, severity, path, loc, what: rules::What::Text(Box::new(text)) }
    }

    /// The rule that found it.
    pub fn rule(&self) -> RuleId {
        self.rule
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

    /// Root-relative paths, besides its own, of files the finding is about: the `register`
    /// function's file for an unregistered executor, the missing files of a `mod` line, the
    /// parent module an orphan needs a `mod` line in. Path arguments select through them.
    pub fn related(&self) -> Vec<PathBuf> {
        let mut paths = self.what.related().to_vec();
        if let Some(Fix::ModLine { parent, .. }) = self.fix() {
            paths.push(parent);
        }
        paths
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
    /// Indexed by [`RuleId`].
    levels: [Level; RuleId::ALL.len()],
    /// I/O deny-list entries, split on `::`.
    pub io_deny: Vec<Vec<String>>,
    /// Module names of another feature that a feature may use.
    pub public_modules: Vec<String>,
    /// God-event patterns, as PascalCase words (`*` = any words).
    pub god_events: Vec<(String, Vec<String>)>,
    /// Other features an enum event's variants may carry before it is a catch-all (0: off).
    pub god_event_features: usize,
    /// Extra folders allowed in a feature.
    pub extra_folders: Vec<String>,
    /// `[[lint.overrides]]`: levels per path.
    pub overrides: suppress::Overrides,
}

impl Settings {
    /// Settings from `[lint]`; unknown rule ids and bad patterns are usage errors (exit 2).
    pub fn from_config(cfg: &LintConfig) -> anyhow::Result<Settings> {
        let mut levels = RuleId::ALL.map(|id| id.rule().default);
        for (id, level) in &cfg.rules {
            levels[parse_rule(id, "in orch.toml [lint.rules]")? as usize] = *level;
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
            god_event_features: cfg.god_event_features,
            extra_folders: cfg.extra_folders.clone(),
            overrides: suppress::Overrides::compile(&cfg.overrides)?,
        })
    }

    /// The configured level of a rule.
    pub fn level(&self, id: RuleId) -> Level {
        self.levels[id as usize]
    }

    /// The level of a rule for the file or folder at `path` (root-relative), with
    /// `[[lint.overrides]]`.
    pub fn level_at(&self, id: RuleId, path: &Path) -> Level {
        self.overrides.level_at(id, path, self.level(id))
    }

    /// The severity a rule runs with: its own level, or the highest an override gives it
    /// (findings are re-graded per path afterwards, [`suppress`]).
    fn severity(&self, id: RuleId) -> Option<Severity> {
        match self.level(id).max(self.overrides.max(id).unwrap_or(Level::Off)) {
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

/// Run every enabled rule, then apply `[[lint.overrides]]` and inline suppressions
/// ([`suppress`]); findings sorted by path, line, column, rule.
pub fn check<'a>(analysis: &'a Analysis, settings: &'a Settings) -> Vec<Finding<'a>> {
    let mut findings = rules::run(analysis, settings);
    suppress::apply(analysis, settings, &mut findings);
    fn k<'f>(f: &'f Finding<'_>) -> (&'f [u8], Option<Loc>, &'static str) {
        // by the id's text, as always: the order users see
        (crate::analysis::key(f.path), f.loc, f.rule().as_str())
    }
    // Unstable (no scratch copy of 100k findings) but total: ties in path, place and rule are
    // broken by the rendered message, which only those few render.
    findings.sort_unstable_by(|a, b| {
        k(a).cmp(&k(b)).then_with(|| a.message().cmp(&b.message())).then_with(|| a.hint().cmp(&b.hint()))
    });
    findings.dedup_by(|a, b| a.same(b));
    findings
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
            findings.iter().map(|f| (f.rule().as_str(), show(f.path), f.loc)).collect();
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
        assert_eq!(s.level(RuleId::GodEvent), Level::Error);
        assert_eq!(s.level(RuleId::Layout), Level::Off);
        assert_eq!(s.level(RuleId::Pairing), Level::Error);
    }
}
