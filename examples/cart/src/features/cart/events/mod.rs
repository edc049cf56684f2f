//! Domain events of feature `cart`, one file each; their types are re-exported here.

mod item_added;

pub use item_added::ItemAddedEvent;
