//! Features: one module per feature, each with its own jobs, events, executors and
//! orchestrators. `orch new feature <name>` adds the `pub mod` line and the calls below.

pub mod cart;
pub mod pricing;
pub mod session;

use std::sync::Arc;

use orch_runtime::{DispatcherBuilder, RegisterError};

use crate::backend::Shop;

/// Registers the executors of every feature with the dispatcher.
pub fn register(builder: &mut DispatcherBuilder, shop: &Arc<Shop>) -> Result<(), RegisterError> {
    cart::register(builder, shop)?;
    pricing::register(builder, shop)?;
    session::register(builder, shop)?;
    Ok(())
}
