//! A small, allocation-free Rust tokenizer: just enough lexical structure to extract facts
//! reliably (identifiers, raw identifiers, literals, punctuation, delimiters) while skipping
//! comments and the insides of strings, chars and raw strings.
//!
//! Why not `syn`: parsing every file into a full AST costs ~100 µs per small file on the target
//! machine, 10–20x the whole budget of `orch lint` on a 100k-file tree (see BENCHMARKS.md).
//! This lexer runs at memory speed, never allocates per token beyond the caller's reused
//! buffers, and reports the errors that make a file unusable (unterminated literal or comment,
//! stray character, unbalanced delimiters) with their position.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An identifier or keyword (`struct`, `foo`).
    Ident,
    /// A raw identifier (`r#type`); its text without the `r#` is `start + 2 .. end`.
    RawIdent,
    /// A lifetime or label (`'a`).
    Lifetime,
    /// A plain string literal `"..."` (escapes possible).
    Str,
    /// A raw string literal `r"..."`, `r#"..."#`.
    RawStr,
    /// Any other literal: numbers, chars, byte and C strings.
    Lit,
    /// `::`
    PathSep,
    /// `->` or `=>`
    Arrow,
    /// A single punctuation character (`;`, `<`, `#`, ...).
    Punct(u8),
    /// `(`, `[` or `{`.
    Open(u8),
    /// `)`, `]` or `}`.
    Close(u8),
}

/// Words the scanner looks for, recognised once by the lexer (so the scanner compares small
/// integers instead of strings). Raw identifiers are never keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kw {
    /// Any other identifier.
    None,
    /// `pub`
    Pub,
    /// `unsafe`, `async`, `const`, `default`, `auto`: item qualifiers.
    Qualifier,
    /// `extern`
    Extern,
    /// `crate`
    Crate,
    /// `mod`
    Mod,
    /// `struct`
    Struct,
    /// `enum`
    Enum,
    /// `union` (weak keyword)
    Union,
    /// `trait`
    Trait,
    /// `type`
    Type,
    /// `impl`
    Impl,
    /// `fn`
    Fn,
    /// `use`
    Use,
    /// `macro_rules`
    MacroRules,
    /// `for`
    For,
    /// `where`
    Where,
    /// `as`
    As,
    /// `include`
    Include,
    /// `register`
    Register,
    /// `register_shared`, `register_with_breaker`
    RegisterOther,
    /// `dispatch`, `dispatch_with`
    Dispatch,
    /// `emit`
    Emit,
    /// `domain`
    Domain,
    /// `main`
    Main,
    /// Any other strict keyword (`if`, `let`, `self`, ...): never a macro name.
    Keyword,
}

impl Kw {
    /// Whether the word is a Rust keyword (so `kw!(..)` is not a macro invocation).
    pub fn is_keyword(self) -> bool {
        matches!(
            self,
            Kw::Pub
                | Kw::Qualifier
                | Kw::Extern
                | Kw::Crate
                | Kw::Mod
                | Kw::Struct
                | Kw::Enum
                | Kw::Trait
                | Kw::Type
                | Kw::Impl
                | Kw::Fn
                | Kw::Use
                | Kw::For
                | Kw::Where
                | Kw::As
                | Kw::Keyword
        )
    }

    fn of(word: &[u8]) -> Kw {
        match word {
            b"pub" => Kw::Pub,
            b"unsafe" | b"async" | b"const" | b"default" | b"auto" => Kw::Qualifier,
            b"extern" => Kw::Extern,
            b"crate" => Kw::Crate,
            b"mod" => Kw::Mod,
            b"struct" => Kw::Struct,
            b"enum" => Kw::Enum,
            b"union" => Kw::Union,
            b"trait" => Kw::Trait,
            b"type" => Kw::Type,
            b"impl" => Kw::Impl,
            b"fn" => Kw::Fn,
            b"use" => Kw::Use,
            b"macro_rules" => Kw::MacroRules,
            b"for" => Kw::For,
            b"where" => Kw::Where,
            b"as" => Kw::As,
            b"include" => Kw::Include,
            b"register" => Kw::Register,
            b"register_shared" | b"register_with_breaker" => Kw::RegisterOther,
            b"dispatch" | b"dispatch_with" => Kw::Dispatch,
            b"emit" => Kw::Emit,
            b"domain" => Kw::Domain,
            b"main" => Kw::Main,
            b"break" | b"continue" | b"else" | b"false" | b"if" | b"in" | b"let" | b"loop" | b"match"
            | b"move" | b"mut" | b"ref" | b"return" | b"self" | b"Self" | b"static" | b"super" | b"true"
            | b"while" | b"await" | b"dyn" | b"yield" => Kw::Keyword,
            _ => Kw::None,
        }
    }
}

