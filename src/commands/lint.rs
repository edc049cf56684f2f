//! `orch lint`: check conventions for CI.
//!
//! Flow: `--list-rules` / `--explain` need no project. At a workspace root (or with
//! `--workspace` / `-p`), each selected member as below. Otherwise: load the project, which
//! must have an `orch.toml` with existing `[paths]` folders, and the `[lint]` settings (else
//! exit 2), analyse the whole project (no `.rs` file at all → exit 2: a pass would check
//! nothing), run the rules, keep the findings the given paths select ([`lint::select`]), then either print them (exit 1 on
//! errors, or on warnings with `--deny-warnings`) or, with `--fix`, plan the fixes, apply them
//! through the writer and report what remains in the requested format. `--fix` plans the safe
//! fixes (unsafe ones too with `--unsafe`) and verifies them on the tree they would leave
//! (`lint::fix::plan_verified`: a fix that fails is declined and said so) before applying.
//! With `--baseline FILE`, the findings FILE records are left out (a missing FILE is written
//! with today's findings, through the writer).
//!
//! What is printed: the report on stdout in the requested format (with `-q`, the human format
//! shows only the findings that fail the run; machine formats are complete whatever `-q`
//! says), status and summary on stderr. A closed stdout stops the report, not the exit status.

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

use super::Ctx;
use crate::analysis::{self, Analysis};
use crate::cli::{LintArgs, LintFormat, WriteArgs};
use crate::error::{ExitKind, Failure, Silent};
use crate::lint::baseline::{self, Baseline};
use crate::lint::select::Selection;
use crate::lint::{self, Finding, Settings, Severity, report};
use crate::output::Stream;
use crate::project::Project;
use crate::workspace::{Member, Workspace};

/// Run the command.
pub fn run(ctx: &Ctx<'_>, args: LintArgs) -> anyhow::Result<()> {
    let out = ctx.out;
    if let Some(id) = &args.explain {
        let rule = lint::parse_rule(id, "given to --explain")?;
        return out.stdout(&report::explain(rule.rule(), out.paint(Stream::Out)));
    }
    if args.list_rules {
        // Configured levels when run inside a project with a valid config; defaults otherwise.
        let settings = ctx.project().ok().and_then(|p| Settings::from_config(&p.config.lint).ok());
        return out.stdout(&report::list_rules(settings.as_ref(), out.paint(Stream::Out)));
    }
    if let Some((root, members)) = workspace_members(ctx, &args)? {
        if args.baseline.is_some() {
            // one baseline file per project: a workspace run would mix (or skip) them
            return Err(Failure::usage("--baseline records the findings of one project, not of a workspace")
                .hint("run it in each member: `orch -C <member> lint --baseline lint-baseline.json`")
                .into());
        }
        return lint_members(ctx, &args, &root, &members);
    }
    let project = super::orch_project(ctx)?;
    project.require_paths()?;
    let settings = Settings::from_config(&project.config.lint)?;
    let selection = resolve_paths(ctx, &project, &args.paths)?;
    if args.fix {
        return fix(ctx, &project, &settings, &args, &selection);
    }
    if let Some(file) = &args.baseline {
        return with_baseline(ctx, &project, &settings, &args, &selection, file);
    }
    let analysis = analyse(&project)?;
    let findings = findings(&analysis, &settings, &selection);
    print(ctx, &project.root, &settings, &args, selection.files_checked(&analysis), &findings)?;
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

/// The findings the given paths select (every rule ran on the whole project).
fn findings<'a>(analysis: &'a Analysis, settings: &'a Settings, selection: &Selection) -> Vec<Finding<'a>> {
    let mut findings = lint::check(analysis, settings);
    selection.keep(&mut findings);
    findings
}

/// Whether `finding` fails the run.
fn fails(finding: &Finding<'_>, deny_warnings: bool) -> bool {
    finding.severity == Severity::Error || deny_warnings
}

fn exit_for(findings: &[Finding<'_>], deny_warnings: bool) -> anyhow::Result<()> {
    let (errors, warnings) = lint::counts(findings);
    if errors > 0 || (deny_warnings && warnings > 0) {
        return Err(Silent(ExitKind::Failure).into());
    }
    Ok(())
}

/// Paths given on the command line (relative to the working directory) as root-relative
/// paths. A path that does not exist is accepted (CI passes `git diff --name-only`, deleted
/// files included): it selects the findings about it. One outside the project is a usage error.
fn resolve_paths(ctx: &Ctx<'_>, project: &Project, paths: &[PathBuf]) -> anyhow::Result<Selection> {
    let mut out = Vec::new();
    for p in paths {
        let (abs, exists) = resolve(&ctx.cwd.join(p)).map_err(|e| {
            anyhow::Error::new(e).context(
                Failure::usage(format!("cannot lint {}", p.display()))
                    .hint("give files or directories inside the project"),
            )
        })?;
        let rel = abs.strip_prefix(&project.root).map_err(|_| {
            Failure::usage(format!("{} is outside the project at {}", p.display(), project.root.display()))
                .hint("give files or directories inside the project (or use -C DIR)")
        })?;
        if !exists {
            ctx.out.status(&format!(
                "note: {} does not exist: it selects the findings about it (a `mod` line naming it, what its feature now lacks)",
                p.display()
            ));
        }
        out.push(rel.to_path_buf());
    }
    Ok(Selection::new(out).with_scopes(project.features_dir(), project.core_dir()))
}

/// `path` (absolute) canonical as far as it exists, the rest (a deleted file or folder) added
/// lexically; and whether all of it exists.
fn resolve(path: &Path) -> std::io::Result<(PathBuf, bool)> {
    let parts: Vec<Component<'_>> = path.components().collect();
    for i in (1..=parts.len()).rev() {
        let base: PathBuf = parts[..i].iter().collect();
        if base.symlink_metadata().is_err() {
            continue;
        }
        let mut abs = base.canonicalize()?;
        for part in &parts[i..] {
            match part {
                Component::Normal(name) => abs.push(name),
                Component::ParentDir => _ = abs.pop(),
                _ => {}
            }
        }
        return Ok((abs, i == parts.len()));
    }
    Err(std::io::ErrorKind::NotFound.into())
}

/// Rendering stopped because stdout's reader has gone (not an error: see [`print`]).
#[derive(Debug)]
struct StdoutClosed;

impl std::fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stdout is closed")
    }
}

