//! Finding the project: walk up from the working directory to `orch.toml` (or, failing that,
//! `Cargo.toml`) like cargo does, load the config, and answer layout questions (where features
//! live, which feature a directory is inside). Loading checks the `[paths]` settings: a path
//! that is absolute or leads outside the project (by `..` or through a symlink) is a
//! configuration error for every command; a missing features or core folder is reported by
//! the commands that read it ([`Project::missing_paths`]) and created by the generators.

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
        check_paths(&root, &config)?;
        Ok(Project { root, config, has_config, cwd })
    }

    /// The configured features and core folders that do not exist (neither the folder nor its
    /// `<name>.rs` module file), with where orch.toml sets them. A fresh project has both
    /// (`orch new project` and `orch init` create them), so for lint and doctor a missing one
    /// is a misconfiguration or a deleted folder, never "nothing to check".
    pub fn missing_paths(&self) -> Vec<MissingPath> {
        let config_path = self.root.join(config::FILE_NAME);
        let text = std::fs::read_to_string(&config_path).unwrap_or_default();
        ["features", "core"]
            .into_iter()
            .filter_map(|key| {
                let rel = self.config.paths.get(key)?;
                let full = self.root.join(rel);
                let present = full.is_dir() || full.with_extension("rs").is_file();
                (!present).then(|| {
                    let custom = config::Paths::default().get(key) != Some(rel);
                    let at = config::path_value_location(&text, &config_path, key);
                    MissingPath { key, path: rel.to_path_buf(), custom, at }
                })
            })
            .collect()
    }

    /// [`Project::missing_paths`] as a configuration error (exit 2) naming the first one; before
    /// that, a crate whose sources are outside `src/` ([`sources_outside_src`]).
    pub fn require_paths(&self) -> anyhow::Result<()> {
        if let Some(outside) = sources_outside_src(&self.root) {
            return Err(outside.into());
        }
        match self.missing_paths().into_iter().next() {
            None => Ok(()),
            Some(m) => Err(Failure::usage(format!(
                "`[paths] {}` is {}, which does not exist: nothing would be checked there",
                m.key,
                m.path.display()
            ))
            .at(&m.at)
            .hint(if m.custom {
                format!(
                    "set `[paths] {}` in orch.toml to the project's folder, or create {}",
                    m.key,
                    m.path.display()
                )
            } else {
                format!(
                    "`orch doctor --fix` creates the default {} (or set `[paths] {}` in orch.toml)",
                    m.path.display(),
                    m.key
                )
            })
            .into()),
        }
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

/// A configured folder that does not exist (see [`Project::missing_paths`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingPath {
    /// The `[paths]` key.
    pub key: &'static str,
    /// Its value (root-relative).
    pub path: PathBuf,
    /// `orch.toml:line:col` of the value (just the file when the default applies).
    pub at: String,
    /// Whether the value differs from the default layout's (which `orch doctor --fix` may
    /// recreate; a custom folder that is missing may as well be a wrong setting).
    pub custom: bool,
}

