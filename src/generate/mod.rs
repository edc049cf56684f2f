//! Planning generated code: which files to create from which templates, and which wiring edits
//! to make, for a new project, `orch init`, a feature or one component. Everything here only
//! adds to a [`Plan`] (reading the disk through it, so steps compose); nothing writes.
//!
//! Paths in the plan are relative to the plan's root. For existing projects that is the
//! project root; for `orch new project` it is the directory the project is created in, and
//! [`base`] gives the project's prefix inside the plan.

use std::path::{Component as PathPart, Path, PathBuf};

use crate::analysis::Role;
use crate::config::Config;
use crate::error::Failure;
use crate::names::Name;
use crate::plan::{Plan, display};
use crate::project::Project;
use crate::templates::Templates;
use crate::wiring::{self, Vis};

mod component;
mod feature;
mod project;

pub use component::{Component, kind_suffix, plan_component};
pub(crate) use component::{Siblings, render_component};
pub(crate) use feature::empty_features_module;
pub use feature::{Parts, plan_feature, plan_features_root};
pub use project::{
    RUNTIME_PACKAGE, RUNTIME_PUBLISHED, RuntimeSource, VENDOR_DIR, depends_on_runtime, plan_core, plan_init,
    plan_project, relative_path, runtime_dependency,
};

/// The four component folders of a feature (and of core), in `mod` order.
pub const FOLDERS: [&str; 4] =
    [Role::Events.name(), Role::Executors.name(), Role::Jobs.name(), Role::Orchestrators.name()];

/// Where components go: a feature, or core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// For messages: "feature `auth`" or "core".
    pub label: String,
    /// The feature's module name, `None` for core.
    pub feature: Option<String>,
    /// Its directory, relative to the project root (`src/features/auth`).
    pub dir: PathBuf,
    /// Its Rust module path (`crate::features::auth`).
    pub module_path: String,
}

impl Location {
    /// The shared components directory (`[paths] core`).
    pub fn core(config: &Config) -> anyhow::Result<Location> {
        let dir = config.paths.core.clone();
        Ok(Location {
            label: "core".to_string(),
            feature: None,
            module_path: module_path(&dir, "[paths] core")?,
            dir,
        })
    }

    /// Feature `name` in the features directory (`[paths] features`).
    pub fn feature(config: &Config, name: &Name) -> anyhow::Result<Location> {
        Location::feature_in(&config.paths.features, name)
    }

    /// Feature `name` inside `features_dir` (relative to the project root).
    pub fn feature_in(features_dir: &Path, name: &Name) -> anyhow::Result<Location> {
        let parent = module_path(features_dir, "the features directory")?;
        Ok(Location {
            label: format!("feature `{}`", name.snake),
            feature: Some(name.snake.clone()),
            module_path: format!("{parent}::{}", name.snake),
            dir: features_dir.join(&name.snake),
        })
    }

    /// The module file of this location (`<dir>/mod.rs`).
    pub fn mod_file(&self) -> PathBuf {
        self.dir.join("mod.rs")
    }
}

/// The project's prefix inside `plan` (empty when the plan is rooted at the project).
pub fn base(plan: &Plan, project: &Project) -> PathBuf {
    project.root.strip_prefix(plan.root()).map(Path::to_path_buf).unwrap_or_default()
}

/// The Rust module path of a directory under `src/`: `src/features/auth` →
/// `crate::features::auth`. `what` names the setting for the error message.
pub fn module_path(dir: &Path, what: &str) -> anyhow::Result<String> {
    let bad = |why: &str| -> anyhow::Error {
        Failure::usage(format!("{what} ({}) {why}", display(dir)))
            .hint("use a directory under src/ whose every part is a Rust identifier (`src/features`)")
            .into()
    };
    let mut parts = dir.components();
    if parts.next() != Some(PathPart::Normal("src".as_ref())) {
        return Err(bad("is not under src/"));
    }
    let mut path = String::from("crate");
    let mut any = false;
    for part in parts {
        let PathPart::Normal(part) = part else { return Err(bad("is not a plain relative path")) };
        let part = part.to_str().ok_or_else(|| bad("is not UTF-8"))?;
        if !is_module_name(part) {
            return Err(bad(&format!("has `{part}`, which is not a snake_case module name")));
        }
        path.push_str("::");
        path.push_str(part);
        any = true;
    }
    if !any {
        return Err(bad("must be a directory below src/, not src/ itself"));
    }
    Ok(path)
}

/// Whether `s` is a snake_case Rust identifier that is not a keyword.
pub fn is_module_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && syn::parse_str::<syn::Ident>(s).is_ok()
}

/// The crate root to declare top-level modules in: `src/lib.rs` when it exists (as planned),
/// else `src/main.rs`.
pub fn crate_root(plan: &Plan, base: &Path) -> PathBuf {
    let lib = base.join("src/lib.rs");
    if plan.exists(&lib) { lib } else { base.join("src/main.rs") }
}

