//! `HandoffRolledBackEvent`: a domain event of feature `handoff`.

use std::fmt;

use orch_runtime::SagaReport;

/// A step of the handoff failed and the steps done before it were undone, last first. Carries
/// the saga's report: what was compensated, and which compensations failed (those need a
/// human to clean up). Published by `HandoffExecutor` just before the job fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffRolledBackEvent {
    /// The step that failed.
    pub failed_step: String,
    /// Why it failed.
    pub error: String,
    /// The steps undone, in the order their compensations ran.
    pub compensated: Vec<String>,
    /// The steps whose compensation failed, with the error.
    pub compensation_failures: Vec<(String, String)>,
}

impl From<&SagaReport> for HandoffRolledBackEvent {
    fn from(report: &SagaReport) -> Self {
        HandoffRolledBackEvent {
            failed_step: report.failed_step.to_owned(),
            error: report.error.message().to_owned(),
            compensated: report.compensated.iter().map(|step| step.to_string()).collect(),
            compensation_failures: report
                .compensation_failures
                .iter()
                .map(|(step, error)| (step.to_string(), error.message().to_owned()))
                .collect(),
        }
    }
}

impl fmt::Display for HandoffRolledBackEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "rolled back after `{}` failed; undone: {}",
            self.failed_step,
            self.compensated.join(", ")
        )?;
        for (step, error) in &self.compensation_failures {
            write!(f, "; NOT undone: {step} ({error})")?;
        }
        Ok(())
    }
}
