//! `AddItemJob`: put a product in the cart. Carried out by `AddItemExecutor`.

use orch_runtime::Job;

use crate::money::Cents;

/// Asks to add `qty` of `sku` to the cart. A job is an immutable command: it carries every
/// input its executor needs (and, here, what the UI showed, for the optimistic update).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddItemJob {
    /// The product.
    pub sku: String,
    /// How many.
    pub qty: u32,
    /// The unit price the UI showed; the server's answer has the final word.
    pub shown_price: Cents,
}

impl AddItemJob {
    /// Add `qty` of `sku`, shown at `shown_price` each.
    pub fn new(sku: impl Into<String>, qty: u32, shown_price: Cents) -> Self {
        Self { sku: sku.into(), qty, shown_price }
    }
}

impl Job for AddItemJob {
    /// Nothing: the `ItemAddedEvent` says what the server accepted.
    type Output = ();
}
