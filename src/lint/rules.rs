//! The checks behind [`super::RULES`]. Each takes the whole-project model and appends findings;
//! cross-file rules build small hash indexes first, so every rule is linear in the facts.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use heck::ToSnakeCase;

use super::{Finding, Fix, Settings, Severity, pascal_words, words_match};
use crate::analysis::place::Rest;
use crate::analysis::{
    Analysis, Chunks, Fact, FastMap as HashMap, FastSet as HashSet, Folder, Loc, Place, ProblemKind, Reach,
    SourceFile, TypeKind, flags,
};

/// Run every enabled rule. The rules only read the analysis, so they run side by side, on as
/// many threads as there are cores (at 100k files the serial time after the parallel walk
/// matters; more threads would only hold more rules' indexes in memory at once).
pub(super) fn run<'a>(a: &'a Analysis, s: &'a Settings) -> Vec<Finding<'a>> {
    type Check = for<'a> fn(&'a Analysis, &'a Settings, Severity, &mut Chunks<Finding<'a>>);
    let checks: [(&str, Check); 10] = [
        ("pairing", pairing),
        ("registration", registration),
        ("boundaries", boundaries),
        ("orphan-module", orphan_module),
        ("missing-module", missing_module),
        ("file-naming", file_naming),
        ("type-naming", type_naming),
        ("god-event", god_event),
        ("layout", layout),
        ("parse-error", parse_error),
    ];
    let enabled: Vec<(Check, Severity)> =
        checks.into_iter().filter_map(|(id, check)| s.severity(id).map(|sev| (check, sev))).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, enabled.len().max(1));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Chunks::new();
                    while let Some((check, sev)) =
                        enabled.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                    {
                        check(a, s, *sev, &mut out);
                    }
                    out
                })
            })
            .collect();
        let found = handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        Chunks::merge(found.collect())
    })
}

/// A finding of a common kind, its text rendered when asked for.
#[expect(clippy::borrowed_box, reason = "see `Finding::path`")]
fn lazy<'a>(
    rule: &'static str,
    severity: Severity,
    path: &'a Box<Path>,
    loc: Option<Loc>,
    what: What<'a>,
) -> Finding<'a> {
    Finding { rule: super::rule_index(rule), severity, path, loc, what }
}

impl Finding<'_> {
    /// The same finding with a fix (findings written out with [`Finding::new`]).
    fn with_fix(mut self, fix: Fix) -> Self {
        match &mut self.what {
            What::Text(t) => t.fix = Some(fix),
            // the rendered kinds derive their fix from their facts (`What::fix`)
            _ => debug_assert!(false, "with_fix on a rendered finding"),
        }
        self
    }
}

