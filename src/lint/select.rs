//! What path arguments select (`orch lint src/features/auth/mod.rs`, or the output of `git diff
//! --name-only` in CI): the findings *reported* and the files counted, never what is analysed.
//! Cross-file rules always see the whole project, so a `register(..)` line deleted from a
//! feature's `mod.rs` is reported when only that `mod.rs` is passed (the finding sits on the
//! executor but names the file), and a deleted file selects the findings about it (the `mod`
//! line in its parent that still names it). A changed path in a feature (or core) also selects
//! the cross-file findings of that whole feature ([`crate::lint::RuleId::cross_file`]): a
//! deleted executor leaves its job, in another file of the feature, without one.

use std::path::{Path, PathBuf};

use super::Finding;
use crate::analysis::Analysis;

/// Root-relative files and folders given on the command line; none = the whole project.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    paths: Vec<PathBuf>,
    /// Feature (or core) folders holding a selected path, sorted: their cross-file findings
    /// are selected too.
    scopes: Vec<PathBuf>,
}

impl Selection {
    /// The paths (root-relative; they need not exist).
    pub fn new(paths: Vec<PathBuf>) -> Self {
        // normalised and sorted: each lookup is a binary search per ancestor (CI may pass
        // thousands of changed paths; a scan of all of them per finding would be quadratic)
        let mut paths: Vec<PathBuf> = paths.iter().map(|p| p.components().collect()).collect();
        paths.sort_unstable_by(|x, y| crate::analysis::key(x).cmp(crate::analysis::key(y)));
        paths.dedup();
        Selection { paths, scopes: Vec::new() }
    }

    /// The same paths; a path under `features` (`features/<feature>/..`, or the features
    /// module itself) or `core` also selects the cross-file findings of that feature (or of
    /// core, or of every feature's wiring for the features module).
    pub fn with_scopes(mut self, features: &Path, core: &Path) -> Self {
        let mut scopes: Vec<PathBuf> = Vec::new();
        for p in &self.paths {
            if let Ok(rest) = p.strip_prefix(features) {
                match rest.components().next() {
                    // the features folder, or its `mod.rs`: every feature is wired there
                    None => scopes.push(features.to_path_buf()),
                    Some(_) if rest == Path::new("mod.rs") => scopes.push(features.to_path_buf()),
                    Some(first) => scopes.push(features.join(first)),
                }
            } else if p.starts_with(core) {
                scopes.push(core.to_path_buf());
            } else if features.with_extension("rs") == *p {
                scopes.push(features.to_path_buf());
            }
        }
        scopes.sort_unstable_by(|x, y| crate::analysis::key(x).cmp(crate::analysis::key(y)));
        scopes.dedup();
        self.scopes = scopes;
        self
    }

    /// The paths given.
    pub fn into_paths(self) -> Vec<PathBuf> {
        self.paths
    }

    /// Whether no path was given (everything is selected).
    pub fn is_all(&self) -> bool {
        self.paths.is_empty() || self.paths.iter().any(|p| p.as_os_str().is_empty())
    }

    /// Whether `path` is one of the paths or below one.
    pub fn covers(&self, path: &Path) -> bool {
        self.is_all() || crate::analysis::below_any(&self.paths, path)
    }

    /// Keep the findings on a selected file or about one ([`Finding::related`]).
    pub fn keep(&self, findings: &mut Vec<Finding<'_>>) {
        if self.is_all() {
            return;
        }
        findings.retain(|f| {
            self.covers(f.path)
                || f.related().iter().any(|p| self.covers(p))
                || (f.rule().cross_file() && crate::analysis::below_any(&self.scopes, f.path))
        });
    }

    /// How many of the analysed files are selected ("N files checked").
    pub fn files_checked(&self, analysis: &Analysis) -> usize {
        if self.is_all() {
            return analysis.files.len();
        }
        analysis.files.iter().filter(|f| self.covers(&f.path)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cover_themselves_and_what_is_below() {
        let s = Selection::new(vec!["src/features/auth".into(), "src/gone.rs".into()]);
        assert!(s.covers(Path::new("src/features/auth/mod.rs")));
        assert!(s.covers(Path::new("src/gone.rs")));
        assert!(!s.covers(Path::new("src/features/authz/mod.rs")), "whole components only");
        assert!(!s.covers(Path::new("src/main.rs")));
        assert!(Selection::default().covers(Path::new("src/main.rs")));
        assert!(Selection::new(vec![PathBuf::new()]).is_all(), "the project root selects all");
    }
}
