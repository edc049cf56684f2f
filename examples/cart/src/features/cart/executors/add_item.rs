//! `AddItemExecutor`: carries out `AddItemJob`. I/O (the shop server) belongs here, never
//! in an orchestrator.

use std::sync::Arc;

use orch_runtime::{ExecContext, Executor, JobError};

use crate::backend::Shop;
use crate::features::cart::events::ItemAddedEvent;
use crate::features::cart::jobs::AddItemJob;

/// Carries out [`AddItemJob`]: asks the shop to add the item and publishes
/// [`ItemAddedEvent`] with the server's price. A refusal (out of stock...) is an error, which
/// becomes the job's `Failed` event.
#[derive(Debug, Clone)]
pub struct AddItemExecutor {
    shop: Arc<Shop>,
}

impl AddItemExecutor {
    /// Talks to `shop`.
    pub fn new(shop: Arc<Shop>) -> Self {
        Self { shop }
    }
}

impl Executor<AddItemJob> for AddItemExecutor {
    async fn execute(&self, job: &AddItemJob, ctx: &ExecContext) -> Result<(), JobError> {
        let unit_price = self.shop.add_to_cart(&job.sku, job.qty).await?;
        ctx.emit(ItemAddedEvent { sku: job.sku.clone(), qty: job.qty, unit_price });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use orch_runtime::testing::EventRecorder;
    use orch_runtime::{Dispatcher, SignalBus};

    use crate::backend::{Shop, ShopError};
    use crate::features::cart::jobs::AddItemJob;
    use crate::money::Cents;
    use crate::timeline::describe;

    fn setup() -> (Arc<Shop>, Dispatcher, EventRecorder) {
        let shop = Arc::new(Shop::new(Duration::from_millis(50)));
        let bus = SignalBus::new();
        let recorder = EventRecorder::start(&bus);
        let mut builder = Dispatcher::builder(bus);
        crate::features::cart::register(&mut builder, &shop).expect("registers once");
        (shop, builder.build(), recorder)
    }

    #[tokio::test(start_paused = true)]
    async fn an_add_reports_the_item_at_the_server_price() -> Result<(), Box<dyn std::error::Error>> {
        let (shop, dispatcher, recorder) = setup();
        // The UI showed an outdated price; the server's (12.99) wins.
        dispatcher.dispatch(AddItemJob::new("book", 2, Cents(999)))?.outcome().await.into_result()?;
        let events: Vec<String> = recorder.events().iter().map(describe).collect();
        assert_eq!(
            events,
            ["AddItemJob started", "AddItemJob ItemAdded(book x2 @ 12.99)", "AddItemJob succeeded"]
        );
        assert_eq!(shop.cart(), [("book".to_owned(), 2)]);
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn out_of_stock_fails_and_adds_nothing() -> Result<(), Box<dyn std::error::Error>> {
        let (shop, dispatcher, recorder) = setup();
        shop.fail_next_add(ShopError::OutOfStock);
        let outcome = dispatcher.dispatch(AddItemJob::new("tee", 1, Cents(1900)))?.outcome().await;
        assert_eq!(outcome.into_result().expect_err("refused").message(), "out of stock");
        let events: Vec<String> = recorder.events().iter().map(describe).collect();
        assert_eq!(events, ["AddItemJob started", "AddItemJob failed: out of stock"]);
        assert!(shop.cart().is_empty());
        Ok(())
    }
}
