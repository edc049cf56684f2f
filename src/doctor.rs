//! `orch doctor`: checks of a project's setup, each pass / warn / fail with a message, details
//! and a fix hint, and the plan of the safe fixes (`--fix`).
//!
//! Checks: the manifest and its `orch-runtime` and `tokio` dependencies, `orch.toml`, the
//! folder structure, the entry point (dispatcher built, features registered), every feature
//! and executor registered, every declared module with its file, every job paired with an
//! executor, orchestrator tests, sources that parse (in full for the files orch wires into),
//! and the runtime (vendored copy vs the one this orch embeds, or the declared version).
//! Source facts come from [`crate::analysis`] and the `pairing` / `registration` /
//! `missing-module` rules of [`crate::lint`], so doctor and lint never disagree.
//!
//! Diagnosing never fails on a broken project: a corrupt `orch.toml` or `Cargo.toml` is a
//! failed check, not an error. Only "no orch project here" and a `[paths]` value outside the
//! project are errors (exit 2).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::{self, Analysis, Fact, Folder, Place, Role};
use crate::config::{self, Config, RuntimeSource};
use crate::error::Failure;
use crate::lint::{self, Fix, Settings};
use crate::plan::Plan;
use crate::project::Project;
use crate::templates;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// All good.
    Pass,
    /// Works, but something is off.
    Warn,
    /// Broken.
    Fail,
}

/// What `--fix` can do for a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remedy {
    /// Write the default `orch.toml`.
    WriteConfig,
    /// Create the features module.
    FeaturesModule,
    /// Create core (module and folders).
    Core,
    /// Vendor the embedded runtime (create, update and delete files under the vendor dir).
    Vendor,
    /// Apply lint fixes (registrations, feature wiring).
    Lint(Vec<Fix>),
}

/// One check's result.
#[derive(Debug, Clone)]
pub struct Check {
    /// Stable id.
    pub id: &'static str,
    /// Short title.
    pub title: &'static str,
    /// Outcome.
    pub status: Status,
    /// One line: what was found.
    pub message: String,
    /// What to do (when not passing).
    pub hint: Option<String>,
    /// More lines for `-v` / JSON.
    pub details: Vec<String>,
    /// What `--fix` would do.
    pub remedies: Vec<Remedy>,
}

impl Check {
    fn new(id: &'static str, title: &'static str, status: Status, message: impl Into<String>) -> Check {
        Check {
            id,
            title,
            status,
            message: message.into(),
            hint: None,
            details: Vec::new(),
            remedies: Vec::new(),
        }
    }

    fn hint(mut self, hint: impl Into<String>) -> Check {
        self.hint = Some(hint.into());
        self
    }

    fn details(mut self, details: Vec<String>) -> Check {
        self.details = details;
        self
    }

    fn remedy(mut self, remedy: Remedy) -> Check {
        self.remedies.push(remedy);
        self
    }
}

/// The whole diagnosis.
#[derive(Debug, Clone)]
pub struct Report {
    /// Project root.
    pub root: PathBuf,
    /// Checks, in order.
    pub checks: Vec<Check>,
}

impl Report {
    /// Counts of (pass, warn, fail).
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |s| self.checks.iter().filter(|c| c.status == s).count();
        (n(Status::Pass), n(Status::Warn), n(Status::Fail))
    }

    /// Whether any check failed.
    pub fn failed(&self) -> bool {
        self.checks.iter().any(|c| c.status == Status::Fail)
    }
}

/// The project root for doctor: the nearest directory with `orch.toml` (like
/// [`Project::discover`], but without loading the config, which may be what is broken). A
/// directory without one is not an orch project: exit 2 with `orch init` as the hint.
pub fn locate(cwd: &Path) -> anyhow::Result<PathBuf> {
    if let Some(root) = cwd.ancestors().find(|d| d.join(config::FILE_NAME).is_file()) {
        return Ok(root.to_path_buf());
    }
    let cargo = cwd.ancestors().find(|d| d.join("Cargo.toml").is_file());
    Err(Failure::usage(format!(
        "not an orch project: no {} in {} or any parent directory",
        config::FILE_NAME,
        cwd.display()
    ))
    .hint(match cargo {
        Some(_) => "run `orch init` to adopt this cargo project",
        None => "run `orch init` inside a cargo project, or `orch new project <name>` to start one",
    })
    .into())
}

