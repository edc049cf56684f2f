//! `orch lint --fix` (and `orch doctor --fix`): the fixes a generator can make, planned with the
//! generators' own functions so the result is exactly what `orch add` / `orch new` would write:
//!
//! - a job without an executor: [`crate::generate::plan_component`] (the executor file, its
//!   `mod` / `pub use` lines and its registration), as `orch add executor` does, with the file
//!   made to compile against the job as it is (`executor`);
//! - an executor never registered: [`crate::wiring::ensure_register_call`] in the feature's (or
//!   core's) `register`, after making sure `jobs::XJob` and `executors::XExecutor` resolve
//!   ([`crate::wiring::ensure_pub_use`]);
//! - a feature not wired: [`crate::wiring::ensure_feature_wired`] in the features module;
//! - an orphan file: [`crate::wiring::ensure_mod`] in its parent module (private `mod` plus
//!   `pub use` of its public types in component folders, `pub mod` elsewhere).
//!
//! Every fix only adds to one [`Plan`]; nothing is written here. A fix that cannot be planned
//! (the generator refuses, a file does not parse, a file name is no Rust identifier) is rolled
//! back and recorded as skipped with the reason, and the other fixes still go ahead.
//!
//! `orch lint --fix` goes through [`plan_verified`]: the planned tree is checked before anything
//! is written (every created or edited `.rs` file parses, and linting the tree the plan would
//! leave no longer reports the fixed findings and reports nothing new); a fix that fails is
//! declined with the reason, and the plan is made again without it. Fixes are safe (a line
//! wiring in code that exists) or unsafe (new code: an executor, see [`executor`]), see
//! [`Fix::is_safe`].

mod executor;

use std::path::{Path, PathBuf};

use super::Fix;
use crate::analysis::Role;
use crate::cli::ComponentKind;
use crate::generate::{self, Location};
use crate::names::Name;
use crate::plan::{Plan, display};
use crate::project::Project;
use crate::templates::Templates;
use crate::wiring::{self, Vis};

pub use verify::{Candidate, Declined, FindingKey, Verified, plan_verified};

mod verify;

/// The hint for an orphan file whose name `name` no `mod` line should declare (`why`: not an
/// identifier, so only `#[path]` reaches it, or not snake_case, which rustc warns about):
/// rename it (its folder, for a `mod.rs`) to a snake_case identifier, then declare it.
/// `taken` says whether a path exists (relative to the project): a rename onto an existing
/// file (`fetch-user.rs` next to `fetch_user.rs`) would overwrite it, so it is not proposed.
pub fn rename_hint(
    path: &Path,
    name: &str,
    why: &str,
    parent: Option<&Path>,
    taken: &dyn Fn(&Path) -> bool,
) -> String {
    let folder = path.file_name().is_some_and(|n| n == "mod.rs");
    let what = if folder { "its folder" } else { "the file" };
    let dir = if folder { path.parent().and_then(Path::parent) } else { path.parent() };
    let dir = dir.unwrap_or(Path::new(""));
    let snake = crate::names::snake_file_name(name);
    let existing = snake
        .as_ref()
        .and_then(|new| [dir.join(format!("{new}.rs")), dir.join(new)].into_iter().find(|p| taken(p)));
    let rename = match (snake, existing) {
        (Some(new), Some(existing)) => {
            format!(
                "`{new}` is taken ({} exists: renaming onto it would overwrite it), so merge {what} into that module or rename it to another snake_case name, then declare it with a `mod` line",
                display(&existing)
            )
        }
        (Some(new), None) if folder => {
            format!("rename {what} to `{new}/`, then declare it with `mod {new};`")
        }
        (Some(new), None) => format!("rename {what} to `{new}.rs`, then declare it with `mod {new};`"),
        (None, _) => format!("rename {what} to a snake_case identifier, then declare it with a `mod` line"),
    };
    let place = parent.map(|p| format!(" in {}", display(p))).unwrap_or_default();
    format!("{why}, so `orch lint --fix` does not declare it: {rename}{place}, or delete it")
}

/// Add `fixes` to `plan`. Orphan `mod` lines first, then feature wiring, generated executors,
/// and registrations. `generate` allows creating files (executors); doctor passes `false`.
pub fn apply_fixes(
    plan: &mut Plan,
    project: &Project,
    templates: &Templates,
    fixes: &[Fix],
    generate: bool,
) -> anyhow::Result<()> {
    let mut fixes = fixes.to_vec();
    fixes.sort_by_key(order);
    fixes.dedup();
    for fix in &fixes {
        if let Err((path, reason)) = apply_one(plan, project, templates, fix, generate) {
            plan.skip(path, format!("not fixed: {reason}"));
        }
    }
    Ok(())
}

