//! `registration`: executors are registered with the dispatcher, features with
//! `features::register`.

use std::path::Path;

use super::{Rule, RuleId, live, module_file_of_dir, register_file};
use crate::analysis::{Analysis, Chunks, Fact, FastMap as HashMap, FastSet as HashSet, Folder, Loc, flags};
use crate::config::Level;
use crate::lint::{Finding, Fix, Settings, Severity};

pub(crate) const RULE: Rule = Rule {
    id: RuleId::Registration.as_str(),
    key: RuleId::Registration,
    default: Level::Error,
    summary: "every executor is registered, every feature is wired into `features::register`",
    knobs: "",
    explanation: "\
An executor that is never registered is dead code, and dispatching its job fails with
`DispatchError::NoExecutor`. Reported: an `impl Executor<J> for E` with no
`register::<J, _>(..)` (or `register_shared` / `register_with_breaker`, or `.register(E..)`)
call outside test code, a feature folder that is declared in the features module but whose
`register` function `features::register` never calls, and a features module whose `register`
no code outside tests calls (the crate root must call `features::register(&mut builder)?`).

Fix: `orch lint --fix` adds the missing `builder.register::<jobs::XJob, _>(executors::XExecutor)?;`
line to the feature's `register` function, and the missing `<feature>::register(builder)?;` call.",
};

/// The check.
pub(super) fn check<'a>(a: &'a Analysis, _s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    // where each implemented job type is declared (for the fix: `jobs::XJob` must resolve)
    let implemented: HashSet<&str> = a
        .files
        .iter()
        .filter(|f| live(a, f))
        .flat_map(|f| f.live_facts())
        .filter_map(|fact| match fact {
            Fact::ExecutorImpl { job, .. } => Some(&**job),
            _ => None,
        })
        .collect();
    let mut job_files: HashMap<&str, &Path> = HashMap::default();
    for f in a.files.iter().filter(|f| f.place.folder() == Some(Folder::Jobs)) {
        for (name, _, _) in f.public_types().filter(|(name, _, _)| implemented.contains(name)) {
            job_files.entry(name).or_insert(&f.path);
        }
    }
    let mut jobs: HashSet<&str> = HashSet::default();
    let mut executors: HashSet<&str> = HashSet::default();
    for f in a.files.iter().filter(|f| live(a, f)) {
        for fact in f.live_facts() {
            match fact {
                Fact::Register { job, executor, .. } => {
                    if let Some(j) = job {
                        jobs.insert(j);
                    }
                    if let Some(e) = executor {
                        executors.insert(e);
                    }
                }
                Fact::MacroMention { name, flags: fl, .. } if fl & flags::IN_REGISTER_FN != 0 => {
                    jobs.insert(name);
                    executors.insert(name);
                }
                _ => {}
            }
        }
    }
    for f in a.files.iter().filter(|f| live(a, f)) {
        for fact in f.live_facts() {
            let Fact::ExecutorImpl { job, executor, loc, .. } = fact else { continue };
            if jobs.contains(&**job) || executors.contains(&**executor) {
                continue;
            }
            let target = register_file(a, &f.place);
            let where_ = target
                .as_deref()
                .map(|t| format!("`register` in {}", crate::lint::show(t)))
                .unwrap_or_else(|| "a `register` function".to_string());
            let mut fnd = Finding::new(
                RuleId::Registration,
                sev,
                &f.path,
                Some(*loc),
                format!("executor `{executor}` (for `{job}`) is never registered with the dispatcher"),
                Some(format!(
                    "add `builder.register::<jobs::{job}, _>(executors::{executor})?;` to {where_}{}",
                    if target.is_some() && job_files.contains_key(&**job) {
                        " (or run `orch lint --fix`)"
                    } else {
                        ""
                    }
                )),
            );
            if let Some(t) = &target {
                fnd = fnd.with_related(t.clone());
            }
            // only when the job exists: registering an undeclared job would not compile
            if target.is_some() && job_files.contains_key(&**job) {
                fnd = fnd.with_fix(Fix::Register {
                    feature: f.place.feature().map(str::to_string),
                    job: job.to_string(),
                    executor: executor.to_string(),
                    executor_file: f.path.to_path_buf(),
                    job_file: job_files.get(&**job).map(|p| p.to_path_buf()),
                });
            }
            out.push(fnd);
        }
    }
    // features wired into `features::register`
    let Some(features_file) = module_file_of_dir(a, &a.options.features_dir) else { return };
    let Some(ff) = a.file(&features_file) else { return };
    if !live(a, ff) {
        return;
    }
    if let Some(fnd) = features_register_uncalled(a, ff, sev) {
        out.push(fnd);
    }
    let called: HashSet<&str> = ff
        .live_facts()
        .filter_map(|fact| match fact {
            Fact::RegisterCall { module, .. } => Some(&**module),
            Fact::MacroMention { name, .. } => Some(&**name),
            _ => None,
        })
        .collect();
    // the first `mod` line of each name: one pass, not one per feature (a features module
    // may declare thousands)
    let mut decls: HashMap<&str, Loc> = HashMap::default();
    for fact in ff.live_facts() {
        if let Fact::Mod { name, loc, .. } = fact {
            decls.entry(&**name).or_insert(*loc);
        }
    }
    for feature in a.features() {
        let dir = a.options.features_dir.join(feature);
        let Some(module_file) = module_file_of_dir(a, &dir) else { continue };
        let has_register = a
            .file(&module_file)
            .is_some_and(|mf| mf.live_facts().any(|fact| matches!(fact, Fact::RegisterFn { .. })));
        if !has_register || called.contains(feature) {
            continue;
        }
        let Some(&decl) = decls.get(feature) else { continue }; // undeclared: orphan-module reports it
        let ident = crate::names::module_ident(feature).unwrap_or_else(|_| feature.to_string());
        let fnd = Finding::new(
            RuleId::Registration,
            sev,
            &ff.path,
            Some(decl),
            format!(
                "feature `{feature}` is not registered: `register` here never calls `{feature}::register`"
            ),
            Some(format!("add `{ident}::register(builder)?;` to `register` (or run `orch lint --fix`)")),
        );
        out.push(fnd.with_fix(Fix::WireFeature { feature: feature.to_string() }));
    }
}

