//! `orch new feature <name>`: a full feature, wired in.

use std::path::{Component, PathBuf};

use super::{Ctx, adopted_project, ask};
use crate::cli::NewFeatureArgs;
use crate::error::Failure;
use crate::generate::{self, Parts};
use crate::names::Name;
use crate::plan::Plan;

/// Run the command.
pub fn run(ctx: &Ctx<'_>, args: NewFeatureArgs) -> anyhow::Result<()> {
    let out = ctx.out;
    let project = adopted_project(ctx)?;
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
        Some(path) => Some(feature_dir(path, &name, &project)?),
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
    // Only the configured features directory is wired into main; elsewhere the demo runs once
    // the user has added the call plan_feature names.
    if dir.as_deref().is_none_or(|d| d == project.features_dir()) {
        plan.next_step("cargo run    # the demo now includes this feature");
    }
    crate::record::check_overwrites(&mut plan, args.regenerate.overwrite_edited)?;
    super::finish(ctx, &plan, &args.write, &format!("feature `{}`", name.snake))?;
    Ok(())
}

/// `-o DIR` for feature `name`: a relative directory where the feature's module is neither
/// something cargo gives a meaning to, nor one orch's own lint rejects.
fn feature_dir(
    path: &std::path::Path,
    name: &Name,
    project: &crate::project::Project,
) -> anyhow::Result<PathBuf> {
    let dir = relative_dir(path)?;
    let refuse = |why: String, hint: &str| -> anyhow::Error {
        Failure::usage(format!("-o/--path {}: {why}", dir.display())).hint(hint.to_owned()).into()
    };
    // Cargo builds every `src/bin/*.rs` and `src/bin/*/main.rs` as a binary of its own: a module
    // there is compiled as a crate without `main` (E0601).
    if dir.starts_with("src/bin") {
        return Err(refuse(
            "cargo treats src/bin/ as binary targets, not modules".to_owned(),
            "pick a module directory such as `-o src/modules`",
        ));
    }
    // `mod lib;` / `mod main;` in the crate root: rustc's `special_module_name` lint (and for
    // `main`, a clash with src/main.rs).
    if let Some(special) = ["src/lib", "src/main"].into_iter().find(|s| dir.starts_with(s)) {
        return Err(refuse(
            format!("{special}/ would be declared as a module named after cargo's crate root {special}.rs"),
            "pick a module directory such as `-o src/modules`",
        ));
    }
    // `<dir>/mod.rs` would declare `pub mod <name>;`: clippy's default `module_inception`.
    if dir.file_name().is_some_and(|last| last == name.snake.as_str()) {
        return Err(refuse(
            format!(
                "the feature would be a module `{0}` inside a module `{0}` (clippy::module_inception)",
                name.snake
            ),
            "pass the parent directory, e.g. `-o src/modules` creates src/modules/<name>/",
        ));
    }
    // A feature inside a feature is a layout orch's `layout` lint rejects.
    let features = project.features_dir();
    if dir != features && dir.starts_with(features) {
        return Err(refuse(
            format!("is inside a feature of {}; features do not nest", features.display()),
            "omit -o to create it in the features directory, or pick a directory outside it",
        ));
    }
    Ok(dir)
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
