//! Orchestrators of feature `cart`, one file each; their types are re-exported here.

mod cart;

pub use cart::ADD_TIMEOUT;
pub use cart::CartLineState;
pub use cart::CartOrchestrator;
pub use cart::CartState;
