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

/// Why `raw` is not a usable root-relative glob (`[[lint.overrides]] paths`, `[lint] exclude`),
/// or `None`: outside the root, the root itself, an empty or `.` folder (never matches a path),
/// or not a glob.
fn glob_problem(raw: &str) -> Option<String> {
    let g = override_glob(raw);
    let outside = raw.starts_with('/') || g.contains('\\') || g.split('/').any(|s| s == "..");
    if outside {
        Some("globs are root-relative, with `/` and without `..`".to_string())
    } else if g.is_empty() || g == "." {
        Some("it names the project root, which no finding's path is; use \"**\" for every path".to_string())
    } else if g.split('/').any(|s| s.is_empty() || s == ".") {
        Some("an empty or `.` folder never matches a root-relative path".to_string())
    } else {
        globset::GlobBuilder::new(g).literal_separator(true).build().err().map(|e| e.to_string())
    }
}

/// Whether `s` is a Rust identifier (ASCII or Unicode letters, digits and `_`, not starting
/// with a digit, not `_` alone): a path segment or a module name.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && s != "_"
}

/// Why `entry` is not a usable `[lint] io_deny` path (`crate` or `crate::module::Item`), or
/// `None`. Paths are matched exactly, so a wrongly written one would silently deny nothing.
/// A capitalised crate name is accepted (crates such as `Inflector` exist), except the standard
/// library's crates, which are only ever lowercase (`Std::fs` is a typo of `std::fs`).
fn io_deny_problem(entry: &str) -> Option<String> {
    let segments: Vec<&str> = entry.split("::").collect();
    if let Some(bad) = segments.iter().find(|s| !is_identifier(s)) {
        let why = if bad.is_empty() {
            "an empty segment (a leading or trailing `::`, or an empty entry)".to_string()
        } else {
            format!("`{bad}` is not an identifier")
        };
        return Some(format!("not a Rust path: {why}"));
    }
    let krate = segments[0];
    let lower = krate.to_lowercase();
    if krate != lower && ["std", "core", "alloc"].contains(&lower.as_str()) {
        return Some(format!("paths are case-sensitive: the crate is `{lower}`, not `{krate}`"));
    }
    None
}

