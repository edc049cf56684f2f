//! Features: one module per feature, each with its own jobs, events, executors and
//! orchestrators. `orch new feature <name>` adds the `pub mod` line and the calls below.

pub mod audit;
pub mod auth;

use std::sync::Arc;

use orch_runtime::{DispatcherBuilder, RegisterError};

use crate::backend::AuthServer;

/// Registers the executors of every feature with the dispatcher.
pub fn register(builder: &mut DispatcherBuilder, server: &Arc<AuthServer>) -> Result<(), RegisterError> {
    audit::register(builder)?;
    auth::register(builder, server)?;
    Ok(())
}
