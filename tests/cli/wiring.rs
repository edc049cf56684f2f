//! Wiring into hand-edited modules (issue 10): calls land where the file still parses and
//! comments stay with the line they describe; an edit orch cannot place is refused with the
//! line to add by hand, leaving the tree untouched; `orch remove` undoes it the same way.

use insta::assert_snapshot;

use crate::support::Fixture;

/// Panic unless `rel` parses as Rust.
#[track_caller]
fn assert_parses(fx: &Fixture, rel: &str) {
    let src = fx.read(rel);
    if let Err(e) = syn::parse_file(&src) {
        panic!("{rel} does not parse: {e}\n{src}");
    }
}

/// `rel` with `from` replaced by `to` (which must be there).
fn edit(fx: &Fixture, rel: &str, from: &str, to: &str) {
    let src = fx.read(rel);
    assert!(src.contains(from), "{rel} has no {from:?}:\n{src}");
    fx.write(rel, &src.replace(from, to));
}

const TAIL_FROM: &str = "    cart::register(builder)?;\n    Ok(())\n";
const TAIL_TO: &str = "    cart::register(builder)\n";

#[test]
fn a_tail_call_in_the_features_module_stays_the_tail() {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "cart"]);
    edit(&fx, "src/features/mod.rs", TAIL_FROM, TAIL_TO);
    fx.orch(&["new", "feature", "search", "-q"]).ok();
    assert_parses(&fx, "src/features/mod.rs");
    assert!(
        fx.read("src/features/mod.rs")
            .contains("    search::register(builder)?;\n    cart::register(builder)\n}"),
        "{}",
        fx.read("src/features/mod.rs")
    );
    // `orch remove` undoes it, and removing the tail call leaves `Ok(())` in its place.
    fx.orch(&["remove", "feature", "search", "-q"]).ok();
    assert!(fx.read("src/features/mod.rs").contains(TAIL_TO), "{}", fx.read("src/features/mod.rs"));
    fx.orch(&["remove", "feature", "cart", "-q"]).ok();
    assert_parses(&fx, "src/features/mod.rs");
    assert!(fx.read("src/features/mod.rs").contains("    let _ = builder;\n    Ok(())\n}"));
}

#[test]
fn a_tail_call_in_a_nested_features_module_stays_the_tail() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    fx.orch(&["new", "feature", "reports", "--path", "src/admin", "-q"]).ok();
    edit(
        &fx,
        "src/admin/mod.rs",
        "    reports::register(builder)?;\n    Ok(())\n",
        "    reports::register(builder)\n",
    );
    edit(&fx, "src/admin/mod.rs", "reports::demo(dispatcher).await;", "reports::demo(dispatcher).await");
    fx.orch(&["new", "feature", "users", "--path", "src/admin", "-q"]).ok();
    assert_parses(&fx, "src/admin/mod.rs");
    let src = fx.read("src/admin/mod.rs");
    assert!(src.contains("    users::register(builder)?;\n    reports::register(builder)\n}"), "{src}");
    assert!(
        src.contains("    users::demo(dispatcher).await;\n    reports::demo(dispatcher).await\n}"),
        "{src}"
    );
}

#[test]
fn a_comment_above_a_registration_stays_above_it() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    fx.orch(&["add", "executor", "upload", "-q"]).ok();
    let line = "    builder.register::<jobs::UploadJob, _>(executors::UploadExecutor)?;\n";
    edit(&fx, "src/shared/mod.rs", line, &format!("    // Uploads go to the bucket.\n{line}"));
    fx.orch(&["add", "executor", "resize", "-q"]).ok();
    let src = fx.read("src/shared/mod.rs");
    assert!(
        src.contains(&format!(
            "    builder.register::<jobs::ResizeJob, _>(executors::ResizeExecutor)?;\n    // Uploads go to the bucket.\n{line}"
        )),
        "{src}"
    );
    // Removing the upload executor takes its comment along, not the resize line's neighbour.
    fx.orch(&["remove", "executor", "upload", "-q"]).ok();
    let src = fx.read("src/shared/mod.rs");
    assert!(!src.contains("Uploads go to"), "{src}");
    assert!(
        src.contains("    builder.register::<jobs::ResizeJob, _>(executors::ResizeExecutor)?;\n    Ok(())"),
        "{src}"
    );
}

