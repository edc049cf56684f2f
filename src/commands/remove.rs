//! `orch remove <kind> <name>`: exact undo of a generation (see [`crate::remove`]).

use super::{Ctx, orch_project};
use crate::cli::{ComponentKind, RemoveArgs, RemoveKind};
use crate::generate::{Location, kind_suffix};
use crate::names::Name;
use crate::plan::Plan;

/// Run the command.
pub fn run(ctx: &Ctx<'_>, args: RemoveArgs) -> anyhow::Result<()> {
    let project = orch_project(ctx)?;
    let templates = super::project_templates(&project)?;
    let mut plan = Plan::new(&project.root);
    let kind = match args.kind {
        RemoveKind::Feature => {
            let name = Name::parse(&args.name, "feature")?;
            let dir = args.path.as_deref().map(super::new_feature::relative_dir).transpose()?;
            crate::remove::plan_feature_removal(
                &mut plan,
                &project,
                &templates,
                &name,
                dir.as_deref(),
                args.force,
            )?;
            let what = format!("feature `{}`", name.snake);
            super::finish(ctx, &plan, &args.write, &what)?;
            return Ok(());
        }
        RemoveKind::Job => ComponentKind::Job,
        RemoveKind::Event => ComponentKind::Event,
        RemoveKind::Executor => ComponentKind::Executor,
        RemoveKind::Orchestrator => ComponentKind::Orchestrator,
        RemoveKind::State => ComponentKind::State,
    };
    let noun = kind_suffix(kind);
    let mut name = Name::parse(&args.name, noun)?;
    if let Some(stem) = name.snake.strip_suffix(&format!("_{noun}")) {
        name = Name::parse(stem, noun)?;
    }
    if args.path.is_some() {
        return Err(crate::error::Failure::usage("-o/--path applies to `orch remove feature` only")
            .hint("use --feature to name the feature a component is in")
            .into());
    }
    let location = match args.feature.or_else(|| project.current_feature()) {
        Some(feature) => Location::feature(&project.config, &Name::parse(&feature, "feature")?)?,
        None => Location::core(&project.config)?,
    };
    crate::remove::plan_component_removal(&mut plan, &templates, kind, &name, &location, args.force)?;
    let what = format!("{noun} `{}` in {}", name.snake, location.label);
    super::finish(ctx, &plan, &args.write, &what)?;
    Ok(())
}
