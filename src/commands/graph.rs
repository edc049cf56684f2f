//! `orch graph`: the project flow as Mermaid or DOT.

use super::Ctx;
use crate::cli::GraphArgs;

/// Run the command.
pub fn run(_ctx: &Ctx<'_>, _args: GraphArgs) -> anyhow::Result<()> {
    Err(crate::error::Failure::failed("not implemented yet").into())
}
