//! Module tree resolution: which `.rs` files a crate root reaches, following rustc's rules.
//!
//! - Crate roots: `src/main.rs`, `src/lib.rs`, `src/bin/*.rs`, `src/bin/*/main.rs`, and the
//!   `[lib]` / `[[bin]]` paths of `Cargo.toml`.
//! - `mod x;` in a "mod-rs" file (a crate root, a `mod.rs`, or a file loaded through `#[path]`)
//!   looks for `x.rs` / `x/mod.rs` next to it; in any other file `a.rs` it looks in `a/`.
//! - Inline modules (`mod a { mod b; }`) add their name (or their own `#[path]`) as a directory.
//! - `#[path = "p"]` is relative to the declaring file's directory, or, inside inline modules,
//!   to the inline module's directory. Paths from `cfg_attr(.., path = ..)` count along with the
//!   default location. `cfg`'d modules all count: any configuration may build them.
//! - `include!("f.rs")` makes `f.rs` part of the crate.
//! - Files reached only through `#[cfg(test)]` declarations are test-only.

use std::path::{Component, Path, PathBuf};

use super::{Analysis, Fact, FastMap, ProblemKind, Reach, flags, key};

/// Fill `reach` and `root` of every file, `has_roots` and `unknown`.
pub fn resolve(a: &mut Analysis) {
    let roots = crate_roots(a);
    a.has_roots = !roots.is_empty();
    let n = a.files.len();
    // reach and mod-rs-ness (`#[path]`-loaded files behave like mod.rs) of each file
    let mut reach: Vec<Reach> = vec![Reach::Unreached; n];
    let mut path_loaded = vec![false; n];
    let mut is_root = vec![false; n];
    let mut cfg_only = vec![false; n];
    let mut work: Vec<usize> = Vec::new();
    for &r in &roots {
        is_root[r] = true;
        reach[r] = Reach::Yes;
        work.push(r);
    }
    {
        // path bytes -> file index: hashing beats ~17 byte comparisons per lookup at 100k files
        let mut index: FastMap<&[u8], usize> = FastMap::default();
        index.reserve(n);
        for (i, f) in a.files.iter().enumerate() {
            index.insert(key(&f.path), i);
        }
        let lookup = |p: &str| index.get(p.as_bytes()).copied();
        let lookup_path = |p: &Path| index.get(key(p)).copied();
        let mut targets: Vec<(usize, Reach, bool, bool)> = Vec::new();
        let mut buf = String::new();
        while let Some(i) = work.pop() {
            targets.clear();
            let f = &a.files[i];
            let here = reach[i];
            let here_cfg = cfg_only[i];
            // Only UTF-8 paths are scanned, so only they have facts.
            let Some(path) = f.path.to_str() else { continue };
            let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
            let mod_rs = is_root[i] || file == "mod.rs" || path_loaded[i];
            let stem = file.strip_suffix(".rs").unwrap_or(file);
            let push_dir = |buf: &mut String, inline: &str| {
                buf.clear();
                buf.push_str(dir);
                if !mod_rs {
                    buf.push('/');
                    buf.push_str(stem);
                }
                if !inline.is_empty() {
                    buf.push('/');
                    buf.push_str(inline);
                }
            };
            for fact in f.facts.iter() {
                match fact {
                    Fact::Mod { name, flags: fl, .. } => {
                        let (paths, inline) = fact.mod_location();
                        let child_reach = if fl & flags::TEST != 0 { Reach::Test } else { here };
                        let child_cfg = here_cfg || fl & flags::CFG != 0;
                        for p in paths.iter() {
                            if inline.is_empty() {
                                buf.clear();
                                buf.push_str(dir);
                            } else {
                                push_dir(&mut buf, inline);
                            }
                            if let Some(j) =
                                normalize(&Path::new(&buf).join(&**p)).and_then(|t| lookup_path(&t))
                            {
                                targets.push((j, child_reach, child_cfg, true));
                            }
                        }
                        if paths.is_empty() || fl & flags::DEFAULT_PATH_TOO != 0 {
                            push_dir(&mut buf, inline);
                            let base = buf.len();
                            buf.push('/');
                            buf.push_str(name);
                            buf.push_str(".rs");
                            if let Some(j) = lookup(&buf) {
                                targets.push((j, child_reach, child_cfg, false));
                            }
                            buf.truncate(base);
                            buf.push('/');
                            buf.push_str(name);
                            buf.push_str("/mod.rs");
                            if let Some(j) = lookup(&buf) {
                                targets.push((j, child_reach, child_cfg, false));
                            }
                        }
                    }
                    Fact::Include { path: p, .. } => {
                        if let Some(j) = normalize(&Path::new(dir).join(&**p)).and_then(|t| lookup_path(&t)) {
                            targets.push((j, here, here_cfg, true));
                        }
                    }
                    _ => {}
                }
            }
            for &(j, child_reach, child_cfg, via_path) in &targets {
                // reach only grows; "reached only through cfg" only turns false
                let was = reach[j];
                let cfg = if was == Reach::Unreached { child_cfg } else { cfg_only[j] && child_cfg };
                if child_reach > was || cfg != cfg_only[j] {
                    reach[j] = reach[j].max(child_reach);
                    cfg_only[j] = cfg;
                    path_loaded[j] |= via_path;
                    work.push(j);
                }
            }
        }
    }
    for (i, f) in a.files.iter_mut().enumerate() {
        f.reach = reach[i];
        f.root = is_root[i];
        f.cfg = cfg_only[i];
    }
    // A reached module file that does not parse hides its children: reachability below its
    // directory is unknown (no orphan findings there).
    let mut unknown = Vec::new();
    // (a skipped file's content is unknown too: a FIFO or an oversized module file)
    for problem in a.problems.iter().filter(|p| matches!(p.kind, ProblemKind::Parse | ProblemKind::Skipped)) {
        let Some(i) = a.file_index(&problem.path) else { continue };
        let f = &a.files[i];
        let dir = f.path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mod_rs = f.root || f.file_name() == "mod.rs" || path_loaded[i];
        let own = if mod_rs { dir } else { dir.join(f.path.file_stem().unwrap_or_default()) };
        unknown.push(own.into_boxed_path());
    }
    // problems are sorted by path: one binary search per root (there may be thousands of
    // `src/bin/*.rs` roots and as many problems)
    let parse_problem = |path: &Path| {
        let start = a.problems.partition_point(|p| key(&p.path) < key(path));
        a.problems[start..]
            .iter()
            .take_while(|p| *p.path == *path)
            .any(|p| matches!(p.kind, ProblemKind::Parse | ProblemKind::Skipped))
    };
    if roots.iter().any(|&r| parse_problem(&a.files[r].path)) {
        unknown.push(Path::new("src").into());
    }
    // sorted, for `Analysis::reach_unknown`'s binary search
    unknown.sort_unstable_by(|x, y| key(x).cmp(key(y)));
    unknown.dedup();
    a.unknown = unknown;
}