/// One token: its kind and byte range in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// The kind.
    pub kind: Kind,
    /// For identifiers: the word, if the scanner cares about it.
    pub kw: Kw,
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

/// A lexical error: what went wrong and where (byte offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    /// Byte offset of the problem.
    pub offset: u32,
    /// What is wrong, for people.
    pub message: String,
}

/// Deepest nesting of `()`, `[]` and `{}` analysed. The scanner walks nested blocks
/// recursively: a generated or hostile file nested thousands of levels deep would overflow a
/// thread's stack (an abort, not a finding). Real code stays far below this.
pub const MAX_NESTING: usize = 512;

/// Tokenize `src` into `out` (cleared first). `matching` receives, for every token, the index
/// of its matching delimiter (for `Open`/`Close`), or `u32::MAX`. Fails on the first lexical
/// error or unbalanced delimiter.
pub fn tokenize(src: &[u8], out: &mut Vec<Token>, matching: &mut Vec<u32>) -> Result<(), LexError> {
    tokenize_marking(src, out, matching, None)
}

/// [`tokenize`], also recording in `marks` (cleared first) the byte offset of every line
/// comment that is an `orch-lint:` directive ([`is_directive`]). The check costs a few byte
/// comparisons per line comment, so suppressions come with the one pass over the file.
pub fn tokenize_marking(
    src: &[u8],
    out: &mut Vec<Token>,
    matching: &mut Vec<u32>,
    mut marks: Option<&mut Vec<u32>>,
) -> Result<(), LexError> {
    if let Some(marks) = marks.as_deref_mut() {
        marks.clear();
    }
    out.clear();
    matching.clear();
    out.reserve(src.len() / 4);
    let mut stack: Vec<u32> = Vec::with_capacity(32);
    let n = src.len();
    let mut i = 0usize;
    // Byte-order mark and shebang (`#!` not followed by `[`) are skipped.
    if src.starts_with(b"\xEF\xBB\xBF") {
        i = 3;
    }
    if src[i..].starts_with(b"#!") && !is_inner_attr_start(&src[i + 2..]) {
        while i < n && src[i] != b'\n' {
            i += 1;
        }
    }
    while i < n {
        let c = src[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => {
                i += 1;
                while i < n && CLASS[src[i] as usize] == SPACE {
                    i += 1;
                }
                continue;
            }
            b'/' if src.get(i + 1) == Some(&b'/') => {
                let end = memchr::memchr(b'\n', &src[i..]).map_or(n, |p| i + p);
                if let Some(marks) = marks.as_deref_mut()
                    && is_directive(&src[i..end])
                {
                    marks.push(i as u32);
                }
                i = end;
                continue;
            }
            b'/' if src.get(i + 1) == Some(&b'*') => {
                i = skip_block_comment(src, i)?;
                continue;
            }
            b'"' => {
                i = skip_quoted(src, i + 1, b'"').ok_or_else(|| err(start, "unterminated string literal"))?;
                push(out, Kind::Str, start, i);
                i = skip_suffix(src, i);
                continue;
            }
            b'\'' => {
                i = lex_quote(src, i, out)?;
                continue;
            }
            b'0'..=b'9' => {
                i = lex_number(src, i);
                push(out, Kind::Lit, start, i);
                continue;
            }
            b'(' | b'[' | b'{' => {
                if stack.len() >= MAX_NESTING {
                    return Err(err(
                        start,
                        &format!("delimiters nested more than {MAX_NESTING} levels deep: not analysed"),
                    ));
                }
                stack.push(out.len() as u32);
                push(out, Kind::Open(c), start, i + 1);
                matching.resize(out.len(), u32::MAX);
                i += 1;
                continue;
            }
            b')' | b']' | b'}' => {
                let Some(open) = stack.pop() else {
                    return Err(err(start, &format!("unexpected closing delimiter `{}`", c as char)));
                };
                let Kind::Open(o) = out[open as usize].kind else { unreachable!("stack holds opens") };
                if close_of(o) != c {
                    return Err(err(
                        start,
                        &format!("mismatched closing delimiter `{}` for `{}`", c as char, o as char),
                    ));
                }
                let here = out.len() as u32;
                push(out, Kind::Close(c), start, i + 1);
                matching.resize(out.len(), u32::MAX);
                matching[open as usize] = here;
                matching[here as usize] = open;
                i += 1;
                continue;
            }
            b':' if src.get(i + 1) == Some(&b':') => {
                push(out, Kind::PathSep, start, i + 2);
                i += 2;
                continue;
            }
            b'-' | b'=' if src.get(i + 1) == Some(&b'>') => {
                push(out, Kind::Arrow, start, i + 2);
                i += 2;
                continue;
            }
            _ => {}
        }
        if is_ident_start(c) {
            // Prefixed literals and raw identifiers first.
            if let Some(end) = lex_prefixed(src, i, out)? {
                i = end;
                continue;
            }
            i = ident_end(src, i);
            let word = &src[start..i];
            // keywords are short lowercase words (and `Self`)
            let kw = if word.len() <= 21 && (word[0].is_ascii_lowercase() || word == b"Self") {
                Kw::of(word)
            } else {
                Kw::None
            };
            out.push(Token { kind: Kind::Ident, kw, start: start as u32, end: i as u32 });
            continue;
        }
        if is_punct(c) {
            push(out, Kind::Punct(c), start, i + 1);
            i += 1;
            continue;
        }
        return Err(err(start, &format!("unexpected character {:?}", char_at(src, start))));
    }
    if let Some(&open) = stack.last() {
        let Kind::Open(o) = out[open as usize].kind else { unreachable!("stack holds opens") };
        return Err(err(out[open as usize].start as usize, &format!("unclosed delimiter `{}`", o as char)));
    }
    matching.resize(out.len(), u32::MAX);
    Ok(())
}

