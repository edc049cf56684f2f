//! `LogoutJob`: end the user's session. Carried out by `LogoutExecutor`.

use orch_runtime::Job;

/// Asks to log `user` out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutJob {
    /// Who logs out.
    pub user: String,
}

impl LogoutJob {
    /// Log `user` out.
    pub fn new(user: impl Into<String>) -> Self {
        Self { user: user.into() }
    }
}

impl Job for LogoutJob {
    /// Nothing: the `LoggedOutEvent` says what happened.
    type Output = ();
}
