//! `TokensIssuedEvent`: a **private** event of feature `auth`, published on the auth scope
//! only. Tokens are secrets: no other feature may see them.

use std::fmt;

/// The server issued a new pair of tokens to `user` (at login, and at every refresh).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokensIssuedEvent {
    /// Whose tokens they are.
    pub user: String,
    /// The new access token.
    pub access_token: String,
    /// The new refresh token.
    pub refresh_token: String,
}

impl fmt::Display for TokensIssuedEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokensIssued({}, {})", self.user, self.access_token)
    }
}