impl std::error::Error for StdoutClosed {}

/// The report on stdout in `--format`, the human summary on stderr.
fn print(
    ctx: &Ctx<'_>,
    root: &Path,
    settings: &Settings,
    args: &LintArgs,
    files_checked: usize,
    findings: &[Finding<'_>],
) -> anyhow::Result<()> {
    let out = ctx.out;
    let totals = report::Summary::of(findings, files_checked);
    // Once stdout's reader has gone, rendering the rest is wasted: stop (the exit status is
    // decided by the findings, not by who reads them).
    let mut sink = |chunk: &str| {
        out.stdout(chunk)?;
        if out.is_stdout_closed() {
            return Err(StdoutClosed.into());
        }
        Ok(())
    };
    let printed = match args.format {
        LintFormat::Human => {
            // `-q`: only the findings that fail the run (errors; warnings too with
            // `--deny-warnings`), no summary
            let shown: Cow<'_, [Finding<'_>]> = if out.is_quiet() {
                Cow::Owned(findings.iter().filter(|f| fails(f, args.deny_warnings)).cloned().collect())
            } else {
                Cow::Borrowed(findings)
            };
            report::human(&shown, root, out.paint(Stream::Out), &mut sink)
        }
        LintFormat::Json => report::json(findings, &totals, &mut sink),
        LintFormat::Github => report::github(findings, &mut sink),
        LintFormat::Sarif => report::sarif(findings, root, settings, &mut sink),
    };
    match printed {
        Err(e) if e.is::<StdoutClosed>() => {}
        other => other?,
    }
    if matches!(args.format, LintFormat::Human) {
        summary(ctx, &totals);
    }
    Ok(())
}

