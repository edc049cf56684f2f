//! The rules of `orch lint`, one module per rule. Each holds the rule's metadata (a [`Rule`]
//! const: id, default level, summary, knobs, explanation), its check and its unit tests; this
//! module holds the typed id ([`RuleId`]), the registry ([`RULES`], in report order) and what
//! the checks share (lazily rendered findings, [`What`]; module-file lookups). Each check takes
//! the whole-project model and appends findings; cross-file rules build small hash indexes
//! first, so every rule is linear in the facts.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use heck::ToSnakeCase;

use super::{Finding, Fix, Settings, Severity};
use crate::analysis::{Analysis, Chunks, Folder, Loc, Place, Reach, Role, SourceFile, TypeKind};
use crate::config::Level;

mod boundaries;
mod file_naming;
mod god_event;
mod layout;
mod missing_module;
mod orphan_module;
mod pairing;
mod parse_error;
mod registration;
mod type_naming;
mod unused_event;
mod unused_suppression;

/// A rule's stable id, typed. The variants are in report order (the order of [`RULES`]); the
/// text form ([`RuleId::as_str`]) is what `orch.toml`, the output and `--explain` use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[repr(u8)]
pub enum RuleId {
    /// See [`layout`].
    Layout,
    /// See [`file_naming`].
    FileNaming,
    /// See [`type_naming`].
    TypeNaming,
    /// See [`pairing`].
    Pairing,
    /// See [`registration`].
    Registration,
    /// See [`orphan_module`].
    OrphanModule,
    /// See [`missing_module`].
    MissingModule,
    /// See [`boundaries`].
    Boundaries,
    /// See [`god_event`].
    GodEvent,
    /// See [`unused_event`].
    UnusedEvent,
    /// See [`parse_error`].
    ParseError,
    /// See [`unused_suppression`].
    UnusedSuppression,
}

impl RuleId {
    /// Whether the rule's findings on a file depend on other files (an executor deleted
    /// elsewhere leaves its job without one): path arguments select them across the changed
    /// path's feature ([`crate::lint::select`]).
    pub const fn cross_file(self) -> bool {
        matches!(
            self,
            RuleId::Pairing
                | RuleId::Registration
                | RuleId::OrphanModule
                | RuleId::MissingModule
                | RuleId::UnusedEvent
                | RuleId::GodEvent
        )
    }

    /// Every rule, in report order.
    pub const ALL: [RuleId; 12] = [
        RuleId::Layout,
        RuleId::FileNaming,
        RuleId::TypeNaming,
        RuleId::Pairing,
        RuleId::Registration,
        RuleId::OrphanModule,
        RuleId::MissingModule,
        RuleId::Boundaries,
        RuleId::GodEvent,
        RuleId::UnusedEvent,
        RuleId::ParseError,
        RuleId::UnusedSuppression,
    ];

    /// The stable id as written in `orch.toml`, output and `--explain`.
    pub const fn as_str(self) -> &'static str {
        match self {
            RuleId::Layout => "layout",
            RuleId::FileNaming => "file-naming",
            RuleId::TypeNaming => "type-naming",
            RuleId::Pairing => "pairing",
            RuleId::Registration => "registration",
            RuleId::OrphanModule => "orphan-module",
            RuleId::MissingModule => "missing-module",
            RuleId::Boundaries => "boundaries",
            RuleId::GodEvent => "god-event",
            RuleId::UnusedEvent => "unused-event",
            RuleId::ParseError => "parse-error",
            RuleId::UnusedSuppression => "unused-suppression",
        }
    }

    /// The rule's metadata.
    pub fn rule(self) -> &'static Rule {
        RULES[self as usize]
    }

    /// The rule's check.
    fn check(self) -> Check {
        match self {
            RuleId::Layout => layout::check,
            RuleId::FileNaming => file_naming::check,
            RuleId::TypeNaming => type_naming::check,
            RuleId::Pairing => pairing::check,
            RuleId::Registration => registration::check,
            RuleId::OrphanModule => orphan_module::check,
            RuleId::MissingModule => missing_module::check,
            RuleId::Boundaries => boundaries::check,
            RuleId::GodEvent => god_event::check,
            RuleId::UnusedEvent => unused_event::check,
            RuleId::ParseError => parse_error::check,
            RuleId::UnusedSuppression => unused_suppression::check,
        }
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for RuleId {
    type Err = UnknownRule;

    /// Parse user input (`orch.toml` `[lint.rules]`, `--explain`); the error names the input,
    /// for [`super::unknown_rule`] and its "did you mean".
    fn from_str(s: &str) -> Result<RuleId, UnknownRule> {
        RuleId::ALL.into_iter().find(|id| id.as_str() == s).ok_or_else(|| UnknownRule(s.to_string()))
    }
}

/// A string that is no rule id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRule(pub String);

/// A rule: stable id, default level, one-line summary, config knobs and explanation.
#[derive(Debug)]
pub struct Rule {
    /// Stable id as text (`key.as_str()`; used in `orch.toml`, output and `--explain`).
    pub id: &'static str,
    /// The typed id.
    pub key: RuleId,
    /// Level when `orch.toml` does not set one.
    pub default: Level,
    /// One line: what it checks.
    pub summary: &'static str,
    /// `[lint]` options that tune it (besides its level).
    pub knobs: &'static str,
    /// Why, what it reports, how to fix, how to configure.
    pub explanation: &'static str,
}

/// Every rule, in report order (the order of [`RuleId::ALL`]).
pub const RULES: &[&Rule] = &[
    &layout::RULE,
    &file_naming::RULE,
    &type_naming::RULE,
    &pairing::RULE,
    &registration::RULE,
    &orphan_module::RULE,
    &missing_module::RULE,
    &boundaries::RULE,
    &god_event::RULE,
    &unused_event::RULE,
    &parse_error::RULE,
    &unused_suppression::RULE,
];

type Check = for<'a> fn(&'a Analysis, &'a Settings, Severity, &mut Chunks<Finding<'a>>);

