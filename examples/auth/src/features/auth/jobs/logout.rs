//! `LogoutJob`: end the session. Carried out by `LogoutExecutor`.

use orch_runtime::Job;

/// Asks to log `user` out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutJob {
    /// Who logs out.
    pub user: String,
    /// The session to close on the server.
    pub refresh_token: String,
}

impl LogoutJob {
    /// Log `user` out of the session of `refresh_token`.
    pub fn new(user: impl Into<String>, refresh_token: impl Into<String>) -> Self {
        Self { user: user.into(), refresh_token: refresh_token.into() }
    }
}

impl Job for LogoutJob {
    /// Nothing: the public `LoggedOutEvent` says what happened.
    type Output = ();
}
