//! A whole project (`orch new project`), the core module, and adopting an existing cargo
//! project (`orch init`).

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, TableLike};

use super::component::render_folder_mod;
use super::feature::{Parts, plan_feature, plan_features_root};
use super::{
    Location, base, check_module_collision, context, crate_root, edit_rust, ensure_declared, render,
};
use crate::analysis::Role;
use crate::config::{self, Config, RuntimeConfig};
use crate::error::Failure;
use crate::names::Name;
use crate::plan::{Plan, display};
use crate::project::Project;
use crate::templates::{self, Templates};
use crate::wiring;

/// Where the runtime is vendored, relative to the project root.
pub const VENDOR_DIR: &str = "vendor/orch-runtime";

/// The runtime package's name.
pub const RUNTIME_PACKAGE: &str = "orch-runtime";

/// Whether `orch-runtime` is on crates.io: until it is, `--runtime-version` is refused (a
/// project depending on it would not build). Set to true with the first release.
pub const RUNTIME_PUBLISHED: bool = false;

/// Where a project gets `orch-runtime` from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeSource {
    /// Its source, copied into `vendor/orch-runtime` (the default; builds offline).
    Vendor,
    /// A path dependency, as written in `Cargo.toml` (relative to the project root).
    Path(String),
    /// A crates.io version requirement.
    Version(String),
}

impl RuntimeSource {
    /// The `[runtime]` section of `orch.toml` for this source.
    pub fn config(&self) -> RuntimeConfig {
        let mut runtime = RuntimeConfig::default();
        match self {
            RuntimeSource::Vendor => {}
            RuntimeSource::Path(path) => {
                runtime.source = config::RuntimeSource::Path;
                runtime.path = PathBuf::from(path);
            }
            RuntimeSource::Version(version) => {
                runtime.source = config::RuntimeSource::Version;
                runtime.version.clone_from(version);
            }
        }
        runtime
    }

    /// The source described by an `orch.toml` `[runtime]` section.
    pub fn from_config(runtime: &RuntimeConfig) -> RuntimeSource {
        match runtime.source {
            config::RuntimeSource::Vendor => RuntimeSource::Vendor,
            config::RuntimeSource::Path => RuntimeSource::Path(display(&runtime.path)),
            config::RuntimeSource::Version => RuntimeSource::Version(runtime.version.clone()),
        }
    }
}

/// The TOML value declaring the runtime dependency: `{ path = "vendor/orch-runtime" }` or
/// `"0.1.0"`; with `dev`, the dev-dependency that adds the `test-util` feature.
pub fn runtime_dependency(source: &RuntimeSource, dev: bool) -> String {
    let features = if dev { ", features = [\"test-util\"]" } else { "" };
    match source {
        RuntimeSource::Vendor => format!("{{ path = {}{features} }}", toml_str(VENDOR_DIR)),
        RuntimeSource::Path(path) => format!("{{ path = {}{features} }}", toml_str(path)),
        RuntimeSource::Version(v) if dev => format!("{{ version = {}{features} }}", toml_str(v)),
        RuntimeSource::Version(v) => toml_str(v),
    }
}

