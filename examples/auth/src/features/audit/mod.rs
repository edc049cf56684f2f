//! Feature `audit`: keeps a log of who logged in and out. It has no jobs of its own: its
//! orchestrator only observes the `auth` feature's public events on the global bus.

pub mod orchestrators;

use orch_runtime::{DispatcherBuilder, RegisterError};

/// Registers this feature's executors with the dispatcher: it has none.
pub fn register(builder: &mut DispatcherBuilder) -> Result<(), RegisterError> {
    let _ = builder;
    Ok(())
}
