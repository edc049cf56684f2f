//! `ModerateMessageJob`: a command of feature `chat`, carried out by `ModerateMessageExecutor`.

use orch_runtime::Job;

/// First link of the chain: check that a user message may be processed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModerateMessageJob {
    /// The user's message.
    pub text: String,
}

impl ModerateMessageJob {
    /// Moderate `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self { text: text.into() }
    }
}

impl Job for ModerateMessageJob {
    /// The accepted message, trimmed; carried by the `Succeeded` event.
    type Output = String;
}