/// Refuse `[paths]` values that are absolute or lead outside the project at `root` (canonical):
/// lexically by `..`, or through a symlink on the part of the path that exists. Orch would
/// otherwise lint, list or write files of another tree (`features = "/etc"`). Then refuse
/// values that name the project root (`""`, `"."`), the crate's `src` folder itself (for the
/// module folders), or overlap another key's folder (`features = "src/shared"` like `core`):
/// the layout would classify the same files as two roles and the rules of neither would run.
pub fn check_paths(root: &Path, config: &Config) -> anyhow::Result<()> {
    let config_path = root.join(config::FILE_NAME);
    let error = |key: &str, problem: String, hint: String| -> anyhow::Error {
        let text = std::fs::read_to_string(&config_path).unwrap_or_default();
        let rel = config.paths.get(key).unwrap_or(Path::new(""));
        Failure::usage(format!("`[paths] {key}` = {:?} {problem}", rel.display().to_string()))
            .at(config::path_value_location(&text, &config_path, key))
            .hint(hint)
            .into()
    };
    let inside_hint = |key: &str| {
        format!(
            "set `[paths] {key}` in orch.toml to a folder inside the project, relative to its root (like \"src/features\")"
        )
    };
    let mut resolved: Vec<(&str, PathBuf)> = Vec::new();
    for key in config::PATH_KEYS {
        let Some(rel) = config.paths.get(key) else { continue };
        if let Some(problem) = outside(root, rel) {
            return Err(error(key, problem.to_string(), inside_hint(key)));
        }
        let full = resolve(root, rel);
        if full == root {
            return Err(error(key, "is the project root".to_string(), inside_hint(key)));
        }
        // a file there: nothing would be found in it (a missing folder is reported by lint)
        if full.exists() && !full.is_dir() {
            return Err(error(key, "is a file, not a folder".to_string(), inside_hint(key)));
        }
        if key != "templates" && full == root.join("src") {
            return Err(error(
                key,
                "is the crate's `src` folder itself, not a module folder inside it".to_string(),
                format!(
                    "set `[paths] {key}` in orch.toml to a folder inside src (like \"src/{}\")",
                    default_name(key)
                ),
            ));
        }
        if let Some((other, other_full)) =
            resolved.iter().find(|(_, o)| o.starts_with(&full) || full.starts_with(o))
        {
            let how = if *other_full == full { "is the same folder as" } else { "overlaps" };
            // Point at the value the user changed: the one that is not the default.
            let defaults = config::Paths::default();
            let (key, other) = if config.paths.get(key) == defaults.get(key)
                && config.paths.get(other) != defaults.get(other)
            {
                (*other, key)
            } else {
                (key, *other)
            };
            let other_rel = config.paths.get(other).unwrap_or(Path::new(""));
            return Err(error(
                key,
                format!("{how} `[paths] {other}` = {:?}", other_rel.display().to_string()),
                format!(
                    "give `[paths] {key}` and `[paths] {other}` separate folders, neither inside the other (like \"src/{}\" and \"src/{}\")",
                    default_name(key),
                    default_name(other)
                ),
            ));
        }
        resolved.push((key, full));
    }
    Ok(())
}

/// The last component of the default value of `[paths] <key>`, for hints.
fn default_name(key: &str) -> String {
    let defaults = config::Paths::default();
    defaults.get(key).and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// `root.join(rel)` with `.` and `..` resolved and the part that exists canonicalised (so a
/// symlink to another configured folder is that folder). `rel` is inside `root` ([`outside`]).
fn resolve(root: &Path, rel: &Path) -> PathBuf {
    let mut lexical = root.to_path_buf();
    for component in rel.components() {
        match component {
            Component::ParentDir => {
                lexical.pop();
            }
            Component::Normal(c) => lexical.push(c),
            Component::CurDir | Component::Prefix(_) | Component::RootDir => {}
        }
    }
    let Some(existing) = lexical.ancestors().find(|p| p.exists()) else { return lexical };
    match (existing.canonicalize(), lexical.strip_prefix(existing)) {
        // joining an empty rest would add a trailing `/`, and `file/` exists as nothing
        (Ok(canonical), Ok(rest)) if rest.as_os_str().is_empty() => canonical,
        (Ok(canonical), Ok(rest)) => canonical.join(rest),
        _ => lexical,
    }
}

/// Why `rel` is not a path inside `root`, if it is not.
fn outside(root: &Path, rel: &Path) -> Option<&'static str> {
    let mut depth = 0usize;
    for component in rel.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => return Some("is an absolute path"),
            Component::CurDir => {}
            Component::ParentDir => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return Some("leads outside the project"),
            },
            Component::Normal(_) => depth += 1,
        }
    }
    // The deepest part that exists decides where the rest would be created.
    let full = root.join(rel);
    let existing = full.ancestors().find(|p| p.exists())?;
    let canonical = existing.canonicalize().ok()?;
    (!canonical.starts_with(root)).then_some("leads outside the project through a symlink")
}

/// A crate target whose root file is outside `src/` (fnv's `[lib] path = "lib.rs"`): orch
/// analyses and generates under `src/` only, so such a crate has nothing orch would check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetOutsideSrc {
    /// `[lib]` or `[[bin]]`.
    pub table: &'static str,
    /// The `path` value as written.
    pub path: String,
    /// `Cargo.toml:line:col` of the value.
    pub at: String,
}

