//! Templates: the built-in `templates/**/*.tera` files embedded in the binary, overridden
//! file-by-file by a project's `.orch/templates/`, rendered with Tera plus heck case filters.
//! The runtime's source is embedded the same way, for vendoring into generated projects.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use heck::{ToKebabCase, ToShoutySnakeCase, ToSnakeCase, ToTitleCase, ToUpperCamelCase};
use include_dir::{Dir, include_dir};
use tera::{Tera, Value};

use crate::error::Failure;

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");
static RUNTIME_SRC: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/crates/orch-runtime/src");
const RUNTIME_MANIFEST: &str = include_str!("../crates/orch-runtime/Cargo.toml");
const RUNTIME_README: &str = include_str!("../crates/orch-runtime/README.md");
/// The workspace manifest: the runtime's `[lints]` are its `[workspace.lints]`.
const WORKSPACE_MANIFEST: &str = include_str!("../Cargo.toml");
/// The formatting the runtime's source follows (the repository's).
const RUNTIME_RUSTFMT: &str = include_str!("../rustfmt.toml");

/// Version of the embedded `orch-runtime` (checked against its Cargo.toml by a test).
pub const RUNTIME_VERSION: &str = "0.1.0";

/// Extension of template files.
pub const EXTENSION: &str = "tera";

/// Where a template came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Embedded in the binary.
    Builtin,
    /// A project override at this absolute path.
    Custom(PathBuf),
}

/// The loaded template set: built-ins, with project overrides applied.
///
/// Without overrides, built-in templates are parsed on first use (a command renders only a few
/// of them, and parsing is most of the cost of `orch new feature`); with overrides everything
/// is parsed up front, so a broken custom template is reported before anything is planned.
pub struct Templates {
    tera: Mutex<Tera>,
    origins: BTreeMap<String, Origin>,
    /// Built-in templates not parsed yet: name → source.
    pending: Mutex<BTreeMap<String, &'static str>>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").field("origins", &self.origins).finish()
    }
}

/// Names (paths relative to `templates/`, e.g. `feature/job.rs.tera`) of the built-in templates,
/// sorted.
pub fn builtin_names() -> Vec<&'static str> {
    let mut names = Vec::new();
    collect(&BUILTIN, &mut names);
    names.sort_unstable();
    names
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<&'static str>) {
    for file in dir.files() {
        if file.path().extension().is_some_and(|e| e == EXTENSION)
            && let Some(name) = file.path().to_str()
        {
            out.push(name);
        }
    }
    for sub in dir.dirs() {
        collect(sub, out);
    }
}

/// The source of a built-in template.
pub fn builtin_source(name: &str) -> Option<&'static str> {
    BUILTIN.get_file(name).and_then(|f| f.contents_utf8())
}

impl Templates {
    /// Built-in templates only.
    pub fn builtin() -> anyhow::Result<Templates> {
        Templates::load(None)
    }

