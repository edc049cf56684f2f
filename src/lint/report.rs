//! Rendering findings: human (rustc-like, with the source line), JSON, GitHub workflow
//! annotations and SARIF 2.1.0; plus `--list-rules` and `--explain`. Everything returns a
//! `String`; printing is [`crate::output`]'s job.

use std::path::Path;

use serde_json::{Value, json};

use super::{Finding, RULES, Rule, Settings, Severity, show};
use crate::analysis::walk::SourceReader;
use crate::config::Level;
use crate::output::{Paint, escape};

/// Where rendered text goes (in chunks, so a large report never sits whole in memory).
pub type Sink<'a> = &'a mut dyn FnMut(&str) -> anyhow::Result<()>;

const CHUNK: usize = 64 * 1024;

fn flush_if_full(out: &mut String, sink: &mut dyn FnMut(&str) -> anyhow::Result<()>) -> anyhow::Result<()> {
    if out.len() >= CHUNK {
        sink(out)?;
        out.clear();
    }
    Ok(())
}

fn flush(out: &mut String, sink: &mut dyn FnMut(&str) -> anyhow::Result<()>) -> anyhow::Result<()> {
    if !out.is_empty() {
        sink(out)?;
        out.clear();
    }
    Ok(())
}

/// Render a whole report into a `String` (tests, small outputs).
pub fn to_string(render: impl FnOnce(Sink<'_>) -> anyhow::Result<()>) -> String {
    let mut text = String::new();
    let mut sink = |chunk: &str| {
        text.push_str(chunk);
        Ok(())
    };
    render(&mut sink).expect("writing to a String cannot fail");
    text
}

/// rustc-like text: `error[rule]: message`, `--> path:line:col`, the source line with carets,
/// and `= hint:`. Source lines are read from `root` (one read per file with findings).
pub fn human(findings: &[Finding<'_>], root: &Path, paint: Paint, sink: Sink<'_>) -> anyhow::Result<()> {
    in_order(findings, &|_, batch, out| human_batch(batch, root, paint, out), sink)
}

/// Render `findings` in batches, `render(index of the batch, batch, out)`, and write them in
/// order. A large report (tens of thousands of findings: rendering their text, and for `human`
/// reading their files again, is most of its cost) is rendered on worker threads; at most two
/// batches per worker are in memory.
fn in_order(
    findings: &[Finding<'_>],
    render: &(dyn Fn(usize, &[Finding<'_>], &mut String) + Sync),
    sink: Sink<'_>,
) -> anyhow::Result<()> {
    const BATCH: usize = 512;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
    if workers < 2 || findings.len() <= BATCH {
        let mut out = String::new();
        render(0, findings, &mut out);
        return flush(&mut out, sink);
    }
    let batches: Vec<&[Finding<'_>]> = findings.chunks(BATCH).collect();
    std::thread::scope(|scope| {
        let mut receivers = Vec::new();
        for w in 0..workers {
            let (tx, rx) = std::sync::mpsc::sync_channel::<String>(1);
            receivers.push(rx);
            let mine: Vec<(usize, &[Finding<'_>])> =
                batches.iter().copied().enumerate().skip(w).step_by(workers).collect();
            scope.spawn(move || {
                for (index, batch) in mine {
                    let mut out = String::new();
                    render(index, batch, &mut out);
                    if tx.send(out).is_err() {
                        return; // the writer stopped (e.g. a closed pipe)
                    }
                }
            });
        }
        // Batch i comes from worker i % workers: receiving round-robin keeps the order.
        for i in 0..batches.len() {
            let Ok(text) = receivers[i % workers].recv() else { break };
            sink(&text)?;
        }
        Ok(())
    })
}

/// Render `findings` into `out` (see [`human`]).
fn human_batch(findings: &[Finding<'_>], root: &Path, paint: Paint, out: &mut String) {
    use std::fmt::Write as _;
    // the file of the previous finding (findings are sorted by path): its bytes, if readable
    let mut reader = SourceReader::new(root);
    let mut buf: Vec<u8> = Vec::new();
    let mut cached: Option<(&Path, Option<usize>)> = None;
    let (colon, arrow, bar, hint_label) =
        (paint.bold(":"), paint.cyan_bold("-->"), paint.cyan_bold("|"), paint.cyan_bold("= hint:"));
    for f in findings {
        let label = match f.severity {
            Severity::Error => paint.red_bold(&format!("error[{}]", f.rule())),
            Severity::Warning => paint.yellow_bold(&format!("warning[{}]", f.rule())),
        };
        // Names and messages are user data: escaped, no line of the report starts with them.
        let _ = writeln!(out, "{label}{colon} {}", paint.bold(&escape(&clip(&f.message()))));
        let width = f.loc.map_or(1, |l| l.line.to_string().len());
        let pad = " ".repeat(width);
        match f.loc {
            Some(l) => _ = writeln!(out, "{pad}{arrow} {}:{}:{}", escape(&show(f.path)), l.line, l.col),
            None => _ = writeln!(out, "{pad}{arrow} {}", escape(&show(f.path))),
        }
        if let Some(loc) = f.loc {
            if cached.is_none_or(|(p, _)| p != &**f.path) {
                cached = Some((f.path, reader.read(f.path, &mut buf).ok()));
            }
            let line = cached
                .and_then(|(_, len)| len)
                .and_then(|len| buf[..len].split(|&b| b == b'\n').nth(loc.line.saturating_sub(1) as usize))
                .map(|l| String::from_utf8_lossy(l.strip_suffix(b"\r").unwrap_or(l)));
            if let Some(line) = line {
                let (shown, caret_at, caret_len) = caret_line(&line, loc.col as usize);
                let carets = "^".repeat(caret_len);
                let carets = match f.severity {
                    Severity::Error => paint.red_bold(&carets),
                    Severity::Warning => paint.yellow_bold(&carets),
                };
                let _ = writeln!(out, "{pad} {bar}");
                let _ = writeln!(out, "{} {bar} {shown}", paint.cyan_bold(&loc.line.to_string()));
                let _ = writeln!(out, "{pad} {bar} {}{carets}", " ".repeat(caret_at));
            }
        }
        if let Some(hint) = f.hint() {
            let _ = writeln!(out, "{pad} {hint_label} {}", escape(&clip(&hint)));
        }
        out.push('\n');
    }
}

/// Widest source line shown, in characters: a longer one is cut to a window around the
/// column, marked with `…` (a finding on a minified line of a million characters prints one
/// line of this width, not the line).
const SNIPPET_WIDTH: usize = 120;

/// Characters of the line kept before the caret when the line is cut.
const SNIPPET_BEFORE: usize = 40;

/// The line with tabs expanded (cut to [`SNIPPET_WIDTH`] around the column), the caret's
/// display column and its length (the identifier at `col`, at least 1, within the window).
fn caret_line(line: &str, col: usize) -> (String, usize, usize) {
    let mut shown: Vec<char> = Vec::new();
    let mut caret_at = 0;
    let mut caret_len = 1;
    for (i, c) in line.chars().enumerate() {
        if i + 1 == col {
            caret_at = shown.len();
            let ident: usize = line
                .chars()
                .skip(i)
                .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '#' | ':'))
                .count();
            caret_len = ident.max(1);
        }
        if c == '\t' {
            shown.extend([' '; 4]);
        } else {
            shown.push(c);
        }
    }
    while shown.last().is_some_and(|c| c.is_whitespace()) {
        shown.pop();
    }
    if shown.len() <= SNIPPET_WIDTH {
        return (shown.into_iter().collect(), caret_at, caret_len);
    }
    // `…` + the window + `…`, the window starting a little before the caret
    let start = caret_at.saturating_sub(SNIPPET_BEFORE).min(shown.len().saturating_sub(SNIPPET_WIDTH));
    let end = (start + SNIPPET_WIDTH).min(shown.len());
    let mut text = String::new();
    if start > 0 {
        text.push('…');
    }
    text.extend(&shown[start..end]);
    if end < shown.len() {
        text.push('…');
    }
    let lead = usize::from(start > 0);
    let at = caret_at.clamp(start, end.saturating_sub(1)) - start + lead;
    let len = caret_len.min(end.saturating_sub(caret_at.max(start))).max(1);
    (text, at, len)
}

/// Version of the JSON report's shape (`--format json`): raised when a field changes meaning
/// or goes away (new fields may come without it). 1: an object with `findings` and `summary`
/// (before: a bare array of findings).
pub const JSON_VERSION: u32 = 1;

/// The totals of a report (the human summary line, the JSON `summary`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Findings of error severity.
    pub errors: usize,
    /// Findings of warning severity.
    pub warnings: usize,
    /// Files selected (all analysed files without path arguments).
    pub files_checked: usize,
    /// Findings `--fix` can do something about.
    pub fixable: usize,
    /// Of those, the ones whose fix generates code (`--fix --unsafe`, see `Fix::is_safe`).
    pub fixable_unsafe: usize,
}

impl Summary {
    /// The totals of `findings`, over `files_checked` files.
    pub fn of(findings: &[Finding<'_>], files_checked: usize) -> Self {
        let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
        let fixable = findings.iter().filter(|f| f.fixable()).count();
        let fixable_unsafe = findings.iter().filter_map(Finding::fix).filter(|f| !f.is_safe()).count();
        Summary { errors, warnings: findings.len() - errors, files_checked, fixable, fixable_unsafe }
    }
}

/// A JSON object: `version` ([`JSON_VERSION`]), `orch_version`, `findings` (stable field
/// names; `line`/`column` null when there is none) and `summary`.
pub fn json(findings: &[Finding<'_>], summary: &Summary, sink: Sink<'_>) -> anyhow::Result<()> {
    let head = format!(
        "{{\n  \"version\": {JSON_VERSION},\n  \"orch_version\": {},\n  \"findings\": ",
        json!(env!("CARGO_PKG_VERSION"))
    );
    sink(&head)?;
    if findings.is_empty() {
        sink("[]")?;
    } else {
        sink("[\n")?;
        in_order(
            findings,
            &|index, batch, out| {
                for (i, f) in batch.iter().enumerate() {
                    let v = json!({
                        "rule": f.rule(),
                        "severity": f.severity,
                        "path": show(f.path),
                        "line": f.loc.map(|l| l.line),
                        "column": f.loc.map(|l| l.col),
                        "message": clip(&f.message()),
                        "hint": f.hint().map(|h| clip(&h).into_owned()),
                        "fixable": f.fixable(),
                    });
                    if index > 0 || i > 0 {
                        out.push_str(",\n");
                    }
                    indent_into(out, &format!("{v:#}"), 4);
                }
            },
            sink,
        )?;
        sink("\n  ]")?;
    }
    let totals = json!({
        "errors": summary.errors,
        "warnings": summary.warnings,
        "files_checked": summary.files_checked,
        "fixable": summary.fixable,
        "fixable_unsafe": summary.fixable_unsafe,
    });
    let mut tail = String::from(",\n  \"summary\": ");
    // the object's first line follows the key; the others are indented under it
    for (i, line) in format!("{totals:#}").lines().enumerate() {
        if i > 0 {
            tail.push_str("\n  ");
        }
        tail.push_str(line);
    }
    sink(&tail)?;
    sink("\n}\n")
}

/// Longest message or hint printed, in characters. Only text copied from the source (a name
/// of a million characters) comes near it; the rest is cut with `…`.
const MAX_MESSAGE: usize = 1024;

/// `text` cut to [`MAX_MESSAGE`] characters.
fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MAX_MESSAGE) {
        Some((end, _)) => std::borrow::Cow::Owned(format!("{}…", &text[..end])),
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// Append `text` with every line indented by `by` spaces.
fn indent_into(out: &mut String, text: &str, by: usize) {
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.extend(std::iter::repeat_n(' ', by));
        out.push_str(line);
    }
}

/// GitHub Actions workflow commands: `::error file=..,line=..,col=..,title=..::message`.
pub fn github(findings: &[Finding<'_>], sink: Sink<'_>) -> anyhow::Result<()> {
    in_order(
        findings,
        &|_, batch, out| {
            for f in batch {
                let cmd = match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                let mut props = vec![format!("file={}", gh_property(&show(f.path)))];
                if let Some(l) = f.loc {
                    props.push(format!("line={}", l.line));
                    props.push(format!("col={}", l.col));
                }
                props.push(format!("title={}", gh_property(&format!("orch lint ({})", f.rule()))));
                let mut message = clip(&f.message()).into_owned();
                if let Some(hint) = f.hint() {
                    message.push_str("\nhint: ");
                    message.push_str(&clip(&hint));
                }
                out.push_str(&format!("::{cmd} {}::{}\n", props.join(","), gh_data(&message)));
            }
        },
        sink,
    )
}

fn gh_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// SARIF 2.1.0: one run, every rule described (with its configured level), one result per
/// finding with a `PROJECTROOT`-relative location.
pub fn sarif(
    findings: &[Finding<'_>],
    root: &Path,
    settings: &Settings,
    sink: Sink<'_>,
) -> anyhow::Result<()> {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            let level = match settings.level(r.key) {
                Level::Error => "error",
                Level::Warn => "warning",
                Level::Off => "none",
            };
            json!({
                "id": r.id,
                "name": pascal(r.id),
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.explanation },
                "help": { "text": format!("{}\n\nRun `orch lint --explain {}` for details.", r.summary, r.id) },
                "defaultConfiguration": { "level": level, "enabled": level != "none" },
            })
        })
        .collect();
    let result = |f: &Finding| {
        let index = f.rule as usize; // SARIF's ruleIndex: the position in RULES
        let mut physical = json!({
            "artifactLocation": { "uri": uri_path(f.path), "uriBaseId": "PROJECTROOT" },
        });
        physical["region"] = match f.loc {
            Some(l) => json!({ "startLine": l.line, "startColumn": l.col }),
            // a file or folder as a whole: GitHub code scanning requires a start line
            None => json!({ "startLine": 1 }),
        };
        let mut text = clip(&f.message()).into_owned();
        if let Some(hint) = f.hint() {
            text.push_str("\nhint: ");
            text.push_str(&clip(&hint));
        }
        json!({
            "ruleId": f.rule(),
            "ruleIndex": index,
            "level": match f.severity { Severity::Error => "error", Severity::Warning => "warning" },
            "message": { "text": text },
            "locations": [ { "physicalLocation": physical } ],
            "partialFingerprints": fingerprints(f),
        })
    };
    let root_uri = format!("file://{}/", uri_path(root).trim_end_matches('/'));
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "orch",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://crates.io/crates/orch",
                    "rules": rules,
                }
            },
            "originalUriBaseIds": { "PROJECTROOT": { "uri": root_uri } },
            "columnKind": "unicodeCodePoints",
            "results": RESULTS_MARK,
        }]
    });
    // Stream the results into the rendered document, one at a time.
    let text = format!("{doc:#}\n");
    let mark = format!("\"{RESULTS_MARK}\"");
    let (head, tail) = text.split_once(&mark).expect("the marker is in the document");
    let mut out = head.to_string();
    if findings.is_empty() {
        out.push_str("[]");
    } else {
        out.push_str("[\n");
        for (i, f) in findings.iter().enumerate() {
            flush_if_full(&mut out, sink)?;
            if i > 0 {
                out.push_str(",\n");
            }
            indent_into(&mut out, &format!("{:#}", result(f)), 8);
        }
        out.push_str("\n      ]");
    }
    out.push_str(tail);
    flush(&mut out, sink)
}

/// A result's `partialFingerprints`: the baseline's fingerprint (stable across line moves).
fn fingerprints(f: &Finding<'_>) -> Value {
    let mut map = serde_json::Map::new();
    map.insert(super::baseline::SARIF_KEY.to_string(), Value::String(super::baseline::fingerprint(f)));
    Value::Object(map)
}

const RESULTS_MARK: &str = "@@orch-results@@";

fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

/// Percent-encode a path for a URI (RFC 3986 unreserved characters and `/` kept). The bytes of
/// the name are encoded as they are, so a name that is not UTF-8 keeps its identity
/// (`bad%FFname.rs`) instead of becoming U+FFFD.
fn uri_path(path: &Path) -> String {
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = path.to_string_lossy().replace('\\', "/").into_bytes();
    let mut out = String::with_capacity(bytes.len());
    for b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `--list-rules`: id, level (configured, else default), summary and knobs.
pub fn list_rules(settings: Option<&Settings>, paint: Paint) -> String {
    let mut out = format!("{:<14} {:<6} {}\n", paint.bold("RULE"), paint.bold("LEVEL"), paint.bold("CHECKS"));
    for r in RULES {
        let level = settings.map_or(r.default, |s| s.level(r.key));
        let level = level_name(level);
        let shown = match level {
            "error" => paint.red(level),
            "warn" => paint.yellow(level),
            _ => paint.dim(level),
        };
        let pad = " ".repeat(6usize.saturating_sub(level.len()));
        out.push_str(&format!("{:<14} {shown}{pad} {}", r.id, r.summary));
        if !r.knobs.is_empty() {
            out.push_str(&paint.dim(&format!(" [lint] {}", r.knobs)));
        }
        out.push('\n');
    }
    out.push_str("\nSet levels in orch.toml: [lint.rules] <rule> = \"error\" | \"warn\" | \"off\". Details: orch lint --explain <rule>\n");
    out
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warn => "warn",
        Level::Off => "off",
    }
}

/// `--explain RULE`.
pub fn explain(rule: &Rule, paint: Paint) -> String {
    let mut out = format!(
        "{} (default: {})\n{}\n\n{}\n\nConfigure in orch.toml:\n  [lint.rules]\n  {} = \"error\"   # or \"warn\", \"off\"\n",
        paint.bold(rule.id),
        level_name(rule.default),
        rule.summary,
        rule.explanation,
        rule.id
    );
    if !rule.knobs.is_empty() {
        out.push_str(&format!("  [lint]\n  {}\n", rule.knobs));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::RuleId;

    #[test]
    fn carets_cover_the_identifier_and_expand_tabs() {
        let (shown, at, len) = caret_line("\tpub struct LoginJob {", 13);
        assert_eq!(shown, "    pub struct LoginJob {");
        assert_eq!((at, len), (15, 8));
    }

    #[test]
    fn long_lines_are_cut_to_a_window_around_the_column() {
        let line = format!("{}pub struct LongJob;{}", "x".repeat(1_000_000), "y".repeat(1_000_000));
        let col = 1_000_000 + 12; // `LongJob`
        let (shown, at, len) = caret_line(&line, col);
        assert_eq!(shown.chars().count(), SNIPPET_WIDTH + 2, "{shown}");
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        let chars: Vec<char> = shown.chars().collect();
        assert_eq!(chars[at..at + len].iter().collect::<String>(), "LongJob");
        // near the start: no leading mark, the caret where it was
        let (shown, at, len) = caret_line(&format!("pub struct A;{}", "z".repeat(500)), 12);
        assert!(!shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert_eq!((at, len), (11, 1));
        // near the end: the window ends with the line
        let tail = format!("{}B", "w".repeat(500));
        let (shown, at, _) = caret_line(&tail, 501);
        assert!(shown.starts_with('…') && shown.ends_with('B'), "{shown}");
        assert_eq!(shown.chars().nth(at), Some('B'));
    }

    #[test]
    fn long_messages_are_cut() {
        let long = "n".repeat(5000);
        assert_eq!(clip(&long).chars().count(), MAX_MESSAGE + 1);
        assert_eq!(clip("short"), "short");
    }

    #[test]
    fn large_human_reports_keep_the_order_of_the_findings() {
        let tmp = tempfile::tempdir().unwrap();
        let files = 300;
        for i in 0..files {
            std::fs::write(tmp.path().join(format!("f{i:03}.rs")), format!("// {i}\npub struct T{i};\n"))
                .unwrap();
        }
        let paths: Vec<Box<Path>> = (0..files).map(|i| Path::new(&format!("f{i:03}.rs")).into()).collect();
        let findings: Vec<Finding> = (0..3000)
            .map(|n| {
                Finding::new(
                    RuleId::Pairing,
                    if n % 7 == 0 { Severity::Warning } else { Severity::Error },
                    &paths[n / 10],
                    Some(crate::analysis::Loc { line: 2, col: 12 }),
                    format!("finding {n}"),
                    Some(format!("hint {n}")),
                )
            })
            .collect();
        let mut sequential = String::new();
        human_batch(&findings, tmp.path(), Paint::none(), &mut sequential);
        let mut chunks = 0;
        let parallel = to_string(|sink| {
            let mut counting = |chunk: &str| {
                chunks += 1;
                sink(chunk)
            };
            human(&findings, tmp.path(), Paint::none(), &mut counting)
        });
        assert_eq!(parallel, sequential);
        assert!(sequential.contains("2 | pub struct T299;"), "source lines are shown");
        if std::thread::available_parallelism().map_or(1, |n| n.get()) > 1 {
            assert!(chunks > 1, "written in batches");
        }
    }

    #[test]
    fn large_json_and_github_reports_are_complete_and_in_order() {
        let paths: Vec<Box<Path>> = (0..100).map(|i| Path::new(&format!("src/f{i:03}.rs")).into()).collect();
        let findings: Vec<Finding> = (0..2000)
            .map(|n| {
                let loc = Some(crate::analysis::Loc { line: 1, col: 1 });
                Finding::new(
                    RuleId::Layout,
                    Severity::Error,
                    &paths[n / 20],
                    loc,
                    format!("finding {n}"),
                    None,
                )
            })
            .collect();
        let summary = Summary::of(&findings, 100);
        let text = to_string(|sink| json(&findings, &summary, sink));
        let parsed: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(parsed["version"], JSON_VERSION);
        assert_eq!(parsed["summary"]["errors"], 2000);
        assert_eq!(parsed["summary"]["files_checked"], 100);
        let parsed = parsed["findings"].as_array().unwrap();
        let messages: Vec<&str> = parsed.iter().map(|v| v["message"].as_str().unwrap()).collect();
        let expected: Vec<String> = (0..2000).map(|n| format!("finding {n}")).collect();
        assert_eq!(messages, expected);
        let text = to_string(|sink| github(&findings, sink));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2000);
        for (n, line) in lines.iter().enumerate() {
            assert!(line.ends_with(&format!("::finding {n}")), "{line}");
        }
    }

    #[test]
    fn github_escaping() {
        assert_eq!(gh_property("a:b,c%d"), "a%3Ab%2Cc%25d");
        assert_eq!(gh_data("x\ny"), "x%0Ay");
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri_path(Path::new("src/a b/é.rs")), "src/a%20b/%C3%A9.rs");
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_names_keep_their_bytes_in_uris() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(std::ffi::OsStr::from_bytes(b"src/bad\xffname.rs"));
        assert_eq!(uri_path(path), "src/bad%FFname.rs");
    }
}