/// The `[paths]` check every command makes ([`crate::project::check_paths`]): a path that is
/// absolute or leads outside the project is a configuration error (exit 2), not a failed
/// check. A config that does not parse is left to [`diagnose`], which reports it as a check.
pub fn check_paths(root: &Path) -> anyhow::Result<()> {
    match Config::load(&root.join(config::FILE_NAME)) {
        Ok(config) => crate::project::check_paths(root, &config),
        Err(_) => Ok(()),
    }
}

/// Run every check on the project at `root`.
pub fn diagnose(root: &Path) -> Report {
    let mut checks = Vec::new();
    let manifest = manifest_checks(root, &mut checks);
    let (config, config_ok) = config_check(root, &mut checks);
    let project =
        Project { root: root.to_path_buf(), config: config.clone(), has_config: config_ok, cwd: root.into() };
    let mut options = analysis::Options::from_config(&config);
    options.exclude.clear();
    let analysis = analysis::analyze(root, &options);
    match analysis {
        Ok(a) => {
            layout_checks(&project, &a, &mut checks);
            source_checks(&project, &a, &mut checks);
        }
        Err(e) => checks.push(
            Check::new("sources", "sources", Status::Fail, format!("cannot analyse the sources: {e:#}"))
                .hint("check the `[paths]` and `[lint] exclude` settings in orch.toml"),
        ),
    }
    runtime_check(root, &config, manifest.as_ref(), &mut checks);
    Report { root: root.to_path_buf(), checks }
}

// ---------------------------------------------------------------------------------------------

fn manifest_checks(root: &Path, checks: &mut Vec<Check>) -> Option<toml::Table> {
    let path = root.join("Cargo.toml");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            checks.push(
                Check::new("manifest", "Cargo.toml", Status::Fail, format!("cannot read Cargo.toml: {e}"))
                    .hint("run `cargo init` (then `orch init`), or `orch new project <name>`"),
            );
            return None;
        }
    };
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            checks.push(
                Check::new(
                    "manifest",
                    "Cargo.toml",
                    Status::Fail,
                    format!("Cargo.toml does not parse: {}", e.message()),
                )
                .hint("fix the manifest (`cargo metadata` shows the error too)"),
            );
            return None;
        }
    };
    let name = table.get("package").and_then(|p| p.get("name")).and_then(|n| n.as_str());
    match name {
        Some(name) => {
            checks.push(Check::new("manifest", "Cargo.toml", Status::Pass, format!("package `{name}`")))
        }
        None => checks.push(
            Check::new(
                "manifest",
                "Cargo.toml",
                Status::Fail,
                "Cargo.toml has no [package] (a workspace manifest?)",
            )
            .hint("run orch in the member package (`orch -C crates/app doctor`)"),
        ),
    }
    // A dependency by key or renamed (`package = ..`), top-level or target-specific
    // (`[target.'cfg(..)'.dependencies]`, which `orch init` reuses as it finds it).
    let dep = |table_name: &str, name: &str| -> Option<toml::Value> {
        let targets = table.get("target").and_then(|t| t.as_table());
        let scopes = std::iter::once(&table)
            .chain(targets.into_iter().flat_map(|t| t.values().filter_map(|v| v.as_table())));
        scopes.filter_map(|scope| scope.get(table_name)?.as_table()).find_map(|deps| {
            deps.get(name).cloned().or_else(|| {
                deps.values().find(|d| d.get("package").and_then(|p| p.as_str()) == Some(name)).cloned()
            })
        })
    };
    match dep("dependencies", "orch-runtime") {
        Some(d) => {
            let how = match (&d, d.get("path"), d.get("version")) {
                (toml::Value::String(v), _, _) => format!("version {v}"),
                (_, Some(p), _) => format!("path {}", p.as_str().unwrap_or("?")),
                (_, None, Some(v)) => format!("version {}", v.as_str().unwrap_or("?")),
                _ => "declared".to_string(),
            };
            checks.push(Check::new("runtime-dependency", "orch-runtime dependency", Status::Pass, how));
        }
        None => checks.push(
            Check::new(
                "runtime-dependency",
                "orch-runtime dependency",
                Status::Fail,
                "Cargo.toml does not depend on orch-runtime",
            )
            .hint("run `orch init` (adds the dependency and vendors the runtime)"),
        ),
    }
    let tokio = dep("dependencies", "tokio")
        .map(|d| (d, "dependencies"))
        .or_else(|| dep("dev-dependencies", "tokio").map(|d| (d, "dev-dependencies")));
    match tokio {
        None => checks.push(
            Check::new(
                "tokio-dependency",
                "tokio dependency",
                Status::Fail,
                "Cargo.toml does not depend on tokio",
            )
            .hint("run `cargo add tokio --features macros,rt-multi-thread,time` (the runtime runs on tokio)"),
        ),
        Some((d, table_name)) => {
            let features: Vec<String> = d
                .get("features")
                .and_then(|f| f.as_array())
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            let has = |f: &str| features.iter().any(|x| x == f || x == "full");
            let missing: Vec<&str> = ["macros", "rt"]
                .into_iter()
                .filter(|f| !(has(f) || (*f == "rt" && has("rt-multi-thread"))))
                .collect();
            if missing.is_empty() {
                checks.push(Check::new(
                    "tokio-dependency",
                    "tokio dependency",
                    Status::Pass,
                    format!("in [{table_name}]"),
                ));
            } else {
                checks.push(
                    Check::new(
                        "tokio-dependency",
                        "tokio dependency",
                        Status::Warn,
                        format!(
                            "tokio lacks the feature(s) {} the generated code and tests use",
                            missing.join(", ")
                        ),
                    )
                    .hint("add them: `cargo add tokio --features macros,rt-multi-thread`"),
                );
            }
        }
    }
    Some(table)
}