/// The span of the `index`th entry of the `[lint] <key>` list in `text`; parsed again only to
/// point at a bad entry (the config itself keeps no spans).
fn lint_list_span(text: &str, key: &str, index: usize) -> std::ops::Range<usize> {
    #[derive(Deserialize)]
    struct Doc {
        #[serde(default)]
        lint: Lists,
    }
    #[derive(Deserialize, Default)]
    struct Lists {
        #[serde(default)]
        io_deny: Vec<toml::Spanned<String>>,
        #[serde(default)]
        public_modules: Vec<toml::Spanned<String>>,
        #[serde(default)]
        god_events: Vec<toml::Spanned<String>>,
        #[serde(default)]
        extra_folders: Vec<toml::Spanned<String>>,
        #[serde(default)]
        exclude: Vec<toml::Spanned<String>>,
    }
    let Ok(doc) = toml::from_str::<Doc>(text) else { return 0..0 };
    let list = match key {
        "io_deny" => doc.lint.io_deny,
        "public_modules" => doc.lint.public_modules,
        "god_events" => doc.lint.god_events,
        "extra_folders" => doc.lint.extra_folders,
        _ => doc.lint.exclude,
    };
    list.get(index).map_or(0..0, toml::Spanned::span)
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
    /// The `[lint]` lists hold usable values: `io_deny` Rust paths, `public_modules` module
    /// names, `exclude` root-relative globs (checked like `[[lint.overrides]]` paths), no empty
    /// `god_events` or `extra_folders` entry. A bad one would silently turn a check off, so it
    /// is a usage error at the entry's line and column.
    fn check_lists(&self, text: &str, path: &Path) -> Result<(), Failure> {
        let at = |key: &str, index: usize, what: String| {
            let (line, col) = line_col(text, lint_list_span(text, key, index).start);
            Failure::usage(format!("invalid config {}:{line}:{col}: {what}", path.display()))
        };
        for (i, entry) in self.io_deny.iter().enumerate() {
            if let Some(why) = io_deny_problem(entry) {
                return Err(at("io_deny", i, format!("invalid [lint] io_deny entry {entry:?}: {why}"))
                    .hint("give crates or paths, e.g. io_deny = [\"reqwest\", \"std::fs\", \"std::process::Command\"]"));
            }
        }
        for (i, module) in self.public_modules.iter().enumerate() {
            if !is_identifier(module) {
                return Err(at(
                    "public_modules",
                    i,
                    format!("invalid [lint] public_modules entry {module:?}: not a module name"),
                )
                .hint("name modules of a feature, e.g. public_modules = [\"events\", \"jobs\"]"));
            }
        }
        for (i, glob) in self.exclude.iter().enumerate() {
            if let Some(why) = glob_problem(glob) {
                return Err(at("exclude", i, format!("invalid [lint] exclude pattern {glob:?}: {why}"))
                    .hint("e.g. exclude = [\"src/generated/**\"]"));
            }
        }
        for key in ["god_events", "extra_folders"] {
            let list = if key == "god_events" { &self.god_events } else { &self.extra_folders };
            if let Some(i) = list.iter().position(|e| e.trim().is_empty()) {
                return Err(at(key, i, format!("invalid [lint] {key} entry {:?}: it is empty", list[i]))
                    .hint(format!("remove it from `[lint] {key}`")));
            }
        }
        Ok(())
    }

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
                if let Some(why) = glob_problem(raw) {
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
        config.lint.check_lists(text, path)?;
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
    fn bad_lint_lists_name_file_line_and_column() {
        let err = |text: &str| {
            let e = Config::parse(text, Path::new("/p/orch.toml")).unwrap_err();
            let (kind, hint) = crate::error::classify(&e);
            assert_eq!(kind.code(), 2, "{e}");
            assert!(hint.is_some_and(|h| !h.is_empty()), "{e}");
            e.to_string()
        };
        for (value, why) in [
            ("std::fs::", "empty segment"),
            ("", "empty segment"),
            ("::std::fs", "empty segment"),
            ("std:fs", "`std:fs` is not an identifier"),
            ("std::fs ", "is not an identifier"),
            ("Std::Fs", "paths are case-sensitive: the crate is `std`, not `Std`"),
        ] {
            let msg = err(&format!("[lint]\nio_deny = [\"reqwest\", {value:?}]\n"));
            assert!(
                msg.starts_with(&format!(
                    "invalid config /p/orch.toml:2:23: invalid [lint] io_deny entry {value:?}: "
                )),
                "{msg}"
            );
            assert!(msg.contains(why), "{value}: {msg}");
        }
        for (glob, why) in [
            ("/abs/**", "root-relative"),
            ("../x", "root-relative"),
            ("src//x", "never matches"),
            ("src/{a", ""),
        ] {
            let msg = err(&format!("[lint]\nexclude = [\n  {glob:?},\n]\n"));
            assert!(
                msg.starts_with(&format!(
                    "invalid config /p/orch.toml:3:3: invalid [lint] exclude pattern {glob:?}: "
                )),
                "{msg}"
            );
            assert!(msg.contains(why), "{msg}");
        }
        for module in ["", "events::x", "1st"] {
            let msg = err(&format!("[lint]\npublic_modules = [{module:?}]\n"));
            assert!(
                msg.starts_with("invalid config /p/orch.toml:2:19: invalid [lint] public_modules entry"),
                "{msg}"
            );
        }
        assert!(err("[lint]\ngod_events = [\"\"]\n").contains(":2:15: invalid [lint] god_events entry"));
        assert!(
            err("[lint]\nextra_folders = [\" \"]\n").contains(":2:18: invalid [lint] extra_folders entry")
        );
        // typos of keys and tables are unknown fields
        assert!(err("[lint]\nio-deny = [\"std::fs\"]\n").contains(":2:1: unknown field `io-deny`"));
        assert!(err("[lint.rule]\nlayout = \"off\"\n").contains("unknown field `rule`"));
        // valid values, a capitalised crate name included (such crates exist)
        let ok = "[lint]\nio_deny = [\"std::process::Command\", \"Inflector\"]\n\
                  public_modules = [\"events\", \"_private\"]\nexclude = [\"./src/gen/\", \"**/*.g.rs\"]\n";
        Config::parse(ok, Path::new("orch.toml")).unwrap();
    }

    #[test]
    fn lint_levels_parse() {
        let cfg = Config::parse("[lint.rules]\nfile-naming = \"off\"\n", Path::new("orch.toml")).unwrap();
        assert_eq!(cfg.lint.rules.get("file-naming"), Some(&Level::Off));
    }
}
