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
    /// An enum event whose variants carry types of this many other features is a catch-all
    /// (god-event rule; 0 turns that check off).
    pub god_event_features: usize,
    /// Extra folders allowed inside a feature (layout rule).
    pub extra_folders: Vec<String>,
    /// Paths (relative, glob with `*` and `**`) not linted.
    pub exclude: Vec<String>,
    /// `[[lint.overrides]]`: rule levels for some paths (later entries win).
    pub overrides: Vec<LintOverride>,
}

/// One `[[lint.overrides]]` entry: rule levels for the paths its globs match. Spans are kept
/// so [`Config::parse`] can point at a bad glob or rule id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintOverride {
    /// Root-relative globs (`*` within a folder, `**` across folders); a glob matching a folder
    /// covers everything below it.
    pub paths: toml::Spanned<Vec<toml::Spanned<String>>>,
    /// `rule-id = "error" | "warn" | "off"` for those paths.
    pub rules: BTreeMap<toml::Spanned<String>, Level>,
}

/// The span of the `rules` value of the `index`th `[[lint.overrides]]` entry in `text` (the
/// map's keys have spans, an empty map has none of its own); parsed again only to report it.
fn override_rules_span(text: &str, index: usize) -> std::ops::Range<usize> {
    #[derive(Deserialize)]
    struct Doc {
        #[serde(default)]
        lint: Lint,
    }
    #[derive(Deserialize, Default)]
    struct Lint {
        #[serde(default)]
        overrides: Vec<Entry>,
    }
    #[derive(Deserialize)]
    struct Entry {
        rules: toml::Spanned<toml::Value>,
    }
    toml::from_str::<Doc>(text)
        .ok()
        .and_then(|d| d.lint.overrides.into_iter().nth(index))
        .map_or(0..0, |e| e.rules.span())
}

/// A `[[lint.overrides]]` glob as matched against root-relative paths: without the leading
/// `./` and trailing `/` users write (`./src/**`, `src/legacy/`), which would otherwise match
/// nothing, silently.
pub fn override_glob(glob: &str) -> &str {
    let mut g = glob;
    while let Some(rest) = g.strip_prefix("./") {
        g = rest.trim_start_matches('/');
    }
    let trimmed = g.trim_end_matches('/');
    if trimmed.is_empty() { g } else { trimmed }
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
            god_event_features: 2,
            extra_folders: Vec::new(),
            exclude: Vec::new(),
            overrides: Vec::new(),
        }
    }
}

impl LintConfig {
    /// `[[lint.overrides]]` entries name known rules and give valid, root-relative globs;
    /// otherwise a usage error at the value's line and column.
    fn check_overrides(&self, text: &str, path: &Path) -> Result<(), Failure> {
        let at = |span: std::ops::Range<usize>, what: String| {
            let (line, col) = line_col(text, span.start);
            Failure::usage(format!("invalid config {}:{line}:{col}: {what}", path.display()))
        };
        for (i, o) in self.overrides.iter().enumerate() {
            if o.paths.get_ref().is_empty() {
                return Err(at(o.paths.span(), "[[lint.overrides]] `paths` is empty".into())
                    .hint("give root-relative globs, e.g. paths = [\"src/legacy/**\"]"));
            }
            for glob in o.paths.get_ref() {
                let raw = glob.get_ref();
                let g = override_glob(raw);
                let outside = raw.starts_with('/') || g.contains('\\') || g.split('/').any(|s| s == "..");
                let invalid = if outside {
                    Some("globs are root-relative, with `/` and without `..`".to_string())
                } else if g.is_empty() || g == "." {
                    Some(
                        "it names the project root, which no finding's path is; use \"**\" for every path"
                            .to_string(),
                    )
                } else if g.split('/').any(|s| s.is_empty() || s == ".") {
                    Some("an empty or `.` folder never matches a root-relative path".to_string())
                } else {
                    globset::GlobBuilder::new(g).literal_separator(true).build().err().map(|e| e.to_string())
                };
                if let Some(why) = invalid {
                    return Err(at(glob.span(), format!("invalid [[lint.overrides]] path {raw:?}: {why}"))
                        .hint("e.g. paths = [\"src/legacy/**\", \"src/features/*/helpers\"]"));
                }
            }
            if o.rules.is_empty() {
                return Err(at(
                    override_rules_span(text, i),
                    "[[lint.overrides]] `rules` is empty: it changes nothing".into(),
                )
                .hint("name the rules and their levels, e.g. rules = { orphan-module = \"off\" }"));
            }
            for id in o.rules.keys() {
                if id.get_ref().parse::<crate::lint::RuleId>().is_err() {
                    let known = crate::lint::unknown_rule(id.get_ref(), "");
                    let mut e =
                        at(id.span(), format!("unknown lint rule `{}` in [[lint.overrides]]", id.get_ref()));
                    e.hint = known.hint;
                    return Err(e);
                }
            }
        }
        Ok(())
    }
}

