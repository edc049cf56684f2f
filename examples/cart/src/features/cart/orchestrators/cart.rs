//! `CartOrchestrator` (feature `cart`): holds `CartState`, dispatches `AddItemJob`s and
//! turns events into state: its own jobs' (active mode) and the other features' (passive
//! mode). It never does I/O itself.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use orch_runtime::{
    DispatchError, DispatchOptions, Event, JobError, JobId, Orchestrator, OrchestratorContext,
    OrchestratorHandle,
};

use crate::features::cart::events::ItemAddedEvent;
use crate::features::cart::jobs::AddItemJob;
use crate::features::pricing::events::PriceChangedEvent;
use crate::features::session::events::LoggedOutEvent;
use crate::money::Cents;

/// How long an "add to cart" may take before it is given up (and rolled back).
pub const ADD_TIMEOUT: Duration = Duration::from_millis(500);

/// One line of the cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLineState {
    /// The product.
    pub sku: String,
    /// The quantity shown, including what the server has not confirmed yet.
    pub qty: u32,
    /// The part of `qty` the server has not confirmed yet (shown optimistically).
    pub pending: u32,
    /// The unit price.
    pub unit_price: Cents,
}

/// What the UI sees of the cart. The orchestrator updates it from events; observers `watch`
/// it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CartState {
    /// The lines, in the order their products were first added.
    pub lines: Vec<CartLineState>,
    /// The sum of the lines (kept up to date by every change).
    pub total: Cents,
    /// Why the last add did not go through.
    pub error: Option<String>,
}

impl CartState {
    /// True when nothing is waiting for the server.
    pub fn is_settled(&self) -> bool {
        self.lines.iter().all(|line| line.pending == 0)
    }

    fn line(&self, sku: &str) -> Option<&CartLineState> {
        self.lines.iter().find(|line| line.sku == sku)
    }

    fn line_mut(&mut self, sku: &str) -> Option<&mut CartLineState> {
        self.lines.iter_mut().find(|line| line.sku == sku)
    }

    /// Optimistic update: show the item at once, as pending.
    fn add_pending(&mut self, job: &AddItemJob) {
        match self.line_mut(&job.sku) {
            Some(line) => {
                line.qty += job.qty;
                line.pending += job.qty;
            }
            None => self.lines.push(CartLineState {
                sku: job.sku.clone(),
                qty: job.qty,
                pending: job.qty,
                unit_price: job.shown_price,
            }),
        }
        self.error = None;
        self.update_total();
    }

    /// The server accepted: the quantity is no longer pending; its price has the final word.
    fn confirm(&mut self, added: &ItemAddedEvent) {
        if let Some(line) = self.line_mut(&added.sku) {
            line.pending = line.pending.saturating_sub(added.qty);
            line.unit_price = added.unit_price;
        }
        self.update_total();
    }

    /// Another feature changed a price: the line and the total follow.
    fn reprice(&mut self, sku: &str, price: Cents) {
        if let Some(line) = self.line_mut(sku) {
            line.unit_price = price;
        }
        self.update_total();
    }

    /// Rollback: take back what `job` added optimistically.
    fn roll_back(&mut self, job: &AddItemJob) {
        if let Some(line) = self.line_mut(&job.sku) {
            line.qty = line.qty.saturating_sub(job.qty);
            line.pending = line.pending.saturating_sub(job.qty);
        }
        self.lines.retain(|line| line.qty > 0);
        self.update_total();
    }

    fn update_total(&mut self) {
        self.total = self.lines.iter().map(|line| line.unit_price * line.qty).sum();
    }
}

/// `book 2 x 12.99 (1 pending) = 25.98`, `empty, error: could not add tee: out of stock`.
impl fmt::Display for CartState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lines.is_empty() {
            f.write_str("empty")?;
        } else {
            for (i, line) in self.lines.iter().enumerate() {
                let sep = if i == 0 { "" } else { ", " };
                write!(f, "{sep}{} {} x {}", line.sku, line.qty, line.unit_price)?;
                if line.pending > 0 {
                    write!(f, " ({} pending)", line.pending)?;
                }
            }
            write!(f, " = {}", self.total)?;
        }
        if let Some(error) = &self.error {
            write!(f, ", error: {error}")?;
        }
        Ok(())
    }
}

/// Dispatches [`AddItemJob`]s and keeps [`CartState`] up to date.
///
/// The UI calls [`add_item`](Self::add_item) with the orchestrator's handle. A hook only sees
/// a job's *events*, never the job itself, so `add_item` leaves the job in a book shared
/// with the hooks (clones of a `CartOrchestrator` share it), keyed by the job id, before
/// dispatching: `on_started` reads it to show the item at once, the terminal hooks take it
/// out (and roll back with it if the add failed). The optimistic line thus appears when the
/// job starts, right after the dispatch and long before the server answers.
#[derive(Debug, Clone, Default)]
pub struct CartOrchestrator {
    /// Adds dispatched and not finished yet, by job id.
    adds: Arc<Mutex<HashMap<JobId, AddItemJob>>>,
}