/// The order the checks start in: the costly cross-file ones first, so the threads finish
/// together (the findings are sorted afterwards; this order is never seen).
const RUN_ORDER: [RuleId; 12] = [
    RuleId::Pairing,
    RuleId::Registration,
    RuleId::Boundaries,
    RuleId::UnusedEvent,
    RuleId::OrphanModule,
    RuleId::MissingModule,
    RuleId::FileNaming,
    RuleId::TypeNaming,
    RuleId::GodEvent,
    RuleId::Layout,
    RuleId::ParseError,
    // an empty check: its findings come after the others' (`crate::lint::suppress`)
    RuleId::UnusedSuppression,
];

/// Run every enabled rule. The rules only read the analysis, so they run side by side, on as
/// many threads as there are cores (at 100k files the serial time after the parallel walk
/// matters; more threads would only hold more rules' indexes in memory at once).
pub(super) fn run<'a>(a: &'a Analysis, s: &'a Settings) -> Vec<Finding<'a>> {
    let enabled: Vec<(Check, Severity)> =
        RUN_ORDER.into_iter().filter_map(|id| s.severity(id).map(|sev| (id.check(), sev))).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, enabled.len().max(1));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Chunks::new();
                    while let Some((check, sev)) =
                        enabled.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                    {
                        check(a, s, *sev, &mut out);
                    }
                    out
                })
            })
            .collect();
        let found = handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        Chunks::merge(found.collect())
    })
}

/// A finding of a common kind, its text rendered when asked for.
#[expect(clippy::borrowed_box, reason = "see `Finding::path`")]
fn lazy<'a>(
    rule: RuleId,
    severity: Severity,
    path: &'a Box<Path>,
    loc: Option<Loc>,
    what: What<'a>,
) -> Finding<'a> {
    Finding { rule, severity, path, loc, what }
}

impl Finding<'_> {
    /// The same finding with a fix (findings written out with [`Finding::new`]).
    fn with_fix(mut self, fix: Fix) -> Self {
        match &mut self.what {
            What::Text(t) => t.fix = Some(fix),
            // the rendered kinds derive their fix from their facts (`What::fix`)
            _ => debug_assert!(false, "with_fix on a rendered finding"),
        }
        self
    }

    /// Name another file the finding is about (path arguments select it through that file).
    fn with_related(mut self, path: impl Into<PathBuf>) -> Self {
        match &mut self.what {
            What::Text(t) => t.related.push(path.into()),
            _ => debug_assert!(false, "with_related on a rendered finding"),
        }
        self
    }
}

