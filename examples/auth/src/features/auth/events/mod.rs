//! Domain events of feature `auth`, one file each; their types are re-exported here.

mod logged_in;
mod logged_out;
mod tokens_issued;

pub use logged_in::LoggedInEvent;
pub use logged_out::LoggedOutEvent;
pub use tokens_issued::TokensIssuedEvent;
