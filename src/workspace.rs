//! Cargo workspaces, for `orch lint` at a workspace root, `--workspace` and `-p NAME`: the
//! workspace a directory is in and its member packages, read from the root `Cargo.toml`
//! (`[workspace] members` with globs, `exclude`) without running `cargo metadata` (no cargo
//! process, no network, no lock file needed). Globs are matched with `globset`, like
//! [`crate::project::enclosing_workspace`], on the directories a walk bounded by the pattern's
//! depth finds: one visit per directory, never the whole tree for `crates/*`.

use std::path::{Path, PathBuf};

use crate::config;
use crate::error::Failure;

/// A cargo workspace: its root and its member packages.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Canonical directory of the root `Cargo.toml`.
    pub root: PathBuf,
    /// Member packages (the root first when it is a package too), sorted by directory.
    pub members: Vec<Member>,
}

/// One member package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Canonical directory of its `Cargo.toml`.
    pub dir: PathBuf,
    /// `package.name` (the directory name when the manifest does not say).
    pub name: String,
    /// Whether it has an `orch.toml` (is an orch project).
    pub orch: bool,
}

impl Workspace {
    /// The workspace whose root manifest is the nearest `Cargo.toml` with a `[workspace]`
    /// table at or above `dir` (canonical), if any. A manifest that does not parse is an error
    /// (exit 2): the members cannot be known.
    pub fn enclosing(dir: &Path) -> anyhow::Result<Option<Workspace>> {
        for ancestor in dir.ancestors() {
            let manifest = ancestor.join("Cargo.toml");
            if !manifest.is_file() {
                continue;
            }
            let table = read_manifest(&manifest)?;
            if let Some(ws) = table.get("workspace").and_then(|w| w.as_table()) {
                return Ok(Some(Workspace::load(ancestor, &table, ws)));
            }
        }
        Ok(None)
    }

    /// The workspace `dir` is the root of, when lint at `dir` means "the workspace": the
    /// nearest `Cargo.toml` at or above `dir` has a `[workspace]` table, and either has no
    /// `[package]` (a virtual manifest: no package of its own to lint) or `dir` is its
    /// directory and it has members besides the root package.
    /// A manifest that does not parse is no workspace here: lint does not need it to lint a
    /// project (cargo reports it).
    pub fn rooted_at(dir: &Path) -> anyhow::Result<Option<Workspace>> {
        let Some(root) = dir.ancestors().find(|d| d.join("Cargo.toml").is_file()) else { return Ok(None) };
        let Ok(table) = read_manifest(&root.join("Cargo.toml")) else { return Ok(None) };
        let Some(ws) = table.get("workspace").and_then(|w| w.as_table()) else { return Ok(None) };
        if root != dir && table.contains_key("package") {
            return Ok(None);
        }
        let is_package = table.contains_key("package");
        let workspace = Workspace::load(root, &table, ws);
        // A package with an empty `[workspace]` table (standalone) is just that package.
        let only_root = is_package && workspace.members.iter().all(|m| m.dir == workspace.root);
        Ok((!only_root).then_some(workspace))
    }

    fn load(root: &Path, table: &toml::Table, ws: &toml::Table) -> Workspace {
        let strings = |key: &str| -> Vec<String> {
            ws.get(key)
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|p| p.as_str()).map(normalise).collect())
                .unwrap_or_default()
        };
        let excluded = strings("exclude");
        let mut dirs: Vec<PathBuf> = Vec::new();
        if table.contains_key("package") {
            dirs.push(root.to_path_buf());
        }
        for pattern in strings("members") {
            expand(root, &pattern, &mut dirs);
        }
        dirs.retain(|d| {
            let rel = d.strip_prefix(root).unwrap_or(d);
            d.join("Cargo.toml").is_file() && !excluded.iter().any(|e| !e.is_empty() && rel.starts_with(e))
        });
        let mut members: Vec<Member> = dirs
            .into_iter()
            .filter_map(|d| d.canonicalize().ok())
            .map(|dir| {
                let name = read_manifest(&dir.join("Cargo.toml"))
                    .ok()
                    .and_then(|t| t.get("package")?.get("name")?.as_str().map(str::to_string))
                    .or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .unwrap_or_default();
                let orch = dir.join(config::FILE_NAME).is_file();
                Member { dir, name, orch }
            })
            .collect();
        members.sort_by(|a, b| (a.dir != root, &a.dir).cmp(&(b.dir != root, &b.dir)));
        members.dedup_by(|a, b| a.dir == b.dir);
        Workspace { root: root.to_path_buf(), members }
    }
}

