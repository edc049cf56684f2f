//! `orch add <kind> <name>`: one component into a feature or core, wired in.

use clap::ValueEnum;

use super::{Ctx, adopted_project, ask};
use crate::cli::{AddArgs, ComponentKind};
use crate::error::Failure;
use crate::generate::{self, Location};
use crate::names::Name;
use crate::plan::Plan;

/// Run the command.
pub fn run(ctx: &Ctx<'_>, args: AddArgs) -> anyhow::Result<()> {
    let out = ctx.out;
    let project = adopted_project(ctx)?;
    let kind = match args.kind {
        Some(kind) => kind,
        None => {
            let raw = ask(
                out,
                None,
                "component kind (job, event, executor, orchestrator, state)",
                "`orch add <KIND> <NAME>`",
            )?;
            ComponentKind::from_str(raw.trim(), true).map_err(|_| {
                Failure::usage(format!("unknown component kind {raw:?}"))
                    .hint("one of: job, event, executor, orchestrator, state")
            })?
        }
    };
    let noun = generate::kind_suffix(kind);
    let raw = ask(out, args.name, &format!("{noun} name"), "`orch add <KIND> <NAME>`")?;
    let mut name = Name::parse(&raw, noun)?;
    let mut plan = Plan::new(&project.root);
    if let Some(stem) = name.snake.strip_suffix(&format!("_{noun}"))
        && let Ok(stripped) = Name::parse(stem, noun)
    {
        let suffix = &name.pascal[stripped.pascal.len()..];
        plan.note(format!("using name `{}`: orch adds the `{suffix}` suffix itself", stripped.snake));
        name = stripped;
    }
    name.check_not_a_crate(noun, &crate::names::project_crates(&project.root), "Cargo.toml")?;
    let feature = match args.feature {
        Some(feature) => Some(feature),
        None if args.interactive && out.is_interactive() => {
            let default = project.current_feature().unwrap_or_default();
            Some(out.prompt_default("feature (empty for core)", &default)?).filter(|f| !f.is_empty())
        }
        None => project.current_feature(),
    };
    let location = match feature {
        Some(feature) => Location::feature(&project.config, &Name::parse(&feature, "feature")?)?,
        None => Location::core(&project.config)?,
    };
    let templates = super::project_templates(&project)?;
    generate::plan_component(&mut plan, &project, &templates, kind, &name, &location, args.regenerate.force)?;
    plan.next_step("cargo test");
    let what = format!("{noun} `{}` in {}", name.snake, location.label);
    crate::record::check_overwrites(&mut plan, args.regenerate.overwrite_edited)?;
    super::finish(ctx, &plan, &args.write, &what)?;
    Ok(())
}
