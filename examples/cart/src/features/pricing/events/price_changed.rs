//! `PriceChangedEvent`: a domain event of feature `pricing`, for whoever shows prices.

use std::fmt;

use crate::money::Cents;

/// The unit price of `sku` went from `old` to `new`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceChangedEvent {
    /// The product.
    pub sku: String,
    /// The previous unit price.
    pub old: Cents,
    /// The unit price from now on.
    pub new: Cents,
}

impl fmt::Display for PriceChangedEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PriceChanged({}: {} -> {})", self.sku, self.old, self.new)
    }
}
