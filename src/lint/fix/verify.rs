//! Fixes are verified before anything is written: the plan of every fix is made, then the tree
//! it would leave is checked. Every created or edited `.rs` file must parse (and pass
//! [`Plan::check_sources`]), and linting that tree ([`crate::analysis::overlay`]) must no longer
//! report the findings the fixes are for, nor anything new. A new finding in a file no crate
//! root reached before is not counted: it was there, unseen (declaring an orphan job shows that
//! it has no executor; the next `--fix` round handles that).
//!
//! A failing check declines the fixes that touched the file it points at (or, failing that, the
//! `mod` lines declaring a type it names; all of them as a last resort), and the plan is made
//! again without them: a few attempts at most,
//! each linear in the size of the tree. What is declined is reported with the reason; the tree
//! is never written with a fix that failed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{apply_one, order, targets};
use crate::analysis::{Analysis, Reach, overlay};
use crate::lint::{Finding, Fix, Settings, check};
use crate::plan::{Plan, display};
use crate::project::Project;
use crate::templates::Templates;

/// A finding as verification compares them: rule, path and message, not the line (a fix that
/// inserts a line moves the findings below it).
pub type FindingKey = (crate::lint::RuleId, PathBuf, String);

fn key_of(f: &Finding<'_>) -> FindingKey {
    (f.rule(), f.path.to_path_buf(), f.message().into_owned())
}

/// A fix and the findings it is for.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The fix.
    pub fix: Fix,
    /// The findings it removes.
    pub findings: Vec<FindingKey>,
}

impl Candidate {
    /// One candidate per distinct fix of `findings`, in planning order.
    pub fn of(findings: &[Finding<'_>]) -> Vec<Candidate> {
        let mut by_fix: Vec<Candidate> = Vec::new();
        let mut index: HashMap<Fix, usize> = HashMap::new();
        for f in findings {
            let Some(fix) = f.fix() else { continue };
            match index.get(&fix) {
                Some(&i) => by_fix[i].findings.push(key_of(f)),
                None => {
                    index.insert(fix.clone(), by_fix.len());
                    by_fix.push(Candidate { fix, findings: vec![key_of(f)] });
                }
            }
        }
        by_fix.sort_by_key(|c| order(&c.fix));
        by_fix
    }
}

/// A fix that was not applied, and why.
#[derive(Debug, Clone)]
pub struct Declined {
    /// The fix.
    pub fix: Fix,
    /// The file it is about (root-relative).
    pub path: PathBuf,
    /// Why it was declined.
    pub reason: String,
}

/// The outcome of [`plan_verified`].
#[derive(Debug)]
pub struct Verified {
    /// The plan of the fixes that passed every check (empty when none did).
    pub plan: Plan,
    /// Those fixes.
    pub applied: Vec<Fix>,
    /// The others.
    pub declined: Vec<Declined>,
}

/// How many times the plan is made again without the fixes declined so far.
const ATTEMPTS: usize = 3;

/// Plan `candidates` (from the findings of `analysis`, the project as it is on disk) and verify
/// the result; see the module documentation.
pub fn plan_verified(
    project: &Project,
    analysis: &Analysis,
    settings: &Settings,
    candidates: Vec<Candidate>,
) -> anyhow::Result<Verified> {
    let templates = Templates::load(Some(&project.abs(&project.config.paths.templates)))?;
    let mut before: HashMap<FindingKey, usize> = HashMap::new();
    for f in check(analysis, settings) {
        *before.entry(key_of(&f)).or_default() += 1;
    }
    // Files rustc did not see: what is found in them once they are declared was there before.
    let unseen =
        |p: &Path| analysis.file(p).is_some_and(|f| f.reach == Reach::Unreached) || analysis.reach_unknown(p);
    let mut active = candidates;
    let mut declined: Vec<Declined> = Vec::new();
    for _ in 0..ATTEMPTS {
        let mut plan = Plan::new(&project.root);
        let mut planned: Vec<Candidate> = Vec::new();
        for c in active.drain(..) {
            match apply_one(&mut plan, project, &templates, &c.fix, true) {
                Ok(()) => planned.push(c),
                Err((path, reason)) => declined.push(Declined { fix: c.fix, path, reason }),
            }
        }
        let failures = failures(&plan, analysis, settings, &planned, &before, &unseen);
        if failures.is_empty() {
            let applied = planned.into_iter().map(|c| c.fix).collect();
            return Ok(Verified { plan, applied, declined });
        }
        // Blame the fixes that touched the file a failure points at; else the `mod` lines that
        // declare a type the failure names (a second executor for a job, made part of the
        // crate); else all of them.
        // (indexes: thousands of fixes and failures must not meet pairwise)
        let mut by_file: HashMap<PathBuf, Vec<usize>> = HashMap::new();
        let mut by_type: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, c) in planned.iter().enumerate() {
            for t in touched_by(project, &c.fix) {
                by_file.entry(t).or_default().push(i);
            }
            if let Fix::ModLine { exports, .. } = &c.fix {
                for ty in exports {
                    by_type.entry(ty.as_str()).or_default().push(i);
                }
            }
        }
        let mut blamed: Vec<Option<(PathBuf, String)>> = vec![None; planned.len()];
        let mut everyone: Option<(PathBuf, String)> = None;
        for (path, reason) in &failures {
            let mut hit: Vec<usize> = by_file.get(path).cloned().unwrap_or_default();
            if hit.is_empty() {
                // the names in backquotes the reason mentions
                hit = reason
                    .split('`')
                    .skip(1)
                    .step_by(2)
                    .filter_map(|n| by_type.get(n))
                    .flatten()
                    .copied()
                    .collect();
            }
            if hit.is_empty() {
                everyone.get_or_insert_with(|| (path.clone(), reason.clone()));
            }
            for i in hit {
                blamed[i].get_or_insert_with(|| (path.clone(), reason.clone()));
            }
        }
        if let Some(blame) = everyone {
            blamed.iter_mut().for_each(|b| _ = b.get_or_insert_with(|| blame.clone()));
        }
        for (c, blame) in planned.into_iter().zip(blamed) {
            match blame {
                Some((path, reason)) => declined.push(Declined { fix: c.fix, path, reason }),
                None => active.push(c),
            }
        }
    }
    // Still failing after the last attempt: nothing goes in.
    for c in active {
        let path = targets(project, &c.fix).into_iter().next().unwrap_or_default();
        declined.push(Declined {
            fix: c.fix,
            path,
            reason: "could not be verified with the other fixes".into(),
        });
    }
    Ok(Verified { plan: Plan::new(&project.root), applied: Vec::new(), declined })
}