#[test]
fn a_call_orch_cannot_place_is_refused_and_nothing_is_written() {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "cart"]);
    edit(
        &fx,
        "src/features/mod.rs",
        "{\n    cart::register(builder)?;\n    Ok(())\n}",
        "{ cart::register(builder) }",
    );
    let before = fx.snapshot();
    let run = fx.orch(&["new", "feature", "search"]);
    run.expect_code(1);
    assert_eq!(fx.snapshot(), before);
    assert_snapshot!(run.transcript(), @r"
    exit: 1
    --- stdout
    --- stderr
    error: src/features/mod.rs: cannot place `search::register(builder)?;` in `fn register` without breaking it
      hint: add `search::register(builder)?;` to `fn register` by hand, on a line of its own before its final expression (orch leaves calls that are there alone), then run the command again
    ");
    // Doing what the hint says works.
    edit(
        &fx,
        "src/features/mod.rs",
        "{ cart::register(builder) }",
        "{\n    search::register(builder)?;\n    cart::register(builder)\n}",
    );
    fx.orch(&["new", "feature", "search", "-q"]).ok();
    assert_parses(&fx, "src/features/mod.rs");
    assert_eq!(fx.read("src/features/mod.rs").matches("search::register").count(), 1);
}

#[test]
fn attributes_tabs_and_crlf_are_kept() {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "cart"]);
    let src = fx
        .read("src/features/mod.rs")
        .replace("    cart::register(builder)?;\n", "    #[cfg(not(test))]\n    cart::register(builder)?;\n");
    fx.write("src/features/mod.rs", &src.replace("    ", "\t").replace('\n', "\r\n"));
    fx.orch(&["new", "feature", "auth", "-q"]).ok();
    assert_parses(&fx, "src/features/mod.rs");
    let src = fx.read("src/features/mod.rs");
    assert!(
        src.contains("\tauth::register(builder)?;\r\n\t#[cfg(not(test))]\r\n\tcart::register(builder)?;\r\n"),
        "{src:?}"
    );
    assert!(!src.replace("\r\n", "").contains('\n'), "{src:?}");
}

#[test]
fn a_plan_that_would_leave_a_broken_file_is_refused_before_anything_is_written() {
    let fx = Fixture::project(&["--runtime-version", "0.1"]);
    // A custom template that declares a module nothing creates.
    fx.write(
        ".orch/templates/feature/mod.rs.tera",
        "pub mod extra;\n\npub fn register(builder: &mut orch_runtime::DispatcherBuilder) -> Result<(), orch_runtime::RegisterError> {\n    let _ = builder;\n    Ok(())\n}\n\npub async fn demo(dispatcher: &orch_runtime::Dispatcher) {\n    let _ = dispatcher;\n}\n",
    );
    let before = fx.snapshot();
    for args in [&["new", "feature", "search"][..], &["new", "feature", "search", "--dry-run"]] {
        let run = fx.orch(args);
        run.expect_code(1);
        assert!(
            run.stderr.contains("error: src/features/search/mod.rs: orch's edit would declare `mod extra;` but neither src/features/search/extra.rs nor src/features/search/extra/mod.rs exists"),
            "{}",
            run.stderr
        );
        assert_eq!(fx.snapshot(), before);
    }
}

