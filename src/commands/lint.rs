//! `orch lint`: check conventions for CI.
//!
//! Flow: `--list-rules` / `--explain` need no project. Otherwise: load the project, which must
//! have an `orch.toml` with existing `[paths]` folders, and the `[lint]` settings (else exit 2),
//! analyse the whole project (no `.rs` file at all → exit 2: a pass would check nothing), run the rules, keep the
//! findings under the given paths, then either print them (exit 1 on errors, or on warnings
//! with `--deny-warnings`) or, with `--fix`, plan the fixes, apply them through the writer and
//! report what remains.

use std::path::PathBuf;

use super::Ctx;
use crate::analysis::{self, Analysis};
use crate::cli::{LintArgs, LintFormat, WriteArgs};
use crate::error::{ExitKind, Failure, Silent};
use crate::lint::{self, Finding, Fix, Settings, report};
use crate::output::Stream;
use crate::project::Project;

/// Run the command.
pub fn run(ctx: &Ctx<'_>, args: LintArgs) -> anyhow::Result<()> {
    let out = ctx.out;
    if let Some(id) = &args.explain {
        let rule = lint::rule(id).ok_or_else(|| lint::unknown_rule(id, "given to --explain"))?;
        return out.stdout(&report::explain(rule, out.paint(Stream::Out)));
    }
    if args.list_rules {
        // Configured levels when run inside a project with a valid config; defaults otherwise.
        let settings = ctx.project().ok().and_then(|p| Settings::from_config(&p.config.lint).ok());
        return out.stdout(&report::list_rules(settings.as_ref(), out.paint(Stream::Out)));
    }
    let project = super::orch_project(ctx)?;
    project.require_paths()?;
    let settings = Settings::from_config(&project.config.lint)?;
    let filter = resolve_paths(ctx, &project, &args.paths)?;
    if args.fix {
        return fix(ctx, &project, &settings, &args, &filter);
    }
    let analysis = analyse(&project)?;
    let findings = findings(&analysis, &settings, &filter);
    print(ctx, &project, &settings, &args, &analysis, &findings)?;
    let exit = exit_for(&findings, args.deny_warnings);
    // The process ends right after: freeing 100k files' facts one by one only costs time.
    std::mem::forget(findings);
    std::mem::forget(analysis);
    exit
}

fn analyse(project: &Project) -> anyhow::Result<Analysis> {
    let analysis = analysis::analyze(&project.root, &analysis::Options::from_config(&project.config))?;
    if analysis.files.is_empty() {
        // "ok" here would be a pass that checked nothing (everything excluded, no sources).
        return Err(Failure::usage("no file checked: the project has no .rs file to lint")
            .at(&project.root)
            .hint("check `[lint] exclude` and `[paths]` in orch.toml; orch lints the crate's .rs files")
            .into());
    }
    Ok(analysis)
}

/// The findings under the given paths.
fn findings<'a>(analysis: &'a Analysis, settings: &'a Settings, filter: &[PathBuf]) -> Vec<Finding<'a>> {
    let mut findings = lint::check(analysis, settings);
    lint::filter_paths(&mut findings, filter);
    findings
}

fn exit_for(findings: &[Finding<'_>], deny_warnings: bool) -> anyhow::Result<()> {
    let (errors, warnings) = lint::counts(findings);
    if errors > 0 || (deny_warnings && warnings > 0) {
        return Err(Silent(ExitKind::Failure).into());
    }
    Ok(())
}

/// Paths given on the command line (relative to the working directory) as root-relative
/// prefixes. A path that does not exist or lies outside the project is a usage error.
fn resolve_paths(ctx: &Ctx<'_>, project: &Project, paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let abs = ctx.cwd.join(p);
        let canon = abs.canonicalize().map_err(|e| {
            anyhow::Error::new(e).context(
                Failure::usage(format!("cannot lint {}: no such file or directory", p.display()))
                    .hint("give files or directories inside the project"),
            )
        })?;
        let rel = canon.strip_prefix(&project.root).map_err(|_| {
            Failure::usage(format!("{} is outside the project at {}", p.display(), project.root.display()))
                .hint("give files or directories inside the project (or use -C DIR)")
        })?;
        out.push(rel.to_path_buf());
    }
    Ok(out)
}

