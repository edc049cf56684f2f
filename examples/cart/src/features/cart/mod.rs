//! Feature `cart`: the shopping cart. Its orchestrator adds items optimistically (rolled
//! back if the server refuses), refuses repeated "add" clicks while one is running, and
//! observes the other features' events passively: a price change updates the totals, a
//! logout clears the cart.

pub mod events;
pub mod executors;
pub mod jobs;
pub mod orchestrators;

use std::sync::Arc;

use orch_runtime::{DispatcherBuilder, RegisterError};

use crate::backend::Shop;

/// Registers this feature's executors with the dispatcher (one line per executor).
pub fn register(builder: &mut DispatcherBuilder, shop: &Arc<Shop>) -> Result<(), RegisterError> {
    builder.register::<jobs::AddItemJob, _>(executors::AddItemExecutor::new(shop.clone()))?;
    Ok(())
}
