//! `unused-event`: an event that is emitted but that nothing handles. Decided from the
//! [`Fact::EventUse`] facts (one per `...Event` name and file) in one pass over the files.

use std::path::Path;

use super::{Rule, RuleId, is_data_type, live};
use crate::analysis::{Analysis, Chunks, Fact, FastMap as HashMap, Folder, Role, uses};
use crate::config::Level;
use crate::lint::{Finding, Settings, Severity};

pub(crate) const RULE: Rule = Rule {
    id: RuleId::UnusedEvent.as_str(),
    key: RuleId::UnusedEvent,
    default: Level::Warn,
    summary: "every emitted event is handled: some code outside its declaration reads it",
    knobs: "",
    explanation: "\
An event exists to be observed: an executor emits it so that an orchestrator (or other code)
turns it into state. An event that is emitted but that nothing reads is work for nobody, or a
handler that was forgotten (or deleted). Reported: a public `...Event` type in an `events/`
folder that compiled code outside tests constructs and hands on (`ctx.emit(XEvent { .. })`,
`let e = XEvent::new(..)`), and that no file other than its own declaration names in any other
way: no `event.domain::<XEvent>()`, no `on_event(e: &XEvent)`, no `subscribe::<XEvent>()`, no
`match` on its variants, no mention in a macro, also in other files' tests. Re-exports (`pub
use`) are not a use. Counted as handled too, even from the event's own file: an event named in
an item-level macro invocation (the macro may generate the handler), in a turbofish
(`event.domain::<XEvent>()` in a `describe(event)` next to the declarations), or implementing
a trait other than std's and serde's (`impl Auditable for XEvent`: code generic over the trait
may handle it). An event that is never emitted is left to rustc's `dead_code` (a fresh `orch
add event` is not reported). Not checked in a library (`src/lib.rs`): its events are its API,
and the crates using it may handle them.

Fix: handle it in an orchestrator (`if let Some(e) = event.domain::<XEvent>() { .. }` in
`on_domain_event`), or stop emitting it and remove it (`orch remove event <name>`).",
};

/// Where an event name is read: the first file, and whether a second one does too.
#[derive(Default)]
struct Seen {
    emitted: bool,
    /// Handled by a turbofish, named in an item-level macro, or implements a non-std trait:
    /// handled (maybe generically), in whichever file.
    macro_item: bool,
    /// Index of the first file reading it.
    reader: Option<usize>,
    /// More than one file reads it.
    readers: bool,
}

/// The check.
pub(super) fn check<'a>(a: &'a Analysis, _s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    // a library's events are its API: the crates using it may be the ones that handle them
    if a.file(Path::new("src/lib.rs")).is_some_and(|f| f.root) {
        return;
    }
    let mut seen: HashMap<&str, Seen> = HashMap::default();
    for (i, f) in a.files.iter().enumerate() {
        // emissions count in compiled code only; reads anywhere (staying quiet is cheap)
        let compiled = live(a, f) && !f.is_test_file();
        for fact in f.facts.iter() {
            let Fact::EventUse { name, uses: how } = fact else { continue };
            let s = seen.entry(name).or_default();
            s.emitted |= compiled && how & uses::EMIT != 0;
            s.macro_item |= how & (uses::MACRO | uses::TRAIT | uses::HANDLE) != 0;
            if how & uses::READ != 0 {
                match s.reader {
                    None => s.reader = Some(i),
                    Some(r) if r != i => s.readers = true,
                    Some(_) => {}
                }
            }
        }
    }
    for (i, f) in a.files.iter().enumerate() {
        if f.place.folder() != Some(Folder::Events) || !live(a, f) {
            continue;
        }
        for (name, kind, loc) in f.public_type_names() {
            if !is_data_type(kind) || !Role::Events.names(name) {
                continue;
            }
            let Some(s) = seen.get(&**name) else { continue };
            let read_elsewhere = s.readers || s.reader.is_some_and(|r| r != i);
            if !s.emitted || read_elsewhere || s.macro_item {
                continue;
            }
            out.push(Finding::new(
                RuleId::UnusedEvent,
                sev,
                &f.path,
                Some(loc),
                format!("event `{name}` is emitted but nothing handles it (no code outside its declaration reads it)"),
                Some(format!(
                    "handle it in an orchestrator (`event.domain::<{name}>()` in `on_domain_event`), or stop emitting it and remove it"
                )),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::findings;

    const DECL: (&str, &str) = (
        "src/features/auth/events/login.rs",
        "pub struct LoginEvent { pub user: String }\nimpl LoginEvent { pub fn new() -> Self { LoginEvent { user: String::new() } } }\n",
    );
    const EMIT: (&str, &str) = (
        "src/features/auth/executors/login.rs",
        "use crate::features::auth::events::LoginEvent;\nfn run(ctx: &mut Ctx) { ctx.emit(LoginEvent { user: u }); }\n#[cfg(test)]\nmod tests { fn t() { let e = EventKind::domain(LoginEvent { user: u }); } }\n",
    );

    fn unused(extra: &[(&str, &str)]) -> Vec<String> {
        let mut files = vec![DECL, EMIT];
        files.extend_from_slice(extra);
        findings(&files, "unused-event")
    }

    #[test]
    fn an_emitted_event_nobody_reads_is_reported_at_its_declaration() {
        assert_eq!(
            unused(&[]),
            [
                "src/features/auth/events/login.rs:1:12 event `LoginEvent` is emitted but nothing handles it (no code outside its declaration reads it)"
            ]
        );
        // emitted through a helper: `let e = ..` then handed on
        let let_bound =
            ("src/features/auth/executors/login.rs", "fn run() { let e = LoginEvent::new(); publish(e); }\n");
        assert_eq!(findings(&[DECL, let_bound], "unused-event").len(), 1);
    }

    #[test]
    fn any_reader_outside_the_declaration_handles_it() {
        let readers = [
            "fn on_domain_event(&mut self, event: &Event) { if let Some(e) = event.domain::<LoginEvent>() {} }",
            "fn on_event(&mut self, e: &events::LoginEvent) {}",
            "fn f(bus: &Bus) { bus.subscribe::<LoginEvent>(); }",
            "fn f(e: Ev) { match e { LoginEvent { user } => {} } }",
            "fn f(e: Ev) { if let Some(LoginEvent { user }) = e.domain() {} }",
            "#[cfg(test)]\nmod tests { fn t(e: &Event) { e.domain::<LoginEvent>(); } }",
            "fn f() { assert!(matches!(x, LoginEvent { .. })); }",
            "impl Handler<LoginEvent> for AuditOrchestrator {}",
        ];
        for r in readers {
            let other = ("src/features/audit/orchestrators/audit.rs", r);
            assert_eq!(unused(&[other]), Vec::<String>::new(), "{r}");
        }
        // an item-level macro invocation may generate the handler, even in the event's file
        let decl_with_macro = (DECL.0, "pub struct LoginEvent;\nhandles!(AuditOrchestrator, LoginEvent);\n");
        assert!(findings(&[decl_with_macro, EMIT], "unused-event").is_empty());
        // so may code generic over a trait it implements; std's traits say nothing
        let decl_with_trait =
            (DECL.0, "pub struct LoginEvent;\nimpl crate::audit::Auditable for LoginEvent {}\n");
        assert!(findings(&[decl_with_trait, EMIT], "unused-event").is_empty());
        // a handler next to the declaration (events/mod.rs declaring and describing them)
        let decl_with_handler =
            (DECL.0, "pub struct LoginEvent;\npub fn describe(e: &Event) { e.domain::<LoginEvent>(); }\n");
        assert!(findings(&[decl_with_handler, EMIT], "unused-event").is_empty());
        let decl_with_display = (
            DECL.0,
            "pub struct LoginEvent;\nimpl fmt::Display for LoginEvent {}\nimpl From<u8> for LoginEvent {}\n",
        );
        assert_eq!(findings(&[decl_with_display, EMIT], "unused-event").len(), 1);
    }

    #[test]
    fn a_library_may_leave_its_events_to_the_crates_using_it() {
        let tree = |root: &'static str| {
            [
                (root, "pub mod features;\n"),
                ("src/features/mod.rs", "pub mod auth;\n"),
                ("src/features/auth/mod.rs", "pub mod events;\npub mod executors;\n"),
                ("src/features/auth/events/mod.rs", "mod login;\npub use login::LoginEvent;\n"),
                ("src/features/auth/executors/mod.rs", "mod login;\n"),
                DECL,
                EMIT,
            ]
        };
        assert_eq!(findings(&tree("src/main.rs"), "unused-event").len(), 1);
        assert!(findings(&tree("src/lib.rs"), "unused-event").is_empty());
    }

    #[test]
    fn reexports_own_file_uses_and_test_emissions_do_not_count() {
        // `pub use` re-exports and the event's own impls are no handler
        let reexport = ("src/features/auth/events/mod.rs", "mod login;\npub use login::LoginEvent;\n");
        assert_eq!(unused(&[reexport]).len(), 1);
        // only a test emits it: not reported (nothing is emitted in compiled code)
        let test_only =
            (EMIT.0, "#[cfg(test)]\nmod tests { fn t() { ctx.emit(LoginEvent { user: u }); } }\n");
        assert!(findings(&[DECL, test_only], "unused-event").is_empty());
        // never emitted at all (a fresh `orch add event`): left to rustc's dead_code
        assert!(findings(&[DECL], "unused-event").is_empty());
    }
}
