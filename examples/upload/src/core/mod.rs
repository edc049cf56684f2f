//! Core: jobs, events and executors shared by every feature. `orch add <kind> <name>` outside a
//! feature puts components here; `register` wires the executors into the dispatcher.

pub mod events;
pub mod executors;
pub mod jobs;

use orch_runtime::{DispatcherBuilder, RegisterError};

/// Registers the shared executors with the dispatcher (one line per executor).
pub fn register(builder: &mut DispatcherBuilder) -> Result<(), RegisterError> {
    let _ = builder;
    Ok(())
}
