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
}