/// A finding's message, hint and fix: written out ([`What::Text`]), or, for the kinds a large
/// tree has by the thousand, the facts they are rendered from when printed.
/// Names are thin references to the facts' boxes (16 bytes at most per variant).
#[derive(Debug, Clone)]
#[expect(clippy::borrowed_box, reason = "thin pointers: a large tree has many findings")]
pub(super) enum What<'a> {
    /// Written out.
    Text(Box<Text>),
    /// pairing: a job that no executor implements.
    NoExecutor { job: &'a Box<str>, place: &'a Place },
    /// pairing: an `...Executor` type implementing no `Executor<Job>`.
    NoImpl { executor: &'a Box<str>, place: &'a Place },
    /// boundaries: an orchestrator using executor code.
    OrchestratorUsesExecutor { path: &'a Box<str> },
    /// type-naming: a public data type without its folder's suffix.
    TypeName { name: &'a Box<str>, kind: TypeKind, folder: Folder },
}

/// A written-out finding's text.
#[derive(Debug, Clone)]
pub(super) struct Text {
    pub(super) message: String,
    pub(super) hint: Option<String>,
    pub(super) fix: Option<Fix>,
}

impl What<'_> {
    pub(super) fn message(&self) -> Cow<'_, str> {
        Cow::Owned(match self {
            What::Text(t) => return Cow::Borrowed(&t.message),
            What::NoExecutor { job, .. } => {
                format!("job `{job}` has no executor (no `impl Executor<{job}> for ..`)")
            }
            What::NoImpl { executor, .. } => format!("executor `{executor}` implements no `Executor<Job>`"),
            What::OrchestratorUsesExecutor { path } => {
                format!(
                    "orchestrator uses executor code `{path}`; orchestrators dispatch jobs, executors run them"
                )
            }
            What::TypeName { name, kind, folder } => {
                let wanted =
                    folder.suffixes().iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" or ");
                format!("public {} `{name}` in {}/ does not end in {wanted}", kind.keyword(), folder.name())
            }
        })
    }

    pub(super) fn hint(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Owned(match self {
            What::Text(t) => return t.hint.as_deref().map(Cow::Borrowed),
            What::NoExecutor { job, place } => {
                format!(
                    "run `orch add executor {}{}` (or `orch lint --fix`)",
                    job_stem(job),
                    feature_flag(place)
                )
            }
            What::NoImpl { executor, place } => {
                let base = executor.strip_suffix("Executor").unwrap_or(executor);
                format!(
                    "implement `Executor<{base}Job>` for it (`orch add executor {}{}` shows the shape), or remove it",
                    base.to_snake_case(),
                    feature_flag(place)
                )
            }
            What::OrchestratorUsesExecutor { .. } => {
                return Some(Cow::Borrowed(
                    "dispatch the executor's job instead (`cx.dispatch(XJob { .. })`); the dispatcher routes it",
                ));
            }
            What::TypeName { name, folder, .. } => {
                // a data type in orchestrators/ is most likely part of the state
                let suffix = if *folder == Folder::Orchestrators { "State" } else { folder.suffixes()[0] };
                format!(
                    "rename it to `{name}{suffix}`, make it private, or move it to the folder that matches its role"
                )
            }
        }))
    }

    pub(super) fn fix(&self) -> Option<Fix> {
        match self {
            What::Text(t) => t.fix.clone(),
            What::NoExecutor { job, place } if self.fixable() => {
                Some(Fix::AddExecutor { feature: place.feature().map(str::to_string), job: job.to_string() })
            }
            _ => None,
        }
    }

    pub(super) fn fixable(&self) -> bool {
        match self {
            What::Text(t) => t.fix.is_some(),
            What::NoExecutor { place, .. } => matches!(place, Place::Feature { .. } | Place::Core { .. }),
            _ => false,
        }
    }
}

/// Files whose facts are compiled: reached by normal code (or every file when no crate root
/// was found).
fn live(a: &Analysis, f: &SourceFile) -> bool {
    f.reach == Reach::Yes || (!a.has_roots && f.reach != Reach::Test)
}

fn file_name(path: &Path) -> std::borrow::Cow<'_, str> {
    path.file_name().unwrap_or_default().to_string_lossy()
}

/// `--feature x` for a feature, nothing for core.
fn feature_flag(place: &Place) -> String {
    match place.feature() {
        Some(f) => format!(" --feature {f}"),
        None => String::new(),
    }
}

/// Where a component of `place` is registered: the feature's (or core's) module file.
fn register_file(a: &Analysis, place: &Place) -> Option<PathBuf> {
    let dir = match place {
        Place::Feature { feature, .. } => a.options.features_dir.join(&**feature),
        Place::Core { .. } => a.options.core_dir.clone(),
        _ => return None,
    };
    module_file_of_dir(a, &dir)
}

/// `dir/mod.rs` or `dir.rs`, whichever exists (in the analysis).
fn module_file_of_dir(a: &Analysis, dir: &Path) -> Option<PathBuf> {
    let mod_rs = dir.join("mod.rs");
    if a.file(&mod_rs).is_some() {
        return Some(mod_rs);
    }
    let sibling = dir.with_extension("rs");
    a.file(&sibling).is_some().then_some(sibling)
}

// ---------------------------------------------------------------------------------------------

fn allowed_folder(s: &Settings, name: &str) -> bool {
    Folder::from_name(name).is_some() || s.extra_folders.iter().any(|e| e == name)
}