fn config_check(root: &Path, checks: &mut Vec<Check>) -> (Config, bool) {
    let path = root.join(config::FILE_NAME);
    if !path.is_file() {
        checks.push(
            Check::new("config", "orch.toml", Status::Warn, "no orch.toml; defaults are used")
                .hint("`orch doctor --fix` writes the default orch.toml")
                .remedy(Remedy::WriteConfig),
        );
        return (Config::default(), false);
    }
    match Config::load(&path) {
        Ok(cfg) => match Settings::from_config(&cfg.lint) {
            Ok(_) => {
                checks.push(Check::new("config", "orch.toml", Status::Pass, "valid"));
                (cfg, true)
            }
            Err(e) => {
                let hint = crate::error::classify(&e).1.map(str::to_string);
                let mut c = Check::new("config", "orch.toml", Status::Fail, format!("{e}"));
                c.hint = hint;
                checks.push(c);
                (cfg, true)
            }
        },
        Err(e) => {
            let hint = crate::error::classify(&e).1.map(str::to_string);
            let mut c = Check::new("config", "orch.toml", Status::Fail, format!("{e}"));
            c.hint = hint.or_else(|| Some("fix orch.toml".to_string()));
            checks.push(c);
            (Config::default(), false)
        }
    }
}

// ---------------------------------------------------------------------------------------------

