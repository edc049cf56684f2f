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
    let write = WriteArgs { dry_run: args.dry_run, diff: false, force: args.force, format: Format::Human };
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
                text.push_str(&format!("{name:<width$}  {status_text}{path}\n"));
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

fn check(_ctx: &Ctx<'_>, _args: TemplateCheckArgs) -> anyhow::Result<()> {
    Err(Failure::failed("not implemented yet").into())
}
