//! The [`SignalBus`]: publish/subscribe of [`Event`]s, global or scoped.
//!
//! A bus is a bounded broadcast channel. Publishing never blocks and never fails. A
//! subscriber that falls behind by more than the capacity does not silently lose events: its
//! next item is [`BusItem::Lagged`] with the number of missed events, and it keeps receiving.
//! Events of a job's *owner* (the orchestrator that dispatched it) do not go through the bus
//! and are never lost; see [`Orchestrator`](crate::Orchestrator).

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

use tokio::sync::broadcast;

use crate::event::Event;

/// Default capacity of a bus (events a subscriber may fall behind before it lags).
pub const DEFAULT_BUS_CAPACITY: usize = 1024;
/// Upper bound of a bus capacity: the buffer is allocated up front (~200 bytes a slot).
const MAX_BUS_CAPACITY: usize = 1 << 16;

struct BusInner {
    tx: broadcast::Sender<Event>,
    name: Option<Arc<str>>,
    subscribers: AtomicUsize,
}

/// A publish/subscribe channel of [`Event`]s. Cheap to clone (clones share the bus).
///
/// [`SignalBus::new`] makes a global bus (events have scope `None`); [`SignalBus::scoped`]
/// makes an isolated bus whose events carry its name as scope. Buses never see each other's
/// events.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use orch_runtime::{BusItem, Event, EventKind, JobId, SignalBus};
///
/// let global = SignalBus::new();
/// let checkout = SignalBus::scoped("checkout");
/// let mut sub = checkout.subscribe();
/// let mut global_sub = global.subscribe();
///
/// checkout.publish(Event::new(JobId::new(), "PayJob", EventKind::Started));
/// match sub.recv().await {
///     Some(BusItem::Event(e)) => assert_eq!(e.scope(), Some("checkout")),
///     other => panic!("unexpected {other:?}"),
/// }
/// assert!(global_sub.try_recv().is_none()); // isolated
/// # }
/// ```
#[derive(Clone)]
pub struct SignalBus {
    inner: Arc<BusInner>,
}

impl SignalBus {
    /// A new global bus with the default capacity ([`DEFAULT_BUS_CAPACITY`]).
    pub fn new() -> Self {
        Self::build(None, DEFAULT_BUS_CAPACITY)
    }

    /// A new global bus; `capacity` is how many events a subscriber may fall behind before it
    /// gets a [`BusItem::Lagged`]. Clamped to `1..=65_536` (the buffer is allocated up front).
    pub fn with_capacity(capacity: usize) -> Self {
        Self::build(None, capacity)
    }

    /// A new isolated bus whose events carry `name` as their scope.
    pub fn scoped(name: impl Into<String>) -> Self {
        Self::scoped_with_capacity(name, DEFAULT_BUS_CAPACITY)
    }

    /// A scoped bus with a given capacity.
    pub fn scoped_with_capacity(name: impl Into<String>, capacity: usize) -> Self {
        let name: String = name.into();
        Self::build(Some(Arc::from(name)), capacity)
    }

    fn build(name: Option<Arc<str>>, capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity.clamp(1, MAX_BUS_CAPACITY));
        SignalBus { inner: Arc::new(BusInner { tx, name, subscribers: AtomicUsize::new(0) }) }
    }

    /// The scope name; `None` for a global bus.
    pub fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }

    pub(crate) fn name_arc(&self) -> Option<&Arc<str>> {
        self.inner.name.as_ref()
    }

    /// Publish an event to every current subscriber. Never blocks, never fails; with no
    /// subscribers the event is simply dropped. The event's scope is set to this bus's name.
    pub fn publish(&self, mut event: Event) {
        if !self.has_subscribers() {
            return;
        }
        event.set_scope(self.inner.name.as_ref());
        // An error only means that every receiver went away in the meantime.
        let _ = self.inner.tx.send(event);
    }

    /// Publish an event whose scope is already this bus's (internal fast path).
    pub(crate) fn publish_scoped(&self, event: Event) {
        let _ = self.inner.tx.send(event);
    }

    /// Subscribe: the subscription receives every event published from now on.
    pub fn subscribe(&self) -> Subscription {
        self.inner.subscribers.fetch_add(1, Ordering::SeqCst);
        Subscription { rx: self.inner.tx.subscribe(), bus: Arc::downgrade(&self.inner) }
    }

    /// How many subscriptions are alive.
    pub fn subscriber_count(&self) -> usize {
        self.inner.subscribers.load(Ordering::SeqCst)
    }

    /// True if at least one subscription is alive (cheap: one atomic load).
    pub fn has_subscribers(&self) -> bool {
        self.inner.subscribers.load(Ordering::Relaxed) != 0
    }

    /// True if both handles refer to the same bus.
    pub fn same_bus(&self, other: &SignalBus) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Default for SignalBus {
    fn default() -> Self {
        SignalBus::new()
    }
}

impl fmt::Debug for SignalBus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignalBus")
            .field("name", &self.name())
            .field("subscribers", &self.subscriber_count())
            .finish()
    }
}

/// What a [`Subscription`] yields.
#[derive(Clone, Debug)]
pub enum BusItem {
    /// The next event.
    Event(Event),
    /// The subscriber fell behind and missed this many events; it keeps receiving after.
    Lagged(u64),
}

impl BusItem {
    /// The event, if this item is one.
    pub fn event(&self) -> Option<&Event> {
        match self {
            BusItem::Event(e) => Some(e),
            BusItem::Lagged(_) => None,
        }
    }

    /// The event, if this item is one.
    pub fn into_event(self) -> Option<Event> {
        match self {
            BusItem::Event(e) => Some(e),
            BusItem::Lagged(_) => None,
        }
    }
}

/// A subscriber's end of a [`SignalBus`].
pub struct Subscription {
    rx: broadcast::Receiver<Event>,
    /// Weak, so that a subscription does not keep the bus open.
    bus: Weak<BusInner>,
}

impl Subscription {
    /// The next item; waits for one. `None` only once every handle to the bus is dropped
    /// (and all buffered events were received).
    pub async fn recv(&mut self) -> Option<BusItem> {
        match self.rx.recv().await {
            Ok(e) => Some(BusItem::Event(e)),
            Err(broadcast::error::RecvError::Lagged(n)) => Some(BusItem::Lagged(n)),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }

    /// The next item if one is ready, without waiting.
    pub fn try_recv(&mut self) -> Option<BusItem> {
        match self.rx.try_recv() {
            Ok(e) => Some(BusItem::Event(e)),
            Err(broadcast::error::TryRecvError::Lagged(n)) => Some(BusItem::Lagged(n)),
            Err(_) => None,
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(bus) = self.bus.upgrade() {
            bus.subscribers.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription").finish_non_exhaustive()
    }
}
