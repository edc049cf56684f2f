//! `orch init`: adopt an existing cargo project in place; never overwrites.

use super::Ctx;
use crate::cli::InitArgs;

/// Run the command.
pub fn run(_ctx: &Ctx<'_>, _args: InitArgs) -> anyhow::Result<()> {
    Err(crate::error::Failure::failed("not implemented yet").into())
}
