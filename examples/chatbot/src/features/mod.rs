//! Features: one module per feature, each with its own jobs, events, executors and
//! orchestrators. `orch new feature <name>` adds the `pub mod` line and the calls below.

pub mod chat;
pub mod handoff;

use orch_runtime::{CircuitBreaker, DispatcherBuilder, RegisterError};

use crate::backend::Services;

/// Registers the executors of every feature with the dispatcher; they talk to `services`, the
/// language model behind `model_breaker`.
pub fn register(
    builder: &mut DispatcherBuilder,
    services: &Services,
    model_breaker: &CircuitBreaker,
) -> Result<(), RegisterError> {
    chat::register(builder, services, model_breaker)?;
    handoff::register(builder, services)?;
    Ok(())
}
