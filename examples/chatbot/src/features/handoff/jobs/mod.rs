//! Jobs of feature `handoff`, one file each; their types are re-exported here.

mod handoff;

pub use handoff::HandoffJob;