fn layout_checks(project: &Project, a: &Analysis, checks: &mut Vec<Check>) {
    let root = &project.root;
    let features = project.features_dir();
    let core = project.core_dir();
    let mut missing = Vec::new();
    let mut remedies = Vec::new();
    if !root.join("src").is_dir() {
        missing.push("src/".to_string());
    }
    // A custom folder orch.toml names that does not exist is a misconfiguration as likely as a
    // deletion: `--fix` does not create it (that would make a wrong `[paths]` value pass).
    // The default layout's folders are recreated as `orch init` would create them.
    let mut unconfigured = if project.has_config { project.missing_paths() } else { Vec::new() };
    unconfigured.retain(|m| m.custom);
    let is_unconfigured = |key: &str| unconfigured.iter().any(|m| m.key == key);
    let features_mod = features.join("mod.rs");
    if a.file(&features_mod).is_none() && a.file(&features.with_extension("rs")).is_none() {
        missing.push(lint::show(&features_mod));
        if !is_unconfigured("features") {
            remedies.push(Remedy::FeaturesModule);
        }
    }
    let core_mod = core.join("mod.rs");
    let mut core_missing = a.file(&core_mod).is_none() && a.file(&core.with_extension("rs")).is_none();
    if core_missing {
        missing.push(lint::show(&core_mod));
    }
    for folder in [Role::Events, Role::Executors, Role::Jobs].map(Role::name) {
        let m = core.join(folder).join("mod.rs");
        if !core_missing && a.file(&m).is_none() && a.file(&core.join(folder).with_extension("rs")).is_none()
        {
            missing.push(lint::show(&m));
            core_missing = true;
        }
    }
    if missing.iter().any(|m| m.starts_with(&lint::show(core))) && !is_unconfigured("core") {
        remedies.push(Remedy::Core);
    }
    let features_n = a.features().len();
    if missing.is_empty() {
        checks.push(Check::new(
            "folders",
            "folder structure",
            Status::Pass,
            format!("{} and {} present, {features_n} feature(s)", lint::show(features), lint::show(core)),
        ));
    } else {
        let mut c = Check::new(
            "folders",
            "folder structure",
            Status::Fail,
            format!("missing: {}", missing.join(", ")),
        );
        c = c.hint(if let Some(m) = unconfigured.first() {
            format!(
                "`[paths] {}` ({}) names a folder that does not exist: fix orch.toml or create it",
                m.key, m.at
            )
        } else if remedies.is_empty() {
            "create them (see `orch new project` for the layout)".to_string()
        } else {
            "`orch doctor --fix` creates them".to_string()
        });
        c.details = unconfigured
            .iter()
            .map(|m| format!("{}: `[paths] {}` = {:?} does not exist", m.at, m.key, lint::show(&m.path)))
            .collect();
        c.remedies = remedies;
        checks.push(c);
    }
}

