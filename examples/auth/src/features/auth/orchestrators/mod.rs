//! Orchestrators of feature `auth`, one file each; their types are re-exported here.

mod auth;

pub use auth::AuthOrchestrator;
pub use auth::AuthState;
pub use auth::SessionState;
