//! Created Rust files follow the project's style: its rustfmt configuration and its edition.
//!
//! [`apply`] is called by `commands::finish` on every plan before the record of generated files
//! is made and before `--dry-run` prints, so every generating command goes through it. It runs
//! the toolchain's `rustfmt` on the content of each created `.rs` file (on stdin, nothing is
//! written) with the project's edition and the `rustfmt.toml` / `.rustfmt.toml` rustfmt itself
//! would use for that file (see [`find_config`]). Files orch *edits* are never reformatted:
//! wiring edits insert whole lines that copy their neighbours' indentation.
//!
//! The fast path skips rustfmt: with no configuration and edition 2024 the built-in templates
//! are already laid out as rustfmt lays them out, as long as no line of code is longer than
//! rustfmt's width (long names): `tests/cli/format.rs` checks that for every name length. When
//! rustfmt is needed but missing or fails, the files are created as rendered and orch warns
//! (even with `-q`): the code is correct, only its layout differs, so the exit code stays 0.
//! `RUSTFMT` names another rustfmt binary, as for `cargo fmt`.
//!
//! Edition 2015 is refused (exit 2): the generated code needs `async fn` (2018+).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::Failure;
use crate::plan::{OpKind, Plan, display};

/// The edition whose style the built-in templates are written in (style edition 2024).
const NATIVE_EDITION: &str = "2024";

/// On the fast path (no configuration, edition 2024), files with a line of code longer than
/// this (rustfmt's default `max_width`) go through rustfmt anyway: the templates do not wrap lines
/// themselves, so long names make long lines. A built-in file without such a line is
/// rustfmt-clean: `tests/cli/format.rs` checks it for every name length and part combination.
pub const FAST_PATH_WIDTH: usize = 100;

/// Whether `text` has a line of code longer than [`FAST_PATH_WIDTH`]. Comment lines do not
/// count: rustfmt leaves comments as they are (by default), however long.
pub fn has_long_code_line(text: &str) -> bool {
    text.lines().any(|l| !l.trim_start().starts_with("//") && l.chars().count() > FAST_PATH_WIDTH)
}

/// Configuration file names, in the order rustfmt looks for them in each directory.
const CONFIG_NAMES: [&str; 2] = [".rustfmt.toml", "rustfmt.toml"];

/// How one created file is to be formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Style {
    /// The package's edition (`2018`, `2021`, `2024`).
    edition: String,
    /// The rustfmt configuration that applies, if any.
    config: Option<PathBuf>,
}

/// `plan` with its created `.rs` files formatted as the project's rustfmt configuration and
/// edition want them (borrowed unchanged when nothing needed formatting), and warnings for the
/// user when some could not be formatted (shown even with `-q`). Refuses edition 2015.
pub fn apply(plan: &Plan) -> anyhow::Result<(Cow<'_, Plan>, Vec<String>)> {
    let mut jobs: Vec<(PathBuf, Style, String)> = Vec::new();
    let mut styles: BTreeMap<PathBuf, Style> = BTreeMap::new();
    for op in plan.ops() {
        let (OpKind::Create, Some(text)) = (op.kind, &op.after) else { continue };
        // The vendored runtime is a verbatim copy (`orch doctor` compares it byte for byte).
        let vendored = display(&op.path).contains(&format!("{}/", crate::generate::VENDOR_DIR));
        if op.path.extension().is_none_or(|e| e != "rs") || vendored {
            continue;
        }
        let dir = op.path.parent().unwrap_or(Path::new("")).to_path_buf();
        let style = match styles.get(&dir) {
            Some(style) => style.clone(),
            None => {
                let style = Style::of(plan, &dir)?;
                styles.insert(dir, style.clone());
                style
            }
        };
        if !style.fast(text) {
            jobs.push((op.path.clone(), style, text.clone()));
        }
    }
    if jobs.is_empty() {
        return Ok((Cow::Borrowed(plan), Vec::new()));
    }
    let cwd = existing_ancestor(plan.root());
    let results = run_all(&jobs, &cwd);
    let mut out = plan.clone();
    let mut warnings = Vec::new();
    let mut missing = false;
    // One warning per distinct failure (a bad `rustfmt.toml` fails every file the same way).
    let mut failed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for ((path, style, _), result) in jobs.iter().zip(results) {
        match result {
            Ok(formatted) => out.update(path, formatted)?,
            Err(Outcome::Missing) => missing = true,
            Err(Outcome::Failed(why)) => {
                let with =
                    style.config.as_ref().map(|c| format!(" with {}", c.display())).unwrap_or_default();
                failed.entry(format!("rustfmt failed{with}: {why}")).or_default().push(display(path));
            }
        }
    }
    for (why, paths) in failed {
        let others =
            if paths.len() > 1 { format!(" and {} other file(s)", paths.len() - 1) } else { String::new() };
        warnings.push(format!(
            "{why} — {}{others} created as rendered, not formatted; run `cargo fmt` once that is fixed",
            paths[0]
        ));
    }
    if missing {
        warnings.push(
            "rustfmt not found: created files are laid out as orch's templates are, not as this \
             project's rustfmt configuration or edition wants; install it (`rustup component add \
             rustfmt`) and run `cargo fmt`"
                .to_string(),
        );
    }
    Ok((Cow::Owned(out), warnings))
}