fn source_checks(project: &Project, a: &Analysis, checks: &mut Vec<Check>) {
    // entry point
    let main = ["src/main.rs", "src/lib.rs"].into_iter().map(Path::new).find(|p| a.file(p).is_some());
    match main.and_then(|m| a.file(m)) {
        None => checks.push(
            Check::new(
                "entry-point",
                "entry point",
                Status::Fail,
                "neither src/main.rs nor src/lib.rs exists",
            )
            .hint("`orch new project` shows the expected main.rs"),
        ),
        Some(f) => {
            // read as lint reads (regular files, size cap, no link out): a FIFO would block
            let mut buf = Vec::new();
            let len = analysis::walk::SourceReader::new(&project.root).read(&f.path, &mut buf).unwrap_or(0);
            let text = std::str::from_utf8(&buf[..len]).unwrap_or_default();
            let builds = builds_dispatcher(text);
            let registers = f
                .live_facts()
                .any(|x| matches!(x, Fact::RegisterCall { module, .. } if &**module == "features"));
            let is_lib = f.path.ends_with("lib.rs");
            let shown = lint::show(&f.path);
            let (status, message, hint) = match (builds, registers) {
                (true, true) => {
                    (Status::Pass, format!("{shown} builds a dispatcher and calls features::register"), None)
                }
                (_, _) if is_lib => (
                    Status::Warn,
                    format!(
                        "{shown} is a library root: the binary that builds the dispatcher must call features::register"
                    ),
                    Some(
                        "in the code that builds the Dispatcher, call `features::register(&mut builder)?;`"
                            .to_string(),
                    ),
                ),
                (false, _) => (
                    Status::Fail,
                    format!(
                        "{shown} does not build a dispatcher (`Dispatcher::builder(..)` / `DispatcherBuilder::new(..)`)"
                    ),
                    Some(
                        "build one and register the features (see the main.rs of `orch new project`)"
                            .to_string(),
                    ),
                ),
                (true, false) => (
                    Status::Fail,
                    format!("{shown} builds a dispatcher but never calls `features::register`"),
                    Some("add `features::register(&mut builder)?;` before `builder.build()`".to_string()),
                ),
            };
            let mut c = Check::new("entry-point", "entry point", status, message);
            c.hint = hint;
            checks.push(c);
        }
    }

    let settings = Settings::from_config(&crate::config::LintConfig::default())
        .expect("default lint settings are valid");
    let findings = lint::check(a, &settings);
    let pick = |rule: lint::RuleId, pred: &dyn Fn(&lint::Finding) -> bool| -> Vec<&lint::Finding> {
        findings.iter().filter(|f| f.rule() == rule && pred(f)).collect()
    };
    let line = |f: &lint::Finding| match f.loc {
        Some(l) => format!("{}:{}:{}: {}", lint::show(f.path), l.line, l.col, f.message()),
        None => format!("{}: {}", lint::show(f.path), f.message()),
    };

    // features registered
    let feats = pick(lint::RuleId::Registration, &|f| matches!(f.fix(), Some(Fix::WireFeature { .. })));
    let undeclared: Vec<&lint::Finding> = pick(lint::RuleId::OrphanModule, &|f| {
        matches!(
            &a.file(f.path).map(|x| &x.place),
            Some(Place::Feature { rest: analysis::place::Rest::Top, .. })
        ) && f.path.file_name().is_some_and(|n| n == "mod.rs")
    });
    let n_features = a.features().len();
    if feats.is_empty() && undeclared.is_empty() {
        checks.push(Check::new(
            "features-registered",
            "features registered",
            Status::Pass,
            format!("{n_features} feature(s), all wired into features::register"),
        ));
    } else {
        let mut fixes: Vec<Fix> = feats.iter().filter_map(|f| f.fix()).collect();
        for f in &undeclared {
            if let Some(name) = f.path.parent().and_then(Path::file_name).and_then(|n| n.to_str()) {
                fixes.push(Fix::WireFeature { feature: name.to_string() });
            }
        }
        checks.push(
            Check::new(
                "features-registered",
                "features registered",
                Status::Fail,
                format!("{} feature(s) not wired into features::register", feats.len() + undeclared.len()),
            )
            .hint("`orch doctor --fix` (or `orch lint --fix`) adds the wiring")
            .details(feats.iter().chain(&undeclared).map(|f| line(f)).collect())
            .remedy(Remedy::Lint(fixes)),
        );
    }

    // executors registered
    let execs = pick(lint::RuleId::Registration, &|f| {
        matches!(f.fix(), Some(Fix::Register { .. }) | None)
            && !matches!(f.fix(), Some(Fix::WireFeature { .. }))
    });
    let n_impls: usize = a
        .files
        .iter()
        .map(|f| f.live_facts().filter(|x| matches!(x, Fact::ExecutorImpl { .. })).count())
        .sum();
    if execs.is_empty() {
        checks.push(Check::new(
            "executors-registered",
            "executors registered",
            Status::Pass,
            format!("{n_impls} executor(s), all registered"),
        ));
    } else {
        let fixes: Vec<Fix> = execs.iter().filter_map(|f| f.fix()).collect();
        let mut c = Check::new(
            "executors-registered",
            "executors registered",
            Status::Fail,
            format!("{} of {n_impls} executor(s) never registered", execs.len()),
        )
        .hint("`orch doctor --fix` (or `orch lint --fix`) adds the `register::<Job, _>(Executor)` lines")
        .details(execs.iter().map(|f| line(f)).collect());
        if !fixes.is_empty() {
            c = c.remedy(Remedy::Lint(fixes));
        }
        checks.push(c);
    }

    // declared modules have their files
    let missing = pick(lint::RuleId::MissingModule, &|_| true);
    if missing.is_empty() {
        checks.push(Check::new("modules", "modules", Status::Pass, "every `mod` declaration has its file"));
    } else {
        checks.push(
            Check::new(
                "modules",
                "modules",
                Status::Fail,
                format!("{} `mod` declaration(s) without a file: the crate does not build", missing.len()),
            )
            .hint("create each missing module file, or remove its `mod` line (`orch lint` shows each one)")
            .details(missing.iter().map(|f| line(f)).collect()),
        );
    }

    // jobs have executors
    let pairing = pick(lint::RuleId::Pairing, &|_| true);
    let n_jobs: usize = a
        .files
        .iter()
        .filter(|f| f.place.folder() == Some(Folder::Jobs))
        // only files rustc compiles, as lint counts them (an orphan job file is no job)
        .filter(|f| f.reach == analysis::Reach::Yes || (!a.has_roots && f.reach != analysis::Reach::Test))
        .map(|f| f.public_types().filter(|(n, _, _)| n.ends_with(Role::Jobs.suffix())).count())
        .sum();
    if pairing.is_empty() {
        checks.push(Check::new(
            "jobs-have-executors",
            "jobs have executors",
            Status::Pass,
            format!("{n_jobs} job(s), one executor each"),
        ));
    } else {
        checks.push(
            Check::new(
                "jobs-have-executors",
                "jobs have executors",
                Status::Fail,
                format!("{} pairing problem(s)", pairing.len()),
            )
            .hint("`orch lint --fix --unsafe` generates missing executors; `orch lint` shows each problem")
            .details(pairing.iter().map(|f| line(f)).collect()),
        );
    }

    // orchestrator tests
    let mut without = Vec::new();
    let mut n_orch = 0;
    for f in a.files.iter().filter(|f| f.place.folder() == Some(Folder::Orchestrators) && !f.is_test_file()) {
        let has_orchestrator = f.public_types().any(|(n, _, _)| n.ends_with(Role::Orchestrators.suffix()));
        if !has_orchestrator {
            continue;
        }
        n_orch += 1;
        if !f.has_tests() {
            without.push(lint::show(&f.path));
        }
    }
    if without.is_empty() {
        checks.push(Check::new(
            "orchestrator-tests",
            "orchestrator tests",
            Status::Pass,
            format!("{n_orch} orchestrator(s), all with tests"),
        ));
    } else {
        checks.push(
            Check::new("orchestrator-tests", "orchestrator tests", Status::Warn, format!("{} of {n_orch} orchestrator(s) have no tests", without.len()))
                .hint("add a `#[cfg(test)] mod tests` feeding events through `OrchestratorHarness` (see `orch add orchestrator`)")
                .details(without),
        );
    }

    // sources parse
    if a.problems.is_empty() {
        checks.push(Check::new(
            "sources",
            "sources",
            Status::Pass,
            format!("{} .rs file(s) read", a.files.len()),
        ));
    } else {
        checks.push(
            Check::new(
                "sources",
                "sources",
                Status::Fail,
                format!("{} file(s) cannot be read or parsed", a.problems.len()),
            )
            .hint("fix them (`cargo check` shows the compiler's view)")
            .details(
                a.problems
                    .iter()
                    .map(|p| match p.loc {
                        Some(l) => format!("{}:{}:{}: {}", lint::show(&p.path), l.line, l.col, p.message),
                        None => format!("{}: {}", lint::show(&p.path), p.message),
                    })
                    .collect(),
            ),
        );
    }
}