/// The targets of the package at `root` (its `Cargo.toml`) whose `path` is outside `src/`.
/// An unreadable or malformed manifest has none (cargo reports it).
pub fn targets_outside_src(root: &Path) -> Vec<TargetOutsideSrc> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        lib: Option<Target>,
        #[serde(default)]
        bin: Vec<Target>,
    }
    #[derive(serde::Deserialize)]
    struct Target {
        path: Option<toml::Spanned<String>>,
    }
    let manifest_path = root.join("Cargo.toml");
    let Ok(text) = std::fs::read_to_string(&manifest_path) else { return Vec::new() };
    let Ok(manifest) = toml::from_str::<Manifest>(&text) else { return Vec::new() };
    let in_src = |p: &str| {
        let mut parts = Path::new(p).components().filter(|c| *c != Component::CurDir);
        parts.next() == Some(Component::Normal("src".as_ref())) && parts.next().is_some()
    };
    let lib = manifest.lib.into_iter().map(|t| ("[lib]", t));
    lib.chain(manifest.bin.into_iter().map(|t| ("[[bin]]", t)))
        .filter_map(|(table, t)| {
            let path = t.path?;
            (!in_src(path.get_ref())).then(|| {
                let (line, col) = config::line_col(&text, path.span().start);
                TargetOutsideSrc {
                    table,
                    path: path.get_ref().clone(),
                    at: format!("{}:{line}:{col}", manifest_path.display()),
                }
            })
        })
        .collect()
}

