//! `GenerateReplyExecutor`: carries out `GenerateReplyJob` (feature `chat`). I/O and business
//! logic belong here, never in an orchestrator.

use std::sync::Arc;

use orch_runtime::{ExecContext, Executor, JobError};

use crate::backend::LanguageModel;
use crate::features::chat::events::TokenStreamedEvent;
use crate::features::chat::jobs::GenerateReplyJob;

/// Carries out [`GenerateReplyJob`]: streams the language model's reply, publishing each
/// token as a [`TokenStreamedEvent`] (a partial result) as soon as it arrives, and returns
/// the whole reply.
///
/// The model is the chatbot's flaky dependency, so this executor is registered behind a
/// circuit breaker (`register_with_breaker` in `chat::register`): after repeated failures the
/// dispatcher fails its jobs fast, without calling it, until a cool-down has passed.
pub struct GenerateReplyExecutor {
    model: Arc<LanguageModel>,
}

impl GenerateReplyExecutor {
    /// An executor asking `model`.
    pub fn new(model: Arc<LanguageModel>) -> Self {
        GenerateReplyExecutor { model }
    }
}

impl Executor<GenerateReplyJob> for GenerateReplyExecutor {
    async fn execute(&self, job: &GenerateReplyJob, ctx: &ExecContext) -> Result<String, JobError> {
        let mut index = 0;
        let reply = self
            .model
            .stream(&job.question, &job.context, |token| {
                ctx.emit(TokenStreamedEvent { index, token: token.to_owned() });
                index += 1;
            })
            .await?;
        Ok(reply)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use orch_runtime::{CircuitState, Event};
    use tokio::time::Instant;

    use super::*;
    use crate::testkit::{COOL_DOWN, LATENCY, setup};

    fn hours() -> GenerateReplyJob {
        GenerateReplyJob {
            question: "What are your opening hours?".to_owned(),
            context: vec!["We are open 9:00 to 17:00, Monday to Friday.".to_owned()],
        }
    }

    const OVERLOADED: [&str; 2] =
        ["GenerateReplyJob started", "GenerateReplyJob failed: language model overloaded (503)"];
    const FAILED_FAST: [&str; 2] = ["GenerateReplyJob started", "GenerateReplyJob failed fast: circuit open"];

    #[tokio::test(start_paused = true)]
    async fn the_reply_streams_token_by_token_as_domain_events() {
        let setup = setup();
        let start = Instant::now();
        let handle = setup.dispatcher.dispatch(hours()).expect("registered");
        let id = handle.id();
        let reply = handle.outcome().await.into_result().expect("the model answers");
        assert_eq!(*reply, "We are open 9:00 to 17:00, Monday to Friday.");
        assert_eq!(
            setup.lines(),
            [
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
        // The partial results add up to the final one.
        let streamed: String = setup
            .recorder
            .events_for(id)
            .iter()
            .filter_map(Event::domain::<TokenStreamedEvent>)
            .map(|t| t.token.as_str())
            .collect();
        assert_eq!(streamed, *reply);
        // One token per round trip: they really arrive over time.
        assert_eq!(start.elapsed(), 9 * LATENCY);
    }

    #[tokio::test(start_paused = true)]
    async fn the_breaker_opens_after_two_failures_fails_fast_then_recovers_half_open() {
        let setup = setup();
        let model = &setup.services.model;
        model.fail_next(2);

        // Two failures in a row: the circuit opens.
        assert_eq!(setup.run(hours()).await.1, OVERLOADED);
        assert_eq!((setup.breaker.state(), setup.breaker.failures()), (CircuitState::Closed, 1));
        assert_eq!(setup.run(hours()).await.1, OVERLOADED);
        assert_eq!(setup.breaker.state(), CircuitState::Open);

        // Open: the job fails at once with a distinct error, and the model is not called.
        let start = Instant::now();
        let (outcome, events) = setup.run(hours()).await;
        assert_eq!(events, FAILED_FAST);
        let error = outcome.into_result().expect_err("fails fast");
        assert!(error.is_circuit_open(), "{error:?}");
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert_eq!(model.calls(), 2);

        // After the cool-down the circuit is half-open: one trial call goes through, and its
        // success closes the circuit.
        tokio::time::sleep(COOL_DOWN).await;
        assert_eq!(setup.breaker.state(), CircuitState::HalfOpen);
        let (outcome, _) = setup.run(hours()).await;
        assert!(outcome.is_success(), "{outcome:?}");
        assert_eq!((setup.breaker.state(), setup.breaker.failures()), (CircuitState::Closed, 0));
        assert_eq!(model.calls(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_trial_call_reopens_the_circuit() {
        let setup = setup();
        let model = &setup.services.model;
        model.fail_next(3);
        setup.run(hours()).await;
        setup.run(hours()).await;
        assert_eq!(setup.breaker.state(), CircuitState::Open);

        tokio::time::sleep(COOL_DOWN).await;
        assert_eq!(setup.breaker.state(), CircuitState::HalfOpen);
        // The trial call reaches the model, fails, and the circuit opens again.
        assert_eq!(setup.run(hours()).await.1, OVERLOADED);
        assert_eq!(setup.breaker.state(), CircuitState::Open);
        assert_eq!(setup.run(hours()).await.1, FAILED_FAST);
        assert_eq!(model.calls(), 3);
    }
}
