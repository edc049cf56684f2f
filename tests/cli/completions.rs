//! `orch completions <shell>` and the hidden `orch man`: scripts that load in real shells.

use std::process::Command;

use crate::support::Fixture;

fn script(shell: &str) -> String {
    let run = Fixture::new().orch(&["completions", shell]);
    run.ok();
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    run.stdout
}

#[test]
fn every_shell_gets_a_script_naming_the_commands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let text = script(shell);
        for word in ["remove", "graph", "template", "completions"] {
            assert!(text.contains(word), "{shell} script lacks {word}");
        }
    }
    let run = Fixture::new().orch(&["completions", "tcsh"]);
    run.expect_code(2);
}

#[test]
fn bash_script_loads_and_completes() {
    let fx = Fixture::new();
    fx.write("orch.bash", &script("bash"));
    let out = Command::new("bash")
        .arg("-c")
        .arg(
            "set -e; source ./orch.bash; COMP_WORDS=(orch rem); COMP_CWORD=1; COMP_LINE='orch rem'; \
             COMP_POINT=8; _orch orch rem orch; printf '%s\\n' \"${COMPREPLY[@]}\"",
        )
        .current_dir(&fx.root)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.lines().any(|l| l == "remove"), "{stdout}");
}

#[test]
fn fish_script_parses_and_loads() {
    if Command::new("fish").arg("--version").output().is_err() {
        // .ci/run installs fish (and sets CI): there, a missing fish is a failure, not a skip.
        assert!(std::env::var_os("CI").is_none(), "fish is not installed, but CI must run this test");
        eprintln!("fish is not installed; skipping (CI installs it)");
        return;
    }
    let fx = Fixture::new();
    fx.write("orch.fish", &script("fish"));
    for args in [vec!["-n", "orch.fish"], vec!["-c", "source orch.fish; complete -C 'orch rem'"]] {
        let out = Command::new("fish").args(&args).current_dir(&fx.root).output().expect("fish runs");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        if args[0] == "-c" {
            assert!(String::from_utf8_lossy(&out.stdout).contains("remove"), "{:?}", out);
        }
    }
}

#[test]
fn man_page_is_roff_for_orch() {
    let run = Fixture::new().orch(&["man"]);
    run.ok();
    assert!(run.stdout.starts_with(".ie \\n(.g .ds Aq"), "{}", &run.stdout[..80.min(run.stdout.len())]);
    assert!(run.stdout.contains(".TH orch 1"), "{}", run.stdout);
    assert!(run.stdout.contains("remove"));
}
