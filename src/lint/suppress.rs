//! Suppressions: `[[lint.overrides]]` (rule levels per path) and inline `orch-lint: allow(..)`
//! comments, applied to the findings after every rule ran (the rules know nothing of them).
//!
//! Order: per-path levels first (a rule turned off for a path drops its findings there, `warn`
//! / `error` re-grade them), then the inline comments of each file ([`Suppression`], collected
//! by the analysis). Every comment that suppressed nothing — malformed, without a reason,
//! naming an unknown rule, or with no finding of its rule in what it covers — becomes an
//! `unused-suppression` finding at the comment, so a suppression never hides a typo.
//! Linear: one pass over the facts to find the comments, one hash lookup per finding.

use std::path::Path;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::{Finding, RuleId, Settings, Severity};
use crate::analysis::suppress::Suppression;
use crate::analysis::{Analysis, Fact, FastMap, key};
use crate::config::{Level, LintOverride};
use crate::error::Failure;

/// The rule id under which suppressions that suppress nothing are reported.
pub const UNUSED: RuleId = RuleId::UnusedSuppression;

/// `[[lint.overrides]]`, compiled.
#[derive(Debug, Clone, Default)]
pub struct Overrides(Vec<Override>);

#[derive(Debug, Clone)]
struct Override {
    globs: GlobSet,
    levels: Vec<(RuleId, Level)>,
}

impl Overrides {
    /// Compile the entries (`orch.toml` parsing has already pointed at bad ones with their line;
    /// this only fails for configurations built another way).
    pub(super) fn compile(entries: &[LintOverride]) -> anyhow::Result<Overrides> {
        let mut out = Vec::new();
        for entry in entries {
            let mut b = GlobSetBuilder::new();
            for glob in entry.paths.get_ref() {
                let pattern = crate::config::override_glob(glob.get_ref());
                let g = GlobBuilder::new(pattern).literal_separator(true).build().map_err(|e| {
                    Failure::usage(format!("invalid [[lint.overrides]] path {:?}: {e}", glob.get_ref()))
                })?;
                b.add(g);
            }
            let globs =
                b.build().map_err(|e| Failure::usage(format!("invalid [[lint.overrides]] paths: {e}")))?;
            let mut levels = Vec::new();
            for (id, level) in &entry.rules {
                levels.push((super::parse_rule(id.get_ref(), "in orch.toml [[lint.overrides]]")?, *level));
            }
            out.push(Override { globs, levels });
        }
        Ok(Overrides(out))
    }

    /// The highest level any override gives rule `id` (a rule off by default still runs when
    /// some paths turn it on).
    pub(super) fn max(&self, id: RuleId) -> Option<Level> {
        self.0.iter().flat_map(|o| &o.levels).filter(|(r, _)| *r == id).map(|(_, l)| *l).max()
    }

