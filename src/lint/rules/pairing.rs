//! `pairing`: every job has exactly one executor; every executor handles a declared job.

use super::{Rule, RuleId, What, feature_flag, is_data_type, job_stem, lazy, live};
use crate::analysis::{
    Analysis, Chunks, Fact, FastMap as HashMap, FastSet as HashSet, Folder, Loc, Role, SourceFile, flags,
};
use crate::config::Level;
use crate::lint::{Finding, Settings, Severity};

pub(crate) const RULE: Rule = Rule {
    id: RuleId::Pairing.as_str(),
    key: RuleId::Pairing,
    default: Level::Error,
    summary: "every job has exactly one executor; every executor handles an existing job",
    knobs: "",
    explanation: "\
The dispatcher routes each job type to exactly one executor, found by `impl Executor<XJob> for
YExecutor`. Reported: a job (a public `...Job` type in a `jobs/` folder) with no executor
(dispatching it fails at run time), a job with several executors (only one can be registered),
an executor that implements `Executor<J>` for a job type this crate does not declare, and an
`...Executor` type in `executors/` that implements no `Executor<J>` at all. Types mentioned in
item-level macro invocations are assumed to be handled by the macro.

Fix: `orch add executor <job> --feature <feature>` generates and registers the missing
executor (`orch lint --fix --unsafe` does it for every job without one, against the job as it
is: a hand-written job gets an executor returning its own `Output` that fails until written;
a job without `impl Job` gets none).",
};

fn item_level_mentions(a: &Analysis) -> HashSet<&str> {
    let mut set = HashSet::default();
    for f in a.files.iter().filter(|f| live(a, f)) {
        for fact in f.live_facts() {
            if let Fact::MacroMention { name, flags: fl, .. } = fact
                && fl & flags::ITEM_LEVEL != 0
            {
                set.insert(&**name);
            }
        }
    }
    set
}

/// The executors of a job that has several (cfg'd alternatives left out): how many, and the
/// first few as `` `E` (path:line) ``. Capped: a job declared in k files with n executors
/// would otherwise print k × n entries.
fn executor_list(all: &[(&str, &SourceFile, Loc, bool)]) -> (usize, String) {
    const SHOWN: usize = 5;
    let many: Vec<_> = all.iter().filter(|i| !i.3).collect();
    let mut list = many
        .iter()
        .take(SHOWN)
        .map(|(e, file, l, _)| format!("`{e}` ({}:{})", crate::lint::show(&file.path), l.line))
        .collect::<Vec<_>>()
        .join(", ");
    if many.len() > SHOWN {
        list.push_str(&format!(" and {} more", many.len() - SHOWN));
    }
    (many.len(), list)
}

/// The check.
pub(super) fn check<'a>(a: &'a Analysis, _s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    let mentions = item_level_mentions(a);
    // wrappers generic over the job (`impl<J: Job, E: Executor<J>> Executor<J> for L<E>`)
    let mut generic: HashSet<&str> = HashSet::default();
    // A file that does not parse hides what it declares: no "missing" findings near it.
    let unparsed = a.unparsed();
    // job -> impls (executor, file, loc, behind a cfg)
    let mut impls: HashMap<&str, Vec<(&str, &SourceFile, Loc, bool)>> = HashMap::default();
    for f in a.files.iter().filter(|f| live(a, f)) {
        for fact in f.live_facts() {
            if let Fact::ExecutorImpl { job, executor, loc, flags: fl } = fact {
                impls.entry(job).or_default().push((executor, f, *loc, f.cfg || fl & flags::CFG != 0));
            }
            if let Fact::GenericExecutorImpl { executor, .. } = fact {
                generic.insert(&**executor);
            }
        }
    }
    let implementing: HashSet<&str> = impls.values().flatten().map(|(e, _, _, _)| *e).collect();
    // the implemented jobs declared somewhere (an index of every type would be large)
    let declared: HashSet<&str> = a
        .files
        .iter()
        .flat_map(|f| f.facts.iter())
        .filter_map(|fact| match fact {
            Fact::Type { name, .. } if impls.contains_key(&**name) => Some(&**name),
            _ => None,
        })
        .collect();
    let mut several: HashMap<&str, (usize, String)> = HashMap::default();
    for f in a.files.iter().filter(|f| live(a, f)) {
        match f.place.folder() {
            Some(Folder::Jobs) => {
                for (name, kind, loc) in f.public_type_names() {
                    if !is_data_type(kind) || !Role::Jobs.names(name) {
                        continue;
                    }
                    match impls.get(&**name).map(Vec::as_slice) {
                        None | Some([]) if mentions.contains(&**name) || unparsed.may_hide(&f.place) => {}
                        None | Some([]) => {
                            out.push(lazy(
                                RuleId::Pairing,
                                sev,
                                &f.path,
                                Some(loc),
                                What::NoExecutor { job: name, place: &f.place },
                            ));
                        }
                        Some([_]) => {}
                        Some(all) => {
                            // once per job name: it may be declared in many files
                            let (n, list) = several.entry(&**name).or_insert_with(|| executor_list(all));
                            // cfg'd alternatives (one per platform) are one executor
                            if *n <= 1 {
                                continue;
                            }
                            out.push(Finding::new(
                                RuleId::Pairing,
                                sev,
                                &f.path,
                                Some(loc),
                                format!("job `{name}` has {n} executors: {list}"),
                                Some(
                                    "keep exactly one executor per job type; the dispatcher registers one"
                                        .to_string(),
                                ),
                            ));
                        }
                    }
                }
            }
            Some(Folder::Executors) => {
                for (name, kind, loc) in f.public_type_names() {
                    if !is_data_type(kind)
                        || !Role::Executors.names(name)
                        || implementing.contains(&**name)
                        || generic.contains(&**name)
                        || mentions.contains(&**name)
                        || unparsed.may_hide(&f.place)
                    {
                        continue;
                    }
                    out.push(lazy(
                        RuleId::Pairing,
                        sev,
                        &f.path,
                        Some(loc),
                        What::NoImpl { executor: name, place: &f.place },
                    ));
                }
            }
            _ => {}
        }
    }
    let mut ghosts: Vec<(&str, &str, &SourceFile, Loc)> = impls
        .iter()
        .filter(|(job, _)| !declared.contains(**job) && !mentions.contains(**job))
        .flat_map(|(job, v)| v.iter().map(move |(e, f, l, _)| (*job, *e, *f, *l)))
        .collect();
    ghosts.retain(|(_, _, f, _)| !unparsed.may_hide(&f.place));
    ghosts.sort_by(|x, y| (&x.2.path, x.3).cmp(&(&y.2.path, y.3)));
    for (job, executor, f, loc) in ghosts {
        out.push(Finding::new(
            RuleId::Pairing,
            sev,
            &f.path,
            Some(loc),
            format!("executor `{executor}` handles `{job}`, which this crate does not declare"),
            Some(format!(
                "create the job (`orch add job {}{}`) or point the executor at an existing job type",
                job_stem(job),
                feature_flag(&f.place)
            )),
        ));
    }
}
