//! `god-event`: generic catch-all event types, by name (`[lint] god_events` patterns) and by
//! structure (an enum carrying other features' types, a `kind: String` + untyped payload
//! struct: [`Fact::EventShape`], recorded by the scanner for `events/` files only).

use super::{Rule, RuleId, is_data_type, live};
use crate::analysis::{Analysis, Chunks, Fact, Shape, flags};
use crate::config::Level;
use crate::lint::{Finding, Settings, Severity, pascal_words, words_match};

pub(crate) const RULE: Rule = Rule {
    id: RuleId::GodEvent.as_str(),
    key: RuleId::GodEvent,
    default: Level::Warn,
    summary: "no catch-all event types: generic names (`AnyEvent`), cross-feature enums, `kind` + untyped payload",
    knobs: "god_events = [\"...\"], god_event_features = 2",
    explanation: "\
An event says what happened, specifically (`PaymentCapturedEvent`). A generic event
(`GenericSuccessEvent`, `AnyEvent`, `BaseEvent`) forces every observer to inspect a payload to
learn what happened, and couples every feature to one type. Reported: type names matching a
`[lint] god_events` pattern. Patterns match whole PascalCase words; `*` stands for any number
of words: `Generic*Event` matches `GenericSuccessEvent` and `GenericEvent`, `Base*Event`
matches `BaseEvent` but not `BaseballScoredEvent`.

Also reported, by structure, for public types in an `events/` folder:
- an enum whose variants carry the events, jobs, ... of at least `god_event_features`
  (default 2) features other than its own (a path into their role folders or a `...Event`,
  `...Job` type of theirs, written out or imported with `use`): one `AppEvent { Auth(LoginEvent),
  Billing(ChargedEvent), .. }` that every feature depends on. Other features' plain data types
  (`CustomerId`) are not counted;
- a stringly event: a struct with a tag field (`kind`, `type`, `event`, `event_type`, ..) of
  a string type next to a payload field (`payload`, `data`, `body`, `value`, ..) of an untyped
  type (`String`, `serde_json::Value`, `Vec<u8>`, `Bytes`, `Box<dyn Any>`, a map of strings):
  observers must parse text to learn what happened, and the compiler checks none of it. A
  `name` or `topic` tag counts only next to a field named `payload` (`name` + `data: Vec<u8>`
  is a file).
An enum with many variants of its own feature's data is not reported.

Fix: one event type per outcome (`orch add event <name>`); observers of several features'
events read each type (`event.domain::<LoginEvent>()`); give a payload its own struct.
Configure: `[lint] god_events = [\"Generic*Event\", \"*AnyEvent\"]`, `god_event_features = 3`
(0 turns the enum check off).",
};

/// The check.
pub(super) fn check<'a>(a: &'a Analysis, s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    by_structure(a, s, sev, out);
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

