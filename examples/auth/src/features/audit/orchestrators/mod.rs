//! Orchestrators of feature `audit`, one file each; their types are re-exported here.

mod audit;

pub use audit::AuditOrchestrator;
pub use audit::AuditState;
