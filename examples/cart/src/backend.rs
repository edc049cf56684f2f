//! A simulated shop server: in-process, deterministic, no network.
//!
//! It plays the part of the I/O in this example, so only executors talk to it. Every call
//! waits for the server's latency (a `tokio::time::sleep`: instant and exact under paused
//! time in tests) and then answers. Tests and the demo make the next "add to cart" fail
//! ([`Shop::fail_next_add`]) or slow ([`Shop::delay_next_add`]).
//!
//! The server applies a call only once its latency has elapsed: a call whose future is
//! dropped before (a job cancelled or timed out) changes nothing, as with a request that
//! never reached the server.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::money::Cents;

/// What the shop answers instead of doing what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShopError {
    /// No stock left for the product.
    OutOfStock,
    /// The shop does not sell this product.
    UnknownProduct,
    /// The server is down for a moment.
    Unavailable,
}

impl fmt::Display for ShopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ShopError::OutOfStock => "out of stock",
            ShopError::UnknownProduct => "unknown product",
            ShopError::Unavailable => "shop unavailable",
        })
    }
}

// An executor returns it with `?`: it becomes a `JobError` carrying this message.
impl std::error::Error for ShopError {}

/// The simulated shop. Share it between executors with an `Arc`.
#[derive(Debug)]
pub struct Shop {
    latency: Duration,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// The catalog: sku -> unit price.
    prices: BTreeMap<String, Cents>,
    /// The user's cart as the server knows it: sku -> quantity.
    cart: BTreeMap<String, u32>,
    /// Answers for the next "add to cart" calls, in order, instead of serving them.
    add_failures: VecDeque<ShopError>,
    /// Extra latency for the next "add to cart" calls, in order.
    add_delays: VecDeque<Duration>,
    /// Every call that reached the server, in order (`"add book x1"`, `"price book 999"`).
    calls: Vec<String>,
}

impl Shop {
    /// A shop selling `book` (12.99), `mug` (8.50) and `tee` (19.00), answering after
    /// `latency`.
    pub fn new(latency: Duration) -> Self {
        let prices = [("book", 1299), ("mug", 850), ("tee", 1900)]
            .into_iter()
            .map(|(sku, cents)| (sku.to_owned(), Cents(cents)))
            .collect();
        Shop { latency, inner: Mutex::new(Inner { prices, ..Inner::default() }) }
    }

    /// The next "add to cart" fails with `error` (calls queue up).
    pub fn fail_next_add(&self, error: ShopError) {
        self.lock().add_failures.push_back(error);
    }

    /// The next "add to cart" takes `extra` longer (calls queue up).
    pub fn delay_next_add(&self, extra: Duration) {
        self.lock().add_delays.push_back(extra);
    }

    /// Every call that reached the server so far, in order.
    pub fn calls(&self) -> Vec<String> {
        self.lock().calls.clone()
    }

    /// The cart as the server knows it: (sku, quantity), by sku.
    pub fn cart(&self) -> Vec<(String, u32)> {
        self.lock().cart.iter().map(|(sku, qty)| (sku.clone(), *qty)).collect()
    }

    /// Adds `qty` of `sku` to the cart; answers the current unit price.
    pub async fn add_to_cart(&self, sku: &str, qty: u32) -> Result<Cents, ShopError> {
        let extra = self.lock().add_delays.pop_front().unwrap_or_default();
        tokio::time::sleep(self.latency + extra).await;
        let mut inner = self.lock();
        inner.calls.push(format!("add {sku} x{qty}"));
        if let Some(error) = inner.add_failures.pop_front() {
            return Err(error);
        }
        let price = *inner.prices.get(sku).ok_or(ShopError::UnknownProduct)?;
        *inner.cart.entry(sku.to_owned()).or_default() += qty;
        Ok(price)
    }

    /// Sets the unit price of `sku`; answers the previous one.
    pub async fn change_price(&self, sku: &str, price: Cents) -> Result<Cents, ShopError> {
        tokio::time::sleep(self.latency).await;
        let mut inner = self.lock();
        inner.calls.push(format!("price {sku} {}", price.0));
        let old = inner.prices.get_mut(sku).ok_or(ShopError::UnknownProduct)?;
        Ok(std::mem::replace(old, price))
    }

    /// Ends the user's session; the server forgets their cart.
    pub async fn logout(&self, user: &str) -> Result<(), ShopError> {
        tokio::time::sleep(self.latency).await;
        let mut inner = self.lock();
        inner.calls.push(format!("logout {user}"));
        inner.cart.clear();
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
