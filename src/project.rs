//! Finding the project: walk up from the working directory to `orch.toml` (or, failing that,
//! `Cargo.toml`) like cargo does, load the config, and answer layout questions (where features
//! live, which feature a directory is inside).

use std::path::{Component, Path, PathBuf};

use crate::config::{self, Config};
use crate::error::Failure;

/// A located project: its root directory and its configuration.
#[derive(Debug, Clone)]
pub struct Project {
    /// Absolute, canonical project root (the directory of `orch.toml` / `Cargo.toml`).
    pub root: PathBuf,
    /// The parsed `orch.toml`, or defaults when there is none.
    pub config: Config,
    /// Whether `orch.toml` exists.
    pub has_config: bool,
    /// The directory orch was run from (absolute), used to infer the current feature.
    pub cwd: PathBuf,
}

impl Project {
    /// Locate the project containing `start` (canonicalised). Prefers the nearest directory with
    /// `orch.toml`; else the nearest with `Cargo.toml`. Errors (exit 2) outside any cargo project.
    pub fn discover(start: &Path) -> anyhow::Result<Project> {
        let cwd = canonical_dir(start)?;
        let with_config = cwd.ancestors().find(|d| d.join(config::FILE_NAME).is_file());
        let root = match with_config {
            Some(dir) => dir.to_path_buf(),
            None => {
                cwd.ancestors().find(|d| d.join("Cargo.toml").is_file()).map(Path::to_path_buf).ok_or_else(
                    || {
                        Failure::usage(format!(
                        "could not find `orch.toml` or `Cargo.toml` in {} or any parent directory",
                        cwd.display()
                    ))
                    .hint("run `orch new project <name>` to start one, or `orch init` inside a cargo project")
                    },
                )?
            }
        };
        let config_path = root.join(config::FILE_NAME);
        let has_config = config_path.is_file();
        let config = if has_config { Config::load(&config_path)? } else { Config::default() };
        Ok(Project { root, config, has_config, cwd })
    }

    /// Features directory, relative to the root.
    pub fn features_dir(&self) -> &Path {
        &self.config.paths.features
    }

    /// Core directory, relative to the root.
    pub fn core_dir(&self) -> &Path {
        &self.config.paths.core
    }

    /// Absolute path of a root-relative path.
    pub fn abs(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.root.join(rel)
    }

    /// The feature (module name) the working directory is inside, if any.
    pub fn current_feature(&self) -> Option<String> {
        let rel = self.cwd.strip_prefix(&self.root).ok()?;
        let inside = rel.strip_prefix(self.features_dir()).ok()?;
        match inside.components().next()? {
            Component::Normal(name) => name.to_str().map(str::to_string),
            _ => None,
        }
    }

    /// A path relative to the root for display (falls back to the path itself).
    pub fn display_rel<'a>(&self, path: &'a Path) -> std::borrow::Cow<'a, str> {
        match path.strip_prefix(&self.root) {
            Ok(rel) => rel.to_string_lossy(),
            Err(_) => path.to_string_lossy(),
        }
    }
}

/// Canonicalise a directory given on the command line (`-C DIR` or the cwd), with a clear error.
pub fn canonical_dir(dir: &Path) -> anyhow::Result<PathBuf> {
    let canon = dir.canonicalize().map_err(|e| {
        anyhow::Error::new(e).context(
            Failure::usage(format!("cannot use directory {}", dir.display()))
                .hint("check the path given with -C"),
        )
    })?;
    if !canon.is_dir() {
        return Err(Failure::usage(format!("{} is not a directory", dir.display())).into());
    }
    Ok(canon)
}

/// The root of the cargo workspace that encloses `dir` (a package directory that may not
/// exist yet) without listing it as a member, if any: cargo refuses to build such a package
/// ("current package believes it's in a workspace when it's not"). Like cargo, this looks at
/// the nearest ancestor `Cargo.toml` with a `[workspace]` table; a directory matched by its
/// `members` (globs allowed) and not by its `exclude` is a member, and so is the root itself.
/// Unreadable or malformed manifests are skipped (cargo will report them itself).
pub fn enclosing_workspace(dir: &Path) -> Option<PathBuf> {
    for ancestor in dir.ancestors().skip(1) {
        let Ok(text) = std::fs::read_to_string(ancestor.join("Cargo.toml")) else { continue };
        let Ok(doc) = text.parse::<toml::Table>() else { continue };
        let Some(workspace) = doc.get("workspace").and_then(|w| w.as_table()) else { continue };
        let rel = dir.strip_prefix(ancestor).ok()?;
        let matches = |key: &str| {
            let patterns = workspace.get(key).and_then(|v| v.as_array()).cloned().unwrap_or_default();
            patterns.iter().filter_map(|p| p.as_str()).any(|p| {
                let p = p.trim_start_matches("./").trim_end_matches('/');
                globset::GlobBuilder::new(p)
                    .literal_separator(true)
                    .build()
                    .is_ok_and(|g| g.compile_matcher().is_match(rel))
            })
        };
        let excluded = workspace
            .get("exclude")
            .and_then(|v| v.as_array())
            .is_some_and(|ps| ps.iter().filter_map(|p| p.as_str()).any(|p| rel.starts_with(p)));
        return (!matches("members") && !excluded).then(|| ancestor.to_path_buf());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_root_and_current_feature_from_a_subdirectory() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("Cargo.toml"), "[package]\nname='x'\n").unwrap();
        std::fs::write(tmp.path().join("orch.toml"), "").unwrap();
        let deep = tmp.path().join("src/features/auth/jobs");
        std::fs::create_dir_all(&deep).unwrap();
        let p = Project::discover(&deep).unwrap();
        assert_eq!(p.root, tmp.path().canonicalize().unwrap());
        assert!(p.has_config);
        assert_eq!(p.current_feature().as_deref(), Some("auth"));
    }

    #[test]
    fn outside_any_project_is_a_usage_error() {
        let tmp = tempfile::tempdir().unwrap();
        let err = Project::discover(tmp.path()).unwrap_err();
        assert_eq!(crate::error::classify(&err).0.code(), 2);
        assert!(err.to_string().contains("could not find `orch.toml` or `Cargo.toml`"));
    }

    #[test]
    fn corrupt_config_is_a_usage_error_naming_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("orch.toml"), "[paths\n").unwrap();
        let err = Project::discover(tmp.path()).unwrap_err();
        assert_eq!(crate::error::classify(&err).0.code(), 2);
        assert!(err.to_string().contains("orch.toml:1:"), "{err}");
    }

    #[test]
    fn enclosing_workspaces_that_do_not_list_a_directory_are_found() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = [\".\", \"crates/*\"]\nexclude = [\"examples\"]\n",
        )
        .unwrap();
        assert_eq!(enclosing_workspace(&root.join("hello")), Some(root.to_path_buf()));
        assert_eq!(enclosing_workspace(&root.join("sub/hello")), Some(root.to_path_buf()));
        assert_eq!(enclosing_workspace(&root.join("crates/hello")), None);
        assert_eq!(enclosing_workspace(&root.join("examples/hello")), None);
        // A package manifest without [workspace] in between does not stop the search.
        std::fs::create_dir(root.join("pkg")).unwrap();
        std::fs::write(root.join("pkg/Cargo.toml"), "[package]\nname = \"pkg\"\n").unwrap();
        assert_eq!(enclosing_workspace(&root.join("pkg/hello")), Some(root.to_path_buf()));
        let lone = tempfile::tempdir().unwrap();
        assert_eq!(enclosing_workspace(&lone.path().join("hello")), None);
    }
}
