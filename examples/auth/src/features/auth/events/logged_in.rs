//! `LoggedInEvent`: a **public** event of feature `auth`, announced on the global bus for
//! every feature that cares (other orchestrators observe it passively).

use std::fmt;

/// `user` logged in. Carries no token: the global bus is for facts, not secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedInEvent {
    /// Who logged in.
    pub user: String,
}

impl fmt::Display for LoggedInEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LoggedIn({})", self.user)
    }
}
