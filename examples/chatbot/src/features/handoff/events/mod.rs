//! Domain events of feature `handoff`, one file each; their types are re-exported here.

mod handoff_rolled_back;

pub use handoff_rolled_back::HandoffRolledBackEvent;