fn layout<'a>(a: &'a Analysis, s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    let allowed_list = || {
        let mut names: Vec<String> = Folder::ALL.iter().map(|f| format!("{}/", f.name())).collect();
        names.extend(s.extra_folders.iter().map(|e| format!("{e}/")));
        names.join(", ")
    };
    for d in &a.dirs {
        let owner = match &d.place {
            Place::Feature { feature, rest: Rest::Top } => format!("feature `{feature}`"),
            Place::Core { rest: Rest::Top } => "core".to_string(),
            _ => continue,
        };
        let name = file_name(&d.path);
        if d.path.file_name().and_then(|n| n.to_str()).is_some_and(|n| allowed_folder(s, n)) {
            continue;
        }
        out.push(Finding::new(
            "layout",
            sev,
            &d.path,
            None,
            format!("folder `{name}/` is not part of the layout of {owner} (allowed: {})", allowed_list()),
            Some(format!(
                "move its code into the component folder it belongs to, or allow the folder with `[lint] extra_folders = [\"{name}\"]` in orch.toml"
            )),
        ));
    }
    for f in &a.files {
        match &f.place {
            Place::Feature { rest: Rest::Top, .. } | Place::Core { rest: Rest::Top } => {
                let ok = f.file_name() == "mod.rs" || f.stem().is_some_and(|st| allowed_folder(s, st));
                if !ok {
                    let owner = match f.place.feature() {
                        Some(feat) => format!("feature `{feat}`"),
                        None => "core".to_string(),
                    };
                    out.push(Finding::new(
                        "layout",
                        sev,
                        &f.path,
                        None,
                        format!("file `{}` is directly in {owner}, outside its component folders", file_name(&f.path)),
                        Some(format!(
                            "move it into {} (or out of the features folder); a feature's own code lives in `mod.rs`",
                            allowed_list()
                        )),
                    ));
                }
            }
            Place::Features => {
                if f.file_name() == "mod.rs" {
                    continue;
                }
                let dir = f.path.with_extension("");
                if a.has_dir(&dir) {
                    continue; // `features/auth.rs` next to `features/auth/`
                }
                let stem = f.stem().unwrap_or("name").to_snake_case();
                out.push(Finding::new(
                    "layout",
                    sev,
                    &f.path,
                    None,
                    format!(
                        "file `{}` is directly in the features folder; features are folders",
                        file_name(&f.path)
                    ),
                    Some(format!(
                        "make it a feature folder (`orch new feature {stem}` generates one) or move it out of {}",
                        crate::plan::display(&a.options.features_dir)
                    )),
                ));
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------

/// snake_case: lowercase letters, digits and `_`, not starting with a digit.
pub(crate) fn is_snake(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c == '_' || c.is_ascii_digit() || (c.is_alphabetic() && !c.is_uppercase()))
}

/// `src/bin/x` (a binary crate root or its folder): exempt from naming.
fn in_bin(path: &Path) -> bool {
    crate::analysis::key(path).strip_prefix(b"src/bin/").is_some_and(|rest| !rest.contains(&b'/'))
}

fn file_naming<'a>(a: &'a Analysis, _s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    for d in &a.dirs {
        if in_bin(&d.path) {
            continue;
        }
        match d.path.file_name().and_then(|n| n.to_str()) {
            Some(name) if is_snake(name) => {}
            Some(name) => out.push(Finding::new(
                "file-naming",
                sev,
                &d.path,
                None,
                format!("folder name `{name}` is not snake_case"),
                Some(format!("rename it to `{}/` (and its `mod` line)", name.to_snake_case())),
            )),
            None => out.push(Finding::new(
                "file-naming",
                sev,
                &d.path,
                None,
                format!("folder name `{}` is not valid UTF-8", file_name(&d.path)),
                Some("rename it with a snake_case name".to_string()),
            )),
        }
    }
    for f in &a.files {
        if f.root && in_bin(&f.path) {
            continue;
        }
        match f.stem() {
            Some(stem) if is_snake(stem) => {}
            Some(stem) => out.push(Finding::new(
                "file-naming",
                sev,
                &f.path,
                None,
                format!("file name `{stem}.rs` is not snake_case"),
                Some(format!("rename it to `{}.rs` (and its `mod` line or `#[path]`)", stem.to_snake_case())),
            )),
            None => out.push(Finding::new(
                "file-naming",
                sev,
                &f.path,
                None,
                format!("file name `{}` is not valid UTF-8; it cannot be a Rust module", file_name(&f.path)),
                Some("rename it with a snake_case name".to_string()),
            )),
        }
    }
}

// ---------------------------------------------------------------------------------------------

fn is_data_type(kind: TypeKind) -> bool {
    matches!(kind, TypeKind::Struct | TypeKind::Enum | TypeKind::Union)
}

fn type_naming<'a>(a: &'a Analysis, _s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    for f in &a.files {
        let Some(folder) = f.place.folder() else { continue };
        let suffixes = folder.suffixes();
        for (name, kind, loc) in f.public_type_names() {
            if !is_data_type(kind) || suffixes.iter().any(|s| name.ends_with(s) && name.len() > s.len()) {
                continue;
            }
            out.push(lazy("type-naming", sev, &f.path, Some(loc), What::TypeName { name, kind, folder }));
        }
    }
}

