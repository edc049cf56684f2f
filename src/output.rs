//! The only module that writes to the terminal: stdout for results, stderr for status,
//! warnings and errors. Colour follows `--color`, `NO_COLOR` and whether the stream is a
//! terminal. Interactive prompts also live here (and only run on a terminal).

use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use console::Style;

use crate::cli::{ColorChoice, GlobalArgs};
use crate::error::{self, Failure};

/// Terminal output settings and printing helpers.
#[derive(Debug, Clone)]
pub struct Output {
    quiet: bool,
    verbose: u8,
    color_out: bool,
    color_err: bool,
    interactive: bool,
    /// Results go to stderr (a command whose stdout is reserved for a machine format).
    results_to_stderr: bool,
    /// Set once stdout's reader has gone (`orch lint | head -1`): later results are dropped.
    stdout_closed: Arc<AtomicBool>,
}

/// Which stream a styled string is meant for (colour is decided per stream).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Out,
    /// Standard error.
    Err,
}

impl Output {
    /// Settings from the global flags and the environment.
    pub fn from_global(global: &GlobalArgs) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let decide = |tty: bool| match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        Output {
            quiet: global.quiet,
            verbose: global.verbose,
            color_out: decide(io::stdout().is_terminal()),
            color_err: decide(io::stderr().is_terminal()),
            interactive: !global.no_input && io::stdin().is_terminal() && io::stderr().is_terminal(),
            results_to_stderr: false,
            stdout_closed: Arc::default(),
        }
    }

    /// The same settings, with what would go to stdout written to stderr instead: `orch lint
    /// --fix --format sarif` keeps stdout for the SARIF document, its fix plan goes to stderr.
    pub fn results_to_stderr(&self) -> Output {
        Output { results_to_stderr: true, color_out: self.color_err, ..self.clone() }
    }

    /// Plain settings: no colour, not interactive (tests, library use).
    pub fn plain() -> Self {
        Output {
            quiet: false,
            verbose: 0,
            color_out: false,
            color_err: false,
            interactive: false,
            results_to_stderr: false,
            stdout_closed: Arc::default(),
        }
    }

    /// `-q` was given.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// The `-v` count.
    pub fn verbosity(&self) -> u8 {
        self.verbose
    }

    /// Whether prompts may be shown (stdin and stderr are terminals and `--no-input` is off).
    pub fn is_interactive(&self) -> bool {
        self.interactive
    }

    /// Whether output to `stream` is coloured.
    pub fn colored(&self, stream: Stream) -> bool {
        match stream {
            Stream::Out => self.color_out,
            Stream::Err => self.color_err,
        }
    }

    /// A painter for `stream`.
    pub fn paint(&self, stream: Stream) -> Paint {
        Paint { enabled: self.colored(stream) }
    }

    /// Write `text` to stdout as is (results: plans, reports, diagrams). A closed pipe
    /// (`orch lint | head -1`) is not an error: like ripgrep, orch stops writing quietly, and
    /// the command still ends with the exit status of its result (1 when lint found errors),
    /// which an error here would replace. Other write errors (`orch lint >/dev/full`) are a
    /// failure (exit 1) saying so: the result is incomplete.
    pub fn stdout(&self, text: &str) -> anyhow::Result<()> {
        if self.results_to_stderr {
            let _ = io::stderr().lock().write_all(text.as_bytes());
            return Ok(());
        }
        if self.is_stdout_closed() {
            return Ok(());
        }
        let mut lock = io::stdout().lock();
        match lock.write_all(text.as_bytes()).and_then(|()| lock.flush()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.stdout_closed.store(true, Ordering::Relaxed);
                Ok(())
            }
            Err(e) => Err(anyhow::Error::new(e)
                .context(Failure::failed("cannot write the result to stdout").hint(
                "check where stdout goes (a full disk or device, a closed file); the result is incomplete",
            ))),
            Ok(()) => Ok(()),
        }
    }

    /// [`Output::stdout`] for a human-readable result (doctor, list, graph, plans) whose lines
    /// may hold user file names: see [`guard_lines`]. Machine formats go through `stdout` as is
    /// (`--format github` must start lines with `::`).
    pub fn stdout_human(&self, text: &str) -> anyhow::Result<()> {
        self.stdout(&guard_lines(text))
    }

    /// Whether stdout's reader has gone: writers of long reports may stop rendering.
    pub fn is_stdout_closed(&self) -> bool {
        self.stdout_closed.load(Ordering::Relaxed)
    }

    /// A status line on stderr, unless `-q`.
    pub fn status(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(io::stderr().lock(), "{}", guard_lines(text));
        }
    }

    /// A detail line on stderr, only with `-v`.
    pub fn detail(&self, text: &str) {
        if self.verbose > 0 && !self.quiet {
            let _ = writeln!(io::stderr().lock(), "{}", guard_lines(text));
        }
    }

    /// A warning on stderr (shown even with `-q`).
    pub fn warn(&self, text: &str) {
        let p = self.paint(Stream::Err);
        let _ = writeln!(io::stderr().lock(), "{}: {}", p.yellow_bold("warning"), guard_lines(text));
    }

    /// Ask for a value on the terminal. Fails with a usage error naming `what` when not
    /// interactive, so CI never hangs.
    pub fn prompt(&self, what: &str, flag_hint: &str) -> anyhow::Result<String> {
        if !self.interactive {
            return Err(Failure::usage(format!("missing {what}"))
                .hint(format!("pass it as {flag_hint} (no prompt without a terminal)"))
                .into());
        }
        let term = console::Term::stderr();
        loop {
            term.write_str(&format!("{what}: "))?;
            let line = term.read_line()?;
            let line = line.trim();
            if !line.is_empty() {
                return Ok(line.to_string());
            }
        }
    }

    /// Ask for a value with a default (shown in brackets, used for an empty answer). Fails
    /// like [`Output::prompt`] when not interactive.
    pub fn prompt_default(&self, what: &str, default: &str) -> anyhow::Result<String> {
        if !self.interactive {
            return Err(Failure::usage(format!("cannot ask for {what} without a terminal")).into());
        }
        let term = console::Term::stderr();
        let shown = if default.is_empty() { String::new() } else { format!(" [{default}]") };
        term.write_str(&format!("{what}{shown}: "))?;
        let line = term.read_line()?;
        let line = line.trim();
        Ok(if line.is_empty() { default.to_string() } else { line.to_string() })
    }

    /// Ask a yes/no question with a default. Fails like [`Output::prompt`] when not interactive.
    pub fn confirm(&self, question: &str, default: bool) -> anyhow::Result<bool> {
        loop {
            let answer =
                self.prompt_default(&format!("{question} (y/n)"), if default { "y" } else { "n" })?;
            match answer.to_ascii_lowercase().as_str() {
                "y" | "yes" => return Ok(true),
                "n" | "no" => return Ok(false),
                _ => {}
            }
        }
    }

    /// Print `err` as `error: ...` with its `caused by:` chain and hint; return the exit code.
    /// A closed stdout pipe never gets here ([`Output::stdout`] absorbs it), so a broken pipe
    /// in the chain is someone else's (a child process's stdin) and reported like any error.
    pub fn report_error(&self, err: &anyhow::Error) -> u8 {
        let (kind, hint) = error::classify(err);
        if err.chain().next().is_some_and(|c| c.is::<error::Silent>()) {
            return kind.code();
        }
        let p = self.paint(Stream::Err);
        let mut text = format!("{}: {err}\n", p.red_bold("error"));
        let causes: Vec<String> = err.chain().skip(1).map(|c| c.to_string()).collect();
        for cause in causes {
            text.push_str(&format!("  {} {cause}\n", p.bold("caused by:")));
        }
        if let Some(hint) = hint {
            text.push_str(&format!("  {} {hint}\n", p.cyan_bold("hint:")));
        }
        let _ = io::stderr().lock().write_all(guard_lines(&text).as_bytes());
        kind.code()
    }
}