/// Whether a line comment (from its `//`) is an `orch-lint:` directive: `// orch-lint:` or the
/// inner `//! orch-lint:` (doc comments `///` are documentation, never directives).
pub fn is_directive(comment: &[u8]) -> bool {
    let Some(rest) = comment.strip_prefix(b"//") else { return false };
    let rest = rest.strip_prefix(b"!").unwrap_or(rest);
    if rest.first() == Some(&b'/') {
        return false;
    }
    let start = rest.iter().position(|b| *b != b' ' && *b != b'\t').unwrap_or(rest.len());
    rest[start..].starts_with(b"orch-lint:")
}

fn is_inner_attr_start(rest: &[u8]) -> bool {
    // `#!` followed (after whitespace/comments, approximately whitespace) by `[` is an inner
    // attribute, not a shebang.
    rest.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[')
}

fn push(out: &mut Vec<Token>, kind: Kind, start: usize, end: usize) {
    out.push(Token { kind, kw: Kw::None, start: start as u32, end: end as u32 });
}

fn err(offset: usize, message: &str) -> LexError {
    LexError { offset: offset as u32, message: message.to_string() }
}

fn close_of(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

fn char_at(src: &[u8], at: usize) -> char {
    let end = (at + 4).min(src.len());
    String::from_utf8_lossy(&src[at..end]).chars().next().unwrap_or('\u{fffd}')
}

const SPACE: u8 = 1;
const IDENT_START: u8 = 2;
const DIGIT: u8 = 4;

/// Byte classes: whitespace, identifier start (ASCII letters, `_`, and every non-ASCII byte:
/// Unicode identifiers are allowed, the file was checked to be UTF-8, and exact XID tables are
/// not needed to find facts), digits.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = if matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            SPACE
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            IDENT_START
        } else if c.is_ascii_digit() {
            DIGIT
        } else {
            0
        };
        i += 1;
    }
    t
};

fn is_ident_start(c: u8) -> bool {
    CLASS[c as usize] == IDENT_START
}

fn is_ident_continue(c: u8) -> bool {
    CLASS[c as usize] & (IDENT_START | DIGIT) != 0
}

fn is_punct(c: u8) -> bool {
    matches!(
        c,
        b'+' | b'-'
            | b'*'
            | b'/'
            | b'%'
            | b'^'
            | b'!'
            | b'&'
            | b'|'
            | b'='
            | b'<'
            | b'>'
            | b'@'
            | b'.'
            | b','
            | b';'
            | b':'
            | b'#'
            | b'$'
            | b'?'
            | b'~'
    )
}

fn ident_end(src: &[u8], mut i: usize) -> usize {
    while i < src.len() && is_ident_continue(src[i]) {
        i += 1;
    }
    i
}