// ---------------------------------------------------------------------------------------------

/// Job stem for CLI hints: `FetchUserJob` → `fetch_user`.
fn job_stem(job: &str) -> String {
    job.strip_suffix("Job").filter(|s| !s.is_empty()).unwrap_or(job).to_snake_case()
}

fn item_level_mentions(a: &Analysis) -> HashSet<&str> {
    let mut set = HashSet::default();
    for f in a.files.iter().filter(|f| live(a, f)) {
        for fact in f.live_facts() {
            if let Fact::MacroMention { name, flags: fl, .. } = fact
                && fl & flags::ITEM_LEVEL != 0
            {
                set.insert(&**name);
            }
        }
    }
    set
}

/// The executors of a job that has several (cfg'd alternatives left out): how many, and the
/// first few as `` `E` (path:line) ``. Capped: a job declared in k files with n executors
/// would otherwise print k × n entries.
fn executor_list(all: &[(&str, &SourceFile, Loc, bool)]) -> (usize, String) {
    const SHOWN: usize = 5;
    let many: Vec<_> = all.iter().filter(|i| !i.3).collect();
    let mut list = many
        .iter()
        .take(SHOWN)
        .map(|(e, file, l, _)| format!("`{e}` ({}:{})", super::show(&file.path), l.line))
        .collect::<Vec<_>>()
        .join(", ");
    if many.len() > SHOWN {
        list.push_str(&format!(" and {} more", many.len() - SHOWN));
    }
    (many.len(), list)
}

fn pairing<'a>(a: &'a Analysis, _s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    let mentions = item_level_mentions(a);
    // job -> impls (executor, file, loc, behind a cfg)
    let mut impls: HashMap<&str, Vec<(&str, &SourceFile, Loc, bool)>> = HashMap::default();
    for f in a.files.iter().filter(|f| live(a, f)) {
        for fact in f.live_facts() {
            if let Fact::ExecutorImpl { job, executor, loc, flags: fl } = fact {
                impls.entry(job).or_default().push((executor, f, *loc, f.cfg || fl & flags::CFG != 0));
            }
        }
    }
    let implementing: HashSet<&str> = impls.values().flatten().map(|(e, _, _, _)| *e).collect();
    // the implemented jobs declared somewhere (an index of every type would be large)
    let declared: HashSet<&str> = a
        .files
        .iter()
        .flat_map(|f| f.facts.iter())
        .filter_map(|fact| match fact {
            Fact::Type { name, .. } if impls.contains_key(&**name) => Some(&**name),
            _ => None,
        })
        .collect();
    let mut several: HashMap<&str, (usize, String)> = HashMap::default();
    for f in a.files.iter().filter(|f| live(a, f)) {
        match f.place.folder() {
            Some(Folder::Jobs) => {
                for (name, kind, loc) in f.public_type_names() {
                    if !is_data_type(kind) || !name.ends_with("Job") || name.len() <= 3 {
                        continue;
                    }
                    match impls.get(&**name).map(Vec::as_slice) {
                        None | Some([]) if mentions.contains(&**name) => {}
                        None | Some([]) => {
                            out.push(lazy(
                                "pairing",
                                sev,
                                &f.path,
                                Some(loc),
                                What::NoExecutor { job: name, place: &f.place },
                            ));
                        }
                        Some([_]) => {}
                        Some(all) => {
                            // once per job name: it may be declared in many files
                            let (n, list) = several.entry(&**name).or_insert_with(|| executor_list(all));
                            // cfg'd alternatives (one per platform) are one executor
                            if *n <= 1 {
                                continue;
                            }
                            out.push(Finding::new(
                                "pairing",
                                sev,
                                &f.path,
                                Some(loc),
                                format!("job `{name}` has {n} executors: {list}"),
                                Some(
                                    "keep exactly one executor per job type; the dispatcher registers one"
                                        .to_string(),
                                ),
                            ));
                        }
                    }
                }
            }
            Some(Folder::Executors) => {
                for (name, kind, loc) in f.public_type_names() {
                    if !is_data_type(kind)
                        || !name.ends_with("Executor")
                        || name.len() <= 8
                        || implementing.contains(&**name)
                        || mentions.contains(&**name)
                    {
                        continue;
                    }
                    out.push(lazy(
                        "pairing",
                        sev,
                        &f.path,
                        Some(loc),
                        What::NoImpl { executor: name, place: &f.place },
                    ));
                }
            }
            _ => {}
        }
    }
    let mut ghosts: Vec<(&str, &str, &SourceFile, Loc)> = impls
        .iter()
        .filter(|(job, _)| !declared.contains(**job) && !mentions.contains(**job))
        .flat_map(|(job, v)| v.iter().map(move |(e, f, l, _)| (*job, *e, *f, *l)))
        .collect();
    ghosts.sort_by(|x, y| (&x.2.path, x.3).cmp(&(&y.2.path, y.3)));
    for (job, executor, f, loc) in ghosts {
        out.push(Finding::new(
            "pairing",
            sev,
            &f.path,
            Some(loc),
            format!("executor `{executor}` handles `{job}`, which this crate does not declare"),
            Some(format!(
                "create the job (`orch add job {}{}`) or point the executor at an existing job type",
                job_stem(job),
                feature_flag(&f.place)
            )),
        ));
    }
}

