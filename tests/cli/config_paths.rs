//! No silent pass on configuration (issue 11): `orch lint` and `orch doctor` outside an orch
//! project, `[paths]` values that are absolute, lead outside the project or name a missing
//! folder, a lint run that checks no file, and doctor on a deleted module file.

use crate::support::Fixture;

/// A crate shaped like serde's: a `src/core/` folder that is not the pattern's core.
fn plain_crate_with_a_core_folder() -> Fixture {
    let fx = Fixture::cargo_bin("serde_like");
    fx.write("src/lib.rs", "mod core;\npub use crate::core::Value;\n");
    fx.write("src/core/mod.rs", "mod value;\npub use value::Value;\n");
    fx.write("src/core/value.rs", "pub enum Value { Null }\n");
    fx
}

#[test]
fn lint_and_doctor_outside_an_orch_project_refuse_with_orch_init_as_the_hint() {
    let fx = plain_crate_with_a_core_folder();
    for args in [&["lint"][..], &["lint", "--format", "json"], &["lint", "--fix"], &["doctor"]] {
        let run = fx.refused(args, 2);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.transcript());
        assert!(run.stderr.contains("not an orch project: no orch.toml in [ROOT]"), "{}", run.stderr);
        assert!(run.stderr.contains("hint: run `orch init`"), "{}", run.stderr);
        assert!(!run.stderr.contains("layout"), "{}", run.stderr);
    }
    fx.orch_in("src/core", &["lint"]).expect_code(2);
    // Rule documentation needs no project, here or outside any cargo project.
    fx.orch(&["lint", "--list-rules"]).ok();
    fx.orch(&["lint", "--explain", "layout"]).ok();
    let nowhere = Fixture::new();
    nowhere.orch(&["lint", "--list-rules"]).ok();
    let run = nowhere.refused(&["lint"], 2);
    assert!(run.stderr.contains("hint:") && run.stderr.contains("orch init"), "{}", run.stderr);
}

#[test]
fn paths_outside_the_project_are_configuration_errors_for_every_command() {
    let fx = Fixture::project(&["--runtime-version", "0.1.0", "--feature", "auth"]);
    std::fs::create_dir_all(fx.root.parent().unwrap().join("outside/features")).unwrap();
    std::os::unix::fs::symlink(fx.root.parent().unwrap().join("outside"), fx.path("src/out")).unwrap();
    let config = fx.read("orch.toml");
    let commands: [&[&str]; 6] =
        [&["lint"], &["doctor"], &["doctor", "--fix"], &["graph"], &["list"], &["new", "feature", "billing"]];
    for (key, value, why) in [
        ("features", "/etc", "is an absolute path"),
        ("features", "../../..", "leads outside the project"),
        ("features", "src/out/features", "leads outside the project through a symlink"),
        ("core", "../common", "leads outside the project"),
        ("templates", "/tmp", "is an absolute path"),
    ] {
        let line = format!("{key} = \"{value}\"");
        let edited: String = config
            .lines()
            .map(|l| if l.starts_with(&format!("{key} = ")) { line.clone() } else { l.to_string() })
            .map(|l| l + "\n")
            .collect();
        assert_ne!(edited, config, "orch.toml has no `{key} =` line");
        fx.write("orch.toml", &edited);
        let at = edited.lines().position(|l| l == line).unwrap() + 1;
        for args in commands {
            let run = fx.refused(args, 2);
            let expected = format!("error: [ROOT]/app/orch.toml:{at}:{}: `[paths] {key}`", key.len() + 4);
            assert!(run.stderr.starts_with(&expected), "{args:?} {line}:\n{}", run.stderr);
            assert!(run.stderr.contains(why), "{args:?} {line}:\n{}", run.stderr);
            assert!(run.stderr.contains("hint: set `[paths]"), "{}", run.stderr);
        }
    }
}

#[test]
fn a_configured_folder_that_is_missing_fails_lint_and_doctor_and_is_not_created_by_doctor_fix() {
    let fx = Fixture::project(&["--runtime-version", "0.1.0", "--feature", "auth"]);
    let config = fx.read("orch.toml").replace("features = \"src/features\"", "features = \"src/feats\"");
    fx.write("orch.toml", &config);
    let at = config.lines().position(|l| l == "features = \"src/feats\"").unwrap() + 1;

    let lint = fx.refused(&["lint"], 2);
    assert!(
        lint.stderr
            .starts_with(&format!("error: [ROOT]/app/orch.toml:{at}:12: `[paths] features` is src/feats")),
        "{}",
        lint.stderr
    );
    assert!(lint.stderr.contains("hint:"), "{}", lint.stderr);

    let doctor = fx.refused(&["doctor"], 1);
    assert!(doctor.stdout.contains("FAIL  folder structure"), "{}", doctor.stdout);
    assert!(doctor.stdout.contains(&format!("orch.toml:{at}:12")), "{}", doctor.stdout);
    let fix = fx.refused(&["doctor", "--fix"], 1);
    assert!(fix.stderr.contains("nothing to fix automatically"), "{}", fix.transcript());
    assert!(!fx.exists("src/feats"));

    // The generators create the configured folder (a project may not have it yet).
    fx.orch(&["new", "feature", "billing", "-q"]).ok();
    assert!(fx.exists("src/feats/billing/mod.rs"));

    // A default folder that was deleted: lint says so, doctor --fix recreates the layout.
    let fx = Fixture::project(&["--runtime-version", "0.1.0"]);
    std::fs::remove_dir_all(fx.path("src/shared")).unwrap();
    let lint = fx.refused(&["lint"], 2);
    assert!(lint.stderr.contains("`[paths] core` is src/shared, which does not exist"), "{}", lint.stderr);
    assert!(
        lint.stderr.contains("hint: `orch doctor --fix` creates the default src/shared"),
        "{}",
        lint.stderr
    );
    fx.orch(&["doctor", "--fix", "-q"]).ok();
    assert!(fx.exists("src/shared/mod.rs"));
}