/// The order fixes are planned in: `mod` lines first (they make files part of the crate), then
/// feature wiring, generated executors, and registrations.
fn order(fix: &Fix) -> u8 {
    match fix {
        Fix::ModLine { .. } => 0,
        Fix::WireFeature { .. } => 1,
        Fix::AddExecutor { .. } => 2,
        Fix::Register { .. } => 3,
    }
}

/// Add one fix to `plan`; `Err((path, reason))`, and the plan as it was, when it cannot be
/// made. The files it may touch are saved first and put back on failure, so a fix is applied
/// whole or not at all (without copying the whole plan for each fix).
fn apply_one(
    plan: &mut Plan,
    project: &Project,
    templates: &Templates,
    fix: &Fix,
    generate: bool,
) -> Result<(), (PathBuf, String)> {
    let saved: Vec<(PathBuf, Option<String>)> =
        targets(project, fix).into_iter().filter_map(|t| plan.read(&t).ok().map(|c| (t, c))).collect();
    try_fix(plan, project, templates, fix, generate).map_err(|e| {
        for (path, content) in saved {
            // putting back what was read a moment ago: cannot fail on a path it read
            let _ = match content {
                Some(c) => plan.update(&path, c),
                None => plan.delete(&path),
            };
        }
        describe(fix, project, &e)
    })
}

/// The files `fix` may create or edit (root-relative).
pub(crate) fn targets(project: &Project, fix: &Fix) -> Vec<PathBuf> {
    match fix {
        Fix::ModLine { parent, .. } => vec![parent.clone()],
        Fix::WireFeature { .. } => {
            let features = project.features_dir();
            vec![features.join("mod.rs"), features.with_extension("rs")]
        }
        Fix::AddExecutor { feature, job } => {
            let dir = location_dir(project, feature.as_deref());
            let stem = job.strip_suffix("Job").filter(|s| !s.is_empty()).unwrap_or(job);
            let mut files = folder_targets(&dir);
            if let Ok(name) = Name::parse(stem, "executor") {
                files.push(dir.join("executors").join(format!("{}.rs", name.snake)));
            }
            files
        }
        Fix::Register { feature, .. } => folder_targets(&location_dir(project, feature.as_deref())),
    }
}

/// The module files of a feature (or core) `dir` that wiring edits.
fn folder_targets(dir: &Path) -> Vec<PathBuf> {
    vec![dir.join("mod.rs"), dir.join("jobs").join("mod.rs"), dir.join("executors").join("mod.rs")]
}

fn try_fix(
    plan: &mut Plan,
    project: &Project,
    templates: &Templates,
    fix: &Fix,
    generate: bool,
) -> anyhow::Result<()> {
    match fix {
        Fix::ModLine { parent, file, exports } => mod_line(plan, parent, file, exports),
        Fix::WireFeature { feature } => wire_feature(plan, project, feature),
        Fix::AddExecutor { feature, job } if generate => {
            add_executor(plan, project, templates, feature.as_deref(), job)
        }
        Fix::AddExecutor { .. } => Ok(()),
        Fix::Register { feature, job, executor, executor_file, job_file } => {
            register(plan, project, feature.as_deref(), job, executor, executor_file, job_file.as_deref())
        }
    }
}

fn describe(fix: &Fix, project: &Project, err: &anyhow::Error) -> (PathBuf, String) {
    let path = match fix {
        Fix::ModLine { file, .. } => file.clone(),
        Fix::WireFeature { .. } => project.features_dir().join("mod.rs"),
        Fix::AddExecutor { feature, job } => {
            let stem = job.strip_suffix("Job").filter(|s| !s.is_empty()).unwrap_or(job);
            let dir = location_dir(project, feature.as_deref()).join("jobs");
            Name::parse(stem, "job").map_or(dir.clone(), |n| dir.join(format!("{}.rs", n.snake)))
        }
        Fix::Register { executor_file, .. } => executor_file.clone(),
    };
    (path, format!("{err}"))
}

fn location_dir(project: &Project, feature: Option<&str>) -> PathBuf {
    match feature {
        Some(f) => project.features_dir().join(f),
        None => project.core_dir().to_path_buf(),
    }
}

