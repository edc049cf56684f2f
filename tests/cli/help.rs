//! `--help` of the generating commands (the doc comments in `src/cli.rs` are the help text).

use insta::assert_snapshot;

use crate::support::Fixture;

#[test]
fn help_of_generating_commands() {
    let fx = Fixture::new();
    for (name, args) in [
        ("help_orch", vec!["--help"]),
        ("help_new_project", vec!["new", "project", "--help"]),
        ("help_new_feature", vec!["new", "feature", "--help"]),
        ("help_add", vec!["add", "--help"]),
        ("help_init", vec!["init", "--help"]),
    ] {
        let mut cmd = fx.command(&args);
        cmd.env("COLUMNS", "100");
        let run = fx.run(cmd);
        run.ok();
        assert_snapshot!(name, run.stdout);
    }
}