fn toml_str(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

/// Plan a new project at `project.root` (which must not exist; the plan is rooted at its
/// parent): manifest, `orch.toml`, `.gitignore`, `main.rs` with the demo, core, the features
/// module, the vendored runtime (for [`RuntimeSource::Vendor`]) and `features`.
pub fn plan_project(
    plan: &mut Plan,
    project: &Project,
    templates: &Templates,
    package: &str,
    runtime: &RuntimeSource,
    features: &[Name],
) -> anyhow::Result<()> {
    let base = base(plan, project);
    if base.as_os_str().is_empty() {
        return Err(Failure::usage("the new project's directory must be inside the plan root").into());
    }
    if plan.exists(&base) {
        let mut failure = Failure::failed("destination already exists").at(&base);
        failure = if plan.exists(base.join("Cargo.toml")) {
            failure
                .hint(format!("to adopt it, run `orch init` inside it (`orch -C {} init`)", display(&base)))
        } else {
            failure.hint("pick another name, or remove the directory")
        };
        return Err(failure.into());
    }
    let mut ctx = context();
    ctx.insert("package", package);
    // The crate-root module of core (`shared` by default), declared and called by main.rs.
    let core = Location::core(&project.config)?;
    let core_module = core.module_path.rsplit("::").next().unwrap_or("shared");
    ctx.insert("core_module", core_module);
    ctx.insert("runtime_dep", &runtime_dependency(runtime, false));
    ctx.insert("runtime_dev_dep", &runtime_dependency(runtime, true));
    let mut manifest = render(templates, "project/Cargo.toml.tera", &ctx)?;
    if let Some(workspace) = crate::project::enclosing_workspace(&project.root) {
        // Without this, cargo refuses to build the project inside a workspace that does not
        // list it ("current package believes it's in a workspace when it's not").
        manifest.push_str("\n# Standalone: not a member of the enclosing cargo workspace.\n[workspace]\n");
        plan.note(format!(
            "{} is a cargo workspace that does not list this project: its Cargo.toml gets an empty \
             [workspace] table (to make it a member instead, remove the table and add it to \
             workspace.members)",
            workspace.join("Cargo.toml").display()
        ));
    }
    plan.create(base.join("Cargo.toml"), manifest, false)?;
    plan.create(base.join(".gitignore"), render(templates, "project/gitignore.tera", &ctx)?, false)?;
    plan.create(base.join(config::FILE_NAME), Config::default_file(&runtime.config()), false)?;
    plan.create(base.join("src/main.rs"), render(templates, "project/main.rs.tera", &ctx)?, false)?;
    plan_core(plan, project, templates)?;
    plan_features_root(plan, project, templates, project.features_dir())?;
    if *runtime == RuntimeSource::Vendor {
        for (path, text) in templates::runtime_files()? {
            plan.create(base.join(VENDOR_DIR).join(path), text, false)?;
        }
    }
    let parts = Parts::from_config(&project.config.feature);
    for feature in features {
        plan_feature(plan, project, templates, feature, parts, None, false)?;
    }
    // As the user would type it from where orch runs (the plan may be rooted elsewhere).
    let dir =
        project.root.strip_prefix(&project.cwd).map_or_else(|_| project.root.clone(), Path::to_path_buf);
    plan.next_step(format!("cd {} && cargo run", display(&dir)));
    if features.is_empty() {
        plan.next_step("orch new feature <name>   # inside the project: a feature with tests, wired in");
    } else {
        plan.next_step("cargo test               # the generated executor and orchestrator tests");
    }
    Ok(())
}

/// Make sure core exists: `<core>/mod.rs` with an empty `register`, the `events`, `executors`
/// and `jobs` folders' `mod.rs`, and `pub mod core;` in the crate root.
pub fn plan_core(plan: &mut Plan, project: &Project, templates: &Templates) -> anyhow::Result<()> {
    let base = base(plan, project);
    let location = Location::core(&project.config)?;
    let file = base.join(location.mod_file());
    if plan.exists(&file) {
        return Ok(());
    }
    check_module_collision(plan, &file)?;
    // core has no orchestrators: it is shared plumbing, features orchestrate
    let folders = [Role::Events, Role::Executors, Role::Jobs].map(Role::name);
    let mut ctx = context();
    ctx.insert("folders", &folders);
    ctx.insert("register_lines", &Vec::<String>::new());
    plan.create(&file, render(templates, "core/mod.rs.tera", &ctx)?, false)?;
    for folder in folders {
        let folder_mod = base.join(&location.dir).join(folder).join("mod.rs");
        if !plan.exists(&folder_mod) {
            plan.create(&folder_mod, render_folder_mod(templates, &location, folder, &[])?, false)?;
        }
    }
    ensure_declared(plan, &base, &location.dir)
}

/// Plan adopting the existing cargo project at `project.root`: `orch.toml`, the runtime
/// dependency (and a `tokio` dev-dependency for the generated tests) added to `Cargo.toml`
/// with its formatting and comments kept, the vendored runtime, core and the features module,
/// declared in `src/lib.rs` (else `src/main.rs`). Never overwrites: what exists already is
/// recorded as skipped. `runtime` defaults to `orch.toml`'s `[runtime]`; an `orch-runtime`
/// dependency the manifest already has wins over both (it is reused, never duplicated).
///
/// In a library the modules stay out of its public API unless `public`: `pub(crate)`, allowing
/// dead code and unused re-exports until the user calls their `register` (nothing else uses them).
pub fn plan_init(
    plan: &mut Plan,
    project: &Project,
    templates: &Templates,
    runtime: Option<RuntimeSource>,
    public: bool,
) -> anyhow::Result<()> {
    let base = base(plan, project);
    let manifest_path = base.join("Cargo.toml");
    let manifest = plan.read(&manifest_path)?.ok_or_else(|| {
        Failure::usage(format!("no Cargo.toml in {}", project.root.display()))
            .hint("run `cargo init` first, or start from scratch with `orch new project <name>`")
    })?;
    let asked = runtime.is_some();
    let runtime = runtime.unwrap_or_else(|| RuntimeSource::from_config(&project.config.runtime));
    let edit = edit_manifest(&manifest, &runtime).map_err(|e| wiring::at_path(e, &manifest_path))?;
    let root_file = crate_root(plan, &base);
    if !plan.exists(&root_file) {
        if let Some(outside) = crate::project::sources_outside_src(&project.root) {
            return Err(outside.into());
        }
        return Err(Failure::usage("neither src/lib.rs nor src/main.rs exists")
            .hint("orch init adopts a package with a library or binary target at the standard paths")
            .into());
    }
    let root_name = display(root_file.strip_prefix(&base).unwrap_or(&root_file));
    let root_src = plan.read(&root_file)?.unwrap_or_default();
    refuse_no_std(&root_src, &root_file)?;
    let is_proc_macro = manifest.parse::<toml::Table>().ok().is_some_and(|doc| {
        doc.get("lib").and_then(|l| l.get("proc-macro")).and_then(toml::Value::as_bool) == Some(true)
    });
    if is_proc_macro {
        return Err(Failure::usage("is a proc-macro crate: it can export nothing but its macros")
            .at(&manifest_path)
            .hint("adopt the crate that uses these macros (a binary or a library) instead")
            .into());
    }
    let core = Location::core(&project.config)?;
    let crates = crate::names::manifest_dependencies(&manifest);
    for (dir, key) in [(project.features_dir(), "features"), (core.dir.as_path(), "core")] {
        refuse_taken_module(plan, &base, dir, key, &crates, (&root_src, &root_file))?;
    }

    // The runtime the generated code will use: the manifest's own dependency when it has one.
    let mut notes = edit.notes;
    let used = match &edit.existing {
        None => runtime.clone(),
        Some(existing) => {
            let found = existing.source(&project.root);
            if asked && found.as_ref() != Some(&runtime) {
                notes.push(format!(
                    "Cargo.toml already depends on orch-runtime (`{}`): it is used as is; the runtime \
                     source given on the command line is ignored",
                    existing.key
                ));
            }
            found.unwrap_or_else(|| {
                notes.push(format!(
                    "the orch-runtime dependency `{}` is neither a path nor a version: orch.toml's \
                     [runtime] cannot record it and says `version`",
                    existing.key
                ));
                RuntimeSource::Version(crate::templates::RUNTIME_VERSION.to_string())
            })
        }
    };

    let config_path = base.join(config::FILE_NAME);
    if plan.exists(&config_path) {
        plan.skip(&config_path, "exists; init never overwrites");
    } else {
        plan.create(&config_path, Config::default_file(&used.config()), false)?;
    }

    for note in notes {
        plan.note(note);
    }
    if edit.text != manifest {
        plan.update(&manifest_path, edit.text)?;
    } else {
        plan.skip(&manifest_path, format!("already depends on {}", edit.kept.join(" and ")));
    }

    if edit.existing.is_none() && runtime == RuntimeSource::Vendor {
        let vendor = base.join(VENDOR_DIR);
        if plan.exists(&vendor) {
            plan.skip(&vendor, "exists; `orch doctor --fix` updates a vendored runtime");
        } else {
            for (path, text) in templates::runtime_files()? {
                plan.create(vendor.join(path), text, false)?;
            }
        }
    }
    let core_module = core.module_path.rsplit("::").next().unwrap_or("shared").to_string();
    let library = root_file.ends_with("lib.rs");
    let private = library && !public;
    for (dir, what) in [(project.features_dir(), "features"), (core.dir.as_path(), "core")] {
        // Crate-root declarations first: placed above the crate's own macros, and kept out of
        // a library's public API; `plan_core`/`plan_features_root` then find them declared.
        if dir.parent() == Some(Path::new("src"))
            && let Some(name) = dir.file_name().and_then(|n| n.to_str())
        {
            let decl = if private {
                // `allow`, not `expect`: the generated tests use some of it, so in the test build
                // the expectation would be unfulfilled. The reason fits rustfmt's attribute width.
                let mut decl = vec![
                    "#[allow(dead_code, unused_imports, reason = \"until the crate calls `register`\")]"
                        .to_string(),
                ];
                crate::lint_levels::check_private_modules_allowed(plan, &root_file)?;
                // `unreachable_pub`, when the crate enables it (crate::lint_levels).
                decl.extend(crate::lint_levels::root_module_allows(plan, &root_file)?);
                decl.push(format!("pub(crate) mod {name};"));
                decl
            } else {
                vec![format!("pub mod {name};")]
            };
            edit_rust(plan, &root_file, |src| root_mod_edit(src, name, &decl))?;
        }
        let file = base.join(dir).join("mod.rs");
        if plan.exists(&file) {
            plan.skip(&file, "exists; init never overwrites");
            ensure_declared(plan, &base, dir)?;
        } else if what == "core" {
            plan_core(plan, project, templates)?;
        } else {
            plan_features_root(plan, project, templates, dir)?;
        }
    }
    let mut aliased = false;
    if let Some(existing) = &edit.existing {
        // Generated code says `orch_runtime::`; a renamed dependency gets that name back in the
        // extern prelude (cargo refuses the same package under two names).
        let krate = existing.key.replace('-', "_");
        let before = plan.read(&root_file)?;
        if krate != "orch_runtime" {
            edit_rust(plan, &root_file, |src| wiring::ensure_extern_alias(src, &krate, "orch_runtime"))?;
            aliased = plan.read(&root_file)? != before;
        }
        if aliased {
            plan.note(format!(
                "{root_name}: `extern crate {krate} as orch_runtime;` lets the generated code name the \
                 renamed runtime dependency `{}`",
                existing.key
            ));
        }
    }

    if core_module == "core" && uses_core_paths(&root_src) {
        // The declaration would shadow the `core` crate for those paths: the crate would not build.
        return Err(Failure::usage(
            "uses `core::` paths, and `mod core;` (from `[paths] core`) would shadow the `core` crate there",
        )
        .at(&root_file)
        .hint("set `[paths] core = \"src/shared\"` in orch.toml (or write `::core::` in those paths)")
        .into());
    }
    if private {
        plan.note(format!(
            "{root_name}: `features` and `{core_module}` are `pub(crate)`, not part of the library's API \
             (`orch init --public` exports them), with `#[allow(dead_code, unused_imports)]`: nothing \
             uses them until the library calls their `register`; remove the attribute then"
        ));
    } else if plan.ops().any(|op| op.path == root_file) {
        let added =
            if aliased { "`pub mod` lines and the `extern crate` line are" } else { "`pub mod` lines are" };
        plan.note(format!("{root_name}: only {added} added; the rest of your code is left as it was"));
    }
    plan.next_step(format!(
        "where you build your Dispatcher, call `{core_module}::register(&mut builder)?;` and \
         `features::register(&mut builder)?;` (see the main.rs of `orch new project`)"
    ));
    plan.next_step("orch new feature <name>   # a feature with tests, wired in");
    Ok(())
}

/// Refuse (exit 2) a module directory `dir` (`[paths] <key>`) whose module name is already taken,
/// so that `mod <name>;` would not compile or would not be the module orch fills: a crate the
/// manifest names (the module would shadow it), a `src/<name>.rs` file, or an item of that name
/// in the crate root (`root`: its source and path) other than a plain `mod <name>;` — an inline
/// `mod <name> { … }` or a `#[path]` one would leave the created `mod.rs` unreachable.
fn refuse_taken_module(
    plan: &Plan,
    base: &Path,
    dir: &Path,
    key: &str,
    crates: &[String],
    root: (&str, &Path),
) -> anyhow::Result<()> {
    let Some(name) = dir.file_name().and_then(|n| n.to_str()) else { return Ok(()) };
    let refuse = |why: String, path: &Path| -> anyhow::Error {
        Failure::usage(format!("cannot create module `{name}` ([paths] {key} = \"{}\"): {why}", display(dir)))
            .at(path)
            .hint(format!(
                "choose another directory: in orch.toml, under `[paths]`, set `{key} = \"src/app_{name}\"`, \
                 then run `orch init` again"
            ))
            .into()
    };
    if crates.iter().any(|c| c == name) {
        return Err(refuse(
            format!("`{name}` names a crate in Cargo.toml; the module would shadow it"),
            &base.join("Cargo.toml"),
        ));
    }
    let file = base.join(dir).with_extension("rs");
    if plan.exists(&file) {
        return Err(refuse(format!("{} exists", display(&file)), &file));
    }
    // Only a crate-root module can clash with the root's items.
    if dir.parent() != Some(Path::new("src")) {
        return Ok(());
    }
    let Ok(parsed) = syn::parse_file(root.0) else { return Ok(()) };
    if let Some(what) = parsed.items.iter().find_map(|item| root_item_named(item, name)) {
        return Err(refuse(format!("the crate root already has {what} `{name}`"), root.1));
    }
    Ok(())
}

/// What `item` is if it defines `name` in the crate root (a `mod name;` without `#[path]`, the
/// declaration init reuses, does not count; macros live in their own namespace).
fn root_item_named(item: &syn::Item, name: &str) -> Option<&'static str> {
    use syn::Item;
    let (ident, what) = match item {
        Item::Mod(m) if m.content.is_none() && !m.attrs.iter().any(|a| a.path().is_ident("path")) => {
            return None;
        }
        Item::Mod(m) => (&m.ident, "a module"),
        Item::Struct(i) => (&i.ident, "a struct"),
        Item::Enum(i) => (&i.ident, "an enum"),
        Item::Union(i) => (&i.ident, "a union"),
        Item::Trait(i) => (&i.ident, "a trait"),
        Item::Type(i) => (&i.ident, "a type alias"),
        Item::Fn(i) => (&i.sig.ident, "a function"),
        Item::Const(i) => (&i.ident, "a constant"),
        Item::Static(i) => (&i.ident, "a static"),
        Item::ExternCrate(i) => (i.rename.as_ref().map_or(&i.ident, |(_, r)| r), "an extern crate"),
        Item::Use(u) => return use_names(&u.tree, name).then_some("an import"),
        _ => return None,
    };
    (ident == name).then_some(what)
}

