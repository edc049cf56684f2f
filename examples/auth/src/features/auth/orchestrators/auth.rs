//! `AuthOrchestrator` (feature `auth`): holds `AuthState`, dispatches the auth jobs on the
//! auth module's scoped bus and turns their events into state. It never does I/O itself.

use std::fmt;
use std::time::Duration;

use orch_runtime::{
    DispatchError, DispatchOptions, Event, JobError, JobId, Orchestrator, OrchestratorContext,
    OrchestratorHandle, SignalBus,
};

use crate::features::auth::events::{LoggedOutEvent, TokensIssuedEvent};
use crate::features::auth::jobs::{LoginJob, LogoutJob, RefreshTokenJob};

/// Where the session is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SessionState {
    /// No session (the initial state).
    #[default]
    LoggedOut,
    /// A `LoginJob` is running.
    LoggingIn,
    /// A session is open.
    LoggedIn,
    /// A `RefreshTokenJob` is running; the session is still open.
    Refreshing,
    /// A `LogoutJob` is running; the session is still open.
    LoggingOut,
}

/// What the UI sees of authentication. The orchestrator updates it from the events of its
/// jobs; observers `watch` it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthState {
    /// Where the session is.
    pub session: SessionState,
    /// Who is logged in.
    pub user: Option<String>,
    /// The current access token.
    pub access_token: Option<String>,
    /// The current refresh token.
    pub refresh_token: Option<String>,
    /// Why the last job failed (cleared when the next one starts).
    pub error: Option<String>,
}

impl AuthState {
    /// True while a job runs (logging in, refreshing, logging out).
    pub fn is_busy(&self) -> bool {
        matches!(self.session, SessionState::LoggingIn | SessionState::Refreshing | SessionState::LoggingOut)
    }

    fn end_session(&mut self) {
        self.session = SessionState::LoggedOut;
        self.user = None;
        self.access_token = None;
        self.refresh_token = None;
    }

    /// A job ended without succeeding: a login leaves no session; a failed refresh or logout
    /// leaves the session as it was (unless a `LoggedOutEvent` already ended it).
    fn job_failed(&mut self, error: String) {
        match self.session {
            SessionState::LoggingIn => self.end_session(),
            SessionState::Refreshing | SessionState::LoggingOut => self.session = SessionState::LoggedIn,
            SessionState::LoggedOut | SessionState::LoggedIn => {}
        }
        self.error = Some(error);
    }
}

/// `LoggedIn(ada, access-ada-1)`, `LoggedOut, error: session expired`.
impl fmt::Display for AuthState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.session)?;
        if let Some(user) = &self.user {
            write!(f, "({user}, {})", self.access_token.as_deref().unwrap_or("no token"))?;
        }
        if let Some(error) = &self.error {
            write!(f, ", error: {error}")?;
        }
        Ok(())
    }
}

/// Dispatches the auth jobs and keeps [`AuthState`] up to date from their events.
///
/// The UI calls [`login`](Self::login), [`refresh`](Self::refresh) and
/// [`logout`](Self::logout) with the orchestrator's handle; each dispatches one job and
/// returns at once. Every auth job runs on the auth scope and shares the dedup key
/// `"session"`: one session operation at a time, a second click is refused.
#[derive(Debug, Clone)]
pub struct AuthOrchestrator {
    scope: SignalBus,
}

impl AuthOrchestrator {
    /// An orchestrator whose jobs publish their events on `scope`, the auth module's bus.
    pub fn new(scope: SignalBus) -> Self {
        Self { scope }
    }

    fn options(&self) -> DispatchOptions {
        DispatchOptions::new().bus(self.scope.clone()).dedup_key("session")
    }

    /// Log `user` in. Fails with `DispatchError::Duplicate` while another session operation
    /// runs.
    pub fn login(
        &self,
        handle: &OrchestratorHandle<Self>,
        user: &str,
        password: &str,
    ) -> Result<JobId, DispatchError> {
        handle.dispatch_with(LoginJob::new(user, password), self.options())
    }