fn print(
    ctx: &Ctx<'_>,
    project: &Project,
    settings: &Settings,
    args: &LintArgs,
    analysis: &Analysis,
    findings: &[Finding<'_>],
) -> anyhow::Result<()> {
    let out = ctx.out;
    let mut sink = |chunk: &str| out.stdout(chunk);
    match args.format {
        LintFormat::Human => {
            report::human(findings, &project.root, out.paint(Stream::Out), &mut sink)?;
            summary(ctx, analysis, findings);
        }
        LintFormat::Json => report::json(findings, &mut sink)?,
        LintFormat::Github => report::github(findings, &mut sink)?,
        LintFormat::Sarif => report::sarif(findings, &project.root, settings, &mut sink)?,
    }
    Ok(())
}

fn summary(ctx: &Ctx<'_>, analysis: &Analysis, findings: &[Finding<'_>]) {
    let out = ctx.out;
    let p = out.paint(Stream::Err);
    let (errors, warnings) = lint::counts(findings);
    let files = analysis.files.len();
    if findings.is_empty() {
        out.status(&format!("{} {files} files checked, no findings", p.green(&p.bold("ok:"))));
        return;
    }
    let mut parts = Vec::new();
    if errors > 0 {
        parts.push(plural(errors, "error"));
    }
    if warnings > 0 {
        parts.push(plural(warnings, "warning"));
    }
    let fixable = findings.iter().filter(|f| f.fixable()).count();
    let fix_note =
        if fixable > 0 { format!("; {fixable} fixable with `orch lint --fix`") } else { String::new() };
    let label =
        if errors > 0 { p.red_bold("lint failed:") } else { p.yellow_bold("lint passed with warnings:") };
    out.status(&format!("{label} {} in {files} files{fix_note}", parts.join(", ")));
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

fn fix(
    ctx: &Ctx<'_>,
    project: &Project,
    settings: &Settings,
    args: &LintArgs,
    filter: &[PathBuf],
) -> anyhow::Result<()> {
    let out = ctx.out;
    let write = WriteArgs { dry_run: args.dry_run, diff: args.diff, format: crate::cli::Format::Human };
    // A fix can make the next one visible (a declared orphan is a job without an executor):
    // apply rounds until nothing more can be fixed (a few at most).
    for round in 0..MAX_FIX_ROUNDS {
        let analysis = analyse(project)?;
        let current = findings(&analysis, settings, filter);
        let fixes: Vec<Fix> = current.iter().filter_map(Finding::fix).collect();
        let unfixable = current.len() - fixes.len();
        let plan = lint::fix::plan(project, &fixes)?;
        let fixable = fixes.len();
        if plan.is_empty() {
            if round == 0 {
                out.status(&format!("nothing to fix: {}", plural(fixable, "fixable finding")));
            }
            for skip in plan.skipped() {
                out.warn(&format!("{}: {}", crate::plan::display(&skip.path), skip.reason));
            }
            break;
        }
        let applied =
            super::finish(ctx, &plan, &write, &format!("lint --fix ({})", plural(fixable, "finding")))?;
        if !applied {
            // dry run: nothing was written (later rounds would depend on this one)
            exit_note(ctx, unfixable);
            return Ok(());
        }
    }
    // What is left is reported like a normal run.
    let analysis = analyse(project)?;
    let remaining = findings(&analysis, settings, filter);
    print(ctx, project, settings, args, &analysis, &remaining)?;
    exit_for(&remaining, args.deny_warnings)
}

/// Fix rounds `--fix` applies at most.
const MAX_FIX_ROUNDS: usize = 3;

fn exit_note(ctx: &Ctx<'_>, unfixable: usize) {
    if unfixable > 0 {
        ctx.out.status(&format!(
            "{} need a manual change (run `orch lint` to see them)",
            plural(unfixable, "finding")
        ));
    }
}
