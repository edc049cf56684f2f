//! `orch.toml`: the project's orch configuration, its defaults and its parser.
//!
//! Every key is optional; unknown keys are errors (typos should not silently do nothing).
//! Parse errors name the file, line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Failure;

/// File name of the config, at the project root.
pub const FILE_NAME: &str = "orch.toml";

/// The whole `orch.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where things go.
    pub paths: Paths,
    /// Which parts `orch new feature` generates by default.
    pub feature: FeatureParts,
    /// Where generated projects get `orch-runtime` from.
    pub runtime: RuntimeConfig,
    /// Lint rule settings (`[lint]`); interpreted by `orch lint`.
    pub lint: LintConfig,
}

/// `[paths]`: directories, relative to the project root.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Paths {
    /// Features directory (a Rust module: `src/features`).
    pub features: PathBuf,
    /// Shared components directory (`src/shared`; named so that its module cannot shadow the
    /// `core` crate, as a crate-root `mod core;` does).
    pub core: PathBuf,
    /// Template overrides directory (`.orch/templates`).
    pub templates: PathBuf,
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            features: PathBuf::from("src/features"),
            core: PathBuf::from("src/shared"),
            templates: PathBuf::from(".orch/templates"),
        }
    }
}

/// `[feature]`: the parts a new feature includes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeatureParts {
    /// Generate a job.
    pub job: bool,
    /// Generate a domain event.
    pub event: bool,
    /// Generate an executor.
    pub executor: bool,
    /// Generate an orchestrator and its state.
    pub orchestrator: bool,
}

impl Default for FeatureParts {
    fn default() -> Self {
        FeatureParts { job: true, event: true, executor: true, orchestrator: true }
    }
}

/// How the runtime dependency is declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuntimeSource {
    /// Source copied into `vendor/orch-runtime` (offline-friendly).
    #[default]
    Vendor,
    /// A path dependency.
    Path,
    /// A crates.io version.
    Version,
}

/// `[runtime]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuntimeConfig {
    /// Where the runtime comes from.
    pub source: RuntimeSource,
    /// Path of the runtime crate (for `vendor` and `path`).
    pub path: PathBuf,
    /// crates.io version requirement (for `version`).
    pub version: String,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            source: RuntimeSource::Vendor,
            path: PathBuf::from("vendor/orch-runtime"),
            version: crate::templates::RUNTIME_VERSION.to_string(),
        }
    }
}

/// Severity of a lint rule, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Disabled.
    Off,
    /// Reported, exit 0 unless `--deny-warnings`.
    Warn,
    /// Reported, exit 1.
    Error,
}

/// `[lint]`: per-rule levels and rule options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LintConfig {
    /// `rule-id = "error" | "warn" | "off"`.
    pub rules: BTreeMap<String, Level>,
    /// Crates and paths orchestrators must not import (boundaries rule).
    pub io_deny: Vec<String>,
    /// Modules of another feature that a feature may import (boundaries rule).
    pub public_modules: Vec<String>,
    /// Type name patterns of generic "god events" (`*` wildcard).
    pub god_events: Vec<String>,
    /// Extra folders allowed inside a feature (layout rule).
    pub extra_folders: Vec<String>,
    /// Paths (relative, glob with `*` and `**`) not linted.
    pub exclude: Vec<String>,
}

impl Default for LintConfig {
    fn default() -> Self {
        LintConfig {
            rules: BTreeMap::new(),
            io_deny: [
                "reqwest",
                "sqlx",
                "std::fs",
                "tokio::fs",
                "std::net",
                "tokio::net",
                "hyper",
                "diesel",
                "std::process::Command",
                "tokio::process",
            ]
            .map(String::from)
            .to_vec(),
            public_modules: vec!["events".to_string()],
            god_events: ["Generic*Event", "*AnyEvent", "Base*Event", "Common*Event"]
                .map(String::from)
                .to_vec(),
            extra_folders: Vec::new(),
            exclude: Vec::new(),
        }
    }
}

impl Config {
    /// Parse `text` (the contents of `path`), naming the file, line and column on error.
    pub fn parse(text: &str, path: &Path) -> anyhow::Result<Config> {
        toml::from_str(text).map_err(|e| {
            let location = e
                .span()
                .map(|span| {
                    let (line, col) = line_col(text, span.start);
                    format!(":{line}:{col}")
                })
                .unwrap_or_default();
            Failure::usage(format!("invalid config {}{location}: {}", path.display(), e.message()))
                .hint(format!("fix {} (see `orch init --help` and the README's config reference)", FILE_NAME))
                .into()
        })
    }

    /// Read and parse the config at `path`.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::Error::new(e).context(Failure::usage(format!("cannot read {}", path.display())))
        })?;
        Config::parse(&text, path)
    }

    /// The default `orch.toml` written by `orch new project` and `orch init`.
    pub fn default_file(runtime: &RuntimeConfig) -> String {
        let runtime_line = match runtime.source {
            RuntimeSource::Vendor => format!(
                "source = \"vendor\"   # vendor | path | version\npath = \"{}\"",
                runtime.path.display()
            ),
            RuntimeSource::Path => {
                format!(
                    "source = \"path\"     # vendor | path | version\npath = \"{}\"",
                    runtime.path.display()
                )
            }
            RuntimeSource::Version => {
                format!("source = \"version\"  # vendor | path | version\nversion = \"{}\"", runtime.version)
            }
        };
        format!(
            "# orch configuration; every key is optional (README: Configuration)\n\
             \n\
             [paths]\n\
             features = \"src/features\"\n\
             core = \"src/shared\"\n\
             templates = \".orch/templates\"\n\
             \n\
             [feature]   # parts `orch new feature` generates\n\
             job = true\n\
             event = true\n\
             executor = true\n\
             orchestrator = true\n\
             \n\
             [runtime]\n\
             {runtime_line}\n\
             \n\
             [lint]\n\
             # rules = {{ god-event = \"error\" }}   # per rule: error | warn | off (orch lint --list-rules)\n"
        )
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_all_defaults() {
        assert_eq!(Config::parse("", Path::new("orch.toml")).unwrap(), Config::default());
    }

    #[test]
    fn default_file_round_trips_to_defaults() {
        let text = Config::default_file(&RuntimeConfig::default());
        assert_eq!(Config::parse(&text, Path::new("orch.toml")).unwrap(), Config::default());
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let err = Config::parse("[paths]\nfeatures = 3\n", Path::new("/p/orch.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("invalid config /p/orch.toml:2:12:"), "{msg}");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = Config::parse("[paths]\nfeatuers = \"x\"\n", Path::new("orch.toml")).unwrap_err();
        assert!(err.to_string().contains("unknown field `featuers`"), "{err}");
    }

    #[test]
    fn lint_levels_parse() {
        let cfg = Config::parse("[lint.rules]\nfile-naming = \"off\"\n", Path::new("orch.toml")).unwrap();
        assert_eq!(cfg.lint.rules.get("file-naming"), Some(&Level::Off));
    }
}
