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
    let mut module = vec![false; n];
    let mut work: Vec<usize> = Vec::new();
    for &r in &roots {
        is_root[r] = true;
        reach[r] = Reach::Yes;
        work.push(r);
    }
    // The other cargo targets (tests, benches, examples, the build script) are compiled too,
    // but not into the crate: what they reach under the analysed folders is test-only.
    let (target_roots, target_loaded) = cargo_targets(a);
    for r in target_roots {
        if reach[r] == Reach::Unreached {
            is_root[r] = true;
            reach[r] = Reach::Test;
            work.push(r);
        }
    }
    for (j, by_mod) in target_loaded {
        module[j] |= by_mod;
        if reach[j] == Reach::Unreached {
            reach[j] = Reach::Test;
            path_loaded[j] = true;
            work.push(j);
        }
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
        // (file, reach, only through cfg, through `#[path]` / `include!`, through `mod`)
        let mut targets: Vec<(usize, Reach, bool, bool, bool)> = Vec::new();
        let mut buf = String::new();
        // folders where a macro declaring `mod $name;` may be invoked from another file
        let mut macro_unknown: Vec<Box<Path>> = Vec::new();
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
            let push_dir = |buf: &mut String, inline: &str, from_path: bool| {
                buf.clear();
                buf.push_str(dir);
                if !mod_rs && !from_path {
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
                    Fact::Mod { name, .. } if name.starts_with('$') => {
                        // Its modules are named where it is invoked, in another file: what is
                        // next to this file, and below it, is of unknown reach (never an orphan).
                        macro_unknown.push(Path::new(dir).into());
                        if !mod_rs {
                            macro_unknown.push(Path::new(dir).join(stem).into());
                        }
                    }
                    Fact::Mod { name, flags: fl, .. } => {
                        let (paths, inline) = fact.mod_location();
                        let child_reach = if fl & flags::TEST != 0 { Reach::Test } else { here };
                        let child_cfg = here_cfg || fl & flags::CFG != 0;
                        for p in paths.iter() {
                            if inline.is_empty() {
                                buf.clear();
                                buf.push_str(dir);
                            } else {
                                push_dir(&mut buf, inline, fact.inline_from_path());
                            }
                            if let Some(j) =
                                normalize(&Path::new(&buf).join(&**p)).and_then(|t| lookup_path(&t))
                            {
                                targets.push((j, child_reach, child_cfg, true, true));
                            }
                        }
                        if paths.is_empty() || fl & flags::DEFAULT_PATH_TOO != 0 {
                            // A `mod x;` of a `macro_rules!` body is resolved where the macro
                            // is invoked; most often that is the module declaring the defining
                            // file (`src/macros.rs` defines, `src/lib.rs` invokes): look next to
                            // the file too.
                            let twice = fl & flags::MACRO_DEF != 0 && !mod_rs && inline.is_empty();
                            for next_to_file in [false, true] {
                                if next_to_file && !twice {
                                    break;
                                }
                                if next_to_file {
                                    buf.clear();
                                    buf.push_str(dir);
                                } else {
                                    push_dir(&mut buf, inline, fact.inline_from_path());
                                }
                                let base = buf.len();
                                buf.push('/');
                                buf.push_str(name);
                                buf.push_str(".rs");
                                if let Some(j) = lookup(&buf) {
                                    targets.push((j, child_reach, child_cfg, false, true));
                                }
                                buf.truncate(base);
                                buf.push('/');
                                buf.push_str(name);
                                buf.push_str("/mod.rs");
                                if let Some(j) = lookup(&buf) {
                                    targets.push((j, child_reach, child_cfg, false, true));
                                }
                            }
                        }
                    }
                    Fact::Include { path: p, .. } => {
                        if let Some(j) = normalize(&include_path(dir, p)).and_then(|t| lookup_path(&t)) {
                            targets.push((j, here, here_cfg, true, false));
                        }
                    }
                    _ => {}
                }
            }
            for &(j, child_reach, child_cfg, via_path, by_mod) in &targets {
                // reach only grows; "reached only through cfg" only turns false
                let was = reach[j];
                let cfg = if was == Reach::Unreached { child_cfg } else { cfg_only[j] && child_cfg };
                module[j] |= by_mod;
                if child_reach > was || cfg != cfg_only[j] || (via_path && !path_loaded[j]) {
                    reach[j] = reach[j].max(child_reach);
                    cfg_only[j] = cfg;
                    path_loaded[j] |= via_path;
                    work.push(j);
                }
            }
        }
        a.unknown = macro_unknown;
    }
    data_folders(a, &mut reach, &module, &is_root);
    for (i, f) in a.files.iter_mut().enumerate() {
        f.reach = reach[i];
        f.root = is_root[i];
        f.cfg = cfg_only[i];
        f.path_loaded = path_loaded[i];
        f.module = module[i];
    }
    // A reached module file that does not parse hides its children: reachability below its
    // directory is unknown (no orphan findings there).
    let mut unknown = std::mem::take(&mut a.unknown);
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

