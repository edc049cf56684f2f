//! `LoggedOutEvent`: a **public** event of feature `auth`, announced on the global bus for
//! every feature that cares (other orchestrators observe it passively).

use std::fmt;

/// `user`'s session ended, because they logged out or because it expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedOutEvent {
    /// Whose session ended.
    pub user: String,
    /// Why: `"logged out"` or `"session expired"`.
    pub reason: String,
}

impl fmt::Display for LoggedOutEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LoggedOut({}: {})", self.user, self.reason)
    }
}