fn read_manifest(path: &Path) -> anyhow::Result<toml::Table> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        anyhow::Error::new(e).context(Failure::usage(format!("cannot read {}", path.display())))
    })?;
    text.parse::<toml::Table>().map_err(|e| {
        let at = e.span().map(|s| config::line_col(&text, s.start));
        let at = at.map_or(String::new(), |(line, col)| format!(":{line}:{col}"));
        Failure::usage(format!("invalid manifest {}{at}: {}", path.display(), e.message()))
            .hint("fix the manifest (`cargo metadata` shows the error too)")
            .into()
    })
}

/// A members / exclude entry as a relative path: no `./` prefix, no trailing `/`.
fn normalise(p: &str) -> String {
    let mut p = p.trim();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.trim_end_matches('/').to_string()
}

/// The directories under `root` that `pattern` (a cargo members glob) names, appended to
/// `out`. A literal pattern is one path; a glob walks from its literal prefix down to the
/// pattern's depth (unbounded only for `**`), skipping hidden and `target` directories.
fn expand(root: &Path, pattern: &str, out: &mut Vec<PathBuf>) {
    let is_glob = |s: &str| s.contains(['*', '?', '[', '{']);
    if !is_glob(pattern) {
        out.push(root.join(pattern));
        return;
    }
    let parts: Vec<&str> = pattern.split('/').collect();
    let literal = parts.iter().take_while(|p| !is_glob(p)).count();
    let base = root.join(parts[..literal].join("/"));
    let rest = &parts[literal..];
    let depth = if rest.contains(&"**") { usize::MAX } else { rest.len() };
    let Ok(glob) = globset::GlobBuilder::new(pattern).literal_separator(true).build() else { return };
    let matcher = glob.compile_matcher();
    let walk = walkdir::WalkDir::new(&base).min_depth(1).max_depth(depth).sort_by_file_name();
    for entry in walk.into_iter().filter_entry(|e| {
        let name = e.file_name().to_string_lossy();
        e.file_type().is_dir() && !name.starts_with('.') && name != "target"
    }) {
        let Ok(entry) = entry else { continue };
        if let Ok(rel) = entry.path().strip_prefix(root)
            && matcher.is_match(rel)
        {
            out.push(entry.path().to_path_buf());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(dir: &Path, name: &str, orch: bool) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("Cargo.toml"), format!("[package]\nname = \"{name}\"\n")).unwrap();
        if orch {
            std::fs::write(dir.join("orch.toml"), "").unwrap();
        }
    }

    #[test]
    fn members_with_globs_and_excludes() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = [\"./crates/*\", \"tools/cli/\", \"deep/**/x*\"]\nexclude = [\"crates/old\"]\n",
        )
        .unwrap();
        package(&root.join("crates/app"), "the-app", true);
        package(&root.join("crates/lib"), "lib", false);
        package(&root.join("crates/old"), "old", true);
        std::fs::create_dir_all(root.join("crates/notes")).unwrap(); // no Cargo.toml
        package(&root.join("crates/app/nested"), "nested", true); // below the glob's depth
        package(&root.join("tools/cli"), "cli", true);
        package(&root.join("deep/a/b/xy"), "xy", false);
        let ws = Workspace::enclosing(&root.join("crates/app")).unwrap().unwrap();
        assert_eq!(ws.root, root);
        let got: Vec<(String, bool)> = ws
            .members
            .iter()
            .map(|m| (m.dir.strip_prefix(&root).unwrap().display().to_string(), m.orch))
            .collect();
        assert_eq!(
            got,
            [
                ("crates/app".to_string(), true),
                ("crates/lib".to_string(), false),
                ("deep/a/b/xy".to_string(), false),
                ("tools/cli".to_string(), true),
            ]
        );
        assert_eq!(ws.members[0].name, "the-app");
        // At the root of a virtual manifest, and anywhere under it outside a package.
        assert!(Workspace::rooted_at(&root).unwrap().is_some());
        std::fs::create_dir_all(root.join("docs")).unwrap();
        assert!(Workspace::rooted_at(&root.join("docs")).unwrap().is_some());
        // Inside a member: that package, not the workspace.
        assert!(Workspace::rooted_at(&root.join("crates/app/src")).unwrap().is_none());
        assert!(Workspace::rooted_at(&root.join("crates/app")).unwrap().is_none());
    }

    #[test]
    fn a_package_with_an_empty_workspace_table_is_no_workspace_to_lint() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::write(root.join("Cargo.toml"), "[package]\nname = \"app\"\n\n[workspace]\n").unwrap();
        assert!(Workspace::rooted_at(&root).unwrap().is_none());
        let ws = Workspace::enclosing(&root).unwrap().unwrap();
        assert_eq!(ws.members.len(), 1);
        assert_eq!(ws.members[0].name, "app");
        // A virtual manifest without members is still a workspace (with nothing to lint).
        std::fs::write(root.join("Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
        assert_eq!(Workspace::rooted_at(&root).unwrap().unwrap().members, []);
    }
}
