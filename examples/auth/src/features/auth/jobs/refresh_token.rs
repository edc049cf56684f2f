//! `RefreshTokenJob`: trade the refresh token for a new pair of tokens. Carried out by
//! `RefreshTokenExecutor`.

use std::time::Duration;

use orch_runtime::{Job, RetryPolicy};

use crate::backend::AuthError;

/// Asks to refresh the session of `user`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenJob {
    /// Whose session it is.
    pub user: String,
    /// The refresh token to trade in.
    pub refresh_token: String,
}

impl RefreshTokenJob {
    /// Refresh the session of `user` with `refresh_token`.
    pub fn new(user: impl Into<String>, refresh_token: impl Into<String>) -> Self {
        Self { user: user.into(), refresh_token: refresh_token.into() }
    }

    /// How to retry a refresh: up to 3 attempts, 100 ms then 200 ms apart, and only while the
    /// server is unavailable. An expired session is final: retrying cannot revive it.
    ///
    /// A `JobError` keeps the message of the executor's error (not its type), so the
    /// predicate compares messages.
    pub fn retry_policy() -> RetryPolicy {
        let unavailable = AuthError::Unavailable.to_string();
        RetryPolicy::exponential(3)
            .base_delay(Duration::from_millis(100))
            .retry_if(move |error| error.message() == unavailable)
    }
}

impl Job for RefreshTokenJob {
    /// Nothing: the new tokens are reported as a `TokensIssuedEvent`.
    type Output = ();
}