fn summary(ctx: &Ctx<'_>, totals: &report::Summary) {
    let out = ctx.out;
    let p = out.paint(Stream::Err);
    let report::Summary { errors, warnings, files_checked: files, fixable, fixable_unsafe } = *totals;
    if errors + warnings == 0 {
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
    let fix_note = match (fixable - fixable_unsafe, fixable_unsafe) {
        (0, 0) => String::new(),
        (safe, 0) => format!("; {safe} fixable with `orch lint --fix`"),
        (0, unsafe_) => {
            format!("; {unsafe_} fixable with `orch lint --fix --unsafe` (new or uncompiled code)")
        }
        (safe, unsafe_) => format!(
            "; {safe} fixable with `orch lint --fix`, {unsafe_} more with `orch lint --fix --unsafe` (new or uncompiled code)"
        ),
    };
    let label =
        if errors > 0 { p.red_bold("lint failed:") } else { p.yellow_bold("lint passed with warnings:") };
    out.status(&format!("{label} {} in {}{fix_note}", parts.join(", "), plural(files, "file")));
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

fn fix(
    ctx: &Ctx<'_>,
    project: &Project,
    settings: &Settings,
    args: &LintArgs,
    selection: &Selection,
) -> anyhow::Result<()> {
    let out = ctx.out;
    // Machine formats keep stdout for the report: the fix plan (`--dry-run`, `--diff`) and
    // the writer's status go to stderr.
    let machine = !matches!(args.format, LintFormat::Human);
    let to_stderr = out.results_to_stderr();
    let stderr_ctx = Ctx { out: &to_stderr, cwd: ctx.cwd.clone() };
    let write_ctx = if machine { &stderr_ctx } else { ctx };
    let write = WriteArgs { dry_run: args.dry_run, diff: args.diff, format: crate::cli::Format::Human };
    let mut applied = 0;
    // declined once, declined for good: a later round does not try (and report) it again
    let mut declined: std::collections::HashSet<lint::Fix> = std::collections::HashSet::new();
    // A fix can make the next one visible (a declared orphan is a job without an executor):
    // apply rounds until nothing more can be fixed (a few at most).
    for round in 0..MAX_FIX_ROUNDS {
        let analysis = analyse(project)?;
        let current = findings(&analysis, settings, selection);
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
                    "{} an unsafe fix (new code, or a file rustc has not compiled): apply with `orch lint --fix --unsafe`",
                    plural_has(held.len())
                ));
            }
        }
        if candidates.is_empty() {
            break;
        }
        let verified = lint::fix::plan_verified(project, &analysis, settings, candidates)?;
        for d in verified.declined.iter().filter(|_| !out.is_quiet()) {
            out.warn(&format!("fix declined: {}: {}", crate::plan::display(&d.path), d.reason));
        }
        declined.extend(verified.declined.into_iter().map(|d| d.fix));
        if verified.plan.is_empty() {
            break;
        }
        let n = verified.applied.len();
        let what = if n == 1 { "lint --fix (1 fix)".to_string() } else { format!("lint --fix ({n} fixes)") };
        let wrote = super::finish(write_ctx, &verified.plan, &write, &what)?;
        applied += verified.applied.len();
        if !wrote {
            // dry run: nothing was written (later rounds would depend on this one); a machine
            // format still gets its report of what is there now. The findings are all still
            // there: the exit status says so (like `ruff --fix --diff`), never a pass.
            if machine {
                print(ctx, &project.root, settings, args, selection.files_checked(&analysis), &current)?;
            } else {
                let unfixable = current.iter().filter(|f| !f.fixable()).count();
                exit_note(ctx, unfixable);
            }
            declined_exit(applied, declined.len())?;
            return exit_for(&current, args.deny_warnings);
        }
    }
    // What is left is reported like a normal run.
    let analysis = analyse(project)?;
    let remaining = findings(&analysis, settings, selection);
    print(ctx, &project.root, settings, args, selection.files_checked(&analysis), &remaining)?;
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