/// A folder whose reached `.rs` files are all data (reached only through `include_str!` or a
/// file mention, no `mod`) holds data: its unreached `.rs` files are data too, read under
/// names the source computes (zerocopy-derive's `concat!("expected/into_bytes_enum.",
/// stringify!($repr), ".expected.rs")`). They count as reached (test-only), not as orphans.
/// One pass over the files and one over the folders: linear.
fn data_folders(a: &Analysis, reach: &mut [Reach], module: &[bool], is_root: &[bool]) {
    // folder -> (holds a data file, holds a module or a crate root)
    let mut folders: FastMap<&[u8], (bool, bool)> = FastMap::default();
    for (i, f) in a.files.iter().enumerate() {
        let Some(dir) = f.path.parent() else { continue };
        if reach[i] == Reach::Unreached {
            continue;
        }
        let e = folders.entry(key(dir)).or_default();
        if module[i] || is_root[i] {
            e.1 = true;
        } else {
            e.0 = true;
        }
    }
    for (i, f) in a.files.iter().enumerate() {
        if reach[i] != Reach::Unreached || is_root[i] {
            continue;
        }
        let Some(dir) = f.path.parent() else { continue };
        if folders.get(key(dir)).is_some_and(|&(data, modules)| data && !modules) {
            reach[i] = Reach::Test;
        }
    }
}

