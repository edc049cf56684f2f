//! `orch init`: adopt an existing cargo project in place; never overwrites.

use super::{Ctx, runtime_source};
use crate::cli::InitArgs;
use crate::generate;
use crate::plan::Plan;

/// Run the command.
pub fn run(ctx: &Ctx<'_>, args: InitArgs) -> anyhow::Result<()> {
    let project = ctx.project()?;
    let runtime = runtime_source(&args.runtime, &ctx.cwd, &project.root)?;
    let templates = super::project_templates(&project)?;
    let mut plan = Plan::new(&project.root);
    generate::plan_init(&mut plan, &project, &templates, runtime, args.public)?;
    super::finish(ctx, &plan, &args.write, "init")?;
    Ok(())
}
