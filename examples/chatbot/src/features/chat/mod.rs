//! Feature `chat`: answers user messages with a chain of jobs (moderate → retrieve →
//! generate), the reply streamed token by token, the language model behind a circuit breaker.
//! `register` wires its executors into the dispatcher.

pub mod events;
pub mod executors;
pub mod jobs;
pub mod orchestrators;

use std::sync::Arc;

use orch_runtime::{CircuitBreaker, DispatcherBuilder, RegisterError};

use crate::backend::Services;

/// Registers this feature's executors with the dispatcher (one line per executor). Every
/// attempt of a `GenerateReplyJob` goes through `model_breaker`.
pub fn register(
    builder: &mut DispatcherBuilder,
    services: &Services,
    model_breaker: &CircuitBreaker,
) -> Result<(), RegisterError> {
    let model = executors::GenerateReplyExecutor::new(Arc::clone(&services.model));
    builder.register_with_breaker::<jobs::GenerateReplyJob, _>(model, model_breaker.clone())?;
    let moderation = executors::ModerateMessageExecutor::new(Arc::clone(&services.moderation));
    builder.register::<jobs::ModerateMessageJob, _>(moderation)?;
    let knowledge = executors::RetrieveContextExecutor::new(Arc::clone(&services.knowledge));
    builder.register::<jobs::RetrieveContextJob, _>(knowledge)?;
    Ok(())
}
