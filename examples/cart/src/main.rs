//! cart: a shopping cart on the event-driven orchestrator pattern.
//!
//! Orchestrators hold state and dispatch jobs; the dispatcher routes each job to the executor
//! registered for its type; executors do the work and publish events on the signal bus;
//! orchestrators turn those events into state. Features live in `src/features/`, components
//! shared by every feature in `src/core/`.
//!
//! Here the `cart` feature's orchestrator adds items optimistically (rolled back when the
//! server refuses or is too slow), refuses repeated "add" clicks, and observes in passive mode
//! what the `pricing` and `session` features publish. The shop is simulated in-process
//! (`backend`).

pub mod backend;
pub mod core;
pub mod features;
pub mod money;
pub mod timeline;

use std::collections::HashSet;
use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use orch_runtime::{BusItem, DispatchError, Dispatcher, JobId, OrchestratorHandle, SignalBus, Subscription};
use tokio::sync::watch;

use crate::backend::{Shop, ShopError};
use crate::features::cart::orchestrators::{CartOrchestrator, CartState};
use crate::features::pricing::jobs::ChangePriceJob;
use crate::features::session::jobs::LogoutJob;
use crate::money::Cents;
use crate::timeline::{describe, transitions};

/// The running application: the bus, the dispatcher and the cart orchestrator.
pub struct App {
    /// The simulated shop the executors talk to.
    pub shop: Arc<Shop>,
    /// The global bus (the dispatcher's).
    pub bus: SignalBus,
    /// Routes the jobs to their executors. The pricing and session features have no
    /// orchestrator here: their jobs are dispatched on it directly, as another screen would.
    pub dispatcher: Dispatcher,
    /// The cart orchestrator (its `add_item` needs it next to its handle).
    pub cart: CartOrchestrator,
    /// The running cart orchestrator.
    pub cart_handle: OrchestratorHandle<CartOrchestrator>,
}

impl App {
    /// Wires everything up on the current tokio runtime; the shop answers after `latency`.
    pub fn start(latency: Duration) -> Result<App, Box<dyn Error>> {
        let shop = Arc::new(Shop::new(latency));
        let bus = SignalBus::new();
        let mut builder = Dispatcher::builder(bus.clone());
        crate::core::register(&mut builder)?;
        features::register(&mut builder, &shop)?;
        let dispatcher = builder.build();
        let cart = CartOrchestrator::default();
        // `spawn` observes the dispatcher's bus: the other features' events reach `on_passive`.
        let cart_handle = OrchestratorHandle::spawn(cart.clone(), CartState::default(), &dispatcher)?;
        Ok(App { shop, bus, dispatcher, cart, cart_handle })
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let app = App::start(Duration::from_millis(20))?;
    let mut events = app.bus.subscribe();
    let mut state = app.cart_handle.watch();
    let (cart, handle) = (&app.cart, &app.cart_handle);
    println!("registered job types: {:?}", app.dispatcher.registered());

    println!("\n1. ada adds a book (shown at 12.99)");
    let book = cart.add_item(handle, "book", 1, Cents(1299))?;
    report(&mut state, &mut events, &[book]).await;

    println!("\n2. ada clicks \"add\" on the mug twice, quickly");
    let mug = cart.add_item(handle, "mug", 1, Cents(850))?;
    if let Err(DispatchError::Duplicate { key, .. }) = cart.add_item(handle, "mug", 1, Cents(850)) {
        println!("   second click refused: a job with dedup key `{key}` is running");
    }
    report(&mut state, &mut events, &[mug]).await;

    println!("\n3. ada adds a tee, but the shop has none left");
    app.shop.fail_next_add(ShopError::OutOfStock);
    let tee = cart.add_item(handle, "tee", 1, Cents(1900))?;
    report(&mut state, &mut events, &[tee]).await;

    println!("\n4. the pricing feature drops the book to 9.99; the cart observes it");
    let price = app.dispatcher.dispatch(ChangePriceJob::new("book", Cents(999)))?.id();
    report(&mut state, &mut events, &[price]).await;

    println!("\n5. ada adds a tee again; the shop takes 2 s to answer");
    app.shop.delay_next_add(Duration::from_secs(2));
    let tee = cart.add_item(handle, "tee", 1, Cents(1900))?;
    report(&mut state, &mut events, &[tee]).await;

    println!("\n6. ada adds another mug (the shop is slow again) and logs out meanwhile");
    app.shop.delay_next_add(Duration::from_secs(2));
    let mug = cart.add_item(handle, "mug", 1, Cents(850))?;
    let logout = app.dispatcher.dispatch(LogoutJob::new("ada"))?.id();
    report(&mut state, &mut events, &[mug, logout]).await;

    println!("\ncalls that reached the shop: {:?}", app.shop.calls());
    Ok(())
}

/// Prints the events of `jobs` until each has ended, then the cart's state transitions
/// until it is settled again.
async fn report(state: &mut watch::Receiver<CartState>, bus: &mut Subscription, jobs: &[JobId]) {
    let seen = transitions(state, CartState::is_settled).await;
    let mut open: HashSet<JobId> = jobs.iter().copied().collect();
    while !open.is_empty() {
        match bus.recv().await {
            Some(BusItem::Event(event)) => {
                if event.is_terminal() {
                    open.remove(&event.job_id());
                }
                println!("   {}", describe(&event));
            }
            Some(BusItem::Lagged(missed)) => println!("   (missed {missed} events)"),
            None => break,
        }
    }
    let seen: Vec<String> = seen.iter().map(ToString::to_string).collect();
    println!("   cart: {}", seen.join("\n      -> "));
}

#[cfg(test)]
mod tests {
    //! The whole application under paused tokio time: the shop's latency, its injected
    //! delays and the add timeout cost nothing and happen in a fixed order, so the sequences
    //! are exact.