/// A literal suffix (`"x"suffix`, `1u8`) is part of the literal.
fn skip_suffix(src: &[u8], i: usize) -> usize {
    if i < src.len() && is_ident_start(src[i]) { ident_end(src, i) } else { i }
}

fn skip_block_comment(src: &[u8], start: usize) -> Result<usize, LexError> {
    let mut depth = 0usize;
    let mut i = start;
    while i + 1 < src.len() {
        if src[i] == b'/' && src[i + 1] == b'*' {
            depth += 1;
            i += 2;
        } else if src[i] == b'*' && src[i + 1] == b'/' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Ok(i);
            }
        } else {
            i += 1;
        }
    }
    Err(err(start, "unterminated block comment"))
}

/// Skip to after the closing `quote`, honouring backslash escapes. `i` is just after the
/// opening quote.
fn skip_quoted(src: &[u8], mut i: usize, quote: u8) -> Option<usize> {
    while i < src.len() {
        i += memchr::memchr2(b'\\', quote, &src[i..])?;
        if src[i] == quote {
            return Some(i + 1);
        }
        i += 2;
    }
    None
}

/// Raw string body: `i` at the first `#` or `"` after the `r`. Returns the end offset.
fn skip_raw(src: &[u8], mut i: usize, start: usize) -> Result<usize, LexError> {
    let mut hashes = 0usize;
    while i < src.len() && src[i] == b'#' {
        hashes += 1;
        i += 1;
    }
    if src.get(i) != Some(&b'"') {
        return Err(err(start, "malformed raw string literal"));
    }
    i += 1;
    while i < src.len() {
        if src[i] == b'"' && src[i + 1..].iter().take(hashes).filter(|&&b| b == b'#').count() == hashes {
            let end = i + 1 + hashes;
            if src[i + 1..end.min(src.len())].len() == hashes {
                return Ok(end);
            }
        }
        i += 1;
    }
    Err(err(start, "unterminated raw string literal"))
}

/// `r"..."`, `r#"..."#`, `r#ident`, `b"..."`, `br"..."`, `b'x'`, `c"..."`, `cr"..."`.
/// Returns `Some(end)` if a prefixed token was lexed at `i`.
fn lex_prefixed(src: &[u8], i: usize, out: &mut Vec<Token>) -> Result<Option<usize>, LexError> {
    let at = |k: usize| src.get(i + k).copied();
    match (src[i], at(1), at(2)) {
        (b'r', Some(b'"'), _) | (b'r', Some(b'#'), Some(b'"' | b'#')) => {
            let end = skip_raw(src, i + 1, i)?;
            push(out, Kind::RawStr, i, end);
            Ok(Some(skip_suffix(src, end)))
        }
        (b'r', Some(b'#'), Some(c)) if is_ident_start(c) => {
            let end = ident_end(src, i + 2);
            push(out, Kind::RawIdent, i, end);
            Ok(Some(end))
        }
        (b'b' | b'c', Some(b'"'), _) => {
            let end = skip_quoted(src, i + 2, b'"').ok_or_else(|| err(i, "unterminated string literal"))?;
            push(out, Kind::Lit, i, end);
            Ok(Some(skip_suffix(src, end)))
        }
        (b'b' | b'c', Some(b'r'), Some(b'"' | b'#')) => {
            let end = skip_raw(src, i + 2, i)?;
            push(out, Kind::Lit, i, end);
            Ok(Some(skip_suffix(src, end)))
        }
        (b'b', Some(b'\''), _) => {
            let end = skip_quoted(src, i + 2, b'\'').ok_or_else(|| err(i, "unterminated byte literal"))?;
            push(out, Kind::Lit, i, end);
            Ok(Some(skip_suffix(src, end)))
        }
        _ => Ok(None),
    }
}

/// A `'`: a char literal (`'a'`, `'\n'`, `'\u{1F600}'`, `'''`? no) or a lifetime/label (`'a`).
fn lex_quote(src: &[u8], i: usize, out: &mut Vec<Token>) -> Result<usize, LexError> {
    let n = src.len();
    match src.get(i + 1) {
        None => Err(err(i, "unterminated character literal")),
        Some(b'\\') => {
            let end =
                skip_quoted(src, i + 1, b'\'').ok_or_else(|| err(i, "unterminated character literal"))?;
            push(out, Kind::Lit, i, end);
            Ok(end)
        }
        Some(&c) => {
            // Length of the (UTF-8) character after the quote.
            let width = utf8_width(c);
            let after = i + 1 + width;
            if after < n && src[after] == b'\'' {
                push(out, Kind::Lit, i, after + 1);
                return Ok(skip_suffix(src, after + 1));
            }
            if is_ident_start(c) {
                let end = ident_end(src, i + 1);
                push(out, Kind::Lifetime, i, end);
                return Ok(end);
            }
            Err(err(i, "unterminated character literal"))
        }
    }
}

