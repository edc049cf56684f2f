//! One component (job, event, executor, orchestrator, state) into a feature or core, wired in.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Location, base, check_module_collision, context, edit_rust, plan_core, render};
use crate::analysis::Role;
use crate::cli::ComponentKind;
use crate::error::Failure;
use crate::names::Name;
use crate::plan::{Plan, display};
use crate::project::Project;
use crate::templates::Templates;
use crate::wiring::{self, Vis};

/// What one component is made of: its folder, file stem, public types and template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// The kind of component.
    pub kind: ComponentKind,
    /// Its folder in a feature or core (`jobs`).
    pub folder: &'static str,
    /// Its file stem and module name (`login`, `login_state` for a state).
    pub stem: String,
    /// The public types its file defines, re-exported by the folder's `mod.rs`.
    pub types: Vec<String>,
    /// The template that renders it.
    pub template: &'static str,
}

impl Component {
    /// The component of `kind` named `name`. An orchestrator whose state lives in its own file
    /// (`state_file`) defines only the orchestrator type.
    pub fn new(kind: ComponentKind, name: &Name, state_file: bool) -> Component {
        let p = &name.pascal;
        let role = role_of(kind);
        let (stem, types, template) = match kind {
            ComponentKind::Orchestrator => {
                let mut types = vec![format!("{p}{}", role.suffix())];
                if !state_file {
                    types.push(format!("{p}State"));
                }
                (name.snake.clone(), types, role.template())
            }
            // a state is no role of its own: it lives with the orchestrators
            ComponentKind::State => {
                (format!("{}_state", name.snake), vec![format!("{p}State")], "state/state.rs.tera")
            }
            _ => (name.snake.clone(), vec![format!("{p}{}", role.suffix())], role.template()),
        };
        let folder = role.name();
        Component { kind, folder, stem, types, template }
    }

    /// Its file, relative to the project root.
    pub fn file(&self, location: &Location) -> PathBuf {
        location.dir.join(self.folder).join(format!("{}.rs", self.stem))
    }
}

/// The role (and so the folder) of a component kind.
pub fn role_of(kind: ComponentKind) -> Role {
    match kind {
        ComponentKind::Job => Role::Jobs,
        ComponentKind::Event => Role::Events,
        ComponentKind::Executor => Role::Executors,
        ComponentKind::Orchestrator | ComponentKind::State => Role::Orchestrators,
    }
}

/// The suffix a component's type carries (`Job` for jobs), lower-case as in file names.
pub fn kind_suffix(kind: ComponentKind) -> &'static str {
    match kind {
        ComponentKind::Job => "job",
        ComponentKind::Event => "event",
        ComponentKind::Executor => "executor",
        ComponentKind::Orchestrator => "orchestrator",
        ComponentKind::State => "state",
    }
}

/// Heading and singular noun of a component folder, for its `mod.rs` doc comment.
fn folder_words(folder: &str) -> (&'static str, &'static str) {
    Role::from_name(folder).unwrap_or(Role::Orchestrators).words()
}

#[derive(Serialize)]
struct Entry<'a> {
    module: &'a str,
    types: &'a [String],
}

/// The rendered `mod.rs` of a component folder holding `entries` (module, types).
pub(crate) fn render_folder_mod(
    templates: &Templates,
    location: &Location,
    folder: &str,
    entries: &[(&str, &[String])],
) -> anyhow::Result<String> {
    let (title, singular) = folder_words(folder);
    let mut ctx = context();
    ctx.insert("title", title);
    ctx.insert("singular", singular);
    ctx.insert("owner", &location.label);
    ctx.insert("folder", folder);
    let entries: Vec<Entry<'_>> = entries.iter().map(|(module, types)| Entry { module, types }).collect();
    ctx.insert("entries", &entries);
    render(templates, "folder/mod.rs.tera", &ctx)
}

/// Which related components exist next to a component (as the plan would leave the tree).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Siblings {
    pub job: bool,
    pub event: bool,
    pub state_file: bool,
}

impl Siblings {
    pub(crate) fn look(plan: &Plan, dir: &Path, name: &Name) -> Siblings {
        Siblings {
            job: plan.exists(dir.join(Role::Jobs.name()).join(format!("{}.rs", name.snake))),
            event: plan.exists(dir.join(Role::Events.name()).join(format!("{}.rs", name.snake))),
            state_file: plan
                .exists(dir.join(Role::Orchestrators.name()).join(format!("{}_state.rs", name.snake))),
        }
    }
}

/// Render the file of `component` named `name` in `location`.
pub(crate) fn render_component(
    templates: &Templates,
    component: &Component,
    location: &Location,
    name: &Name,
    siblings: Siblings,
) -> anyhow::Result<String> {
    let mut ctx = context();
    ctx.insert("snake", &name.snake);
    ctx.insert("pascal", &name.pascal);
    ctx.insert("owner", &location.label);
    ctx.insert("module_path", &location.module_path);
    ctx.insert("has_job", &siblings.job);
    ctx.insert("has_event", &siblings.event);
    ctx.insert("state_file", &siblings.state_file);
    render(templates, component.template, &ctx)
}

