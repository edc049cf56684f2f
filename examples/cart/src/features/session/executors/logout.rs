//! `LogoutExecutor`: carries out `LogoutJob`.

use std::sync::Arc;

use orch_runtime::{ExecContext, Executor, JobError};

use crate::backend::Shop;
use crate::features::session::events::LoggedOutEvent;
use crate::features::session::jobs::LogoutJob;

/// Carries out [`LogoutJob`]: ends the session on the server and publishes
/// [`LoggedOutEvent`].
#[derive(Debug, Clone)]
pub struct LogoutExecutor {
    shop: Arc<Shop>,
}

impl LogoutExecutor {
    /// Talks to `shop`.
    pub fn new(shop: Arc<Shop>) -> Self {
        Self { shop }
    }
}

impl Executor<LogoutJob> for LogoutExecutor {
    async fn execute(&self, job: &LogoutJob, ctx: &ExecContext) -> Result<(), JobError> {
        self.shop.logout(&job.user).await?;
        ctx.emit(LoggedOutEvent { user: job.user.clone() });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use orch_runtime::testing::EventRecorder;
    use orch_runtime::{Dispatcher, SignalBus};

    use crate::backend::Shop;
    use crate::features::session::jobs::LogoutJob;
    use crate::timeline::describe;

    #[tokio::test(start_paused = true)]
    async fn a_logout_is_published() -> Result<(), Box<dyn std::error::Error>> {
        let shop = Arc::new(Shop::new(Duration::from_millis(50)));
        let bus = SignalBus::new();
        let recorder = EventRecorder::start(&bus);
        let mut builder = Dispatcher::builder(bus);
        crate::features::session::register(&mut builder, &shop)?;

        builder.build().dispatch(LogoutJob::new("ada"))?.outcome().await.into_result()?;
        let events: Vec<String> = recorder.events().iter().map(describe).collect();
        assert_eq!(events, ["LogoutJob started", "LogoutJob LoggedOut(ada)", "LogoutJob succeeded"]);
        assert_eq!(shop.calls(), ["logout ada"]);
        Ok(())
    }
}