/// Whether the use tree brings `name` into scope.
fn use_names(tree: &syn::UseTree, name: &str) -> bool {
    match tree {
        syn::UseTree::Path(p) => use_names(&p.tree, name),
        syn::UseTree::Name(n) => n.ident == name,
        syn::UseTree::Rename(r) => r.rename == name,
        syn::UseTree::Group(g) => g.items.iter().any(|t| use_names(t, name)),
        syn::UseTree::Glob(_) => false,
    }
}

/// Refuse a `#![no_std]` crate root: the runtime and the generated code need `std`.
fn refuse_no_std(src: &str, path: &Path) -> anyhow::Result<()> {
    let Ok(file) = syn::parse_file(src) else { return Ok(()) };
    if file.attrs.iter().any(|a| matches!(a.style, syn::AttrStyle::Inner(_)) && a.path().is_ident("no_std")) {
        return Err(Failure::usage(
            "is a `#![no_std]` crate: orch-runtime and the code orch generates need std",
        )
        .at(path)
        .hint("adopt a std crate (e.g. a binary that uses this one)")
        .into());
    }
    Ok(())
}

/// What [`edit_manifest`] did.
#[derive(Debug)]
struct ManifestEdit {
    /// The new manifest text.
    text: String,
    /// Notes for the user.
    notes: Vec<String>,
    /// Dependencies that were there already.
    kept: Vec<String>,
    /// The `orch-runtime` dependency the manifest already had.
    existing: Option<ExistingRuntime>,
}