fn location(project: &Project, feature: Option<&str>) -> anyhow::Result<Location> {
    match feature {
        Some(f) => {
            let name = Name::parse(f, "feature")?;
            // `fetch-user/` would be taken for `fetch_user/`: another folder
            if name.snake != f {
                anyhow::bail!(
                    "the feature folder `{f}` is not a module name: rename it to `{}` first",
                    name.snake
                );
            }
            Location::feature(&project.config, &name)
        }
        None => Location::core(&project.config),
    }
}

/// The module name an orphan file would be declared as.
fn module_name(file: &Path) -> Option<&str> {
    if file.file_name().is_some_and(|n| n == "mod.rs") {
        file.parent()?.file_name()?.to_str()
    } else {
        file.file_stem()?.to_str()
    }
}

fn mod_line(plan: &mut Plan, parent: &Path, file: &Path, exports: &[String]) -> anyhow::Result<()> {
    let name = module_name(file).ok_or_else(|| anyhow::anyhow!("no module name"))?;
    let name = &crate::names::module_ident(name).map_err(|why| anyhow::anyhow!("{why}: rename it first"))?;
    // A second declaration of the name does not build (E0428), whatever form the first takes.
    let parent_src = plan.read(parent)?.unwrap_or_default();
    if let Some(how) = declared_already(&parent_src, name.trim_start_matches("r#")) {
        anyhow::bail!(
            "{} already declares `{name}` ({how}): a `mod {name};` line would not build (E0428)",
            display(parent)
        );
    }
    // A re-export under a name the parent already has does not build either (E0252).
    if let Some(ty) = exports.iter().find(|ty| top_level_names(&parent_src).contains(ty.as_str())) {
        anyhow::bail!(
            "{} already has a `{ty}`: re-exporting the one in {} would not build (E0252); rename one of them",
            display(parent),
            display(file)
        );
    }
    let in_component_folder = parent.file_name().is_some_and(|n| n == "mod.rs")
        && parent
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .is_some_and(|n| crate::analysis::Folder::from_name(n).is_some());
    if in_component_folder && !exports.is_empty() {
        generate::edit_rust(plan, parent, |src| wiring::ensure_mod(src, name, Vis::Private))?;
        for ty in exports {
            generate::edit_rust(plan, parent, |src| wiring::ensure_pub_use(src, name, ty))?;
        }
    } else {
        generate::edit_rust(plan, parent, |src| wiring::ensure_mod(src, name, Vis::Pub))?;
    }
    Ok(())
}

fn wire_feature(plan: &mut Plan, project: &Project, feature: &str) -> anyhow::Result<()> {
    let features = project.features_dir();
    let module = features.join("mod.rs");
    let module = if plan.exists(&module) { module } else { features.with_extension("rs") };
    let feature_mod = features.join(feature).join("mod.rs");
    let feature_src = plan.read(&feature_mod)?.unwrap_or_default();
    let features_src = plan.read(&module)?.unwrap_or_default();
    if has_fn(&features_src, "demo") && !has_fn(&feature_src, "demo") {
        anyhow::bail!(
            "{} calls each feature's `demo`, and feature `{feature}` has none: wire it by hand",
            display(&module)
        );
    }
    let ident =
        crate::names::module_ident(feature).map_err(|why| anyhow::anyhow!("{why}: rename it first"))?;
    generate::edit_rust(plan, &module, |src| wiring::ensure_feature_wired(src, &ident))
}

/// How `src` (a parent module file) already declares a module `name`, if it does in a form
/// the module tree does not follow to `name.rs`: an inline `mod name { .. }`, a `mod name;`
/// (behind `#[path]` or `#[cfg]`, or in a macro body), or an invocation of a macro of the file
/// that declares `mod $var;` naming it. Token-level, one pass.
pub(crate) fn declared_already(src: &str, name: &str) -> Option<String> {
    use crate::analysis::lex::{Kind, ident_text, tokenize};
    let mut toks = Vec::new();
    let mut m = Vec::new();
    tokenize(src.as_bytes(), &mut toks, &mut m).ok()?;
    let word = |i: usize| {
        toks.get(i)
            .filter(|t| matches!(t.kind, Kind::Ident | Kind::RawIdent))
            .map_or("", |t| ident_text(src, t))
    };
    let mut macro_mods = false;
    let mut named = false;
    for i in 0..toks.len() {
        if word(i) == "mod" {
            if word(i + 1) == name {
                return Some(match toks.get(i + 2).map(|t| t.kind) {
                    Some(Kind::Open(b'{')) => {
                        format!("the inline module `mod {name} {{ .. }}` shadows the file")
                    }
                    _ => format!("as `mod {name}` with another path, behind `cfg` or in a macro"),
                });
            }
            macro_mods |= toks.get(i + 1).is_some_and(|t| t.kind == Kind::Punct(b'$'));
        }
        named |= toks[i].kind != Kind::Punct(b'$') && word(i + 1) == name && word(i) != "mod";
    }
    (macro_mods && named).then(|| "through a macro that declares `mod $name;`".to_string())
}