impl CartOrchestrator {
    /// The "add to cart" button: dispatches one [`AddItemJob`] and returns at once.
    ///
    /// While an add of the same product runs, a second one is refused with
    /// `DispatchError::Duplicate` (dedup key `add:<sku>`): two rapid clicks make one job.
    pub fn add_item(
        &self,
        handle: &OrchestratorHandle<Self>,
        sku: &str,
        qty: u32,
        shown_price: Cents,
    ) -> Result<JobId, DispatchError> {
        let job = AddItemJob::new(sku, qty, shown_price);
        let id = JobId::new();
        self.adds().insert(id, job.clone());
        let options = DispatchOptions::new().id(id).dedup_key(format!("add:{sku}")).timeout(ADD_TIMEOUT);
        handle.dispatch_with(job, options).inspect_err(|_| {
            self.adds().remove(&id);
        })
    }

    fn adds(&self) -> MutexGuard<'_, HashMap<JobId, AddItemJob>> {
        self.adds.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// An add ended without succeeding: roll back what it showed, and say why.
    fn add_failed(&mut self, event: &Event, why: String, cx: &mut OrchestratorContext<'_, CartState>) {
        let Some(job) = self.adds().remove(&event.job_id()) else { return };
        if cx.state().line(&job.sku).is_none() {
            return; // the cart was emptied meanwhile (logout): nothing to take back
        }
        cx.update(|state| {
            state.roll_back(&job);
            state.error = Some(format!("could not add {}: {why}", job.sku));
        });
    }
}

impl Orchestrator for CartOrchestrator {
    type State = CartState;

    /// Active: an add started. Show the item right away (optimistic update).
    fn on_started(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, Self::State>) {
        let job = self.adds().get(&event.job_id()).cloned();
        if let Some(job) = job {
            cx.update(|state| state.add_pending(&job));
        }
    }

    /// Active: the server accepted an add.
    fn on_domain_event(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, Self::State>) {
        if let Some(added) = event.domain::<ItemAddedEvent>() {
            cx.update(|state| state.confirm(added));
        }
    }

    fn on_succeeded(&mut self, event: &Event, _cx: &mut OrchestratorContext<'_, Self::State>) {
        self.adds().remove(&event.job_id());
    }

    fn on_failed(&mut self, event: &Event, error: &JobError, cx: &mut OrchestratorContext<'_, Self::State>) {
        self.add_failed(event, error.message().to_owned(), cx);
    }

    fn on_cancelled(
        &mut self,
        event: &Event,
        reason: Option<&str>,
        cx: &mut OrchestratorContext<'_, Self::State>,
    ) {
        self.add_failed(event, format!("cancelled ({})", reason.unwrap_or("no reason given")), cx);
    }

    fn on_timed_out(
        &mut self,
        event: &Event,
        after: Duration,
        cx: &mut OrchestratorContext<'_, Self::State>,
    ) {
        self.add_failed(event, format!("no answer within {after:?}"), cx);
    }

    /// Passive: the other features' events, observed on the global bus.
    fn on_passive(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, Self::State>) {
        if let Some(changed) = event.domain::<PriceChangedEvent>() {
            if cx.state().line(&changed.sku).is_some() {
                cx.update(|state| state.reprice(&changed.sku, changed.new));
            }
        } else if event.domain::<LoggedOutEvent>().is_some() {
            // The cart belonged to the user who left: stop the adds in flight and empty it.
            for id in cx.running() {
                cx.cancel(id, Some("logged out".to_owned()));
            }
            cx.set(CartState::default());
        }
    }
}

#[cfg(test)]
mod tests {
    //! The hooks alone, driven synchronously by the runtime's `OrchestratorHarness`: each
    //! event fed in gives one state, so the transitions are exact.

    use orch_runtime::testing::OrchestratorHarness;
    use orch_runtime::{EventKind, JobError, JobId};

    use super::*;

    /// An orchestrator whose book has the add `job` under a fresh id (what `add_item` does
    /// before dispatching), and that id.
    fn with_add(cart: &CartOrchestrator, job: AddItemJob) -> JobId {
        let id = JobId::new();
        cart.adds().insert(id, job);
        id
    }

    fn added(sku: &str, qty: u32, cents: u64) -> EventKind {
        EventKind::domain(ItemAddedEvent { sku: sku.into(), qty, unit_price: Cents(cents) })
    }

