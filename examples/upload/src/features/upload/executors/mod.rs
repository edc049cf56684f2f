//! Executors of feature `upload`, one file each; their types are re-exported here.

mod upload;

pub use upload::UploadExecutor;
