//! `orch doctor`: check the project setup; `--fix` applies the safe fixes.

use super::Ctx;
use crate::cli::DoctorArgs;

/// Run the command.
pub fn run(_ctx: &Ctx<'_>, _args: DoctorArgs) -> anyhow::Result<()> {
    Err(crate::error::Failure::failed("not implemented yet").into())
}
