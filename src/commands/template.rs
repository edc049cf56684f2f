//! `orch template init|list|check`: customise templates.
//!
//! `init` copies built-in templates into the project's templates directory (default
//! `.orch/templates/`), where they override the built-ins of the same path; `list` shows which
//! are overridden; `check` renders every template into a scratch project and runs `cargo check`.

use std::collections::BTreeSet;

use serde_json::json;

use super::{Ctx, orch_project};
use crate::cli::{Format, TemplateCheckArgs, TemplateCommand, TemplateInitArgs, TemplateListArgs, WriteArgs};
use crate::error::Failure;
use crate::output::Stream;
use crate::plan::Plan;
use crate::templates::{self, Origin};

/// Run `orch template <subcommand>`.
pub fn run(ctx: &Ctx<'_>, cmd: TemplateCommand) -> anyhow::Result<()> {
    match cmd {
        TemplateCommand::Init(args) => init(ctx, args),
        TemplateCommand::List(args) => list(ctx, args),
        TemplateCommand::Check(args) => check(ctx, args),
    }
}

/// Template kinds: the first directory of each built-in template's path (`executor`, `job`...).
pub fn kinds() -> BTreeSet<&'static str> {
    templates::builtin_names().into_iter().filter_map(|name| name.split('/').next()).collect()
}

/// The kind of a template name (its first path component).
pub fn kind_of(name: &str) -> &str {
    name.split('/').next().unwrap_or(name)
}

fn init(ctx: &Ctx<'_>, args: TemplateInitArgs) -> anyhow::Result<()> {
    let project = orch_project(ctx)?;
    let kinds = kinds();
    if let Some(kind) = &args.kind
        && !kinds.contains(kind.as_str())
    {
        return Err(Failure::usage(format!("unknown template kind `{kind}`"))
            .hint(format!("use one of: {}", kinds.into_iter().collect::<Vec<_>>().join(", ")))
            .into());
    }
    let dir = project.config.paths.templates.clone();
    let mut plan = Plan::new(&project.root);
    for name in templates::builtin_names() {
        if args.kind.as_deref().is_some_and(|k| k != kind_of(name)) {
            continue;
        }
        let Some(source) = templates::builtin_source(name) else { continue };
        let rel = dir.join(name);
        match plan.read(&rel)? {
            Some(existing) if existing == source => plan.skip(&rel, "already a copy of the built-in"),
            Some(_) if !args.force => plan.skip(&rel, "customised; pass -f to overwrite"),
            _ => plan.create(&rel, source, args.force)?,
        }
    }
    plan.next_step(format!("edit the files under {} — they override the built-ins", dir.display()));
    plan.next_step("orch template check    # render them all and `cargo check` the result");
    let write = WriteArgs { dry_run: args.dry_run, diff: false, format: Format::Human };
    let what = match &args.kind {
        Some(kind) => format!("templates ({kind})"),
        None => "templates".to_string(),
    };
    super::finish(ctx, &plan, &write, &what)?;
    Ok(())
}

fn list(ctx: &Ctx<'_>, args: TemplateListArgs) -> anyhow::Result<()> {
    let project = orch_project(ctx)?;
    let loaded = super::project_templates(&project)?;
    let builtins: BTreeSet<&str> = templates::builtin_names().into_iter().collect();
    let rows: Vec<(String, &'static str, Option<String>)> = loaded
        .origins()
        .iter()
        .map(|(name, origin)| {
            let (status, path) = match origin {
                Origin::Builtin => ("built-in", None),
                Origin::Custom(path) if builtins.contains(name.as_str()) => {
                    ("overridden", Some(project.display_rel(path).into_owned()))
                }
                Origin::Custom(path) => ("custom", Some(project.display_rel(path).into_owned())),
            };
            (name.clone(), status, path)
        })
        .collect();
    match args.format {
        Format::Json => {
            let items: Vec<_> = rows
                .iter()
                .map(|(name, status, path)| json!({ "name": name, "kind": kind_of(name), "status": status, "path": path }))
                .collect();
            ctx.out.stdout(&format!("{:#}\n", json!(items)))
        }
        Format::Human => {
            let paint = ctx.out.paint(Stream::Out);
            let width = rows.iter().map(|(n, _, _)| n.len()).max().unwrap_or(0);
            let mut text = String::new();
            for (name, status, path) in &rows {
                let status_text = format!("{status:<10}");
                let status_text = match *status {
                    "built-in" => paint.dim(&status_text),
                    _ => paint.yellow(&status_text),
                };
                let path = path.as_deref().map(|p| format!("  {p}")).unwrap_or_default();
                text.push_str(format!("{name:<width$}  {status_text}{path}").trim_end());
                text.push('\n');
            }
            let custom = rows.iter().filter(|(_, s, _)| *s != "built-in").count();
            text.push_str(&format!(
                "{} templates, {custom} from {}\n",
                rows.len(),
                project.config.paths.templates.display()
            ));
            ctx.out.stdout(&text)
        }
    }
}

/// The template that renders a generated path of the scratch project (for error messages).
fn template_for(path: &str) -> &'static str {
    let file = path.rsplit('/').next().unwrap_or(path);
    match path {
        "Cargo.toml" => "project/Cargo.toml.tera",
        "src/main.rs" => "project/main.rs.tera",
        "src/shared/mod.rs" => "core/mod.rs.tera",
        "src/features/mod.rs" => "features/mod.rs.tera",
        _ if file == "mod.rs" && path.matches('/').count() == 3 => "feature/mod.rs.tera",
        _ if file == "mod.rs" => "folder/mod.rs.tera",
        _ if path.contains("/jobs/") => "job/job.rs.tera",
        _ if path.contains("/events/") => "event/event.rs.tera",
        _ if path.contains("/executors/") => "executor/executor.rs.tera",
        _ if file.ends_with("_state.rs") => "state/state.rs.tera",
        _ if path.contains("/orchestrators/") => "orchestrator/orchestrator.rs.tera",
        _ => "",
    }
}