/// `--baseline FILE`: record today's findings in FILE when it does not exist (or with
/// `--update-baseline`), else report only the findings it does not record.
fn with_baseline(
    ctx: &Ctx<'_>,
    project: &Project,
    settings: &Settings,
    args: &LintArgs,
    selection: &Selection,
    file: &Path,
) -> anyhow::Result<()> {
    let out = ctx.out;
    let rel = baseline_path(ctx, project, file)?;
    let shown = crate::plan::display(&rel);
    let abs = project.root.join(&rel);
    let existing = match std::fs::read_to_string(&abs) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(anyhow::Error::new(e).context(
                Failure::usage(format!("cannot read baseline {shown}"))
                    .hint("give a readable JSON file written by `orch lint --baseline`"),
            ));
        }
    };
    // Parse before analysing: a bad file fails fast, and nothing is written. A file that is not
    // a baseline at all is refused even with `--update-baseline` (it is someone else's file).
    let known = match &existing {
        Some(text) if !args.update_baseline => Some(Baseline::parse(text, &shown)?),
        Some(text) => match baseline::foreign(text) {
            Some(what) => return Err(baseline::not_a_baseline(&shown, what).into()),
            None => None,
        },
        None => None,
    };
    if known.is_none() && !selection.is_all() {
        // a baseline of some paths would make every other finding "new" on the next full run
        return Err(Failure::usage(format!("cannot record baseline {shown} from some paths only"))
            .hint(format!("record it over the whole project: `orch lint --baseline {shown}` without paths"))
            .into());
    }
    let analysis = analyse(project)?;
    let mut findings = findings(&analysis, settings, selection);
    let files_checked = selection.files_checked(&analysis);
    let Some(known) = known else {
        let recorded = baseline::record(&findings);
        let mut plan = crate::plan::Plan::new(&project.root);
        plan.update(&rel, recorded.to_json())?;
        crate::writer::apply(&plan)?;
        // The report of a run with a fresh baseline has no new finding (valid JSON / SARIF).
        print(ctx, &project.root, settings, args, files_checked, &[])?;
        out.status(&format!(
            "recorded {} in baseline {shown}; later runs with `--baseline {shown}` report only new ones",
            plural(findings.len(), "finding")
        ));
        return Ok(());
    };
    let before = findings.len();
    let stale = known.filter(&mut findings, |p| selection.covers(p));
    print(ctx, &project.root, settings, args, files_checked, &findings)?;
    let mut note = format!("baseline {shown}: {} left out", plural(before - findings.len(), "known finding"));
    if stale > 0 {
        note.push_str(&format!(
            "; {} (`--update-baseline` drops them)",
            if stale == 1 {
                "1 baseline entry no longer occurs".to_string()
            } else {
                format!("{stale} baseline entries no longer occur")
            }
        ));
    }
    out.status(&note);
    exit_for(&findings, args.deny_warnings)
}

/// The baseline file as a root-relative path: it must be inside the project (orch writes only
/// there), its folder must exist.
fn baseline_path(ctx: &Ctx<'_>, project: &Project, file: &Path) -> anyhow::Result<PathBuf> {
    let abs = ctx.cwd.join(file);
    let (Some(parent), Some(name)) = (abs.parent(), abs.file_name()) else {
        return Err(Failure::usage(format!("invalid baseline path {}", file.display()))
            .hint("give a file, e.g. `--baseline lint-baseline.json`")
            .into());
    };
    let dir = parent.canonicalize().map_err(|e| {
        anyhow::Error::new(e).context(
            Failure::usage(format!("cannot use baseline {}: its folder does not exist", file.display()))
                .hint("create the folder, or give a path in an existing one"),
        )
    })?;
    let rel = dir.strip_prefix(&project.root).map_err(|_| {
        Failure::usage(format!(
            "baseline {} is outside the project at {}",
            file.display(),
            project.root.display()
        ))
        .hint("keep the baseline in the project (commit it), e.g. `--baseline lint-baseline.json`")
    })?;
    let rel = rel.join(name);
    if project.root.join(&rel).is_dir() {
        return Err(Failure::usage(format!("baseline {} is a directory", file.display()))
            .hint("give a file, e.g. `--baseline lint-baseline.json`")
            .into());
    }
    if let Some(what) = reserved_baseline_path(&rel) {
        return Err(Failure::usage(format!(
            "baseline {} is {what}: orch does not write a baseline there",
            file.display()
        ))
        .hint("give a JSON file of its own, e.g. `--baseline lint-baseline.json`")
        .into());
    }
    Ok(rel)
}

/// What the root-relative `rel` is when it is a project file a baseline must never be
/// (`--update-baseline` would replace it): a Rust source, the crate's or orch's config, or
/// anything under `src/`.
fn reserved_baseline_path(rel: &Path) -> Option<&'static str> {
    let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if name == crate::config::FILE_NAME {
        Some("the orch configuration")
    } else if name == "Cargo.toml" {
        Some("the cargo manifest")
    } else if name == "Cargo.lock" {
        Some("cargo's lock file")
    } else if rel.extension().is_some_and(|e| e == "rs") {
        Some("a Rust source file")
    } else if rel.starts_with("src") {
        Some("inside src/ (the crate's sources)")
    } else {
        None
    }
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

