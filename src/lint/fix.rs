//! `orch lint --fix`: turn fixable findings into one plan (filled in below).

use super::Finding;
use crate::plan::Plan;
use crate::project::Project;

/// Plan the fixes for `findings` in `project`.
pub fn plan(project: &Project, findings: &[Finding]) -> anyhow::Result<Plan> {
    let _ = findings;
    Ok(Plan::new(&project.root))
}