/// The file that declares the module of directory `dir` (relative to the project): the crate
/// root for `src/x`, else `<parent>/mod.rs` or `<parent>.rs`.
pub fn parent_module_file(plan: &Plan, base: &Path, dir: &Path) -> PathBuf {
    let parent = dir.parent().unwrap_or(Path::new("src"));
    if parent == Path::new("src") {
        return crate_root(plan, base);
    }
    let mod_rs = base.join(parent).join("mod.rs");
    let flat = base.join(parent.with_extension("rs"));
    if !plan.exists(&mod_rs) && plan.exists(&flat) { flat } else { mod_rs }
}

/// Make sure the module of `dir` is declared (`pub mod <last>;`) in its parent module file.
/// With `root_vis_private`, a `main.rs` crate root gets `pub mod` too (so the dead-code lint
/// treats the generated API as exported).
pub fn ensure_declared(plan: &mut Plan, base: &Path, dir: &Path) -> anyhow::Result<()> {
    let parent = parent_module_file(plan, base, dir);
    let Some(name) = dir.file_name().and_then(|n| n.to_str()) else { return Ok(()) };
    if !plan.exists(&parent) {
        return Err(Failure::failed(format!(
            "cannot declare module `{name}`: {} not found",
            display(&parent)
        ))
        .hint("create the parent module first, or choose another directory")
        .into());
    }
    edit_rust(plan, &parent, |src| wiring::ensure_mod(src, name, Vis::Pub))
}

/// Edit the Rust file `rel` through a wiring function, naming the file on error.
pub fn edit_rust(
    plan: &mut Plan,
    rel: &Path,
    f: impl FnOnce(&str) -> anyhow::Result<String>,
) -> anyhow::Result<()> {
    plan.edit(rel, |src| f(src).map_err(|e| wiring::at_path(e, rel)))?;
    Ok(())
}

/// Render template `name` with `ctx`; Rust and TOML output ends with exactly one newline.
pub(crate) fn render(templates: &Templates, name: &str, ctx: &tera::Context) -> anyhow::Result<String> {
    let mut text = templates.render(name, ctx)?;
    let trimmed = text.trim_end_matches(['\n', '\r', ' ']).len();
    text.truncate(trimmed);
    text.push('\n');
    // Built-in templates are checked by tests (every name length, every part combination);
    // parsing their output again on every run would double the cost of `orch new feature`.
    let custom = matches!(templates.origins().get(name), Some(crate::templates::Origin::Custom(_)));
    if custom && name.ends_with(".rs.tera") {
        check_rust(templates, name, &text)?;
    }
    Ok(text)
}

/// Refuse rendered Rust that does not parse, naming the template (its file for a custom one)
/// and the line of the rendered output, before anything is written.
fn check_rust(templates: &Templates, name: &str, text: &str) -> anyhow::Result<()> {
    let Err(e) = syn::parse_file(text) else { return Ok(()) };
    let at = e.span().start();
    let line = text.lines().nth(at.line.saturating_sub(1)).unwrap_or("").trim();
    let shown = match templates.origins().get(name) {
        Some(crate::templates::Origin::Custom(path)) => path.display().to_string(),
        _ => format!("built-in template {name}"),
    };
    Err(Failure::usage(format!(
        "template {shown} renders Rust that does not parse: {e} at line {}, column {} of the output (`{line}`)",
        at.line,
        at.column + 1
    ))
    .hint("fix the template (`orch template check` renders and checks them all); nothing was written")
    .into())
}

/// A fresh template context with the settings every template may use.
pub(crate) fn context() -> tera::Context {
    let mut ctx = tera::Context::new();
    // No built-in template wraps lines any more (rustfmt does, see `crate::style`); still set
    // so that templates copied by `orch template init` from earlier versions keep rendering.
    ctx.insert("max_width", &wiring::MAX_WIDTH);
    ctx
}

/// Refuse `rel` when something other than the planned file would declare the same module: a
/// directory module `x/` next to `x.rs` (or the reverse). Exit code 2.
pub(crate) fn check_module_collision(plan: &Plan, rel_file: &Path) -> anyhow::Result<()> {
    let (Some(parent), Some(stem)) = (rel_file.parent(), rel_file.file_stem()) else { return Ok(()) };
    let other = if rel_file.file_name() == Some("mod.rs".as_ref()) {
        parent.with_extension("rs")
    } else {
        parent.join(stem)
    };
    if plan.exists(&other) {
        return Err(Failure::usage(format!(
            "the name collides with the existing module {}",
            display(&other)
        ))
        .at(rel_file)
        .hint("pick another name (rustc cannot have both `x.rs` and `x/`)")
        .into());
    }
    Ok(())
}