    /// Built-ins, overridden by same-named `*.tera` files under `override_dir` (absolute) if it
    /// exists. Custom templates with other names are added too. A template that fails to parse is
    /// an error naming its path and line.
    pub fn load(override_dir: Option<&Path>) -> anyhow::Result<Templates> {
        let mut sources: Vec<(String, String, Origin)> = builtin_names()
            .into_iter()
            .filter_map(|name| {
                builtin_source(name).map(|src| (name.to_string(), src.to_string(), Origin::Builtin))
            })
            .collect();
        if let Some(dir) = override_dir.filter(|d| d.is_dir()) {
            for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
                let entry = entry.map_err(|e| {
                    anyhow::Error::new(e).context(Failure::failed("cannot read templates").at(dir))
                })?;
                let path = entry.path();
                if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != EXTENSION) {
                    continue;
                }
                let Some(name) =
                    path.strip_prefix(dir).ok().and_then(Path::to_str).map(|n| n.replace('\\', "/"))
                else {
                    continue;
                };
                let src = std::fs::read_to_string(path).map_err(|e| {
                    anyhow::Error::new(e).context(Failure::failed("cannot read template").at(path))
                })?;
                sources.retain(|(n, _, _)| n != &name);
                sources.push((name, src, Origin::Custom(path.to_path_buf())));
            }
        }
        let mut tera = Tera::default();
        tera.autoescape_on(Vec::new());
        register_filters(&mut tera);
        let mut origins = BTreeMap::new();
        let mut pending = BTreeMap::new();
        if sources.iter().all(|(_, _, origin)| *origin == Origin::Builtin) {
            for name in builtin_names() {
                if let Some(src) = builtin_source(name) {
                    pending.insert(name.to_string(), src);
                    origins.insert(name.to_string(), Origin::Builtin);
                }
            }
            return Ok(Templates { tera: Mutex::new(tera), origins, pending: Mutex::new(pending) });
        }
        for (name, src, origin) in sources {
            if let Err(e) = tera.add_raw_template(&name, &src) {
                let shown = match &origin {
                    Origin::Custom(path) => path.display().to_string(),
                    Origin::Builtin => format!("built-in template {name}"),
                };
                return Err(Failure::usage(format!("template {shown} does not parse: {}", chain(&e)))
                    .hint("fix the template, or delete it to use the built-in one")
                    .into());
            }
            origins.insert(name, origin);
        }
        Ok(Templates { tera: Mutex::new(tera), origins, pending: Mutex::new(pending) })
    }

    fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
        mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Parse `name` (and the templates it includes, imports or extends) if not parsed yet;
    /// with `all`, parse every pending template.
    fn parse_pending(&self, tera: &mut Tera, name: &str, all: bool) -> anyhow::Result<()> {
        let mut pending = Self::lock(&self.pending);
        let mut todo: Vec<String> =
            if all { pending.keys().cloned().collect() } else { vec![name.to_string()] };
        while let Some(next) = todo.pop() {
            let Some(src) = pending.remove(&next) else { continue };
            todo.extend(referenced_templates(src));
            if let Some(ast) = builtin_ast(&next) {
                tera.templates.insert(next.clone(), prebuilt(&next, ast));
                continue;
            }
            tera.add_raw_template(&next, src).map_err(|e| {
                Failure::usage(format!("template built-in template {next} does not parse: {}", chain(&e)))
                    .hint("this is a bug in orch; please report it")
            })?;
        }
        Ok(())
    }

    /// Every template name with its origin, sorted.
    pub fn origins(&self) -> &BTreeMap<String, Origin> {
        &self.origins
    }

    /// Whether `name` exists.
    pub fn has(&self, name: &str) -> bool {
        self.origins.contains_key(name)
    }

    /// Render `name` with `ctx`. Errors name the template (its file for custom ones) and the
    /// cause Tera reports (which includes the line for syntax problems).
    pub fn render(&self, name: &str, ctx: &tera::Context) -> anyhow::Result<String> {
        let mut tera = Self::lock(&self.tera);
        self.parse_pending(&mut tera, name, false)?;
        let mut result = tera.render(name, ctx);
        if result.is_err() && !Self::lock(&self.pending).is_empty() {
            // Something referenced a template the scan missed: parse the rest and retry.
            self.parse_pending(&mut tera, name, true)?;
            result = tera.render(name, ctx);
        }
        result.map_err(|e| {
            let shown = match self.origins.get(name) {
                Some(Origin::Custom(path)) => path.display().to_string(),
                _ => format!("built-in template {name}"),
            };
            Failure::usage(format!("template {shown} failed to render: {}", chain(&e)))
                .hint("fix the template (`orch template list` shows which are custom)")
                .into()
        })
    }
}

// `builtin_ast(name)`: the syntax trees of the built-in templates, parsed by build.rs.
include!(concat!(env!("OUT_DIR"), "/templates_ast.rs"));

/// A template from a syntax tree parsed at build time. Only templates without blocks, macros
/// and `extends` are prebuilt (build.rs), so the fields Tera derives for those stay empty.
fn prebuilt(name: &str, ast: Vec<tera::ast::Node>) -> tera::Template {
    tera::Template {
        name: name.to_string(),
        path: None,
        ast,
        from_extend: false,
        macros: HashMap::new(),
        imported_macro_files: Vec::new(),
        parent: None,
        blocks: HashMap::new(),
        parents: Vec::new(),
        blocks_definitions: HashMap::new(),
    }
}