// ---------------------------------------------------------------------------------------------

fn registration<'a>(a: &'a Analysis, _s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    // where each implemented job type is declared (for the fix: `jobs::XJob` must resolve)
    let implemented: HashSet<&str> = a
        .files
        .iter()
        .filter(|f| live(a, f))
        .flat_map(|f| f.live_facts())
        .filter_map(|fact| match fact {
            Fact::ExecutorImpl { job, .. } => Some(&**job),
            _ => None,
        })
        .collect();
    let mut job_files: HashMap<&str, &Path> = HashMap::default();
    for f in a.files.iter().filter(|f| f.place.folder() == Some(Folder::Jobs)) {
        for (name, _, _) in f.public_types().filter(|(name, _, _)| implemented.contains(name)) {
            job_files.entry(name).or_insert(&f.path);
        }
    }
    let mut jobs: HashSet<&str> = HashSet::default();
    let mut executors: HashSet<&str> = HashSet::default();
    for f in a.files.iter().filter(|f| live(a, f)) {
        for fact in f.live_facts() {
            match fact {
                Fact::Register { job, executor, .. } => {
                    if let Some(j) = job {
                        jobs.insert(j);
                    }
                    if let Some(e) = executor {
                        executors.insert(e);
                    }
                }
                Fact::MacroMention { name, flags: fl, .. } if fl & flags::IN_REGISTER_FN != 0 => {
                    jobs.insert(name);
                    executors.insert(name);
                }
                _ => {}
            }
        }
    }
    for f in a.files.iter().filter(|f| live(a, f)) {
        for fact in f.live_facts() {
            let Fact::ExecutorImpl { job, executor, loc, .. } = fact else { continue };
            if jobs.contains(&**job) || executors.contains(&**executor) {
                continue;
            }
            let target = register_file(a, &f.place);
            let where_ = target
                .as_deref()
                .map(|t| format!("`register` in {}", super::show(t)))
                .unwrap_or_else(|| "a `register` function".to_string());
            let mut fnd = Finding::new(
                "registration",
                sev,
                &f.path,
                Some(*loc),
                format!("executor `{executor}` (for `{job}`) is never registered with the dispatcher"),
                Some(format!(
                    "add `builder.register::<jobs::{job}, _>(executors::{executor})?;` to {where_}{}",
                    if target.is_some() && job_files.contains_key(&**job) {
                        " (or run `orch lint --fix`)"
                    } else {
                        ""
                    }
                )),
            );
            // only when the job exists: registering an undeclared job would not compile
            if target.is_some() && job_files.contains_key(&**job) {
                fnd = fnd.with_fix(Fix::Register {
                    feature: f.place.feature().map(str::to_string),
                    job: job.to_string(),
                    executor: executor.to_string(),
                    executor_file: f.path.to_path_buf(),
                    job_file: job_files.get(&**job).map(|p| p.to_path_buf()),
                });
            }
            out.push(fnd);
        }
    }
    // features wired into `features::register`
    let Some(features_file) = module_file_of_dir(a, &a.options.features_dir) else { return };
    let Some(ff) = a.file(&features_file) else { return };
    if !live(a, ff) {
        return;
    }
    let called: HashSet<&str> = ff
        .live_facts()
        .filter_map(|fact| match fact {
            Fact::RegisterCall { module, .. } => Some(&**module),
            Fact::MacroMention { name, .. } => Some(&**name),
            _ => None,
        })
        .collect();
    // the first `mod` line of each name: one pass, not one per feature (a features module
    // may declare thousands)
    let mut decls: HashMap<&str, Loc> = HashMap::default();
    for fact in ff.live_facts() {
        if let Fact::Mod { name, loc, .. } = fact {
            decls.entry(&**name).or_insert(*loc);
        }
    }
    for feature in a.features() {
        let dir = a.options.features_dir.join(feature);
        let Some(module_file) = module_file_of_dir(a, &dir) else { continue };
        let has_register = a
            .file(&module_file)
            .is_some_and(|mf| mf.live_facts().any(|fact| matches!(fact, Fact::RegisterFn { .. })));
        if !has_register || called.contains(feature) {
            continue;
        }
        let Some(&decl) = decls.get(feature) else { continue }; // undeclared: orphan-module reports it
        let fnd = Finding::new(
            "registration",
            sev,
            &ff.path,
            Some(decl),
            format!(
                "feature `{feature}` is not registered: `register` here never calls `{feature}::register`"
            ),
            Some(format!("add `{feature}::register(builder)?;` to `register` (or run `orch lint --fix`)")),
        );
        out.push(fnd.with_fix(Fix::WireFeature { feature: feature.to_string() }));
    }
}

