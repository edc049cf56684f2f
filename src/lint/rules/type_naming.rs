//! `type-naming`: public data types carry their component folder's suffix.

use super::{Rule, RuleId, What, is_data_type, lazy};
use crate::analysis::{Analysis, Chunks};
use crate::config::Level;
use crate::lint::{Finding, Settings, Severity};

pub(crate) const RULE: Rule = Rule {
    id: RuleId::TypeNaming.as_str(),
    key: RuleId::TypeNaming,
    default: Level::Error,
    summary: "public types carry their folder's suffix (`...Job` in jobs/, `...Executor` in executors/, ...)",
    knobs: "",
    explanation: "\
Public structs, enums and unions declared in a component folder carry the folder's suffix:
`...Job` in `jobs/`, `...Event` in `events/`, `...Executor` in `executors/`, `...Orchestrator`
or `...State` in `orchestrators/`. The suffix is how readers (and `orch lint`, `orch graph`)
tell the roles apart at a glance. Private types, type aliases, traits and test code are not
checked.

Fix: rename the type (the hint proposes a name), make it private, or move it to the folder
that matches its role.",
};

/// The check.
pub(super) fn check<'a>(a: &'a Analysis, _s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    for f in &a.files {
        let Some(folder) = f.place.folder() else { continue };
        let suffixes = folder.suffixes();
        for (name, kind, loc) in f.public_type_names() {
            if !is_data_type(kind) || suffixes.iter().any(|s| name.ends_with(s) && name.len() > s.len()) {
                continue;
            }
            out.push(lazy(
                RuleId::TypeNaming,
                sev,
                &f.path,
                Some(loc),
                What::TypeName { name, kind, folder },
            ));
        }
    }
}
