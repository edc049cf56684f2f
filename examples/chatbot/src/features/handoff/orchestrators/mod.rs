//! Orchestrators of feature `handoff`, one file each; their types are re-exported here.

mod handoff;

pub use handoff::HandoffOrchestrator;
pub use handoff::HandoffState;