#[test]
fn a_lint_run_that_checks_no_file_fails() {
    let fx = Fixture::project(&["--runtime-version", "0.1.0"]);
    let config = fx.read("orch.toml").replace("[lint]\n", "[lint]\nexclude = [\"**\"]\n");
    fx.write("orch.toml", &config);
    for args in [&["lint"][..], &["lint", "--format", "json"], &["lint", "--fix"]] {
        let run = fx.refused(args, 2);
        assert!(run.stdout.is_empty(), "{}", run.transcript());
        assert!(run.stderr.contains("error: [ROOT]/app: no file checked"), "{}", run.stderr);
        assert!(run.stderr.contains("hint: check `[lint] exclude`"), "{}", run.stderr);
    }
}

#[test]
fn doctor_fails_a_declared_module_whose_file_was_deleted() {
    let fx = Fixture::project(&["--runtime-version", "0.1.0", "--feature", "auth"]);
    std::fs::remove_dir_all(fx.path("src/features/auth/jobs")).unwrap();
    let run = fx.orch(&["doctor"]);
    run.expect_code(1);
    assert!(run.stdout.contains("FAIL  modules"), "{}", run.stdout);
    assert!(
        run.stdout.contains("src/features/auth/mod.rs:6:9: `mod jobs;` is declared here"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("create each missing module file, or remove its `mod` line"),
        "{}",
        run.stdout
    );
    let lint = fx.orch(&["lint"]);
    lint.expect_code(1);
    assert!(lint.stdout.contains("or remove the `mod jobs;` line"), "{}", lint.stdout);
    assert!(!lint.stdout.contains("declare it with"), "{}", lint.stdout);
}

#[test]
fn root_and_overlapping_paths_are_configuration_errors_for_every_command() {
    let fx = Fixture::project(&["--runtime-version", "0.1.0", "--feature", "auth"]);
    // A planted violation the boundaries rule would report if the orchestrators were linted.
    let orchestrators = fx.path("src/features/auth/orchestrators");
    let file = std::fs::read_dir(&orchestrators).unwrap().next().unwrap().unwrap().path();
    let source = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("use std::fs;\n{source}")).unwrap();
    let config = fx.read("orch.toml");
    let commands: [&[&str]; 5] =
        [&["lint"], &["doctor"], &["graph"], &["list"], &["new", "feature", "billing"]];
    for (key, value, why) in [
        ("features", "src/shared", "is the same folder as `[paths] core` = \"src/shared\""),
        ("core", "src/features", "is the same folder as `[paths] features` = \"src/features\""),
        ("core", "src/features/shared", "overlaps `[paths] features` = \"src/features\""),
        ("features", "src/shared/features", "overlaps `[paths] core` = \"src/shared\""),
        ("features", "", "is the project root"),
        ("features", ".", "is the project root"),
        ("core", "./", "is the project root"),
        ("features", "src", "is the crate's `src` folder itself"),
    ] {
        let line = format!("{key} = \"{value}\"");
        let edited: String = config
            .lines()
            .map(|l| if l.starts_with(&format!("{key} = ")) { line.clone() } else { l.to_string() })
            .map(|l| l + "\n")
            .collect();
        fx.write("orch.toml", &edited);
        let at = edited.lines().position(|l| l == line).unwrap() + 1;
        for args in commands {
            let run = fx.refused(args, 2);
            let expected = format!("error: [ROOT]/app/orch.toml:{at}:{}: `[paths]", key.len() + 4);
            assert!(run.stderr.starts_with(&expected), "{args:?} {line}:\n{}", run.transcript());
            assert!(run.stderr.contains(why), "{args:?} {line}:\n{}", run.stderr);
            assert!(run.stderr.contains("hint: "), "{}", run.stderr);
            assert!(run.stdout.is_empty(), "{args:?} {line}:\n{}", run.stdout);
        }
    }
}

