//! `orch lint`: check conventions for CI.
//!
//! Flow: `--list-rules` / `--explain` need no project. Otherwise: load the project and the
//! `[lint]` settings (bad config → exit 2), analyse the whole project, run the rules, keep the
//! findings under the given paths, then either print them (exit 1 on errors, or on warnings
//! with `--deny-warnings`) or, with `--fix`, plan the fixes, apply them through the writer and
//! report what remains.

use std::path::PathBuf;

use super::Ctx;
use crate::analysis::{self, Analysis};
use crate::cli::{LintArgs, LintFormat, WriteArgs};
use crate::error::{ExitKind, Failure, Silent};
use crate::lint::{self, Finding, Settings, report};
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
    let project = ctx.project()?;
    let settings = Settings::from_config(&project.config.lint)?;
    let filter = resolve_paths(ctx, &project, &args.paths)?;
    let (analysis, mut findings) = analyse(&project, &settings)?;
    lint::filter_paths(&mut findings, &filter);

    if args.fix {
        return fix(ctx, &project, &settings, &args, &filter, &findings);
    }
    print(ctx, &project, &settings, &args, &analysis, &findings)?;
    // The process ends right after: freeing 100k files' facts one by one only costs time.
    std::mem::forget(analysis);
    exit_for(&findings, args.deny_warnings)
}

fn analyse(project: &Project, settings: &Settings) -> anyhow::Result<(Analysis, Vec<Finding>)> {
    let analysis = analysis::analyze(&project.root, &analysis::Options::from_config(&project.config))?;
    let findings = lint::check(&analysis, settings);
    Ok((analysis, findings))
}

fn exit_for(findings: &[Finding], deny_warnings: bool) -> anyhow::Result<()> {
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
    findings: &[Finding],
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

fn summary(ctx: &Ctx<'_>, analysis: &Analysis, findings: &[Finding]) {
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
    let fixable = findings.iter().filter(|f| f.fix.is_some()).count();
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
    findings: &[Finding],
) -> anyhow::Result<()> {
    let out = ctx.out;
    let write =
        WriteArgs { dry_run: args.dry_run, diff: args.diff, force: false, format: crate::cli::Format::Human };
    let mut current = findings.to_vec();
    // A fix can make the next one visible (a declared orphan is a job without an executor):
    // apply rounds until nothing more can be fixed (a few at most).
    for round in 0..MAX_FIX_ROUNDS {
        let plan = lint::fix::plan(project, &current)?;
        let fixable = current.iter().filter(|f| f.fix.is_some()).count();
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
            exit_note(ctx, &current);
            return Ok(());
        }
        let (_, mut again) = analyse(project, settings)?;
        lint::filter_paths(&mut again, filter);
        current = again;
    }
    // What is left is reported like a normal run.
    let (analysis, mut remaining) = analyse(project, settings)?;
    lint::filter_paths(&mut remaining, filter);
    print(ctx, project, settings, args, &analysis, &remaining)?;
    exit_for(&remaining, args.deny_warnings)
}

/// Fix rounds `--fix` applies at most.
const MAX_FIX_ROUNDS: usize = 3;

fn exit_note(ctx: &Ctx<'_>, findings: &[Finding]) {
    let unfixable = findings.iter().filter(|f| f.fix.is_none()).count();
    if unfixable > 0 {
        ctx.out.status(&format!(
            "{} need a manual change (run `orch lint` to see them)",
            plural(unfixable, "finding")
        ));
    }
}
