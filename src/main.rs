//! The `orch` binary: parse, run, map to an exit code. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    tune_allocator();
    let cli = orch::cli::Cli::parse();
    let out = orch::output::Output::from_global(&cli.global);
    match orch::commands::run(cli, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => ExitCode::from(out.report_error(&err)),
    }
}

/// Keep glibc's mmap threshold at its default (128 KiB) instead of letting it grow. glibc
/// raises the threshold to the size of each large block freed (up to 32 MiB); once `orch lint`
/// has freed its module index and the walk's chunk lists, blocks of a few MiB come from the
/// heap and stay resident after they are freed: ~3.5 MiB more at the peak on a 100k-file tree
/// (BENCHMARKS.md, "Lint").
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code, reason = "one libc call that takes no pointers; see the SAFETY note")]
fn tune_allocator() {
    // SAFETY: `mallopt` only sets an allocator parameter; it is called before any other
    // thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}