/// Plan one component of `kind` named `name` in `location`, wired in: its file, its folder's
/// `mod.rs` (`mod` line and `pub use` of its types; created if missing), the folder's
/// `pub mod` line in the location's `mod.rs`, and for an executor its registration in
/// `fn register`. An executor whose job does not exist creates the job too (with a note).
/// `force` plans an existing component file again (the command refuses to overwrite an edited
/// one, `record::check_overwrites`); wiring is idempotent.
///
/// Core is created (and declared in the crate root) when missing; a missing feature is an error.
pub fn plan_component(
    plan: &mut Plan,
    project: &Project,
    templates: &Templates,
    kind: ComponentKind,
    name: &Name,
    location: &Location,
    force: bool,
) -> anyhow::Result<()> {
    let base = base(plan, project);
    let loc_mod = base.join(location.mod_file());
    if location.feature.is_some() {
        super::check_feature_declaration(plan, &base.join(&location.dir))?;
    }
    if !plan.exists(&loc_mod) {
        match &location.feature {
            None => plan_core(plan, project, templates)?,
            Some(feature) => {
                return Err(Failure::usage(format!(
                    "feature `{feature}` not found ({} does not exist)",
                    display(&loc_mod)
                ))
                .hint(format!("create it with `orch new feature {feature}`, or pick another with --feature"))
                .into());
            }
        }
    }
    let dir = base.join(&location.dir);
    let mut siblings = Siblings::look(plan, &dir, name);
    let component = Component::new(kind, name, siblings.state_file);
    let file = base.join(component.file(location));
    check_module_collision(plan, &file)?;
    if plan.exists(&file) && !force {
        return Err(Failure::failed(format!(
            "{} `{}` already exists",
            kind_suffix(kind),
            component.types[0]
        ))
        .at(&file)
        .hint("pick another name, or pass --force to regenerate it (refused if you edited it)")
        .into());
    }
    let folder_mod = dir.join(component.folder).join("mod.rs");
    if let Some(src) = plan.read(&folder_mod)? {
        let exported = wiring::exported_types(&src).map_err(|e| wiring::at_path(e, &folder_mod))?;
        // `--force` regenerates a component whose file was deleted but is still declared.
        let own_module_missing = force
            && wiring::declares_mod(&src, &component.stem).map_err(|e| wiring::at_path(e, &folder_mod))?;
        if let Some(ty) = component.types.iter().find(|ty| exported.contains(ty))
            && !plan.exists(&file)
            && !own_module_missing
        {
            return Err(Failure::failed(format!("`{ty}` already exists (re-exported by this file)"))
                .at(&folder_mod)
                .hint("pick another name")
                .into());
        }
    }
    match kind {
        ComponentKind::State => {
            let together = dir.join(Role::Orchestrators.name()).join(format!("{}.rs", name.snake));
            if plan.exists(&together) {
                return Err(Failure::failed(format!(
                    "`{}State` already exists: {} defines it with its orchestrator",
                    name.pascal,
                    display(&together)
                ))
                .at(&file)
                .hint("edit the state there, or pick another name")
                .into());
            }
        }
        ComponentKind::Executor if !siblings.job => {
            plan.note(format!(
                "`{}Job` did not exist: creating {} too",
                name.pascal,
                display(&Component::new(ComponentKind::Job, name, false).file(location))
            ));
            plan_component(plan, project, templates, ComponentKind::Job, name, location, force)?;
            siblings.job = true;
        }
        _ => {}
    }
    let text = render_component(templates, &component, location, name, siblings)?;
    plan.create(&file, text, force)?;
    wire_component(plan, templates, &base, location, &component)
}

/// Declare `component` in its folder's `mod.rs` (creating it if missing) and the folder in
/// the location's `mod.rs`; register an executor.
pub(crate) fn wire_component(
    plan: &mut Plan,
    templates: &Templates,
    base: &Path,
    location: &Location,
    component: &Component,
) -> anyhow::Result<()> {
    let folder_mod = base.join(&location.dir).join(component.folder).join("mod.rs");
    if plan.exists(&folder_mod) {
        edit_rust(plan, &folder_mod, |s| wiring::ensure_mod(s, &component.stem, Vis::Private))?;
        for ty in &component.types {
            edit_rust(plan, &folder_mod, |s| wiring::ensure_pub_use(s, &component.stem, ty))?;
        }
    } else {
        check_module_collision(plan, &folder_mod)?;
        let text = render_folder_mod(
            templates,
            location,
            component.folder,
            &[(component.stem.as_str(), component.types.as_slice())],
        )?;
        plan.create(&folder_mod, text, false)?;
    }
    let loc_mod = base.join(location.mod_file());
    edit_rust(plan, &loc_mod, |s| wiring::ensure_mod(s, component.folder, Vis::Pub))?;
    if component.kind == ComponentKind::Executor {
        let executor = &component.types[0];
        let job = format!("{}Job", executor.trim_end_matches("Executor"));
        edit_rust(plan, &loc_mod, |s| wiring::ensure_register_call(s, &job, executor))?;
    }
    Ok(())
}
