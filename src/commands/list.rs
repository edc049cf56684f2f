//! `orch list` (`ls`): the templates (built-in and custom) and the project's components as a
//! tree (features → jobs, events, executors with the job each handles, orchestrators), from the
//! same source analysis as `orch lint`.

use std::collections::BTreeMap;

use serde_json::json;

use super::Ctx;
use crate::analysis::{self, Analysis, Fact, Folder, Options, Place};
use crate::cli::{Format, ListArgs};
use crate::output::Stream;
use crate::templates::{self, Origin, Templates};

/// What a template generates and the variables its context provides.
pub fn template_info(name: &str) -> (&'static str, &'static [&'static str]) {
    const COMPONENT: &[&str] =
        &["snake", "pascal", "owner", "module_path", "has_job", "has_event", "state_file"];
    match name {
        "project/Cargo.toml.tera" => ("Cargo.toml", &["package", "runtime_dep", "runtime_dev_dep"]),
        "project/gitignore.tera" => (".gitignore", &["package", "runtime_dep", "runtime_dev_dep"]),
        "project/main.rs.tera" => {
            ("src/main.rs", &["package", "core_module", "runtime_dep", "runtime_dev_dep"])
        }
        "core/mod.rs.tera" => ("src/shared/mod.rs", &["folders", "register_lines"]),
        "features/mod.rs.tera" => ("src/features/mod.rs", &["features"]),
        "feature/mod.rs.tera" => (
            "src/features/<feature>/mod.rs",
            &["snake", "pascal", "folders", "register_lines", "has_job", "has_orchestrator"],
        ),
        "folder/mod.rs.tera" => {
            ("<feature or core>/<folder>/mod.rs", &["title", "singular", "owner", "folder", "entries"])
        }
        "job/job.rs.tera" => ("<feature or core>/jobs/<name>.rs", COMPONENT),
        "event/event.rs.tera" => ("<feature or core>/events/<name>.rs", COMPONENT),
        "executor/executor.rs.tera" => ("<feature or core>/executors/<name>.rs", COMPONENT),
        "orchestrator/orchestrator.rs.tera" => ("<feature or core>/orchestrators/<name>.rs", COMPONENT),
        "state/state.rs.tera" => ("<feature or core>/orchestrators/<name>_state.rs", COMPONENT),
        "state/_struct.rs.tera" => ("(partial: included by the state and orchestrator templates)", COMPONENT),
        _ => ("(custom: include it from another template)", &[]),
    }
}

/// One component folder's contents in a feature or core.
#[derive(Debug, Default)]
struct Owner {
    jobs: Vec<String>,
    events: Vec<String>,
    executors: BTreeMap<String, Vec<String>>,
    orchestrators: Vec<String>,
}

fn components(analysis: &Analysis) -> BTreeMap<String, Owner> {
    let mut owners: BTreeMap<String, Owner> = BTreeMap::new();
    for feature in analysis.features() {
        owners.entry(feature.to_string()).or_default();
    }
    for file in &analysis.files {
        let owner = match &file.place {
            Place::Feature { feature, .. } => feature.to_string(),
            Place::Core { .. } => "core".to_string(),
            _ => continue,
        };
        let Some(folder) = file.place.folder() else { continue };
        let entry = owners.entry(owner).or_default();
        for (name, _, _) in file.public_types() {
            let name = name.to_string();
            match folder {
                Folder::Jobs if name.ends_with(folder.suffix()) => entry.jobs.push(name),
                Folder::Events if name.ends_with(folder.suffix()) => entry.events.push(name),
                Folder::Executors if name.ends_with(folder.suffix()) => {
                    entry.executors.entry(name).or_default();
                }
                Folder::Orchestrators => entry.orchestrators.push(name),
                _ => {}
            }
        }
        for fact in file.live_facts() {
            if let Fact::ExecutorImpl { job, executor, .. } = fact {
                let handles = entry.executors.entry(executor.to_string()).or_default();
                if !handles.contains(&job.to_string()) {
                    handles.push(job.to_string());
                }
            }
        }
    }
    for owner in owners.values_mut() {
        owner.jobs.sort();
        owner.events.sort();
        owner.orchestrators.sort();
    }
    owners
}

/// Run the command.
pub fn run(ctx: &Ctx<'_>, args: ListArgs) -> anyhow::Result<()> {
    // Outside any project the built-ins are listed; inside an orch project its config counts,
    // errors included (a bad `[paths] templates` must not silently list the built-ins).
    let in_orch_project = ctx.cwd.ancestors().any(|d| d.join(crate::config::FILE_NAME).is_file());
    let project = if in_orch_project { Some(ctx.project()?) } else { ctx.project().ok() };
    let loaded = match &project {
        Some(p) => super::project_templates(p)?,
        None => Templates::builtin()?,
    };
    let builtins: Vec<&str> = templates::builtin_names();
    let rows: Vec<(String, &'static str, Option<String>)> = loaded
        .origins()
        .iter()
        .filter_map(|(name, origin)| {
            let (status, path) = match origin {
                Origin::Builtin => ("built-in", None),
                Origin::Custom(path) => {
                    let shown = project
                        .as_ref()
                        .map_or_else(|| path.display().to_string(), |p| p.display_rel(path).into_owned());
                    (if builtins.contains(&name.as_str()) { "overridden" } else { "custom" }, Some(shown))
                }
            };
            (!args.custom || status != "built-in").then(|| (name.clone(), status, path))
        })
        .collect();
    let owners = match &project {
        Some(p) if p.root.join("src").is_dir() => {
            Some(components(&analysis::analyze(&p.root, &Options::from_config(&p.config))?))
        }
        _ => None,
    };
    let verbose = ctx.out.verbosity() > 0;
    match args.format {
        Format::Json => {
            let templates: Vec<_> = rows
                .iter()
                .map(|(name, status, path)| {
                    let (generates, variables) = template_info(name);
                    json!({ "name": name, "status": status, "path": path, "generates": generates, "variables": variables })
                })
                .collect();
            let components = owners.as_ref().map(|owners| {
                owners
                    .iter()
                    .map(|(name, o)| {
                        let executors: Vec<_> = o
                            .executors
                            .iter()
                            .map(|(e, jobs)| json!({ "name": e, "handles": jobs }))
                            .collect();
                        json!({
                            "name": name,
                            "kind": if name == "core" { "core" } else { "feature" },
                            "jobs": o.jobs,
                            "events": o.events,
                            "executors": executors,
                            "orchestrators": o.orchestrators,
                        })
                    })
                    .collect::<Vec<_>>()
            });
            ctx.out.stdout(&format!("{:#}\n", json!({ "templates": templates, "components": components })))
        }
        Format::Human => {
            let paint = ctx.out.paint(Stream::Out);
            let mut text = String::new();
            let custom = rows.iter().filter(|(_, s, _)| *s != "built-in").count();
            text.push_str(&format!("{} ({} shown, {custom} custom)\n", paint.bold("templates"), rows.len()));
            let width = rows.iter().map(|(n, _, _)| n.len()).max().unwrap_or(0);
            for (name, status, path) in &rows {
                let path = path.as_deref().map(|p| format!("  {p}")).unwrap_or_default();
                text.push_str(&format!("  {name:<width$}  {status}{path}\n"));
                if verbose {
                    let (generates, variables) = template_info(name);
                    text.push_str(&format!("      generates: {generates}\n"));
                    if !variables.is_empty() {
                        text.push_str(&format!("      variables: {}\n", variables.join(", ")));
                    }
                }
            }
            if let Some(owners) = &owners {
                text.push_str(&format!("\n{}\n", paint.bold("components")));
                if owners.is_empty() {
                    text.push_str("  (none yet: `orch new feature <name>`)\n");
                }
                // Core first, then features by name.
                let ordered = owners
                    .iter()
                    .filter(|(n, _)| *n == "core")
                    .chain(owners.iter().filter(|(n, _)| *n != "core"));
                for (name, o) in ordered {
                    let title = if name == "core" { "core".to_string() } else { format!("feature {name}") };
                    text.push_str(&format!("  {title}\n"));
                    let mut section = |label: &str, items: Vec<String>| {
                        if !items.is_empty() {
                            text.push_str(&format!("    {label}\n"));
                            for item in items {
                                text.push_str(&format!("      {item}\n"));
                            }
                        }
                    };
                    section("jobs", o.jobs.clone());
                    section("events", o.events.clone());
                    section(
                        "executors",
                        o.executors
                            .iter()
                            .map(|(e, jobs)| {
                                if jobs.is_empty() {
                                    e.clone()
                                } else {
                                    format!("{e} (handles {})", jobs.join(", "))
                                }
                            })
                            .collect(),
                    );
                    section("orchestrators", o.orchestrators.clone());
                }
            }
            ctx.out.stdout_human(&text)
        }
    }
}