/// An `orch-runtime` dependency a manifest declares already.
#[derive(Debug, Clone)]
struct ExistingRuntime {
    /// Its key: the name the code uses it by (`orch-runtime`, or a rename).
    key: String,
    /// Its declaration as an inline table (`{ path = "..", package = "orch-runtime" }`).
    value: toml_edit::InlineTable,
}

impl ExistingRuntime {
    /// Where it comes from, for orch.toml's `[runtime]`: a path (relative to the package at
    /// `root`) or a version; `workspace = true` is looked up in the enclosing workspace.
    fn source(&self, root: &Path) -> Option<RuntimeSource> {
        let declared = |value: &toml_edit::InlineTable, from: &Path| -> Option<RuntimeSource> {
            if let Some(path) = value.get("path").and_then(|v| v.as_str()) {
                let path = relative_path(&from.join(path), root);
                return Some(RuntimeSource::Path(display(&path)));
            }
            value.get("version").and_then(|v| v.as_str()).map(|v| RuntimeSource::Version(v.to_string()))
        };
        if self.value.get("workspace").and_then(|v| v.as_bool()) != Some(true) {
            return declared(&self.value, root);
        }
        let ws_root = root.ancestors().skip(1).find(|dir| {
            std::fs::read_to_string(dir.join("Cargo.toml"))
                .is_ok_and(|t| t.parse::<DocumentMut>().is_ok_and(|d| d.contains_key("workspace")))
        })?;
        let text = std::fs::read_to_string(ws_root.join("Cargo.toml")).ok()?;
        let doc: DocumentMut = text.parse().ok()?;
        let deps = doc.get("workspace")?.get("dependencies")?;
        let value = inline(deps.get(&self.key)?)?;
        declared(&value, ws_root)
    }
}