// ---------------------------------------------------------------------------------------------

/// The module file that would declare `path` (`src/a/b/c.rs` → `src/a/b/mod.rs` or
/// `src/a/b.rs`; in `src/` → the crate roots), existing candidates only, in preference order.
fn parent_candidates(a: &Analysis, path: &Path) -> Vec<PathBuf> {
    let dir = if path.file_name().is_some_and(|n| n == "mod.rs") {
        path.parent().and_then(Path::parent)
    } else {
        path.parent()
    };
    let Some(dir) = dir else { return Vec::new() };
    let candidates = if dir == Path::new("src") {
        vec![dir.join("main.rs"), dir.join("lib.rs")]
    } else {
        vec![dir.join("mod.rs"), dir.with_extension("rs")]
    };
    candidates.into_iter().filter(|c| a.file(c).is_some()).collect()
}

/// How many files are unreached before each index of [`Analysis::files`], so the orphan rule
/// counts the unreached files below a folder with two binary searches. (It used to re-scan every
/// file for each orphan: 12k orphan files took 20 s, a 144k-file tree more than 10 minutes.)
struct UnreachedCounts(Vec<u32>);

impl UnreachedCounts {
    fn new(a: &Analysis, unreached: impl Fn(&SourceFile) -> bool) -> Self {
        let mut before = Vec::with_capacity(a.files.len() + 1);
        let mut n = 0u32;
        before.push(n);
        for f in &a.files {
            n += u32::from(unreached(f));
            before.push(n);
        }
        UnreachedCounts(before)
    }

    /// Unreached files anywhere below `dir`.
    fn below(&self, a: &Analysis, dir: &Path) -> usize {
        let r = a.range_below(dir);
        (self.0[r.end] - self.0[r.start]) as usize
    }
}

