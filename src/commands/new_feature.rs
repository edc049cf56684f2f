//! `orch new feature <name>`: a full feature, wired in.

use super::Ctx;
use crate::cli::NewFeatureArgs;

/// Run the command.
pub fn run(_ctx: &Ctx<'_>, _args: NewFeatureArgs) -> anyhow::Result<()> {
    Err(crate::error::Failure::failed("not implemented yet").into())
}
