//! `ChatOrchestrator` (feature `chat`): holds `ChatState`, dispatches the chain of jobs that
//! answers a message, and turns their events into state. It never does I/O itself.

use std::fmt;
use std::time::Duration;

use orch_runtime::{
    DispatchError, Event, Job, JobError, JobId, Orchestrator, OrchestratorContext, OrchestratorHandle,
};

use crate::features::chat::events::TokenStreamedEvent;
use crate::features::chat::jobs::{GenerateReplyJob, ModerateMessageJob, RetrieveContextJob};

/// Where the current message is in the chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TurnState {
    /// Waiting for a message.
    #[default]
    Idle,
    /// `ModerateMessageJob` runs.
    Moderating,
    /// `RetrieveContextJob` runs.
    Retrieving,
    /// `GenerateReplyJob` runs; the reply so far.
    Generating {
        /// The tokens streamed so far.
        partial: String,
    },
    /// The reply is complete (last line of the transcript).
    Replied,
    /// Moderation refused the message; the chain stopped there.
    Rejected {
        /// Why.
        reason: String,
    },
    /// A job of the chain failed.
    Failed {
        /// The error.
        error: String,
    },
    /// The language model's circuit is open: the request failed fast, without calling it.
    Unavailable,
}

impl TurnState {
    /// True once the message has been handled, one way or another.
    pub fn is_over(&self) -> bool {
        matches!(
            self,
            TurnState::Replied
                | TurnState::Rejected { .. }
                | TurnState::Failed { .. }
                | TurnState::Unavailable
        )
    }
}

/// What the chat window shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChatState {
    /// The current message's progress.
    pub turn: TurnState,
    /// The conversation: `user: ...` and `bot: ...` lines.
    pub transcript: Vec<String>,
}