/// `text` as [`apply`] leaves it when the plan creates it at `rel`: what orch wrote when it
/// generated it (for `orch remove`'s comparisons). Unformatted when rustfmt is unavailable.
pub fn as_created(plan: &Plan, rel: &Path, text: &str) -> anyhow::Result<String> {
    let with_allows = crate::lint_levels::as_created(plan, rel, text)?;
    let text = with_allows.as_str();
    let style = Style::of(plan, rel.parent().unwrap_or(Path::new("")))?;
    if style.fast(text) {
        return Ok(text.to_string());
    }
    Ok(rustfmt(text, &style, &existing_ancestor(plan.root())).unwrap_or_else(|_| text.to_string()))
}

impl Style {
    /// The style of files created in the plan-relative directory `dir`.
    fn of(plan: &Plan, dir: &Path) -> anyhow::Result<Style> {
        Ok(Style {
            edition: edition_for(plan, dir)?,
            config: find_config(&plan.root().join(dir), home_dirs()),
        })
    }

    /// Whether `text` is already laid out as rustfmt would: built-in templates with no
    /// configuration, the templates' edition and no long line of code.
    fn fast(&self, text: &str) -> bool {
        self.edition == NATIVE_EDITION && self.config.is_none() && !has_long_code_line(text)
    }
}

/// Why a file could not be formatted.
enum Outcome {
    /// No `rustfmt` on the `PATH`.
    Missing,
    /// rustfmt ran and failed; its first error line.
    Failed(String),
}

/// Format every job's text, on as many threads as there are cores (one rustfmt process each).
fn run_all(jobs: &[(PathBuf, Style, String)], cwd: &Path) -> Vec<Result<String, Outcome>> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from).min(jobs.len());
    let chunk = jobs.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter().map(|(_, style, text)| rustfmt(text, style, cwd)).collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join().unwrap_or_else(|_| vec![Err(Outcome::Failed("rustfmt thread panicked".into()))])
            })
            .collect()
    })
}

/// `text` as rustfmt formats it with `style`. Runs in `cwd` (the project) so that rustup picks
/// the project's toolchain.
fn rustfmt(text: &str, style: &Style, cwd: &Path) -> Result<String, Outcome> {
    let mut cmd = Command::new(std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into()));
    cmd.args(["--edition", &style.edition, "--emit", "stdout", "--quiet"]);
    if let Some(config) = &style.config {
        cmd.arg("--config-path").arg(config);
    }
    let child =
        cmd.current_dir(cwd).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Outcome::Missing),
        Err(e) => return Err(Outcome::Failed(e.to_string())),
    };
    // Small files: rustfmt reads all of stdin before writing, so writing first cannot block.
    if let Some(mut stdin) = child.stdin.take()
        && let Err(e) = stdin.write_all(text.as_bytes())
    {
        let _ = child.kill();
        return Err(Outcome::Failed(e.to_string()));
    }
    let output = child.wait_with_output().map_err(|e| Outcome::Failed(e.to_string()))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    // rustup's proxy exits with an error when the rustfmt component is not installed.
    if !output.status.success() && stderr.contains("is not installed for the toolchain") {
        return Err(Outcome::Missing);
    }
    match String::from_utf8(output.stdout) {
        Ok(formatted) if output.status.success() && !formatted.is_empty() => Ok(formatted),
        _ => Err(Outcome::Failed(
            stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("no output").trim().to_string(),
        )),
    }
}

