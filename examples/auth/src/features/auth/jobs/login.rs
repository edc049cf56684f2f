//! `LoginJob`: log a user in with a password. Carried out by `LoginExecutor`.

use std::fmt;

use orch_runtime::Job;

/// Asks to log `user` in. A job is an immutable command: it carries every input its
/// executor needs.
#[derive(Clone, PartialEq, Eq)]
pub struct LoginJob {
    /// Who logs in.
    pub user: String,
    /// Their password (never printed: see the `Debug` impl).
    pub password: String,
}

impl LoginJob {
    /// A login attempt of `user` with `password`.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Self { user: user.into(), password: password.into() }
    }
}

impl fmt::Debug for LoginJob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginJob").field("user", &self.user).field("password", &"<redacted>").finish()
    }
}

impl Job for LoginJob {
    /// Nothing: what the login produced (tokens, the public `LoggedIn`) is reported as events.
    type Output = ();
}
