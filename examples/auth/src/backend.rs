//! A simulated authentication server: in-process, deterministic, no network.
//!
//! It plays the part of the I/O in this example, so only executors talk to it. Every call
//! waits for the server's latency (a `tokio::time::sleep`: instant and exact under paused
//! time in tests) and then answers. Tests and the demo inject failures with
//! [`AuthServer::fail_next`] and end every session with [`AuthServer::expire_sessions`].
//!
//! Tokens are predictable on purpose (`access-ada-1`, `refresh-ada-1`, then `-2` after a
//! refresh...) so that tests and the demo output can show them.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The tokens the server issues at login and rotates at every refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    /// Short-lived token sent with every request.
    pub access: String,
    /// Long-lived token that buys a new pair of tokens.
    pub refresh: String,
}

/// What the server answers instead of tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// Unknown user or wrong password.
    InvalidCredentials {
        /// The user who tried to log in.
        user: String,
    },
    /// The refresh token is unknown, revoked or expired: the user has to log in again.
    SessionExpired,
    /// The server is down for a moment: worth retrying.
    Unavailable,
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::InvalidCredentials { user } => write!(f, "wrong user name or password for {user}"),
            AuthError::SessionExpired => f.write_str("session expired"),
            AuthError::Unavailable => f.write_str("auth server unavailable"),
        }
    }
}

// An executor returns it with `?`: it becomes a `JobError` carrying this message.
impl std::error::Error for AuthError {}

/// The simulated server. Share it between executors with an `Arc`.
#[derive(Debug)]
pub struct AuthServer {
    latency: Duration,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// user -> password.
    passwords: BTreeMap<String, String>,
    /// Live sessions: refresh token -> user.
    sessions: HashMap<String, String>,
    /// How many token pairs were issued (numbers the tokens).
    issued: u32,
    /// Failures to answer, in order, instead of serving the next calls.
    failures: VecDeque<AuthError>,
    /// Every call received, in order (`"login ada"`, `"refresh"`, `"logout"`).
    calls: Vec<String>,
}

impl AuthServer {
    /// A server that knows two users, `ada` (password `lovelace`) and `grace` (password
    /// `hopper`), and answers every call after `latency`.
    pub fn new(latency: Duration) -> Self {
        let passwords = [("ada", "lovelace"), ("grace", "hopper")]
            .into_iter()
            .map(|(user, password)| (user.to_owned(), password.to_owned()))
            .collect();
        AuthServer { latency, inner: Mutex::new(Inner { passwords, ..Inner::default() }) }
    }

    /// The next call (whichever it is) fails with `error`. Calls queue up: two calls to
    /// `fail_next` make the next two calls fail.
    pub fn fail_next(&self, error: AuthError) {
        self.lock().failures.push_back(error);
    }

    /// Ends every session on the server side: the next refresh answers `SessionExpired`.
    pub fn expire_sessions(&self) {
        self.lock().sessions.clear();
    }

    /// Every call received so far, in order.
    pub fn calls(&self) -> Vec<String> {
        self.lock().calls.clone()
    }

    /// Checks the password and opens a session.
    pub async fn login(&self, user: &str, password: &str) -> Result<Tokens, AuthError> {
        self.answer(format!("login {user}"), |inner| {
            if inner.passwords.get(user).map(String::as_str) != Some(password) {
                return Err(AuthError::InvalidCredentials { user: user.to_owned() });
            }
            Ok(inner.issue(user))
        })
        .await
    }

    /// Trades a refresh token for a new pair (the old refresh token stops working).
    pub async fn refresh(&self, refresh_token: &str) -> Result<Tokens, AuthError> {
        self.answer("refresh".to_owned(), |inner| {
            let user = inner.sessions.remove(refresh_token).ok_or(AuthError::SessionExpired)?;
            Ok(inner.issue(&user))
        })
        .await
    }

    /// Closes the session of this refresh token (closing an unknown one is not an error).
    pub async fn logout(&self, refresh_token: &str) -> Result<(), AuthError> {
        self.answer("logout".to_owned(), |inner| {
            inner.sessions.remove(refresh_token);
            Ok(())
        })
        .await
    }

    /// Waits for the latency, then serves the call (or answers an injected failure).
    async fn answer<T>(
        &self,
        call: String,
        serve: impl FnOnce(&mut Inner) -> Result<T, AuthError>,
    ) -> Result<T, AuthError> {
        tokio::time::sleep(self.latency).await;
        let mut inner = self.lock();
        inner.calls.push(call);
        match inner.failures.pop_front() {
            Some(error) => Err(error),
            None => serve(&mut inner),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Inner {
    fn issue(&mut self, user: &str) -> Tokens {
        self.issued += 1;
        let tokens = Tokens {
            access: format!("access-{user}-{}", self.issued),
            refresh: format!("refresh-{user}-{}", self.issued),
        };
        self.sessions.insert(tokens.refresh.clone(), user.to_owned());
        tokens
    }
}