fn utf8_width(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// Numbers: decimal/hex/octal/binary integers, floats with `.digits` and exponents, suffixes.
/// `1..2` and `x.0.1` stay separate tokens.
fn lex_number(src: &[u8], mut i: usize) -> usize {
    let n = src.len();
    let hex = src[i] == b'0' && matches!(src.get(i + 1), Some(b'x' | b'X'));
    while i < n && is_ident_continue(src[i]) {
        // exponent sign: 1e-5, 2.5E+3 (not in hex literals, where e is a digit)
        if !hex && matches!(src[i], b'e' | b'E') && matches!(src.get(i + 1), Some(b'+' | b'-')) {
            i += 2;
            continue;
        }
        i += 1;
    }
    if i + 1 < n && src[i] == b'.' && src[i + 1].is_ascii_digit() && !hex {
        i += 1;
        while i < n && is_ident_continue(src[i]) {
            if matches!(src[i], b'e' | b'E') && matches!(src.get(i + 1), Some(b'+' | b'-')) {
                i += 2;
                continue;
            }
            i += 1;
        }
    } else if i < n
        && src[i] == b'.'
        && src.get(i + 1).is_none_or(|&c| c != b'.' && !is_ident_start(c))
        && !hex
    {
        // `1.` is a float literal
        i += 1;
    }
    i
}

/// The text of an identifier token without a raw prefix (`r#type` → `type`).
pub fn ident_text<'a>(src: &'a str, t: &Token) -> &'a str {
    match t.kind {
        Kind::RawIdent => &src[t.start as usize + 2..t.end as usize],
        _ => &src[t.start as usize..t.end as usize],
    }
}

