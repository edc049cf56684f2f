//! `GenerateReplyJob`: a command of feature `chat`, carried out by `GenerateReplyExecutor`.

use orch_runtime::Job;

/// Last link of the chain: have the language model answer a question from the retrieved
/// articles. The reply streams in as `TokenStreamedEvent`s.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenerateReplyJob {
    /// The (moderated) question.
    pub question: String,
    /// The articles to answer from.
    pub context: Vec<String>,
}

impl Job for GenerateReplyJob {
    /// The whole reply; carried by the `Succeeded` event.
    type Output = String;
}