/// A finding's message, hint and fix: written out ([`What::Text`]), or, for the kinds a large
/// tree has by the thousand, the facts they are rendered from when printed.
/// Names are thin references to the facts' boxes (16 bytes at most per variant).
#[derive(Debug, Clone)]
#[expect(clippy::borrowed_box, reason = "thin pointers: a large tree has many findings")]
pub(super) enum What<'a> {
    /// Written out.
    Text(Box<Text>),
    /// pairing: a job that no executor implements.
    NoExecutor { job: &'a Box<str>, place: &'a Place },
    /// pairing: an `...Executor` type implementing no `Executor<Job>`.
    NoImpl { executor: &'a Box<str>, place: &'a Place },
    /// boundaries: an orchestrator using executor code.
    OrchestratorUsesExecutor { path: &'a Box<str> },
    /// type-naming: a public data type without its folder's suffix.
    TypeName { name: &'a Box<str>, kind: TypeKind, folder: Folder },
}

/// A written-out finding's text.
#[derive(Debug, Clone)]
pub(super) struct Text {
    pub(super) message: String,
    pub(super) hint: Option<String>,
    pub(super) fix: Option<Fix>,
    /// Other files the finding is about (see [`Finding::related`]).
    pub(super) related: Vec<PathBuf>,
}

impl What<'_> {
    pub(super) fn message(&self) -> Cow<'_, str> {
        Cow::Owned(match self {
            What::Text(t) => return Cow::Borrowed(&t.message),
            What::NoExecutor { job, .. } => {
                format!("job `{job}` has no executor (no `impl Executor<{job}> for ..`)")
            }
            What::NoImpl { executor, .. } => format!("executor `{executor}` implements no `Executor<Job>`"),
            What::OrchestratorUsesExecutor { path } => {
                format!(
                    "orchestrator uses executor code `{path}`; orchestrators dispatch jobs, executors run them"
                )
            }
            What::TypeName { name, kind, folder } => {
                let wanted =
                    folder.suffixes().iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" or ");
                format!("public {} `{name}` in {}/ does not end in {wanted}", kind.keyword(), folder.name())
            }
        })
    }

    pub(super) fn hint(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Owned(match self {
            What::Text(t) => return t.hint.as_deref().map(Cow::Borrowed),
            What::NoExecutor { job, place } => {
                let stem = job_stem(job);
                if crate::names::Name::parse(&stem, "executor").is_err() {
                    // `TypeJob`: `orch add executor type` is refused (a keyword)
                    format!(
                        "write `impl Executor<{job}> for ..` by hand in the executors folder (`orch add executor {stem}` is refused: `{stem}` is not a usable name)"
                    )
                } else {
                    format!(
                        "run `orch add executor {stem}{}` (or `orch lint --fix --unsafe`, which generates it)",
                        feature_flag(place)
                    )
                }
            }
            What::NoImpl { executor, place } => {
                let base = executor.strip_suffix(Role::Executors.suffix()).unwrap_or(executor);
                format!(
                    "implement `Executor<{base}Job>` for it (`orch add executor {}{}` shows the shape), or remove it",
                    base.to_snake_case(),
                    feature_flag(place)
                )
            }
            What::OrchestratorUsesExecutor { .. } => {
                return Some(Cow::Borrowed(
                    "dispatch the executor's job instead (`cx.dispatch(XJob { .. })`); the dispatcher routes it",
                ));
            }
            What::TypeName { name, folder, .. } => {
                // a data type in orchestrators/ is most likely part of the state
                let suffix = if *folder == Folder::Orchestrators { "State" } else { folder.suffixes()[0] };
                format!(
                    "rename it to `{name}{suffix}`, make it private, or move it to the folder that matches its role"
                )
            }
        }))
    }

    pub(super) fn fix(&self) -> Option<Fix> {
        match self {
            What::Text(t) => t.fix.clone(),
            What::NoExecutor { job, place } if self.fixable() => {
                Some(Fix::AddExecutor { feature: place.feature().map(str::to_string), job: job.to_string() })
            }
            _ => None,
        }
    }

    pub(super) fn related(&self) -> &[PathBuf] {
        match self {
            What::Text(t) => &t.related,
            _ => &[],
        }
    }

    pub(super) fn fixable(&self) -> bool {
        match self {
            What::Text(t) => t.fix.is_some(),
            What::NoExecutor { place, .. } => matches!(place, Place::Feature { .. } | Place::Core { .. }),
            _ => false,
        }
    }
}

/// Files whose facts are compiled: reached by normal code (or every file when no crate root
/// was found).
pub(super) fn live(a: &Analysis, f: &SourceFile) -> bool {
    f.reach == Reach::Yes || (!a.has_roots && f.reach != Reach::Test)
}

pub(super) fn file_name(path: &Path) -> std::borrow::Cow<'_, str> {
    path.file_name().unwrap_or_default().to_string_lossy()
}

