//! Feature `upload`: chunked file upload with progress, cancellation, retry and timeout.
//! `register` wires its executor into the dispatcher.

pub mod events;
pub mod executors;
pub mod jobs;
pub mod orchestrators;

use std::sync::Arc;

use orch_runtime::{DispatcherBuilder, RegisterError};

use crate::backend::UploadServer;

/// Registers this feature's executors with the dispatcher (one line per executor); they
/// upload to `server`.
pub fn register(builder: &mut DispatcherBuilder, server: &Arc<UploadServer>) -> Result<(), RegisterError> {
    builder.register::<jobs::UploadJob, _>(executors::UploadExecutor::new(Arc::clone(server)))?;
    Ok(())
}