/// Whether the source builds a dispatcher: `Dispatcher::builder` or `DispatcherBuilder::new`.
pub(crate) fn builds_dispatcher(src: &str) -> bool {
    let mut toks = Vec::new();
    let mut m = Vec::new();
    if analysis::lex::tokenize(src.as_bytes(), &mut toks, &mut m).is_err() {
        return false;
    }
    let text = |i: usize| analysis::lex::ident_text(src, &toks[i]);
    toks.windows(3).enumerate().any(|(i, w)| {
        w[1].kind == analysis::lex::Kind::PathSep
            && matches!((text(i), text(i + 2)), ("Dispatcher", "builder") | ("DispatcherBuilder", "new"))
    })
}

// ---------------------------------------------------------------------------------------------

fn runtime_check(root: &Path, config: &Config, manifest: Option<&toml::Table>, checks: &mut Vec<Check>) {
    let embedded = templates::RUNTIME_VERSION;
    match config.runtime.source {
        RuntimeSource::Vendor => {
            let dir = root.join(&config.runtime.path);
            let files = match templates::runtime_files() {
                Ok(f) => f,
                Err(e) => {
                    checks.push(Check::new(
                        "runtime",
                        "runtime",
                        Status::Fail,
                        format!("cannot read the embedded runtime: {e:#}"),
                    ));
                    return;
                }
            };
            if !dir.join("Cargo.toml").is_file() {
                checks.push(
                    Check::new(
                        "runtime",
                        "vendored runtime",
                        Status::Fail,
                        format!("{} is missing", lint::show(&config.runtime.path)),
                    )
                    .hint(format!("`orch doctor --fix` vendors orch-runtime {embedded}"))
                    .remedy(Remedy::Vendor),
                );
                return;
            }
            let vendored_version = std::fs::read_to_string(dir.join("Cargo.toml"))
                .ok()
                .and_then(|t| t.parse::<toml::Table>().ok())
                .and_then(|t| t.get("package")?.get("version")?.as_str().map(str::to_string))
                .unwrap_or_else(|| "?".to_string());
            let mut drift = Vec::new();
            for (rel, text) in &files {
                match std::fs::read(dir.join(rel)) {
                    Ok(bytes) if bytes == text.as_bytes() => {}
                    Ok(_) => drift.push(format!("{} differs", lint::show(&config.runtime.path.join(rel)))),
                    Err(_) => {
                        drift.push(format!("{} is missing", lint::show(&config.runtime.path.join(rel))))
                    }
                }
            }
            for extra in extra_vendor_files(&dir, &files) {
                drift.push(format!(
                    "{} is not part of orch-runtime {embedded}",
                    lint::show(&config.runtime.path.join(&extra))
                ));
            }
            if drift.is_empty() {
                checks.push(Check::new(
                    "runtime",
                    "vendored runtime",
                    Status::Pass,
                    format!("orch-runtime {vendored_version}, identical to the embedded copy"),
                ));
            } else {
                let what = if vendored_version == embedded {
                    format!(
                        "orch-runtime {vendored_version} differs from the embedded copy in {} file(s)",
                        drift.len()
                    )
                } else {
                    format!("orch-runtime {vendored_version} is vendored; this orch embeds {embedded}")
                };
                checks.push(
                    Check::new("runtime", "vendored runtime", Status::Warn, what)
                        .hint(format!("`orch doctor --fix` updates {} to the embedded runtime (local edits there are overwritten)", lint::show(&config.runtime.path)))
                        .details(drift)
                        .remedy(Remedy::Vendor),
                );
            }
        }
        RuntimeSource::Path => {
            let dir = root.join(&config.runtime.path);
            let version = std::fs::read_to_string(dir.join("Cargo.toml"))
                .ok()
                .and_then(|t| t.parse::<toml::Table>().ok())
                .and_then(|t| t.get("package")?.get("version")?.as_str().map(str::to_string));
            match version {
                None => checks.push(
                    Check::new(
                        "runtime",
                        "runtime (path)",
                        Status::Fail,
                        format!("no orch-runtime crate at {}", lint::show(&config.runtime.path)),
                    )
                    .hint("fix `[runtime] path` in orch.toml and the dependency in Cargo.toml"),
                ),
                Some(v) if v == embedded => checks.push(Check::new(
                    "runtime",
                    "runtime (path)",
                    Status::Pass,
                    format!("orch-runtime {v} at {}", lint::show(&config.runtime.path)),
                )),
                Some(v) => checks.push(
                    Check::new(
                        "runtime",
                        "runtime (path)",
                        Status::Warn,
                        format!(
                            "orch-runtime {v} at {}; this orch generates code for {embedded}",
                            lint::show(&config.runtime.path)
                        ),
                    )
                    .hint("update the runtime at that path, or use a matching orch"),
                ),
            }
        }
        RuntimeSource::Version => {
            let declared = manifest
                .and_then(|m| m.get("dependencies")?.get("orch-runtime").cloned())
                .and_then(|d| match d {
                    toml::Value::String(s) => Some(s),
                    other => other.get("version")?.as_str().map(str::to_string),
                })
                .unwrap_or_else(|| config.runtime.version.clone());
            if compatible(&declared, embedded) {
                checks.push(Check::new(
                    "runtime",
                    "runtime (crates.io)",
                    Status::Pass,
                    format!("orch-runtime \"{declared}\" matches {embedded}"),
                ));
            } else {
                checks.push(
                    Check::new("runtime", "runtime (crates.io)", Status::Warn, format!("orch-runtime \"{declared}\" does not match the {embedded} this orch generates code for"))
                        .hint(format!("set `orch-runtime = \"{embedded}\"` in Cargo.toml")),
                );
            }
        }
    }
}