/// `--feature x` for a feature, nothing for core.
pub(super) fn feature_flag(place: &Place) -> String {
    match place.feature() {
        Some(f) => format!(" --feature {f}"),
        None => String::new(),
    }
}

/// Where a component of `place` is registered: the feature's (or core's) module file.
pub(super) fn register_file(a: &Analysis, place: &Place) -> Option<PathBuf> {
    let dir = match place {
        Place::Feature { feature, .. } => a.options.features_dir.join(&**feature),
        Place::Core { .. } => a.options.core_dir.clone(),
        _ => return None,
    };
    module_file_of_dir(a, &dir)
}

/// `dir/mod.rs` or `dir.rs`, whichever exists (in the analysis).
pub(super) fn module_file_of_dir(a: &Analysis, dir: &Path) -> Option<PathBuf> {
    let mod_rs = dir.join("mod.rs");
    if a.file(&mod_rs).is_some() {
        return Some(mod_rs);
    }
    let sibling = dir.with_extension("rs");
    a.file(&sibling).is_some().then_some(sibling)
}

/// Job stem for CLI hints: `FetchUserJob` → `fetch_user`.
fn job_stem(job: &str) -> String {
    Role::Jobs.stem(job).to_snake_case()
}

/// Structs, enums and unions: the types the naming and pairing rules look at.
fn is_data_type(kind: TypeKind) -> bool {
    matches!(kind, TypeKind::Struct | TypeKind::Enum | TypeKind::Union)
}

/// Rule unit tests: lint a few files written to a temporary project.
#[cfg(test)]
pub(super) mod testing {
    use super::*;

    /// `path:line:col message` of the findings of rule `id` on a project of `files` (without a
    /// crate root among them, every file counts as compiled).
    pub(in crate::lint) fn findings(files: &[(&str, &str)], id: &str) -> Vec<String> {
        findings_with(files, id, &crate::config::LintConfig::default())
    }

    /// [`findings`] under a `[lint]` configuration.
    pub(in crate::lint) fn findings_with(
        files: &[(&str, &str)],
        id: &str,
        cfg: &crate::config::LintConfig,
    ) -> Vec<String> {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        for (path, text) in files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let analysis =
            crate::analysis::analyze(&root, &crate::analysis::Options::from_config(&Default::default()))
                .unwrap();
        let settings = Settings::from_config(cfg).unwrap();
        let id: RuleId = id.parse().unwrap();
        let mut out = Chunks::new();
        id.check()(&analysis, &settings, Severity::Warning, &mut out);
        let mut got: Vec<String> = Chunks::merge(vec![out])
            .iter()
            .map(|f| {
                let loc = f.loc.map(|l| format!(":{}:{}", l.line, l.col)).unwrap_or_default();
                format!("{}{loc} {}", crate::analysis::display(f.path), f.what.message())
            })
            .collect();
        got.sort();
        got
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_stems() {
        assert_eq!(job_stem("FetchUserJob"), "fetch_user");
        assert_eq!(job_stem("Job"), "job");
    }

    #[test]
    fn the_registry_follows_the_typed_ids() {
        assert_eq!(RULES.len(), RuleId::ALL.len());
        for (i, id) in RuleId::ALL.into_iter().enumerate() {
            assert_eq!(RULES[i].key, id);
            assert_eq!(RULES[i].id, id.as_str());
            assert_eq!(id as usize, i);
            assert_eq!(id.as_str().parse::<RuleId>(), Ok(id));
            assert_eq!(serde_json::to_value(id).unwrap(), id.as_str());
        }
        let mut run = RUN_ORDER;
        run.sort_unstable();
        assert_eq!(run, RuleId::ALL, "every rule runs once");
        assert_eq!("pairng".parse::<RuleId>(), Err(UnknownRule("pairng".into())));
    }

    /// The README's rule table is the registry as users read it: same ids in report order,
    /// same default levels, same summaries (up to the README's backticks).
    #[test]
    fn the_readme_rule_table_matches_the_registry() {
        let readme = include_str!("../../../README.md");
        let start = readme.find("| rule | default | checks |").expect("README has the rule table");
        let rows: Vec<Vec<String>> = readme[start..]
            .lines()
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .map(|l| l.trim_matches('|').split(" | ").map(|c| c.trim().replace('`', "")).collect())
            .collect();
        let want: Vec<Vec<String>> = RULES
            .iter()
            .map(|r| {
                let level = serde_json::to_value(r.default).unwrap().as_str().unwrap().to_string();
                vec![r.id.to_string(), level, r.summary.replace('`', "")]
            })
            .collect();
        assert_eq!(rows, want);
    }
}
