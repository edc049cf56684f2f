//! `orch-lint:` suppression comments as compact facts.
//!
//! The lexer marks every line comment that is a directive ([`super::lex::is_directive`]); this
//! module turns each mark into a [`Suppression`]: the rule ids it names, whether it gives a
//! reason, and the lines it covers. The source is not kept, so the extent is decided here,
//! while the tokens are at hand:
//!
//! - `//! orch-lint: allow(rule) reason` covers the whole file;
//! - a directive after code on its line covers that line;
//! - a directive on a line of its own covers itself and the item or statement that follows it
//!   (attributes included), up to its closing `}` or `;`.
//!
//! [`crate::lint`] applies them after the rules ran and reports the ones that suppressed
//! nothing.

use super::Loc;
use super::lex::{Kind, Token};

/// One `orch-lint:` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Rule ids as written (not checked here: the lint registry does that).
    pub rules: Box<[Box<str>]>,
    /// Whether a reason follows `allow(..)`.
    pub reason: bool,
    /// What is wrong with its syntax, if anything (then it suppresses nothing).
    pub malformed: Option<Box<str>>,
    /// Where the comment starts.
    pub loc: Loc,
    /// What it covers.
    pub scope: Scope,
}

/// The part of a file a suppression covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The whole file (`//! orch-lint: ..`), also findings without a line.
    File,
    /// Lines `first..=last`.
    Lines {
        /// First covered line.
        first: u32,
        /// Last covered line.
        last: u32,
    },
}

impl Suppression {
    /// Whether it covers a finding at `loc` (`None`: a finding about the whole file).
    pub fn covers(&self, loc: Option<Loc>) -> bool {
        match (self.scope, loc) {
            (Scope::File, _) => true,
            (Scope::Lines { first, last }, Some(l)) => (first..=last).contains(&l.line),
            (Scope::Lines { .. }, None) => false,
        }
    }
}

/// The suppressions of one file: `marks` are the byte offsets of its directive comments (from
/// [`super::lex::tokenize_marking`]), `toks` / `matching` its tokens.
pub fn collect(src: &str, toks: &[Token], matching: &[u32], marks: &[u32]) -> Vec<Suppression> {
    if marks.is_empty() {
        return Vec::new();
    }
    let bytes = src.as_bytes();
    // Line starts, once per file with directives (files without any pay nothing).
    let starts: Vec<usize> =
        std::iter::once(0).chain(memchr::memchr_iter(b'\n', bytes).map(|p| p + 1)).collect();
    let line_of = |offset: usize| starts.partition_point(|&s| s <= offset);
    let loc_of = |offset: usize| {
        let line = line_of(offset);
        let col = src.get(starts[line - 1]..offset).map_or(1, |s| s.chars().count() + 1);
        Loc { line: u32::try_from(line).unwrap_or(u32::MAX), col: u32::try_from(col).unwrap_or(u32::MAX) }
    };
    marks
        .iter()
        .map(|&mark| {
            let at = mark as usize;
            let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |p| at + p);
            let comment = &src[at..end];
            let (rules, reason, malformed) = match parse(comment) {
                Ok((rules, reason)) => (rules.into(), reason, None),
                Err(why) => (Box::default(), false, Some(why.into())),
            };
            let loc = loc_of(at);
            let line_start = starts[loc.line as usize - 1];
            let next = toks.partition_point(|t| (t.start as usize) < at);
            let trailing = next > 0 && toks[next - 1].end as usize > line_start;
            let scope = if comment.starts_with("//!") {
                Scope::File
            } else if trailing {
                Scope::Lines { first: loc.line, last: loc.line }
            } else {
                let last = item_end(src, toks, matching, next)
                    .map_or(loc.line, |t| loc_of(toks[t].start as usize).line);
                Scope::Lines { first: loc.line, last }
            };
            Suppression { rules, reason, malformed, loc, scope }
        })
        .collect()
}