/// Whether a Cargo version requirement like `0.1`, `^0.1.0`, `=0.1.0` admits `version`
/// (caret semantics on the leading non-zero component; enough for orch's own versions).
fn compatible(req: &str, version: &str) -> bool {
    let req = req.trim().trim_start_matches(['^', '=', '~']).trim();
    let r: Vec<&str> = req.split('.').collect();
    let v: Vec<&str> = version.split('.').collect();
    if r.is_empty() || r.len() > v.len() {
        return false;
    }
    let lead = r.iter().position(|p| *p != "0").unwrap_or(r.len() - 1);
    r[..=lead.min(r.len() - 1)] == v[..=lead.min(r.len() - 1)]
        && r.iter().zip(&v).skip(lead + 1).all(|(a, b)| a.parse::<u64>().ok() <= b.parse::<u64>().ok())
}

/// Files under the vendored runtime's `src/` that the embedded runtime does not have.
fn extra_vendor_files(dir: &Path, files: &[(PathBuf, String)]) -> Vec<PathBuf> {
    let mut extra = Vec::new();
    for entry in walkdir::WalkDir::new(dir.join("src")).into_iter().filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        if let Ok(rel) = entry.path().strip_prefix(dir)
            && !files.iter().any(|(p, _)| p == rel)
        {
            extra.push(rel.to_path_buf());
        }
    }
    extra.sort();
    extra
}

