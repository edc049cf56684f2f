//! Executors of feature `session`, one file each; their types are re-exported here.

mod logout;

pub use logout::LogoutExecutor;