/// `// orch-lint: allow(a, b) reason` → (`[a, b]`, has a reason), or what is wrong with it.
fn parse(comment: &str) -> Result<(Vec<Box<str>>, bool), String> {
    let body = comment.trim_start_matches('/').trim_start_matches('!').trim_start();
    let body = body.strip_prefix("orch-lint:").unwrap_or(body).trim_start();
    let bad = |what: &str| Err(what.to_string());
    let Some(args) = body.strip_prefix("allow").map(str::trim_start).and_then(|b| b.strip_prefix('(')) else {
        return bad("expected `allow(rule-id) reason` after `orch-lint:`");
    };
    let Some((list, rest)) = args.split_once(')') else {
        return bad("`allow(` is not closed with `)`");
    };
    let rules: Vec<Box<str>> =
        list.split(',').map(str::trim).filter(|r| !r.is_empty()).map(Box::from).collect();
    if rules.is_empty() {
        return bad("`allow()` names no rule");
    }
    if let Some(r) =
        rules.iter().find(|r| !r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    {
        return bad(&format!("`{r}` is not a rule id"));
    }
    // `allow(x) reason`, `allow(x): reason` and `allow(x) -- reason` all give a reason.
    let reason = rest.chars().any(char::is_alphanumeric);
    Ok((rules, reason))
}

/// Index of the last token of the item or statement starting at token `start`: its closing
/// `}` (the first top-level brace group after the start, for `fn`, `struct`, `impl`, `mod`,
/// `enum`...) or its `;` (for `use`, `type`, `const`, `static`, `let` and expressions, whose
/// values may hold braces). `None` when there is no item there (end of file or of a block).
fn item_end(src: &str, toks: &[Token], matching: &[u32], start: usize) -> Option<usize> {
    let word = |t: &Token| &src[t.start as usize..t.end as usize];
    let mut j = start;
    // attributes (outer or inner) and visibility
    loop {
        match toks.get(j).map(|t| t.kind) {
            Some(Kind::Punct(b'#')) => {
                let k =
                    if toks.get(j + 1).map(|t| t.kind) == Some(Kind::Punct(b'!')) { j + 2 } else { j + 1 };
                match toks.get(k).map(|t| t.kind) {
                    Some(Kind::Open(b'[')) => j = matching[k] as usize + 1,
                    _ => break,
                }
            }
            Some(Kind::Ident) if word(&toks[j]) == "pub" => {
                j += 1;
                if toks.get(j).map(|t| t.kind) == Some(Kind::Open(b'(')) {
                    j = matching[j] as usize + 1;
                }
            }
            _ => break,
        }
    }
    let first = toks.get(j)?;
    if matches!(first.kind, Kind::Close(_)) {
        return None;
    }
    let semi_only = match word(first) {
        "use" | "type" | "let" | "static" => true,
        "const" => toks.get(j + 1).is_some_and(|t| !matches!(word(t), "fn" | "unsafe" | "async" | "extern")),
        _ => false,
    };
    while let Some(t) = toks.get(j) {
        match t.kind {
            Kind::Punct(b';') => return Some(j),
            Kind::Open(b'{') if !semi_only => return Some(matching[j] as usize),
            Kind::Open(_) => j = matching[j] as usize,
            // the enclosing block ends: the statement ran to its end
            Kind::Close(_) => return Some(j.saturating_sub(1).max(start)),
            _ => {}
        }
        j += 1;
    }
    Some(toks.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sups(src: &str) -> Vec<Suppression> {
        let (mut toks, mut m, mut marks) = (Vec::new(), Vec::new(), Vec::new());
        super::super::lex::tokenize_marking(src.as_bytes(), &mut toks, &mut m, Some(&mut marks)).unwrap();
        collect(src, &toks, &m, &marks)
    }

    fn scopes(src: &str) -> Vec<Scope> {
        sups(src).into_iter().map(|s| s.scope).collect()
    }

    #[test]
    fn scopes_of_file_line_and_item_directives() {
        let src = "//! orch-lint: allow(layout) legacy module\n\
                   use std::fs; // orch-lint: allow(boundaries) audited\n\
                   // orch-lint: allow(type-naming) public API\n\
                   #[derive(Debug)]\n\
                   pub struct Thing {\n    a: u8,\n}\n\
                   // orch-lint: allow(boundaries) the one read\n\
                   const C: Foo = Foo {\n    a: 1,\n};\n\
                   fn f() {\n    // orch-lint: allow(pairing) inside a block\n}\n";
        assert_eq!(
            scopes(src),
            [
                Scope::File,
                Scope::Lines { first: 2, last: 2 },
                Scope::Lines { first: 3, last: 7 },
                Scope::Lines { first: 8, last: 11 },
                Scope::Lines { first: 13, last: 13 },
            ]
        );
    }

    #[test]
    fn stacked_directives_cover_the_same_item() {
        let src = "// orch-lint: allow(a) x\n// orch-lint: allow(b) y\nimpl X {\n    fn f() {}\n}\n";
        assert_eq!(scopes(src), [Scope::Lines { first: 1, last: 5 }, Scope::Lines { first: 2, last: 5 }]);
    }

    #[test]
    fn rules_reasons_and_malformed_directives() {
        let s = sups(
            "// orch-lint: allow(layout, pairing) moved later\n// orch-lint: allow(layout)\n\
             // orch-lint: allow(layout):\n// orch-lint: deny(layout) x\n// orch-lint: allow(la yout) x\n\
             // orch-lint: allow() x\n// orch-lint: allow(layout x\n",
        );
        let got: Vec<_> = s.iter().map(|s| (s.rules.to_vec(), s.reason, s.malformed.is_some())).collect();
        let ids = |v: &[&str]| v.iter().map(|s| Box::<str>::from(*s)).collect::<Vec<_>>();
        assert_eq!(
            got,
            [
                (ids(&["layout", "pairing"]), true, false),
                (ids(&["layout"]), false, false),
                (ids(&["layout"]), false, false),
                (vec![], false, true),
                (vec![], false, true),
                (vec![], false, true),
                (vec![], false, true),
            ]
        );
        assert_eq!(s[0].loc, Loc { line: 1, col: 1 });
    }

    #[test]
    fn directives_in_strings_block_and_doc_comments_are_not_suppressions() {
        let src = "/// orch-lint: allow(layout) docs\nconst S: &str = \"// orch-lint: allow(layout) x\";\n\
                   /* // orch-lint: allow(layout) x */\nfn f() {} // orch-lint:allow(layout) tight\n";
        let s = sups(src);
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].loc, Loc { line: 4, col: 11 });
    }
}
