//! `LoggedOutEvent`: a domain event of feature `session`, for everything tied to the user.

use std::fmt;

/// `user` logged out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedOutEvent {
    /// Who logged out.
    pub user: String,
}

impl fmt::Display for LoggedOutEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LoggedOut({})", self.user)
    }
}
