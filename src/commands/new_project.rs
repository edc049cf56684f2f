//! `orch new project <name>`: a new cargo project in the orch layout.

use super::{Ctx, ask, runtime_source};
use crate::cli::NewProjectArgs;
use crate::config::Config;
use crate::error::Failure;
use crate::generate::{self, RuntimeSource};
use crate::names::Name;
use crate::plan::Plan;
use crate::project::Project;
use crate::templates::Templates;

/// The package name for `raw` (a project or `--name` value): kebab-case when the user wrote it
/// (`my-app`), else the snake_case form; refused when it would shadow a crate the code uses.
fn package_name(raw: &str, what: &str) -> anyhow::Result<String> {
    let name = Name::parse(raw, what)?;
    if crate::names::BUILTIN_CRATES.contains(&name.snake.as_str()) {
        return Err(Failure::usage(format!(
            "invalid {what} name {raw:?}: `{}` is the name of a crate it uses",
            name.snake
        ))
        .hint("pick another name")
        .into());
    }
    Ok(if raw.trim().contains('-') { name.snake.replace('_', "-") } else { name.snake })
}

/// Run the command.
pub fn run(ctx: &Ctx<'_>, args: NewProjectArgs) -> anyhow::Result<()> {
    let out = ctx.out;
    let raw = ask(out, args.name, "project name", "`orch new project <NAME>`")?;
    let dir = package_name(&raw, "project")?;
    // `--name`: the package (crate) name, when it differs from the directory's.
    let package = match &args.package {
        Some(package) => package_name(package, "package")?,
        None => dir.clone(),
    };
    let mut features = args.features;
    if args.interactive && out.is_interactive() && features.is_empty() {
        let answer = out.prompt_default("features to create (comma-separated, empty for none)", "")?;
        features = answer.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    }
    let mut names: Vec<Name> = Vec::new();
    for feature in &features {
        let feature = Name::parse(feature, "feature")?;
        // The new package's own crate name is taken too (`use app::…` in its tests).
        feature.check_not_a_crate("feature", &[package.replace('-', "_")], "the package name")?;
        if !names.contains(&feature) {
            names.push(feature);
        }
    }
    let root = ctx.cwd.join(&dir);
    let runtime = runtime_source(&args.runtime, &ctx.cwd, &root)?.unwrap_or(RuntimeSource::Vendor);
    let mut config = Config::default();
    config.runtime = runtime.config();
    let project = Project { root, config, has_config: true, cwd: ctx.cwd.clone() };
    let templates = Templates::builtin()?;
    let mut plan = Plan::new(&ctx.cwd);
    generate::plan_project(&mut plan, &project, &templates, &package, &runtime, &names)?;
    super::finish(ctx, &plan, &args.write, &format!("project `{package}`"))?;
    Ok(())
}