/// Lexically normalise `a/./b/../c` → `a/c`; `None` if it leaves the root.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Indices of the crate root files.
fn crate_roots(a: &Analysis) -> Vec<usize> {
    let mut paths: Vec<PathBuf> = vec![PathBuf::from("src/main.rs"), PathBuf::from("src/lib.rs")];
    for f in &a.files {
        let p = &f.path;
        if let Ok(rest) = p.strip_prefix("src/bin") {
            let comps: Vec<_> = rest.components().collect();
            let is_root = match comps.as_slice() {
                [_] => true,
                [_, file] => file.as_os_str() == "main.rs",
                _ => false,
            };
            if is_root {
                paths.push(p.to_path_buf());
            }
        }
    }
    paths.extend(manifest_targets(&a.root));
    let mut roots: Vec<usize> =
        paths.iter().filter_map(|p| normalize(p)).filter_map(|p| a.file_index(&p)).collect();
    roots.sort_unstable();
    roots.dedup();
    roots
}

/// `[lib] path` and `[[bin]] path` entries of `Cargo.toml` (errors ignored: doctor reports them).
fn manifest_targets(root: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(root.join("Cargo.toml")) else { return Vec::new() };
    let Ok(doc) = text.parse::<toml::Table>() else { return Vec::new() };
    let mut out = Vec::new();
    if let Some(p) = doc.get("lib").and_then(|l| l.get("path")).and_then(|p| p.as_str()) {
        out.push(PathBuf::from(p));
    }
    if let Some(bins) = doc.get("bin").and_then(|b| b.as_array()) {
        for bin in bins {
            if let Some(p) = bin.get("path").and_then(|p| p.as_str()) {
                out.push(PathBuf::from(p));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::super::{Options, analyze};
    use super::*;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("Cargo.toml"), "[package]\nname = \"x\"\nversion = \"0.1.0\"\n").unwrap();
        for (path, text) in files {
            let p = tmp.path().join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        tmp
    }

    fn options() -> Options {
        Options {
            features_dir: "src/features".into(),
            core_dir: "src/core".into(),
            exclude: Vec::new(),
            io_deny: Vec::new(),
            threads: 2,
            flow: true,
        }
    }

    fn reach_of(a: &Analysis, p: &str) -> Reach {
        a.file(Path::new(p)).unwrap_or_else(|| panic!("{p} not analysed")).reach
    }

    #[test]
    fn follows_mod_path_inline_cfg_include_and_test_modules() {
        let tmp = project(&[
            (
                "src/main.rs",
                "mod a;\n#[path = \"elsewhere/b_impl.rs\"] mod b;\n#[cfg(windows)] mod c;\nmod inl { mod d; #[path = \"e2.rs\"] mod e; }\n#[cfg_attr(unix, path = \"f_unix.rs\")] mod f;\ncfg_if::cfg_if! { if #[cfg(x)] { mod g; } }\ninclude!(\"gen/h.rs\");\n#[cfg(test)] mod tests;\nfn main() {}\n",
            ),
            ("src/a.rs", "mod child;\n"),
            ("src/a/child.rs", ""),
            ("src/elsewhere/b_impl.rs", "mod sub;\n"),
            ("src/elsewhere/sub.rs", ""),
            ("src/c.rs", ""),
            ("src/inl/d.rs", ""),
            ("src/inl/e2.rs", ""),
            ("src/f_unix.rs", ""),
            ("src/f.rs", ""),
            ("src/g/mod.rs", ""),
            ("src/gen/h.rs", ""),
            ("src/tests.rs", "mod helpers;\n"),
            ("src/tests/helpers.rs", ""),
            ("src/orphan.rs", ""),
            ("src/bin/tool.rs", "mod extra;\nfn main() {}\n"),
            ("src/bin/extra.rs", ""),
        ]);
        let a = analyze(&tmp.path().canonicalize().unwrap(), &options()).unwrap();
        for p in [
            "src/main.rs",
            "src/a.rs",
            "src/a/child.rs",
            "src/elsewhere/b_impl.rs",
            "src/elsewhere/sub.rs",
            "src/c.rs",
            "src/inl/d.rs",
            "src/inl/e2.rs",
            "src/f_unix.rs",
            "src/f.rs",
            "src/g/mod.rs",
            "src/gen/h.rs",
            "src/bin/tool.rs",
            "src/bin/extra.rs",
        ] {
            assert_eq!(reach_of(&a, p), Reach::Yes, "{p}");
        }
        assert_eq!(reach_of(&a, "src/tests.rs"), Reach::Test);
        assert_eq!(reach_of(&a, "src/tests/helpers.rs"), Reach::Test);
        assert_eq!(reach_of(&a, "src/orphan.rs"), Reach::Unreached);
    }

    #[test]
    fn an_unparsable_module_file_makes_its_children_unknown_not_orphans() {
        let tmp = project(&[
            ("src/lib.rs", "pub mod broken;\n"),
            ("src/broken/mod.rs", "pub mod child;\nfn x( {\n"),
            ("src/broken/child.rs", ""),
        ]);
        let a = analyze(&tmp.path().canonicalize().unwrap(), &options()).unwrap();
        assert_eq!(a.problems.len(), 1, "{:?}", a.problems);
        assert_eq!(reach_of(&a, "src/broken/mod.rs"), Reach::Yes);
        assert_eq!(reach_of(&a, "src/broken/child.rs"), Reach::Unreached);
        assert!(a.reach_unknown(Path::new("src/broken/child.rs")));
    }

    #[test]
    fn manifest_lib_path_is_a_root() {
        // a crate root resolves `mod` next to itself, whatever its name
        let tmp = project(&[("src/engine.rs", "mod part;\n"), ("src/part.rs", "")]);
        fs::write(
            tmp.path().join("Cargo.toml"),
            "[package]\nname = \"x\"\nversion = \"0.1.0\"\n[lib]\npath = \"src/engine.rs\"\n",
        )
        .unwrap();
        let a = analyze(&tmp.path().canonicalize().unwrap(), &options()).unwrap();
        assert!(a.has_roots);
        assert_eq!(reach_of(&a, "src/part.rs"), Reach::Yes);
    }
}