impl fmt::Display for ChatState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.turn {
            TurnState::Generating { partial } => write!(f, "Generating {partial:?}"),
            TurnState::Rejected { reason } => write!(f, "Rejected ({reason})"),
            TurnState::Failed { error } => write!(f, "Failed ({error})"),
            TurnState::Unavailable => write!(f, "Unavailable (the assistant is down; try again later)"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Answers user messages with a chain of jobs, each one dispatched when the previous one
/// succeeds: [`ModerateMessageJob`] → [`RetrieveContextJob`] → [`GenerateReplyJob`], whose
/// reply streams into [`ChatState`] token by token.
#[derive(Debug, Default)]
pub struct ChatOrchestrator {
    /// The moderated question of the current turn (needed by the last link).
    question: String,
}

impl ChatOrchestrator {
    /// The user sent `text`: dispatch the first link of the chain and return at once.
    pub fn send(handle: &OrchestratorHandle<Self>, text: &str) -> Result<JobId, DispatchError> {
        handle.dispatch(ModerateMessageJob::new(text))
    }

    /// Send `text` and wait until its turn is over; returns the state then.
    pub async fn ask(handle: &OrchestratorHandle<Self>, text: &str) -> Result<ChatState, DispatchError> {
        let mut states = handle.watch();
        states.mark_unchanged();
        Self::send(handle, text)?;
        // Every change from here on belongs to this turn (the previous one may have ended in
        // the same kind of state, so the current value alone does not tell).
        while states.changed().await.is_ok() {
            if states.borrow_and_update().turn.is_over() {
                break;
            }
        }
        let state = states.borrow().clone();
        Ok(state)
    }

    /// Dispatch the next link of the chain; it is owned by this orchestrator, so its events
    /// come back to these hooks.
    fn dispatch_next<J: Job>(cx: &mut OrchestratorContext<'_, ChatState>, job: J) {
        if let Err(error) = cx.dispatch(job) {
            cx.update(|state| state.turn = TurnState::Failed { error: error.to_string() });
        }
    }
}

impl Orchestrator for ChatOrchestrator {
    type State = ChatState;

    fn on_started(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, Self::State>) {
        let turn = if event.is_job::<ModerateMessageJob>() {
            TurnState::Moderating
        } else if event.is_job::<RetrieveContextJob>() {
            TurnState::Retrieving
        } else {
            TurnState::Generating { partial: String::new() }
        };
        cx.update(|state| state.turn = turn);
    }

    /// The chain: each link's success dispatches the next link.
    fn on_succeeded(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, Self::State>) {
        if event.is_job::<ModerateMessageJob>() {
            let question = event.output::<String>().cloned().unwrap_or_default();
            cx.update(|state| state.transcript.push(format!("user: {question}")));
            let job = RetrieveContextJob { question: question.clone() };
            self.question = question;
            Self::dispatch_next(cx, job);
        } else if event.is_job::<RetrieveContextJob>() {
            let context = event.output::<Vec<String>>().cloned().unwrap_or_default();
            let job = GenerateReplyJob { question: self.question.clone(), context };
            Self::dispatch_next(cx, job);
        } else if event.is_job::<GenerateReplyJob>() {
            let reply = event.output::<String>().cloned().unwrap_or_default();
            cx.update(|state| {
                state.turn = TurnState::Replied;
                state.transcript.push(format!("bot: {reply}"));
            });
        }
    }

    /// A partial result: append the token to the reply being generated.
    fn on_domain_event(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, Self::State>) {
        if let Some(streamed) = event.domain::<TokenStreamedEvent>() {
            cx.update(|state| {
                if let TurnState::Generating { partial } = &mut state.turn {
                    partial.push_str(&streamed.token);
                }
            });
        }
    }

    fn on_failed(&mut self, event: &Event, error: &JobError, cx: &mut OrchestratorContext<'_, Self::State>) {
        let turn = if event.is_job::<ModerateMessageJob>() {
            TurnState::Rejected { reason: error.message().to_owned() }
        } else if error.is_circuit_open() {
            TurnState::Unavailable
        } else {
            TurnState::Failed { error: error.message().to_owned() }
        };
        cx.update(|state| state.turn = turn);
    }

    fn on_cancelled(
        &mut self,
        _event: &Event,
        reason: Option<&str>,
        cx: &mut OrchestratorContext<'_, Self::State>,
    ) {
        let error = format!("cancelled: {}", reason.unwrap_or("no reason given"));
        cx.update(|state| state.turn = TurnState::Failed { error });
    }

    fn on_timed_out(
        &mut self,
        _event: &Event,
        after: Duration,
        cx: &mut OrchestratorContext<'_, Self::State>,
    ) {
        let error = format!("timed out after {after:?}");
        cx.update(|state| state.turn = TurnState::Failed { error });
    }
}

#[cfg(test)]
mod tests {
    //! End to end on a paused clock (dispatcher, executors, simulated services), then the
    //! recorded events replayed through the synchronous harness to get the exact state
    //! transitions and the jobs each event made the orchestrator dispatch.

    use orch_runtime::testing::OrchestratorHarness;
    use orch_runtime::{EventKind, JobId};

    use super::*;
    use crate::testkit::{COOL_DOWN, setup};

    fn generating(partial: &str) -> TurnState {
        TurnState::Generating { partial: partial.to_owned() }
    }

    /// Feed `events` to a fresh orchestrator: the turn after each event, and how many jobs it
    /// had dispatched by then; and the harness, to inspect those jobs.
    fn replay(events: Vec<Event>) -> (Vec<(TurnState, usize)>, OrchestratorHarness<ChatOrchestrator>) {
        let mut harness = OrchestratorHarness::new(ChatOrchestrator::default(), ChatState::default());
        let steps = events
            .into_iter()
            .map(|event| {
                let turn = harness.active(event).turn.clone();
                (turn, harness.dispatched().len())
            })
            .collect();
        (steps, harness)
    }

    #[tokio::test(start_paused = true)]
    async fn a_message_runs_the_chain_and_the_reply_streams_in() {
        let setup = setup();
        let chat =
            OrchestratorHandle::spawn(ChatOrchestrator::default(), ChatState::default(), &setup.dispatcher)
                .expect("inside a runtime");
        let state = ChatOrchestrator::ask(&chat, "What are your opening hours?").await.expect("dispatched");
        assert_eq!(
            state,
            ChatState {
                turn: TurnState::Replied,
                transcript: vec![
                    "user: What are your opening hours?".into(),
                    "bot: We are open 9:00 to 17:00, Monday to Friday.".into(),
                ],
            }
        );
        assert!(chat.running().is_empty());

        // Three jobs, one after the other: each starts only once the previous one succeeded.
        let events = setup.recorder.events();
        let lines: Vec<String> = events.iter().map(crate::timeline::describe).collect();
        assert_eq!(
            lines,
            [
                "ModerateMessageJob started",
                "ModerateMessageJob succeeded: \"What are your opening hours?\"",
                "RetrieveContextJob started",
                "RetrieveContextJob succeeded: 1 article(s)",
                "GenerateReplyJob started",
                "GenerateReplyJob domain: token 0 \"We\"",
                "GenerateReplyJob domain: token 1 \" are\"",
                "GenerateReplyJob domain: token 2 \" open\"",
                "GenerateReplyJob domain: token 3 \" 9:00\"",
                "GenerateReplyJob domain: token 4 \" to\"",
                "GenerateReplyJob domain: token 5 \" 17:00,\"",
                "GenerateReplyJob domain: token 6 \" Monday\"",
                "GenerateReplyJob domain: token 7 \" to\"",
                "GenerateReplyJob domain: token 8 \" Friday.\"",
                "GenerateReplyJob succeeded: \"We are open 9:00 to 17:00, Monday to Friday.\"",
            ]
        );
        let mut ids: Vec<JobId> = events.iter().map(Event::job_id).collect();
        ids.dedup();
        assert_eq!(ids.len(), 3, "three distinct jobs, their events not interleaved");

        // The same events through the orchestrator: the moderation's success dispatched the
        // retrieval (0 -> 1 job), the retrieval's success the generation (1 -> 2), and each
        // token grew the partial reply.
        let (steps, harness) = replay(events);
        assert_eq!(
            steps,
            [
                (TurnState::Moderating, 0),
                (TurnState::Moderating, 1),
                (TurnState::Retrieving, 1),
                (TurnState::Retrieving, 2),
                (generating(""), 2),
                (generating("We"), 2),
                (generating("We are"), 2),
                (generating("We are open"), 2),
                (generating("We are open 9:00"), 2),
                (generating("We are open 9:00 to"), 2),
                (generating("We are open 9:00 to 17:00,"), 2),
                (generating("We are open 9:00 to 17:00, Monday"), 2),
                (generating("We are open 9:00 to 17:00, Monday to"), 2),
                (generating("We are open 9:00 to 17:00, Monday to Friday."), 2),
                (TurnState::Replied, 2),
            ]
        );
        assert_eq!(
            harness.dispatched_of::<RetrieveContextJob>(),
            [&RetrieveContextJob { question: "What are your opening hours?".into() }]
        );
        assert_eq!(
            harness.dispatched_of::<GenerateReplyJob>(),
            [&GenerateReplyJob {
                question: "What are your opening hours?".into(),
                context: vec!["We are open 9:00 to 17:00, Monday to Friday.".into()],
            }]
        );
        chat.shutdown();
    }

    #[tokio::test(start_paused = true)]
    async fn a_rejected_message_stops_the_chain() {
        let setup = setup();
        let chat =
            OrchestratorHandle::spawn(ChatOrchestrator::default(), ChatState::default(), &setup.dispatcher)
                .expect("inside a runtime");
        let state = ChatOrchestrator::ask(&chat, "My password is hunter2").await.expect("dispatched");
        let reason = "message rejected: it contains a password".to_owned();
        assert_eq!(state, ChatState { turn: TurnState::Rejected { reason }, transcript: vec![] });
        assert_eq!(
            setup.lines(),
            [
                "ModerateMessageJob started",
                "ModerateMessageJob failed: message rejected: it contains a password"
            ]
        );
        assert_eq!(setup.services.model.calls(), 0);
        let (steps, harness) = replay(setup.recorder.events());
        assert_eq!(steps.last(), Some(&(state.turn, 0)));
        assert!(harness.dispatched().is_empty());
        chat.shutdown();
    }

    #[tokio::test(start_paused = true)]
    async fn an_open_circuit_shows_as_unavailable_not_as_a_failure_until_it_recovers() {
        let setup = setup();
        let chat =
            OrchestratorHandle::spawn(ChatOrchestrator::default(), ChatState::default(), &setup.dispatcher)
                .expect("inside a runtime");
        setup.services.model.fail_next(2);
        let mut turns = Vec::new();
        for _ in 0..3 {
            turns.push(ChatOrchestrator::ask(&chat, "How do refunds work?").await.expect("dispatched").turn);
        }
        tokio::time::sleep(COOL_DOWN).await;
        turns.push(ChatOrchestrator::ask(&chat, "How do refunds work?").await.expect("dispatched").turn);

        let overloaded = TurnState::Failed { error: "language model overloaded (503)".into() };
        assert_eq!(turns, [overloaded.clone(), overloaded, TurnState::Unavailable, TurnState::Replied]);
        // The third request never reached the model; the fourth was the half-open trial.
        assert_eq!(setup.services.model.calls(), 3);
        chat.shutdown();
    }

    #[test]
    fn a_failure_of_a_later_link_is_a_failure_not_a_rejection() {
        let mut harness = OrchestratorHarness::new(ChatOrchestrator::default(), ChatState::default());
        let id = JobId::new();
        harness.active(Event::for_job::<RetrieveContextJob>(id, EventKind::Started));
        let state = harness.active(Event::for_job::<RetrieveContextJob>(
            id,
            EventKind::failed(JobError::new("knowledge base unreachable")),
        ));
        assert_eq!(state.turn, TurnState::Failed { error: "knowledge base unreachable".into() });
        assert!(harness.dispatched().is_empty());
    }
}