/// The rustfmt configuration rustfmt uses for a file in `dir` (absolute): the first
/// `.rustfmt.toml` or `rustfmt.toml` in `dir` or its ancestors, else in the fallback
/// directories (`home_dirs`: the home directory, then the user's configuration directory).
pub fn find_config(dir: &Path, home_dirs: Vec<PathBuf>) -> Option<PathBuf> {
    dir.ancestors()
        .chain(home_dirs.iter().map(PathBuf::as_path))
        .flat_map(|d| CONFIG_NAMES.iter().map(move |name| d.join(name)))
        .find(|p| p.is_file())
}

/// Where rustfmt looks for a configuration when the file's directories have none: the home
/// directory, then `<config dir>/rustfmt` (`$XDG_CONFIG_HOME` or `~/.config` on Linux).
fn home_dirs() -> Vec<PathBuf> {
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(PathBuf::from);
    let config = if cfg!(target_os = "macos") {
        home.as_ref().map(|h| h.join("Library/Application Support"))
    } else if cfg!(windows) {
        std::env::var_os("APPDATA").map(PathBuf::from)
    } else {
        std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".config")))
    };
    home.into_iter().chain(config.map(|c| c.join("rustfmt"))).collect()
}

/// The nearest existing directory at or above `dir`.
fn existing_ancestor(dir: &Path) -> PathBuf {
    dir.ancestors().find(|d| d.is_dir()).unwrap_or(dir).to_path_buf()
}

/// The edition of the package holding the plan-relative directory `dir`: its nearest
/// `Cargo.toml` (as the plan would leave it) `package.edition`, following `edition.workspace =
/// true` to the workspace root. No manifest at all: the templates' own edition. Edition 2015
/// is refused (exit 2).
fn edition_for(plan: &Plan, dir: &Path) -> anyhow::Result<String> {
    let Some((manifest, doc)) = manifest_above(plan, &plan.root().join(dir), false) else {
        return Ok(NATIVE_EDITION.to_string());
    };
    let edition = doc.get("package").and_then(|p| p.get("edition"));
    let edition = match edition {
        Some(toml::Value::Table(t)) if t.get("workspace").and_then(toml::Value::as_bool) == Some(true) => {
            let parent = manifest.parent().and_then(Path::parent).unwrap_or(Path::new("/"));
            manifest_above(plan, parent, true).and_then(|(_, ws)| {
                ws.get("workspace")?.get("package")?.get("edition")?.as_str().map(str::to_string)
            })
        }
        Some(other) => other.as_str().map(str::to_string),
        None => None,
    };
    // Cargo's default edition when a manifest names none.
    let edition = edition.unwrap_or_else(|| "2015".to_string());
    if edition == "2015" {
        return Err(Failure::usage(format!(
            "{}: edition 2015 is not supported: the generated code uses `async fn` (edition 2018 or newer)",
            manifest.display()
        ))
        .hint("set `edition = \"2021\"` (or newer) in [package]; `cargo fix --edition` migrates the code")
        .into());
    }
    Ok(edition)
}