/// The features module has a `fn register` that no code outside tests calls (`main.rs` lost
/// its `features::register(&mut builder)?;`): no feature's executor reaches the dispatcher.
/// Reported at the `mod features;` line of a binary's crate root that builds a dispatcher.
/// Silent for a library, when a file does not parse (the call may be
/// in it) or nothing declares the features module (`orphan-module` reports that).
fn features_register_uncalled<'a>(
    a: &'a Analysis,
    ff: &'a crate::analysis::SourceFile,
    sev: Severity,
) -> Option<Finding<'a>> {
    if !ff.live_facts().any(|x| matches!(x, Fact::RegisterFn { .. })) {
        return None;
    }
    let name = a.options.features_dir.file_name()?.to_str()?;
    if a.problems.iter().any(|p| matches!(p.kind, crate::analysis::ProblemKind::Parse)) {
        return None;
    }
    let mut decl = None;
    for f in a.files.iter().filter(|f| live(a, f)) {
        for fact in f.live_facts() {
            match fact {
                Fact::RegisterCall { module, .. } if &**module == name => return None,
                // a macro may make the call
                Fact::MacroMention { name: m, .. } if &**m == name => return None,
                Fact::Mod { name: m, loc, .. } if &**m == name && decl.is_none() => decl = Some((f, *loc)),
                _ => {}
            }
        }
    }
    let (root, loc) = decl?;
    // A library's features are registered by whatever binary uses it (doctor warns there).
    if !root.root || root.file_name() == "lib.rs" {
        return None;
    }
    // Only a root that builds the dispatcher: right after `orch init` the crate builds none
    // yet (init says where to add it; doctor reports the missing entry point).
    let text = std::fs::read_to_string(a.root.join(&root.path)).unwrap_or_default();
    if !crate::doctor::builds_dispatcher(&text) || may_call_imported_register(&text, name) {
        return None;
    }
    Some(Finding::new(
        RuleId::Registration,
        sev,
        &root.path,
        Some(loc),
        format!("`{name}::register` is never called: no feature's executor reaches the dispatcher"),
        Some(format!(
            "add `{name}::register(&mut builder)?;` to {} where the dispatcher is built, between `Dispatcher::builder(..)` and `builder.build()`",
            crate::lint::show(&root.path)
        )),
    ))
}

/// Whether the root may call the features module's `register` under another name: it imports
/// from that module by a group or glob (`use crate::features::{register, ..}`,
/// `features::*`), or calls a bare `register(..)` / a `register` it renamed. Only a plain
/// `features::register(..)` call is recognised as a fact, so these stay silent rather than be
/// reported wrongly.
fn may_call_imported_register(text: &str, name: &str) -> bool {
    let imports_from = [format!("{name}::{{"), format!("{name}::*"), format!("{name}::register as ")];
    if imports_from.iter().any(|p| text.contains(p.as_str())) {
        return true;
    }
    // a bare call: `register(` not preceded by `.` or `::` (method calls and other paths)
    text.match_indices("register(").any(|(i, _)| {
        let before = text[..i].trim_end_matches(|c: char| c.is_alphanumeric() || c == '_');
        // `xregister(` is another function; only the identifier `register` itself counts
        before.len() == i && !before.ends_with('.') && !before.ends_with("::")
    })
}
