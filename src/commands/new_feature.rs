//! `orch new feature <name>`: a full feature, wired in.

use std::path::{Component, PathBuf};

use super::{Ctx, ask, orch_project};
use crate::cli::NewFeatureArgs;
use crate::error::Failure;
use crate::generate::{self, Parts};
use crate::names::Name;
use crate::plan::Plan;

/// Run the command.
pub fn run(ctx: &Ctx<'_>, args: NewFeatureArgs) -> anyhow::Result<()> {
    let out = ctx.out;
    let project = orch_project(ctx)?;
    let raw = ask(out, args.name, "feature name", "`orch new feature <NAME>`")?;
    let name = Name::parse(&raw, "feature")?;
    name.check_not_a_crate("feature", &crate::names::project_crates(&project.root), "Cargo.toml")?;
    let mut parts = Parts::from_config(&project.config.feature);
    parts.job &= !args.no_job;
    parts.event &= !args.no_event;
    parts.executor &= !args.no_executor;
    parts.orchestrator &= !args.no_orchestrator;
    if args.interactive && out.is_interactive() {
        for (label, part) in [
            ("job", &mut parts.job),
            ("domain event", &mut parts.event),
            ("executor", &mut parts.executor),
            ("orchestrator + state", &mut parts.orchestrator),
        ] {
            *part = out.confirm(&format!("generate the {label}?"), *part)?;
        }
    }
    let dir = match &args.path {
        Some(path) => Some(relative_dir(path)?),
        None => None,
    };
    let templates = super::project_templates(&project)?;
    let mut plan = Plan::new(&project.root);
    generate::plan_feature(
        &mut plan,
        &project,
        &templates,
        &name,
        parts,
        dir.as_deref(),
        args.regenerate.force,
    )?;
    // An executor needs a job (plan_feature drops it otherwise); name only the tests generated.
    let tested: Vec<&str> = [(parts.executor && parts.job, "executor"), (parts.orchestrator, "orchestrator")]
        .into_iter()
        .filter_map(|(wanted, what)| wanted.then_some(what))
        .collect();
    if !tested.is_empty() {
        plan.next_step(format!("cargo test   # runs the new {} tests", tested.join(" and ")));
    }
    plan.next_step("cargo run    # the demo now includes this feature");
    crate::record::check_overwrites(&mut plan, args.regenerate.overwrite_edited)?;
    super::finish(ctx, &plan, &args.write, &format!("feature `{}`", name.snake))?;
    Ok(())
}

/// `-o DIR`: a plain relative path inside the project.
pub(super) fn relative_dir(path: &std::path::Path) -> anyhow::Result<PathBuf> {
    if path.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir)) {
        return Ok(path.components().filter(|c| matches!(c, Component::Normal(_))).collect());
    }
    Err(Failure::usage(format!(
        "-o/--path {} must be relative to the project root, without `..`",
        path.display()
    ))
    .hint("e.g. `-o src/modules`")
    .into())
}
