//! One module per subcommand; [`run`] dispatches to them. Shared plumbing for commands that
//! write files lives here too: [`finish`] prints a plan (dry run, diff, JSON) or applies it
//! through [`crate::writer`] and prints the summary.

use std::path::PathBuf;

use crate::cli::{Cli, Command, Format, NewCommand, WriteArgs};
use crate::output::{Output, Stream};
use crate::plan::Plan;
use crate::project::{self, Project};

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
                out.stdout(&plan.render_human(paint))?;
                out.stdout(&format!(
                    "{} {what}: would create {c}, update {u}, delete {d} file(s); nothing was written\n",
                    paint.bold("dry run")
                ))?;
            }
        }
        return Ok(false);
    }
    let applied = crate::writer::apply(plan)?;
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
