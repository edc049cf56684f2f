//! `parse-error`: files the analysis could not read or tokenize.

use super::{Rule, RuleId};
use crate::analysis::{Analysis, Chunks, ProblemKind};
use crate::config::Level;
use crate::lint::{Finding, Settings, Severity};

pub(crate) const RULE: Rule = Rule {
    id: RuleId::ParseError.as_str(),
    key: RuleId::ParseError,
    default: Level::Error,
    summary: "a `.rs` file that cannot be read or tokenized (its facts are unknown)",
    knobs: "",
    explanation: "\
`orch lint` reads every `.rs` file under src/. A file that is not UTF-8, has an unterminated
string, char or comment, a stray character, or unbalanced delimiters cannot be analysed: it is
reported once (with the position of the problem) and contributes no facts, and files below it
are not reported as orphans. Other syntax errors are left to rustc (`cargo check`), except in
the files orch wires into (those with a `fn register`: the features module, core's and each
feature's `mod.rs`), which are parsed in full: a hand edit that breaks them (a call after a
tail expression) is reported here, with their facts kept. Unreadable files and directories are
reported under this id too, and so are paths deliberately not read: FIFOs, sockets and devices,
files over 8 MiB, symbolic links to files or folders outside the project, and folder links
that lead back into a folder holding them (a cycle).

Fix: fix the file (`cargo check` shows the compiler's view).",
};

/// The check.
pub(super) fn check<'a>(a: &'a Analysis, _s: &'a Settings, sev: Severity, out: &mut Chunks<Finding<'a>>) {
    for p in &a.problems {
        let (message, hint) = match p.kind {
            ProblemKind::Parse => (
                format!("cannot parse: {}", p.message),
                "fix the file (`cargo check` shows the compiler's view); its facts were skipped",
            ),
            ProblemKind::Syntax => (
                p.message.clone(),
                "fix it (`cargo check` shows the compiler's view): the crate cannot build, and orch \
                 refuses to wire into it until it parses",
            ),
            // a dangling link is no permission problem
            ProblemKind::Io if p.message.contains("dangling") => (
                p.message.clone(),
                "it is a dangling symbolic link (its target does not exist): point it at an existing file, or delete it",
            ),
            ProblemKind::Io => (p.message.clone(), "check the file's permissions"),
            ProblemKind::Skipped => (
                p.message.clone(),
                "orch reads only regular files up to 8 MiB and never follows a link out of the \
                 project; move the code into the project, or skip the path with `[lint] exclude`",
            ),
        };
        out.push(Finding::new(RuleId::ParseError, sev, &p.path, p.loc, message, Some(hint.to_string())));
    }
}
