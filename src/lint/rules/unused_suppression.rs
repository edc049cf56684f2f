//! `unused-suppression`: `orch-lint: allow(..)` comments that suppress nothing. Its findings
//! are made by [`crate::lint::suppress`] after the other rules ran (it needs their findings);
//! the check here is empty.

use super::{Rule, RuleId};
use crate::analysis::{Analysis, Chunks};
use crate::config::Level;
use crate::lint::{Finding, Settings, Severity};

pub(crate) const RULE: Rule = Rule {
    id: RuleId::UnusedSuppression.as_str(),
    key: RuleId::UnusedSuppression,
    default: Level::Warn,
    summary: "an `orch-lint: allow(..)` comment that suppresses nothing (stale, malformed, no reason, unknown rule)",
    knobs: "",
    explanation: "\
`// orch-lint: allow(rule-id) reason` silences a rule's findings: after code, on its own line;
on the line(s) above an item or statement, for the whole item (up to its closing `}` or `;`);
as `//! orch-lint: allow(rule-id) reason`, for the whole file (and the file's own findings,
such as `orphan-module`). Several ids may be given, comma-separated. The reason is required.
A comment that suppresses nothing is reported here, at the comment: its rule has no finding in
the lines it covers (the code changed, or the rule is off there), the rule id is unknown (the
closest id is named), the reason is missing, or it is not of the form `allow(ids) reason`.
Malformed and reason-less comments suppress nothing, so the findings they meant stay too.

Fix: remove the comment or the stale id, or correct it.
Configure: per-path levels of any rule, this one included, with `[[lint.overrides]]` in
orch.toml (`paths = [\"src/legacy/**\"]`, `rules = { unused-suppression = \"off\" }`).",
};

/// Nothing to do here: see [`crate::lint::suppress::apply`].
pub(super) fn check<'a>(_a: &'a Analysis, _s: &'a Settings, _sev: Severity, _out: &mut Chunks<Finding<'a>>) {}
