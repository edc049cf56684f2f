//! Features: one module per feature, each with its own jobs, events, executors and
//! orchestrators. `orch new feature <name>` adds the `pub mod` line and the calls below.

pub mod upload;

use std::sync::Arc;

use orch_runtime::DispatcherBuilder;
use orch_runtime::RegisterError;

use crate::backend::UploadServer;

/// Registers the executors of every feature with the dispatcher.
pub fn register(builder: &mut DispatcherBuilder, server: &Arc<UploadServer>) -> Result<(), RegisterError> {
    upload::register(builder, server)?;
    Ok(())
}
