//! `layout`: a feature (or core) folder holds only the pattern's component folders.

use heck::ToSnakeCase;

use super::{Rule, RuleId, file_name};
use crate::analysis::place::Rest;
use crate::analysis::{Analysis, Chunks, Folder, Place};
use crate::config::Level;
use crate::lint::{Finding, Settings, Severity};

pub(crate) const RULE: Rule = Rule {
    id: RuleId::Layout.as_str(),
    key: RuleId::Layout,
    default: Level::Error,
    summary: "only jobs/, events/, executors/, orchestrators/ (and `mod.rs`) inside a feature or core",
    knobs: "extra_folders = [\"...\"]",
    explanation: "\
A feature folder holds exactly the component folders of the pattern: `jobs/`, `events/`,
`executors/` and `orchestrators/`, plus its `mod.rs` (or `<folder>.rs` module files). The same
holds for the core folder. Anything else at that level (a `helpers/` folder, a `util.rs`) is
reported: such code has no place in the job -> executor -> event -> orchestrator flow and tends
to grow into a second architecture. Directly in the features folder, only `mod.rs` (and
`<feature>.rs` module files of feature folders) belong; features are folders.
Non-Rust files (READMEs, fixtures) are not reported.

Fix: move the code into the component folder it belongs to (I/O into an executor, data into a
job or event), or into another module outside the features folder.
Configure: allow more folders with `[lint] extra_folders = [\"helpers\"]`.",
};

fn allowed_folder(s: &Settings, name: &str) -> bool {
    Folder::from_name(name).is_some() || s.extra_folders.iter().any(|e| e == name)
}

/// The check.
pub(super) fn check<'a>(a: &'a Analysis, s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    let allowed_list = || {
        let mut names: Vec<String> = Folder::ALL.iter().map(|f| format!("{}/", f.name())).collect();
        names.extend(s.extra_folders.iter().map(|e| format!("{e}/")));
        names.join(", ")
    };
    for d in &a.dirs {
        let owner = match &d.place {
            Place::Feature { feature, rest: Rest::Top } => format!("feature `{feature}`"),
            Place::Core { rest: Rest::Top } => "core".to_string(),
            _ => continue,
        };
        let name = file_name(&d.path);
        if d.path.file_name().and_then(|n| n.to_str()).is_some_and(|n| allowed_folder(s, n)) {
            continue;
        }
        out.push(Finding::new(
            RuleId::Layout,
            sev,
            &d.path,
            None,
            format!("folder `{name}/` is not part of the layout of {owner} (allowed: {})", allowed_list()),
            Some(format!(
                "move its code into the component folder it belongs to, or allow the folder with `[lint] extra_folders = [\"{name}\"]` in orch.toml"
            )),
        ));
    }
    for f in &a.files {
        match &f.place {
            Place::Feature { rest: Rest::Top, .. } | Place::Core { rest: Rest::Top } => {
                let ok = f.file_name() == "mod.rs" || f.stem().is_some_and(|st| allowed_folder(s, st));
                if !ok {
                    let owner = match f.place.feature() {
                        Some(feat) => format!("feature `{feat}`"),
                        None => "core".to_string(),
                    };
                    out.push(Finding::new(
                        RuleId::Layout,
                        sev,
                        &f.path,
                        None,
                        format!("file `{}` is directly in {owner}, outside its component folders", file_name(&f.path)),
                        Some(format!(
                            "move it into {} (or out of the features folder); a feature's own code lives in `mod.rs`",
                            allowed_list()
                        )),
                    ));
                }
            }
            Place::Features => {
                if f.file_name() == "mod.rs" {
                    continue;
                }
                let dir = f.path.with_extension("");
                if a.has_dir(&dir) {
                    continue; // `features/auth.rs` next to `features/auth/`
                }
                let stem = f.stem().unwrap_or("name").to_snake_case();
                out.push(Finding::new(
                    RuleId::Layout,
                    sev,
                    &f.path,
                    None,
                    format!(
                        "file `{}` is directly in the features folder; features are folders",
                        file_name(&f.path)
                    ),
                    Some(format!(
                        "make it a feature folder (`orch new feature {stem}` generates one) or move it out of {}",
                        crate::plan::display(&a.options.features_dir)
                    )),
                ));
            }
            _ => {}
        }
    }
}
