//! `boundaries`: orchestrators do no I/O and use no executor code; features stay out of each
//! other's internals.

use super::{Rule, RuleId, What, feature_flag, lazy, live};
use crate::analysis::{Analysis, Chunks, Fact, Folder, Role};
use crate::config::Level;
use crate::lint::{Finding, Settings, Severity};

pub(crate) const RULE: Rule = Rule {
    id: RuleId::Boundaries.as_str(),
    key: RuleId::Boundaries,
    default: Level::Error,
    summary: "orchestrators do no I/O and never call executors; features use only each other's public modules",
    knobs: "io_deny = [\"...\"], public_modules = [\"...\"]",
    explanation: "\
Orchestrators hold state and never do I/O: they dispatch jobs, and executors do the work.
Reported in orchestrator files (outside tests): a path into an `executors` module, and any use
of a crate or module on the I/O deny-list (`use` or inline, e.g. `std::fs::read(..)`).
Across features: a feature may use another feature's public modules (by default its `events`)
and what it re-exports at its root, but not its jobs, executors or orchestrators folders.

Fix: dispatch a job instead of calling an executor; move the I/O into an executor
(`orch add executor <name>`); talk to another feature through its events.
Configure: `[lint] io_deny = [\"reqwest\", \"std::fs\", ...]` (crates or paths, matched by
prefix on `::` boundaries); `[lint] public_modules = [\"events\", \"jobs\"]`.",
};

/// The check.
pub(super) fn check<'a>(a: &'a Analysis, s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    let features_mod = a.features_module();
    for f in a.files.iter().filter(|f| live(a, f)) {
        let in_orchestrator = f.place.folder() == Some(Folder::Orchestrators);
        let own = f.place.feature();
        for fact in f.live_facts() {
            let Fact::Ref { path, loc, .. } = fact else { continue };
            let segs: Vec<&str> = path.split("::").collect();
            if in_orchestrator {
                if segs.first() == Some(&"crate") && segs.contains(&Role::Executors.name()) {
                    out.push(lazy(
                        RuleId::Boundaries,
                        sev,
                        &f.path,
                        Some(*loc),
                        What::OrchestratorUsesExecutor { path },
                    ));
                    continue;
                }
                if let Some(deny) =
                    s.io_deny.iter().find(|d| segs.len() >= d.len() && segs[..d.len()] == d[..])
                {
                    out.push(Finding::new(
                        RuleId::Boundaries,
                        sev,
                        &f.path,
                        Some(*loc),
                        format!("orchestrator uses `{path}` (I/O deny-list: `{}`); orchestrators never do I/O", deny.join("::")),
                        Some(format!(
                            "move the I/O into an executor (`orch add executor <name>{}`) and dispatch its job",
                            feature_flag(&f.place)
                        )),
                    ));
                    continue;
                }
            }
            let (Some(own), Some(fm)) = (own, features_mod.as_deref()) else { continue };
            let n = fm.len();
            if segs.len() > n + 2 && segs[0] == "crate" && segs[1..=n] == *fm && segs[n + 1] != own {
                let other = segs[n + 1];
                let module = segs[n + 2];
                let internal =
                    Folder::from_name(module).is_some() || s.extra_folders.iter().any(|e| e == module);
                if internal && !s.public_modules.iter().any(|p| p == module) {
                    out.push(Finding::new(
                        RuleId::Boundaries,
                        sev,
                        &f.path,
                        Some(*loc),
                        format!("feature `{own}` reaches into feature `{other}`'s {module}: `{path}`"),
                        Some(format!(
                            "use only what `{other}` exposes (its {}, or its root re-exports), or list `{module}` in `[lint] public_modules`",
                            s.public_modules.join(", ")
                        )),
                    ));
                }
            }
        }
    }
}
