//! `LoginExecutor`: carries out `LoginJob`. I/O (the auth server) belongs here, never in an
//! orchestrator.

use std::sync::Arc;

use orch_runtime::{ExecContext, Executor, JobError, SignalBus};

use super::Announcer;
use crate::backend::AuthServer;
use crate::features::auth::events::{LoggedInEvent, TokensIssuedEvent};
use crate::features::auth::jobs::LoginJob;

/// Carries out [`LoginJob`]: asks the server for tokens, reports them privately
/// ([`TokensIssuedEvent`]) and announces [`LoggedInEvent`] publicly. A wrong password is an
/// error, which becomes the job's `Failed` event.
#[derive(Debug, Clone)]
pub struct LoginExecutor {
    server: Arc<AuthServer>,
    public: Announcer,
}

impl LoginExecutor {
    /// Talks to `server`; announces public facts on `global`.
    pub fn new(server: Arc<AuthServer>, global: SignalBus) -> Self {
        Self { server, public: Announcer { global } }
    }
}

impl Executor<LoginJob> for LoginExecutor {
    async fn execute(&self, job: &LoginJob, ctx: &ExecContext) -> Result<(), JobError> {
        let tokens = self.server.login(&job.user, &job.password).await?;
        ctx.emit(TokensIssuedEvent {
            user: job.user.clone(),
            access_token: tokens.access,
            refresh_token: tokens.refresh,
        });
        self.public.emit(LoggedInEvent { user: job.user.clone() }, ctx);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use orch_runtime::DispatchOptions;

    use super::super::test_support::Fixture;
    use crate::features::auth::jobs::LoginJob;

    #[tokio::test(start_paused = true)]
    async fn login_reports_tokens_privately_and_announces_logged_in() -> Result<(), Box<dyn std::error::Error>>
    {
        let fx = Fixture::new();
        let job = LoginJob::new("ada", "lovelace");
        let handle = fx.dispatcher.dispatch_with(job, DispatchOptions::new().bus(fx.scope.clone()))?;
        handle.outcome().await.into_result()?;

        assert_eq!(
            fx.scope_events(),
            [
                "[auth] LoginJob started",
                "[auth] LoginJob TokensIssued(ada, access-ada-1)",
                "[auth] LoginJob LoggedIn(ada)",
                "[auth] LoginJob succeeded",
            ]
        );
        assert_eq!(fx.global_events(), ["[global] LoginJob LoggedIn(ada)"]);
        assert_eq!(fx.server.calls(), ["login ada"]);
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn wrong_password_fails_and_announces_nothing() -> Result<(), Box<dyn std::error::Error>> {
        let fx = Fixture::new();
        let job = LoginJob::new("ada", "babbage");
        let handle = fx.dispatcher.dispatch_with(job, DispatchOptions::new().bus(fx.scope.clone()))?;
        let error = handle.outcome().await.into_result().expect_err("wrong password");

        assert_eq!(error.message(), "wrong user name or password for ada");
        assert_eq!(
            fx.scope_events(),
            ["[auth] LoginJob started", "[auth] LoginJob failed: wrong user name or password for ada"]
        );
        assert!(fx.global_events().is_empty());
        Ok(())
    }
}
