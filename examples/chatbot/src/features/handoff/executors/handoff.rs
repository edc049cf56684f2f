//! `HandoffExecutor`: carries out `HandoffJob` (feature `handoff`). I/O and business logic
//! belong here, never in an orchestrator.

use std::sync::Arc;

use orch_runtime::{ExecContext, Executor, JobError, Saga};

use crate::backend::Helpdesk;
use crate::features::handoff::events::HandoffRolledBackEvent;
use crate::features::handoff::jobs::HandoffJob;

/// Carries out [`HandoffJob`] as a [`Saga`]: four steps against the helpdesk, each reporting
/// "step n of 4" progress. If a step fails, the steps done so far are compensated
/// last-in-first-out; the executor publishes the saga's report as a
/// [`HandoffRolledBackEvent`] and fails the job.
pub struct HandoffExecutor {
    helpdesk: Arc<Helpdesk>,
}

impl HandoffExecutor {
    /// An executor using `helpdesk`.
    pub fn new(helpdesk: Arc<Helpdesk>) -> Self {
        HandoffExecutor { helpdesk }
    }
}

impl Executor<HandoffJob> for HandoffExecutor {
    async fn execute(&self, job: &HandoffJob, ctx: &ExecContext) -> Result<String, JobError> {
        let saga = Saga::new()
            .step("reserve_agent", reserve_agent, release_agent)
            .step("open_ticket", open_ticket, close_ticket)
            .step("attach_transcript", attach_transcript, detach_transcript)
            // The last step: nothing after it can fail, so it needs no compensation.
            .step_without_compensation("notify_user", notify_user);
        let start = Handoff {
            helpdesk: Arc::clone(&self.helpdesk),
            ctx: ctx.clone(),
            lines: job.transcript.len(),
            agent: String::new(),
            ticket: 0,
        };
        match saga.run(start).await {
            Ok(done) => Ok(format!("ticket #{}, agent {}", done.ticket, done.agent)),
            Err(report) => {
                ctx.emit(HandoffRolledBackEvent::from(&report));
                Err(report.into())
            }
        }
    }
}

/// The saga's context, threaded through the steps: each action takes it and returns it
/// updated; a compensation gets the context as it was after the last successful step.
#[derive(Clone)]
struct Handoff {
    helpdesk: Arc<Helpdesk>,
    ctx: ExecContext,
    lines: usize,
    agent: String,
    ticket: u32,
}

const STEPS: u32 = 4;

async fn reserve_agent(mut h: Handoff) -> Result<Handoff, JobError> {
    h.agent = h.helpdesk.reserve_agent().await?;
    h.ctx.progress_step(1, STEPS, format!("agent {} reserved", h.agent));
    Ok(h)
}

async fn release_agent(h: Handoff) -> Result<(), JobError> {
    Ok(h.helpdesk.release_agent(&h.agent).await?)
}

async fn open_ticket(mut h: Handoff) -> Result<Handoff, JobError> {
    h.ticket = h.helpdesk.open_ticket().await?;
    h.ctx.progress_step(2, STEPS, format!("ticket #{} opened", h.ticket));
    Ok(h)
}

async fn close_ticket(h: Handoff) -> Result<(), JobError> {
    Ok(h.helpdesk.close_ticket(h.ticket).await?)
}

async fn attach_transcript(h: Handoff) -> Result<Handoff, JobError> {
    h.helpdesk.attach_transcript(h.ticket, h.lines).await?;
    h.ctx.progress_step(3, STEPS, "transcript attached");
    Ok(h)
}

async fn detach_transcript(h: Handoff) -> Result<(), JobError> {
    Ok(h.helpdesk.detach_transcript(h.ticket).await?)
}

async fn notify_user(h: Handoff) -> Result<Handoff, JobError> {
    h.helpdesk.notify_user(h.ticket).await?;
    h.ctx.progress_step(4, STEPS, "user notified");
    Ok(h)
}

#[cfg(test)]
mod tests {
    use orch_runtime::Event;

