//! One module per subcommand; [`run`] dispatches to them. Shared plumbing for commands that
//! write files lives here too: [`finish`] prints a plan (dry run, diff, JSON) or applies it
//! through [`crate::writer`] and prints the summary.

use std::path::{Path, PathBuf};

use crate::cli::{Cli, Command, Format, NewCommand, RuntimeSourceArgs, WriteArgs};
use crate::error::Failure;
use crate::generate::{RuntimeSource, relative_path};
use crate::output::{Output, Stream};
use crate::plan::Plan;
use crate::project::{self, Project};
use crate::templates::Templates;

pub mod add;
pub mod completions;
pub mod doctor;
pub mod graph;
pub mod init;
pub mod lint;
pub mod list;
pub mod new_feature;
pub mod new_project;
pub mod remove;
pub mod template;

/// What every command gets: the output and the directory it runs in.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// Terminal output.
    pub out: &'a Output,
    /// The directory orch runs in (`-C DIR` or the current directory), canonical.
    pub cwd: PathBuf,
}

impl Ctx<'_> {
    /// Find the project containing the working directory.
    pub fn project(&self) -> anyhow::Result<Project> {
        Project::discover(&self.cwd)
    }
}

/// The project containing the working directory, which must have an `orch.toml` (generators
/// only run in projects set up for orch).
pub fn orch_project(ctx: &Ctx<'_>) -> anyhow::Result<Project> {
    let project = ctx.project()?;
    if !project.has_config {
        return Err(Failure::usage(format!(
            "not an orch project: no {} in {} or its parents",
            crate::config::FILE_NAME,
            project.root.display()
        ))
        .hint("run `orch init` to adopt this cargo project (or `orch new project <name>` to start one)")
        .into());
    }
    Ok(project)
}

/// [`orch_project`] for the generators: the package must also depend on `orch-runtime`, which
/// the generated code imports (an `orch.toml` alone, or one left by a refused `orch init`,
/// would make them write code that cannot build).
pub fn adopted_project(ctx: &Ctx<'_>) -> anyhow::Result<Project> {
    let project = orch_project(ctx)?;
    let manifest = project.root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap_or_default();
    if !crate::generate::depends_on_runtime(&text) {
        return Err(Failure::usage(
            "the package does not depend on orch-runtime, which the generated code uses",
        )
        .at(&manifest)
        .hint("run `orch init` to adopt the project (it adds the dependency), then run the command again")
        .into());
    }
    Ok(project)
}

/// The templates for `project`: built-ins overridden by its `[paths] templates` directory.
pub fn project_templates(project: &Project) -> anyhow::Result<Templates> {
    Templates::load(Some(&project.abs(&project.config.paths.templates)))
}

/// `value`, or (on a terminal) the answer to a prompt for `what`; without a terminal a usage
/// error naming the missing argument and how to pass it (`flag_hint`).
pub fn ask(out: &Output, value: Option<String>, what: &str, flag_hint: &str) -> anyhow::Result<String> {
    match value {
        Some(value) => Ok(value),
        None => out.prompt(what, flag_hint),
    }
}

/// The runtime source chosen with `--runtime-path` / `--runtime-version`, if any. A path is
/// resolved from `cwd`, must hold the `orch-runtime` package, and is returned relative to
/// `project_dir` (absolute, possibly not existing yet).
pub fn runtime_source(
    args: &RuntimeSourceArgs,
    cwd: &Path,
    project_dir: &Path,
) -> anyhow::Result<Option<RuntimeSource>> {
    if let Some(version) = &args.runtime_version {
        let version = version.trim();
        if version.is_empty() || version.contains(char::is_whitespace) {
            return Err(Failure::usage(format!("invalid --runtime-version {version:?}"))
                .hint("give a version requirement such as `0.1`")
                .into());
        }
        if !crate::generate::RUNTIME_PUBLISHED && !args.allow_unpublished_runtime {
            return Err(Failure::usage(format!(
                "--runtime-version {version}: orch-runtime is not published on crates.io yet; \
                 the project would not build"
            ))
            .hint(
                "leave it out to vendor the runtime into the project (the default), or use \
                 --runtime-path with a checkout of orch's crates/orch-runtime; if your registry \
                 or a [patch.crates-io] provides it, add --allow-unpublished-runtime",
            )
            .into());
        }
        return Ok(Some(RuntimeSource::Version(version.to_string())));
    }
    let Some(path) = &args.runtime_path else { return Ok(None) };
    let abs = cwd.join(path);
    let manifest = abs.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|e| {
        anyhow::Error::new(e).context(
            Failure::usage(format!("--runtime-path {}: no Cargo.toml there", path.display()))
                .hint("point it at the orch-runtime crate directory (e.g. ../orch/crates/orch-runtime)"),
        )
    })?;
    let name = text
        .parse::<toml_edit::DocumentMut>()
        .ok()
        .and_then(|doc| doc.get("package")?.get("name")?.as_str().map(str::to_string));
    if name.as_deref() != Some(crate::generate::RUNTIME_PACKAGE) {
        return Err(Failure::usage(format!(
            "--runtime-path {}: the package there is {}, not orch-runtime",
            path.display(),
            name.map_or_else(|| "unnamed".to_string(), |n| format!("`{n}`"))
        ))
        .at(&manifest)
        .hint("point it at the orch-runtime crate directory")
        .into());
    }
    let abs = abs.canonicalize()?;
    let rel = relative_path(&abs, project_dir);
    Ok(Some(RuntimeSource::Path(crate::plan::display(&rel))))
}

