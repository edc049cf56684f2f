//! Domain events of feature `chat`, one file each; their types are re-exported here.

mod token_streamed;

pub use token_streamed::TokenStreamedEvent;
