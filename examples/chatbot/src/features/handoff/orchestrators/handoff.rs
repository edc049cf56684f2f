//! `HandoffOrchestrator` (feature `handoff`): holds `HandoffState`, dispatches `HandoffJob`s
//! and turns the events of its jobs into state. It never does I/O itself.

use std::fmt;
use std::time::Duration;

use orch_runtime::{
    DispatchError, Event, JobError, JobId, Orchestrator, OrchestratorContext, OrchestratorHandle, Progress,
};

use crate::features::handoff::events::HandoffRolledBackEvent;
use crate::features::handoff::jobs::HandoffJob;

/// Where the handoff to a human stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum HandoffState {
    /// No handoff asked for.
    #[default]
    Idle,
    /// The handoff started; no step is done yet.
    Started,
    /// Step `step` of `of` is done.
    InProgress {
        /// Steps done.
        step: u32,
        /// Steps in all.
        of: u32,
        /// What the last step did.
        message: String,
    },
    /// An agent has the conversation.
    HandedOff {
        /// `"ticket #1, agent Ada"`.
        ticket: String,
    },
    /// A step failed and the done steps were undone (see the report).
    RolledBack(HandoffRolledBackEvent),
    /// The handoff failed without a rollback report.
    Failed {
        /// The error.
        error: String,
    },
}

impl HandoffState {
    /// True once the handoff ended, one way or another.
    pub fn is_over(&self) -> bool {
        matches!(
            self,
            HandoffState::HandedOff { .. } | HandoffState::RolledBack(_) | HandoffState::Failed { .. }
        )
    }
}

impl fmt::Display for HandoffState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandoffState::Idle => write!(f, "Idle"),
            HandoffState::Started => write!(f, "Started"),
            HandoffState::InProgress { step, of, message } => write!(f, "InProgress {step}/{of} ({message})"),
            HandoffState::HandedOff { ticket } => write!(f, "HandedOff ({ticket})"),
            HandoffState::RolledBack(report) => write!(f, "RolledBack ({report})"),
            HandoffState::Failed { error } => write!(f, "Failed ({error})"),
        }
    }
}

/// Dispatches [`HandoffJob`]s and keeps [`HandoffState`] up to date from their events.
#[derive(Debug, Default)]
pub struct HandoffOrchestrator;

impl HandoffOrchestrator {
    /// The user asked for a human: dispatch a [`HandoffJob`] with the conversation and
    /// return at once.
    pub fn request(
        handle: &OrchestratorHandle<Self>,
        transcript: Vec<String>,
    ) -> Result<JobId, DispatchError> {
        handle.dispatch(HandoffJob { transcript })
    }
}

impl Orchestrator for HandoffOrchestrator {
    type State = HandoffState;

    fn on_started(&mut self, _event: &Event, cx: &mut OrchestratorContext<'_, Self::State>) {
        cx.set(HandoffState::Started);
    }

    fn on_progress(
        &mut self,
        _event: &Event,
        progress: &Progress,
        cx: &mut OrchestratorContext<'_, Self::State>,
    ) {
        let (step, of) = progress.step.unwrap_or_default();
        let message = progress.message.clone().unwrap_or_default();
        cx.set(HandoffState::InProgress { step, of, message });
    }

    fn on_domain_event(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, Self::State>) {
        if let Some(report) = event.domain::<HandoffRolledBackEvent>() {
            cx.set(HandoffState::RolledBack(report.clone()));
        }
    }

    fn on_succeeded(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, Self::State>) {
        let ticket = event.output::<String>().cloned().unwrap_or_default();
        cx.set(HandoffState::HandedOff { ticket });
    }

    fn on_failed(&mut self, _event: &Event, error: &JobError, cx: &mut OrchestratorContext<'_, Self::State>) {
        // After a rollback the report says more than the error: keep it.
        if !matches!(cx.state(), HandoffState::RolledBack(_)) {
            cx.set(HandoffState::Failed { error: error.message().to_owned() });
        }
    }

    fn on_cancelled(
        &mut self,
        _event: &Event,
        reason: Option<&str>,
        cx: &mut OrchestratorContext<'_, Self::State>,
    ) {
        let error = format!("cancelled: {}", reason.unwrap_or("no reason given"));
        cx.set(HandoffState::Failed { error });
    }

    fn on_timed_out(
        &mut self,
        _event: &Event,
        after: Duration,
        cx: &mut OrchestratorContext<'_, Self::State>,
    ) {
        cx.set(HandoffState::Failed { error: format!("timed out after {after:?}") });
    }
}

#[cfg(test)]
mod tests {
    use orch_runtime::testing::OrchestratorHarness;
    use orch_runtime::{EventKind, JobId};

    use super::*;

    fn in_progress(step: u32, message: &str) -> HandoffState {
        HandoffState::InProgress { step, of: 4, message: message.into() }
    }

    /// Feed the events of one `HandoffJob` (kinds in order) to a fresh orchestrator; the
    /// state after each.
    fn replay(kinds: Vec<EventKind>) -> Vec<HandoffState> {
        let id = JobId::new();
        let mut harness = OrchestratorHarness::new(HandoffOrchestrator, HandoffState::Idle);
        kinds.into_iter().map(|kind| harness.active(Event::for_job::<HandoffJob>(id, kind)).clone()).collect()
    }

    #[test]
    fn a_successful_handoff_goes_step_by_step_to_handed_off() {
        let states = replay(vec![
            EventKind::Started,
            EventKind::Progress(Progress::step(1, 4, "agent Ada reserved")),
            EventKind::Progress(Progress::step(2, 4, "ticket #1 opened")),
            EventKind::Progress(Progress::step(3, 4, "transcript attached")),
            EventKind::Progress(Progress::step(4, 4, "user notified")),
            EventKind::succeeded("ticket #1, agent Ada".to_owned()),
        ]);
        assert_eq!(
            states,
            [
                HandoffState::Started,
                in_progress(1, "agent Ada reserved"),
                in_progress(2, "ticket #1 opened"),
                in_progress(3, "transcript attached"),
                in_progress(4, "user notified"),
                HandoffState::HandedOff { ticket: "ticket #1, agent Ada".into() },
            ]
        );
    }

    #[test]
    fn a_rollback_report_outlives_the_failure_that_follows_it() {
        let report = HandoffRolledBackEvent {
            failed_step: "notify_user".into(),
            error: "notify_user failed: helpdesk unavailable".into(),
            compensated: vec!["attach_transcript".into(), "reserve_agent".into()],
            compensation_failures: vec![(
                "open_ticket".into(),
                "close_ticket failed: helpdesk unavailable".into(),
            )],
        };
        let states = replay(vec![
            EventKind::Started,
            EventKind::Progress(Progress::step(1, 4, "agent Ada reserved")),
            EventKind::domain(report.clone()),
            EventKind::failed(JobError::new("saga step `notify_user` failed")),
        ]);
        assert_eq!(
            states[1..],
            [
                in_progress(1, "agent Ada reserved"),
                HandoffState::RolledBack(report.clone()),
                HandoffState::RolledBack(report),
            ]
        );
        assert!(states[3].is_over());
    }

    #[test]
    fn a_failure_without_a_report_is_a_plain_failure() {
        let states = replay(vec![EventKind::Started, EventKind::failed(JobError::new("panicked: boom"))]);
        assert_eq!(states[1], HandoffState::Failed { error: "panicked: boom".into() });
    }
}
