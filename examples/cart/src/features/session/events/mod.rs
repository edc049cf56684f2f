//! Domain events of feature `session`, one file each; their types are re-exported here.

mod logged_out;

pub use logged_out::LoggedOutEvent;