    /// The level of rule `id` at `path`: from the last override naming the rule whose globs
    /// match the path or a folder above it, else `global`.
    pub(super) fn level_at(&self, id: RuleId, path: &Path, global: Level) -> Level {
        for o in self.0.iter().rev() {
            let Some((_, level)) = o.levels.iter().find(|(r, _)| *r == id) else { continue };
            if path.ancestors().filter(|p| !p.as_os_str().is_empty()).any(|p| o.globs.is_match(p)) {
                return *level;
            }
        }
        global
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn severity(level: Level) -> Option<Severity> {
    match level {
        Level::Off => None,
        Level::Warn => Some(Severity::Warning),
        Level::Error => Some(Severity::Error),
    }
}

/// Apply per-path levels and inline suppressions to `findings`, and add an
/// `unused-suppression` finding for every comment that suppressed nothing.
pub(super) fn apply<'a>(analysis: &'a Analysis, settings: &Settings, findings: &mut Vec<Finding<'a>>) {
    if !settings.overrides.is_empty() {
        findings.retain_mut(|f| match severity(settings.level_at(f.rule(), f.path)) {
            None => false,
            Some(s) => {
                f.severity = s;
                true
            }
        });
    }
    // The files with suppression comments, and their comments.
    let files: Vec<(usize, Vec<&Suppression>)> = analysis
        .files
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let s: Vec<&Suppression> = f
                .facts
                .iter()
                .filter_map(|x| match x {
                    Fact::Suppress(s) => Some(&**s),
                    _ => None,
                })
                .collect();
            (!s.is_empty()).then_some((i, s))
        })
        .collect();
    if files.is_empty() {
        return;
    }
    let by_path: FastMap<&[u8], usize> =
        files.iter().enumerate().map(|(k, (i, _))| (key(&analysis.files[*i].path), k)).collect();
    // used[file][comment][rule]
    let mut used: Vec<Vec<Vec<bool>>> =
        files.iter().map(|(_, s)| s.iter().map(|s| vec![false; s.rules.len()]).collect()).collect();
    findings.retain(|f| {
        let Some(&k) = by_path.get(key(f.path)) else { return true };
        let mut keep = true;
        for (c, s) in files[k].1.iter().enumerate() {
            if s.malformed.is_some() || !s.reason || !s.covers(f.loc) {
                continue;
            }
            if let Some(r) = s.rules.iter().position(|r| **r == *f.rule().as_str()) {
                used[k][c][r] = true;
                keep = false;
            }
        }
        keep
    });
    for ((i, comments), used) in files.iter().zip(&used) {
        let path = &analysis.files[*i].path;
        let Some(sev) = severity(settings.level_at(UNUSED, path)) else { continue };
        for (s, used) in comments.iter().zip(used) {
            let mut report = |message: String, hint: String| {
                findings.push(Finding::new(UNUSED, sev, path, Some(s.loc), message, Some(hint)));
            };
            let list = s.rules.join(", ");
            if let Some(why) = &s.malformed {
                report(
                    format!("malformed `orch-lint:` comment ({why}); it suppresses nothing"),
                    "write `// orch-lint: allow(rule-id) reason` (`orch lint --explain unused-suppression`)"
                        .into(),
                );
                continue;
            }
            if !s.reason {
                report(
                    format!("`orch-lint: allow({list})` gives no reason; it suppresses nothing"),
                    format!("say why after the parentheses: `// orch-lint: allow({list}) <reason>`"),
                );
                continue;
            }
            for (id, used) in s.rules.iter().zip(used) {
                if *used {
                    continue;
                }
                let Ok(rule) = id.parse::<RuleId>() else {
                    let hint = super::unknown_rule(id, "").hint.unwrap_or_default();
                    report(
                        format!("unknown rule `{id}` in `orch-lint: allow({list})`; it suppresses nothing"),
                        hint,
                    );
                    continue;
                };
                if settings.level_at(rule, path) == Level::Off {
                    report(
                        format!("`allow({id})` suppressed nothing: `{id}` is off for this file"),
                        "remove the comment (orch.toml turns the rule off here)".into(),
                    );
                } else {
                    report(
                        format!("`allow({id})` suppressed nothing: no `{id}` finding in the lines it covers"),
                        if s.rules.len() == 1 {
                            "remove the comment (the code no longer needs it)".to_string()
                        } else {
                            format!("remove `{id}` from the comment (the code no longer needs it)")
                        },
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides(toml: &str) -> Overrides {
        let cfg = crate::config::Config::parse(toml, Path::new("orch.toml")).unwrap();
        Overrides::compile(&cfg.lint.overrides).unwrap()
    }

    #[test]
    fn later_overrides_win_and_a_matched_folder_covers_what_is_below() {
        let o = overrides(
            "[[lint.overrides]]\npaths = [\"src/legacy\"]\nrules = { layout = \"off\", pairing = \"warn\" }\n\
             [[lint.overrides]]\npaths = [\"src/legacy/keep/*.rs\"]\nrules = { layout = \"error\" }\n",
        );
        let at = |id: RuleId, p: &str| o.level_at(id, Path::new(p), Level::Warn);
        assert_eq!(at(RuleId::Layout, "src/legacy"), Level::Off);
        assert_eq!(at(RuleId::Layout, "src/legacy/a/b.rs"), Level::Off);
        assert_eq!(at(RuleId::Layout, "src/legacy/keep/x.rs"), Level::Error);
        // `*` does not cross folders
        assert_eq!(at(RuleId::Layout, "src/legacy/keep/deep/x.rs"), Level::Off);
        assert_eq!(at(RuleId::Pairing, "src/legacy/keep/x.rs"), Level::Warn);
        // other paths and rules keep their level
        assert_eq!(at(RuleId::Layout, "src/legacyish/a.rs"), Level::Warn);
        assert_eq!(at(RuleId::Boundaries, "src/legacy/a.rs"), Level::Warn);
        assert_eq!(o.max(RuleId::Layout), Some(Level::Error));
        assert_eq!(o.max(RuleId::Boundaries), None);
    }

    #[test]
    fn leading_dot_slash_and_trailing_slash_globs_apply() {
        let o = overrides(
            "[[lint.overrides]]\npaths = [\"./src/legacy/**\"]\nrules = { layout = \"off\" }\n\
             [[lint.overrides]]\npaths = [\"src/features/auth/orchestrators/\"]\nrules = { boundaries = \"off\" }\n",
        );
        let at = |id: RuleId, p: &str| o.level_at(id, Path::new(p), Level::Warn);
        assert_eq!(at(RuleId::Layout, "src/legacy/a.rs"), Level::Off);
        assert_eq!(at(RuleId::Boundaries, "src/features/auth/orchestrators/login.rs"), Level::Off);
        assert_eq!(at(RuleId::Boundaries, "src/features/auth/orchestrators"), Level::Off);
        assert_eq!(at(RuleId::Boundaries, "src/features/auth/jobs/login.rs"), Level::Warn);
    }
}