/// A dependency declaration as an inline table (`"1"` → `{ version = "1" }`).
fn inline(item: &Item) -> Option<toml_edit::InlineTable> {
    match item {
        Item::Value(toml_edit::Value::String(v)) => {
            let mut t = toml_edit::InlineTable::new();
            t.insert("version", v.value().as_str().into());
            Some(t)
        }
        Item::Value(toml_edit::Value::InlineTable(t)) => Some(t.clone()),
        Item::Table(t) => Some(t.clone().into_inline_table()),
        _ => None,
    }
}

/// The dependency tables of `kind` (`dependencies`, `dev-dependencies`): the top-level one and
/// each `[target.'cfg(..)'.<kind>]`, as key paths.
fn dependency_tables(doc: &DocumentMut, kind: &str) -> Vec<Vec<String>> {
    let mut tables = vec![vec![kind.to_string()]];
    if let Some(targets) = doc.get("target").and_then(Item::as_table_like) {
        for (cfg, _) in targets.iter() {
            tables.push(vec!["target".to_string(), cfg.to_string(), kind.to_string()]);
        }
    }
    tables
}

fn table_at<'a>(doc: &'a DocumentMut, path: &[String]) -> Option<&'a dyn TableLike> {
    let mut item = doc.as_item();
    for key in path {
        item = item.get(key)?;
    }
    item.as_table_like()
}

/// Whether the manifest `text` depends on `orch-runtime` (by key or renamed, in any
/// dependency table): what the generated code imports. A project with an `orch.toml` but no
/// such dependency was never adopted (or its adoption was refused).
pub fn depends_on_runtime(text: &str) -> bool {
    text.parse::<DocumentMut>().is_ok_and(|doc| find_runtime(&doc, "dependencies").is_some())
}

/// The `orch-runtime` dependency of kind `kind` (by key, or renamed with `package`), in the
/// top-level table or a target-specific one: the table's path and the dependency.
fn find_runtime(doc: &DocumentMut, kind: &str) -> Option<(Vec<String>, ExistingRuntime)> {
    dependency_tables(doc, kind).into_iter().find_map(|path| {
        let table = table_at(doc, &path)?;
        table.iter().find_map(|(key, dep)| {
            let package = dep.get("package").and_then(Item::as_str).unwrap_or(key);
            (package == RUNTIME_PACKAGE).then(|| {
                let value = inline(dep).unwrap_or_default();
                (path.clone(), ExistingRuntime { key: key.to_string(), value })
            })
        })
    })
}