#[test]
fn lint_and_doctor_catch_a_broken_or_unwired_features_module() {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "cart"]);
    // What orch used to write: a call after the tail expression (tokenizes, does not parse).
    edit(
        &fx,
        "src/features/mod.rs",
        TAIL_FROM,
        "    cart::register(builder)\n    search::register(builder)?;\n",
    );
    let run = fx.orch(&["lint"]);
    run.expect_code(1);
    assert_snapshot!(run.stdout, @"
    error[parse-error]: does not parse as Rust: unexpected token, expected `;`
      --> src/features/mod.rs:15:5
       |
    15 |     search::register(builder)?;
       |     ^^^^^^^^^^^^^^^^
       = hint: fix it (`cargo check` shows the compiler's view): the crate cannot build, and orch refuses to wire into it until it parses
    ");
    let run = fx.orch(&["doctor"]);
    run.expect_code(1);
    assert!(run.stdout.contains("FAIL  sources"), "{}", run.stdout);
    assert!(run.stdout.contains("src/features/mod.rs:15:5: does not parse as Rust"), "{}", run.stdout);
    // And orch refuses to wire into it.
    let before = fx.snapshot();
    fx.orch(&["new", "feature", "search"]).expect_code(1);
    assert_eq!(fx.snapshot(), before);

    // A feature whose `register` is never called.
    edit(
        &fx,
        "src/features/mod.rs",
        "    cart::register(builder)\n    search::register(builder)?;\n",
        "    Ok(())\n",
    );
    let run = fx.orch(&["doctor"]);
    run.expect_code(1);
    assert!(run.stdout.contains("FAIL  features registered"), "{}", run.stdout);
    edit(&fx, "src/features/mod.rs", "    Ok(())\n", TAIL_FROM);

    // A declared module without its file: named at the declaration, not as orphans below it.
    std::fs::remove_file(fx.path("src/features/cart/jobs/mod.rs")).unwrap();
    let run = fx.orch(&["lint"]);
    run.expect_code(1);
    assert_snapshot!(run.stdout, @r"
    error[missing-module]: `mod jobs;` is declared here, but neither src/features/cart/jobs.rs nor src/features/cart/jobs/mod.rs exists
     --> src/features/cart/mod.rs:6:9
      |
    6 | pub mod jobs;
      |         ^^^^
      = hint: create src/features/cart/jobs/mod.rs (declaring the files of that folder), or remove the `mod jobs;` line; rustc cannot build the crate until then
    ");
    let run = fx.orch(&["doctor"]);
    run.expect_code(1);
    assert!(run.stdout.contains("FAIL  modules"), "{}", run.stdout);
}

/// Under the project's rustfmt configuration, inserted lines take rustfmt's layout even in a
/// file whose own lines do not follow it (those stay as they are); without rustfmt they keep
/// orch's layout, with a warning; `orch remove` takes the wrapped lines out.
#[test]
fn inserted_lines_take_rustfmts_layout_and_leave_the_users_lines_alone() {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "cart"]);
    fx.write("rustfmt.toml", "max_width = 70\n");
    let mine = "    cart::register( builder )?;\n";
    edit(&fx, "src/features/mod.rs", "    cart::register(builder)?;\n", mine);
    let long = format!("s{}", "e".repeat(49));
    fx.orch(&["new", "feature", &long, "-q"]).ok();
    let wired = fx.read("src/features/mod.rs");
    assert!(wired.contains(mine), "{wired}");
    assert!(wired.contains(&format!("    {long}::register(\n        builder,\n    )?;\n")), "{wired}");

    let other = format!("t{}", "e".repeat(49));
    let mut cmd = fx.command(&["new", "feature", &other, "-q"]);
    cmd.env("RUSTFMT", fx.path("no-such-rustfmt"));
    let run = fx.run(cmd);
    run.ok();
    assert!(
        run.stderr.contains("rustfmt not found") && run.stderr.contains("lines inserted"),
        "{}",
        run.stderr
    );
    assert!(fx.read("src/features/mod.rs").contains(&format!("    {other}::register(builder)?;\n")));

    fx.orch(&["remove", "feature", &long, "-q"]).ok();
    assert_parses(&fx, "src/features/mod.rs");
    let unwired = fx.read("src/features/mod.rs");
    assert!(!unwired.contains(&long) && unwired.contains(mine), "{unwired}");
}