/// Names of the templates `src` includes, imports or extends (`{% include "a/b.tera" %}`).
fn referenced_templates(src: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = src;
    while let Some(start) = rest.find("{%") {
        let tag = &rest[start + 2..];
        let end = tag.find("%}").unwrap_or(tag.len());
        let body = tag[..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        if ["include", "import", "extends"].iter().any(|kw| body.starts_with(kw)) {
            for quote in ['"', '\'', '`'] {
                let mut parts = body.split(quote);
                if let (Some(_), Some(name)) = (parts.next(), parts.next())
                    && body.contains(quote)
                {
                    names.push(name.to_string());
                    break;
                }
            }
        }
        rest = &tag[end..];
    }
    names
}

fn chain(e: &tera::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(c) = cur {
        parts.push(c.to_string());
        cur = c.source();
    }
    parts.join(": ")
}

type Filter = fn(&str) -> String;

fn register_filters(tera: &mut Tera) {
    let filters: [(&str, Filter); 5] = [
        ("snake_case", |s| s.to_snake_case()),
        ("pascal_case", |s| s.to_upper_camel_case()),
        ("kebab_case", |s| s.to_kebab_case()),
        ("shouty_snake_case", |s| s.to_shouty_snake_case()),
        ("title_case", |s| s.to_title_case()),
    ];
    for (name, f) in filters {
        tera.register_filter(name, move |value: &Value, _: &HashMap<String, Value>| match value.as_str() {
            Some(s) => Ok(Value::String(f(s))),
            None => Err(tera::Error::msg(format!("filter `{name}` expects a string"))),
        });
    }
}

/// The files of the runtime crate to vendor, relative to the vendor directory: `Cargo.toml`
/// (standalone), `README.md`, `src/**`, and the runtime's own `rustfmt.toml` and `clippy.toml`.
///
/// A vendored copy inside a cargo workspace (a project made there, or a workspace member) is
/// a member of it (cargo makes path dependencies under the workspace root members; `exclude`
/// does not apply to them, and a `[workspace]` of its own is refused as a second root), and
/// `cargo fmt --all` formats path dependencies anyway. So the copy carries what keeps it clean
/// whatever encloses it: its `rust-version` and explicit `[lints]` (clippy's msrv-gated lints
/// stay off, a parent's `[workspace.lints]` are not inherited), the formatting its source
/// follows (rustfmt uses the nearest config), and a clippy config of its own (clippy too).
pub fn runtime_files() -> anyhow::Result<Vec<(PathBuf, String)>> {
    let rustfmt = format!(
        "# orch-runtime's own formatting: rustfmt uses the nearest config, so a parent project's\n\
         # rustfmt.toml does not apply to this vendored copy.\n{RUNTIME_RUSTFMT}"
    );
    let clippy = "# orch-runtime's clippy configuration (the defaults): clippy uses the nearest\n\
                  # clippy.toml, so a parent project's does not apply to this vendored copy.\n";
    let mut files = vec![
        (PathBuf::from("Cargo.toml"), standalone_manifest(RUNTIME_MANIFEST, WORKSPACE_MANIFEST)?),
        (PathBuf::from("README.md"), RUNTIME_README.to_string()),
        (PathBuf::from("clippy.toml"), clippy.to_string()),
        (PathBuf::from("rustfmt.toml"), rustfmt),
    ];
    let mut stack = vec![&RUNTIME_SRC];
    while let Some(dir) = stack.pop() {
        for file in dir.files() {
            if let Some(text) = file.contents_utf8() {
                files.push((Path::new("src").join(file.path()), text.to_string()));
            }
        }
        stack.extend(dir.dirs());
    }
    files.sort();
    Ok(files)
}

/// The runtime's manifest made standalone: `[lints] workspace = true` replaced by the
/// workspace's lint tables (from `workspace`), no dev-dependencies, benches or examples (they
/// are not vendored); `rust-version` kept.
fn standalone_manifest(text: &str, workspace: &str) -> anyhow::Result<String> {
    let mut doc: toml_edit::DocumentMut = text.parse()?;
    for key in ["dev-dependencies", "bench", "example", "test"] {
        doc.remove(key);
    }
    let ws: toml_edit::DocumentMut = workspace.parse()?;
    let lints = ws
        .get("workspace")
        .and_then(|w| w.get("lints"))
        .and_then(toml_edit::Item::as_table)
        .ok_or_else(|| anyhow::anyhow!("the workspace manifest has no [workspace.lints]"))?;
    let mut own = toml_edit::Table::new();
    for (tool, table) in lints.iter() {
        let Some(table) = table.as_table() else { continue };
        let mut levels = toml_edit::Table::new();
        for (lint, level) in table.iter() {
            let mut level = level.clone();
            if let Some(value) = level.as_value_mut() {
                value.decor_mut().clear(); // comments about orch's own code
            }
            levels.insert(lint, level);
        }
        own.insert(tool, toml_edit::Item::Table(levels));
    }
    own.set_implicit(true);
    doc.insert("lints", toml_edit::Item::Table(own));
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_version_matches_the_embedded_manifest() {
        let doc: toml_edit::DocumentMut = RUNTIME_MANIFEST.parse().unwrap();
        assert_eq!(doc["package"]["version"].as_str(), Some(RUNTIME_VERSION));
    }

    #[test]
    fn vendored_manifest_is_standalone() {
        let files = runtime_files().unwrap();
        let manifest = &files.iter().find(|(p, _)| p == Path::new("Cargo.toml")).unwrap().1;
        assert!(!manifest.contains("workspace"), "{manifest}");
        assert!(!manifest.contains("criterion"), "{manifest}");
        // It keeps what keeps it clean inside a parent workspace (tests/cli/e2e.rs checks it
        // with cargo): its msrv, its lints, its formatting.
        assert!(manifest.contains("rust-version = \"1.85\""), "{manifest}");
        assert!(
            manifest.contains("[lints.rust]\nunsafe_code = \"deny\"\nmissing_docs = \"warn\"\n"),
            "{manifest}"
        );
        assert!(manifest.contains("[lints.clippy]\nall = { level = \"warn\", priority = -1 }"), "{manifest}");
        let rustfmt = &files.iter().find(|(p, _)| p == Path::new("rustfmt.toml")).unwrap().1;
        assert!(rustfmt.ends_with(RUNTIME_RUSTFMT), "{rustfmt}");
        assert!(files.iter().any(|(p, _)| p == Path::new("clippy.toml")));
        assert!(files.iter().any(|(p, _)| p == Path::new("src/lib.rs")));
    }

    #[test]
    fn every_builtin_template_parses() {
        let t = Templates::builtin().unwrap();
        let mut tera = Templates::lock(&t.tera);
        t.parse_pending(&mut tera, "", true).unwrap();
        assert!(Templates::lock(&t.pending).is_empty());
    }

    #[test]
    fn prebuilt_syntax_trees_equal_what_tera_parses() {
        for name in builtin_names() {
            let src = builtin_source(name).unwrap();
            let parsed = tera::Template::new(name, None, src).unwrap();
            let prebuilt = builtin_ast(name).unwrap_or_else(|| panic!("{name} was not prebuilt"));
            assert_eq!(prebuilt, parsed.ast, "{name}");
        }
    }

    #[test]
    fn referenced_templates_are_found() {
        let src = "a {% include \"state/_struct.rs.tera\" %} {%- import 'm.tera' as m -%} {% if x %}";
        assert_eq!(referenced_templates(src), ["state/_struct.rs.tera", "m.tera"]);
    }

    #[test]
    fn case_filters_render() {
        let mut tera = Tera::default();
        register_filters(&mut tera);
        tera.add_raw_template("t", "{{ n | pascal_case }} {{ n | snake_case }} {{ n | kebab_case }}")
            .unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("n", "fetch_user");
        assert_eq!(tera.render("t", &ctx).unwrap(), "FetchUser fetch_user fetch-user");
    }

    #[test]
    fn overrides_win_and_bad_overrides_name_their_file() {
        let tmp = tempfile::tempdir().unwrap();
        let name = builtin_names().first().expect("built-in templates are embedded").to_string();
        let path = tmp.path().join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "custom {{ 1 + 1 }}").unwrap();
        let t = Templates::load(Some(tmp.path())).unwrap();
        assert_eq!(t.origins()[&name], Origin::Custom(path.clone()));
        assert_eq!(t.render(&name, &tera::Context::new()).unwrap(), "custom 2");
        std::fs::write(&path, "line one\n{% if %}").unwrap();
        let err = Templates::load(Some(tmp.path())).unwrap_err();
        assert!(err.to_string().contains(&path.display().to_string()), "{err}");
    }
}