/// Add the runtime dependency, its `test-util` dev-dependency and a `tokio` dev-dependency to
/// the manifest `text`, unless present. An `orch-runtime` dependency already there (by path,
/// version, git, renamed, target-specific, inherited from the workspace) is reused: its
/// dev-dependency repeats its source and key, plus the `test-util` feature.
fn edit_manifest(text: &str, runtime: &RuntimeSource) -> anyhow::Result<ManifestEdit> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let at = e.span().map(|s| config::line_col(text, s.start));
        let at = at.map(|(l, c)| format!(" at line {l}, column {c}")).unwrap_or_default();
        Failure::usage(format!("does not parse as TOML{at}: {}", e.message().trim().replace('\n', "; ")))
            .hint("fix the manifest (`cargo metadata` shows the error too), then run the command again")
    })?;
    if doc.get("package").is_none() {
        return Err(Failure::usage("is a workspace manifest without a [package]")
            .hint("run `orch init` in a member package (`orch -C crates/app init`)")
            .into());
    }
    let mut notes = Vec::new();
    let mut kept = Vec::new();
    let existing = find_runtime(&doc, "dependencies");
    match &existing {
        Some((_, dep)) => {
            kept.push(RUNTIME_PACKAGE.to_string());
            if dep.value.get("optional").and_then(|v| v.as_bool()) == Some(true) {
                notes.push(format!(
                    "orch-runtime (`{}`) is an optional dependency: the generated code needs it; make it \
                     non-optional, or build with the feature that enables it",
                    dep.key
                ));
            }
        }
        None => {
            let value = runtime_dependency(runtime, false);
            add_dependency(&mut doc, &["dependencies".to_string()], RUNTIME_PACKAGE, &value)?;
        }
    }
    let has_test_util = |dep: &ExistingRuntime| {
        dep.value
            .get("features")
            .and_then(|f| f.as_array())
            .is_some_and(|a| a.iter().any(|f| f.as_str() == Some("test-util")))
    };
    if let Some((_, dev)) = find_runtime(&doc, "dev-dependencies") {
        if !has_test_util(&dev) && !existing.as_ref().is_some_and(|(_, dep)| has_test_util(dep)) {
            notes.push(format!(
                "the orch-runtime dev-dependency `{}` lacks the `test-util` feature the generated tests use: \
                 add `features = [\"test-util\"]` to it",
                dev.key
            ));
        }
    } else {
        match &existing {
            None => {
                let value = runtime_dependency(runtime, true);
                add_dependency(&mut doc, &["dev-dependencies".to_string()], RUNTIME_PACKAGE, &value)?;
            }
            Some((path, dep)) => {
                let mut value = dep.value.clone();
                for key in ["optional", "features", "default-features", "default_features"] {
                    value.remove(key);
                }
                let mut features = toml_edit::Array::new();
                features.push("test-util");
                value.insert("features", features.into());
                value.decor_mut().clear();
                value.fmt();
                let mut dev_path = path.clone();
                if let Some(last) = dev_path.last_mut() {
                    *last = "dev-dependencies".to_string();
                }
                add_dependency(&mut doc, &dev_path, &dep.key, &value.to_string())?;
            }
        }
    }
    // The generated tests write `#[tokio::test]`: they need a `tokio` they can name, with the
    // `macros` and `rt` features, in every test build. A dev-dependency provides that; so does
    // a plain (not optional, not renamed) dependency with those features. Otherwise one is
    // added (cargo unifies it with an optional or renamed `tokio` the package already has).
    let features_of = |dep: &Item| -> Vec<String> {
        dep.get("features")
            .and_then(Item::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let test_ready = |features: &[String]| {
        let has = |f: &str| features.iter().any(|x| x == f || x == "full");
        has("macros") && (has("rt") || has("rt-multi-thread"))
    };
    let plain = |table: &str| doc.get(table).and_then(Item::as_table_like).and_then(|t| t.get("tokio"));
    let optional = |dep: &Item| dep.get("optional").and_then(Item::as_bool) == Some(true);
    match (plain("dev-dependencies"), plain("dependencies")) {
        (Some(dev), _) => {
            kept.push("tokio".to_string());
            if !test_ready(&features_of(dev)) {
                notes.push(
                    "tokio is already a dev-dependency: the generated tests need its `macros` and `rt` features"
                        .to_string(),
                );
            }
        }
        (None, Some(dep)) if !optional(dep) && test_ready(&features_of(dep)) => {
            kept.push("tokio".to_string())
        }
        (None, _) => add_dependency(
            &mut doc,
            &["dev-dependencies".to_string()],
            "tokio",
            r#"{ version = "1", features = ["macros", "rt"] }"#,
        )?,
    }
    let existing = existing.map(|(_, dep)| dep);
    Ok(ManifestEdit { text: doc.to_string(), notes, kept, existing })
}

/// Add `name = value` to the dependency table at `path` (created when missing), keeping the
/// table sorted when it was.
fn add_dependency(doc: &mut DocumentMut, path: &[String], name: &str, value: &str) -> anyhow::Result<()> {
    let not_a_table = |key: &str| -> anyhow::Error {
        Failure::usage(format!("`{key}` is not a table"))
            .hint("fix the manifest, then run orch init again")
            .into()
    };
    let (last, parents) = path.split_last().ok_or_else(|| anyhow::anyhow!("empty dependency table path"))?;
    let mut parent: &mut dyn TableLike = doc.as_table_mut();
    for key in parents {
        parent = parent
            .entry(key)
            .or_insert_with(|| {
                let mut t = toml_edit::Table::new();
                t.set_implicit(true);
                Item::Table(t)
            })
            .as_table_like_mut()
            .ok_or_else(|| not_a_table(key))?;
    }
    let created = !parent.contains_key(last);
    let item = parent.entry(last).or_insert_with(|| {
        let mut t = toml_edit::Table::new();
        t.decor_mut().set_prefix("\n");
        Item::Table(t)
    });
    let table_like: &mut dyn TableLike = item.as_table_like_mut().ok_or_else(|| not_a_table(last))?;
    let keys: Vec<String> = table_like.iter().map(|(k, _)| k.to_string()).collect();
    let sorted = !created && keys.len() > 1 && keys.windows(2).all(|w| w[0] <= w[1]);
    let mut value: toml_edit::Value =
        value.parse().map_err(|e| anyhow::anyhow!("internal TOML value {value}: {e}"))?;
    value.decor_mut().clear();
    table_like.insert(name, Item::Value(value));
    if sorted {
        table_like.sort_values();
    }
    Ok(())
}

/// Whether the file uses paths starting with `core::` (which a `mod core;` in it would shadow).
fn uses_core_paths(src: &str) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_path(&mut self, path: &'ast syn::Path) {
            if path.leading_colon.is_none() && path.segments.len() > 1 && path.segments[0].ident == "core" {
                self.0 = true;
            }
            syn::visit::visit_path(self, path);
        }
        fn visit_use_path(&mut self, path: &'ast syn::UsePath) {
            if path.ident == "core" {
                self.0 = true;
            }
            syn::visit::visit_use_path(self, path);
        }
    }
    let Ok(file) = syn::parse_file(src) else { return false };
    let mut finder = Finder(false);
    syn::visit::Visit::visit_file(&mut finder, &file);
    finder.0
}

