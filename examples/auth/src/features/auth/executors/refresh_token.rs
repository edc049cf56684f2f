//! `RefreshTokenExecutor`: carries out `RefreshTokenJob`.

use std::sync::Arc;

use orch_runtime::{ExecContext, Executor, JobError, SignalBus};

use super::Announcer;
use crate::backend::{AuthError, AuthServer};
use crate::features::auth::events::{LoggedOutEvent, TokensIssuedEvent};
use crate::features::auth::jobs::RefreshTokenJob;

/// Carries out [`RefreshTokenJob`]: trades the refresh token for new tokens, reported
/// privately ([`TokensIssuedEvent`]). When the server says the session expired, the user is
/// logged out: [`LoggedOutEvent`] is announced and the job fails. Other errors (the server
/// being unavailable) just fail this attempt; the job's retry policy decides what follows.
#[derive(Debug, Clone)]
pub struct RefreshTokenExecutor {
    server: Arc<AuthServer>,
    public: Announcer,
}

impl RefreshTokenExecutor {
    /// Talks to `server`; announces public facts on `global`.
    pub fn new(server: Arc<AuthServer>, global: SignalBus) -> Self {
        Self { server, public: Announcer { global } }
    }
}

impl Executor<RefreshTokenJob> for RefreshTokenExecutor {
    async fn execute(&self, job: &RefreshTokenJob, ctx: &ExecContext) -> Result<(), JobError> {
        match self.server.refresh(&job.refresh_token).await {
            Ok(tokens) => {
                ctx.emit(TokensIssuedEvent {
                    user: job.user.clone(),
                    access_token: tokens.access,
                    refresh_token: tokens.refresh,
                });
                Ok(())
            }
            Err(AuthError::SessionExpired) => {
                let error = AuthError::SessionExpired;
                self.public.emit(LoggedOutEvent { user: job.user.clone(), reason: error.to_string() }, ctx);
                Err(error.into())
            }
            Err(error) => Err(error.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use orch_runtime::DispatchOptions;
    use tokio::time::Instant;

    use super::super::test_support::{Fixture, LATENCY};
    use crate::backend::AuthError;
    use crate::features::auth::jobs::{LoginJob, RefreshTokenJob};

    /// Logs ada in (tokens `access-ada-1` / `refresh-ada-1`) and forgets the events so far.
    async fn logged_in() -> Result<Fixture, Box<dyn std::error::Error>> {
        let fx = Fixture::new();
        let login = DispatchOptions::new().bus(fx.scope.clone());
        fx.dispatcher
            .dispatch_with(LoginJob::new("ada", "lovelace"), login)?
            .outcome()
            .await
            .into_result()?;
        fx.clear();
        Ok(fx)
    }

    fn options(fx: &Fixture) -> DispatchOptions {
        DispatchOptions::new().bus(fx.scope.clone()).retry(RefreshTokenJob::retry_policy())
    }

    #[tokio::test(start_paused = true)]
    async fn refresh_retries_while_unavailable_then_rotates_the_tokens()
    -> Result<(), Box<dyn std::error::Error>> {
        let fx = logged_in().await?;
        fx.server.fail_next(AuthError::Unavailable);
        let start = Instant::now();
        let job = RefreshTokenJob::new("ada", "refresh-ada-1");
        fx.dispatcher.dispatch_with(job, options(&fx))?.outcome().await.into_result()?;

        assert_eq!(
            fx.scope_events(),
            [
                "[auth] RefreshTokenJob started",
                "[auth] RefreshTokenJob retrying (attempt 2/3 in 100ms): auth server unavailable",
                "[auth] RefreshTokenJob TokensIssued(ada, access-ada-2)",
                "[auth] RefreshTokenJob succeeded",
            ]
        );
        // Two calls to the server and one back-off, on the paused clock: exact.
        assert_eq!(start.elapsed(), LATENCY * 2 + std::time::Duration::from_millis(100));
        assert_eq!(fx.server.calls(), ["login ada", "refresh", "refresh"]);
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn an_expired_session_is_final_and_announces_logged_out() -> Result<(), Box<dyn std::error::Error>>
    {
        let fx = logged_in().await?;
        fx.server.expire_sessions();
        let job = RefreshTokenJob::new("ada", "refresh-ada-1");
        let error = fx.dispatcher.dispatch_with(job, options(&fx))?.outcome().await.into_result();

        assert_eq!(error.expect_err("expired").message(), "session expired");
        assert_eq!(
            fx.scope_events(),
            [
                "[auth] RefreshTokenJob started",
                "[auth] RefreshTokenJob LoggedOut(ada: session expired)",
                "[auth] RefreshTokenJob failed: session expired",
            ]
        );
        assert_eq!(fx.global_events(), ["[global] RefreshTokenJob LoggedOut(ada: session expired)"]);
        assert_eq!(fx.server.calls(), ["login ada", "refresh"], "no retry");
        Ok(())
    }
}