/// Whether `src` defines a function `name` (token-level: `fn name`).
fn has_fn(src: &str, name: &str) -> bool {
    let mut toks = Vec::new();
    let mut m = Vec::new();
    if crate::analysis::lex::tokenize(src.as_bytes(), &mut toks, &mut m).is_err() {
        return false;
    }
    toks.windows(2).any(|w| {
        crate::analysis::lex::ident_text(src, &w[0]) == "fn"
            && crate::analysis::lex::ident_text(src, &w[1]) == name
    })
}

fn add_executor(
    plan: &mut Plan,
    project: &Project,
    templates: &Templates,
    feature: Option<&str>,
    job: &str,
) -> anyhow::Result<()> {
    let stem = Role::Jobs.stem(job);
    let name = Name::parse(stem, "executor")?;
    let location = location(project, feature)?;
    let job_file = location.dir.join(Role::Jobs.name()).join(format!("{}.rs", name.snake));
    if !plan.exists(&job_file) {
        anyhow::bail!(
            "`{job}` is not in {} (the generator names the executor after the job's file); run `orch add executor <name>` by hand",
            display(&job_file)
        );
    }
    // What the job is decides what executor compiles against it (see `executor`).
    let jobs_mod = location.dir.join("jobs").join("mod.rs");
    let job_src = plan.read(&job_file)?.unwrap_or_default();
    let mod_src = plan.read(&jobs_mod)?.unwrap_or_default();
    let shape = executor::job_shape(&[&job_src, &mod_src], job).map_err(|why| anyhow::anyhow!("{why}"))?;
    generate::plan_component(plan, project, templates, ComponentKind::Executor, &name, &location, false)?;
    let component = generate::Component::new(ComponentKind::Executor, &name, false);
    let file = component.file(&location);
    match shape {
        executor::JobShape::Generated => {
            // the template emits `XEvent { message }` when the event file exists: only if that
            // event is the generated one
            let event = format!("{}Event", name.pascal);
            let event_file = location.dir.join("events").join(format!("{}.rs", name.snake));
            if let Some(src) = plan.read(&event_file)?
                && !executor::event_is_generated(&src, &event)
            {
                let siblings = generate::Siblings { job: true, event: false, state_file: false };
                let text = generate::render_component(templates, &component, &location, &name, siblings)?;
                plan.update(&file, text)?;
            }
        }
        executor::JobShape::HandWritten { output } => {
            plan.update(&file, executor::render_hand_written(&location, &name, job, output.as_deref()))?;
        }
    }
    // `jobs::XJob` must resolve for the registration and the executor's `use`
    let stem = &name.snake;
    if plan.exists(&jobs_mod) {
        generate::edit_rust(plan, &jobs_mod, |src| wiring::ensure_pub_use(src, stem, job))?;
    }
    Ok(())
}

fn register(
    plan: &mut Plan,
    project: &Project,
    feature: Option<&str>,
    job: &str,
    executor: &str,
    executor_file: &Path,
    job_file: Option<&Path>,
) -> anyhow::Result<()> {
    // The call passes the executor as a value (`executors::XExecutor`): only a unit struct is one.
    let executor_src = plan.read(executor_file)?.unwrap_or_default();
    if !is_unit_struct(&executor_src, executor) {
        anyhow::bail!(
            "`{executor}` is not a unit struct in {}: the `register` line passes it as a value; register it by hand with the values it needs",
            display(executor_file)
        );
    }
    let location = location(project, feature)?;
    // `jobs::XJob` and `executors::XExecutor` must resolve from the module file.
    for (file, folder, ty) in
        [(Some(executor_file), Role::Executors.name(), executor), (job_file, Role::Jobs.name(), job)]
    {
        let Some(file) = file else { continue };
        let folder_mod = location.dir.join(folder).join("mod.rs");
        let Some(stem) = file.file_stem().and_then(|s| s.to_str()) else { continue };
        if file.parent() == Some(&location.dir.join(folder)) && stem != "mod" && plan.exists(&folder_mod) {
            generate::edit_rust(plan, &folder_mod, |src| wiring::ensure_pub_use(src, stem, ty))?;
        }
    }
    let module = location.mod_file();
    generate::edit_rust(plan, &module, |src| wiring::ensure_register_call(src, job, executor))
}

