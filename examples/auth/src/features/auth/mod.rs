//! Feature `auth`: login, logout and token refresh.
//!
//! Two buses are involved:
//! - the auth module's **scoped bus** (named [`SCOPE`]): the [`AuthOrchestrator`] dispatches
//!   every auth job on it, so the jobs' lifecycle events and the private
//!   [`TokensIssuedEvent`](events::TokensIssuedEvent) stay inside the module;
//! - the **global bus** (the dispatcher's): the executors announce
//!   [`LoggedInEvent`](events::LoggedInEvent) and [`LoggedOutEvent`](events::LoggedOutEvent)
//!   there, for the other features, whose orchestrators observe them passively.
//!
//! [`AuthOrchestrator`]: orchestrators::AuthOrchestrator

pub mod events;
pub mod executors;
pub mod jobs;
pub mod orchestrators;

use std::sync::Arc;

use orch_runtime::{DispatcherBuilder, RegisterError};

use crate::backend::AuthServer;

/// The name of the auth module's scoped bus (`SignalBus::scoped(SCOPE)`).
pub const SCOPE: &str = "auth";

/// Registers this feature's executors with the dispatcher (one line per executor). They talk
/// to `server` and announce public events on the dispatcher's (global) bus.
pub fn register(builder: &mut DispatcherBuilder, server: &Arc<AuthServer>) -> Result<(), RegisterError> {
    let global = builder.bus().clone();
    builder.register::<jobs::LoginJob, _>(executors::LoginExecutor::new(server.clone(), global.clone()))?;
    builder.register::<jobs::LogoutJob, _>(executors::LogoutExecutor::new(server.clone(), global.clone()))?;
    builder
        .register::<jobs::RefreshTokenJob, _>(executors::RefreshTokenExecutor::new(server.clone(), global))?;
    Ok(())
}
