//! `ChangePriceExecutor`: carries out `ChangePriceJob`.

use std::sync::Arc;

use orch_runtime::{ExecContext, Executor, JobError};

use crate::backend::Shop;
use crate::features::pricing::events::PriceChangedEvent;
use crate::features::pricing::jobs::ChangePriceJob;

/// Carries out [`ChangePriceJob`]: updates the shop's catalog and publishes
/// [`PriceChangedEvent`].
#[derive(Debug, Clone)]
pub struct ChangePriceExecutor {
    shop: Arc<Shop>,
}

impl ChangePriceExecutor {
    /// Talks to `shop`.
    pub fn new(shop: Arc<Shop>) -> Self {
        Self { shop }
    }
}

impl Executor<ChangePriceJob> for ChangePriceExecutor {
    async fn execute(&self, job: &ChangePriceJob, ctx: &ExecContext) -> Result<(), JobError> {
        let old = self.shop.change_price(&job.sku, job.price).await?;
        ctx.emit(PriceChangedEvent { sku: job.sku.clone(), old, new: job.price });
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
    use crate::features::pricing::jobs::ChangePriceJob;
    use crate::money::Cents;
    use crate::timeline::describe;

    #[tokio::test(start_paused = true)]
    async fn a_price_change_is_published_with_the_old_price() -> Result<(), Box<dyn std::error::Error>> {
        let shop = Arc::new(Shop::new(Duration::from_millis(50)));
        let bus = SignalBus::new();
        let recorder = EventRecorder::start(&bus);
        let mut builder = Dispatcher::builder(bus);
        crate::features::pricing::register(&mut builder, &shop)?;
        let dispatcher = builder.build();

        dispatcher.dispatch(ChangePriceJob::new("book", Cents(999)))?.outcome().await.into_result()?;
        let outcome = dispatcher.dispatch(ChangePriceJob::new("lamp", Cents(100)))?.outcome().await;
        assert_eq!(outcome.into_result().expect_err("not sold").message(), "unknown product");

        let events: Vec<String> = recorder.events().iter().map(describe).collect();
        assert_eq!(
            events,
            [
                "ChangePriceJob started",
                "ChangePriceJob PriceChanged(book: 12.99 -> 9.99)",
                "ChangePriceJob succeeded",
                "ChangePriceJob started",
                "ChangePriceJob failed: unknown product",
            ]
        );
        Ok(())
    }
}
