//! `missing-module`: `mod x;` declarations whose file does not exist (rustc fails, E0583).

use std::path::{Path, PathBuf};

use super::{Rule, RuleId, live};
use crate::analysis::{Analysis, Chunks, Fact, Loc, SourceFile, flags};
use crate::config::Level;
use crate::lint::{Finding, Settings, Severity};

pub(crate) const RULE: Rule = Rule {
    id: RuleId::MissingModule.as_str(),
    key: RuleId::MissingModule,
    default: Level::Error,
    summary: "every `mod x;` declaration has exactly one file (`x.rs` or `x/mod.rs`)",
    knobs: "",
    explanation: "\
rustc refuses a `mod x;` whose file does not exist (E0583): the crate does not build. Reported:
an out-of-line `mod` declaration (without `#[path]`, not behind `#[cfg]`, in a file the crate
compiles) for which neither `x.rs` nor `x/mod.rs` exists next to the declaring module. The files
below the missing module are then not reported as orphans: the declaration is the problem.
Also reported: a `mod x;` for which both `x.rs` and `x/mod.rs` exist, which rustc refuses too
(E0761: it will not choose).

Fix: create the module file (for a component folder, the `mod.rs` declaring its files), or
remove the `mod` line.",
};

/// The modules declared `mod x;` in a live file (not behind `#[cfg]`, no `#[path]`, not in a
/// macro) whose file exists neither as `x.rs` nor `x/mod.rs`: the declaring file, the location
/// of the name, and the two candidate paths. rustc fails on each (E0583).
pub(super) fn missing_modules(a: &Analysis) -> Vec<(&SourceFile, Loc, PathBuf, PathBuf)> {
    // Excluded from the analysis is not missing: the disk has the last word.
    let exists = |p: &Path| a.file(p).is_some() || a.root.join(p).is_file();
    declared(a).into_iter().filter(|(_, _, file, folder)| !exists(file) && !exists(folder)).collect()
}

/// The same declarations for which both `x.rs` and `x/mod.rs` exist: rustc refuses to choose
/// (E0761).
fn ambiguous_modules(a: &Analysis) -> Vec<(&SourceFile, Loc, PathBuf, PathBuf)> {
    declared(a)
        .into_iter()
        .filter(|(_, _, file, folder)| a.file(file).is_some() && a.file(folder).is_some())
        .collect()
}

/// Every plain `mod x;` of a live file (see [`missing_modules`]) with its two candidate files.
fn declared(a: &Analysis) -> Vec<(&SourceFile, Loc, PathBuf, PathBuf)> {
    let mut out = Vec::new();
    for f in a.files.iter().filter(|f| live(a, f)) {
        let mod_rs = f.is_mod_rs();
        for fact in f.facts.iter() {
            let Fact::Mod { name, loc, flags: fl, .. } = fact else { continue };
            let (paths, inline) = fact.mod_location();
            if !paths.is_empty()
                || !inline.is_empty()
                || fl & (flags::CFG | flags::IN_MACRO | flags::TEST) != 0
            {
                continue;
            }
            let Some(parent) = f.path.parent() else { continue };
            let dir = if mod_rs { parent.to_path_buf() } else { f.path.with_extension("") };
            let (file, folder) = (dir.join(format!("{name}.rs")), dir.join(&**name).join("mod.rs"));
            out.push((f, *loc, file, folder));
        }
    }
    out
}

/// What `path` is when it exists on disk but is not a regular file (nor a link to one).
fn not_regular(a: &Analysis, path: &Path) -> Option<&'static str> {
    let full = a.root.join(path);
    let meta = std::fs::symlink_metadata(&full).ok()?;
    if meta.file_type().is_symlink() {
        return match std::fs::metadata(&full) {
            Err(_) => Some("a dangling symbolic link"),
            Ok(m) if !m.is_file() => Some("a link to something other than a file"),
            Ok(_) => None,
        };
    }
    (!meta.is_file()).then_some("a FIFO, a socket or a device")
}

/// The check.
pub(super) fn check<'a>(a: &'a Analysis, _s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    use crate::lint::show;
    // the finding at the `mod` line, about (and selected by) both candidate files
    let mut report =
        |f: &'a SourceFile, loc: Loc, file: PathBuf, folder: PathBuf, message: String, hint: String| {
            let fnd = Finding::new(RuleId::MissingModule, sev, &f.path, Some(loc), message, Some(hint));
            out.push(fnd.with_related(file).with_related(folder));
        };
    let name_of = |folder: &Path| {
        folder
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    for (f, loc, file, folder) in ambiguous_modules(a) {
        let name = name_of(&folder);
        let message = format!(
            "`mod {name};` is declared here, and both {} and {} exist: rustc refuses to choose (E0761)",
            show(&file),
            show(&folder)
        );
        let hint = format!(
            "keep one: move {}'s code into {} (or the other way round) and delete the other file",
            show(&file),
            show(&folder)
        );
        report(f, loc, file, folder, message, hint);
    }
    for (f, loc, file, folder) in missing_modules(a) {
        let name = name_of(&folder);
        // `pipe.rs` is there but is a FIFO, a socket, a device or a dangling link: "neither
        // exists" would send the user looking for a file they can see
        let odd = [&file, &folder].into_iter().find_map(|p| not_regular(a, p).map(|w| (p.clone(), w)));
        let (message, hint) = match odd {
            Some((path, kind)) => (
                format!(
                    "`mod {name};` is declared here, but {} is not a regular file ({kind}): rustc cannot read it",
                    show(&path)
                ),
                format!("replace {} with a regular Rust file, or remove the `mod {name};` line", show(&path)),
            ),
            None => (
                format!(
                    "`mod {name};` is declared here, but neither {} nor {} exists",
                    show(&file),
                    show(&folder)
                ),
                format!(
                    "create {} (declaring the files of that folder), or remove the `mod {name};` line; rustc \
                     cannot build the crate until then",
                    show(&folder)
                ),
            ),
        };
        report(f, loc, file, folder, message, hint);
    }
}
