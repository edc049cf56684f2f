//! `orch lint --baseline FILE`: adopt the linter on a codebase with known findings.
//!
//! The first run records today's findings in FILE (JSON, versioned); later runs report only
//! findings that are not in it, and count the entries that no longer occur. A finding is
//! identified by its [`fingerprint`]: a hash of its rule id, path and message, without its line
//! and column, so moving code (adding lines above it) does not make it new. Identical findings
//! in one file (same rule, same message) are counted: a second one is new. The same fingerprint
//! is SARIF's `partialFingerprints` (code scanning tracks results across commits with it).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Finding, show};
use crate::analysis::FastMap;
use crate::error::Failure;

/// Version of the file format; a file of another version is refused (re-record it).
pub const VERSION: u32 = 1;

/// The key of [`fingerprint`]s in SARIF's `partialFingerprints`.
pub const SARIF_KEY: &str = "orchLint/v1";

/// The baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// [`VERSION`].
    pub version: u32,
    /// The recorded findings, sorted by path, rule and message (line moves do not reorder it).
    pub findings: Vec<Entry>,
}

/// One recorded finding: the fingerprint decides; the rest is for people reading the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// [`fingerprint`].
    pub fingerprint: String,
    /// Rule id.
    pub rule: String,
    /// Root-relative path.
    pub path: String,
    /// The message when recorded.
    pub message: String,
}

/// A finding's identity across line moves: FNV-1a (128 bits, a fixed, documented function, so
/// the file stays valid across orch builds) of rule id, path and message, the message without
/// the line numbers some messages cite (`file.rs:12`).
pub fn fingerprint(f: &Finding<'_>) -> String {
    fingerprint_of(f.rule().as_str(), &show(f.path), &f.message())
}

fn fingerprint_of(rule: &str, path: &str, message: &str) -> String {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut h = OFFSET;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h = (h ^ u128::from(b)).wrapping_mul(PRIME);
        }
    };
    eat(rule.as_bytes());
    eat(b"\0");
    eat(path.as_bytes());
    eat(b"\0");
    // digits right after a `:` are a line or column: left out
    let mut after_colon = false;
    for c in message.chars() {
        if after_colon && c.is_ascii_digit() {
            continue;
        }
        after_colon = c == ':';
        eat(c.encode_utf8(&mut [0; 4]).as_bytes());
    }
    format!("{h:032x}")
}

/// A baseline of `findings`.
pub fn record(findings: &[Finding<'_>]) -> Baseline {
    let mut entries: Vec<Entry> = findings
        .iter()
        .map(|f| Entry {
            fingerprint: fingerprint(f),
            rule: f.rule().as_str().to_string(),
            path: show(f.path),
            message: f.message().into_owned(),
        })
        .collect();
    entries.sort_by(|a, b| {
        (&a.path, &a.rule, &a.message, &a.fingerprint).cmp(&(&b.path, &b.rule, &b.message, &b.fingerprint))
    });
    Baseline { version: VERSION, findings: entries }
}

impl Baseline {
    /// The file's text (pretty JSON, one entry per block, ending in a newline).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Parse `text`, read from `shown` (for messages). Invalid JSON or another version is a
    /// usage error (exit 2) naming the file, line and column. Only a file [`recognised`] as a
    /// baseline (of another version or shape) gets the hint to record it again: the others
    /// are someone else's file, which `--update-baseline` must not replace.
    pub fn parse(text: &str, shown: &str) -> anyhow::Result<Baseline> {
        if let Some(what) = foreign(text) {
            return Err(not_a_baseline(shown, what).into());
        }
        let baseline: Baseline = serde_json::from_str(text).map_err(|e| {
            // serde_json's message ends in " at line L column C": the location goes up front
            let what = e.to_string();
            let what = what.rsplit_once(" at line ").map_or(what.as_str(), |(w, _)| w).to_string();
            Failure::usage(format!("invalid baseline {shown}:{}:{}: {what}", e.line(), e.column())).hint(
                format!(
                    "record it again with `orch lint --baseline {shown} --update-baseline` (or delete it)"
                ),
            )
        })?;
        if baseline.version != VERSION {
            return Err(Failure::usage(format!(
                "baseline {shown} has version {}; this orch reads version {VERSION}",
                baseline.version
            ))
            .hint(format!("record it again with `orch lint --baseline {shown} --update-baseline`"))
            .into());
        }
        Ok(baseline)
    }

    /// Drop from `findings` those recorded here (each entry accounts for one finding); returns
    /// how many entries matched no finding (fixed since, or code removed). With path arguments,
    /// only entries on a path they `cover` can be stale (the others were not looked at).
    pub fn filter(&self, findings: &mut Vec<Finding<'_>>, cover: impl Fn(&Path) -> bool) -> usize {
        // fingerprint → (entries not matched yet, whether its path is covered); the path is
        // part of the fingerprint, so entries sharing one share their path
        let mut known: FastMap<&str, (usize, bool)> = FastMap::default();
        for e in &self.findings {
            known.entry(e.fingerprint.as_str()).or_insert((0, cover(Path::new(&e.path)))).0 += 1;
        }
        findings.retain(|f| match known.get_mut(fingerprint(f).as_str()) {
            Some((n, _)) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        });
        known.values().filter(|(_, covered)| *covered).map(|(n, _)| n).sum()
    }
}

/// What `text` is when it is not recognisably an orch baseline (of any version): `None` for
/// a JSON object with a numeric `version` and a `findings` key, which orch wrote (maybe an
/// older or newer orch, maybe edited by hand) and may record again.
pub fn foreign(text: &str) -> Option<&'static str> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return Some(if text.trim().is_empty() { "an empty file" } else { "not JSON" });
    };
    let Some(object) = value.as_object() else { return Some("JSON, but not an object") };
    if object.get("version").is_some_and(serde_json::Value::is_u64) && object.contains_key("findings") {
        None
    } else {
        Some("JSON without a `version` number and `findings`")
    }
}