// ---------------------------------------------------------------------------------------------
// Workspaces: at a workspace root, with `--workspace` or `-p NAME`, every selected member with
// an `orch.toml` is linted with its own config; the findings are reported together, their
// paths relative to where orch runs, and the exit status is the worst of them. Path arguments
// pick members; one in the workspace but in no linted member selects nothing (a note).

/// The workspace root and the members to lint when this run is about a workspace; `None` for
/// a single project.
fn workspace_members(ctx: &Ctx<'_>, args: &LintArgs) -> anyhow::Result<Option<(PathBuf, Vec<Member>)>> {
    let explicit = args.workspace || !args.package.is_empty();
    let workspace = if explicit {
        Workspace::enclosing(&ctx.cwd)?.ok_or_else(|| {
            Failure::usage(format!("{} is not in a cargo workspace", ctx.cwd.display()))
                .hint("`--workspace` and `-p` select members of a cargo workspace; without them `orch lint` lints this project")
        })?
    } else {
        match Workspace::rooted_at(&ctx.cwd)? {
            Some(workspace) => workspace,
            None => return Ok(None),
        }
    };
    let names = || workspace.members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ");
    let mut members = workspace.members.clone();
    if args.package.is_empty() {
        members.retain(|m| m.orch);
        if members.is_empty() {
            let which = if workspace.members.is_empty() {
                "it has no member packages".to_string()
            } else {
                format!("none of its members ({}) has an orch.toml", names())
            };
            return Err(Failure::usage(format!(
                "the cargo workspace at {} has no orch project: {which}",
                workspace.root.display()
            ))
            .hint("run `orch init` in a member to adopt it (`orch -C crates/app init`), or lint one project with `orch -C DIR lint`")
            .into());
        }
        return Ok(Some((workspace.root, members)));
    }
    if let Some(unknown) = args.package.iter().find(|n| !members.iter().any(|m| &m.name == *n)) {
        return Err(Failure::usage(format!(
            "package `{unknown}` is not a member of the cargo workspace at {}",
            workspace.root.display()
        ))
        .hint(format!("members: {}", names()))
        .into());
    }
    members.retain(|m| args.package.contains(&m.name));
    if let Some(plain) = members.iter().find(|m| !m.orch) {
        return Err(Failure::usage(format!(
            "package `{}` is not an orch project: no {} in {}",
            plain.name,
            crate::config::FILE_NAME,
            plain.dir.display()
        ))
        .hint(format!("run `orch -C {} init` to adopt it", shown_from(&ctx.cwd, &plain.dir).display()))
        .into());
    }
    Ok(Some((workspace.root, members)))
}

/// Path argument `p` (relative to the working directory) as an absolute path inside the
/// workspace at `root` (canonical as far as it exists: deleted files are accepted); outside the
/// workspace is a usage error.
fn workspace_path(ctx: &Ctx<'_>, root: &Path, p: &Path) -> anyhow::Result<PathBuf> {
    let (abs, _) = resolve(&ctx.cwd.join(p)).map_err(|e| {
        anyhow::Error::new(e).context(
            Failure::usage(format!("cannot lint {}", p.display()))
                .hint("give files or directories inside the workspace"),
        )
    })?;
    if !abs.starts_with(root) {
        return Err(Failure::usage(format!(
            "{} is outside the workspace at {}",
            p.display(),
            root.display()
        ))
        .hint("give files or directories inside the workspace's orch members (or use -C DIR)")
        .into());
    }
    Ok(abs)
}

/// `dir` relative to `cwd` (empty when they are the same).
fn shown_from(cwd: &Path, dir: &Path) -> PathBuf {
    let rel = crate::generate::relative_path(dir, cwd);
    if rel == Path::new(".") { PathBuf::new() } else { rel }
}

