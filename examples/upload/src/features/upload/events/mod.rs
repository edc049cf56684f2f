//! Domain events of feature `upload`, one file each; their types are re-exported here.

mod upload_resumed;

pub use upload_resumed::UploadResumedEvent;
