//! `AuditOrchestrator` (feature `audit`): a purely passive orchestrator. It dispatches
//! nothing; it observes the global bus and keeps a log of who logged in and out.

use orch_runtime::{Event, Orchestrator, OrchestratorContext};

use crate::features::auth::events::{LoggedInEvent, LoggedOutEvent};

/// The audit log, oldest entry first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditState {
    /// `"ada logged in"`, `"ada logged out (session expired)"`, ...
    pub entries: Vec<String>,
}

/// Keeps [`AuditState`] from the `auth` feature's public events. Spawn it with
/// `OrchestratorHandle::spawn`, which observes the dispatcher's (global) bus.
#[derive(Debug, Default)]
pub struct AuditOrchestrator;

impl Orchestrator for AuditOrchestrator {
    type State = AuditState;

    /// Passive mode: events of jobs other orchestrators dispatched.
    fn on_passive(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, Self::State>) {
        let entry = if let Some(e) = event.domain::<LoggedInEvent>() {
            format!("{} logged in", e.user)
        } else if let Some(e) = event.domain::<LoggedOutEvent>() {
            format!("{} logged out ({})", e.user, e.reason)
        } else {
            return; // not something the audit log records
        };
        cx.update(|state| state.entries.push(entry));
    }

    /// The bus overflowed before this orchestrator could read it: say so in the log rather
    /// than pretend nothing happened.
    fn on_lagged(&mut self, missed: u64, cx: &mut OrchestratorContext<'_, Self::State>) {
        cx.update(|state| state.entries.push(format!("missed {missed} events")));
    }
}

#[cfg(test)]
mod tests {
    use orch_runtime::testing::OrchestratorHarness;
    use orch_runtime::{EventKind, JobId};

    use super::*;
    use crate::features::auth::events::TokensIssuedEvent;

    /// An event of a job this orchestrator did not dispatch.
    fn event(kind: EventKind) -> Event {
        Event::new(JobId::new(), "LoginJob", kind)
    }

    #[test]
    fn records_logins_and_logouts_and_ignores_everything_else() {
        let mut harness = OrchestratorHarness::new(AuditOrchestrator, AuditState::default());
        harness.passive(event(EventKind::Started));
        harness.passive(event(EventKind::domain(LoggedInEvent { user: "ada".into() })));
        // Would only reach it if tokens leaked onto the global bus; ignored anyway.
        let tokens =
            TokensIssuedEvent { user: "ada".into(), access_token: "a".into(), refresh_token: "r".into() };
        harness.passive(event(EventKind::domain(tokens)));
        let logged_out = LoggedOutEvent { user: "ada".into(), reason: "session expired".into() };
        harness.passive(event(EventKind::domain(logged_out)));
        harness.lagged(3);

        assert_eq!(
            harness.state().entries,
            ["ada logged in", "ada logged out (session expired)", "missed 3 events"]
        );
        assert_eq!(harness.state_updates(), 3, "the ignored events changed nothing");
        assert!(harness.dispatched().is_empty(), "passive: it dispatches nothing");
    }
}