/// Run the parsed command line.
pub fn run(cli: Cli, out: &Output) -> anyhow::Result<()> {
    let start = match &cli.global.directory {
        Some(dir) => dir.clone(),
        None => std::env::current_dir()?,
    };
    let ctx = Ctx { out, cwd: project::canonical_dir(&start)? };
    match cli.command {
        Command::New(NewCommand::Project(args)) => new_project::run(&ctx, args),
        Command::New(NewCommand::Feature(args)) => new_feature::run(&ctx, args),
        Command::Init(args) => init::run(&ctx, args),
        Command::Add(args) => add::run(&ctx, args),
        Command::Remove(args) => remove::run(&ctx, args),
        Command::Lint(args) => lint::run(&ctx, args),
        Command::Doctor(args) => doctor::run(&ctx, args),
        Command::List(args) => list::run(&ctx, args),
        Command::Template(cmd) => template::run(&ctx, cmd),
        Command::Graph(args) => graph::run(&ctx, args),
        Command::Completions(args) => completions::run(&ctx, args),
        Command::Man => completions::man(&ctx),
    }
}

/// Print or apply `plan` according to the write flags. `what` names the result for the summary
/// ("feature `auth`"). Returns whether the plan was applied.
pub fn finish(ctx: &Ctx<'_>, plan: &Plan, write: &WriteArgs, what: &str) -> anyhow::Result<bool> {
    // The safety net: no plan that leaves a `.rs` file broken is printed as doable or applied.
    // It runs before rustfmt (which keeps code that parses parsing), so a broken custom template
    // is refused as such, not first reported as a rustfmt failure.
    plan.check_sources()?;
    // Created `.rs` files get a narrow `#[allow]` where they trip a lint the project enables
    // and the code cannot avoid; before rustfmt, which lays the attributes out.
    let (allowed, lint_warnings) = crate::lint_levels::apply(plan)?;
    lint_warnings.iter().for_each(|w| ctx.out.warn(w));
    let plan = &*allowed;
    // Created `.rs` files, and the lines edits insert into existing ones, follow the project's
    // rustfmt configuration and edition.
    let (styled, warnings) = crate::style::apply(plan)?;
    warnings.iter().for_each(|w| ctx.out.warn(w));
    let plan = &*styled;
    let out = ctx.out;
    let paint = out.paint(Stream::Out);
    if write.diff {
        out.stdout(&plan.render_diff())?;
    }
    if write.dry_run {
        match write.format {
            Format::Json => out.stdout(&format!("{:#}\n", plan.to_json(false)))?,
            Format::Human => {
                let (c, u, d) = plan.counts();
                out.stdout_human(&plan.render_human(paint))?;
                out.stdout(&format!(
                    "{} {what}: would create {c}, update {u}, delete {d} file(s); nothing was written\n",
                    paint.bold("dry run")
                ))?;
            }
        }
        return Ok(false);
    }
    // Every applied plan also updates the project's record of generated files (`orch remove`).
    crate::writer::apply(&crate::record::with_record(plan)?)?;
    let (created, updated, deleted) = plan.counts();
    let applied = crate::writer::Applied { created, updated, deleted };
    match write.format {
        Format::Json => out.stdout(&format!("{:#}\n", plan.to_json(true)))?,
        Format::Human => {
            if !out.is_quiet() {
                let err_paint = out.paint(Stream::Err);
                out.status(plan.render_human(err_paint).trim_end_matches('\n'));
                let mut parts = Vec::new();
                if applied.created > 0 {
                    parts.push(format!("{} created", applied.created));
                }
                if applied.updated > 0 {
                    parts.push(format!("{} updated", applied.updated));
                }
                if applied.deleted > 0 {
                    parts.push(format!("{} deleted", applied.deleted));
                }
                if parts.is_empty() {
                    parts.push("nothing to change".to_string());
                }
                out.status(&format!(
                    "{} {what}: {}",
                    err_paint.green(&err_paint.bold("done")),
                    parts.join(", ")
                ));
                if !plan.next_steps().is_empty() {
                    out.status(&err_paint.bold("next:"));
                    for step in plan.next_steps() {
                        out.status(&format!("  {step}"));
                    }
                }
            }
        }
    }
    Ok(true)
}
