//! Created Rust files follow the project's style: its rustfmt configuration and its edition.
//!
//! [`apply`] is called by `commands::finish` on every plan before the record of generated files
//! is made and before `--dry-run` prints, so every generating command goes through it. It runs
//! the toolchain's `rustfmt` on the content of each created `.rs` file (on stdin, nothing is
//! written) with the project's edition and the `rustfmt.toml` / `.rustfmt.toml` rustfmt itself
//! would use for that file (see [`find_config`]).
//!
//! Files orch *edits* are never reformatted: wiring (`crate::wiring`) inserts whole lines laid
//! out as rustfmt lays them out in style edition 2024 with the default configuration (width
//! 100, four spaces, version-sorted `pub use` lines). Under any other configuration or edition
//! (width, `tab_spaces`, `hard_tabs`, call-width heuristics, style edition 2015's sort order,
//! `reorder_modules = false`), the edited file is run through rustfmt in memory and rustfmt's
//! layout of the *inserted* lines is adopted, never its changes to the user's lines
//! (see [`adopt`]): rustfmt is the specification, not a re-implementation of it.
//!
//! The fast path skips rustfmt: with no configuration and edition 2024 the built-in templates
//! are already laid out as rustfmt lays them out, as long as no line of code is longer than
//! rustfmt's width (long names): `tests/cli/format.rs` checks that for every name length; so are
//! wiring's inserted lines (`crate::wiring`'s tests and `tests/cli/e2e.rs`). When rustfmt is
//! needed but missing or fails, the files are created as rendered (inserted lines as wiring
//! lays them out) and orch warns (even with `-q`): the code is correct, only its layout
//! differs, so the exit code stays 0.
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
/// edition want them, and the lines its edits insert into existing `.rs` files laid out the same
/// way (see [`adopt`]); borrowed unchanged when nothing needed formatting. Also warnings for the
/// user when some could not be formatted (shown even with `-q`). Refuses edition 2015 for
/// created files.
pub fn apply(plan: &Plan) -> anyhow::Result<(Cow<'_, Plan>, Vec<String>)> {
    let mut jobs: Vec<Job> = Vec::new();
    let mut styles: BTreeMap<PathBuf, Option<Style>> = BTreeMap::new();
    for op in plan.ops() {
        let Some(text) = &op.after else { continue };
        // The vendored runtime is a verbatim copy (`orch doctor` compares it byte for byte).
        let vendored = display(&op.path).contains(&format!("{}/", crate::generate::VENDOR_DIR));
        if op.path.extension().is_none_or(|e| e != "rs") || vendored {
            continue;
        }
        let before = match (op.kind, &op.before) {
            (OpKind::Create, _) => None,
            (OpKind::Update, Some(before)) if inserts_lines(before, text) => Some(before.clone()),
            _ => continue,
        };
        let dir = op.path.parent().unwrap_or(Path::new("")).to_path_buf();
        let style = match styles.get(&dir) {
            Some(style) => style.clone(),
            None => {
                // Edition 2015 is refused for the files orch creates; edits alone (`orch
                // remove`, a fix) keep orch's layout there.
                let style = match Style::of(plan, &dir) {
                    Ok(style) => Some(style),
                    Err(_) if before.is_some() => None,
                    Err(e) => return Err(e),
                };
                styles.insert(dir, style.clone());
                style
            }
        };
        let Some(style) = style else { continue };
        // Edits: orch's own layout of inserted lines is rustfmt's under the default
        // configuration in style edition 2024 (the wiring tests pin it), whatever their length.
        let fast = match &before {
            None => style.fast(text),
            Some(_) => style.edition == NATIVE_EDITION && style.config.is_none(),
        };
        if !fast {
            jobs.push(Job { path: op.path.clone(), style, before, text: text.clone() });
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
    for (job, result) in jobs.iter().zip(results) {
        match (result, &job.before) {
            (Ok(formatted), None) => out.update(&job.path, formatted)?,
            (Ok(formatted), Some(before)) => {
                if let Some(adopted) = adopt(before, &job.text, &formatted) {
                    out.update(&job.path, adopted)?;
                }
            }
            (Err(Outcome::Missing), _) => missing = true,
            (Err(Outcome::Failed(why)), _) => {
                let with =
                    job.style.config.as_ref().map(|c| format!(" with {}", c.display())).unwrap_or_default();
                failed.entry(format!("rustfmt failed{with}: {why}")).or_default().push(display(&job.path));
            }
        }
    }
    for (why, paths) in failed {
        let others =
            if paths.len() > 1 { format!(" and {} other file(s)", paths.len() - 1) } else { String::new() };
        warnings.push(format!(
            "{why} — {}{others} not formatted (created as rendered, lines inserted as orch lays them \
             out); run `cargo fmt` once that is fixed",
            paths[0]
        ));
    }
    if missing {
        warnings.push(
            "rustfmt not found: created files are laid out as orch's templates are, and lines \
             inserted into existing files as orch lays them out, not as this project's rustfmt \
             configuration or edition wants; install it (`rustup component add rustfmt`) and run \
             `cargo fmt`"
                .to_string(),
        );
    }
    Ok((Cow::Owned(out), warnings))
}

/// One file for rustfmt: a created file (`before` is `None`) or an edited one.
struct Job {
    path: PathBuf,
    style: Style,
    /// The edited file's content on disk.
    before: Option<String>,
    /// The planned content.
    text: String,
}

/// Whether `after` has lines `before` has not (wiring inserts whole lines; an edit that only
/// removes lines, as `orch remove` does, leaves nothing to lay out).
fn inserts_lines(before: &str, after: &str) -> bool {
    let old: Vec<&str> = before.split_inclusive('\n').collect();
    let new: Vec<&str> = after.split_inclusive('\n').collect();
    similar::capture_diff_slices(similar::Algorithm::Myers, &old, &new)
        .iter()
        .any(|op| matches!(op, similar::DiffOp::Insert { .. } | similar::DiffOp::Replace { .. }))
}

/// The edited file `after` (`before` with lines inserted, and maybe a placeholder line replaced)
/// with rustfmt's layout of the inserted lines, given `formatted`, rustfmt's output for the
/// whole of `after`. `None` keeps `after` as it is.
///
/// rustfmt's output is adopted when every line of `before` that `after` kept is still there,
/// byte for byte and in order, so that all it did was lay out (wrap, indent, move into sorted
/// position) the lines orch inserted: the user's lines are never reformatted. This is the case
/// when `before` was formatted under the same configuration, as files orch generated are. In a
/// file that was not, only rustfmt's rewrite of a run of inserted lines into the same code at
/// the same indentation (a wrapped call) is taken, next to the user's lines as they are; a
/// `mod` line then keeps orch's position.
fn adopt(before: &str, after: &str, formatted: &str) -> Option<String> {
    let old: Vec<&str> = before.split_inclusive('\n').collect();
    let new: Vec<&str> = after.split_inclusive('\n').collect();
    let kept: Vec<bool> = {
        let mut kept = vec![false; new.len()];
        for op in similar::capture_diff_slices(similar::Algorithm::Myers, &old, &new) {
            if let similar::DiffOp::Equal { new_index, len, .. } = op {
                kept[new_index..new_index + len].iter_mut().for_each(|k| *k = true);
            }
        }
        kept
    };
    let mut rest = formatted.split_inclusive('\n');
    let in_order = new.iter().zip(&kept).filter(|(_, k)| **k).all(|(line, _)| rest.any(|f| f == *line));
    // A blank line rustfmt dropped (two in a row) could be matched above with a blank line
    // further down: the count tells (rustfmt lays out inserted lines without adding blank ones).
    let blanks = |text: &str| text.lines().filter(|l| l.trim().is_empty()).count();
    if in_order && blanks(formatted) == blanks(after) {
        return (formatted != after).then(|| formatted.to_string());
    }
    // The user's lines differ from rustfmt's layout: in each place rustfmt changed, take its
    // version of each run of inserted lines that it rewrote there into the same code (ignoring
    // whitespace and the trailing commas of wrapped argument lists) at the same indentation,
    // which orch copied from the neighbours: in a file indented otherwise than its
    // configuration says, a re-indented line would stand out among the user's (and `orch
    // remove` would not restore the file). The user's lines in that place stay as they are.
    let lines: Vec<&str> = formatted.split_inclusive('\n').collect();
    let mut out = String::new();
    let mut changed = false;
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, &new, &lines) {
        let (old, theirs) = (op.old_range(), &lines[op.new_range()]);
        let mut start = old.start;
        while start < old.end {
            let end = (start..old.end).find(|&i| kept[i] != kept[start]).unwrap_or(old.end);
            let ours = &new[start..end];
            let relaid = match op {
                similar::DiffOp::Replace { .. } if !kept[start] => rewritten(ours, theirs),
                _ => None,
            };
            out.push_str(&relaid.unwrap_or(ours).concat());
            changed |= relaid.is_some_and(|r| r != ours);
            start = end;
        }
    }
    (changed && syn::parse_file(&out).is_ok()).then_some(out)
}

/// The lines of `theirs` (a place rustfmt rewrote) that hold the same code as `ours`, ignoring
/// whitespace and commas, starting at the same indentation.
fn rewritten<'a, 'b>(ours: &[&str], theirs: &'b [&'a str]) -> Option<&'b [&'a str]> {
    let code =
        |ls: &[&str]| -> String { ls.concat().chars().filter(|c| !c.is_whitespace() && *c != ',').collect() };
    let indent = |l: &str| l.len() - l.trim_start().len();
    let want = code(ours);
    (0..theirs.len()).filter(|&i| indent(theirs[i]) == indent(ours[0])).find_map(|i| {
        (i + 1..=theirs.len())
            .map(|j| (j, code(&theirs[i..j])))
            .find(|(_, got)| got.len() >= want.len())
            .and_then(|(j, got)| (got == want).then(|| &theirs[i..j]))
    })
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
fn run_all(jobs: &[Job], cwd: &Path) -> Vec<Result<String, Outcome>> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from).min(jobs.len());
    let chunk = jobs.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter().map(|job| rustfmt(&job.text, &job.style, cwd)).collect::<Vec<_>>()
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
        write(&tmp.path().join("src/main.rs"), "fn main() {\n    a::a();\n}\n");
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
        // Edited files are never reformatted: only the inserted lines take the configuration's
        // layout (`mod a;` has no other), the user's `    a::a();` keeps its spaces.
        assert_eq!(styled.read("src/main.rs").unwrap().unwrap(), "mod a;\nfn main() {\n    a::a();\n}\n");
    }

    /// The `fn register` of a feature module as it is before and after wiring `b`.
    const WIRED_BEFORE: &str =
        "pub mod a;\n\npub fn register(builder: &mut B) -> R {\n\ta::register(builder)?;\n\tOk(())\n}\n";

    #[test]
    fn rustfmt_layout_of_inserted_lines_is_adopted_when_it_keeps_the_users_lines() {
        let after = "pub mod a;\npub mod b;\n\npub fn register(builder: &mut B) -> R {\n\ta::register(builder)?;\n\tbbbb::register(\n\t    builder,\n\t)?;\n\tOk(())\n}\n";
        let formatted = "pub mod a;\npub mod b;\n\npub fn register(builder: &mut B) -> R {\n\ta::register(builder)?;\n\tbbbb::register(\n\t\tbuilder,\n\t)?;\n\tOk(())\n}\n";
        assert_eq!(adopt(WIRED_BEFORE, after, formatted).as_deref(), Some(formatted));
        assert_eq!(adopt(WIRED_BEFORE, formatted, formatted), None);
        // A line moved into its sorted place (style edition 2015: `x10` before `x9`).
        let before = "mod x1;\nmod x9;\n";
        assert_eq!(
            adopt(before, "mod x1;\nmod x9;\nmod x10;\n", "mod x1;\nmod x10;\nmod x9;\n").as_deref(),
            Some("mod x1;\nmod x10;\nmod x9;\n")
        );
        // The placeholder the first call replaces is not the user's line to keep.
        let before = "fn register(b: &mut B) -> R {\n  let _ = b;\n  Ok(())\n}\n";
        let after = "fn register(b: &mut B) -> R {\n  b.register::<jobs::AJob, _>(executors::AExecutor)?;\n  Ok(())\n}\n";
        let formatted = "fn register(b: &mut B) -> R {\n  b.register::<jobs::AJob, _>(\n    executors::AExecutor,\n  )?;\n  Ok(())\n}\n";
        assert_eq!(adopt(before, after, formatted).as_deref(), Some(formatted));
    }

    #[test]
    fn the_users_unformatted_lines_stay_and_only_inserted_runs_rewritten_into_the_same_code_are_taken() {
        // rustfmt (`max_width = 50`) also reformats the user's `fn  main` and would move `mod x10;`.
        let before = "mod x9;\nmod c;\n\nfn  main() {}\n\nfn register(b: &mut B) -> R {\n    Ok(())\n}\n";
        let call = "    b.register::<jobs::AJob, _>(executors::AExecutor)?;\n";
        let wrapped = "    b.register::<jobs::AJob, _>(\n        executors::AExecutor,\n    )?;\n";
        let after = format!(
            "mod x9;\nmod c;\nmod x10;\n\nfn  main() {{}}\n\nfn register(b: &mut B) -> R {{\n{call}    Ok(())\n}}\n"
        );
        let formatted = format!(
            "mod c;\nmod x10;\nmod x9;\n\nfn main() {{}}\n\nfn register(b: &mut B) -> R {{\n{wrapped}    Ok(())\n}}\n"
        );
        assert_eq!(adopt(before, &after, &formatted), Some(after.replace(call, wrapped)));
        // Nothing of ours rewritten in place: nothing adopted.
        assert_eq!(adopt(before, &after, &formatted.replace(wrapped, call)), None);
        // Nor re-indented alone among the user's lines (`tab_spaces = 2` in a file indented by
        // four): the file keeps one indentation.
        let reindented = formatted.replace(wrapped, &call.replacen("    ", "  ", 1));
        assert_eq!(adopt(before, &after, &reindented), None);
        // Also where rustfmt rewrote a user's line next to them.
        let mine = "    b.register::<jobs::ZJob, _>( executors::ZExecutor )?;\n";
        let before2 = before.replace("    Ok(())\n", &format!("{mine}    Ok(())\n"));
        let after2 = after.replace("    Ok(())\n", &format!("{mine}    Ok(())\n"));
        let formatted2 = formatted
            .replace("    Ok(())\n", "    b.register::<jobs::ZJob, _>(executors::ZExecutor)?;\n    Ok(())\n");
        assert_eq!(adopt(&before2, &after2, &formatted2), Some(after2.replace(call, wrapped)));
        // Nor a whole layout that drops one of the user's blank lines (two in a row).
        let before = "mod a;\n\n\nfn main() {}\n";
        let after = "mod a;\n\n\npub use a::A;\n\nfn main() {}\n";
        assert_eq!(adopt(before, after, "mod a;\n\npub use a::A;\n\nfn main() {}\n"), None);
    }

    #[test]
    fn edits_in_configured_projects_get_the_configured_layout_of_their_inserted_lines() {
        let tmp = tempfile::tempdir().unwrap();
        write(&tmp.path().join("Cargo.toml"), "[package]\nname = \"a\"\nedition = \"2021\"\n");
        write(&tmp.path().join("rustfmt.toml"), "hard_tabs = true\nmax_width = 60\n");
        write(&tmp.path().join("src/features/mod.rs"), WIRED_BEFORE);
        let mut plan = Plan::new(tmp.path());
        let long = "b".repeat(40);
        let after = crate::wiring::ensure_feature_wired(WIRED_BEFORE, &long).unwrap();
        plan.update("src/features/mod.rs", after.clone()).unwrap();
        let (styled, warnings) = apply(&plan).unwrap();
        let edited = styled.read("src/features/mod.rs").unwrap().unwrap();
        if warnings.join("\n").contains("rustfmt not found") {
            assert_eq!(edited, after);
        } else {
            assert_eq!(
                edited,
                format!(
                    "pub mod a;\npub mod {long};\n\npub fn register(builder: &mut B) -> R {{\n\ta::register(builder)?;\n\t{long}::register(\n\t\tbuilder,\n\t)?;\n\tOk(())\n}}\n"
                ),
                "{warnings:?}"
            );
        }
        // Edition 2021 without configuration: style edition 2015 sorts `pub use` lines by
        // bytes (`a0` before `a_b`, `x10` before `x9`), not by version as wiring does.
        std::fs::remove_file(tmp.path().join("rustfmt.toml")).unwrap();
        let jobs = "mod a0;\nmod x9;\n\npub use a0::A0Job;\npub use x9::X9Job;\n";
        write(&tmp.path().join("src/jobs/mod.rs"), jobs);
        let mut plan = Plan::new(tmp.path());
        let mut after = jobs.to_string();
        for name in ["a_b", "x10"] {
            after = crate::wiring::ensure_mod(&after, name, crate::wiring::Vis::Private).unwrap();
            after =
                crate::wiring::ensure_pub_use(&after, name, &format!("{}Job", name.to_uppercase())).unwrap();
        }
        assert!(
            after.contains(
                "pub use a_b::A_BJob;\npub use a0::A0Job;\npub use x9::X9Job;\npub use x10::X10Job;\n"
            ),
            "{after}"
        );
        plan.update("src/jobs/mod.rs", after.clone()).unwrap();
        let (styled, warnings) = apply(&plan).unwrap();
        let edited = styled.read("src/jobs/mod.rs").unwrap().unwrap();
        if !warnings.join("\n").contains("rustfmt not found") {
            assert_eq!(
                edited,
                "mod a0;\nmod a_b;\nmod x10;\nmod x9;\n\npub use a0::A0Job;\npub use a_b::A_BJob;\npub use x10::X10Job;\npub use x9::X9Job;\n",
                "{warnings:?}"
            );
        }
        // Without configuration, in edition 2024, wiring's layout is taken as it is.
        write(&tmp.path().join("Cargo.toml"), "[package]\nname = \"a\"\nedition = \"2024\"\n");
        assert!(matches!(apply(&plan).unwrap(), (Cow::Borrowed(_), w) if w.is_empty()));
    }
}
