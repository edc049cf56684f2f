//! `RetrieveContextJob`: a command of feature `chat`, carried out by `RetrieveContextExecutor`.

use orch_runtime::Job;

/// Second link of the chain: find the help-centre articles that answer a question.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetrieveContextJob {
    /// The (moderated) question.
    pub question: String,
}

impl Job for RetrieveContextJob {
    /// The articles found (possibly none); carried by the `Succeeded` event.
    type Output = Vec<String>;
}
