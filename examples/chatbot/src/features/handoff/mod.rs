//! Feature `handoff`: hand the conversation over to a human agent, as a saga whose completed
//! steps are compensated last-in-first-out when a later step fails. `register` wires its
//! executor into the dispatcher.

pub mod events;
pub mod executors;
pub mod jobs;
pub mod orchestrators;

use std::sync::Arc;

use orch_runtime::{DispatcherBuilder, RegisterError};

use crate::backend::Services;

/// Registers this feature's executors with the dispatcher (one line per executor).
pub fn register(builder: &mut DispatcherBuilder, services: &Services) -> Result<(), RegisterError> {
    builder
        .register::<jobs::HandoffJob, _>(executors::HandoffExecutor::new(Arc::clone(&services.helpdesk)))?;
    Ok(())
}
