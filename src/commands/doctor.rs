//! `orch doctor`: check the project setup; `--fix` applies the safe fixes.
//!
//! Prints one line per check (pass / warn / FAIL, title, message) with the fix hint under
//! anything that does not pass, and the details with `-v`. `--format json` prints the same as
//! JSON. Outside an orch project (no `orch.toml` up the tree), or with a `[paths]` value outside
//! the project, exit 2. With `--fix`, the safe fixes are planned and applied all-or-nothing (or shown with
//! `--dry-run` / `--diff`), then the project is checked again. Exit 1 if any check fails.

use serde_json::json;

use super::Ctx;
use crate::cli::{DoctorArgs, Format, WriteArgs};
use crate::doctor::{self, Report, Status};
use crate::error::{ExitKind, Silent};
use crate::output::{Paint, Stream};

/// Run the command.
pub fn run(ctx: &Ctx<'_>, args: DoctorArgs) -> anyhow::Result<()> {
    let root = doctor::locate(&ctx.cwd)?;
    doctor::check_paths(&root)?;
    let mut report = doctor::diagnose(&root);
    if args.fix {
        let plan = doctor::plan_fixes(&report)?;
        if plan.is_empty() && plan.skipped().is_empty() {
            ctx.out.status("nothing to fix automatically");
        } else {
            let write = WriteArgs { dry_run: args.dry_run, diff: args.diff, format: Format::Human };
            let applied = super::finish(ctx, &plan, &write, "doctor --fix")?;
            if applied {
                report = doctor::diagnose(&root);
            }
        }
    }
    match args.format {
        Format::Json => ctx.out.stdout(&format!("{:#}\n", to_json(&report)))?,
        Format::Human => {
            ctx.out.stdout_human(&human(&report, ctx.out.verbosity() > 0, ctx.out.paint(Stream::Out)))?
        }
    }
    if report.failed() {
        return Err(Silent(ExitKind::Failure).into());
    }
    Ok(())
}

fn human(report: &Report, verbose: bool, paint: Paint) -> String {
    let mut out = format!("{} {}\n", paint.bold("orch doctor:"), report.root.display());
    let width = report.checks.iter().map(|c| c.title.len()).max().unwrap_or(0);
    for c in &report.checks {
        let label = match c.status {
            Status::Pass => paint.green("pass"),
            Status::Warn => paint.yellow_bold("warn"),
            Status::Fail => paint.red_bold("FAIL"),
        };
        out.push_str(&format!("  {label}  {:<width$}  {}\n", c.title, c.message));
        let pad = " ".repeat(width + 10);
        if c.status != Status::Pass
            && let Some(hint) = &c.hint
        {
            out.push_str(&format!("{pad}{} {hint}\n", paint.cyan_bold("fix:")));
        }
        if verbose || c.status == Status::Fail {
            let shown = if verbose { c.details.len() } else { c.details.len().min(5) };
            for d in &c.details[..shown] {
                out.push_str(&format!("{pad}{}\n", paint.dim(d)));
            }
            if shown < c.details.len() {
                out.push_str(&format!(
                    "{pad}{}\n",
                    paint.dim(&format!("... and {} more (-v shows all)", c.details.len() - shown))
                ));
            }
        }
    }
    let (pass, warn, fail) = report.counts();
    let summary = format!("{pass} passed, {warn} warning(s), {fail} failed");
    let summary = if fail > 0 {
        paint.red_bold(&summary)
    } else if warn > 0 {
        paint.yellow_bold(&summary)
    } else {
        paint.green(&summary)
    };
    let fixable = report.checks.iter().filter(|c| c.status != Status::Pass && !c.remedies.is_empty()).count();
    let note =
        if fixable > 0 { format!(" ({fixable} fixable with `orch doctor --fix`)") } else { String::new() };
    out.push_str(&format!("{summary}{note}\n"));
    out
}

fn to_json(report: &Report) -> serde_json::Value {
    let (pass, warn, fail) = report.counts();
    let checks: Vec<_> = report
        .checks
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "title": c.title,
                "status": c.status,
                "message": c.message,
                "hint": c.hint,
                "details": c.details,
                "fixable": !c.remedies.is_empty(),
            })
        })
        .collect();
    json!({
        "root": report.root.display().to_string(),
        "checks": checks,
        "summary": { "pass": pass, "warn": warn, "fail": fail },
    })
}
