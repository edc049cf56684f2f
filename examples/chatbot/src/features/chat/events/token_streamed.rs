//! `TokenStreamedEvent`: a domain event of feature `chat`.

use std::fmt;

/// The language model produced the next piece of the reply: a partial result, streamed while
/// `GenerateReplyJob` runs. Published by `GenerateReplyExecutor` with `ctx.emit(..)`;
/// orchestrators read it with `event.domain::<TokenStreamedEvent>()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenStreamedEvent {
    /// Position in the reply (0-based).
    pub index: u32,
    /// The token's text (with its leading space).
    pub token: String,
}

impl fmt::Display for TokenStreamedEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "token {} {:?}", self.index, self.token)
    }
}
