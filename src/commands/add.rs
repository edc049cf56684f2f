//! `orch add <kind> <name>`: one component into a feature or core, wired in.

use super::Ctx;
use crate::cli::AddArgs;

/// Run the command.
pub fn run(_ctx: &Ctx<'_>, _args: AddArgs) -> anyhow::Result<()> {
    Err(crate::error::Failure::failed("not implemented yet").into())
}
