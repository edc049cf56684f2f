//! `HandoffJob`: a command of feature `handoff`, carried out by `HandoffExecutor`.

use orch_runtime::Job;

/// Hand the conversation over to a human agent: reserve an agent, open a ticket, attach the
/// transcript, notify the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HandoffJob {
    /// The conversation so far.
    pub transcript: Vec<String>,
}

impl Job for HandoffJob {
    /// `"ticket #1, agent Ada"`; carried by the `Succeeded` event.
    type Output = String;
}
