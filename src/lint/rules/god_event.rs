//! `god-event`: generic catch-all event types (`[lint] god_events` patterns).

use super::{Rule, RuleId, is_data_type};
use crate::analysis::{Analysis, Chunks, Fact, flags};
use crate::config::Level;
use crate::lint::{Finding, Settings, Severity, pascal_words, words_match};

pub(crate) const RULE: Rule = Rule {
    id: RuleId::GodEvent.as_str(),
    key: RuleId::GodEvent,
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
};

/// The check.
pub(super) fn check<'a>(a: &'a Analysis, s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    if s.god_events.is_empty() {
        return;
    }
    for f in &a.files {
        if f.is_test_file() {
            continue;
        }
        for fact in f.facts.iter() {
            let Fact::Type { name, kind, loc, flags: fl, nested: false, .. } = fact else { continue };
            if fl & flags::TEST != 0 || !is_data_type(*kind) {
                continue;
            }
            let words = pascal_words(name);
            if let Some((pattern, _)) = s.god_events.iter().find(|(_, p)| words_match(p, &words)) {
                out.push(Finding::new(
                    RuleId::GodEvent,
                    sev,
                    &f.path,
                    Some(*loc),
                    format!("`{name}` is a generic catch-all event (matches `{pattern}`); events say specifically what happened"),
                    Some("emit one event type per outcome (`orch add event <name>`)".to_string()),
                ));
            }
        }
    }
}