/// The files a fix touches, for blame: the files it may edit, and the file it fixes.
fn touched_by(project: &Project, fix: &Fix) -> Vec<PathBuf> {
    let mut files = targets(project, fix);
    match fix {
        Fix::ModLine { file, .. } => files.push(file.clone()),
        Fix::Register { executor_file, .. } => files.push(executor_file.clone()),
        _ => {}
    }
    files
}

/// What is wrong with the tree `plan` would leave: (file, reason), empty when nothing is.
fn failures(
    plan: &Plan,
    analysis: &Analysis,
    settings: &Settings,
    planned: &[Candidate],
    before: &HashMap<FindingKey, usize>,
    unseen: &dyn Fn(&Path) -> bool,
) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for op in plan.ops() {
        if let Some(after) = &op.after
            && op.path.extension().is_some_and(|e| e == "rs")
            && let Err(e) = syn::parse_file(after)
        {
            let at = e.span().start();
            out.push((
                op.path.clone(),
                format!("{} would not parse ({e} at {}:{})", display(&op.path), at.line, at.column + 1),
            ));
        }
    }
    if !out.is_empty() {
        return out;
    }
    if let Err(e) = plan.check_sources() {
        let text = format!("{e:#}");
        let path = plan.ops().map(|op| &op.path).find(|p| text.starts_with(&display(p))).cloned();
        // the path is said once, before the reason
        let reason = path.as_ref().and_then(|p| text.strip_prefix(&format!("{}: ", display(p))));
        return vec![(path.clone().unwrap_or_default(), reason.unwrap_or(&text).to_string())];
    }
    let changes: Vec<(PathBuf, Option<String>)> =
        plan.ops().map(|op| (op.path.clone(), op.after.clone())).collect();
    let fixed = overlay::overlay(analysis, &changes);
    let mut after: HashMap<FindingKey, usize> = HashMap::new();
    let findings = check(&fixed, settings);
    for f in &findings {
        *after.entry(key_of(f)).or_default() += 1;
    }
    for c in planned {
        if let Some(k) = c.findings.iter().find(|k| after.contains_key(*k)) {
            out.push((
                k.1.clone(),
                format!("the finding is still reported after the fix ({}: {})", k.0, k.2),
            ));
        }
    }
    let mut seen: HashMap<&FindingKey, usize> = HashMap::new();
    for f in &findings {
        if unseen(f.path) {
            continue;
        }
        let k = key_of(f);
        let Some((k, n)) = after.get_key_value(&k) else { continue };
        let count = seen.entry(k).or_default();
        *count += 1;
        if *count == 1 && *n > before.get(k).copied().unwrap_or(0) {
            out.push((
                k.1.clone(),
                format!(
                    "it would add a finding: {}[{}] at {}: {}",
                    f.severity.label(),
                    k.0,
                    display(&k.1),
                    k.2
                ),
            ));
        }
    }
    out
}
