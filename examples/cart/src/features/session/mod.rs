//! Feature `session`: logging out. It publishes `LoggedOutEvent` on the global bus; it
//! knows nothing of carts: the cart observes its events.

pub mod events;
pub mod executors;
pub mod jobs;

use std::sync::Arc;

use orch_runtime::{DispatcherBuilder, RegisterError};

use crate::backend::Shop;

/// Registers this feature's executors with the dispatcher (one line per executor).
pub fn register(builder: &mut DispatcherBuilder, shop: &Arc<Shop>) -> Result<(), RegisterError> {
    builder.register::<jobs::LogoutJob, _>(executors::LogoutExecutor::new(shop.clone()))?;
    Ok(())
}