    use std::future::Future;

    use orch_runtime::testing::EventRecorder;
    use tokio::time::Instant;

    use super::*;
    use crate::features::cart::orchestrators::ADD_TIMEOUT;

    const LATENCY: Duration = Duration::from_millis(50);

    struct Fixture {
        app: App,
        events: EventRecorder,
    }

    fn start() -> Fixture {
        let app = App::start(LATENCY).expect("starts");
        let events = EventRecorder::start(&app.bus);
        Fixture { app, events }
    }

    impl Fixture {
        fn add(&self, sku: &str, qty: u32, shown: u64) -> Result<JobId, DispatchError> {
            self.app.cart.add_item(&self.app.cart_handle, sku, qty, Cents(shown))
        }

        /// The cart's states from now until it is settled again.
        async fn transitions(&self) -> Vec<String> {
            let mut rx = self.app.cart_handle.watch();
            let seen = within(transitions(&mut rx, CartState::is_settled)).await;
            seen.iter().map(ToString::to_string).collect()
        }

        /// Waits for the terminal events of `jobs`, then returns what the bus carried since
        /// the last call.
        async fn take_events(&self, jobs: &[JobId]) -> Vec<String> {
            for &id in jobs {
                within(self.events.wait_for_terminal(id)).await;
            }
            let events = self.events.events().iter().map(describe).collect();
            self.events.clear();
            events
        }

        /// Puts a confirmed book (12.99) in the cart.
        async fn with_a_book(&self, qty: u32) {
            let id = self.add("book", qty, 1299).expect("dispatched");
            self.transitions().await;
            self.take_events(&[id]).await;
        }
    }

    /// Fails the test instead of hanging when what it waits for never happens (paused time
    /// jumps straight to the deadline once nothing else can run).
    async fn within<T>(fut: impl Future<Output = T>) -> T {
        tokio::time::timeout(Duration::from_secs(60), fut).await.expect("waited 60 s of paused time")
    }