/// The value of a string literal token (`Str` with simple escapes, or `RawStr`), or `None`.
pub fn str_value(src: &str, t: &Token) -> Option<String> {
    let text = &src[t.start as usize..t.end as usize];
    match t.kind {
        Kind::Str => {
            let inner = text.strip_prefix('"')?.rsplit_once('"')?.0;
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c != '\\' {
                    out.push(c);
                    continue;
                }
                match chars.next()? {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    '0' => out.push('\0'),
                    '\n' => {
                        // line continuation: skip leading whitespace of the next line
                        let rest: String = chars.clone().collect();
                        let trimmed = rest.trim_start();
                        let skip = rest.len() - trimmed.len();
                        for _ in 0..rest[..skip].chars().count() {
                            chars.next();
                        }
                    }
                    other => out.push(other),
                }
            }
            Some(out)
        }
        Kind::RawStr => {
            let body = text.strip_prefix('r')?.trim_start_matches('#');
            let body = body.strip_prefix('"')?;
            let body = body.trim_end_matches('#');
            Some(body.strip_suffix('"')?.to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, String)> {
        let mut toks = Vec::new();
        let mut m = Vec::new();
        tokenize(src.as_bytes(), &mut toks, &mut m).unwrap();
        toks.iter().map(|t| (t.kind, src[t.start as usize..t.end as usize].to_string())).collect()
    }

    fn error(src: &str) -> String {
        let mut toks = Vec::new();
        let mut m = Vec::new();
        tokenize(src.as_bytes(), &mut toks, &mut m).unwrap_err().message
    }

    #[test]
    fn comments_strings_and_chars_hide_their_contents() {
        let toks = kinds(
            "/* a /* nested */ struct X; */ // struct Y;\nlet s = \"struct Z { \\\" }\"; let c = '{'; let r = r#\"}\"#;",
        );
        assert!(!toks.iter().any(|(_, t)| t == "struct"), "{toks:?}");
        assert!(toks.contains(&(Kind::RawStr, "r#\"}\"#".into())), "{toks:?}");
        assert!(toks.contains(&(Kind::Lit, "'{'".into())), "{toks:?}");
    }

    #[test]
    fn lifetimes_versus_chars() {
        let toks =
            kinds("fn f<'a>(x: &'a str) -> char { 'x' } 'outer: loop { break 'outer; } '\\u{1F600}' 'é'");
        let lifetimes: Vec<_> =
            toks.iter().filter(|(k, _)| *k == Kind::Lifetime).map(|(_, t)| t.as_str()).collect();
        assert_eq!(lifetimes, ["'a", "'a", "'outer", "'outer"]);
        assert!(toks.contains(&(Kind::Lit, "'x'".into())));
        assert!(toks.contains(&(Kind::Lit, "'é'".into())));
    }

    #[test]
    fn raw_identifiers_and_prefixed_literals() {
        let toks = kinds("let r#type = br\"x\" ; b'y'; c\"z\"; r#match");
        assert!(toks.contains(&(Kind::RawIdent, "r#type".into())));
        assert!(toks.contains(&(Kind::RawIdent, "r#match".into())));
        assert!(toks.contains(&(Kind::Lit, "br\"x\"".into())));
        let src = "r#type";
        let mut t = Vec::new();
        tokenize(src.as_bytes(), &mut t, &mut Vec::new()).unwrap();
        assert_eq!(ident_text(src, &t[0]), "type");
    }

    #[test]
    fn numbers_ranges_and_tuple_fields() {
        // `x.0.1` lexes as `x . 0.1` in rustc too (the parser splits the float)
        let toks = kinds("0..10 1.5e-3 x.0.1 0xffu8 1. 2f32 1.max(2)");
        let texts: Vec<_> = toks.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(
            texts,
            [
                "0", ".", ".", "10", "1.5e-3", "x", ".", "0.1", "0xffu8", "1.", "2f32", "1", ".", "max", "(",
                "2", ")"
            ]
        );
    }

    #[test]
    fn path_separators_and_arrows() {
        let toks = kinds("a::b -> c => d");
        assert_eq!(toks[1].0, Kind::PathSep);
        assert_eq!(toks[3].0, Kind::Arrow);
        assert_eq!(toks[5].0, Kind::Arrow);
    }

    #[test]
    fn delimiters_are_matched() {
        let src = "fn f() { [1, (2)] }";
        let mut t = Vec::new();
        let mut m = Vec::new();
        tokenize(src.as_bytes(), &mut t, &mut m).unwrap();
        let open = t.iter().position(|t| t.kind == Kind::Open(b'{')).unwrap();
        assert_eq!(t[m[open] as usize].kind, Kind::Close(b'}'));
        assert_eq!(m[m[open] as usize] as usize, open);
    }

    #[test]
    fn nesting_beyond_the_limit_is_an_error_not_a_stack_overflow() {
        let deep = |n: usize| format!("fn f() {}{}", "{".repeat(n), "}".repeat(n));
        let (mut toks, mut matching) = (Vec::new(), Vec::new());
        assert!(tokenize(deep(MAX_NESTING - 1).as_bytes(), &mut toks, &mut matching).is_ok());
        let e = tokenize(deep(100_000).as_bytes(), &mut toks, &mut matching).unwrap_err();
        assert!(e.message.contains("nested more than 512 levels"), "{}", e.message);
    }

    #[test]
    fn errors_are_reported_not_panicked() {
        assert!(error("fn f() {").contains("unclosed delimiter `{`"));
        assert!(error("fn f() }").contains("unexpected closing delimiter"));
        assert!(error("fn f() { ]").contains("mismatched closing delimiter"));
        assert!(error("let s = \"abc").contains("unterminated string"));
        assert!(error("/* /* */").contains("unterminated block comment"));
        assert!(error("let s = r#\"abc\";").contains("unterminated raw string"));
        assert!(error("let x = \\;").contains("unexpected character"));
        assert!(error("let x = '").contains("unterminated character"));
    }

    #[test]
    fn shebang_and_inner_attributes() {
        assert_eq!(kinds("#!/usr/bin/env run\nfn x() {}")[0].1, "fn");
        assert_eq!(kinds("#![allow(x)]")[0].1, "#");
    }

    #[test]
    fn string_values() {
        let src = r####""a\"b\\c" r#"x"y"# "line\
            next""####;
        let mut t = Vec::new();
        tokenize(src.as_bytes(), &mut t, &mut Vec::new()).unwrap();
        assert_eq!(str_value(src, &t[0]).unwrap(), "a\"b\\c");
        assert_eq!(str_value(src, &t[1]).unwrap(), "x\"y");
        assert_eq!(str_value(src, &t[2]).unwrap(), "linenext");
    }
}
