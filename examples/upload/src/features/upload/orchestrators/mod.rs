//! Orchestrators of feature `upload`, one file each; their types are re-exported here.

mod upload;

pub use upload::UploadOrchestrator;
pub use upload::UploadState;