// ---------------------------------------------------------------------------------------------

/// Plan the safe fixes of `report` for the project at its root.
pub fn plan_fixes(report: &Report) -> anyhow::Result<Plan> {
    let root = &report.root;
    let mut plan = Plan::new(root);
    let config_path = root.join(config::FILE_NAME);
    let config = if config_path.is_file() {
        Config::load(&config_path).unwrap_or_default()
    } else {
        Config::default()
    };
    let project = Project {
        root: root.clone(),
        config: config.clone(),
        has_config: config_path.is_file(),
        cwd: root.clone(),
    };
    let templates = templates::Templates::load(Some(&root.join(&config.paths.templates)))?;
    let mut lint_fixes = Vec::new();
    for check in &report.checks {
        for remedy in &check.remedies {
            match remedy {
                Remedy::WriteConfig => {
                    plan.create(config::FILE_NAME, Config::default_file(&config.runtime), false)?;
                }
                Remedy::Core => crate::generate::plan_core(&mut plan, &project, &templates)?,
                Remedy::FeaturesModule => {
                    crate::generate::plan_features_root(
                        &mut plan,
                        &project,
                        &templates,
                        project.features_dir(),
                    )?;
                }
                Remedy::Vendor => vendor(&mut plan, &config)?,
                Remedy::Lint(fixes) => lint_fixes.extend(fixes.iter().cloned()),
            }
        }
    }
    lint::fix::apply_fixes(&mut plan, &project, &templates, &lint_fixes, false)?;
    Ok(plan)
}

fn vendor(plan: &mut Plan, config: &Config) -> anyhow::Result<()> {
    let dir = &config.runtime.path;
    let files = templates::runtime_files()?;
    for (rel, text) in &files {
        let path = dir.join(rel);
        if plan.exists(&path) {
            plan.update(&path, text.clone())?;
        } else {
            plan.create(&path, text.clone(), false)?;
        }
    }
    for extra in extra_vendor_files(&plan.root().join(dir), &files) {
        plan.delete(dir.join(extra))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_requirements() {
        assert!(compatible("0.1", "0.1.0"));
        assert!(compatible("0.1.0", "0.1.3"));
        assert!(compatible("^0.1", "0.1.9"));
        assert!(compatible("=0.1.0", "0.1.0"));
        assert!(!compatible("0.2", "0.1.0"));
        assert!(!compatible("0.1.4", "0.1.0"));
        assert!(compatible("1", "1.4.0"));
        assert!(!compatible("2", "1.4.0"));
    }

    #[test]
    fn dispatcher_detection_ignores_comments_and_strings() {
        assert!(builds_dispatcher("let mut b = Dispatcher::builder(bus.clone());"));
        assert!(builds_dispatcher("let b = orch_runtime::DispatcherBuilder::new(bus);"));
        assert!(!builds_dispatcher("// Dispatcher::builder(bus)\nlet s = \"Dispatcher::builder\";"));
    }
}
