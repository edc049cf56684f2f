//! `LogoutExecutor`: carries out `LogoutJob`.

use std::sync::Arc;

use orch_runtime::{ExecContext, Executor, JobError, SignalBus};

use super::Announcer;
use crate::backend::AuthServer;
use crate::features::auth::events::LoggedOutEvent;
use crate::features::auth::jobs::LogoutJob;

/// Carries out [`LogoutJob`]: closes the session on the server and announces
/// [`LoggedOutEvent`].
#[derive(Debug, Clone)]
pub struct LogoutExecutor {
    server: Arc<AuthServer>,
    public: Announcer,
}

impl LogoutExecutor {
    /// Talks to `server`; announces public facts on `global`.
    pub fn new(server: Arc<AuthServer>, global: SignalBus) -> Self {
        Self { server, public: Announcer { global } }
    }
}

impl Executor<LogoutJob> for LogoutExecutor {
    async fn execute(&self, job: &LogoutJob, ctx: &ExecContext) -> Result<(), JobError> {
        self.server.logout(&job.refresh_token).await?;
        self.public.emit(LoggedOutEvent { user: job.user.clone(), reason: "logged out".into() }, ctx);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use orch_runtime::DispatchOptions;

    use super::super::test_support::Fixture;
    use crate::features::auth::jobs::{LoginJob, LogoutJob, RefreshTokenJob};

    #[tokio::test(start_paused = true)]
    async fn logout_closes_the_session_and_announces_logged_out() -> Result<(), Box<dyn std::error::Error>> {
        let fx = Fixture::new();
        let on_scope = || DispatchOptions::new().bus(fx.scope.clone());
        fx.dispatcher
            .dispatch_with(LoginJob::new("ada", "lovelace"), on_scope())?
            .outcome()
            .await
            .into_result()?;
        fx.clear();

        let job = LogoutJob::new("ada", "refresh-ada-1");
        fx.dispatcher.dispatch_with(job, on_scope())?.outcome().await.into_result()?;
        assert_eq!(
            fx.scope_events(),
            [
                "[auth] LogoutJob started",
                "[auth] LogoutJob LoggedOut(ada: logged out)",
                "[auth] LogoutJob succeeded"
            ]
        );
        assert_eq!(fx.global_events(), ["[global] LogoutJob LoggedOut(ada: logged out)"]);

        // The server closed the session: its refresh token is worthless now.
        let refresh = RefreshTokenJob::new("ada", "refresh-ada-1");
        let error = fx.dispatcher.dispatch_with(refresh, on_scope())?.outcome().await.into_result();
        assert_eq!(error.expect_err("closed").message(), "session expired");
        Ok(())
    }
}
