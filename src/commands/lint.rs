//! `orch lint`: check conventions for CI.
//!
//! Flow: `--list-rules` / `--explain` need no project. Otherwise: load the project and the
//! `[lint]` settings (bad config → exit 2), analyse the whole project, run the rules, keep the
//! findings under the given paths, then either print them (exit 1 on errors, or on warnings
//! with `--deny-warnings`) or, with `--fix`, plan the fixes (safe ones; unsafe ones too with
//! `--unsafe`), verify them on the tree they would leave (`lint::fix::plan_verified`: a fix that
//! fails is declined and said so), apply them through the writer and report what remains.

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
    analysis::analyze(&project.root, &analysis::Options::from_config(&project.config))
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
    let fixes: Vec<_> = findings.iter().filter_map(Finding::fix).collect();
    let safe = fixes.iter().filter(|f| f.is_safe()).count();
    let fix_note = match (safe, fixes.len() - safe) {
        (0, 0) => String::new(),
        (safe, 0) => format!("; {safe} fixable with `orch lint --fix`"),
        (0, unsafe_) => format!("; {unsafe_} fixable with `orch lint --fix --unsafe` (generates code)"),
        (safe, unsafe_) => format!(
            "; {safe} fixable with `orch lint --fix`, {unsafe_} more with `orch lint --fix --unsafe` (generates code)"
        ),
    };
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
    let mut applied = 0;
    // declined once, declined for good: a later round does not try (and report) it again
    let mut declined: std::collections::HashSet<lint::Fix> = std::collections::HashSet::new();
    // A fix can make the next one visible (a declared orphan is a job without an executor):
    // apply rounds until nothing more can be fixed (a few at most).
    for round in 0..MAX_FIX_ROUNDS {
        let analysis = analyse(project)?;
        let current = findings(&analysis, settings, filter);
        let (candidates, held): (Vec<_>, Vec<_>) = lint::fix::Candidate::of(&current)
            .into_iter()
            .filter(|c| !declined.contains(&c.fix))
            .partition(|c| args.unsafe_fixes || c.fix.is_safe());
        if round == 0 {
            if candidates.is_empty() && held.is_empty() {
                out.status("nothing to fix: no finding has an automatic fix");
            }
            if !held.is_empty() {
                out.status(&format!(
                    "{} an unsafe fix (it generates code): apply with `orch lint --fix --unsafe`",
                    plural_has(held.len())
                ));
            }
        }
        if candidates.is_empty() {
            break;
        }
        let verified = lint::fix::plan_verified(project, &analysis, settings, candidates)?;
        for d in &verified.declined {
            out.warn(&format!("fix declined: {}: {}", crate::plan::display(&d.path), d.reason));
        }
        declined.extend(verified.declined.into_iter().map(|d| d.fix));
        if verified.plan.is_empty() {
            break;
        }
        let n = verified.applied.len();
        let what = if n == 1 { "lint --fix (1 fix)".to_string() } else { format!("lint --fix ({n} fixes)") };
        let wrote = super::finish(ctx, &verified.plan, &write, &what)?;
        applied += verified.applied.len();
        if !wrote {
            // dry run: nothing was written (later rounds would depend on this one)
            let unfixable = current.iter().filter(|f| !f.fixable()).count();
            exit_note(ctx, unfixable);
            return declined_exit(applied, declined.len());
        }
    }
    // What is left is reported like a normal run.
    let analysis = analyse(project)?;
    let remaining = findings(&analysis, settings, filter);
    print(ctx, project, settings, args, &analysis, &remaining)?;
    // the summary counts them as fixable: say that `--fix` just tried and declined them
    let still = remaining.iter().filter_map(Finding::fix).filter(|f| declined.contains(f)).count();
    if still > 0 {
        out.status(&format!(
            "{} a fix that was declined (see the warnings above): fix them by hand",
            plural_has(still)
        ));
    }
    declined_exit(applied, declined.len())?;
    exit_for(&remaining, args.deny_warnings)
}

/// `--fix` fails (exit 1) when fixes were declined and none was applied: what was asked for did
/// not happen.
fn declined_exit(applied: usize, declined: usize) -> anyhow::Result<()> {
    if declined > 0 && applied == 0 {
        return Err(Silent(ExitKind::Failure).into());
    }
    Ok(())
}

/// "1 finding has" / "3 findings have".
fn plural_has(n: usize) -> String {
    if n == 1 { "1 finding has".to_string() } else { format!("{n} findings have") }
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
