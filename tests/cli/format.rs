//! Generated code is already formatted: `rustfmt --check` (style edition 2024, default width)
//! accepts every generated file and every wiring edit, for every name length up to
//! `generate::FORMAT_SAFE_LEN`, in every combination of parts. One plan builds it all, one
//! rustfmt run checks it all.

use std::process::Command;

use orch::cli::ComponentKind;
use orch::config::Config;
use orch::generate::{self, FORMAT_SAFE_LEN, Location, Parts, RuntimeSource};
use orch::names::Name;
use orch::plan::Plan;
use orch::project::Project;
use orch::templates::Templates;

use crate::support::Fixture;

/// A name whose PascalCase form has exactly `len` characters and ends with `extra` (snake
/// case, e.g. `_ne`), or `None` when `len` is too short for that.
fn name(len: usize, extra: &str) -> Option<Name> {
    let extra_len = extra.replace('_', "").len();
    let ys = len.checked_sub(1 + extra_len)?;
    let name = Name::parse(&format!("x{}{extra}", "y".repeat(ys)), "test").unwrap();
    assert_eq!(name.pascal.len(), len);
    Some(name)
}

#[test]
fn generated_code_is_rustfmt_clean_for_every_name_length() {
    let fx = Fixture::new();
    let templates = Templates::builtin().unwrap();
    let runtime = RuntimeSource::Version("0.1".into());
    let mut config = Config::default();
    config.runtime = runtime.config();
    let project = Project { root: fx.path("p"), config, has_config: true, cwd: fx.root.clone() };
    let mut plan = Plan::new(&fx.root);
    generate::plan_project(&mut plan, &project, &templates, "p", &runtime, &[]).unwrap();
    let core = Location::core(&project.config).unwrap();
    let no = Parts::all();
    for len in 1..=FORMAT_SAFE_LEN {
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
    assert!(plan.notes().iter().all(|n| !n.contains("long name")), "{:?}", plan.notes());
    orch::writer::apply(&plan).unwrap();
    let output = Command::new("rustfmt")
        .args(["--check", "--edition", "2024", "src/main.rs"])
        .current_dir(fx.path("p"))
        .output()
        .expect("rustfmt is installed (rustup component add rustfmt)");
    assert!(
        output.status.success(),
        "generated code is not rustfmt-clean:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let files = fx.files("p/src").len();
    assert!(files > 30 * FORMAT_SAFE_LEN, "only {files} files were checked");
}

#[test]
fn longer_names_get_a_note_to_run_cargo_fmt() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    let long = "a_very_long_feature_name_describing_everything";
    let run = fx.orch(&["new", "feature", long]);
    run.ok();
    assert!(
        run.stderr.contains("is a long name") && run.stderr.contains("run `cargo fmt`"),
        "{}",
        run.stderr
    );
    let short = fx.orch(&["new", "feature", "short"]);
    assert!(!short.stderr.contains("long name"), "{}", short.stderr);
}