/// Refuse (exit 2, like other module collisions) feature `dir` (`<features dir>/<name>`) when the features module declares it
/// in a way orch cannot follow: `mod <name>` with `#[path]` or inline (its code is not in `dir`),
/// or another module whose `#[path]` points into `dir` (its module path is not `<name>`).
/// Generating there would write code nothing compiles, or paths that do not resolve (E0433).
pub(crate) fn check_feature_declaration(plan: &Plan, dir: &Path) -> anyhow::Result<()> {
    let (Some(features), Some(name)) = (dir.parent(), dir.file_name().and_then(|n| n.to_str())) else {
        return Ok(());
    };
    let features_mod = features.join("mod.rs");
    let Some(src) = plan.read(&features_mod)? else { return Ok(()) };
    // A file that does not parse is reported by the wiring edit, naming the file.
    let Ok(file) = syn::parse_file(&src) else { return Ok(()) };
    for item in &file.items {
        let syn::Item::Mod(module) = item else { continue };
        let path = module.attrs.iter().find_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        });
        let ident = module.ident.to_string();
        let folder = path.as_deref().and_then(|p| Path::new(p).components().next()).and_then(|c| match c {
            PathPart::Normal(c) => c.to_str(),
            _ => None,
        });
        let why = match (&path, &module.content) {
            (Some(path), _) if ident == name => format!("is declared with `#[path = \"{path}\"]`"),
            (None, Some(_)) if ident == name => format!("is declared inline (`mod {name} {{ … }}`)"),
            (Some(path), _) if folder == Some(name) => {
                format!(
                    "is the folder of module `{ident}` (`#[path = \"{path}\"]`), not of a module `{name}`"
                )
            }
            _ => continue,
        };
        let hint = match folder {
            Some(folder) => format!(
                "make the folder and the module name match: `git mv {} {}` and a plain `pub mod {ident};`",
                display(&features.join(folder)),
                display(&features.join(&ident)),
            ),
            None => {
                format!(
                    "pick another name, or move its code to {} and declare `pub mod {ident};`",
                    display(&dir.join("mod.rs"))
                )
            }
        };
        return Err(Failure::usage(format!(
            "feature `{name}` {why}; orch generates only into a feature whose folder is named as its module"
        ))
        .at(&features_mod)
        .hint(hint)
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// Templates rendered with N entries equal the template rendered empty plus N wiring
    /// edits: generating at once and adding one by one give the same files.
    #[test]
    fn templates_with_entries_equal_empty_templates_plus_wiring() {
        let t = Templates::builtin().unwrap();
        let core = Location::core(&Config::default()).unwrap();
        let types = |n: &str| vec![format!("{n}Job")];
        let (a, b) = (types("A"), types("B"));
        let full = component::render_folder_mod(&t, &core, "jobs", &[("a", &a), ("b", &b)]).unwrap();
        let mut wired = component::render_folder_mod(&t, &core, "jobs", &[]).unwrap();
        for (module, ty) in [("b", "BJob"), ("a", "AJob")] {
            wired = wiring::ensure_mod(&wired, module, Vis::Private).unwrap();
            wired = wiring::ensure_pub_use(&wired, module, ty).unwrap();
        }
        assert_eq!(wired, full);

        let mut ctx = context();
        ctx.insert("features", &["auth", "cart"]);
        let full = render(&t, "features/mod.rs.tera", &ctx).unwrap();
        ctx.insert("features", &Vec::<String>::new());
        let mut wired = render(&t, "features/mod.rs.tera", &ctx).unwrap();
        for feature in ["cart", "auth"] {
            wired = wiring::ensure_feature_wired(&wired, feature).unwrap();
        }
        assert_eq!(wired, full);

        let mut ctx = context();
        ctx.insert("folders", &["events", "executors", "jobs"]);
        let line =
            wiring::register_call_lines("    ", "builder", "jobs::UploadJob", "executors::UploadExecutor");
        ctx.insert("register_lines", &line);
        let full = render(&t, "core/mod.rs.tera", &ctx).unwrap();
        ctx.insert("register_lines", &Vec::<String>::new());
        let empty = render(&t, "core/mod.rs.tera", &ctx).unwrap();
        assert_eq!(wiring::ensure_register_call(&empty, "UploadJob", "UploadExecutor").unwrap(), full);

        let feature = |folders: &[&str], executor: bool| {
            let mut ctx = context();
            ctx.insert("snake", "auth");
            ctx.insert("pascal", "Auth");
            ctx.insert("folders", folders);
            let lines = if executor {
                wiring::register_call_lines("    ", "builder", "jobs::AuthJob", "executors::AuthExecutor")
            } else {
                Vec::new()
            };
            ctx.insert("register_lines", &lines);
            ctx.insert("has_job", &true);
            ctx.insert("has_orchestrator", &true);
            render(&t, "feature/mod.rs.tera", &ctx).unwrap()
        };
        let full = feature(&FOLDERS, true);
        let partial = feature(&["events", "jobs", "orchestrators"], false);
        let wired = wiring::ensure_mod(&partial, "executors", Vis::Pub).unwrap();
        assert_eq!(wiring::ensure_register_call(&wired, "AuthJob", "AuthExecutor").unwrap(), full);
    }

    #[test]
    fn module_paths_come_from_directories_under_src() {
        assert_eq!(module_path(Path::new("src/features/auth"), "x").unwrap(), "crate::features::auth");
        assert_eq!(module_path(Path::new("src/core"), "x").unwrap(), "crate::core");
        for bad in ["lib/features", "src", "src/Features", "src/my-features", "src/../x"] {
            let err = module_path(Path::new(bad), "[paths] features").unwrap_err();
            assert_eq!(crate::error::classify(&err).0.code(), 2, "{bad}");
        }
    }
}
