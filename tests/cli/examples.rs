//! The case studies under `examples/` stay in the pattern: `orch lint` finds nothing in any of
//! them and `orch doctor` passes every check. (They are workspace members, so `cargo test`,
//! clippy and fmt cover their code; this covers orch's view of them.)

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::orch_bin;

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("orch.toml").is_file())
        .collect();
    out.sort();
    out
}

fn orch(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(orch_bin())
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("running orch");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn the_four_case_studies_are_present() {
    let names: Vec<_> =
        examples().iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["auth", "cart", "chatbot", "upload"]);
}

#[test]
fn every_example_lints_clean() {
    for dir in examples() {
        let (ok, text) = orch(&dir, &["lint", "--deny-warnings"]);
        assert!(ok && text.contains("no findings"), "{}:\n{text}", dir.display());
    }
}

#[test]
fn every_example_passes_doctor() {
    for dir in examples() {
        let (ok, text) = orch(&dir, &["doctor"]);
        assert!(ok && text.contains(" 0 failed"), "{}:\n{text}", dir.display());
    }
}
