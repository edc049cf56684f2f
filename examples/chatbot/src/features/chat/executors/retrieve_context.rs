//! `RetrieveContextExecutor`: carries out `RetrieveContextJob` (feature `chat`). I/O and
//! business logic belong here, never in an orchestrator.

use std::sync::Arc;

use orch_runtime::{ExecContext, Executor, JobError};

use crate::backend::KnowledgeBase;
use crate::features::chat::jobs::RetrieveContextJob;

/// Carries out [`RetrieveContextJob`]: searches the knowledge base for the question.
pub struct RetrieveContextExecutor {
    knowledge: Arc<KnowledgeBase>,
}

impl RetrieveContextExecutor {
    /// An executor searching `knowledge`.
    pub fn new(knowledge: Arc<KnowledgeBase>) -> Self {
        RetrieveContextExecutor { knowledge }
    }
}

impl Executor<RetrieveContextJob> for RetrieveContextExecutor {
    async fn execute(&self, job: &RetrieveContextJob, _ctx: &ExecContext) -> Result<Vec<String>, JobError> {
        Ok(self.knowledge.search(&job.question).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::setup;

    fn retrieve(question: &str) -> RetrieveContextJob {
        RetrieveContextJob { question: question.to_owned() }
    }

    #[tokio::test(start_paused = true)]
    async fn finds_the_articles_matching_the_question() {
        let setup = setup();
        let (outcome, events) = setup.run(retrieve("How do refunds work?")).await;
        let articles = outcome.into_result().expect("a search does not fail");
        assert_eq!(*articles, ["Refunds reach your card within 5 business days."]);
        assert_eq!(events, ["RetrieveContextJob started", "RetrieveContextJob succeeded: 1 article(s)"]);
    }

    #[tokio::test(start_paused = true)]
    async fn an_unknown_topic_finds_nothing_and_still_succeeds() {
        let setup = setup();
        let (outcome, _) = setup.run(retrieve("Do you sell bicycles?")).await;
        assert!(outcome.into_result().expect("a search does not fail").is_empty());
    }
}
