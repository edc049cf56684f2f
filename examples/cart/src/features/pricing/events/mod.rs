//! Domain events of feature `pricing`, one file each; their types are re-exported here.

mod price_changed;

pub use price_changed::PriceChangedEvent;