/// The refusal for an existing file that is not a baseline: exit 2, and never the hint to
/// `--update-baseline` (it would replace the file).
pub fn not_a_baseline(shown: &str, what: &str) -> Failure {
    Failure::usage(format!("{shown} is not an orch baseline ({what}): orch neither reads nor replaces it"))
        .hint("give the path of a baseline file, or of a new one to record, e.g. `--baseline lint-baseline.json`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_ignore_line_numbers_but_not_names() {
        let a = fingerprint_of(
            "pairing",
            "src/a.rs",
            "job `A` has executors `X` (src/x.rs:12), `Y` (src/y.rs:3)",
        );
        let b = fingerprint_of(
            "pairing",
            "src/a.rs",
            "job `A` has executors `X` (src/x.rs:40), `Y` (src/y.rs:3)",
        );
        assert_eq!(a, b);
        assert_eq!(a.len(), 32);
        assert_ne!(a, fingerprint_of("pairing", "src/a.rs", "job `B2` has executors"));
        assert_ne!(
            a,
            fingerprint_of("layout", "src/a.rs", "job `A` has executors `X` (src/x.rs:12), `Y` (src/y.rs:3)")
        );
        assert_ne!(
            a,
            fingerprint_of(
                "pairing",
                "src/b.rs",
                "job `A` has executors `X` (src/x.rs:12), `Y` (src/y.rs:3)"
            )
        );
        // FNV-1a 128 of "\0\0" (computed independently): recorded files stay valid across builds
        assert_eq!(fingerprint_of("", "", ""), "0880945b4fab1be95aa0733055273845");
    }

    #[test]
    fn bad_files_are_usage_errors_with_a_location() {
        let err = Baseline::parse("{\"version\": 1,\n \"findings\": 3}", "b.json").unwrap_err();
        let (kind, _) = crate::error::classify(&err);
        assert_eq!(kind.code(), 2);
        assert!(
            err.to_string()
                .starts_with("invalid baseline b.json:2:14: invalid type: integer `3`, expected a sequence"),
            "{err}"
        );
        assert!(!err.to_string().contains(" at line "), "{err}");
        let err = Baseline::parse("{\"version\": 9, \"findings\": []}", "b.json").unwrap_err();
        assert!(err.to_string().contains("has version 9"), "{err}");
    }

    #[test]
    fn only_files_shaped_like_a_baseline_are_recognised() {
        assert_eq!(foreign("{\"version\": 2, \"findings\": 3}"), None);
        assert_eq!(foreign("{\"version\": 1, \"findings\": []}"), None);
        assert_eq!(foreign("fn main() {}\n"), Some("not JSON"));
        assert_eq!(foreign(""), Some("an empty file"));
        assert_eq!(foreign("[1]"), Some("JSON, but not an object"));
        assert_eq!(
            foreign("{\"name\": \"x\", \"version\": \"1.0\"}"),
            Some("JSON without a `version` number and `findings`")
        );
        let err = Baseline::parse("[package]\n", "Cargo.toml").unwrap_err();
        let (kind, hint) = crate::error::classify(&err);
        assert_eq!(kind.code(), 2);
        assert!(err.to_string().contains("Cargo.toml is not an orch baseline (not JSON)"), "{err}");
        assert!(!hint.unwrap_or_default().contains("--update-baseline"));
    }
}
