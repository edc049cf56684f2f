//! `orch lint --fix` (and `orch doctor --fix`): the fixes a generator can make, planned with the
//! generators' own functions so the result is exactly what `orch add` / `orch new` would write:
//!
//! - a job without an executor: [`crate::generate::plan_component`] (the executor file, its
//!   `mod` / `pub use` lines and its registration), as `orch add executor` does;
//! - an executor never registered: [`crate::wiring::ensure_register_call`] in the feature's (or
//!   core's) `register`, after making sure `jobs::XJob` and `executors::XExecutor` resolve
//!   ([`crate::wiring::ensure_pub_use`]);
//! - a feature not wired: [`crate::wiring::ensure_feature_wired`] in the features module;
//! - an orphan file: [`crate::wiring::ensure_mod`] in its parent module (private `mod` plus
//!   `pub use` of its public types in component folders, `pub mod` elsewhere).
//!
//! Every fix only adds to one [`Plan`]; nothing is written here. A fix that cannot be planned
//! (the generator refuses, a file does not parse) is recorded as skipped with the reason, and
//! the other fixes still go ahead.

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

/// Plan `fixes` (of findings, [`Finding::fix`]) in `project`.
pub fn plan(project: &Project, fixes: &[Fix]) -> anyhow::Result<Plan> {
    let mut plan = Plan::new(&project.root);
    let templates = Templates::load(Some(&project.abs(&project.config.paths.templates)))?;
    apply_fixes(&mut plan, project, &templates, fixes, true)?;
    Ok(plan)
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
    fixes.sort_by_key(|f| match f {
        Fix::ModLine { .. } => 0,
        Fix::WireFeature { .. } => 1,
        Fix::AddExecutor { .. } => 2,
        Fix::Register { .. } => 3,
    });
    fixes.dedup();
    for fix in &fixes {
        let result = match fix {
            Fix::ModLine { parent, file, exports } => mod_line(plan, parent, file, exports),
            Fix::WireFeature { feature } => wire_feature(plan, project, feature),
            Fix::AddExecutor { feature, job } if generate => {
                add_executor(plan, project, templates, feature.as_deref(), job)
            }
            Fix::AddExecutor { .. } => Ok(()),
            Fix::Register { feature, job, executor, executor_file, job_file } => {
                register(plan, project, feature.as_deref(), job, executor, executor_file, job_file.as_deref())
            }
        };
        if let Err(e) = result {
            let (path, reason) = describe(fix, project, &e);
            plan.skip(path, reason);
        }
    }
    Ok(())
}

fn describe(fix: &Fix, project: &Project, err: &anyhow::Error) -> (PathBuf, String) {
    let path = match fix {
        Fix::ModLine { file, .. } => file.clone(),
        Fix::WireFeature { .. } => project.features_dir().join("mod.rs"),
        Fix::AddExecutor { feature, .. } | Fix::Register { feature, .. } => {
            location_dir(project, feature.as_deref())
        }
    };
    (path, format!("not fixed: {err}"))
}

fn location_dir(project: &Project, feature: Option<&str>) -> PathBuf {
    match feature {
        Some(f) => project.features_dir().join(f),
        None => project.core_dir().to_path_buf(),
    }
}

fn location(project: &Project, feature: Option<&str>) -> anyhow::Result<Location> {
    match feature {
        Some(f) => Location::feature(&project.config, &Name::parse(f, "feature")?),
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
    generate::edit_rust(plan, &module, |src| wiring::ensure_feature_wired(src, feature))
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
    generate::plan_component(plan, project, templates, ComponentKind::Executor, &name, &location, false)
}

#[allow(clippy::too_many_arguments)]
fn register(
    plan: &mut Plan,
    project: &Project,
    feature: Option<&str>,
    job: &str,
    executor: &str,
    executor_file: &Path,
    job_file: Option<&Path>,
) -> anyhow::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_of_orphans() {
        assert_eq!(module_name(Path::new("src/a/b.rs")), Some("b"));
        assert_eq!(module_name(Path::new("src/a/b/mod.rs")), Some("b"));
    }

    #[test]
    fn fn_detection() {
        assert!(has_fn("pub async fn demo(d: &D) {}", "demo"));
        assert!(!has_fn("// fn demo\nfn register() {}", "demo"));
    }
}