impl Config {
    /// Parse `text` (the contents of `path`), naming the file, line and column on error.
    pub fn parse(text: &str, path: &Path) -> anyhow::Result<Config> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let location = e
                .span()
                .map(|span| {
                    let (line, col) = line_col(text, span.start);
                    format!(":{line}:{col}")
                })
                .unwrap_or_default();
            Failure::usage(format!("invalid config {}{location}: {}", path.display(), e.message()))
                .hint(format!("fix {} (see `orch init --help` and the README's config reference)", FILE_NAME))
        })?;
        config.lint.check_overrides(text, path)?;
        Ok(config)
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

/// The `[paths]` keys, in the order they are checked.
pub const PATH_KEYS: [&str; 3] = ["features", "core", "templates"];

impl Paths {
    /// The value of `[paths] <key>` (one of [`PATH_KEYS`]).
    pub fn get(&self, key: &str) -> Option<&Path> {
        match key {
            "features" => Some(&self.features),
            "core" => Some(&self.core),
            "templates" => Some(&self.templates),
            _ => None,
        }
    }
}

/// `file:line:col` of the value of `[paths] <key>` in the config `text` read from `path`, or
/// `file` alone when the key is not written there (its default applies). Parsed again only
/// when a path is to be reported: the config itself keeps no spans.
pub fn path_value_location(text: &str, path: &Path, key: &str) -> String {
    #[derive(Deserialize)]
    struct Spans {
        #[serde(default)]
        paths: BTreeMap<String, toml::Spanned<toml::Value>>,
    }
    let span = toml::from_str::<Spans>(text).ok().and_then(|s| s.paths.get(key).map(toml::Spanned::span));
    match span {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            format!("{}:{line}:{col}", path.display())
        }
        None => path.display().to_string(),
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
    fn path_values_are_located_by_line_and_column() {
        let text = "# c\n[paths]\ncore = \"src/core\"\nfeatures   =  \"/etc\"\n[lint]\n";
        let at = |key| path_value_location(text, Path::new("/p/orch.toml"), key);
        assert_eq!(at("features"), "/p/orch.toml:4:15");
        assert_eq!(at("core"), "/p/orch.toml:3:8");
        assert_eq!(at("templates"), "/p/orch.toml");
    }

    #[test]
    fn lint_overrides_parse_with_globs_and_levels() {
        let text = "[[lint.overrides]]\npaths = [\"src/legacy/**\"]\nrules = { orphan-module = \"off\" }\n";
        let cfg = Config::parse(text, Path::new("orch.toml")).unwrap();
        let o = &cfg.lint.overrides[0];
        assert_eq!(o.paths.get_ref()[0].get_ref(), "src/legacy/**");
        assert_eq!(
            o.rules.iter().map(|(k, v)| (k.get_ref().as_str(), *v)).collect::<Vec<_>>(),
            [("orphan-module", Level::Off)]
        );
    }

    #[test]
    fn bad_lint_overrides_name_file_line_and_column() {
        let err = |text: &str| {
            let e = Config::parse(text, Path::new("/p/orch.toml")).unwrap_err();
            let (kind, hint) = crate::error::classify(&e);
            assert_eq!(kind.code(), 2, "{e}");
            (e.to_string(), hint.unwrap_or_default().to_string())
        };
        let (msg, hint) =
            err("[[lint.overrides]]\npaths = [\"src/**\"]\nrules = { orphan-modul = \"off\" }\n");
        assert!(
            msg.starts_with("invalid config /p/orch.toml:3:11: unknown lint rule `orphan-modul`"),
            "{msg}"
        );
        assert!(hint.starts_with("did you mean `orphan-module`?"), "{hint}");
        let (msg, _) = err("[[lint.overrides]]\npaths = [\"src/{a\"]\nrules = {}\n");
        assert!(
            msg.starts_with("invalid config /p/orch.toml:2:10: invalid [[lint.overrides]] path \"src/{a\""),
            "{msg}"
        );
        let (msg, _) = err("[[lint.overrides]]\npaths = [\"../x/**\"]\nrules = {}\n");
        assert!(
            msg.contains(":2:10: invalid [[lint.overrides]] path \"../x/**\": globs are root-relative"),
            "{msg}"
        );
        let (msg, _) = err("[[lint.overrides]]\npaths = []\nrules = {}\n");
        assert!(
            msg.starts_with("invalid config /p/orch.toml:2:9: [[lint.overrides]] `paths` is empty"),
            "{msg}"
        );
        let (msg, _) = err("[[lint.overrides]]\npaths = [\"src\"]\n");
        assert!(msg.contains("missing field `rules`"), "{msg}");
        let (msg, hint) = err("[[lint.overrides]]\npaths = [\"src\"]\nrules = {}\n");
        assert!(
            msg.starts_with("invalid config /p/orch.toml:3:9: [[lint.overrides]] `rules` is empty"),
            "{msg}"
        );
        assert!(hint.contains("rules = {"), "{hint}");
        let (msg, _) = err("[lint]\n[[lint.overrides]]\npaths = [\"a\"]\nrules = { layout = \"off\" }\n\
                            [[lint.overrides]]\npaths = [\"b\"]\n[lint.overrides.rules]\n");
        assert!(msg.contains(":7:1: [[lint.overrides]] `rules` is empty"), "{msg}");
        for (glob, why) in [
            ("./", "names the project root"),
            (".", "names the project root"),
            ("src//x", "never matches"),
            ("src/./x", "never matches"),
            ("/src/**", "root-relative"),
        ] {
            let (msg, _) =
                err(&format!("[[lint.overrides]]\npaths = [\"{glob}\"]\nrules = {{ layout = \"off\" }}\n"));
            assert!(msg.contains(&format!(":2:10: invalid [[lint.overrides]] path {glob:?}: ")), "{msg}");
            assert!(msg.contains(why), "{glob}: {msg}");
        }
    }

    #[test]
    fn override_globs_lose_the_leading_dot_slash_and_trailing_slash_users_write() {
        for (glob, want) in [
            ("./src/**", "src/**"),
            ("././src/a/", "src/a"),
            ("src/features/auth/orchestrators/", "src/features/auth/orchestrators"),
            ("src//", "src"),
            ("**", "**"),
            ("./", ""),
        ] {
            assert_eq!(override_glob(glob), want, "{glob}");
        }
    }

    #[test]
    fn lint_levels_parse() {
        let cfg = Config::parse("[lint.rules]\nfile-naming = \"off\"\n", Path::new("orch.toml")).unwrap();
        assert_eq!(cfg.lint.rules.get("file-naming"), Some(&Level::Off));
    }
}