    /// An event of a job some other feature dispatched.
    fn elsewhere<T: Send + Sync + 'static>(job_type: &'static str, event: T) -> Event {
        Event::new(JobId::new(), job_type, EventKind::domain(event))
    }

    #[test]
    fn an_add_is_shown_at_once_then_confirmed_at_the_server_price() {
        let cart = CartOrchestrator::default();
        let id = with_add(&cart, AddItemJob::new("book", 1, Cents(1000)));
        let mut h = OrchestratorHarness::new(cart, CartState::default());
        let states: Vec<String> = [EventKind::Started, added("book", 1, 1299), EventKind::succeeded(())]
            .into_iter()
            .map(|kind| h.active_kind::<AddItemJob>(id, kind).to_string())
            .collect();
        assert_eq!(
            states,
            ["book 1 x 10.00 (1 pending) = 10.00", "book 1 x 12.99 = 12.99", "book 1 x 12.99 = 12.99"]
        );
        assert!(h.orchestrator().adds().is_empty(), "the book forgets finished adds");
    }

    #[test]
    fn a_failed_add_rolls_back_only_what_it_added() {
        let cart = CartOrchestrator::default();
        let first = with_add(&cart, AddItemJob::new("book", 2, Cents(1299)));
        let second = with_add(&cart, AddItemJob::new("book", 1, Cents(1299)));
        let mut h = OrchestratorHarness::new(cart, CartState::default());
        h.active_kind::<AddItemJob>(first, EventKind::Started);
        h.active_kind::<AddItemJob>(first, added("book", 2, 1299));
        h.active_kind::<AddItemJob>(first, EventKind::succeeded(()));

        let pending = h.active_kind::<AddItemJob>(second, EventKind::Started).to_string();
        assert_eq!(pending, "book 3 x 12.99 (1 pending) = 38.97");
        let failed = EventKind::failed(JobError::new("out of stock"));
        let rolled_back = h.active_kind::<AddItemJob>(second, failed).to_string();
        assert_eq!(rolled_back, "book 2 x 12.99 = 25.98, error: could not add book: out of stock");
    }

    #[test]
    fn a_price_change_elsewhere_updates_the_line_and_the_total() {
        let cart = CartOrchestrator::default();
        let id = with_add(&cart, AddItemJob::new("book", 2, Cents(1299)));
        let mut h = OrchestratorHarness::new(cart, CartState::default());
        h.active_kind::<AddItemJob>(id, EventKind::Started);
        h.active_kind::<AddItemJob>(id, added("book", 2, 1299));
        let updates = h.state_updates();

        let mug = PriceChangedEvent { sku: "mug".into(), old: Cents(850), new: Cents(500) };
        assert_eq!(h.passive(elsewhere("ChangePriceJob", mug)).to_string(), "book 2 x 12.99 = 25.98");
        assert_eq!(h.state_updates(), updates, "not in the cart: no state change");

        let book = PriceChangedEvent { sku: "book".into(), old: Cents(1299), new: Cents(999) };
        assert_eq!(h.passive(elsewhere("ChangePriceJob", book)).to_string(), "book 2 x 9.99 = 19.98");
    }

    #[test]
    fn a_logout_elsewhere_clears_the_cart_and_nothing_is_rolled_back_after() {
        let cart = CartOrchestrator::default();
        let book = with_add(&cart, AddItemJob::new("book", 1, Cents(1299)));
        let mug = with_add(&cart, AddItemJob::new("mug", 1, Cents(850)));
        let mut h = OrchestratorHarness::new(cart, CartState::default());
        h.active_kind::<AddItemJob>(book, EventKind::Started);
        h.active_kind::<AddItemJob>(book, added("book", 1, 1299));
        h.active_kind::<AddItemJob>(book, EventKind::succeeded(()));
        let state = h.active_kind::<AddItemJob>(mug, EventKind::Started).to_string();
        assert_eq!(state, "book 1 x 12.99, mug 1 x 8.50 (1 pending) = 21.49");

        let logged_out = elsewhere("LogoutJob", LoggedOutEvent { user: "ada".into() });
        assert_eq!(h.passive(logged_out).to_string(), "empty");
        // The hook cancelled the mug's job (`cx.cancel`; checked end to end in main.rs, as the
        // harness only tracks jobs its hooks dispatched). Its `Cancelled` finds nothing to undo.
        let cancelled = EventKind::cancelled(Some("logged out"));
        assert_eq!(h.active_kind::<AddItemJob>(mug, cancelled).to_string(), "empty");
        assert!(h.orchestrator().adds().is_empty());
    }
}
