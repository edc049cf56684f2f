//! Orchestrators of feature `chat`, one file each; their types are re-exported here.

mod chat;

pub use chat::ChatOrchestrator;
pub use chat::ChatState;
pub use chat::TurnState;
