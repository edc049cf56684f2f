//! Jobs of feature `cart`, one file each; their types are re-exported here.

mod add_item;

pub use add_item::AddItemJob;