    /// Refresh the session's tokens (retried while the server is unavailable).
    /// `Ok(None)`: nobody is logged in, there is nothing to refresh.
    pub fn refresh(&self, handle: &OrchestratorHandle<Self>) -> Result<Option<JobId>, DispatchError> {
        let AuthState { user: Some(user), refresh_token: Some(token), .. } = handle.state() else {
            return Ok(None);
        };
        let options = self.options().retry(RefreshTokenJob::retry_policy());
        handle.dispatch_with(RefreshTokenJob::new(user, token), options).map(Some)
    }

    /// Log out. `Ok(None)`: nobody is logged in.
    pub fn logout(&self, handle: &OrchestratorHandle<Self>) -> Result<Option<JobId>, DispatchError> {
        let AuthState { user: Some(user), refresh_token: Some(token), .. } = handle.state() else {
            return Ok(None);
        };
        handle.dispatch_with(LogoutJob::new(user, token), self.options()).map(Some)
    }
}

impl Orchestrator for AuthOrchestrator {
    type State = AuthState;

    fn on_started(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, Self::State>) {
        let session = if event.is_job::<LoginJob>() {
            SessionState::LoggingIn
        } else if event.is_job::<RefreshTokenJob>() {
            SessionState::Refreshing
        } else if event.is_job::<LogoutJob>() {
            SessionState::LoggingOut
        } else {
            return;
        };
        cx.update(|state| {
            state.session = session;
            state.error = None;
        });
    }

    fn on_domain_event(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, Self::State>) {
        if let Some(tokens) = event.domain::<TokensIssuedEvent>() {
            let tokens = tokens.clone();
            cx.update(|state| {
                state.user = Some(tokens.user);
                state.access_token = Some(tokens.access_token);
                state.refresh_token = Some(tokens.refresh_token);
            });
        } else if event.domain::<LoggedOutEvent>().is_some() {
            // A logout, or a refresh that found the session expired: either way it is over.
            cx.update(AuthState::end_session);
        }
    }

    fn on_succeeded(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, Self::State>) {
        if event.is_job::<LogoutJob>() {
            cx.update(AuthState::end_session);
        } else {
            cx.update(|state| state.session = SessionState::LoggedIn);
        }
    }

    fn on_failed(&mut self, _event: &Event, error: &JobError, cx: &mut OrchestratorContext<'_, Self::State>) {
        let error = error.message().to_owned();
        cx.update(|state| state.job_failed(error));
    }

    fn on_cancelled(
        &mut self,
        _event: &Event,
        reason: Option<&str>,
        cx: &mut OrchestratorContext<'_, Self::State>,
    ) {
        let error = format!("cancelled: {}", reason.unwrap_or("no reason given"));
        cx.update(|state| state.job_failed(error));
    }

    fn on_timed_out(
        &mut self,
        _event: &Event,
        after: Duration,
        cx: &mut OrchestratorContext<'_, Self::State>,
    ) {
        let error = format!("timed out after {after:?}");
        cx.update(|state| state.job_failed(error));
    }
}

#[cfg(test)]
mod tests {
    //! The hooks alone, driven synchronously by the runtime's `OrchestratorHarness`: every
    //! event fed in gives one state, so the transitions are exact.

    use orch_runtime::testing::OrchestratorHarness;
    use orch_runtime::{EventKind, Job, JobError, JobId};

    use super::*;
    use crate::features::auth::events::LoggedInEvent;

    fn harness() -> OrchestratorHarness<AuthOrchestrator> {
        OrchestratorHarness::new(AuthOrchestrator::new(SignalBus::scoped("auth")), AuthState::default())
    }

    fn tokens(n: u32) -> EventKind {
        EventKind::domain(TokensIssuedEvent {
            user: "ada".into(),
            access_token: format!("access-ada-{n}"),
            refresh_token: format!("refresh-ada-{n}"),
        })
    }