/// Catch-alls by structure, from the scanner's [`Fact::EventShape`]s.
fn by_structure<'a>(a: &'a Analysis, s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    for f in a.files.iter().filter(|f| live(a, f)) {
        for fact in f.live_facts() {
            let Fact::EventShape { name, shape, loc, .. } = fact else { continue };
            let (message, hint) = match &**shape {
                Shape::CrossFeature(features) => {
                    if s.god_event_features == 0 || features.len() < s.god_event_features {
                        continue;
                    }
                    let list = features.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
                    (
                        format!(
                            "`{name}` is a catch-all event: its variants carry types of {} other features ({list})",
                            features.len()
                        ),
                        "let each feature emit its own event types; observers read each one (`event.domain::<XEvent>()`)",
                    )
                }
                Shape::Stringly { tag, payload } => (
                    format!(
                        "`{name}` is a stringly catch-all event: a `{tag}` tag with an untyped `{payload}`"
                    ),
                    "emit one event type per outcome, its data in typed fields (`orch add event <name>`)",
                ),
            };
            out.push(Finding::new(
                RuleId::GodEvent,
                sev,
                &f.path,
                Some(*loc),
                message,
                Some(hint.to_string()),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{findings, findings_with};

    const BILLING: (&str, &str) = ("src/features/billing/events/charged.rs", "pub struct ChargedEvent;\n");

    fn god(path: &str, src: &str) -> Vec<String> {
        findings(&[(path, src), BILLING], "god-event")
    }

    #[test]
    fn names_matching_a_pattern() {
        let got = god(
            "src/features/auth/events/generic.rs",
            "pub struct GenericSuccessEvent;\npub struct LoginEvent;\n",
        );
        assert_eq!(got.len(), 1);
        assert!(
            got[0].starts_with("src/features/auth/events/generic.rs:1:12 `GenericSuccessEvent`"),
            "{got:?}"
        );
    }

    #[test]
    fn enums_carrying_types_of_two_other_features() {
        let src = "use crate::features::billing::events::ChargedEvent;\n\
                   use super::super::super::cart::events::{ItemAddedEvent, ItemRemovedEvent};\n\
                   pub enum AppEvent {\n    Billing(ChargedEvent),\n    Added { item: ItemAddedEvent },\n    \
                   Removed(ItemRemovedEvent),\n    Shipping(crate::features::shipping::events::ShippedEvent),\n    \
                   Login(super::LoginEvent),\n}\n";
        assert_eq!(
            god("src/features/auth/events/app.rs", src),
            [
                "src/features/auth/events/app.rs:3:10 `AppEvent` is a catch-all event: its variants carry types of 3 other features (`billing`, `cart`, `shipping`)"
            ]
        );
        // in core, every feature is another one
        let core = "pub enum AppEvent { A(crate::features::auth::events::LoginEvent), B(crate::features::billing::events::ChargedEvent) }";
        assert_eq!(god("src/shared/events/app.rs", core).len(), 1);
        // the knob: 3 needed, 0 turns it off
        let mut cfg = crate::config::LintConfig { god_event_features: 3, ..Default::default() };
        assert!(findings_with(&[("src/shared/events/app.rs", core)], "god-event", &cfg).is_empty());
        cfg.god_event_features = 0;
        assert!(findings_with(&[("src/shared/events/app.rs", core)], "god-event", &cfg).is_empty());
    }

    #[test]
    fn enums_of_their_own_feature_or_one_other_are_fine() {
        let own = "use crate::features::auth::jobs::LoginJob;\npub enum SessionEvent {\n    Started(LoginJob),\n    Refreshed { at: u64 },\n    \
                   Ended(super::reason::Reason),\n    A, B, C, D, E, F, G, H, I, J, K, L, M,\n}\n";
        assert!(god("src/features/auth/events/session.rs", own).is_empty());
        let one = "use crate::features::billing::events::ChargedEvent;\npub enum PaidEvent { Charged(ChargedEvent), Free }\n";
        assert!(god("src/features/auth/events/paid.rs", one).is_empty());
        // other features' plain data (ids, values) is domain modelling, not a catch-all
        let ids = "use crate::features::customers::CustomerId;\npub enum OrderEvent {\n    Placed { customer: CustomerId, cart: crate::features::cart::model::CartId },\n}\n";
        assert!(god("src/features/orders/events/order.rs", ids).is_empty());
        // private, or outside an events folder: not an event
        let private = "enum AppEvent { A(crate::features::x::X), B(crate::features::y::Y) }";
        assert!(god("src/features/auth/events/app.rs", private).is_empty());
        let elsewhere = "pub enum AppEvent { A(crate::features::x::X), B(crate::features::y::Y) }";
        assert!(god("src/features/auth/jobs/app.rs", elsewhere).is_empty());
    }

    #[test]
    fn stringly_structs() {
        for (tag, payload) in [
            ("pub kind: String", "pub payload: serde_json::Value"),
            ("r#type: &'static str", "data: Vec<u8>"),
            ("pub(crate) name: Box<str>", "pub payload: Option<String>"),
            ("event: String", "payload: Box<dyn std::any::Any + Send>"),
            ("event_type: String", "fields: HashMap<String, String>"),
        ] {
            let src = format!(
                "#[derive(Debug)]\npub struct DomainEvent {{\n    #[serde(default)]\n    {tag},\n    pub at: u64,\n    {payload},\n}}\n"
            );
            let got = god("src/features/auth/events/domain.rs", &src);
            assert_eq!(got.len(), 1, "{src}");
            assert!(
                got[0].starts_with(
                    "src/features/auth/events/domain.rs:2:12 `DomainEvent` is a stringly catch-all event"
                ),
                "{got:?}"
            );
        }
    }

    #[test]
    fn typed_structs_are_fine() {
        for fields in [
            "pub kind: LoginKind, pub payload: serde_json::Value",
            "pub name: String, pub user: UserId",
            "pub kind: String, pub payload: LoginPayload",
            "pub payload: String",
            "pub user: String, pub data: Vec<u8>",
            // a file's name and bytes, a setting's name and value, a message's topic and body
            "pub name: String, pub data: Vec<u8>",
            "pub name: String, pub value: String",
            "pub topic: String, pub body: String",
        ] {
            let src = format!(
                "pub struct LoginEvent {{ {fields} }}\npub struct Tuple(String, serde_json::Value);\n"
            );
            assert!(god("src/features/auth/events/login.rs", &src).is_empty(), "{fields}");
        }
        // in tests: not reported
        let test = "#[cfg(test)]\nmod tests { pub struct FakeEvent { kind: String, data: String } }";
        assert!(god("src/features/auth/events/login.rs", test).is_empty());
    }
}