fn check(ctx: &Ctx<'_>, args: TemplateCheckArgs) -> anyhow::Result<()> {
    use crate::cli::ComponentKind;
    use crate::generate::{self, Location, Parts, RuntimeSource};
    use crate::names::Name;
    use crate::project::Project;

    let project = orch_project(ctx)?;
    let templates = super::project_templates(&project)?;
    let tmp;
    let scratch = match &args.keep {
        Some(dir) => ctx.cwd.join(dir),
        None => {
            tmp = tempfile::Builder::new().prefix("orch-template-check-").tempdir()?;
            tmp.path().to_path_buf()
        }
    };
    // The scratch directory (not the project) must exist and be canonical for the writer.
    std::fs::create_dir_all(&scratch).map_err(|e| {
        anyhow::Error::new(e).context(Failure::failed("cannot create directory").at(&scratch))
    })?;
    let scratch = scratch.canonicalize()?;
    let package = "orch_template_check";
    let root = scratch.join(package);
    if root.exists() {
        return Err(Failure::usage("the scratch project already exists")
            .at(&root)
            .hint("remove it, or pass another --keep directory")
            .into());
    }
    let mut config = crate::config::Config::default();
    config.runtime = RuntimeSource::Vendor.config();
    let scratch_project = Project { root: root.clone(), config, has_config: true, cwd: scratch.clone() };
    let mut plan = Plan::new(&scratch);
    let name = |s: &str| Name::parse(s, "feature");
    // Every template, and the flags that change what they render: a full feature, partial
    // features, core components, an orchestrator whose state lives in its own file.
    generate::plan_project(
        &mut plan,
        &scratch_project,
        &templates,
        package,
        &RuntimeSource::Vendor,
        &[name("sample")?],
    )?;
    let no_event = Parts { event: false, ..Parts::all() };
    let only_orchestrator = Parts { job: false, event: false, executor: false, orchestrator: true };
    generate::plan_feature(
        &mut plan,
        &scratch_project,
        &templates,
        &name("no_event")?,
        no_event,
        None,
        false,
    )?;
    generate::plan_feature(
        &mut plan,
        &scratch_project,
        &templates,
        &name("bare")?,
        only_orchestrator,
        None,
        false,
    )?;
    let core = Location::core(&scratch_project.config)?;
    for (kind, n) in [
        (ComponentKind::Event, "ping"),
        (ComponentKind::Executor, "ping"),
        (ComponentKind::State, "lone"),
        (ComponentKind::Orchestrator, "lone"),
    ] {
        generate::plan_component(
            &mut plan,
            &scratch_project,
            &templates,
            kind,
            &Name::parse(n, "component")?,
            &core,
            false,
        )?;
    }
    crate::writer::apply(&plan)?;
    let custom = templates.origins().values().filter(|o| matches!(o, templates::Origin::Custom(_))).count();
    ctx.out.status(&format!(
        "rendered {} templates ({custom} custom) into {} files in {}",
        templates.origins().len(),
        plan.len(),
        root.display()
    ));
    // One target directory for every run (fast repeats): CARGO_TARGET_DIR if set, else one
    // under the project's target/.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| project.root.join("target").join("orch-template-check"));
    let output = std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["check", "--all-targets", "--quiet", "--message-format", "short"])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .map_err(|e| {
            anyhow::Error::new(e).context(Failure::failed("cannot run cargo").hint("is cargo on PATH?"))
        })?;
    if output.status.success() {
        ctx.out.status("cargo check: ok, every template renders code that compiles");
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut involved = BTreeSet::new();
    for line in stderr.lines() {
        let path = line.split(':').next().unwrap_or("");
        let name = template_for(path);
        if !name.is_empty() && (path.ends_with(".rs") || path.ends_with(".toml")) {
            let shown = match templates.origins().get(name) {
                Some(templates::Origin::Custom(p)) => project.display_rel(p).into_owned(),
                _ => format!("{name} (built-in)"),
            };
            involved.insert(shown);
        }
    }
    let list = if involved.is_empty() {
        "unknown".to_string()
    } else {
        involved.into_iter().collect::<Vec<_>>().join(", ")
    };
    Err(Failure::failed(format!(
        "cargo check failed on the rendered templates (templates involved: {list})\n{}",
        stderr.trim_end()
    ))
    .at(&root)
    .hint("fix the templates named above; --keep DIR keeps the scratch project to investigate")
    .into())
}