#[test]
fn a_crate_whose_root_is_outside_src_is_refused_precisely_by_init_and_lint() {
    // fnv 1.0.7's shape: `[lib] path = "lib.rs"` at the package root.
    let fx = crate::support::Fixture::new();
    let manifest = "[package]\nname = \"fnv\"\nversion = \"1.0.7\"\nedition = \"2021\"\n\n[lib]\nname = \"fnv\"\npath = \"lib.rs\"\n";
    fx.write("Cargo.toml", manifest);
    fx.write("lib.rs", "pub struct FnvHasher(u64);\n");
    for args in [&["init", "--runtime-version", "0.1.0", "--allow-unpublished-runtime"][..], &["init"]] {
        let init = fx.refused(args, 2);
        assert!(
            init.stderr.starts_with(
                "error: [ROOT]/Cargo.toml:8:8: the crate's sources are outside src/: [lib] path = \"lib.rs\""
            ),
            "{args:?}: {}",
            init.stderr
        );
        assert!(init.stderr.contains("hint: move the crate root under src/"), "{}", init.stderr);
    }
    // Adopted by hand: an orch.toml, with and without the layout's folders.
    fx.write("orch.toml", "");
    for step in ["bare", "with folders"] {
        let lint = fx.refused(&["lint"], 2);
        assert!(
            lint.stderr.starts_with("error: [ROOT]/Cargo.toml:8:8: the crate's sources are outside src/"),
            "{step}: {}",
            lint.stderr
        );
        assert!(!lint.stderr.contains("no .rs file"), "{step}: {}", lint.stderr);
        fx.write("src/features/mod.rs", "");
        fx.write("src/shared/mod.rs", "");
    }
}

#[test]
fn bad_lint_lists_are_configuration_errors_with_line_and_column() {
    let fx = Fixture::project(&["--runtime-version", "0.1.0", "--feature", "auth"]);
    let config = fx.read("orch.toml");
    for (setting, shown) in [
        ("io_deny = [\"std::fs::\"]", "12: invalid [lint] io_deny entry \"std::fs::\""),
        ("io_deny = [\"\"]", "12: invalid [lint] io_deny entry \"\""),
        ("io_deny = [\"Std::Fs\"]", "12: invalid [lint] io_deny entry \"Std::Fs\": paths are case-sensitive"),
        ("exclude = [\"/abs/**\"]", "12: invalid [lint] exclude pattern \"/abs/**\""),
        ("exclude = [\"../x\"]", "12: invalid [lint] exclude pattern \"../x\""),
        ("exclude = [\"src//x\"]", "12: invalid [lint] exclude pattern \"src//x\""),
        ("public_modules = [\"\"]", "19: invalid [lint] public_modules entry \"\""),
        ("io-deny = [\"std::fs\"]", "1: unknown field `io-deny`"),
    ] {
        // the setting two lines below `[lint]`
        fx.write("orch.toml", &config.replace("[lint]\n", &format!("[lint]\n#\n{setting}\n")));
        let line = config.lines().position(|l| l == "[lint]").unwrap() + 3;
        for args in [&["lint"][..], &["lint", "--fix"]] {
            let run = fx.refused(args, 2);
            assert!(
                run.stderr.contains(&format!("error: invalid config [ROOT]/app/orch.toml:{line}:{shown}")),
                "{setting}: {}",
                run.stderr
            );
            assert!(run.stderr.contains("hint: "), "{}", run.stderr);
        }
    }
    fx.write("orch.toml", &config.replace("[lint]\n", "[lint.rule]\nlayout = \"off\"\n"));
    let run = fx.refused(&["lint"], 2);
    assert!(run.stderr.contains("unknown field `rule`"), "{}", run.stderr);
}

#[test]
fn a_paths_folder_that_is_a_file_is_a_configuration_error_for_every_command() {
    let fx = Fixture::project(&["--runtime-version", "0.1.0", "--feature", "auth"]);
    let config = fx.read("orch.toml");
    let commands: [&[&str]; 4] = [&["lint"], &["doctor"], &["list"], &["new", "feature", "billing"]];
    for (key, value) in
        [("features", "src/main.rs"), ("core", "src/features/mod.rs"), ("templates", "Cargo.toml")]
    {
        let line = format!("{key} = \"{value}\"");
        let edited: String = config
            .lines()
            .map(|l| if l.starts_with(&format!("{key} = ")) { line.clone() } else { l.to_string() })
            .map(|l| l + "\n")
            .collect();
        fx.write("orch.toml", &edited);
        let at = edited.lines().position(|l| l == line).unwrap() + 1;
        for args in commands {
            let run = fx.refused(args, 2);
            let expected = format!(
                "error: [ROOT]/app/orch.toml:{at}:{}: `[paths] {key}` = {value:?} is a file, not a folder",
                key.len() + 4
            );
            assert!(run.stderr.starts_with(&expected), "{args:?} {line}:\n{}", run.transcript());
            assert!(run.stderr.contains("hint: "), "{}", run.stderr);
        }
    }
}
