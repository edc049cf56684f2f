//! `orch new project <name>`: a new cargo project in the orch layout.

use super::Ctx;
use crate::cli::NewProjectArgs;

/// Run the command.
pub fn run(_ctx: &Ctx<'_>, _args: NewProjectArgs) -> anyhow::Result<()> {
    Err(crate::error::Failure::failed("not implemented yet").into())
}
