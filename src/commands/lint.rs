//! `orch lint`: check conventions for CI.

use super::Ctx;
use crate::cli::LintArgs;

/// Run the command.
pub fn run(_ctx: &Ctx<'_>, _args: LintArgs) -> anyhow::Result<()> {
    Err(crate::error::Failure::failed("not implemented yet").into())
}