    use super::*;
    use crate::testkit::setup;

    fn handoff() -> HandoffJob {
        HandoffJob { transcript: vec!["user: I want a human".into(), "bot: One moment.".into()] }
    }

    /// The one `HandoffRolledBackEvent` among `events`.
    fn rolled_back(events: &[Event]) -> HandoffRolledBackEvent {
        let found: Vec<&HandoffRolledBackEvent> =
            events.iter().filter_map(Event::domain::<HandoffRolledBackEvent>).collect();
        assert_eq!(found.len(), 1, "{events:?}");
        found[0].clone()
    }

    #[tokio::test(start_paused = true)]
    async fn every_step_succeeds_and_the_conversation_is_handed_over() {
        let setup = setup();
        let (outcome, events) = setup.run(handoff()).await;
        assert_eq!(*outcome.into_result().expect("handed over"), "ticket #1, agent Ada");
        assert_eq!(
            events,
            [
                "HandoffJob started",
                "HandoffJob progress 1/4: agent Ada reserved",
                "HandoffJob progress 2/4: ticket #1 opened",
                "HandoffJob progress 3/4: transcript attached",
                "HandoffJob progress 4/4: user notified",
                "HandoffJob succeeded: \"ticket #1, agent Ada\"",
            ]
        );
        assert_eq!(
            setup.services.helpdesk.log(),
            [
                "agent Ada reserved",
                "ticket #1 opened",
                "transcript (2 lines) attached to #1",
                "user notified about #1",
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_failing_step_undoes_the_done_steps_last_in_first_out() {
        let setup = setup();
        setup.services.helpdesk.fail("notify_user");
        let (outcome, events) = setup.run(handoff()).await;
        assert!(!outcome.is_success());
        assert_eq!(
            events,
            [
                "HandoffJob started",
                "HandoffJob progress 1/4: agent Ada reserved",
                "HandoffJob progress 2/4: ticket #1 opened",
                "HandoffJob progress 3/4: transcript attached",
                "HandoffJob domain: rolled back after `notify_user` failed; undone: attach_transcript, \
                 open_ticket, reserve_agent",
                "HandoffJob failed: saga step `notify_user` failed: notify_user failed: helpdesk unavailable; \
                 compensated [\"attach_transcript\", \"open_ticket\", \"reserve_agent\"]",
            ]
        );
        // The helpdesk saw the compensations in reverse order of the steps.
        assert_eq!(
            setup.services.helpdesk.log(),
            [
                "agent Ada reserved",
                "ticket #1 opened",
                "transcript (2 lines) attached to #1",
                "notify_user: FAILED",
                "transcript detached from #1",
                "ticket #1 closed",
                "agent Ada released",
            ]
        );
        let report = rolled_back(&setup.recorder.events());
        assert_eq!(report.failed_step, "notify_user");
        assert_eq!(report.error, "notify_user failed: helpdesk unavailable");
        assert_eq!(report.compensated, ["attach_transcript", "open_ticket", "reserve_agent"]);
        assert!(report.compensation_failures.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn a_failing_compensation_is_listed_and_the_rollback_goes_on() {
        let setup = setup();
        setup.services.helpdesk.fail("notify_user");
        setup.services.helpdesk.fail("close_ticket");
        let (outcome, _) = setup.run(handoff()).await;
        assert!(!outcome.is_success());
        assert_eq!(
            setup.services.helpdesk.log(),
            [
                "agent Ada reserved",
                "ticket #1 opened",
                "transcript (2 lines) attached to #1",
                "notify_user: FAILED",
                "transcript detached from #1",
                "close_ticket: FAILED",
                "agent Ada released",
            ]
        );
        let report = rolled_back(&setup.recorder.events());
        assert_eq!(report.compensated, ["attach_transcript", "reserve_agent"]);
        assert_eq!(
            report.compensation_failures,
            [("open_ticket".to_owned(), "close_ticket failed: helpdesk unavailable".to_owned())]
        );
    }
}
