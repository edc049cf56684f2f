//! A whole feature: its folders, components, `mod.rs` with `register` and `demo`, wired into
//! the features module.

use std::path::Path;

use super::component::{Component, Siblings, render_component, render_folder_mod, wire_component};
use super::{
    Location, base, check_module_collision, context, edit_rust, ensure_declared, module_path, render,
};
use crate::cli::ComponentKind;
use crate::config::FeatureParts;
use crate::error::Failure;
use crate::names::Name;
use crate::plan::{Plan, display};
use crate::project::Project;
use crate::templates::Templates;
use crate::wiring;

/// Which parts a new feature gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// `jobs/<name>.rs`.
    pub job: bool,
    /// `events/<name>.rs`.
    pub event: bool,
    /// `executors/<name>.rs` (needs the job).
    pub executor: bool,
    /// `orchestrators/<name>.rs` with the orchestrator and its state.
    pub orchestrator: bool,
}

impl Parts {
    /// Everything.
    pub fn all() -> Parts {
        Parts { job: true, event: true, executor: true, orchestrator: true }
    }

    /// The parts configured in `orch.toml` (`[feature]`).
    pub fn from_config(parts: &FeatureParts) -> Parts {
        Parts {
            job: parts.job,
            event: parts.event,
            executor: parts.executor,
            orchestrator: parts.orchestrator,
        }
    }
}

/// Make sure the features module exists: `<features_dir>/mod.rs` (from the template, with no
/// feature yet), declared as `pub mod` in its parent (the crate root for `src/features`).
pub fn plan_features_root(
    plan: &mut Plan,
    project: &Project,
    templates: &Templates,
    features_dir: &Path,
) -> anyhow::Result<()> {
    let base = base(plan, project);
    let file = base.join(features_dir).join("mod.rs");
    if plan.exists(&file) {
        return Ok(());
    }
    module_path(features_dir, "the features directory")?;
    check_module_collision(plan, &file)?;
    plan.create(&file, empty_features_module(templates)?, false)?;
    ensure_declared(plan, &base, features_dir)
}

/// The features module as generated before any feature is wired into it (also what
/// `orch remove` compares against to know it can delete one).
pub(crate) fn empty_features_module(templates: &Templates) -> anyhow::Result<String> {
    let mut ctx = context();
    ctx.insert("features", &Vec::<String>::new());
    render(templates, "features/mod.rs.tera", &ctx)
}

/// Plan feature `name` with `parts` in `features_dir` (default: `[paths] features`): its files
/// and tests, its `mod.rs` with `register` (one line per executor) and `demo`, wired into the
/// features module. An existing feature is an error unless `force`, which plans the component
/// files again (the command then refuses to overwrite edited ones, `record::check_overwrites`)
/// and merges the wiring into the existing `mod.rs` files.
pub fn plan_feature(
    plan: &mut Plan,
    project: &Project,
    templates: &Templates,
    name: &Name,
    parts: Parts,
    features_dir: Option<&Path>,
    force: bool,
) -> anyhow::Result<Location> {
    let base = base(plan, project);
    let features_dir = features_dir.unwrap_or(project.features_dir());
    let location = Location::feature_in(features_dir, name)?;
    let dir = base.join(&location.dir);
    let feature_mod = dir.join("mod.rs");
    check_module_collision(plan, &feature_mod)?;
    super::check_feature_declaration(plan, &dir)?;
    let features_mod = base.join(features_dir).join("mod.rs");
    if plan.exists(&dir) && !force {
        return Err(Failure::failed(format!("feature `{}` already exists", name.snake))
            .at(&dir)
            .hint(format!(
                "pick another name, add components with `orch add <kind> <name> --feature {}`, \
                 or pass --force to regenerate the files you have not edited",
                name.snake
            ))
            .into());
    }
    plan_features_root(plan, project, templates, features_dir)?;

    let mut parts = parts;
    if parts.executor && !parts.job {
        plan.note(format!("no executor for feature `{}`: an executor needs a job (--no-job)", name.snake));
        parts.executor = false;
    }
    let siblings = Siblings { job: parts.job, event: parts.event, state_file: false };
    let mut components = Vec::new();
    for (wanted, kind) in [
        (parts.event, ComponentKind::Event),
        (parts.executor, ComponentKind::Executor),
        (parts.job, ComponentKind::Job),
        (parts.orchestrator, ComponentKind::Orchestrator),
    ] {
        if wanted {
            components.push(Component::new(kind, name, false));
        }
    }

    let existed = plan.exists(&feature_mod);
    if !existed {
        let mut ctx = context();
        ctx.insert("snake", &name.snake);
        ctx.insert("pascal", &name.pascal);
        let folders: Vec<&str> = components.iter().map(|c| c.folder).collect();
        ctx.insert("folders", &folders);
        let register_lines = if parts.executor {
            wiring::register_call_lines(
                "    ",
                "builder",
                &format!("jobs::{}Job", name.pascal),
                &format!("executors::{}Executor", name.pascal),
            )
        } else {
            Vec::new()
        };
        ctx.insert("register_lines", &register_lines);
        ctx.insert("has_job", &parts.job);
        ctx.insert("has_orchestrator", &parts.orchestrator);
        plan.create(&feature_mod, render(templates, "feature/mod.rs.tera", &ctx)?, false)?;
    }
    for component in &components {
        let file = base.join(component.file(&location));
        check_module_collision(plan, &file)?;
        let text = render_component(templates, component, &location, name, siblings)?;
        plan.create(&file, text, force)?;
        let folder_mod = dir.join(component.folder).join("mod.rs");
        if existed || plan.exists(&folder_mod) {
            wire_component(plan, templates, &base, &location, component)?;
        } else {
            let entry = (component.stem.as_str(), component.types.as_slice());
            let text = render_folder_mod(templates, &location, component.folder, &[entry])?;
            plan.create(&folder_mod, text, false)?;
        }
    }
    edit_rust(plan, &features_mod, |s| wiring::ensure_feature_wired(s, &name.snake))?;
    if features_dir != project.features_dir() {
        plan.note(format!(
            "feature placed in {} (not the configured features directory)",
            display(features_dir)
        ));
        let module = module_path(features_dir, "the features directory")?;
        plan.next_step(format!(
            "in main: `{module}::register(&mut builder)?;` and `{module}::demo(&dispatcher).await;` \
             (orch wires only the configured features directory into main)"
        ));
    }
    Ok(location)
}
