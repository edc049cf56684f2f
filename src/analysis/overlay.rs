//! The source model of a tree that is not on disk yet: an [`Analysis`] with some files
//! replaced, added or removed. `orch lint --fix` lints the tree its plan would leave before it
//! writes anything (a fix that does not remove its finding, or adds one, is declined). Only the
//! changed files are scanned, with the walk's own scanning ([`super::walk::scan_text`]); the
//! module tree is resolved again from the crate roots, as [`super::analyze`] does.

use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobSetBuilder};

use super::place::Classifier;
use super::scan::Scanner;
use super::{Analysis, FastSet, Problem, ProblemKind, SourceDir, SourceFile, key, modtree, walk};

/// `base` with `changes` applied: `(root-relative path, Some(new content))` for a created or
/// edited file, `(path, None)` for a deleted one. Paths outside the analysed directories, not
/// ending in `.rs` or excluded by `[lint] exclude` are not part of the model and are ignored.
pub fn overlay(base: &Analysis, changes: &[(PathBuf, Option<String>)]) -> Analysis {
    let options = &base.options;
    let clean =
        |p: &Path| -> PathBuf { p.components().filter(|c| !matches!(c, Component::CurDir)).collect() };
    let starts = [PathBuf::from("src"), clean(&options.features_dir), clean(&options.core_dir)];
    let mut excludes = GlobSetBuilder::new();
    for glob in &options.exclude {
        // the walk already refused bad patterns (the analysis would not exist)
        if let Ok(g) = Glob::new(glob.trim_start_matches("./")) {
            excludes.add(g);
        }
    }
    let excludes = excludes.build().ok();
    let io_deny: Vec<Vec<String>> =
        options.io_deny.iter().map(|d| d.split("::").map(str::to_string).collect()).collect();
    let features_mod = walk::module_path_of_dir(&options.features_dir);
    let features: Option<Vec<&str>> = features_mod.as_ref().map(|m| m.iter().map(String::as_str).collect());
    let mut classifier = Classifier::new(&options.features_dir, &options.core_dir);
    let mut scanner = Scanner::new();

    let mut a = base.clone();
    let mut added: Vec<SourceFile> = Vec::new();
    let mut new_dirs: Vec<SourceDir> = Vec::new();
    let mut seen_dirs: FastSet<PathBuf> = FastSet::default();
    // the changed files' old problems and deleted files go in one pass each (linear in both)
    let mut changed: FastSet<&Path> = FastSet::default();
    let mut deleted: FastSet<&Path> = FastSet::default();
    let mut new_problems: Vec<Problem> = Vec::new();
    for (path, content) in changes {
        let Some(start) = starts.iter().find(|s| path.starts_with(s)) else { continue };
        if path.extension().is_none_or(|e| e != "rs") || excludes.as_ref().is_some_and(|g| g.is_match(path)) {
            continue;
        }
        changed.insert(path);
        let existing = a.file_index(path);
        let Some(text) = content else {
            deleted.insert(path);
            continue;
        };
        let mut file = SourceFile::new(path.clone().into_boxed_path(), classifier.classify(path, false));
        let scanned =
            walk::scan_text(&mut scanner, &mut file, text, &io_deny, features.as_deref(), options.flow);
        match scanned {
            Ok(problem) => new_problems.extend(problem),
            Err(e) => new_problems.push(Problem {
                path: file.path.clone(),
                kind: ProblemKind::Parse,
                loc: Some(e.loc),
                message: e.message,
            }),
        }
        match existing {
            Some(i) => a.files[i] = file,
            None => {
                // its directories, up to the walked one, as the walk would list them
                let mut dir = path.parent();
                while let Some(d) = dir.filter(|d| d.starts_with(start) && *d != start.as_path()) {
                    if !a.has_dir(d) && seen_dirs.insert(d.to_path_buf()) {
                        new_dirs.push(SourceDir { path: d.into(), place: classifier.classify(d, true) });
                    }
                    dir = d.parent();
                }
                added.push(file);
            }
        }
    }
    a.problems.retain(|p| !changed.contains(&*p.path));
    a.problems.extend(new_problems);
    if !deleted.is_empty() {
        a.files.retain(|f| !deleted.contains(&*f.path));
    }
    if !added.is_empty() {
        a.files.extend(added);
        a.files.sort_unstable_by(|x, y| key(&x.path).cmp(key(&y.path)));
    }
    if !new_dirs.is_empty() {
        a.dirs.extend(new_dirs);
        a.dirs.sort_unstable_by(|x, y| key(&x.path).cmp(key(&y.path)));
    }
    a.problems.sort_by(|x, y| key(&x.path).cmp(key(&y.path)));
    modtree::resolve(&mut a);
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Options, Reach, analyze};

    #[test]
    fn planned_files_are_scanned_and_the_module_tree_resolved_again() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("src/a")).unwrap();
        std::fs::write(root.join("src/main.rs"), "fn main() {}\n").unwrap();
        std::fs::write(root.join("src/a/mod.rs"), "pub struct A;\n").unwrap();
        let base = analyze(&root, &Options::from_config(&Default::default())).unwrap();
        assert_eq!(base.file(Path::new("src/a/mod.rs")).unwrap().reach, Reach::Unreached);
        let changes = vec![
            (PathBuf::from("src/main.rs"), Some("mod a;\nmod b;\nfn main() {}\n".to_string())),
            (PathBuf::from("src/b/c/mod.rs"), Some("fn x( {\n".to_string())),
            (PathBuf::from("src/b.rs"), Some("mod c;\n".to_string())),
            (PathBuf::from("README.md"), Some("not rust".to_string())),
        ];
        let a = overlay(&base, &changes);
        assert_eq!(a.file(Path::new("src/a/mod.rs")).unwrap().reach, Reach::Yes);
        assert_eq!(a.file(Path::new("src/b.rs")).unwrap().reach, Reach::Yes);
        assert!(a.has_dir(Path::new("src/b")) && a.has_dir(Path::new("src/b/c")));
        assert!(!a.has_dir(Path::new("src")), "the walk does not list its start");
        assert_eq!(a.problems.len(), 1, "{:?}", a.problems);
        assert_eq!(&*a.problems[0].path, Path::new("src/b/c/mod.rs"));
        // deleting a file takes it out of the model; the base is untouched
        let a = overlay(&base, &[(PathBuf::from("src/a/mod.rs"), None)]);
        assert!(a.file(Path::new("src/a/mod.rs")).is_none());
        assert!(base.file(Path::new("src/a/mod.rs")).is_some());
    }
}
