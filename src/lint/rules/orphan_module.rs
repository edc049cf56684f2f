//! `orphan-module`: `.rs` files no `mod` declaration reaches (rustc ignores them).

use std::path::{Path, PathBuf};

use super::{Rule, RuleId, missing_module::missing_modules};
use crate::analysis::place::Rest;
use crate::analysis::{Analysis, Chunks, Fact, Place, Reach, SourceFile};
use crate::config::Level;
use crate::lint::{Finding, Fix, Settings, Severity};

pub(crate) const RULE: Rule = Rule {
    id: RuleId::OrphanModule.as_str(),
    key: RuleId::OrphanModule,
    default: Level::Error,
    summary: "`.rs` files that no `mod` declaration reaches (rustc ignores them silently)",
    knobs: "",
    explanation: "\
rustc compiles only the files that `mod` declarations reach from the crate roots
(`src/main.rs`, `src/lib.rs`, `src/bin/*`, `[lib]`/`[[bin]]` paths). A file nobody declares is
silently ignored: its code, its tests and its executors do not exist. `orch lint` resolves the
module tree like rustc (`#[path]`, inline modules, `cfg`'d modules and `include!` all count)
and reports the topmost unreached file of each unreached subtree.

Fix: add the `mod` line (`orch lint --fix` adds it to the parent module, with the `pub use`
re-exports of the generated layout for component folders), or delete the file.",
};

/// The module file that would declare `path` (`src/a/b/c.rs` → `src/a/b/mod.rs` or
/// `src/a/b.rs`; in `src/` → the crate roots), existing candidates only, in preference order.
fn parent_candidates(a: &Analysis, path: &Path) -> Vec<PathBuf> {
    let dir = if path.file_name().is_some_and(|n| n == "mod.rs") {
        path.parent().and_then(Path::parent)
    } else {
        path.parent()
    };
    let Some(dir) = dir else { return Vec::new() };
    let candidates = if dir == Path::new("src") {
        vec![dir.join("main.rs"), dir.join("lib.rs")]
    } else {
        vec![dir.join("mod.rs"), dir.with_extension("rs")]
    };
    candidates.into_iter().filter(|c| a.file(c).is_some()).collect()
}

/// How many files are unreached before each index of [`Analysis::files`], so the orphan rule
/// counts the unreached files below a folder with two binary searches. (It used to re-scan every
/// file for each orphan: 12k orphan files took 20 s, a 144k-file tree more than 10 minutes.)
struct UnreachedCounts(Vec<u32>);

impl UnreachedCounts {
    fn new(a: &Analysis, unreached: impl Fn(&SourceFile) -> bool) -> Self {
        let mut before = Vec::with_capacity(a.files.len() + 1);
        let mut n = 0u32;
        before.push(n);
        for f in &a.files {
            n += u32::from(unreached(f));
            before.push(n);
        }
        UnreachedCounts(before)
    }

    /// Unreached files anywhere below `dir`.
    fn below(&self, a: &Analysis, dir: &Path) -> usize {
        let r = a.range_below(dir);
        (self.0[r.end] - self.0[r.start]) as usize
    }
}

/// The check.
pub(super) fn check<'a>(a: &'a Analysis, _s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    if !a.has_roots {
        return;
    }
    let unreached = |f: &SourceFile| f.reach == Reach::Unreached && !f.root && f.path.to_str().is_some();
    // Files below a declared module whose file is missing: `missing-module` reports the cause.
    let mut missing: Vec<PathBuf> = missing_modules(a)
        .into_iter()
        .filter_map(|(_, _, _, folder)| folder.parent().map(Path::to_path_buf))
        .collect();
    missing.sort_unstable_by(|x, y| crate::analysis::key(x).cmp(crate::analysis::key(y)));
    let counts = UnreachedCounts::new(a, unreached);
    // parent module file -> its text, read once however many orphans it has
    let mut parent_text: crate::analysis::FastMap<PathBuf, String> = Default::default();
    for f in a.files.iter().filter(|f| unreached(f)) {
        if a.reach_unknown(&f.path) || crate::analysis::below_any(&missing, &f.path) {
            continue;
        }
        let parents = parent_candidates(a, &f.path);
        let parent = parents.iter().find(|p| a.file(p).is_some_and(|pf| pf.reach != Reach::Unreached));
        if parent.is_none() && parents.iter().any(|p| a.file(p).is_some_and(unreached)) {
            continue; // reported at the topmost unreached module file
        }
        let own_dir = if f.file_name() == "mod.rs" {
            f.path.parent().map(Path::to_path_buf)
        } else {
            Some(f.path.with_extension(""))
        };
        // `dir/mod.rs` is itself in `dir/` (and unreached): not "below it"
        let below = own_dir.map_or(0, |d| counts.below(a, &d) - usize::from(f.file_name() == "mod.rs"));
        let name = if f.file_name() == "mod.rs" {
            f.path.parent().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned())
        } else {
            f.stem().map(str::to_string)
        }
        .unwrap_or_default();
        let more = match below {
            0 => String::new(),
            1 => " (nor the 1 file below it)".to_string(),
            n => format!(" (nor the {n} files below it)"),
        };
        let is_feature_module =
            matches!(f.place, Place::Feature { rest: Rest::Top, .. }) && f.file_name() == "mod.rs";
        let registers = f.facts.iter().any(|x| matches!(x, Fact::RegisterFn { .. }));
        // `type.rs` is declared `mod r#type;`; `fetch-user.rs` cannot be declared at all
        let ident = crate::names::module_ident(&name);
        // The parent already declares the name another way (an inline `mod x { .. }`): adding
        // `mod x;` would not build (E0428).
        let shadowed = match (parent, &ident) {
            (Some(p), Ok(_)) => {
                let text = parent_text
                    .entry(p.clone())
                    .or_insert_with(|| std::fs::read_to_string(a.root.join(p)).unwrap_or_default());
                crate::lint::fix::declared_already(text, &name)
            }
            _ => None,
        };
        let (hint, fix) = match (parent, ident) {
            (_, Err(why)) => {
                let taken =
                    |p: &Path| a.file(p).is_some() || std::fs::symlink_metadata(a.root.join(p)).is_ok();
                (
                    crate::lint::fix::rename_hint(&f.path, &name, &why, parent.map(PathBuf::as_path), &taken),
                    None,
                )
            }
            (Some(p), Ok(_)) if shadowed.is_some() => (
                format!(
                    "{} already declares `{name}`: {}, so rustc never reads this file; merge it into that module or delete it (no `mod {name};` can be added)",
                    crate::lint::show(p),
                    shadowed.as_deref().unwrap_or_default()
                ),
                None,
            ),
            (Some(p), Ok(ident)) if is_feature_module && registers => (
                format!(
                    "wire the feature: `pub mod {ident};` and `{ident}::register(builder)?;` in {} (or run `orch lint --fix`)",
                    crate::lint::show(p)
                ),
                Some(Fix::WireFeature { feature: name.clone() }),
            ),
            (Some(p), Ok(name)) => (
                format!(
                    "add `mod {name};` to {} (or run `orch lint --fix --unsafe`), or delete the file",
                    crate::lint::show(p)
                ),
                Some(Fix::ModLine {
                    parent: p.clone(),
                    file: f.path.to_path_buf(),
                    exports: f.public_types().map(|(n, _, _)| n.to_string()).collect(),
                }),
            ),
            (None, Ok(name)) => {
                // No parent module file: saying "add `mod x;` to it" would send the user to a
                // file that does not exist.
                let dir = if f.file_name() == "mod.rs" {
                    f.path.parent().and_then(Path::parent)
                } else {
                    f.path.parent()
                };
                let parent = dir.filter(|d| *d != Path::new("src")).map(|d| {
                    format!(
                        "{} (or {})",
                        crate::lint::show(&d.join("mod.rs")),
                        crate::lint::show(&d.with_extension("rs"))
                    )
                });
                let hint = match parent {
                    Some(parent) => format!(
                        "its parent module file {parent} does not exist: create it declaring `mod {name};`, or delete the file"
                    ),
                    None => format!("declare it with `mod {name};` in a crate root, or delete the file"),
                };
                (hint, None)
            }
        };
        let mut fnd = Finding::new(
            RuleId::OrphanModule,
            sev,
            &f.path,
            None,
            format!("no `mod` declaration reaches this file; rustc ignores it{more}"),
            Some(hint),
        );
        if let Some(fix) = fix {
            fnd = fnd.with_fix(fix);
        }
        out.push(fnd);
    }
}