/// The nearest `Cargo.toml` at or above `dir` (absolute), read through the plan when it is
/// under the plan's root; with `workspace`, the nearest one with a `[workspace]` table.
pub(crate) fn manifest_above(plan: &Plan, dir: &Path, workspace: bool) -> Option<(PathBuf, toml::Table)> {
    for d in dir.ancestors() {
        let path = d.join("Cargo.toml");
        let text = match path.strip_prefix(plan.root()) {
            Ok(rel) => plan.read(rel).ok().flatten(),
            Err(_) => std::fs::read_to_string(&path).ok(),
        };
        let Some(doc) = text.and_then(|t| t.parse::<toml::Table>().ok()) else { continue };
        // A virtual manifest (no [package]) is not the package's: keep looking for that.
        if (workspace && doc.contains_key("workspace")) || (!workspace && doc.contains_key("package")) {
            return Some((path, doc));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn config_is_the_nearest_one_above_the_file_like_rustfmt_finds_it() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let deep = root.join("app/src/features/auth");
        assert_eq!(find_config(&deep, Vec::new()), None);
        write(&root.join("rustfmt.toml"), "max_width = 80\n");
        assert_eq!(find_config(&deep, Vec::new()), Some(root.join("rustfmt.toml")));
        write(&root.join("app/rustfmt.toml"), "tab_spaces = 2\n");
        assert_eq!(find_config(&deep, Vec::new()), Some(root.join("app/rustfmt.toml")));
        // In one directory, the hidden name wins (rustfmt's order).
        write(&root.join("app/.rustfmt.toml"), "hard_tabs = true\n");
        assert_eq!(find_config(&deep, Vec::new()), Some(root.join("app/.rustfmt.toml")));
        // A directory named like a config does not count; directories that do not exist yet
        // (a new feature) are fine.
        std::fs::create_dir_all(root.join("app/src/rustfmt.toml")).unwrap();
        assert_eq!(find_config(&deep.join("jobs"), Vec::new()), Some(root.join("app/.rustfmt.toml")));
    }

    #[test]
    fn config_falls_back_to_the_home_directories() {
        let tmp = tempfile::tempdir().unwrap();
        let (project, home) = (tmp.path().join("p/src"), tmp.path().join("home"));
        write(&home.join(".config/rustfmt/rustfmt.toml"), "hard_tabs = true\n");
        let homes = || vec![home.clone(), home.join(".config/rustfmt")];
        assert_eq!(find_config(&project, homes()), Some(home.join(".config/rustfmt/rustfmt.toml")));
        write(&home.join(".rustfmt.toml"), "tab_spaces = 2\n");
        assert_eq!(find_config(&project, homes()), Some(home.join(".rustfmt.toml")));
    }

    #[test]
    fn editions_come_from_the_package_or_its_workspace() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        write(
            &root.join("Cargo.toml"),
            "[workspace]\nmembers = [\"app\"]\n[workspace.package]\nedition = \"2021\"\n",
        );
        write(&root.join("app/Cargo.toml"), "[package]\nname = \"app\"\nedition.workspace = true\n");
        let plan = Plan::new(root.join("app"));
        assert_eq!(edition_for(&plan, Path::new("src/features")).unwrap(), "2021");
        write(&root.join("app/Cargo.toml"), "[package]\nname = \"app\"\nedition = \"2018\"\n");
        assert_eq!(edition_for(&plan, Path::new("src")).unwrap(), "2018");
        // A manifest the plan creates (orch new project) counts.
        let mut plan = Plan::new(&root);
        plan.create("new/Cargo.toml", "[package]\nname = \"new\"\nedition = \"2024\"\n", false).unwrap();
        assert_eq!(edition_for(&plan, Path::new("new/src")).unwrap(), "2024");
    }

    #[test]
    fn edition_2015_is_refused_with_a_hint() {
        let tmp = tempfile::tempdir().unwrap();
        write(&tmp.path().join("Cargo.toml"), "[package]\nname = \"old\"\n");
        let mut plan = Plan::new(tmp.path());
        plan.create("src/core/mod.rs", "//! Core.\n", false).unwrap();
        let err = apply(&plan).unwrap_err();
        assert_eq!(crate::error::classify(&err).0.code(), 2);
        assert!(err.to_string().contains("edition 2015 is not supported"), "{err}");
    }

    #[test]
    fn the_fast_path_leaves_short_native_files_alone() {
        let tmp = tempfile::tempdir().unwrap();
        write(&tmp.path().join("Cargo.toml"), "[package]\nname = \"a\"\nedition = \"2024\"\n");
        let mut plan = Plan::new(tmp.path());
        // Not rustfmt-clean, but the fast path trusts short lines in edition 2024.
        plan.create("src/a.rs", "fn  a() {}\n", false).unwrap();
        assert!(matches!(apply(&plan).unwrap(), (Cow::Borrowed(_), w) if w.is_empty()));
    }

    #[test]
    fn configured_projects_get_their_layout() {
        let tmp = tempfile::tempdir().unwrap();
        write(&tmp.path().join("Cargo.toml"), "[package]\nname = \"a\"\nedition = \"2021\"\n");
        write(&tmp.path().join("rustfmt.toml"), "hard_tabs = true\n");
        write(&tmp.path().join("src/main.rs"), "fn main() {}\n");
        let mut plan = Plan::new(tmp.path());
        plan.create("src/a.rs", "fn a() {\n    let x = 1;\n}\n", false).unwrap();
        plan.update("src/main.rs", "mod a;\nfn main() {\n    a::a();\n}\n").unwrap();
        let (styled, warnings) = apply(&plan).unwrap();
        let created = styled.read("src/a.rs").unwrap().unwrap();
        let note = warnings.join("\n");
        if note.contains("rustfmt not found") {
            assert_eq!(created, "fn a() {\n    let x = 1;\n}\n");
        } else {
            assert_eq!(created, "fn a() {\n\tlet x = 1;\n}\n", "{note}");
        }
        // Edited files are never reformatted.
        assert_eq!(styled.read("src/main.rs").unwrap().unwrap(), "mod a;\nfn main() {\n    a::a();\n}\n");
    }
}