/// `text` (a file name, a message) with its control characters, and the Unicode line and
/// paragraph separators, written as Rust escapes (`\n`, `\r`, `\u{1b}`), like `{:?}` without
/// the quotes: a name holding `"\n::error file=x::"` cannot start a line of its own, which a
/// CI log (GitHub Actions) would run as a workflow command, nor send terminal escapes.
/// Use it on user data before colouring.
pub fn escape(text: &str) -> Cow<'_, str> {
    let needs = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
    if !text.chars().any(needs) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Formatted human text (status lines, errors, reports) whose lines are meant, but which may
/// embed a user's file name: a carriage return, and a line break that would start a line with
/// `::` (after blanks, which the GitHub Actions runner skips), are written as `\r` / `\n`.
/// Colours (escape sequences) and the text's own line breaks are kept.
pub fn guard_lines(text: &str) -> Cow<'_, str> {
    let breaks = |i: usize, c: char| {
        c == '\r' || (c == '\n' && text[i + 1..].trim_start_matches([' ', '\t']).starts_with("::"))
    };
    if !text.char_indices().any(|(i, c)| breaks(i, c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        if breaks(i, c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Applies colours when enabled, returns the text unchanged otherwise.
#[derive(Debug, Clone, Copy)]
pub struct Paint {
    enabled: bool,
}

impl Paint {
    /// A painter that never colours.
    pub fn none() -> Self {
        Paint { enabled: false }
    }

    fn apply(&self, style: Style, text: &str) -> String {
        if self.enabled { style.force_styling(true).apply_to(text).to_string() } else { text.to_string() }
    }

    /// Green (created, pass).
    pub fn green(&self, text: &str) -> String {
        self.apply(Style::new().green(), text)
    }
    /// Yellow (updated, warn).
    pub fn yellow(&self, text: &str) -> String {
        self.apply(Style::new().yellow(), text)
    }
    /// Bold yellow (warning label).
    pub fn yellow_bold(&self, text: &str) -> String {
        self.apply(Style::new().yellow().bold(), text)
    }
    /// Red (deleted, fail).
    pub fn red(&self, text: &str) -> String {
        self.apply(Style::new().red(), text)
    }
    /// Bold red (error label).
    pub fn red_bold(&self, text: &str) -> String {
        self.apply(Style::new().red().bold(), text)
    }
    /// Bold cyan (hint label).
    pub fn cyan_bold(&self, text: &str) -> String {
        self.apply(Style::new().cyan().bold(), text)
    }
    /// Cyan.
    pub fn cyan(&self, text: &str) -> String {
        self.apply(Style::new().cyan(), text)
    }
    /// Bold.
    pub fn bold(&self, text: &str) -> String {
        self.apply(Style::new().bold(), text)
    }
    /// Dim (skipped, details).
    pub fn dim(&self, text: &str) -> String {
        self.apply(Style::new().dim(), text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_writes_control_characters_as_rust_escapes() {
        assert_eq!(escape("src/a.rs"), "src/a.rs");
        assert!(matches!(escape("plain é\\name"), Cow::Borrowed(_)));
        assert_eq!(escape("nl\n::error file=x::FAKE.rs"), "nl\\n::error file=x::FAKE.rs");
        assert_eq!(escape("a\rb\tc\u{1b}[31md\u{7f}e\u{2028}f"), "a\\rb\\tc\\u{1b}[31md\\u{7f}e\\u{2028}f");
    }

    #[test]
    fn guard_lines_keeps_line_breaks_and_colours_but_not_a_line_starting_with_two_colons() {
        let coloured = "\u{1b}[32mok:\u{1b}[0m 3 files\n  hint: x\n";
        assert_eq!(guard_lines(coloured), coloured);
        assert_eq!(
            guard_lines("error: nl\n::error file=x::F.rs: bad"),
            "error: nl\\n::error file=x::F.rs: bad"
        );
        assert_eq!(guard_lines("a\n \t::warning::x\nb\rc"), "a\\n \t::warning::x\nb\\rc");
        assert_eq!(guard_lines("a:\n:b"), "a:\n:b");
    }
}