/// Where an `include!` of `path` in a file of folder `dir` points (root-relative).
fn include_path(dir: &str, path: &str) -> PathBuf {
    match path.strip_prefix(super::scan::MANIFEST_DIR) {
        Some(from_root) => PathBuf::from(from_root.trim_start_matches('/')),
        None => Path::new(dir).join(path),
    }
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

/// The cargo targets other than the library and binaries: `build.rs` (or `package.build`),
/// `tests/`, `benches/`, `examples/` and the `[[test]]` / `[[bench]]` / `[[example]]` paths of
/// `Cargo.toml`. Returns the analysed files that are such a target's root, and the analysed
/// files a target outside the analysed folders loads through `#[path]` or `include!` (e.g.
/// `tests/parse.rs` with `#[path = "../src/parse.rs"] mod parse;`). Every file of those
/// folders is read once (linear in their size); unreadable ones are skipped: they are not
/// the crate's code, and cargo reports them.
fn cargo_targets(a: &Analysis) -> (Vec<usize>, Vec<(usize, bool)>) {
    let doc = std::fs::read_to_string(a.root.join("Cargo.toml"))
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .unwrap_or_default();
    let mut sources: Vec<PathBuf> = Vec::new();
    match doc.get("package").and_then(|p| p.get("build")) {
        Some(toml::Value::String(p)) => sources.push(PathBuf::from(p)),
        Some(toml::Value::Boolean(false)) => {}
        _ => sources.push(PathBuf::from("build.rs")),
    }
    for table in ["test", "bench", "example"] {
        for t in doc.get(table).and_then(|t| t.as_array()).into_iter().flatten() {
            if let Some(p) = t.get("path").and_then(|p| p.as_str()) {
                sources.push(PathBuf::from(p));
            }
        }
    }
    for dir in ["tests", "benches", "examples"] {
        let walk = walkdir::WalkDir::new(a.root.join(dir)).into_iter().filter_map(Result::ok);
        for e in walk.filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "rs")) {
            if let Ok(rel) = e.path().strip_prefix(&a.root) {
                sources.push(rel.to_path_buf());
            }
        }
    }
    let (mut roots, mut loaded) = (Vec::new(), Vec::new());
    let mut scanner = super::scan::Scanner::new();
    for rel in sources.iter().filter_map(|p| normalize(p)) {
        if let Some(i) = a.file_index(&rel) {
            roots.push(i);
            continue;
        }
        let Ok(text) = std::fs::read_to_string(a.root.join(&rel)) else { continue };
        let input = super::scan::Input {
            src: &text,
            module: &[],
            refs: super::scan::RefPolicy::None,
            flow: false,
            events: None,
        };
        let Ok(facts) = scanner.scan(input) else { continue };
        let dir = rel.parent().unwrap_or(Path::new(""));
        for fact in facts.iter() {
            let by_mod = matches!(fact, Fact::Mod { .. });
            let found: Vec<PathBuf> = match fact {
                Fact::Include { path, .. } => vec![include_path(&dir.to_string_lossy(), path)],
                Fact::Mod { .. } => {
                    let (paths, inline) = fact.mod_location();
                    // most of these files are crate roots: paths resolve next to them
                    let base = dir.join(inline);
                    paths.iter().map(|p| base.join(&**p)).collect()
                }
                _ => Vec::new(),
            };
            loaded.extend(
                found
                    .iter()
                    .filter_map(|p| normalize(p))
                    .filter_map(|p| a.file_index(&p))
                    .map(|j| (j, by_mod)),
            );
        }
    }
    (roots, loaded)
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
    fn cfg_attr_alternatives_keep_the_default_and_macro_modules_resolve_at_the_invocation() {
        let tmp = project(&[
            (
                "src/lib.rs",
                "#[macro_use] mod macros;\nprelude!();\n\
                 #[cfg_attr(unix, path = \"unix.rs\")]\n#[cfg_attr(windows, path = \"windows.rs\")]\nmod sys;\n\
                 mod backends;\nconst D: &str = include_str!(\"data.rs\");\n",
            ),
            ("src/macros.rs", "macro_rules! prelude { () => { #[cfg(x)] pub mod types; }; }\n"),
            ("src/types.rs", ""),
            ("src/unix.rs", ""),
            ("src/windows.rs", ""),
            ("src/sys.rs", ""),
            ("src/backends.rs", "mod getrandom;\n"),
            (
                "src/backends/getrandom.rs",
                "#[path = \"../utils/fill.rs\"] mod utils;\n#[path = \"3ds.rs\"] mod util_3ds;\n",
            ),
            ("src/backends/3ds.rs", ""),
            ("src/utils/fill.rs", "mod errno;\n"),
            ("src/utils/errno.rs", ""),
            ("src/data.rs", ""),
        ]);
        let a = analyze(&tmp.path().canonicalize().unwrap(), &options()).unwrap();
        for p in [
            "src/types.rs",
            "src/unix.rs",
            "src/windows.rs",
            "src/sys.rs",
            "src/utils/fill.rs",
            "src/utils/errno.rs",
        ] {
            assert_eq!(reach_of(&a, p), Reach::Yes, "{p}");
        }
        let file = |p: &str| a.file(Path::new(p)).unwrap();
        // loaded through `#[path]`: its modules are next to it, and its name is no module name
        assert!(file("src/utils/fill.rs").is_mod_rs());
        assert!(!file("src/backends/3ds.rs").is_included_only());
        assert!(!file("src/backends.rs").is_mod_rs());
        assert!(file("src/data.rs").is_included_only());
    }

    #[test]
    fn tests_benches_examples_and_the_build_script_reach_files_of_src() {
        let tmp = project(&[
            ("src/lib.rs", ""),
            ("build.rs", "include!(\"src/shared_build.rs\");\nfn main() {}\n"),
            ("src/shared_build.rs", ""),
            ("tests/parse.rs", "#[path = \"../src/parse.rs\"]\nmod parse;\n"),
            ("src/parse.rs", ""),
            ("tests/common/mod.rs", "#[path = \"../../src/helpers.rs\"] pub mod helpers;\n"),
            ("src/helpers.rs", ""),
            ("examples/demo.rs", "mod inner { #[path = \"../../src/ex.rs\"] mod ex; }\nfn main() {}\n"),
            ("src/ex.rs", ""),
            ("src/bench_main.rs", "mod bench_part;\nfn main() {}\n"),
            ("src/bench_part.rs", ""),
            ("src/orphan.rs", ""),
        ]);
        fs::write(
            tmp.path().join("Cargo.toml"),
            "[package]\nname = \"x\"\nversion = \"0.1.0\"\n[[bench]]\nname = \"b\"\npath = \"src/bench_main.rs\"\n",
        )
        .unwrap();
        let a = analyze(&tmp.path().canonicalize().unwrap(), &options()).unwrap();
        for p in [
            "src/shared_build.rs",
            "src/parse.rs",
            "src/helpers.rs",
            "src/ex.rs",
            "src/bench_main.rs",
            "src/bench_part.rs",
        ] {
            assert_eq!(reach_of(&a, p), Reach::Test, "{p}");
        }
        assert_eq!(reach_of(&a, "src/orphan.rs"), Reach::Unreached);
    }

    #[test]
    fn a_folder_of_data_files_holds_no_orphans() {
        let tmp = project(&[
            ("src/lib.rs", "#[cfg(test)]\nmod output_tests;\n"),
            ("src/output_tests/mod.rs", "test!(eq => \"expected/eq.expected.rs\");\n"),
            ("src/output_tests/expected/eq.expected.rs", ""),
            // named by `concat!`: unknown, but its folder holds data only
            ("src/output_tests/expected/repr(u8).expected.rs", ""),
            // a folder of modules keeps its orphans
            ("src/output_tests/stale.rs", ""),
        ]);
        let a = analyze(&tmp.path().canonicalize().unwrap(), &options()).unwrap();
        assert_eq!(reach_of(&a, "src/output_tests/expected/eq.expected.rs"), Reach::Test);
        assert_eq!(reach_of(&a, "src/output_tests/expected/repr(u8).expected.rs"), Reach::Test);
        assert!(
            a.file(Path::new("src/output_tests/expected/repr(u8).expected.rs")).unwrap().is_included_only()
        );
        assert_eq!(reach_of(&a, "src/output_tests/stale.rs"), Reach::Unreached);
    }

    #[test]
    fn an_inline_module_with_a_path_is_relative_to_the_file_folder_even_in_a_non_mod_rs_file() {
        // what rustc reads (checked with rustc 1.9x): rustls-webpki's
        // `#[path = "."] mod tests { #[path = "alg_tests.rs"] mod alg_tests; }` in src/ring_algs.rs
        let tmp = project(&[
            ("src/lib.rs", "mod a;\nmod b;\n"),
            (
                "src/a.rs",
                "#[cfg(test)]\n#[path = \".\"]\nmod tests { #[path = \"alg_tests.rs\"] mod alg_tests; }\n",
            ),
            ("src/alg_tests.rs", ""),
            ("src/b.rs", "mod u { #[path = \"q\"] mod t { #[path = \"x.rs\"] mod x; } }\n"),
            ("src/b/u/q/x.rs", ""),
        ]);
        let a = analyze(&tmp.path().canonicalize().unwrap(), &options()).unwrap();
        assert_eq!(reach_of(&a, "src/alg_tests.rs"), Reach::Test);
        assert_eq!(reach_of(&a, "src/b/u/q/x.rs"), Reach::Yes);
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
