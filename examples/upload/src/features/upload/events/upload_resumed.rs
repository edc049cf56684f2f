//! `UploadResumedEvent`: a domain event of feature `upload`.

use std::fmt;

/// A retried attempt picked up where the failed one stopped: the server already held the
/// chunks before `from_chunk`, so only the rest is sent again. Published by `UploadExecutor`
/// with `ctx.emit(..)`; orchestrators read it with `event.domain::<UploadResumedEvent>()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadResumedEvent {
    /// The first chunk this attempt sends (1-based).
    pub from_chunk: u32,
    /// How many chunks the file has.
    pub of: u32,
}

impl fmt::Display for UploadResumedEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "upload resumed at chunk {} of {}", self.from_chunk, self.of)
    }
}
