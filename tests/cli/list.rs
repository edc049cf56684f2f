//! `orch list` / `orch ls`: templates and the project's components.

use insta::assert_snapshot;

use crate::support::Fixture;

fn fixture() -> Fixture {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "auth"]);
    fx.orch(&["add", "executor", "upload", "-q"]).ok();
    fx.orch(&["new", "feature", "cart", "--no-orchestrator", "-q"]).ok();
    fx.orch(&["template", "init", "-t", "job", "-q"]).ok();
    fx.write(".orch/templates/extra/banner.rs.tera", "// banner\n");
    fx
}

#[test]
fn list_shows_templates_and_the_component_tree() {
    let fx = fixture();
    let run = fx.orch(&["list"]);
    run.ok();
    assert_snapshot!("list_human", run.transcript());
    assert_eq!(fx.orch(&["ls"]).stdout, run.stdout);
}

#[test]
fn list_custom_verbose_and_json() {
    let fx = fixture();
    let run = fx.orch(&["list", "-c", "-v"]);
    run.ok();
    assert_snapshot!("list_custom_verbose", run.transcript());
    let run = fx.orch(&["list", "--format", "json"]);
    run.ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_snapshot!("list_json_components", format!("{:#}", json["components"]));
    let names: Vec<&str> =
        json["templates"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"executor/executor.rs.tera") && names.contains(&"extra/banner.rs.tera"),
        "{names:?}"
    );
}

#[test]
fn list_outside_a_project_shows_the_built_in_templates() {
    let fx = Fixture::new();
    let run = fx.orch(&["list", "-v"]);
    run.ok();
    assert_snapshot!("list_outside_project", run.transcript());
}