fn orphan_module<'a>(a: &'a Analysis, _s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    if !a.has_roots {
        return;
    }
    let unreached = |f: &SourceFile| f.reach == Reach::Unreached && !f.root && f.path.to_str().is_some();
    // Files below a declared module whose file is missing: `missing-module` reports the cause.
    let mut missing: Vec<PathBuf> = missing_modules(a)
        .into_iter()
        .filter_map(|(_, _, _, folder)| folder.parent().map(Path::to_path_buf))
        .collect();
    missing.sort_unstable_by(|x, y| crate::analysis::key(x).cmp(crate::analysis::key(y)));
    let counts = UnreachedCounts::new(a, unreached);
    for f in a.files.iter().filter(|f| unreached(f)) {
        if a.reach_unknown(&f.path) || crate::analysis::below_any(&missing, &f.path) {
            continue;
        }
        let parents = parent_candidates(a, &f.path);
        let parent = parents.iter().find(|p| a.file(p).is_some_and(|pf| pf.reach != Reach::Unreached));
        if parent.is_none() && parents.iter().any(|p| a.file(p).is_some_and(unreached)) {
            continue; // reported at the topmost unreached module file
        }
        let own_dir = if f.file_name() == "mod.rs" {
            f.path.parent().map(Path::to_path_buf)
        } else {
            Some(f.path.with_extension(""))
        };
        // `dir/mod.rs` is itself in `dir/` (and unreached): not "below it"
        let below = own_dir.map_or(0, |d| counts.below(a, &d) - usize::from(f.file_name() == "mod.rs"));
        let name = if f.file_name() == "mod.rs" {
            f.path.parent().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned())
        } else {
            f.stem().map(str::to_string)
        }
        .unwrap_or_default();
        let more = match below {
            0 => String::new(),
            1 => " (nor the 1 file below it)".to_string(),
            n => format!(" (nor the {n} files below it)"),
        };
        let is_feature_module =
            matches!(f.place, Place::Feature { rest: Rest::Top, .. }) && f.file_name() == "mod.rs";
        let registers = f.facts.iter().any(|x| matches!(x, Fact::RegisterFn { .. }));
        let (hint, fix) = match parent {
            Some(p) if is_feature_module && registers => (
                format!(
                    "wire the feature: `pub mod {name};` and `{name}::register(builder)?;` in {} (or run `orch lint --fix`)",
                    super::show(p)
                ),
                Some(Fix::WireFeature { feature: name.clone() }),
            ),
            Some(p) => (
                format!(
                    "add `mod {name};` to {} (or run `orch lint --fix`), or delete the file",
                    super::show(p)
                ),
                Some(Fix::ModLine {
                    parent: p.clone(),
                    file: f.path.to_path_buf(),
                    exports: f.public_types().map(|(n, _, _)| n.to_string()).collect(),
                }),
            ),
            None => {
                // No parent module file: saying "add `mod x;` to it" would send the user to a
                // file that does not exist.
                let dir = if f.file_name() == "mod.rs" {
                    f.path.parent().and_then(Path::parent)
                } else {
                    f.path.parent()
                };
                let parent = dir.filter(|d| *d != Path::new("src")).map(|d| {
                    format!(
                        "{} (or {})",
                        super::show(&d.join("mod.rs")),
                        super::show(&d.with_extension("rs"))
                    )
                });
                let hint = match parent {
                    Some(parent) => format!(
                        "its parent module file {parent} does not exist: create it declaring `mod {name};`, or delete the file"
                    ),
                    None => format!("declare it with `mod {name};` in a crate root, or delete the file"),
                };
                (hint, None)
            }
        };
        let mut fnd = Finding::new(
            "orphan-module",
            sev,
            &f.path,
            None,
            format!("no `mod` declaration reaches this file; rustc ignores it{more}"),
            Some(hint),
        );
        if let Some(fix) = fix {
            fnd = fnd.with_fix(fix);
        }
        out.push(fnd);
    }
}

/// The modules declared `mod x;` in a live file (not behind `#[cfg]`, no `#[path]`, not in a
/// macro) whose file exists neither as `x.rs` nor `x/mod.rs`: the declaring file, the location
/// of the name, and the two candidate paths. rustc fails on each (E0583).
fn missing_modules(a: &Analysis) -> Vec<(&SourceFile, Loc, PathBuf, PathBuf)> {
    let mut out = Vec::new();
    for f in a.files.iter().filter(|f| live(a, f)) {
        let mod_rs = f.root || f.file_name() == "mod.rs";
        for fact in f.facts.iter() {
            let Fact::Mod { name, loc, flags: fl, .. } = fact else { continue };
            let (paths, inline) = fact.mod_location();
            if !paths.is_empty()
                || !inline.is_empty()
                || fl & (flags::CFG | flags::IN_MACRO | flags::TEST) != 0
            {
                continue;
            }
            let Some(parent) = f.path.parent() else { continue };
            let dir = if mod_rs { parent.to_path_buf() } else { f.path.with_extension("") };
            let (file, folder) = (dir.join(format!("{name}.rs")), dir.join(&**name).join("mod.rs"));
            // Excluded from the analysis is not missing: the disk has the last word.
            let exists = |p: &Path| a.file(p).is_some() || a.root.join(p).is_file();
            if !exists(&file) && !exists(&folder) {
                out.push((f, *loc, file, folder));
            }
        }
    }
    out
}

fn missing_module<'a>(a: &'a Analysis, _s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    for (f, loc, file, folder) in missing_modules(a) {
        let name = folder.parent().and_then(Path::file_name).map(|n| n.to_string_lossy()).unwrap_or_default();
        out.push(Finding::new(
            "missing-module",
            sev,
            &f.path,
            Some(loc),
            format!(
                "`mod {name};` is declared here, but neither {} nor {} exists",
                super::show(&file),
                super::show(&folder)
            ),
            Some(format!(
                "create {} (declaring the files of that folder), or remove the `mod {name};` line; rustc \
                 cannot build the crate until then",
                super::show(&folder)
            )),
        ));
    }
}

// ---------------------------------------------------------------------------------------------

