//! Executors of feature `pricing`, one file each; their types are re-exported here.

mod change_price;

pub use change_price::ChangePriceExecutor;