/// The names a module file's top level declares or imports (`use a::B;`, `use a::C as D;`):
/// empty when it does not parse (the fix is then refused by the plan's own checks).
fn top_level_names(src: &str) -> std::collections::HashSet<String> {
    fn uses(tree: &syn::UseTree, out: &mut std::collections::HashSet<String>) {
        match tree {
            syn::UseTree::Path(p) => uses(&p.tree, out),
            syn::UseTree::Name(n) => _ = out.insert(n.ident.to_string()),
            syn::UseTree::Rename(r) => _ = out.insert(r.rename.to_string()),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| uses(t, out)),
            syn::UseTree::Glob(_) => {}
        }
    }
    let mut out = std::collections::HashSet::new();
    let Ok(file) = syn::parse_file(src) else { return out };
    for item in &file.items {
        let ident = match item {
            syn::Item::Use(u) => {
                uses(&u.tree, &mut out);
                continue;
            }
            syn::Item::Struct(i) => &i.ident,
            syn::Item::Enum(i) => &i.ident,
            syn::Item::Union(i) => &i.ident,
            syn::Item::Type(i) => &i.ident,
            syn::Item::Trait(i) => &i.ident,
            syn::Item::Fn(i) => &i.sig.ident,
            syn::Item::Const(i) => &i.ident,
            syn::Item::Static(i) => &i.ident,
            _ => continue,
        };
        out.insert(ident.to_string());
    }
    out
}

/// Whether `src` declares `name` as a unit struct (`struct XExecutor;`), the only kind a bare
/// path is a value of.
fn is_unit_struct(src: &str, name: &str) -> bool {
    syn::parse_file(src).is_ok_and(|file| {
        file.items.iter().any(|item| {
            matches!(item, syn::Item::Struct(s) if s.ident == name && matches!(s.fields, syn::Fields::Unit))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn re_exported_names_and_unit_structs() {
        let names =
            top_level_names("mod auth;\npub use auth::AuthJob;\nuse x::{Y as Z, W};\npub struct Q;\n");
        for n in ["AuthJob", "Z", "W", "Q"] {
            assert!(names.contains(n), "{n}: {names:?}");
        }
        assert!(!names.contains("Y"));
        assert!(is_unit_struct("#[derive(Debug)]\npub struct AuthExecutor;\n", "AuthExecutor"));
        assert!(!is_unit_struct("pub struct AuthExecutor {\n    pub base: String,\n}\n", "AuthExecutor"));
        assert!(!is_unit_struct("pub struct AuthExecutor(u8);\n", "AuthExecutor"));
        assert!(!is_unit_struct("pub struct Other;\n", "AuthExecutor"));
    }

    #[test]
    fn module_names_of_orphans() {
        assert_eq!(module_name(Path::new("src/a/b.rs")), Some("b"));
        assert_eq!(module_name(Path::new("src/a/b/mod.rs")), Some("b"));
    }

    #[test]
    fn declarations_in_other_forms_are_found() {
        assert!(declared_already("mod io {\n    fn f() {}\n}\n", "io").unwrap().contains("inline module"));
        assert!(declared_already("#[cfg(unix)]\n#[path = \"x.rs\"]\nmod io;\n", "io").is_some());
        let by_macro = "macro_rules! m { ($x:ident) => { mod $x; } }\nm!(linux);\n";
        assert!(declared_already(by_macro, "linux").is_some());
        assert!(declared_already(by_macro, "windows").is_none());
        assert!(declared_already("mod other;\nfn io() {}\n", "io").is_none());
    }

    #[test]
    fn fn_detection() {
        assert!(has_fn("pub async fn demo(d: &D) {}", "demo"));
        assert!(!has_fn("// fn demo\nfn register() {}", "demo"));
    }
}