    #[tokio::test(start_paused = true)]
    async fn an_add_is_shown_at_once_then_confirmed() -> Result<(), Box<dyn Error>> {
        let fx = start();
        let id = fx.add("book", 1, 1299)?;
        assert_eq!(
            fx.transitions().await,
            ["empty", "book 1 x 12.99 (1 pending) = 12.99", "book 1 x 12.99 = 12.99"]
        );
        assert_eq!(
            fx.take_events(&[id]).await,
            ["AddItemJob started", "AddItemJob ItemAdded(book x1 @ 12.99)", "AddItemJob succeeded"]
        );
        assert_eq!(fx.app.shop.cart(), [("book".to_owned(), 1)]);
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn a_refused_add_is_rolled_back() -> Result<(), Box<dyn Error>> {
        let fx = start();
        fx.with_a_book(1).await;
        fx.app.shop.fail_next_add(ShopError::OutOfStock);
        let id = fx.add("tee", 1, 1900)?;
        assert_eq!(
            fx.transitions().await,
            [
                "book 1 x 12.99 = 12.99",
                "book 1 x 12.99, tee 1 x 19.00 (1 pending) = 31.99",
                "book 1 x 12.99 = 12.99, error: could not add tee: out of stock",
            ]
        );
        assert_eq!(fx.take_events(&[id]).await, ["AddItemJob started", "AddItemJob failed: out of stock"]);
        assert_eq!(fx.app.shop.cart(), [("book".to_owned(), 1)], "the server agrees");
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn two_rapid_add_clicks_make_one_job() -> Result<(), Box<dyn Error>> {
        let fx = start();
        let first = fx.add("mug", 1, 850)?;
        let second = fx.add("mug", 1, 850);
        assert_eq!(second, Err(DispatchError::Duplicate { key: "add:mug".into(), running: first }));
        assert_eq!(
            fx.transitions().await,
            ["empty", "mug 1 x 8.50 (1 pending) = 8.50", "mug 1 x 8.50 = 8.50"]
        );
        assert_eq!(
            fx.take_events(&[first]).await,
            ["AddItemJob started", "AddItemJob ItemAdded(mug x1 @ 8.50)", "AddItemJob succeeded"]
        );
        assert_eq!(fx.app.shop.calls(), ["add mug x1"], "one job, one call");

        // Once the first add has ended, the key is free: a later click is a new add.
        let third = fx.add("mug", 1, 850)?;
        assert_eq!(fx.transitions().await.last().map(String::as_str), Some("mug 2 x 8.50 = 17.00"));
        fx.take_events(&[third]).await;
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn a_price_change_elsewhere_updates_the_totals() -> Result<(), Box<dyn Error>> {
        let fx = start();
        fx.with_a_book(2).await;
        let id = fx.app.dispatcher.dispatch(ChangePriceJob::new("book", Cents(999)))?.id();
        assert_eq!(fx.transitions().await, ["book 2 x 12.99 = 25.98", "book 2 x 9.99 = 19.98"]);
        assert_eq!(
            fx.take_events(&[id]).await,
            [
                "ChangePriceJob started",
                "ChangePriceJob PriceChanged(book: 12.99 -> 9.99)",
                "ChangePriceJob succeeded"
            ]
        );
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn a_logout_elsewhere_clears_the_cart_and_cancels_the_add_in_flight() -> Result<(), Box<dyn Error>>
    {
        let fx = start();
        fx.with_a_book(1).await;
        fx.app.shop.delay_next_add(Duration::from_secs(2));
        let mug = fx.add("mug", 1, 850)?;
        let logout = fx.app.dispatcher.dispatch(LogoutJob::new("ada"))?.id();
        assert_eq!(
            fx.transitions().await,
            ["book 1 x 12.99 = 12.99", "book 1 x 12.99, mug 1 x 8.50 (1 pending) = 21.49", "empty"]
        );
        assert_eq!(
            fx.take_events(&[mug, logout]).await,
            [
                "AddItemJob started",
                "LogoutJob started",
                "LogoutJob LoggedOut(ada)",
                "LogoutJob succeeded",
                "AddItemJob cancelled: logged out",
            ]
        );
        assert_eq!(fx.app.cart_handle.state().to_string(), "empty", "the cancelled add had nothing to undo");
        assert!(fx.app.cart_handle.running().is_empty());
        assert_eq!(fx.app.shop.calls(), ["add book x1", "logout ada"], "the mug never reached the shop");
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_add_times_out_and_is_rolled_back() -> Result<(), Box<dyn Error>> {
        let fx = start();
        fx.app.shop.delay_next_add(Duration::from_secs(2));
        let started = Instant::now();
        let id = fx.add("tee", 1, 1900)?;
        assert_eq!(
            fx.transitions().await,
            [
                "empty",
                "tee 1 x 19.00 (1 pending) = 19.00",
                "empty, error: could not add tee: no answer within 500ms"
            ]
        );
        assert_eq!(started.elapsed(), ADD_TIMEOUT, "given up after exactly the timeout (paused clock)");
        assert_eq!(fx.take_events(&[id]).await, ["AddItemJob started", "AddItemJob timed out after 500ms"]);
        assert!(fx.app.shop.calls().is_empty());
        Ok(())
    }
}
