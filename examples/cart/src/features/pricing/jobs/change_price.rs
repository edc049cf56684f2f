//! `ChangePriceJob`: set a product's price. Carried out by `ChangePriceExecutor`.

use orch_runtime::Job;

use crate::money::Cents;

/// Asks to sell `sku` at `price` from now on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangePriceJob {
    /// The product.
    pub sku: String,
    /// Its new unit price.
    pub price: Cents,
}

impl ChangePriceJob {
    /// Sell `sku` at `price`.
    pub fn new(sku: impl Into<String>, price: Cents) -> Self {
        Self { sku: sku.into(), price }
    }
}

impl Job for ChangePriceJob {
    /// Nothing: the `PriceChangedEvent` says what changed.
    type Output = ();
}
