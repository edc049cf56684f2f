//! `orch remove <kind> <name>`: exact undo of a generation.

use super::Ctx;
use crate::cli::RemoveArgs;

/// Run the command.
pub fn run(_ctx: &Ctx<'_>, _args: RemoveArgs) -> anyhow::Result<()> {
    Err(crate::error::Failure::failed("not implemented yet").into())
}
