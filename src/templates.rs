//! Templates: the built-in `templates/**/*.tera` files embedded in the binary, overridden
//! file-by-file by a project's `.orch/templates/`, rendered with Tera plus heck case filters.
//! The runtime's source is embedded the same way, for vendoring into generated projects.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use heck::{ToKebabCase, ToShoutySnakeCase, ToSnakeCase, ToTitleCase, ToUpperCamelCase};
use include_dir::{Dir, include_dir};
use tera::{Tera, Value};

use crate::error::Failure;

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");
static RUNTIME_SRC: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/crates/orch-runtime/src");
const RUNTIME_MANIFEST: &str = include_str!("../crates/orch-runtime/Cargo.toml");
const RUNTIME_README: &str = include_str!("../crates/orch-runtime/README.md");

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
pub struct Templates {
    tera: Tera,
    origins: BTreeMap<String, Origin>,
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
        Ok(Templates { tera, origins })
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
        self.tera.render(name, ctx).map_err(|e| {
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
/// (standalone: workspace-only tables removed), `README.md` and `src/**`.
pub fn runtime_files() -> anyhow::Result<Vec<(PathBuf, String)>> {
    let mut files = vec![
        (PathBuf::from("Cargo.toml"), standalone_manifest(RUNTIME_MANIFEST)?),
        (PathBuf::from("README.md"), RUNTIME_README.to_string()),
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

/// The runtime's manifest made standalone: no `[lints] workspace = true`, no dev-dependencies,
/// benches or examples (they are not vendored).
fn standalone_manifest(text: &str) -> anyhow::Result<String> {
    let mut doc: toml_edit::DocumentMut = text.parse()?;
    for key in ["lints", "dev-dependencies", "bench", "example", "test"] {
        doc.remove(key);
    }
    if let Some(package) = doc.get_mut("package").and_then(|p| p.as_table_mut()) {
        package.remove("rust-version");
    }
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
        assert!(files.iter().any(|(p, _)| p == Path::new("src/lib.rs")));
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