fn lint_members(ctx: &Ctx<'_>, args: &LintArgs, root: &Path, members: &[Member]) -> anyhow::Result<()> {
    // Every member's configuration first: an error in one stops the run before any output.
    let mut loaded = Vec::new();
    for member in members {
        let project = Project::discover(&member.dir)?;
        project.require_paths()?;
        let settings = Settings::from_config(&project.config.lint)?;
        loaded.push((project, settings, Vec::new()));
    }
    // Paths given on the command line go to the member holding them; the members no path is
    // in are skipped. A path in the workspace but in no linted member (the root's Cargo.toml,
    // README.md, a plain member: what a pre-commit hook passes) selects nothing, said in a note.
    if !args.paths.is_empty() {
        for p in &args.paths {
            let abs = workspace_path(ctx, root, p)?;
            let holder = loaded
                .iter_mut()
                .filter(|(project, _, _)| abs.starts_with(&project.root))
                .max_by_key(|(project, _, _)| project.root.components().count());
            let Some(holder) = holder else {
                ctx.out.status(&format!(
                    "note: {} is in no linted orch member of the workspace: it selects nothing",
                    p.display()
                ));
                continue;
            };
            let selection = resolve_paths(ctx, &holder.0, std::slice::from_ref(p))?;
            holder.2.extend(selection.into_paths());
        }
        loaded.retain(|(_, _, filter)| !filter.is_empty());
        if loaded.is_empty() {
            // like a single project whose paths select no file: "0 files checked", exit 0
            return print(ctx, &ctx.cwd, &Settings::from_config(&Default::default())?, args, 0, &[]);
        }
    }
    let loaded: Vec<(Project, Settings, Selection)> = loaded
        .into_iter()
        .map(|(project, settings, paths)| {
            let selection = Selection::new(paths).with_scopes(project.features_dir(), project.core_dir());
            (project, settings, selection)
        })
        .collect();
    if args.fix {
        let mut failed = false;
        for (project, settings, filter) in &loaded {
            let shown = shown_from(&ctx.cwd, &project.root);
            let shown = if shown.as_os_str().is_empty() { ".".into() } else { shown.display().to_string() };
            ctx.out.status(&format!("orch lint --fix in {shown}"));
            match fix(ctx, project, settings, args, filter) {
                Ok(()) => {}
                Err(e) if e.downcast_ref::<Silent>().is_some() => failed = true,
                Err(e) => return Err(e),
            }
        }
        return if failed { Err(Silent(ExitKind::Failure).into()) } else { Ok(()) };
    }
    let analyses: Vec<Analysis> =
        loaded.iter().map(|(project, _, _)| analyse(project)).collect::<anyhow::Result<_>>()?;
    let mut all = Vec::new();
    // members whose findings were relocated: their hints still name member-relative paths
    let mut relocated = Vec::new();
    for ((project, settings, filter), analysis) in loaded.iter().zip(&analyses) {
        let prefix = shown_from(&ctx.cwd, &project.root);
        let mut last = None;
        let before = all.len();
        all.extend(findings(analysis, settings, filter).into_iter().map(|f| relocate(f, &prefix, &mut last)));
        if all.len() > before && !prefix.as_os_str().is_empty() {
            relocated.push(prefix);
        }
    }
    let files = loaded.iter().zip(&analyses).map(|((_, _, selection), a)| selection.files_checked(a)).sum();
    print(ctx, &ctx.cwd, &loaded[0].1, args, files, &all)?;
    for prefix in &relocated {
        ctx.out.status(&format!(
            "note: the hints of findings in {0}/ name paths relative to {0} (the member's root)",
            prefix.display()
        ));
    }
    let exit = exit_for(&all, args.deny_warnings);
    // As in `run`: the process ends right after.
    std::mem::forget(all);
    std::mem::forget(analyses);
    exit
}

/// `f` with its path under `prefix` (the member's directory as seen from where orch runs).
/// A finding holds a reference to its path, so the new path is leaked: like the analysis it
/// would only be freed as the process ends. `last` keeps one leak per run of findings on a file
/// (findings come sorted by path).
#[expect(clippy::borrowed_box, reason = "`Finding::path` is a thin reference to a boxed path")]
fn relocate<'a>(
    mut f: Finding<'a>,
    prefix: &Path,
    last: &mut Option<(&'a Box<Path>, &'static Box<Path>)>,
) -> Finding<'a> {
    if prefix.as_os_str().is_empty() {
        return f;
    }
    let shown = match *last {
        Some((from, to)) if std::ptr::eq(from, f.path) || from == f.path => to,
        _ => {
            let to: &'static Box<Path> = Box::leak(Box::new(prefix.join(f.path).into_boxed_path()));
            *last = Some((f.path, to));
            to
        }
    };
    f.path = shown;
    f
}