/// `target` relative to the directory `from` (both absolute), with `..` where needed.
pub fn relative_path(target: &Path, from: &Path) -> PathBuf {
    let t: Vec<_> = target.components().collect();
    let f: Vec<_> = from.components().collect();
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for part in &t[common..] {
        out.push(part);
    }
    if out.as_os_str().is_empty() { PathBuf::from(".") } else { out }
}

/// [`wiring::ensure_root_mod`], or, for a crate root rustc accepts but syn does not (an
/// edition-2018 bare trait object `type A = Fn(u8) + Send;`, which syn 2 refuses), the
/// declaration lines inserted right after the file's inner attributes and `//!` docs: above
/// every item, so above the crate's own macros too. The file must still tokenize (a real
/// syntax error is refused as before); the module tree then sees the lines exactly as rustc
/// will, since nothing else in the file moves.
fn root_mod_edit(src: &str, name: &str, decl: &[String]) -> anyhow::Result<String> {
    let parsed_err = match wiring::ensure_root_mod(src, name, decl) {
        Ok(out) => return Ok(out),
        Err(e) => e,
    };
    if syn::parse_file(src).is_ok() || !wiring::tokenizes(src) {
        return Err(parsed_err);
    }
    if wiring::declares_mod_tokens(src, name) {
        return Ok(src.to_string());
    }
    let mut at = wiring::after_inner_attributes(src);
    // below the declarations placed by the previous call (`features` before `shared`)
    let ours = |l: &str| {
        let t = l.trim();
        t.starts_with("pub mod ") || t.starts_with("pub(crate) mod ") || t.starts_with("#[allow(dead_code")
    };
    let mut pos = at;
    for line in src[at..].split_inclusive('\n') {
        if ours(line) {
            pos += line.len();
            at = pos;
        } else if line.trim().is_empty() && at > 0 && pos == at {
            pos += line.len();
        } else {
            break;
        }
    }
    let (head, tail) = src.split_at(at);
    let after_ours = head.lines().last().is_some_and(|l| l.trim().starts_with("pub mod "));
    let mut out = String::with_capacity(src.len() + 64);
    out.push_str(head);
    if !head.is_empty() && !head.ends_with("\n\n") && !after_ours {
        out.push('\n');
    }
    for line in decl {
        out.push_str(line);
        out.push('\n');
    }
    if !tail.starts_with('\n') {
        out.push('\n');
    }
    out.push_str(tail);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "# My app.\n[package]\nname = \"app\" # the name\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n# serialisation\nserde = \"1\"   # keep\n\n[features]\nx = []\n";

    #[test]
    fn manifest_edits_keep_everything_else_byte_for_byte() {
        let ManifestEdit { text: out, notes, .. } = edit_manifest(MANIFEST, &RuntimeSource::Vendor).unwrap();
        assert!(notes.is_empty());
        assert!(out.starts_with("# My app.\n[package]\nname = \"app\" # the name\n"), "{out}");
        assert!(
            out.contains(
                "# serialisation\nserde = \"1\"   # keep\norch-runtime = { path = \"vendor/orch-runtime\" }\n"
            ),
            "{out}"
        );
        assert!(out.contains("[features]\nx = []\n"), "{out}");
        assert!(out.contains("\n[dev-dependencies]\norch-runtime = { path = \"vendor/orch-runtime\", features = [\"test-util\"] }\ntokio = { version = \"1\", features = [\"macros\", \"rt\"] }\n"), "{out}");
        let ManifestEdit { text: again, kept, .. } = edit_manifest(&out, &RuntimeSource::Vendor).unwrap();
        assert_eq!(again, out);
        assert_eq!(kept, ["orch-runtime", "tokio"]);
    }

    #[test]
    fn sorted_dependency_tables_stay_sorted() {
        let text = "[package]\nname = \"a\"\n\n[dependencies]\nanyhow = \"1\"\nserde = \"1\"\n";
        let out = edit_manifest(text, &RuntimeSource::Version("0.1".into())).unwrap().text;
        assert!(
            out.contains("[dependencies]\nanyhow = \"1\"\norch-runtime = \"0.1\"\nserde = \"1\"\n"),
            "{out}"
        );
    }

    #[test]
    fn tokio_the_tests_cannot_use_gets_a_dev_dependency() {
        // Without the test features, optional, or renamed: the generated `#[tokio::test]`s
        // would not build, so a dev-dependency `tokio` with them is added.
        for deps in [
            "tokio = \"1\"\n",
            "tokio = { version = \"1\", features = [\"full\"], optional = true }\n",
            "tok = { package = \"tokio\", version = \"1\", features = [\"full\"] }\n",
        ] {
            let text = format!("[package]\nname = \"a\"\n\n[dependencies]\n{deps}");
            let edit = edit_manifest(&text, &RuntimeSource::Vendor).unwrap();
            assert!(edit.notes.is_empty(), "{:?}", edit.notes);
            assert!(
                edit.text.contains("tokio = { version = \"1\", features = [\"macros\", \"rt\"] }"),
                "{}",
                edit.text
            );
        }
        // A plain dependency with the features is enough.
        let text =
            "[package]\nname = \"a\"\n\n[dependencies]\ntokio = { version = \"1\", features = [\"full\"] }\n";
        let edit = edit_manifest(text, &RuntimeSource::Vendor).unwrap();
        assert!(edit.kept.contains(&"tokio".to_string()));
        assert!(!edit.text.contains("features = [\"macros\", \"rt\"]"), "{}", edit.text);
    }

    #[test]
    fn workspace_manifests_and_bad_toml_are_usage_errors() {
        for text in ["[workspace]\nmembers = []\n", "[package\n"] {
            let err = edit_manifest(text, &RuntimeSource::Vendor).unwrap_err();
            assert_eq!(crate::error::classify(&err).0.code(), 2, "{text}");
        }
    }

    /// Every way of declaring orch-runtime already is reused: no second dependency, and a
    /// dev-dependency with the same key and source (cargo refuses the same package under two
    /// names, or from two sources).
    #[test]
    fn existing_runtime_dependencies_are_reused() {
        let head = "[package]\nname = \"a\"\nedition = \"2021\"\n\n";
        for (deps, dev) in [
            (
                "[dependencies]\norch-runtime = { path = \"../rt\" }\n",
                "[dev-dependencies]\norch-runtime = { path = \"../rt\", features = [\"test-util\"] }\n",
            ),
            (
                "[dependencies]\norch-runtime = \"0.1\"\n",
                "[dev-dependencies]\norch-runtime = { version = \"0.1\", features = [\"test-util\"] }\n",
            ),
            (
                "[dependencies]\nrt = { package = \"orch-runtime\", path = \"rt\", optional = true }\n",
                "[dev-dependencies]\nrt = { package = \"orch-runtime\", path = \"rt\", features = [\"test-util\"] }\n",
            ),
            (
                "[dependencies]\norch-runtime = { workspace = true }\n",
                "[dev-dependencies]\norch-runtime = { workspace = true, features = [\"test-util\"] }\n",
            ),
            (
                "[dependencies.orch-runtime]\npath = \"rt\"\n",
                "[dev-dependencies]\norch-runtime = { path = \"rt\", features = [\"test-util\"] }\n",
            ),
            (
                "[target.'cfg(unix)'.dependencies]\norch-runtime = { path = \"rt\" }\n",
                "[target.'cfg(unix)'.dev-dependencies]\norch-runtime = { path = \"rt\", features = [\"test-util\"] }\n",
            ),
        ] {
            let text = format!("{head}{deps}");
            let edit = edit_manifest(&text, &RuntimeSource::Vendor).unwrap();
            assert!(edit.existing.is_some(), "{deps}");
            assert!(edit.text.starts_with(&text), "{deps}: {}", edit.text);
            assert!(edit.text.contains(dev), "{deps}: {}", edit.text);
            assert!(!edit.text.contains("vendor/orch-runtime"), "{deps}: {}", edit.text);
            assert_eq!(edit.text.matches("test-util").count(), 1, "{}", edit.text);
        }
        let edit = edit_manifest(&format!("{head}[dependencies]\norch-runtime = \"0.1\"\n[dev-dependencies]\norch-runtime = {{ version = \"0.1\", features = [\"test-util\"] }}\ntokio = {{ version = \"1\", features = [\"full\"] }}\n"), &RuntimeSource::Vendor).unwrap();
        assert_eq!(edit.kept, ["orch-runtime", "tokio"]);
        assert!(edit.notes.is_empty(), "{:?}", edit.notes);
        let text = format!(
            "{head}[dependencies]\norch-runtime = \"0.1\"\n[dev-dependencies]\norch-runtime = \"0.1\"\n"
        );
        let edit = edit_manifest(&text, &RuntimeSource::Vendor).unwrap();
        assert!(edit.notes.iter().any(|n| n.contains("test-util")), "{:?}", edit.notes);
    }

    #[test]
    fn existing_runtime_sources_are_recorded_relative_to_the_package() {
        let dep = |value: &str| ExistingRuntime {
            key: "orch-runtime".into(),
            value: value.parse::<toml_edit::Value>().unwrap().as_inline_table().unwrap().clone(),
        };
        let root = Path::new("/w/app");
        assert_eq!(dep("{ path = \"../rt\" }").source(root), Some(RuntimeSource::Path("../rt".into())));
        assert_eq!(dep("{ version = \"0.1\" }").source(root), Some(RuntimeSource::Version("0.1".into())));
        assert_eq!(dep("{ git = \"https://x\" }").source(root), None);
    }

    #[test]
    fn relative_paths() {
        assert_eq!(relative_path(Path::new("/a/b/rt"), Path::new("/a/c/app")), Path::new("../../b/rt"));
        assert_eq!(relative_path(Path::new("/a/app/vendor"), Path::new("/a/app")), Path::new("vendor"));
    }

    #[test]
    fn core_paths_are_detected() {
        assert!(uses_core_paths("fn f() -> core::fmt::Result { Ok(()) }"));
        assert!(uses_core_paths("use core::fmt;"));
        assert!(!uses_core_paths("fn f() -> ::core::fmt::Result { Ok(()) }\nmod core;"));
    }
}
