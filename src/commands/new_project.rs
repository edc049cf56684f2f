//! `orch new project <PATH>`: a new cargo project in the orch layout, then (a separate step
//! after the plan is applied, like `cargo new`) a git repository.

use std::path::{Component, Path, PathBuf};

use super::{Ctx, ask, runtime_source};
use crate::cli::{NewProjectArgs, Vcs, WriteArgs};
use crate::config::Config;
use crate::error::Failure;
use crate::generate::{self, RuntimeSource};
use crate::names::Name;
use crate::output::Output;
use crate::plan::Plan;
use crate::project::Project;
use crate::templates::Templates;

/// The package name for `raw` (a directory name or `--name` value): kebab-case when the user
/// wrote it (`my-app`), else the snake_case form; refused when it would shadow a crate the code
/// uses.
fn package_name(raw: &str, what: &str) -> anyhow::Result<String> {
    let name = Name::parse(raw, what)?;
    if crate::names::BUILTIN_CRATES.contains(&name.snake.as_str()) {
        return Err(Failure::usage(format!(
            "invalid {what} name {raw:?}: `{}` is the name of a crate it uses",
            name.snake
        ))
        .hint("pick another name")
        .into());
    }
    // Cargo refuses a binary target named like one of its build directories.
    if CARGO_RESERVED.contains(&name.snake.as_str()) {
        return Err(Failure::usage(format!(
            "invalid {what} name {raw:?}: cargo forbids a binary named `{}` (one of its build directories)",
            name.snake
        ))
        .hint("pick another name, or keep the directory and pass `--name <package>`")
        .into());
    }
    Ok(if raw.trim().contains('-') { name.snake.replace('_', "-") } else { name.snake })
}

/// Binary target names cargo rejects: they clash with its build directory names.
const CARGO_RESERVED: &[&str] = &["build", "deps", "examples", "incremental"];

/// Where the project goes: `(plan root, project directory)`, both absolute. The plan is rooted
/// at `cwd` when the project is inside it, else at the deepest existing ancestor of the
/// project; either way the missing directories in between are created by the plan (and
/// removed again if it is rolled back).
fn destination(cwd: &Path, raw: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    // `..` is resolved lexically, as the user reads the path.
    let mut dest = PathBuf::new();
    for component in cwd.join(raw).components() {
        match component {
            Component::ParentDir => {
                dest.pop();
            }
            Component::CurDir => {}
            other => dest.push(other),
        }
    }
    let Some(parent) = dest.parent().filter(|_| dest.file_name().is_some()) else {
        return Err(Failure::usage(format!(
            "{}: not a directory orch can create a project in",
            raw.display()
        ))
        .hint("give the new project's directory, e.g. `orch new project apps/hello`")
        .into());
    };
    let existing = parent.ancestors().find(|dir| dir.is_dir()).unwrap_or(parent);
    let existing_canon = existing.canonicalize().map_err(|e| {
        anyhow::Error::new(e).context(Failure::failed("cannot resolve directory").at(existing))
    })?;
    let rest = dest.strip_prefix(existing).unwrap_or(&dest);
    let dest = existing_canon.join(rest);
    let root = if dest.starts_with(cwd) { cwd.to_path_buf() } else { existing_canon };
    Ok((root, dest))
}

/// Run the command.
pub fn run(ctx: &Ctx<'_>, args: NewProjectArgs) -> anyhow::Result<()> {
    let out = ctx.out;
    let raw = match args.path {
        Some(path) => path,
        None => PathBuf::from(ask(out, None, "project name", "`orch new project <PATH>`")?),
    };
    let (plan_root, root) = destination(&ctx.cwd, &raw)?;
    // The directory's name gives the package name (like `cargo new`), unless `--name`.
    let dir_name = root.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        Failure::usage(format!("{}: the directory name is not valid UTF-8", raw.display()))
            .hint("pass the package name with --name")
    })?;
    let package = match &args.package {
        Some(package) => package_name(package, "package")?,
        None => package_name(dir_name, "project")?,
    };
    let mut features = args.features;
    if args.interactive && out.is_interactive() && features.is_empty() {
        let answer = out.prompt_default("features to create (comma-separated, empty for none)", "")?;
        features = answer.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    }
    let mut names: Vec<Name> = Vec::new();
    for feature in &features {
        let feature = Name::parse(feature, "feature")?;
        // The new package's own crate name is taken too (`use app::…` in its tests).
        feature.check_not_a_crate("feature", &[package.replace('-', "_")], "the package name")?;
        if !names.contains(&feature) {
            names.push(feature);
        }
    }
    let runtime = runtime_source(&args.runtime, &ctx.cwd, &root)?.unwrap_or(RuntimeSource::Vendor);
    let mut config = Config::default();
    config.runtime = runtime.config();
    let project = Project { root, config, has_config: true, cwd: ctx.cwd.clone() };
    let templates = Templates::builtin()?;
    let mut plan = Plan::new(&plan_root);
    generate::plan_project(&mut plan, &project, &templates, &package, &runtime, &names)?;
    // A new project only creates files: there is nothing to diff.
    let write = WriteArgs { dry_run: args.write.dry_run, diff: false, format: args.write.format };
    let applied = super::finish(ctx, &plan, &write, &format!("project `{package}`"))?;
    if applied && args.vcs == Vcs::Git {
        init_git(out, &project.root);
    }
    Ok(())
}

/// `git init` the new project unless it is inside a git work tree already (as `cargo new`
/// does). The project is complete at this point: a missing or failing git is reported, not an
/// error. Not part of the plan (git writes `.git/` itself), hence after it.
fn init_git(out: &Output, root: &Path) {
    if root.parent().is_some_and(|parent| parent.ancestors().any(|dir| dir.join(".git").exists())) {
        return;
    }
    match std::process::Command::new("git").args(["init", "--quiet"]).current_dir(root).output() {
        Ok(output) if output.status.success() => {}
        Ok(output) => out.warn(&format!(
            "`git init` failed ({}); the project is complete, without a repository",
            String::from_utf8_lossy(&output.stderr).trim()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => out.status(
            "    note git is not installed: no repository was initialised (pass --vcs none to skip this)",
        ),
        Err(e) => {
            out.warn(&format!("cannot run `git init` ({e}); the project is complete, without a repository"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_rooted_at_cwd_or_the_deepest_existing_ancestor() {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().canonicalize().unwrap();
        let cwd = base.join("work");
        std::fs::create_dir_all(cwd.join("apps")).unwrap();
        let cases = [
            ("hello", cwd.clone(), cwd.join("hello")),
            ("apps/new/deep/x", cwd.clone(), cwd.join("apps/new/deep/x")),
            ("./apps/../y/", cwd.clone(), cwd.join("y")),
            ("../sibling/app", base.clone(), base.join("sibling/app")),
        ];
        for (raw, root, dest) in cases {
            assert_eq!(destination(&cwd, Path::new(raw)).unwrap(), (root, dest), "{raw}");
        }
        let absolute = base.join("elsewhere/app");
        assert_eq!(destination(&cwd, &absolute).unwrap(), (base.clone(), absolute));
        assert!(destination(&cwd, Path::new("/")).is_err());
    }
}
