//! `ItemAddedEvent`: a domain event of feature `cart`.

use std::fmt;

use crate::money::Cents;

/// The server put `qty` of `sku` in the cart, at `unit_price` each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemAddedEvent {
    /// The product.
    pub sku: String,
    /// How many were added.
    pub qty: u32,
    /// The server's unit price.
    pub unit_price: Cents,
}

impl fmt::Display for ItemAddedEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ItemAdded({} x{} @ {})", self.sku, self.qty, self.unit_price)
    }
}
