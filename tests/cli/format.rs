//! Generated code is formatted: with no rustfmt configuration and edition 2024, `rustfmt
//! --check` accepts every generated file and every wiring edit, for every accepted name length
//! and every combination of parts, both where `orch::style` trusts the templates (no line
//! longer than `FAST_PATH_WIDTH`, no rustfmt run) and where it runs rustfmt. One plan builds it
//! all, one rustfmt run checks it all. Projects with their own configuration: `e2e.rs`.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use orch::cli::ComponentKind;
use orch::config::Config;
use orch::generate::{self, Location, Parts, RuntimeSource};
use orch::names::{MAX_LEN, Name};
use orch::plan::Plan;
use orch::project::Project;
use orch::style::FAST_PATH_WIDTH;
use orch::templates::Templates;

use crate::support::Fixture;

/// A name whose PascalCase form has exactly `len` characters and ends with `extra` (snake
/// case, e.g. `_ne`), or `None` when `len` is too short for that.
fn name(len: usize, extra: &str) -> Option<Name> {
    let extra_len = extra.replace('_', "").len();
    let ys = len.checked_sub(1 + extra_len)?;
    // `None` too when the snake_case form is longer than the longest accepted name.
    let name = Name::parse(&format!("x{}{extra}", "y".repeat(ys)), "test").ok()?;
    assert_eq!(name.pascal.len(), len);
    Some(name)
}

/// Every generated file for names of every accepted length, in every combination of parts.
fn plan_everything(fx: &Fixture, lens: std::ops::RangeInclusive<usize>) -> Plan {
    let templates = Templates::builtin().unwrap();
    let runtime = RuntimeSource::Version("0.1".into());
    let mut config = Config::default();
    config.runtime = runtime.config();
    let project = Project { root: fx.path("p"), config, has_config: true, cwd: fx.root.clone() };
    let mut plan = Plan::new(&fx.root);
    generate::plan_project(&mut plan, &project, &templates, "p", &runtime, &[]).unwrap();
    let core = Location::core(&project.config).unwrap();
    let no = Parts::all();
    for len in lens {
        let full = name(len, "").unwrap();
        generate::plan_feature(&mut plan, &project, &templates, &full, no, None, false).unwrap();
        for (suffix, parts) in [
            ("ne", Parts { event: false, ..no }),
            ("nj", Parts { job: false, executor: false, ..no }),
            ("nx", Parts { executor: false, ..no }),
            ("no", Parts { orchestrator: false, event: false, ..no }),
        ] {
            let Some(variant) = name(len, &format!("_{suffix}")) else { continue };
            generate::plan_feature(&mut plan, &project, &templates, &variant, parts, None, false).unwrap();
        }
        let feature = Location::feature(&project.config, &full).unwrap();
        let add = |plan: &mut Plan, kind, n: &Name, at: &Location| {
            generate::plan_component(plan, &project, &templates, kind, n, at, false).unwrap();
        };
        add(&mut plan, ComponentKind::Executor, &full, &core);
        if let Some(other) = name(len, "_o") {
            add(&mut plan, ComponentKind::State, &other, &core);
            add(&mut plan, ComponentKind::Orchestrator, &other, &core);
            add(&mut plan, ComponentKind::Event, &other, &feature);
            add(&mut plan, ComponentKind::Executor, &other, &feature);
        }
        if let Some(nx) = name(len, "_nx") {
            let at = Location::feature(&project.config, &nx).unwrap();
            add(&mut plan, ComponentKind::Executor, &nx, &at);
        }
    }
    plan
}

/// `rustfmt --check` (style edition 2024, no configuration) on the crate rooted at `dir`: the
/// files it would change.
fn unformatted_files(dir: &Path) -> BTreeSet<PathBuf> {
    let output = Command::new("rustfmt")
        .args(["--check", "--edition", "2024", "src/main.rs"])
        .current_dir(dir)
        .output()
        .expect("rustfmt is installed (rustup component add rustfmt)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let files: BTreeSet<PathBuf> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Diff in "))
        .filter_map(|l| l.rsplitn(3, ':').nth(2))
        .map(PathBuf::from)
        .collect();
    assert!(
        output.status.success() || !files.is_empty(),
        "rustfmt failed:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    files
}

/// The fast path of `orch::style` (no rustfmt run) is sound: every built-in file rustfmt
/// would change, for every name length up to the longest accepted, has a line of code longer
/// than `FAST_PATH_WIDTH`, so it goes through rustfmt.
#[test]
fn generated_files_without_long_lines_are_rustfmt_clean_for_every_name_length() {
    let fx = Fixture::new();
    let plan = plan_everything(&fx, 1..=MAX_LEN);
    orch::writer::apply(&plan).unwrap();
    let files = fx.files("p/src").len();
    assert!(files > 30 * MAX_LEN, "only {files} files were checked");
    let unformatted = unformatted_files(&fx.path("p"));
    assert!(!unformatted.is_empty(), "long names are expected to need rustfmt");
    for path in &unformatted {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(
            orch::style::has_long_code_line(&text),
            "{} is not rustfmt-clean although no line of code is longer than {FAST_PATH_WIDTH}",
            path.display()
        );
    }
}

/// What `commands::finish` writes is rustfmt-clean for every name length: short names take
/// the fast path (no rustfmt run at all), long ones are formatted.
#[test]
fn styled_plans_are_rustfmt_clean_and_short_names_skip_rustfmt() {
    let fx = Fixture::new();
    let short = plan_everything(&fx, 1..=28);
    assert!(matches!(orch::style::apply(&short).unwrap().0, Cow::Borrowed(_)), "rustfmt ran for short names");
    let long = plan_everything(&fx, MAX_LEN - 2..=MAX_LEN);
    let (styled, warnings) = orch::style::apply(&long).unwrap();
    assert!(matches!(styled, Cow::Owned(_)));
    assert_eq!(warnings, Vec::<String>::new());
    orch::writer::apply(&styled).unwrap();
    assert_eq!(unformatted_files(&fx.path("p")), BTreeSet::new());
}

/// A name of the longest accepted length gives rustfmt-clean code (it used to get a note
/// asking to run `cargo fmt`); without rustfmt, a note says what happened.
#[test]
fn the_longest_names_are_formatted_and_a_missing_rustfmt_is_reported() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    let long = format!("f{}", "e".repeat(MAX_LEN - 1));
    let run = fx.orch(&["new", "feature", &long]);
    run.ok();
    assert!(!run.stderr.contains("note"), "{}", run.stderr);
    assert_eq!(unformatted_files(&fx.root), BTreeSet::new());

    let other = format!("g{}", "e".repeat(MAX_LEN - 1));
    let mut cmd = fx.command(&["new", "feature", &other]);
    cmd.env("RUSTFMT", fx.path("no-such-rustfmt"));
    cmd.arg("-q");
    let run = fx.run(cmd);
    run.ok();
    assert!(
        run.stderr.contains("warning: rustfmt not found") && run.stderr.contains("cargo fmt"),
        "{}",
        run.stderr
    );

    // A configuration rustfmt rejects: one note naming it, the files are created as rendered.
    fx.write("rustfmt.toml", "max_width = \"wide\"\n");
    let run = fx.orch(&["new", "feature", "short"]);
    run.ok();
    let notes: Vec<&str> = run.stderr.lines().filter(|l| l.contains("rustfmt failed")).collect();
    assert_eq!(notes.len(), 1, "{}", run.stderr);
    assert!(notes[0].contains("rustfmt.toml") && notes[0].contains("not formatted"), "{}", run.stderr);
}
