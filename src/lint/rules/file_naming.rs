//! `file-naming`: `.rs` files and folders under `src/` are snake_case.

use std::path::Path;

use heck::ToSnakeCase;

use super::{Rule, RuleId, file_name};
use crate::analysis::{Analysis, Chunks};
use crate::config::Level;
use crate::lint::{Finding, Settings, Severity};

pub(crate) const RULE: Rule = Rule {
    id: RuleId::FileNaming.as_str(),
    key: RuleId::FileNaming,
    default: Level::Error,
    summary: "`.rs` files and folders under src/ are snake_case",
    knobs: "",
    explanation: "\
Rust module files and folders are named in snake_case (`fetch_user.rs`, `user_profile/`), as
rustc's `non_snake_case` lint expects of module names and as `orch` generates them. A file
named `FetchUser.rs` can only be reached with a `#[path]` attribute, and a name that is not
valid UTF-8 cannot be a module at all. Crate roots under `src/bin/` are exempt (binary names
may contain `-`).

Fix: rename the file or folder (the hint gives the snake_case name) and its `mod` line.",
};

/// snake_case: lowercase letters, digits and `_`, not starting with a digit.
pub(crate) fn is_snake(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c == '_' || c.is_ascii_digit() || (c.is_alphabetic() && !c.is_uppercase()))
}

/// `src/bin/x` (a binary crate root or its folder): exempt from naming.
fn in_bin(path: &Path) -> bool {
    crate::analysis::key(path).strip_prefix(b"src/bin/").is_some_and(|rest| !rest.contains(&b'/'))
}

/// The check.
pub(super) fn check<'a>(a: &'a Analysis, _s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    for d in &a.dirs {
        // a folder without `.rs` files (test data, assets) is no module; a name that is not
        // UTF-8 is reported anyway (no tool handles it)
        let utf8 = d.path.file_name().and_then(|n| n.to_str()).is_some();
        if in_bin(&d.path) || (utf8 && !a.has_files_below(&d.path)) {
            continue;
        }
        match d.path.file_name().and_then(|n| n.to_str()) {
            Some(name) if is_snake(name) => {}
            Some(name) => out.push(Finding::new(
                RuleId::FileNaming,
                sev,
                &d.path,
                None,
                format!("folder name `{name}` is not snake_case"),
                Some(format!("rename it to `{}/` (and its `mod` line)", name.to_snake_case())),
            )),
            None => out.push(Finding::new(
                RuleId::FileNaming,
                sev,
                &d.path,
                None,
                format!("folder name `{}` is not valid UTF-8", file_name(&d.path)),
                Some("rename it with a snake_case name".to_string()),
            )),
        }
    }
    for f in &a.files {
        // a file reached only through `include!` / a file mention is no module
        if (f.root && in_bin(&f.path)) || f.is_included_only() {
            continue;
        }
        match f.stem() {
            Some(stem) if is_snake(stem) => {}
            Some(stem) => out.push(Finding::new(
                RuleId::FileNaming,
                sev,
                &f.path,
                None,
                format!("file name `{stem}.rs` is not snake_case"),
                Some(rename_file_hint(a, &f.path, stem)),
            )),
            None => out.push(Finding::new(
                RuleId::FileNaming,
                sev,
                &f.path,
                None,
                format!("file name `{}` is not valid UTF-8; it cannot be a Rust module", file_name(&f.path)),
                Some("rename it with a snake_case name".to_string()),
            )),
        }
    }
}

/// "rename it to `x.rs`", unless `x.rs` exists already (`fetch-user.rs` next to
/// `fetch_user.rs`): the rename would overwrite it.
fn rename_file_hint(a: &Analysis, path: &Path, stem: &str) -> String {
    let new = format!("{}.rs", stem.to_snake_case());
    let target = path.with_file_name(&new);
    if a.file(&target).is_some() || std::fs::symlink_metadata(a.root.join(&target)).is_ok() {
        format!(
            "`{new}` exists next to it (renaming onto it would overwrite it): merge the two, or rename this one to another snake_case name (and its `mod` line or `#[path]`)"
        )
    } else {
        format!("rename it to `{new}` (and its `mod` line or `#[path]`)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_names() {
        for ok in ["login", "fetch_user", "oauth2", "_private", "mod", "über"] {
            assert!(is_snake(ok), "{ok}");
        }
        for bad in ["FetchUser", "fetch-user", "2fa", "", "fetchUser", "a b"] {
            assert!(!is_snake(bad), "{bad}");
        }
    }
}
