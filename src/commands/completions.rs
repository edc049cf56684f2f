//! `orch completions <shell>` (clap_complete) and the hidden `orch man` (clap_mangen): both
//! print to stdout and never edit rc files.

use clap::CommandFactory;

use super::Ctx;
use crate::cli::{Cli, CompletionsArgs, Shell};

/// Print the completion script for the requested shell.
pub fn run(ctx: &Ctx<'_>, args: CompletionsArgs) -> anyhow::Result<()> {
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        Shell::Powershell => clap_complete::Shell::PowerShell,
        Shell::Elvish => clap_complete::Shell::Elvish,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "orch", &mut buf);
    ctx.out.stdout(&String::from_utf8_lossy(&buf))
}

/// Print the man page (roff).
pub fn man(ctx: &Ctx<'_>) -> anyhow::Result<()> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
    ctx.out.stdout(&String::from_utf8_lossy(&buf))
}