fn boundaries<'a>(a: &'a Analysis, s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    let features_mod = a.features_module();
    for f in a.files.iter().filter(|f| live(a, f)) {
        let in_orchestrator = f.place.folder() == Some(Folder::Orchestrators);
        let own = f.place.feature();
        for fact in f.live_facts() {
            let Fact::Ref { path, loc, .. } = fact else { continue };
            let segs: Vec<&str> = path.split("::").collect();
            if in_orchestrator {
                if segs.first() == Some(&"crate") && segs.contains(&"executors") {
                    out.push(lazy(
                        "boundaries",
                        sev,
                        &f.path,
                        Some(*loc),
                        What::OrchestratorUsesExecutor { path },
                    ));
                    continue;
                }
                if let Some(deny) =
                    s.io_deny.iter().find(|d| segs.len() >= d.len() && segs[..d.len()] == d[..])
                {
                    out.push(Finding::new(
                        "boundaries",
                        sev,
                        &f.path,
                        Some(*loc),
                        format!("orchestrator uses `{path}` (I/O deny-list: `{}`); orchestrators never do I/O", deny.join("::")),
                        Some(format!(
                            "move the I/O into an executor (`orch add executor <name>{}`) and dispatch its job",
                            feature_flag(&f.place)
                        )),
                    ));
                    continue;
                }
            }
            let (Some(own), Some(fm)) = (own, features_mod.as_deref()) else { continue };
            let n = fm.len();
            if segs.len() > n + 2 && segs[0] == "crate" && segs[1..=n] == *fm && segs[n + 1] != own {
                let other = segs[n + 1];
                let module = segs[n + 2];
                let internal =
                    Folder::from_name(module).is_some() || s.extra_folders.iter().any(|e| e == module);
                if internal && !s.public_modules.iter().any(|p| p == module) {
                    out.push(Finding::new(
                        "boundaries",
                        sev,
                        &f.path,
                        Some(*loc),
                        format!("feature `{own}` reaches into feature `{other}`'s {module}: `{path}`"),
                        Some(format!(
                            "use only what `{other}` exposes (its {}, or its root re-exports), or list `{module}` in `[lint] public_modules`",
                            s.public_modules.join(", ")
                        )),
                    ));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------

fn god_event<'a>(a: &'a Analysis, s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    if s.god_events.is_empty() {
        return;
    }
    for f in &a.files {
        if f.is_test_file() {
            continue;
        }
        for fact in f.facts.iter() {
            let Fact::Type { name, kind, loc, flags: fl, nested: false, .. } = fact else { continue };
            if fl & flags::TEST != 0 || !is_data_type(*kind) {
                continue;
            }
            let words = pascal_words(name);
            if let Some((pattern, _)) = s.god_events.iter().find(|(_, p)| words_match(p, &words)) {
                out.push(Finding::new(
                    "god-event",
                    sev,
                    &f.path,
                    Some(*loc),
                    format!("`{name}` is a generic catch-all event (matches `{pattern}`); events say specifically what happened"),
                    Some("emit one event type per outcome (`orch add event <name>`)".to_string()),
                ));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------

fn parse_error<'a>(a: &'a Analysis, _s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    for p in &a.problems {
        let (message, hint) = match p.kind {
            ProblemKind::Parse => (
                format!("cannot parse: {}", p.message),
                "fix the file (`cargo check` shows the compiler's view); its facts were skipped",
            ),
            ProblemKind::Syntax => (
                p.message.clone(),
                "fix it (`cargo check` shows the compiler's view): the crate cannot build, and orch \
                 refuses to wire into it until it parses",
            ),
            ProblemKind::Io => (p.message.clone(), "check the file's permissions"),
            ProblemKind::Skipped => (
                p.message.clone(),
                "orch reads only regular files up to 8 MiB and never follows a link out of the \
                 project; move the code into the project, or skip the path with `[lint] exclude`",
            ),
        };
        out.push(Finding::new("parse-error", sev, &p.path, p.loc, message, Some(hint.to_string())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_names() {
        for ok in ["login", "fetch_user", "oauth2", "_private", "mod", "über"] {
            assert!(is_snake(ok), "{ok}");
        }
        for bad in ["FetchUser", "fetch-user", "2fa", "", "fetchUser", "a b"] {
            assert!(!is_snake(bad), "{bad}");
        }
    }

    #[test]
    fn job_stems() {
        assert_eq!(job_stem("FetchUserJob"), "fetch_user");
        assert_eq!(job_stem("Job"), "job");
    }
}