    /// Feeds each event of job `J` (fresh id) and returns the state after each, displayed.
    fn feed<J: Job>(
        harness: &mut OrchestratorHarness<AuthOrchestrator>,
        kinds: Vec<EventKind>,
    ) -> Vec<String> {
        let id = JobId::new();
        kinds.into_iter().map(|kind| harness.active_kind::<J>(id, kind).to_string()).collect()
    }

    #[test]
    fn login_refresh_logout() {
        let mut h = harness();
        let login = vec![
            EventKind::Started,
            tokens(1),
            EventKind::domain(LoggedInEvent { user: "ada".into() }),
            EventKind::succeeded(()),
        ];
        assert_eq!(
            feed::<LoginJob>(&mut h, login),
            [
                "LoggingIn",
                "LoggingIn(ada, access-ada-1)", // TokensIssued
                "LoggingIn(ada, access-ada-1)", // LoggedIn: the public copy changes nothing here
                "LoggedIn(ada, access-ada-1)",  // Succeeded
            ]
        );
        let refresh = vec![
            EventKind::Started,
            EventKind::Retrying {
                attempt: 2,
                max_attempts: 3,
                delay: Duration::from_millis(100),
                error: JobError::new("auth server unavailable"),
            },
            tokens(2),
            EventKind::succeeded(()),
        ];
        assert_eq!(
            feed::<RefreshTokenJob>(&mut h, refresh),
            [
                "Refreshing(ada, access-ada-1)",
                "Refreshing(ada, access-ada-1)",
                "Refreshing(ada, access-ada-2)",
                "LoggedIn(ada, access-ada-2)",
            ]
        );
        assert_eq!(h.state().refresh_token.as_deref(), Some("refresh-ada-2"));
        let logged_out = LoggedOutEvent { user: "ada".into(), reason: "logged out".into() };
        let logout = vec![EventKind::Started, EventKind::domain(logged_out), EventKind::succeeded(())];
        assert_eq!(
            feed::<LogoutJob>(&mut h, logout),
            ["LoggingOut(ada, access-ada-2)", "LoggedOut", "LoggedOut"]
        );
        assert_eq!(*h.state(), AuthState::default());
    }

    #[test]
    fn wrong_password_leaves_no_session_and_an_error() {
        let mut h = harness();
        let failed = EventKind::failed(JobError::new("wrong user name or password for ada"));
        assert_eq!(
            feed::<LoginJob>(&mut h, vec![EventKind::Started, failed]),
            ["LoggingIn", "LoggedOut, error: wrong user name or password for ada"]
        );
        // The next attempt starts with a clean slate.
        assert_eq!(feed::<LoginJob>(&mut h, vec![EventKind::Started]), ["LoggingIn"]);
    }

    #[test]
    fn a_refresh_that_fails_keeps_the_session_unless_it_expired() {
        let mut h = harness();
        feed::<LoginJob>(&mut h, vec![EventKind::Started, tokens(1), EventKind::succeeded(())]);

        let unavailable = EventKind::failed(JobError::new("auth server unavailable"));
        assert_eq!(
            feed::<RefreshTokenJob>(&mut h, vec![EventKind::Started, unavailable]),
            ["Refreshing(ada, access-ada-1)", "LoggedIn(ada, access-ada-1), error: auth server unavailable"]
        );

        let expired = LoggedOutEvent { user: "ada".into(), reason: "session expired".into() };
        let kinds = vec![
            EventKind::Started,
            EventKind::domain(expired),
            EventKind::failed(JobError::new("session expired")),
        ];
        assert_eq!(
            feed::<RefreshTokenJob>(&mut h, kinds),
            ["Refreshing(ada, access-ada-1)", "LoggedOut", "LoggedOut, error: session expired"]
        );
    }
}
