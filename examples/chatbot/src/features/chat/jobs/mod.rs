//! Jobs of feature `chat`, one file each; their types are re-exported here.

mod generate_reply;
mod moderate_message;
mod retrieve_context;

pub use generate_reply::GenerateReplyJob;
pub use moderate_message::ModerateMessageJob;
pub use retrieve_context::RetrieveContextJob;
