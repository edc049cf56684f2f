//! `ModerateMessageExecutor`: carries out `ModerateMessageJob` (feature `chat`). I/O and
//! business logic belong here, never in an orchestrator.

use std::sync::Arc;

use orch_runtime::{ExecContext, Executor, JobError};

use crate::backend::ModerationApi;
use crate::features::chat::jobs::ModerateMessageJob;

/// Carries out [`ModerateMessageJob`]: asks the moderation API about the message. A rejected
/// message fails the job, which ends the chain.
pub struct ModerateMessageExecutor {
    moderation: Arc<ModerationApi>,
}

impl ModerateMessageExecutor {
    /// An executor asking `moderation`.
    pub fn new(moderation: Arc<ModerationApi>) -> Self {
        ModerateMessageExecutor { moderation }
    }
}

impl Executor<ModerateMessageJob> for ModerateMessageExecutor {
    async fn execute(&self, job: &ModerateMessageJob, _ctx: &ExecContext) -> Result<String, JobError> {
        let text = job.text.trim();
        if text.is_empty() {
            return Err(JobError::new("message rejected: it is empty"));
        }
        match self.moderation.review(text).await {
            None => Ok(text.to_owned()),
            Some(reason) => Err(JobError::new(reason)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::setup;

    #[tokio::test(start_paused = true)]
    async fn an_acceptable_message_passes_trimmed() {
        let setup = setup();
        let (outcome, events) = setup.run(ModerateMessageJob::new("  Hello there ")).await;
        assert_eq!(*outcome.into_result().expect("accepted"), "Hello there");
        assert_eq!(events, ["ModerateMessageJob started", "ModerateMessageJob succeeded: \"Hello there\""]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_message_sharing_a_secret_is_rejected() {
        let setup = setup();
        let (outcome, events) = setup.run(ModerateMessageJob::new("My password is hunter2")).await;
        assert_eq!(
            outcome.into_result().expect_err("rejected").message(),
            "message rejected: it contains a password"
        );
        assert_eq!(
            events,
            [
                "ModerateMessageJob started",
                "ModerateMessageJob failed: message rejected: it contains a password"
            ]
        );
    }
}
