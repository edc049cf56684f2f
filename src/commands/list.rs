//! `orch list`: templates and the project components.

use super::Ctx;
use crate::cli::ListArgs;

/// Run the command.
pub fn run(_ctx: &Ctx<'_>, _args: ListArgs) -> anyhow::Result<()> {
    Err(crate::error::Failure::failed("not implemented yet").into())
}