/// When the package at `root` has a target outside `src/` and no crate root in `src/` (so
/// nothing under `src/` is compiled: a root-level `lib.rs`'s `mod x;` is `x.rs` beside it):
/// the configuration error (exit 2) that says so, rather than a lint of unrelated files or
/// "no .rs file". A package with `src/main.rs` too is linted there.
pub fn sources_outside_src(root: &Path) -> Option<Failure> {
    if root.join("src/lib.rs").is_file() || root.join("src/main.rs").is_file() {
        return None;
    }
    let t = targets_outside_src(root).into_iter().next()?;
    Some(
        Failure::usage(format!(
            "the crate's sources are outside src/: {} path = {:?}, and orch analyses only the .rs files under src/",
            t.table, t.path
        ))
        .at(&t.at)
        .hint("move the crate root under src/ (src/lib.rs or src/main.rs, then drop `path` from Cargo.toml) to use orch on this crate"),
    )
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
    fn paths_outside_the_project_are_configuration_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("p/src")).unwrap();
        std::fs::create_dir_all(root.join("elsewhere")).unwrap();
        std::os::unix::fs::symlink(root.join("elsewhere"), root.join("p/src/link")).unwrap();
        let p = root.join("p");
        for (value, why, col) in [
            ("/etc", "is an absolute path", 12),
            ("../../..", "leads outside the project", 12),
            ("src/../../elsewhere", "leads outside the project", 12),
            ("src/link/features", "leads outside the project through a symlink", 12),
        ] {
            std::fs::write(p.join("orch.toml"), format!("[paths]\nfeatures = \"{value}\"\n")).unwrap();
            let err = Project::discover(&p).unwrap_err();
            assert_eq!(crate::error::classify(&err).0.code(), 2, "{value}");
            let msg = err.to_string();
            assert!(msg.contains(&format!("orch.toml:2:{col}: `[paths] features`")), "{msg}");
            assert!(msg.contains(why), "{value}: {msg}");
        }
        // inside, even through `..`, and missing: loads; reported by missing_paths
        std::fs::write(p.join("orch.toml"), "[paths]\nfeatures = \"src/../src/feats\"\n").unwrap();
        let project = Project::discover(&p).unwrap();
        let missing = project.missing_paths();
        assert_eq!(missing.len(), 2, "{missing:?}");
        assert!(missing[0].at.ends_with("orch.toml:2:12"), "{missing:?}");
        assert!(missing[1].at.ends_with("orch.toml"), "core is the default: {missing:?}");
        assert!(missing[0].custom && !missing[1].custom, "{missing:?}");
        assert!(project.require_paths().is_err());
        std::fs::create_dir_all(p.join("src/feats")).unwrap();
        std::fs::write(p.join("src/shared.rs"), "").unwrap();
        assert_eq!(project.missing_paths(), []);
    }

    #[test]
    fn root_src_and_overlapping_paths_are_configuration_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(p.join("src/shared")).unwrap();
        std::os::unix::fs::symlink(p.join("src/shared"), p.join("src/alias")).unwrap();
        for (paths, why, at) in [
            ("features = \"\"", "`[paths] features` = \"\" is the project root", "2:12"),
            ("features = \".\"", "is the project root", "2:12"),
            ("core = \"src/..\"", "`[paths] core` = \"src/..\" is the project root", "2:8"),
            ("templates = \"./\"", "is the project root", "2:13"),
            ("features = \"src\"", "is the crate's `src` folder itself", "2:12"),
            ("core = \"./src/\"", "is the crate's `src` folder itself", "2:8"),
            ("features = \"src/shared\"", "is the same folder as `[paths] core`", "2:12"),
            ("features = \"src/shared/features\"", "overlaps `[paths] core`", "2:12"),
            ("features = \"src/./shared/\"", "is the same folder as", "2:12"),
            ("features = \"src/alias\"", "is the same folder as", "2:12"),
            ("core = \"src/features/shared\"", "`[paths] core` = \"src/features/shared\" overlaps", "2:8"),
            ("templates = \"src/features/tpl\"", "overlaps `[paths] features`", "2:13"),
        ] {
            // `core` is written with its default value: an overlap is reported at the other key.
            let text = if paths.starts_with("features") {
                format!("[paths]\n{paths}\ncore = \"src/shared\"\n")
            } else {
                format!("[paths]\n{paths}\n")
            };
            std::fs::write(p.join("orch.toml"), &text).unwrap();
            let err = Project::discover(&p).map(|_| ()).unwrap_err();
            let (kind, hint) = crate::error::classify(&err);
            assert_eq!(kind.code(), 2, "{paths}");
            let msg = err.to_string();
            assert!(msg.contains(&format!("orch.toml:{at}: `[paths]")), "{paths}: {msg}");
            assert!(msg.contains(why), "{paths}: {msg}");
            assert!(hint.is_some_and(|h| h.contains("[paths]")), "{paths}");
        }
        for fine in [
            "features = \"src/feats\"\ncore = \"src/core\"",
            "features = \"src/shared2\"",
            "templates = \"tpl\"",
        ] {
            std::fs::write(p.join("orch.toml"), format!("[paths]\n{fine}\n")).unwrap();
            Project::discover(&p).unwrap();
        }
    }

    #[test]
    fn targets_outside_src_are_found_with_their_line_and_column() {
        let tmp = tempfile::tempdir().unwrap();
        let write = |m: &str| std::fs::write(tmp.path().join("Cargo.toml"), m).unwrap();
        let found = || targets_outside_src(tmp.path());
        write("[package]\nname = \"a\"\n");
        assert_eq!(found(), []);
        write("[lib]\npath = \"./src/lib.rs\"\n[[bin]]\nname = \"b\"\npath = \"src/bin/b.rs\"\n");
        assert_eq!(found(), []);
        write(
            "[lib]\npath = \"lib.rs\"\n[[bin]]\nname = \"b\"\npath = \"tools/b.rs\"\n[[bin]]\nname = \"c\"\n",
        );
        let t = found();
        assert_eq!(
            t.iter().map(|t| (t.table, t.path.as_str())).collect::<Vec<_>>(),
            [("[lib]", "lib.rs"), ("[[bin]]", "tools/b.rs")]
        );
        assert!(t[0].at.ends_with("Cargo.toml:2:8"), "{t:?}");
        assert!(t[1].at.ends_with("Cargo.toml:5:8"), "{t:?}");
        write("[lib]\npath = \"src\"\n");
        assert_eq!(found().len(), 1);
        assert!(sources_outside_src(tmp.path()).is_some());
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
