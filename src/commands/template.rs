//! `orch template init|list|check`: customise templates.

use super::Ctx;
use crate::cli::TemplateCommand;

/// Run the command.
pub fn run(_ctx: &Ctx<'_>, _args: TemplateCommand) -> anyhow::Result<()> {
    Err(crate::error::Failure::failed("not implemented yet").into())
}
