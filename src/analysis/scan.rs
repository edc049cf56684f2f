//! Fact extraction from a token stream ([`super::lex`]).
//!
//! A single left-to-right pass over the tokens with a recursive walk into delimiter groups
//! (which the lexer has already matched). It recognises items by their keywords at item
//! positions (`mod`, `struct`, `enum`, `union`, `trait`, `type`, `impl`, `fn`, `use`,
//! `extern crate`, `macro_rules!`), attributes (`#[path]`, `#[cfg]`, `#[cfg_attr(.., path)]`,
//! `#[test]`), and expression patterns anywhere (`register::<J, _>(..)`, `m::register(..)`,
//! `.dispatch(..)`, `.emit(..)`, `.domain::<E>()`). Macro invocations are scanned as token soup:
//! `mod x;` inside `cfg_if!` counts, expression patterns count, and `...Job` / `...Executor`
//! identifiers are recorded as mentions so rules do not report what a macro may generate.
//! Every `...Event` identifier outside `use` items and its own declaration is folded into one
//! [`Fact::EventUse`] per name and file (read / emitted / in a macro / trait impl); public
//! types of `events/` files get their variants' and fields' shape checked once the file's
//! imports are known ([`Fact::EventShape`], only for catch-all shapes).

use super::lex::{self, Kind, Kw, LexError, Token};
use super::{Fact, FastMap, Loc, ModExtra, RefKind, Role, Shape, TypeKind, Vis, flags, uses};

/// Which referenced paths to keep (everything else is dropped on the spot to save memory).
#[derive(Debug, Clone, Copy)]
pub enum RefPolicy<'a> {
    /// Keep none.
    None,
    /// Keep every `use` path and every inline path with at least two segments.
    All,
    /// What the boundaries rule checks in orchestrator files: paths into an `executors` module,
    /// paths on the I/O deny-list, and paths into another feature.
    Orchestrator {
        /// Deny-list entries, split on `::`.
        deny: &'a [Vec<String>],
        /// Module path of the features directory, if it is under `src/`.
        features: Option<&'a [&'a str]>,
        /// This file's feature (`None` in core).
        own: Option<&'a str>,
    },
    /// Keep only paths into another feature: `crate::<features...>::<other>::...`.
    OtherFeatures {
        /// Module path of the features directory (`["features"]`).
        features: &'a [&'a str],
        /// This file's feature.
        own: &'a str,
    },
}

/// What to scan.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The file's text.
    pub src: &'a str,
    /// The file's module path below the crate root (`["features", "auth", "jobs", "login"]`).
    pub module: &'a [&'a str],
    /// Which paths to keep.
    pub refs: RefPolicy<'a>,
    /// Keep dispatch / emit / observe facts ([`super::Options::flow`]).
    pub flow: bool,
    /// For a file in an `events/` folder: the features directory's module path (empty when it
    /// is not under `src/`), to record catch-all shapes ([`Fact::EventShape`]).
    pub events: Option<&'a [&'a str]>,
}

/// A scan failure: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    /// Location.
    pub loc: Loc,
    /// Message.
    pub message: String,
}

/// Reusable per-thread scanner (keeps its buffers between files).
#[derive(Debug, Default)]
pub struct Scanner {
    toks: Vec<Token>,
    matching: Vec<u32>,
    facts: Vec<Fact>,
    /// Offsets of `orch-lint:` directive comments ([`super::suppress`]).
    marks: Vec<u32>,
}

impl Scanner {
    /// A scanner with empty buffers.
    pub fn new() -> Self {
        Scanner::default()
    }

    /// Tokenize and scan one file. Large buffers are shrunk afterwards so one huge file does not
    /// pin memory for the rest of the walk.
    pub fn scan(&mut self, input: Input<'_>) -> Result<Box<[Fact]>, ScanError> {
        let bytes = input.src.as_bytes();
        if let Err(LexError { offset, message }) =
            lex::tokenize_marking(bytes, &mut self.toks, &mut self.matching, Some(&mut self.marks))
        {
            let mut lines = Lines::new(bytes);
            return Err(ScanError { loc: lines.loc(offset as usize), message });
        }
        self.facts.clear();
        let mut w = Walk {
            src: input.src,
            toks: &self.toks,
            m: &self.matching,
            facts: &mut self.facts,
            lines: Lines::new(bytes),
            inline: Vec::new(),
            outer_inline_path: false,
            modpath: input.module.to_vec(),
            file_depth: input.module.len(),
            children: Vec::new(),
            refs: input.refs,
            segs: Vec::new(),
            prefix: Vec::new(),
            resolved: Vec::new(),
            has_tests: false,
            event_uses: Vec::new(),
            event_use_at: FastMap::default(),
            events: input.events,
            imports: FastMap::default(),
            shaped: Vec::new(),
            aliases: FastMap::default(),
            mod_macros: FastMap::default(),
        };
        w.collect_children();
        w.collect_aliases();
        w.items(0, w.toks.len(), Scope::Module, flags::ITEM_LEVEL);
        w.doc_includes();
        if w.mod_macros.values().any(|&invoked| !invoked) {
            // A macro declaring `mod $name;` invoked in another file: the modules it declares
            // are unknown here; `$` marks the defining file's neighbourhood unknown.
            w.facts.push(Fact::Mod {
                name: "$".into(),
                extra: None,
                loc: Loc::default(),
                flags: flags::IN_MACRO | flags::MACRO_DEF | flags::CFG,
            });
        }
        if w.has_tests {
            w.facts.push(Fact::HasTests);
        }
        w.event_shapes();
        for (name, how) in std::mem::take(&mut w.event_uses) {
            w.facts.push(Fact::EventUse { name: name.into(), uses: how });
        }
        let suppressions = super::suppress::collect(input.src, &self.toks, &self.matching, &self.marks);
        self.facts.extend(suppressions.into_iter().map(|s| Fact::Suppress(Box::new(s))));
        if !input.flow {
            self.facts.retain(|f| !f.is_flow());
        }
        let out: Box<[Fact]> = self.facts.drain(..).collect();
        if self.toks.capacity() > 1 << 16 {
            self.toks = Vec::new();
            self.matching = Vec::new();
        }
        Ok(out)
    }
}

/// 1-based line/column of byte offsets, with a cursor that moves forward cheaply.
struct Lines<'a> {
    src: &'a [u8],
    pos: usize,
    line: u32,
    line_start: usize,
    /// Characters from `line_start` to `pos`: the column is counted from the previous fact,
    /// not from the start of the line (facts on one long line, as in minified or generated
    /// files, were quadratic: 50k types on one 800 KB line took 9 s).
    col: u32,
}

impl<'a> Lines<'a> {
    fn new(src: &'a [u8]) -> Self {
        Lines { src, pos: 0, line: 1, line_start: 0, col: 0 }
    }

    fn loc(&mut self, offset: usize) -> Loc {
        let offset = offset.min(self.src.len());
        if offset < self.pos {
            if offset >= self.line_start {
                // back on the same line: count from its start
                (self.pos, self.col) = (self.line_start, 0);
            } else {
                *self = Lines::new(self.src);
            }
        }
        let chunk = &self.src[self.pos..offset];
        match memchr::memrchr(b'\n', chunk) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', chunk).count() as u32;
                self.line_start = self.pos + last + 1;
                self.col = chars(&self.src[self.line_start..offset]);
            }
            None => self.col += chars(chunk),
        }
        self.pos = offset;
        Loc { line: self.line, col: self.col + 1 }
    }
}

/// Characters in UTF-8 `bytes` (lead bytes).
fn chars(bytes: &[u8]) -> u32 {
    if bytes.is_ascii() {
        bytes.len() as u32
    } else {
        bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u32
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// File top level or an inline module.
    Module,
    /// Inside `impl .. { }`.
    Impl,
    /// Inside `trait .. { }`.
    Trait,
    /// A function body, block, or any other group.
    Body,
    /// Inside a macro invocation's delimiters.
    Macro,
}

#[derive(Debug, Default)]
struct Pending {
    test: bool,
    test_fn: bool,
    cfg: bool,
    paths: Vec<Box<str>>,
    cfg_attr_path: bool,
    /// A plain `#[path]` (not behind `cfg_attr`): the only location.
    plain_path: bool,
    vis: Option<Vis>,
}

impl Pending {
    fn clear(&mut self) {
        self.test = false;
        self.test_fn = false;
        self.cfg = false;
        self.paths.clear();
        self.cfg_attr_path = false;
        self.plain_path = false;
        self.vis = None;
    }
}

struct Walk<'a, 'f> {
    src: &'a str,
    toks: &'a [Token],
    m: &'a [u32],
    facts: &'f mut Vec<Fact>,
    lines: Lines<'a>,
    /// Directory segments of the enclosing inline modules.
    inline: Vec<String>,
    /// Whether the outermost enclosing inline module has a `#[path]` ([`ModExtra`]).
    outer_inline_path: bool,
    /// Current module path (file module + inline modules).
    modpath: Vec<&'a str>,
    /// Length of the file's own module path.
    file_depth: usize,
    /// Names of modules declared in this file (for resolving relative paths).
    children: Vec<&'a str>,
    refs: RefPolicy<'a>,
    /// Buffers reused for every path in the file (paths are many; most are not kept).
    segs: Vec<&'a str>,
    prefix: Vec<&'a str>,
    resolved: Vec<&'a str>,
    has_tests: bool,
    /// `...Event` names used in the file, in first-use order, with their [`uses`] bits.
    event_uses: Vec<(&'a str, u8)>,
    /// Index into `event_uses` by name.
    event_use_at: FastMap<&'a str, usize>,
    /// [`Input::events`].
    events: Option<&'a [&'a str]>,
    /// In an events file: names imported by `use` from a feature -> that feature.
    imports: FastMap<&'a str, &'a str>,
    /// In an events file: public enums and structs to look at once the imports are known
    /// (name, kind, location, flags, body `{` token).
    shaped: Vec<(&'a str, TypeKind, Loc, u8, usize)>,
    /// `use path as alias;` anywhere in the file: alias -> path (`use std as s` lets `s::fs`
    /// mean `std::fs`; `use ..::PingJob as Ping` makes `Executor<Ping>` handle `PingJob`).
    aliases: FastMap<&'a str, Vec<&'a str>>,
    /// `macro_rules!` macros of this file whose body declares `mod $name;`, and whether an
    /// invocation of each was seen.
    mod_macros: FastMap<&'a str, bool>,
}

/// Types that hold data and do no I/O, in modules the I/O deny-list names as a whole
/// (`std::net::IpAddr` is an address, `std::net::TcpStream` a connection).
const PURE_DATA: &[(&str, &[&str])] = &[(
    "std::net",
    &[
        "IpAddr",
        "Ipv4Addr",
        "Ipv6Addr",
        "SocketAddr",
        "SocketAddrV4",
        "SocketAddrV6",
        "AddrParseError",
        "Shutdown",
        "Ipv6MulticastScope",
    ],
)];

/// Whether a resolved path names (or goes through) a pure data type of [`PURE_DATA`]:
/// `std::net::IpAddr`, `std::net::Ipv4Addr::LOCALHOST`.
fn is_pure_data(path: &[&str]) -> bool {
    PURE_DATA.iter().any(|(module, types)| {
        let n = module.split("::").count();
        path.len() > n && path[..n].iter().copied().eq(module.split("::")) && types.contains(&path[n])
    })
}

/// How an [`Fact::Include`] path relative to the package root (not to the including file)
/// starts: `include!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/x.rs"))`.
pub const MANIFEST_DIR: &str = "$CARGO_MANIFEST_DIR";

fn is_pascal(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
}

impl<'a> Walk<'a, '_> {
    fn text(&self, i: usize) -> &'a str {
        let t = &self.toks[i];
        let src: &'a str = self.src;
        match t.kind {
            Kind::Ident => src.get(t.start as usize..t.end as usize).unwrap_or(""),
            Kind::RawIdent => src.get(t.start as usize + 2..t.end as usize).unwrap_or(""),
            _ => "",
        }
    }

    fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    /// The keyword class of token `i` (`Kw::None` past the end or for non-keywords).
    fn kw(&self, i: usize) -> Kw {
        self.toks.get(i).map_or(Kw::None, |t| t.kw)
    }

    /// Whether the type name at `i` starts a value: `Name { .. }` or `Name::ctor(..)`.
    fn constructs_value(&self, i: usize) -> bool {
        let ctor = self.kind(i + 1) == Some(Kind::PathSep)
            && self.is_ident(i + 2)
            && !is_pascal(self.text(i + 2))
            && self.kind(i + 3) == Some(Kind::Open(b'('));
        ctor || self.kind(i + 1) == Some(Kind::Open(b'{'))
    }

    fn is_ident(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Ident | Kind::RawIdent))
    }

    /// A non-raw identifier equal to `word`.
    fn is_word(&self, i: usize, word: &str) -> bool {
        self.kind(i) == Some(Kind::Ident) && self.text(i) == word
    }

    fn is_punct(&self, i: usize, c: u8) -> bool {
        self.kind(i) == Some(Kind::Punct(c))
    }

    fn loc(&mut self, i: usize) -> Loc {
        let off = self.toks[i].start as usize;
        self.lines.loc(off)
    }

    fn close(&self, open: usize) -> usize {
        self.m[open] as usize
    }

    /// The out-of-line part of a `mod` fact: `None` when there is no `#[path]` and no
    /// enclosing inline module.
    fn mod_extra(&self, paths: Box<[Box<str>]>) -> Option<Box<ModExtra>> {
        if paths.is_empty() && self.inline.is_empty() {
            return None;
        }
        Some(Box::new(ModExtra {
            paths,
            inline: self.inline.join("/").into(),
            inline_from_path: self.outer_inline_path,
        }))
    }

    /// Names after every `mod` keyword in the file (approximation of the child modules in scope).
    fn collect_children(&mut self) {
        for i in 0..self.toks.len().saturating_sub(1) {
            if self.kw(i) == Kw::Mod && self.is_ident(i + 1) {
                let name = self.text(i + 1);
                self.children.push(name);
            }
        }
    }

    /// Every `use path as alias;` of the file (one pass; scoping is per file, which is what
    /// the rules need: a name aliased anywhere in the file is that path).
    fn collect_aliases(&mut self) {
        let n = self.toks.len();
        let mut i = 0;
        let mut prefix = Vec::new();
        while i < n {
            if self.kw(i) == Kw::Use && i + 1 < n {
                let end = self.find_semi(i + 1, n);
                prefix.clear();
                self.alias_tree(i + 1, end, &mut prefix);
                i = end + 1;
            } else {
                i += 1;
            }
        }
    }

    /// The aliases of the `use` tree at `i..end` (segments so far in `prefix`).
    fn alias_tree(&mut self, mut i: usize, end: usize, prefix: &mut Vec<&'a str>) {
        let base = prefix.len();
        let mut glob = false;
        while i < end {
            match self.kind(i) {
                Some(Kind::Ident | Kind::RawIdent) if self.kw(i) == Kw::As => {
                    if self.is_ident(i + 1) && self.text(i + 1) != "_" && prefix.len() > base {
                        let path = if prefix.last() == Some(&"self") {
                            &prefix[..prefix.len() - 1]
                        } else {
                            &prefix[..]
                        };
                        if !path.is_empty() {
                            self.aliases.insert(self.text(i + 1), path.to_vec());
                        }
                    }
                    prefix.truncate(base);
                    i += 2;
                }
                Some(Kind::Ident | Kind::RawIdent) => {
                    prefix.push(self.text(i));
                    i += 1;
                }
                Some(Kind::Open(b'{')) => {
                    let close = self.close(i);
                    let mut k = i + 1;
                    while k < close {
                        let sub_end = self.next_comma(k, close);
                        self.alias_tree(k, sub_end, prefix);
                        k = sub_end + 1;
                    }
                    prefix.truncate(base);
                    i = close + 1;
                }
                Some(Kind::Punct(b',')) => {
                    self.bind_plain(prefix, base, glob);
                    prefix.truncate(base);
                    glob = false;
                    i += 1;
                }
                Some(Kind::Punct(b'*')) => {
                    glob = true;
                    i += 1;
                }
                _ => i += 1,
            }
        }
        self.bind_plain(prefix, base, glob);
        prefix.truncate(base);
    }

    /// A plain import of a module of this crate binds its last segment to its path, as rustc
    /// does: after `use crate::features::billing;`, `billing::jobs::X` is
    /// `crate::features::billing::jobs::X` (what `boundaries` must see across features). An
    /// explicit `as` alias of the same name wins. Imports from other crates (`use std::fs;`) are
    /// left alone: the `use` line itself is what the I/O check reports.
    fn bind_plain(&mut self, prefix: &[&'a str], base: usize, glob: bool) {
        if glob || prefix.len() <= base || !matches!(prefix.first(), Some(&("crate" | "self" | "super"))) {
            return;
        }
        let path = if prefix.last() == Some(&"self") { &prefix[..prefix.len() - 1] } else { prefix };
        let Some(&name) = path.last() else { return };
        if path.len() < 2 || matches!(name, "crate" | "super" | "self" | "Self") {
            return;
        }
        self.aliases.entry(name).or_insert_with(|| path.to_vec());
    }

    /// The last segment of the path `name` stands for (`Ping` for `use ..::PingJob as Ping`).
    fn unalias(&self, name: &'a str) -> &'a str {
        if self.aliases.is_empty() {
            return name;
        }
        self.aliases.get(name).and_then(|p| p.last()).copied().unwrap_or(name)
    }

    /// Walk tokens `lo..hi` in `scope` with inherited `fl` flags.
    fn items(&mut self, lo: usize, hi: usize, scope: Scope, fl: u8) {
        let mut fl = fl;
        let mut i = lo;
        let mut item_start = true;
        let mut pend = Pending::default();
        // The scope and flags the next `{` group at this level opens (set by `impl`, `fn`, ...).
        let mut next_block: Option<(Scope, u8)> = None;
        while i < hi {
            let t = self.toks[i];
            match t.kind {
                Kind::Punct(b'#') => {
                    let inner = self.is_punct(i + 1, b'!');
                    let j = if inner { i + 2 } else { i + 1 };
                    if j < hi && self.kind(j) == Some(Kind::Open(b'[')) {
                        let close = self.close(j);
                        if inner {
                            let mut a = Pending::default();
                            self.attribute(j + 1, close, &mut a);
                            if a.test {
                                fl |= flags::TEST;
                                self.has_tests = true;
                            }
                        } else {
                            self.attribute(j + 1, close, &mut pend);
                        }
                        i = close + 1;
                        continue;
                    }
                    item_start = false;
                    i += 1;
                }
                Kind::Punct(b';') => {
                    item_start = true;
                    pend.clear();
                    next_block = None;
                    i += 1;
                }
                Kind::Open(c) => {
                    let close = self.close(i);
                    let block = if c == b'{' { next_block.take() } else { None };
                    let (sub, sub_fl) = match block {
                        Some(b) => b,
                        None if scope == Scope::Macro => (Scope::Macro, fl & !flags::ITEM_LEVEL),
                        None => (Scope::Body, fl & !flags::ITEM_LEVEL),
                    };
                    self.items(i + 1, close, sub, sub_fl);
                    i = close + 1;
                    item_start = c == b'{';
                    pend.clear();
                }
                Kind::Ident | Kind::RawIdent => {
                    i = self.ident(i, hi, scope, fl, &mut item_start, &mut pend, &mut next_block);
                }
                Kind::Str | Kind::RawStr if scope == Scope::Macro => {
                    self.file_mention(i);
                    item_start = false;
                    i += 1;
                }
                _ => {
                    item_start = false;
                    i += 1;
                }
            }
        }
    }

    /// Handle the identifier at `i`; returns the next position.
    #[allow(clippy::too_many_arguments)]
    fn ident(
        &mut self,
        i: usize,
        hi: usize,
        scope: Scope,
        fl: u8,
        item_start: &mut bool,
        pend: &mut Pending,
        next_block: &mut Option<(Scope, u8)>,
    ) -> usize {
        let raw = self.kind(i) == Some(Kind::RawIdent);
        let kw = self.kw(i);
        let item_fl = |pend: &Pending| {
            let mut f = fl;
            if pend.test {
                f |= flags::TEST;
            }
            if pend.cfg {
                f |= flags::CFG;
            }
            f
        };
        if kw != Kw::None {
            // Item keywords.
            match kw {
                Kw::Pub => {
                    pend.vis = Some(Vis::Pub);
                    if self.kind(i + 1) == Some(Kind::Open(b'(')) && *item_start {
                        pend.vis = Some(Vis::Restricted);
                        return self.close(i + 1) + 1;
                    }
                    return i + 1;
                }
                Kw::Qualifier if *item_start => {
                    return i + 1;
                }
                Kw::Extern if *item_start => {
                    if self.kw(i + 1) == Kw::Crate && self.is_ident(i + 2) {
                        let name = self.text(i + 2);
                        let f = item_fl(pend);
                        self.push_ref(&[name], RefKind::ExternCrate, i + 2, f);
                        return i + 3;
                    }
                    if matches!(self.kind(i + 1), Some(Kind::Str | Kind::RawStr)) {
                        return i + 2;
                    }
                    return i + 1;
                }
                Kw::Mod if self.is_ident(i + 1) => {
                    let name = self.text(i + 1);
                    let f = item_fl(pend);
                    match self.kind(i + 2) {
                        Some(Kind::Punct(b';')) => {
                            let loc = self.loc(i + 1);
                            let mut f = f;
                            // Paths given only through `cfg_attr` (one per platform, say) leave
                            // the default location for every other configuration.
                            if pend.cfg_attr_path && !pend.plain_path {
                                f |= flags::DEFAULT_PATH_TOO;
                            }
                            if pend.test {
                                self.has_tests = true;
                            }
                            let paths = std::mem::take(&mut pend.paths).into_boxed_slice();
                            let extra = self.mod_extra(paths);
                            self.facts.push(Fact::Mod { name: name.into(), extra, loc, flags: f });
                            pend.clear();
                            *item_start = true;
                            return i + 3;
                        }
                        Some(Kind::Open(b'{')) => {
                            let open = i + 2;
                            let close = self.close(open);
                            if pend.test {
                                self.has_tests = true;
                            }
                            let dir =
                                pend.paths.first().map(|p| p.to_string()).unwrap_or_else(|| name.to_string());
                            if self.inline.is_empty() {
                                self.outer_inline_path = !pend.paths.is_empty();
                            }
                            self.inline.push(dir);
                            self.modpath.push(name);
                            let sub = if scope == Scope::Macro { Scope::Macro } else { Scope::Module };
                            self.items(open + 1, close, sub, f);
                            self.modpath.pop();
                            self.inline.pop();
                            pend.clear();
                            *item_start = true;
                            return close + 1;
                        }
                        _ => return i + 2,
                    }
                }
                Kw::Struct | Kw::Enum | Kw::Union | Kw::Trait | Kw::Type
                    if *item_start && self.is_ident(i + 1) =>
                {
                    let kind = match kw {
                        Kw::Struct => TypeKind::Struct,
                        Kw::Enum => TypeKind::Enum,
                        Kw::Union => TypeKind::Union,
                        Kw::Trait => TypeKind::Trait,
                        _ => TypeKind::Alias,
                    };
                    // `union` is a weak keyword: require a type-like continuation.
                    if kind == TypeKind::Union
                        && !matches!(self.kind(i + 2), Some(Kind::Open(b'{') | Kind::Punct(b'<')))
                        && self.kw(i + 2) != Kw::Where
                    {
                        *item_start = false;
                        return i + 1;
                    }
                    let f = item_fl(pend);
                    if scope == Scope::Module {
                        let name = self.text(i + 1);
                        let loc = self.loc(i + 1);
                        if self.events.is_some()
                            && pend.vis.is_some_and(|v| v != Vis::Private)
                            && matches!(kind, TypeKind::Struct | TypeKind::Enum)
                            && let Some(open) = self.body_of(i + 2, hi)
                        {
                            self.shaped.push((name, kind, loc, f, open));
                        }
                        self.facts.push(Fact::Type {
                            name: name.into(),
                            kind,
                            vis: pend.vis.unwrap_or(Vis::Private),
                            nested: self.modpath.len() > self.file_depth,
                            loc,
                            flags: f,
                        });
                    }
                    *next_block = Some((
                        if kind == TypeKind::Trait { Scope::Trait } else { Scope::Body },
                        f & !flags::ITEM_LEVEL,
                    ));
                    pend.clear();
                    *item_start = false;
                    return i + 2;
                }
                Kw::Impl if *item_start => {
                    let f = item_fl(pend);
                    self.impl_header(i, hi, f);
                    *next_block = Some((Scope::Impl, f & !flags::ITEM_LEVEL));
                    pend.clear();
                    *item_start = false;
                    return i + 1;
                }
                Kw::Fn if self.is_ident(i + 1) => {
                    let name_kw = self.kw(i + 1);
                    let mut f = item_fl(pend) & !flags::ITEM_LEVEL;
                    if pend.test_fn {
                        f |= flags::TEST;
                        self.has_tests = true;
                    }
                    if name_kw == Kw::Register {
                        f |= flags::IN_REGISTER_FN;
                        if scope == Scope::Module {
                            let loc = self.loc(i + 1);
                            if f & flags::TEST == 0 {
                                self.facts.push(Fact::RegisterFn { loc });
                            }
                        }
                    }
                    if name_kw == Kw::Main && scope == Scope::Module && f & flags::TEST == 0 {
                        self.facts.push(Fact::MainFn);
                    }
                    *next_block = Some((Scope::Body, f));
                    pend.clear();
                    *item_start = false;
                    return i + 2;
                }
                Kw::Use if *item_start => {
                    let f = item_fl(pend);
                    let end = self.find_semi(i + 1, hi);
                    if !matches!(self.refs, RefPolicy::None) || self.events.is_some() {
                        let mut prefix = std::mem::take(&mut self.prefix);
                        prefix.clear();
                        self.use_tree(i + 1, end, &mut prefix, f);
                        self.prefix = prefix;
                    }
                    pend.clear();
                    *item_start = true;
                    return end + 1;
                }
                Kw::MacroRules if self.is_punct(i + 1, b'!') => {
                    // A macro definition: only `mod x;` lines inside count (to avoid false orphans).
                    let mut j = i + 2;
                    let name = self.is_ident(j).then(|| self.text(j));
                    if self.is_ident(j) {
                        j += 1;
                    }
                    if matches!(self.kind(j), Some(Kind::Open(_))) {
                        let close = self.close(j);
                        if self.mods_only(j + 1, close, fl | flags::IN_MACRO)
                            && let Some(name) = name
                        {
                            self.mod_macros.entry(name).or_insert(false);
                        }
                        pend.clear();
                        *item_start = true;
                        return close + 1;
                    }
                    return i + 1;
                }
                _ => {}
            }
        }
        // Macro invocation: `name!(..)`, `path::name! { .. }`.
        if !raw
            && self.is_punct(i + 1, b'!')
            && matches!(self.kind(i + 2), Some(Kind::Open(_)))
            && !kw.is_keyword()
        {
            let open = i + 2;
            let close = self.close(open);
            if kw == Kw::Include && matches!(self.kind(open + 1), Some(Kind::Str | Kind::RawStr)) {
                let tok = self.toks[open + 1];
                if let Some(path) = lex::str_value(self.src, &tok) {
                    let loc = self.loc(open + 1);
                    self.facts.push(Fact::Include { path: path.into(), loc });
                }
            }
            if self.is_word(i, "concat") {
                self.manifest_dir_file(open, close);
            }
            self.mod_macro_invocation(i, open, close, fl);
            let mut f = fl | flags::IN_MACRO;
            if pend.test {
                f |= flags::TEST;
            }
            if !(*item_start && scope == Scope::Module) {
                f &= !flags::ITEM_LEVEL;
            }
            self.items(open + 1, close, Scope::Macro, f);
            pend.clear();
            // `m! { .. }` at item position is a whole item (no `;` follows)
            return close + 1;
        }
        self.expression_patterns(i, scope, fl);
        *item_start = false;
        i + 1
    }

    /// A string literal ending in `.rs` inside a macro invocation (`include_str!("x.rs")`,
    /// `test!(.. "expected/x.rs")`): a file the crate reads, recorded as [`Fact::Include`].
    /// `include!("x.rs")` itself is recorded by [`Self::ident`].
    fn file_mention(&mut self, i: usize) {
        let t = self.toks[i];
        let text = &self.src.as_bytes()[t.start as usize..t.end as usize];
        // cheap test on the raw bytes first: most literals are not file names
        if !(text.ends_with(b".rs\"") || text.ends_with(b".rs\"#")) {
            return;
        }
        if i >= 3 && self.kw(i - 3) == Kw::Include && self.is_punct(i - 2, b'!') {
            return;
        }
        if let Some(path) = lex::str_value(self.src, &t)
            && !path.contains("://")
        {
            let loc = self.loc(i);
            self.facts.push(Fact::Include { path: path.into(), loc });
        }
    }

    /// `include!("x.rs")` in a doc comment (`//! # include!("doctests.rs");`, globwalk): a
    /// doctest compiles the file, so it is used. Comments are not tokens: one `memmem` pass over
    /// the text, rare hits checked for a `///` / `//!` line.
    fn doc_includes(&mut self) {
        let bytes = self.src.as_bytes();
        for at in memchr::memmem::find_iter(bytes, b"include!(\"") {
            let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |p| p + 1);
            let line = self.src[line_start..at].trim_start();
            if !(line.starts_with("///") || line.starts_with("//!")) {
                continue;
            }
            let lit = at + "include!(\"".len();
            let Some(len) = memchr::memchr2(b'"', b'\n', &bytes[lit..]) else { continue };
            let path = &self.src[lit..lit + len];
            if bytes[lit + len] == b'"' && path.ends_with(".rs") && !path.contains('\\') {
                let loc = self.lines.loc(lit);
                self.facts.push(Fact::Include { path: path.into(), loc });
            }
        }
    }

    /// `concat!(env!("CARGO_MANIFEST_DIR"), "/src/includes/", "x.rs")` (windows-sys): a file
    /// named from the package root, recorded as an include of `$CARGO_MANIFEST_DIR/src/...`.
    fn manifest_dir_file(&mut self, open: usize, close: usize) {
        // [core::]env ! ( "CARGO_MANIFEST_DIR" ) , "a" , "b" ...
        let mut env = open + 1;
        while self.is_ident(env) && self.kind(env + 1) == Some(Kind::PathSep) {
            env += 2;
        }
        let (bang, paren) = (env + 1, env + 2);
        if !(self.is_word(env, "env")
            && self.is_punct(bang, b'!')
            && self.kind(paren) == Some(Kind::Open(b'(')))
            || self.str_at(paren + 1).as_deref() != Some("CARGO_MANIFEST_DIR")
        {
            return;
        }
        let mut path = String::from(MANIFEST_DIR);
        let mut k = self.close(paren) + 1;
        while k < close {
            if self.is_punct(k, b',') {
                k += 1;
                continue;
            }
            match self.kind(k) {
                Some(Kind::Str | Kind::RawStr) => path.push_str(&self.str_at(k).unwrap_or_default()),
                _ => return,
            }
            k += 1;
        }
        if path.ends_with(".rs") {
            let loc = self.loc(open + 1);
            self.facts.push(Fact::Include { path: path.into(), loc });
        }
    }

    /// Expression-level facts at identifier `i`.
    fn expression_patterns(&mut self, i: usize, scope: Scope, fl: u8) {
        let kw = self.kw(i);
        let prev = if i > 0 { self.kind(i - 1) } else { None };
        let after_dot = prev == Some(Kind::Punct(b'.'));
        // `::std::fs::read`: a leading `::` (nothing path-like before it) starts a path
        let leading_sep = prev == Some(Kind::PathSep)
            && (i < 2 || !(self.is_ident(i - 2) || self.is_punct(i - 2, b'>') || self.is_punct(i - 2, b'$')));
        let after_sep = prev == Some(Kind::PathSep) && !leading_sep;
        if matches!(kw, Kw::Register | Kw::RegisterOther) && (after_dot || after_sep) {
            // `m::register(..)`: a module's register function (not a type's).
            if kw == Kw::Register
                && after_sep
                && i >= 2
                && self.is_ident(i - 2)
                && !is_pascal(self.text(i - 2))
                && self.kind(i + 1) == Some(Kind::Open(b'('))
            {
                let module = self.text(i - 2);
                let loc = self.loc(i - 2);
                self.facts.push(Fact::RegisterCall { module: module.into(), loc, flags: fl });
                return;
            }
            let mut job = None;
            let mut j = i + 1;
            if self.kind(j) == Some(Kind::PathSep) && self.is_punct(j + 1, b'<') {
                let (name, end) = self.first_generic_arg(j + 1);
                job = name.filter(|n| *n != "_").map(|n| self.unalias(n));
                j = end + 1;
            }
            if self.kind(j) == Some(Kind::Open(b'(')) {
                let close = self.close(j);
                let executor = (j + 1..close)
                    .map(|k| (k, self.is_ident(k).then(|| self.unalias(self.text(k)))))
                    .find(|&(_, t)| t.is_some_and(|t| Role::Executors.names(t)))
                    .and_then(|(_, t)| t);
                if job.is_some() || executor.is_some() {
                    let loc = self.loc(i);
                    self.facts.push(Fact::Register {
                        job: job.map(Into::into),
                        executor: executor.map(Into::into),
                        loc,
                        flags: fl,
                    });
                }
            }
            return;
        }
        if kw == Kw::Dispatch && (after_dot || after_sep) {
            let mut j = i + 1;
            let mut job = None;
            if self.kind(j) == Some(Kind::PathSep) && self.is_punct(j + 1, b'<') {
                let (name, end) = self.first_generic_arg(j + 1);
                job = name.map(|n| (n, j + 2));
                j = end + 1;
            }
            if job.is_none() && self.kind(j) == Some(Kind::Open(b'(')) {
                job = self.first_pascal_in_first_arg(j);
            }
            if let Some((name, at)) = job {
                let loc = self.loc(at);
                self.facts.push(Fact::Dispatch { job: self.unalias(name).into(), loc, flags: fl });
            }
            return;
        }
        if kw == Kw::Emit && after_dot && self.kind(i + 1) == Some(Kind::Open(b'(')) {
            if let Some((name, at)) = self.first_pascal_in_first_arg(i + 1) {
                let loc = self.loc(at);
                self.facts.push(Fact::Emit { event: self.unalias(name).into(), loc, flags: fl });
            }
            return;
        }
        if kw == Kw::Domain
            && after_dot
            && self.kind(i + 1) == Some(Kind::PathSep)
            && self.is_punct(i + 2, b'<')
        {
            let (name, _) = self.last_generic_segment(i + 2);
            if let Some((name, at)) = name {
                let loc = self.loc(at);
                self.facts.push(Fact::Observe { event: name.into(), loc, flags: fl });
            }
            return;
        }
        // A job constructed as an argument or assigned value: `f(XJob { .. })`, `= XJob::new(..)`
        // (not the argument of `dispatch(..)`, already recorded).
        let in_dispatch_arg = prev == Some(Kind::Open(b'(')) && i >= 2 && self.kw(i - 2) == Kw::Dispatch;
        let in_emit_arg = prev == Some(Kind::Open(b'(')) && i >= 2 && self.kw(i - 2) == Kw::Emit;
        // Only PascalCase words can be jobs or executors: one byte test skips the rest.
        // (`use ..::LoginEvent as Login`: `Login { .. }` is a `LoginEvent`)
        let text = self.unalias(self.text(i));
        let pascal = is_pascal(text);
        // ...and an event built to be emitted later or through a helper:
        // `let e = XEvent { .. }; publish(e)`, `announce(ctx, XEvent::new(..))`.
        if pascal && matches!(prev, Some(Kind::Open(b'(' | b'[') | Kind::Punct(b',' | b'='))) {
            let job = !in_dispatch_arg && Role::Jobs.names(text);
            let event = !in_emit_arg && Role::Events.names(text);
            if (job || event) && self.constructs_value(i) {
                let loc = self.loc(i);
                self.facts.push(if job {
                    Fact::Dispatch { job: text.into(), loc, flags: fl }
                } else {
                    Fact::Emit { event: text.into(), loc, flags: fl }
                });
            }
        }
        if pascal && Role::Events.names(text) {
            self.event_use(i, text, scope, fl);
        }
        if pascal && scope == Scope::Macro && (Role::Jobs.names(text) || Role::Executors.names(text)) {
            let loc = self.loc(i);
            self.facts.push(Fact::MacroMention { name: text.into(), loc, flags: fl });
        }
        // Inline paths `a::b::c` (first segment only).
        if !matches!(self.refs, RefPolicy::None)
            && self.kind(i + 1) == Some(Kind::PathSep)
            && !after_sep
            && !after_dot
            && (i == 0 || !self.is_punct(i - 1, b'$'))
        {
            self.inline_path(i, fl);
        }
    }

    /// Parse an attribute's tokens `lo..hi` into `pend`.
    fn attribute(&mut self, lo: usize, hi: usize, pend: &mut Pending) {
        if lo >= hi || !self.is_ident(lo) {
            return;
        }
        let name = self.text(lo);
        match name {
            "path" if self.is_punct(lo + 1, b'=') => {
                if let Some(v) = self.str_at(lo + 2) {
                    pend.paths.push(v.into());
                    pend.plain_path = true;
                }
            }
            "cfg" => {
                pend.cfg = true;
                if self.kind(lo + 1) == Some(Kind::Open(b'('))
                    && self.cfg_mentions_test(lo + 2, self.close(lo + 1))
                {
                    pend.test = true;
                }
            }
            "cfg_attr" if self.kind(lo + 1) == Some(Kind::Open(b'(')) => {
                pend.cfg = true;
                let close = self.close(lo + 1);
                let mut k = lo + 2;
                while k < close {
                    if self.is_word(k, "path")
                        && self.is_punct(k + 1, b'=')
                        && let Some(v) = self.str_at(k + 2)
                    {
                        pend.paths.push(v.into());
                        pend.cfg_attr_path = true;
                    }
                    k = match self.kind(k) {
                        Some(Kind::Open(_)) => self.close(k) + 1,
                        _ => k + 1,
                    };
                }
            }
            _ => {
                // `#[test]`, `#[tokio::test]`, `#[test_case(..)]`, `#[rstest]`: last path segment.
                let mut k = lo;
                let mut last = name;
                while self.kind(k + 1) == Some(Kind::PathSep) && self.is_ident(k + 2) {
                    k += 2;
                    last = self.text(k);
                }
                if last == "test" || last.starts_with("test_") || last == "rstest" {
                    pend.test = true;
                    pend.test_fn = true;
                }
            }
        }
    }

    fn str_at(&self, i: usize) -> Option<String> {
        let t = self.toks.get(i)?;
        lex::str_value(self.src, t)
    }

    /// Whether a cfg predicate mentions `test` outside a `not(..)`.
    fn cfg_mentions_test(&self, lo: usize, hi: usize) -> bool {
        let mut k = lo;
        while k < hi {
            if self.is_word(k, "not") && self.kind(k + 1) == Some(Kind::Open(b'(')) {
                k = self.close(k + 1) + 1;
                continue;
            }
            if self.is_word(k, "test") {
                return true;
            }
            k += 1;
        }
        false
    }

    /// Only `mod x;` declarations in `lo..hi` (macro definitions), with the `#[path]`,
    /// `#[cfg]` and `#[cfg_attr(.., path)]` attributes right before them (`pub` and
    /// `pub(..)` may sit in between). They are flagged [`flags::MACRO_DEF`]: rustc resolves
    /// them where the macro is invoked, not where it is defined.
    /// Returns whether the body declares a module named by a metavariable (`mod $m;`).
    fn mods_only(&mut self, lo: usize, hi: usize, fl: u8) -> bool {
        let fl = fl | flags::MACRO_DEF;
        let mut by_var = false;
        let mut pend = Pending::default();
        let mut k = lo;
        while k < hi {
            if self.is_punct(k, b'#') && self.kind(k + 1) == Some(Kind::Open(b'[')) {
                let close = self.close(k + 1);
                self.attribute(k + 2, close, &mut pend);
                k = close + 1;
                continue;
            }
            if self.kw(k) == Kw::Pub {
                k += if self.kind(k + 1) == Some(Kind::Open(b'(')) { self.close(k + 1) - k + 1 } else { 1 };
                continue;
            }
            if self.kw(k) == Kw::Mod && self.is_ident(k + 1) && self.is_punct(k + 2, b';') {
                let name = self.text(k + 1);
                let loc = self.loc(k + 1);
                let mut f = fl;
                if pend.cfg {
                    f |= flags::CFG;
                }
                if pend.test {
                    f |= flags::TEST;
                }
                if pend.cfg_attr_path && !pend.plain_path {
                    f |= flags::DEFAULT_PATH_TOO;
                }
                let paths = std::mem::take(&mut pend.paths).into_boxed_slice();
                let extra = self.mod_extra(paths);
                self.facts.push(Fact::Mod { name: name.into(), extra, loc, flags: f });
                pend.clear();
                k += 3;
                continue;
            }
            if self.kw(k) == Kw::Mod && self.is_punct(k + 1, b'$') && self.is_ident(k + 2) {
                by_var = true;
            }
            pend.clear();
            k += 1;
        }
        by_var
    }

    /// An invocation at `i` of a macro of this file whose body declares `mod $name;`
    /// (`mod_use!(cfg(unix), linux)`): each argument that is a lone identifier may be the
    /// module it declares. Recorded as `cfg`'d macro modules: candidates, never required.
    fn mod_macro_invocation(&mut self, i: usize, open: usize, close: usize, fl: u8) {
        let name = self.text(i);
        let Some(invoked) = self.mod_macros.get_mut(name) else { return };
        *invoked = true;
        let mut k = open + 1;
        while k < close {
            let end = self.next_comma(k, close);
            if end == k + 1 && self.is_ident(k) {
                let loc = self.loc(k);
                let f = (fl | flags::IN_MACRO | flags::CFG) & !flags::ITEM_LEVEL;
                self.facts.push(Fact::Mod {
                    name: self.text(k).into(),
                    extra: self.mod_extra(Box::new([])),
                    loc,
                    flags: f,
                });
            }
            k = end + 1;
        }
    }

    /// Position of the `;` ending the item starting at `i` (or `hi`).
    fn find_semi(&self, mut i: usize, hi: usize) -> usize {
        while i < hi {
            match self.kind(i) {
                Some(Kind::Punct(b';')) => return i,
                Some(Kind::Open(_)) => i = self.close(i) + 1,
                _ => i += 1,
            }
        }
        hi
    }

    /// `impl<..> [!]Trait<..> for Type where .. {`: record `impl Executor<J> for E`.
    fn impl_header(&mut self, i: usize, hi: usize, fl: u8) {
        let mut j = i + 1;
        let mut generics: Vec<&'a str> = Vec::new();
        if self.is_punct(j, b'<') {
            let end = self.skip_angles(j, hi);
            // generic parameter names: identifiers right after `<` or `,` at depth 1
            let mut depth = 0;
            for k in j..end {
                match self.kind(k) {
                    Some(Kind::Punct(b'<')) => depth += 1,
                    Some(Kind::Punct(b'>')) => depth -= 1,
                    Some(Kind::Ident)
                        if depth == 1 && (self.is_punct(k - 1, b'<') || self.is_punct(k - 1, b',')) =>
                    {
                        generics.push(self.text(k));
                    }
                    _ => {}
                }
            }
            j = end + 1;
        }
        if self.is_punct(j, b'!') {
            j += 1;
        }
        // find `for` at angle depth 0 before `{` / `where`
        let mut depth = 0i32;
        let mut k = j;
        let mut for_at = None;
        while k < hi {
            match self.kind(k) {
                Some(Kind::Punct(b'<')) => depth += 1,
                Some(Kind::Punct(b'>')) => depth -= 1,
                Some(Kind::Open(b'{')) | Some(Kind::Punct(b';')) => break,
                Some(Kind::Open(_)) => {
                    k = self.close(k) + 1;
                    continue;
                }
                Some(Kind::Ident) if depth == 0 && self.kw(k) == Kw::Where => break,
                Some(Kind::Ident) if depth == 0 && self.kw(k) == Kw::For => {
                    for_at = Some(k);
                    break;
                }
                _ => {}
            }
            k += 1;
        }
        let Some(for_at) = for_at else { return };
        // trait path j..for_at: last segment at depth 0 must be `Executor` followed by `<`
        let mut last_seg = None;
        let mut depth = 0i32;
        for k in j..for_at {
            match self.kind(k) {
                Some(Kind::Punct(b'<')) => depth += 1,
                Some(Kind::Punct(b'>')) => depth -= 1,
                Some(Kind::Ident | Kind::RawIdent) if depth == 0 => last_seg = Some(k),
                _ => {}
            }
        }
        let Some(seg) = last_seg else { return };
        let self_type = self.self_type(for_at, hi);
        // `impl Auditable for XEvent`: code generic over the trait may be what handles it
        if let Some(ty) = self_type
            && Role::Events.names(ty)
            && !STD_TRAITS.contains(&self.text(seg))
        {
            self.note_event(ty, uses::TRAIT);
        }
        if self.text(seg) != "Executor" || !self.is_punct(seg + 1, b'<') {
            return;
        }
        let (job, _) = self.last_generic_segment(seg + 1);
        let Some((job, job_at)) = job else { return };
        let job = self.unalias(job);
        let generic = generics.contains(&job);
        let Some(ty) = self_type else { return };
        // `impl<E: Executor<J>, J: Job> Executor<J> for E`: a blanket impl, no executor type
        if generic && generics.contains(&ty) {
            return;
        }
        let loc = self.loc(job_at);
        if generic {
            self.facts.push(Fact::GenericExecutorImpl { executor: ty.into(), loc, flags: fl });
        } else {
            self.facts.push(Fact::ExecutorImpl { job: job.into(), executor: ty.into(), loc, flags: fl });
        }
    }

    /// The self type of an impl header: the last identifier at depth 0 after `for` (at
    /// `for_at`), before `{` / `where`.
    fn self_type(&self, for_at: usize, hi: usize) -> Option<&'a str> {
        let mut depth = 0i32;
        let mut k = for_at + 1;
        let mut ty = None;
        while k < hi {
            match self.kind(k) {
                Some(Kind::Punct(b'<')) => depth += 1,
                Some(Kind::Punct(b'>')) => depth -= 1,
                Some(Kind::Open(_)) => break,
                Some(Kind::Ident | Kind::RawIdent) if depth == 0 => {
                    if self.kw(k) == Kw::Where {
                        break;
                    }
                    ty = Some(self.text(k));
                }
                _ => {}
            }
            k += 1;
        }
        ty
    }

    /// Position of the `>` matching the `<` at `open`.
    fn skip_angles(&self, open: usize, hi: usize) -> usize {
        let mut depth = 0i32;
        let mut k = open;
        while k < hi {
            match self.kind(k) {
                Some(Kind::Punct(b'<')) => depth += 1,
                Some(Kind::Punct(b'>')) => {
                    depth -= 1;
                    if depth == 0 {
                        return k;
                    }
                }
                Some(Kind::Open(_)) => {
                    k = self.close(k) + 1;
                    continue;
                }
                Some(Kind::Punct(b';')) | Some(Kind::Close(_)) => return k,
                _ => {}
            }
            k += 1;
        }
        hi.saturating_sub(1)
    }

    /// `<A, B>` at `open`: the last path segment of the first argument, and the end (`>`).
    fn first_generic_arg(&self, open: usize) -> (Option<&'a str>, usize) {
        let end = self.skip_angles(open, self.toks.len());
        let mut depth = 0i32;
        let mut last = None;
        for k in open..end {
            match self.kind(k) {
                Some(Kind::Punct(b'<')) => depth += 1,
                Some(Kind::Punct(b'>')) => depth -= 1,
                Some(Kind::Punct(b',')) if depth == 1 => break,
                Some(Kind::Ident | Kind::RawIdent) if depth == 1 => last = Some(self.text(k)),
                _ => {}
            }
        }
        (last, end)
    }

    /// `<path::to::T>` at `open`: the last identifier at depth 1 (and its index), and the end.
    fn last_generic_segment(&self, open: usize) -> (Option<(&'a str, usize)>, usize) {
        let end = self.skip_angles(open, self.toks.len());
        let mut depth = 0i32;
        let mut last = None;
        for k in open..end {
            match self.kind(k) {
                Some(Kind::Punct(b'<')) => depth += 1,
                Some(Kind::Punct(b'>')) => depth -= 1,
                Some(Kind::Punct(b',')) if depth == 1 => break,
                Some(Kind::Ident | Kind::RawIdent) if depth == 1 => last = Some((self.text(k), k)),
                _ => {}
            }
        }
        (last, end)
    }

    /// The first PascalCase identifier of the first argument of the `(` group at `open`.
    fn first_pascal_in_first_arg(&self, open: usize) -> Option<(&'a str, usize)> {
        let close = self.close(open);
        let mut k = open + 1;
        while k < close {
            match self.kind(k) {
                Some(Kind::Punct(b',')) => return None,
                Some(Kind::Ident | Kind::RawIdent) => {
                    let t = self.text(k);
                    if is_pascal(t) && t != "Self" && t != "Some" && t != "Box" && t != "Arc" {
                        return Some((t, k));
                    }
                }
                Some(Kind::Open(_)) => {
                    // look inside the first nested group too (e.g. `Box::new(XJob {..})`)
                    return self.first_pascal_in_first_arg(k);
                }
                _ => {}
            }
            k += 1;
        }
        None
    }

    /// A `use` tree at `i..end`, with the segments so far in `prefix`.
    fn use_tree(&mut self, mut i: usize, end: usize, prefix: &mut Vec<&'a str>, fl: u8) {
        let base = prefix.len();
        let mut first = true;
        let mut start_tok = i;
        if self.kind(i) == Some(Kind::PathSep) {
            i += 1; // `use ::std::..` — an external crate path
        }
        while i < end {
            match self.kind(i) {
                Some(Kind::Ident | Kind::RawIdent) => {
                    if self.kw(i) == Kw::As {
                        // `as alias`: the path is complete
                        self.emit_use(prefix, start_tok, fl);
                        prefix.truncate(base);
                        i += 2;
                        first = true;
                        continue;
                    }
                    if first {
                        start_tok = i;
                        first = false;
                    }
                    prefix.push(self.text(i));
                    i += 1;
                }
                Some(Kind::PathSep) => i += 1,
                Some(Kind::Punct(b'*')) => {
                    if first {
                        start_tok = i;
                    }
                    prefix.push("*");
                    i += 1;
                    first = false;
                }
                Some(Kind::Open(b'{')) => {
                    let close = self.close(i);
                    let mut k = i + 1;
                    while k < close {
                        let sub_end = self.next_comma(k, close);
                        self.use_tree(k, sub_end, prefix, fl);
                        k = sub_end + 1;
                    }
                    prefix.truncate(base);
                    i = close + 1;
                    first = true;
                }
                Some(Kind::Punct(b',')) => {
                    if !first {
                        self.emit_use(prefix, start_tok, fl);
                    }
                    prefix.truncate(base);
                    first = true;
                    i += 1;
                }
                _ => i += 1,
            }
        }
        if !first {
            self.emit_use(prefix, start_tok, fl);
        }
        prefix.truncate(base);
    }

    fn next_comma(&self, mut k: usize, close: usize) -> usize {
        while k < close {
            match self.kind(k) {
                Some(Kind::Punct(b',')) => return k,
                Some(Kind::Open(_)) => k = self.close(k) + 1,
                _ => k += 1,
            }
        }
        close
    }

    fn emit_use(&mut self, path: &[&'a str], at: usize, fl: u8) {
        if path.is_empty() {
            return;
        }
        // `use x::{self}`: the path itself
        let path =
            if path.last() == Some(&"self") && path.len() > 1 { &path[..path.len() - 1] } else { path };
        self.push_ref(path, RefKind::Use, at, fl);
    }

    /// An inline path starting at identifier `i`.
    fn inline_path(&mut self, i: usize, fl: u8) {
        self.segs.clear();
        let mut k = i;
        loop {
            if !self.is_ident(k) {
                break;
            }
            let t = self.text(k);
            self.segs.push(t);
            if self.kind(k + 1) == Some(Kind::PathSep) && self.is_ident(k + 2) {
                k += 2;
            } else {
                break;
            }
        }
        if self.segs.len() < 2 {
            return;
        }
        let segs = std::mem::take(&mut self.segs);
        self.push_ref(&segs, RefKind::Inline, i, fl);
        self.segs = segs;
    }

    /// Resolve `segs` against the current module and keep it if the policy says so.
    fn push_ref(&mut self, segs: &[&'a str], kind: RefKind, at: usize, fl: u8) {
        let mut resolved = std::mem::take(&mut self.resolved);
        if self.resolve(segs, &mut resolved) {
            if kind == RefKind::Use
                && let (Some(feature), Some(&last)) = (self.feature_of(&resolved), resolved.last())
            {
                self.imports.insert(last, feature);
            }
            self.keep_ref(&resolved, kind, at, fl);
        }
        self.resolved = resolved;
    }

    /// Keep a resolved path as a [`Fact::Ref`] if the policy says so.
    fn keep_ref(&mut self, resolved: &[&'a str], kind: RefKind, at: usize, fl: u8) {
        let other_feature = |features: &[&str], own: Option<&str>| {
            resolved.first() == Some(&"crate")
                && resolved.len() > features.len() + 1
                && resolved[1..=features.len()] == *features
                && Some(resolved[features.len() + 1]) != own
                && resolved[features.len() + 1] != "*"
        };
        if is_pure_data(resolved) {
            return;
        }
        let keep = match self.refs {
            RefPolicy::None => false,
            RefPolicy::All => true,
            RefPolicy::OtherFeatures { features, own } => other_feature(features, Some(own)),
            RefPolicy::Orchestrator { deny, features, own } => {
                (resolved.first() == Some(&"crate") && resolved.contains(&Role::Executors.name()))
                    || deny
                        .iter()
                        .any(|d| resolved.len() >= d.len() && resolved.iter().zip(d).all(|(a, b)| a == b))
                    || features.is_some_and(|f| other_feature(f, own))
            }
        };
        if keep {
            let loc = self.loc(at);
            self.facts.push(Fact::Ref { path: resolved.join("::").into(), kind, loc, flags: fl });
        }
    }

    /// `crate::`, `self::`, `super::` and child-module paths become `crate::...`; others are
    /// external (kept as written), into `out`. `false` for paths that cannot be resolved
    /// (`Self::`, too many `super`s).
    fn resolve(&self, segs: &[&'a str], out: &mut Vec<&'a str>) -> bool {
        self.resolve_in(segs, out, true)
    }

    /// [`Self::resolve`], expanding a leading `use .. as` alias if `aliases` (once: an alias
    /// of an alias is not followed).
    fn resolve_in(&self, segs: &[&'a str], out: &mut Vec<&'a str>, aliases: bool) -> bool {
        out.clear();
        let Some(&first) = segs.first() else { return false };
        match first {
            "crate" => {
                out.extend_from_slice(segs);
            }
            "self" => {
                out.push("crate");
                out.extend_from_slice(&self.modpath);
                out.extend_from_slice(&segs[1..]);
            }
            "super" => {
                let ups = segs.iter().take_while(|s| **s == "super").count();
                if ups > self.modpath.len() {
                    return false;
                }
                out.push("crate");
                out.extend_from_slice(&self.modpath[..self.modpath.len() - ups]);
                out.extend_from_slice(&segs[ups..]);
            }
            "Self" => return false,
            _ if aliases && segs.len() > 1 && self.aliases.contains_key(first) => {
                // `use std as s; s::fs::read(..)` is `std::fs::read`
                let mut full: Vec<&'a str> = self.aliases[first].clone();
                full.extend_from_slice(&segs[1..]);
                return self.resolve_in(&full, out, false);
            }
            _ if self.children.contains(&first) => {
                out.push("crate");
                out.extend_from_slice(&self.modpath);
                out.extend_from_slice(segs);
            }
            _ => out.extend_from_slice(segs),
        }
        true
    }
}

/// Facts for the event rules: how each `...Event` is used ([`Fact::EventUse`]) and the shapes of
/// the public types of `events/` files ([`Fact::EventShape`]).
impl<'a> Walk<'a, '_> {
    /// Record a use of the `...Event` identifier at `i`.
    fn event_use(&mut self, i: usize, name: &'a str, scope: Scope, fl: u8) {
        let how = if scope == Scope::Macro {
            // token soup: whatever the macro does with it, it is not an unread emission
            uses::READ | if fl & flags::ITEM_LEVEL != 0 { uses::MACRO } else { 0 }
        } else if self.constructs_value(i) && self.handed_on(i) {
            // a test building the event to feed a harness emits nothing
            if fl & flags::TEST != 0 { 0 } else { uses::EMIT }
        } else if self.in_turbofish(i) {
            uses::READ | uses::HANDLE
        } else {
            uses::READ
        };
        self.note_event(name, how);
    }

    /// OR `how` into the [`uses`] bits of event `name` in this file.
    fn note_event(&mut self, name: &'a str, how: u8) {
        if how == 0 {
            return;
        }
        match self.event_use_at.get(name) {
            Some(&k) => self.event_uses[k].1 |= how,
            None => {
                self.event_use_at.insert(name, self.event_uses.len());
                self.event_uses.push((name, how));
            }
        }
    }

    /// Whether the (path to the) type at `i` is the first argument of a turbofish:
    /// `event.domain::<E>()`, `bus.subscribe::<events::E>()`.
    fn in_turbofish(&self, i: usize) -> bool {
        let mut start = i;
        while start >= 2 && self.kind(start - 1) == Some(Kind::PathSep) && self.is_ident(start - 2) {
            start -= 2;
        }
        start >= 2 && self.is_punct(start - 1, b'<') && self.kind(start - 2) == Some(Kind::PathSep)
    }

    /// Whether the value built at `i` (`E { .. }`, `E::new(..)`, maybe behind a path) is an
    /// expression handed on: the right side of `=`, or an argument of a call (`emit(`, `new(`).
    /// A pattern (`Some(E { .. })`, a match arm, `let E { .. } =`) is not: those read it.
    fn handed_on(&self, i: usize) -> bool {
        let mut start = i;
        while start >= 2 && self.kind(start - 1) == Some(Kind::PathSep) && self.is_ident(start - 2) {
            start -= 2;
        }
        if start < 2 {
            return false;
        }
        match self.kind(start - 1) {
            // `let e = E { .. }`, `x = E::new(..)`; not `==`, `!=`, `<=`, `>=`
            Some(Kind::Punct(b'=')) => {
                !matches!(self.kind(start - 2), Some(Kind::Punct(b'=' | b'!' | b'<' | b'>')))
            }
            // `emit(E { .. })`, `Box::new(E::new(..))`; not `Some(..)`, `Ok(..)`, `if (..)`
            Some(Kind::Open(b'(')) => {
                self.kind(start - 2) == Some(Kind::Ident)
                    && !is_pascal(self.text(start - 2))
                    && !self.kw(start - 2).is_keyword()
            }
            _ => false,
        }
    }

    /// The `{` opening the body of the struct or enum whose generics start at `i`; `None` for
    /// tuple and unit structs.
    fn body_of(&self, mut i: usize, hi: usize) -> Option<usize> {
        if self.is_punct(i, b'<') {
            i = self.skip_angles(i, hi) + 1;
        }
        while i < hi {
            match self.kind(i)? {
                Kind::Open(b'{') => return Some(i),
                Kind::Open(_) | Kind::Punct(b';') => return None,
                _ => i += 1,
            }
        }
        None
    }

    /// The feature whose component a resolved path names, in an events file:
    /// `crate::features::billing::events::ChargedEvent` or `crate::features::billing::ChargedEvent`
    /// -> `billing`. Only the pattern's parts (a path through a role folder, or a `...Event`,
    /// `...Job`, ... name) count: another feature's ids and value types are ordinary data.
    fn feature_of(&self, resolved: &[&'a str]) -> Option<&'a str> {
        let features = self.events.filter(|f| !f.is_empty())?;
        let into = resolved.len() > features.len() + 2
            && resolved[0] == "crate"
            && resolved[1..=features.len()] == *features
            && resolved[features.len() + 1] != "*";
        let rest = resolved.get(features.len() + 2..).unwrap_or_default();
        let part = rest.iter().any(|seg| Role::from_name(seg).is_some())
            || rest.last().is_some_and(|last| Role::of_type(last).is_some());
        (into && part).then(|| resolved[features.len() + 1])
    }

    /// Shapes of the recorded public types: enums carrying other features' types, structs
    /// with a string tag and an untyped payload. One pass over each body.
    fn event_shapes(&mut self) {
        for (name, kind, loc, fl, open) in std::mem::take(&mut self.shaped) {
            let close = self.close(open);
            let shape = match kind {
                TypeKind::Enum => self.cross_features(open + 1, close),
                _ => self.stringly(open + 1, close),
            };
            if let Some(shape) = shape {
                self.facts.push(Fact::EventShape {
                    name: name.into(),
                    shape: Box::new(shape),
                    loc,
                    flags: fl,
                });
            }
        }
    }

    /// The features other than this file's whose types the tokens `lo..hi` name, through a
    /// path or a `use` import.
    fn cross_features(&self, lo: usize, hi: usize) -> Option<Shape> {
        let features = self.events.filter(|f| !f.is_empty())?;
        let module = &self.modpath[..self.file_depth];
        let own = (module.len() > features.len() && module[..features.len()] == *features)
            .then(|| module[features.len()]);
        let mut found: Vec<&'a str> = Vec::new();
        let mut k = lo;
        while k < hi {
            if !self.is_ident(k) || self.kind(k.wrapping_sub(1)) == Some(Kind::PathSep) {
                k += 1;
                continue;
            }
            let mut segs = vec![self.text(k)];
            while self.kind(k + 1) == Some(Kind::PathSep) && self.is_ident(k + 2) {
                k += 2;
                segs.push(self.text(k));
            }
            k += 1;
            let feature = if segs.len() == 1 {
                self.imports.get(segs[0]).copied()
            } else {
                let mut resolved = Vec::new();
                if self.resolve(&segs, &mut resolved) { self.feature_of(&resolved) } else { None }
            };
            if let Some(f) = feature.filter(|f| Some(*f) != own) {
                found.push(f);
            }
        }
        found.sort_unstable();
        found.dedup();
        (!found.is_empty()).then(|| Shape::CrossFeature(found.into_iter().map(Into::into).collect()))
    }

    /// `kind: String` (or `type`, `name`, ...) next to `payload: serde_json::Value` (or `data`,
    /// `body`, ... of an untyped type) among the named fields in `lo..hi`.
    fn stringly(&self, lo: usize, hi: usize) -> Option<Shape> {
        let (mut tag, mut payload) = (None, None);
        let mut k = lo;
        while k < hi {
            // attributes, `pub`, `pub(crate)`
            if self.is_punct(k, b'#') && self.kind(k + 1) == Some(Kind::Open(b'[')) {
                k = self.close(k + 1) + 1;
                continue;
            }
            if self.kw(k) == Kw::Pub {
                k = if self.kind(k + 1) == Some(Kind::Open(b'(')) { self.close(k + 1) + 1 } else { k + 1 };
                continue;
            }
            if !(self.is_ident(k) && self.is_punct(k + 1, b':')) {
                return None; // not a named field: not a shape we know
            }
            let field = self.text(k);
            let ty_start = k + 2;
            let mut end = ty_start;
            let mut depth = 0i32;
            while end < hi {
                match self.kind(end) {
                    Some(Kind::Punct(b'<')) => depth += 1,
                    Some(Kind::Punct(b'>')) => depth -= 1,
                    Some(Kind::Punct(b',')) if depth <= 0 => break,
                    Some(Kind::Open(_)) => {
                        end = self.close(end);
                    }
                    _ => {}
                }
                end += 1;
            }
            let ty = self.type_text(ty_start, end);
            let strong = TAG_FIELDS.contains(&field);
            if (strong || WEAK_TAG_FIELDS.contains(&field)) && tag.is_none() && is_string_type(&ty) {
                tag = Some((format!("{field}: {ty}"), strong));
            } else if PAYLOAD_FIELDS.contains(&field) && payload.is_none() && is_untyped(&ty) {
                payload = Some((format!("{field}: {ty}"), field == "payload"));
            }
            k = end + 1;
        }
        let ((tag, strong), (payload, named_payload)) = (tag?, payload?);
        // `name: String` next to `data: Vec<u8>` is a file, `value: String` a setting: a weak
        // tag needs a field that calls itself the payload
        (strong || named_payload).then(|| Shape::Stringly { tag: tag.into(), payload: payload.into() })
    }

    /// The type at tokens `lo..hi` as written, whitespace runs collapsed.
    fn type_text(&self, lo: usize, hi: usize) -> String {
        if lo >= hi {
            return String::new();
        }
        let (a, b) = (self.toks[lo].start as usize, self.toks[hi - 1].end as usize);
        self.src.get(a..b).unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Traits whose impls say nothing about who handles an event (derivable, conversions, std
/// formatting and errors, serde).
const STD_TRAITS: &[&str] = &[
    "Debug",
    "Display",
    "Clone",
    "Copy",
    "Default",
    "PartialEq",
    "Eq",
    "Hash",
    "PartialOrd",
    "Ord",
    "From",
    "Into",
    "TryFrom",
    "TryInto",
    "AsRef",
    "FromStr",
    "Error",
    "Send",
    "Sync",
    "Serialize",
    "Deserialize",
    "Drop",
    "Deref",
];

/// Field names of a stringly event's tag.
const TAG_FIELDS: &[&str] = &["kind", "type", "event", "event_type", "event_kind", "event_name"];
/// Field names that are a stringly event's tag only next to a field named `payload`.
const WEAK_TAG_FIELDS: &[&str] = &["name", "topic"];
/// Field names of a stringly event's payload.
const PAYLOAD_FIELDS: &[&str] = &["payload", "data", "body", "content", "value", "args", "params", "fields"];

/// `String`, `&str`, `Box<str>`, `Cow<'_, str>`, ...: text, not a type.
fn is_string_type(ty: &str) -> bool {
    let last = ty.rsplit("::").next().unwrap_or(ty);
    matches!(last, "String" | "SmolStr" | "CompactString" | "ArcStr")
        || ty.starts_with('&') && ty.ends_with("str")
        || matches!(ty.split_once('<'), Some((w, rest)) if (w.ends_with("Box") || w.ends_with("Arc") || w.ends_with("Rc") || w.ends_with("Cow")) && rest.trim_end_matches('>').trim().ends_with("str"))
}

/// A payload type that says nothing of its content: text, bytes, a JSON value, `dyn Any`, a
/// map of such (also behind `Option<..>`).
fn is_untyped(ty: &str) -> bool {
    let ty = ty.strip_prefix("Option<").and_then(|t| t.strip_suffix('>')).unwrap_or(ty);
    let dyn_any =
        ty.contains("dyn ") && ty.split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| w == "Any");
    if is_string_type(ty) || dyn_any || ty.contains("[u8]") || ty == "Vec<u8>" {
        return true;
    }
    let last = ty.rsplit("::").next().unwrap_or(ty);
    if matches!(last, "Value" | "JsonValue" | "Bytes" | "RawValue" | "Map<String, Value>")
        || last.ends_with("<RawValue>")
    {
        return true;
    }
    // `HashMap<String, String>`, `BTreeMap<String, serde_json::Value>`
    match ty.split_once('<') {
        Some((map, args)) if map.ends_with("HashMap") || map.ends_with("BTreeMap") => {
            let args = args.strip_suffix('>').unwrap_or(args);
            matches!(args.split_once(','), Some((k, v)) if is_string_type(k.trim()) && is_untyped(v.trim()))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_with(src: &str, module: &[&str], refs: RefPolicy<'_>) -> Vec<Fact> {
        Scanner::new().scan(Input { src, module, refs, flow: true, events: None }).unwrap().into_vec()
    }

    fn scan(src: &str) -> Vec<Fact> {
        scan_with(src, &["features", "auth", "jobs", "login"], RefPolicy::All)
    }

    #[test]
    fn a_macro_declaring_mod_by_metavariable_declares_the_names_passed_to_it() {
        let src = "macro_rules! mod_use {\n    ($c:meta, $m:ident) => { #[$c] mod $m; #[$c] use $m as imp; };\n}\n\
                   mod_use!(cfg(target_os = \"linux\"), linux);\nmod_use!(cfg(windows), windows);\n";
        let m = mods(&scan(src));
        let names: Vec<&str> = m.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(names, ["linux", "windows"]);
        assert!(m.iter().all(|x| x.3 & flags::CFG != 0 && x.3 & flags::IN_MACRO != 0));
        // defined here, invoked elsewhere: the `$` marker (reach unknown near this file)
        let m = mods(&scan("macro_rules! m { ($x:ident) => { mod $x; } }\n"));
        assert_eq!(m.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(), ["$"]);
    }

    #[test]
    fn use_as_aliases_resolve_for_executor_impls_and_paths() {
        let src = "use crate::features::auth::jobs::{PingJob as Ping, Other};\nuse std as s;\n\
                   impl Executor<Ping> for PingExecutor {}\nfn f() { s::fs::read(\"x\"); }\n";
        let facts = scan(src);
        assert!(facts.iter().any(|f| matches!(f, Fact::ExecutorImpl { job, .. } if &**job == "PingJob")));
        assert!(facts.iter().any(|f| matches!(f, Fact::Ref { path, .. } if &**path == "std::fs::read")));
        // emitted, dispatched and registered through an alias
        let src = "use crate::features::auth::events::LoginEvent as Done;\nuse super::jobs::LoginJob as L;\n\
                   fn f(ctx: &C, b: &mut B) { ctx.emit(Done { m }); d.dispatch(L { x }); b.register::<L, _>(X); }\n";
        let facts = scan(src);
        assert!(facts.iter().any(|f| matches!(f, Fact::Emit { event, .. } if &**event == "LoginEvent")));
        assert!(facts.iter().any(|f| matches!(f, Fact::Dispatch { job, .. } if &**job == "LoginJob")));
        assert!(
            facts.iter().any(|f| matches!(f, Fact::Register { job: Some(job), .. } if &**job == "LoginJob"))
        );
    }

    #[test]
    fn orchestrator_policy_keeps_executor_deny_listed_and_cross_feature_paths() {
        let src = "use crate::features::auth::executors::LoginExecutor;\nuse crate::features::auth::jobs::LoginJob;\n\
                   use std::fs;\nuse std::collections::HashMap;\nuse crate::features::billing::jobs::PayJob;\n\
                   fn f() { reqwest::get(\"x\"); LoginJob::new(); }\n";
        let deny = vec![vec!["std".to_string(), "fs".to_string()], vec!["reqwest".to_string()]];
        let facts = scan_with(
            src,
            &["features", "auth", "orchestrators", "login"],
            RefPolicy::Orchestrator { deny: &deny, features: Some(&["features"]), own: Some("auth") },
        );
        assert_eq!(
            refs(&facts),
            [
                "crate::features::auth::executors::LoginExecutor",
                "std::fs",
                "crate::features::billing::jobs::PayJob",
                "reqwest::get"
            ]
        );
    }

    fn types(facts: &[Fact]) -> Vec<(String, Vis, bool)> {
        facts
            .iter()
            .filter_map(|f| match f {
                Fact::Type { name, vis, flags, .. } => {
                    Some((name.to_string(), *vis, flags & flags::TEST != 0))
                }
                _ => None,
            })
            .collect()
    }

    fn mods(facts: &[Fact]) -> Vec<(String, Vec<String>, String, u8)> {
        facts
            .iter()
            .filter_map(|f| match f {
                Fact::Mod { name, flags, .. } => {
                    let (paths, inline) = f.mod_location();
                    Some((
                        name.to_string(),
                        paths.iter().map(|p| p.to_string()).collect(),
                        inline.to_string(),
                        *flags,
                    ))
                }
                _ => None,
            })
            .collect()
    }

    fn refs(facts: &[Fact]) -> Vec<String> {
        facts
            .iter()
            .filter_map(|f| match f {
                Fact::Ref { path, .. } => Some(path.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn types_with_visibility_location_and_test_scope() {
        let src = "use x;\n\n/// doc\n#[derive(Debug)]\npub struct LoginJob { pub input: String }\npub(crate) enum Mode { A }\nstruct Private;\ntype Alias = u8;\nimpl LoginJob { type X = u8; }\n#[cfg(test)]\nmod tests {\n    pub struct FakeJob;\n}\n";
        let facts = scan(src);
        assert_eq!(
            types(&facts),
            [
                ("LoginJob".into(), Vis::Pub, false),
                ("Mode".into(), Vis::Restricted, false),
                ("Private".into(), Vis::Private, false),
                ("Alias".into(), Vis::Private, false),
                ("FakeJob".into(), Vis::Pub, true),
            ]
        );
        let loc = facts.iter().find_map(|f| match f {
            Fact::Type { name, loc, .. } if &**name == "LoginJob" => Some(*loc),
            _ => None,
        });
        assert_eq!(loc, Some(Loc { line: 5, col: 12 }));
        assert!(facts.contains(&Fact::HasTests));
    }

    #[test]
    fn raw_identifiers_are_names_without_prefix() {
        let facts = scan("pub struct r#LoginJob;\nmod r#type;\n");
        assert_eq!(types(&facts)[0].0, "LoginJob");
        assert_eq!(mods(&facts)[0].0, "type");
        // `r#struct` is an identifier, not the keyword
        assert!(types(&scan("let r#struct = 1; r#struct Foo;")).is_empty());
    }

    #[test]
    fn executor_impls_with_paths_generics_and_blankets() {
        let src = "impl Executor<LoginJob> for LoginExecutor {}\n\
                   impl orch_runtime::Executor<jobs::SignupJob> for executors::SignupExecutor<T> where T: X {}\n\
                   impl<J: Job> Executor<J> for Logger {}\n\
                   impl<T> Executor<Wrapped<T>> for Boxed {}\n\
                   impl Display for LoginJob {}\n\
                   unsafe impl Send for LoginExecutor {}\n";
        let facts = scan(src);
        let impls: Vec<_> = facts
            .iter()
            .filter_map(|f| match f {
                Fact::ExecutorImpl { job, executor, loc, .. } => {
                    Some((job.to_string(), executor.to_string(), *loc))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            impls,
            [
                ("LoginJob".into(), "LoginExecutor".into(), Loc { line: 1, col: 15 }),
                ("SignupJob".into(), "SignupExecutor".into(), Loc { line: 2, col: 35 }),
                ("Wrapped".into(), "Boxed".into(), Loc { line: 4, col: 18 }),
            ]
        );
    }

    #[test]
    fn registrations_and_register_calls() {
        let src = "pub fn register(builder: &mut DispatcherBuilder) -> Result<(), RegisterError> {\n\
                   builder.register::<jobs::LoginJob, _>(executors::LoginExecutor)?;\n\
                   builder.register_shared::<SignupJob, _>(Arc::new(SignupExecutor::new()))?\n\
                       .register(LogoutExecutor::default())?;\n\
                   auth::register(builder)?;\n\
                   crate::features::billing::register(builder)?;\n\
                   Ok(())\n}\n";
        let facts = scan(src);
        let regs: Vec<_> = facts
            .iter()
            .filter_map(|f| match f {
                Fact::Register { job, executor, flags, .. } => Some((
                    job.as_deref().map(str::to_string),
                    executor.as_deref().map(str::to_string),
                    flags & flags::IN_REGISTER_FN != 0,
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            regs,
            [
                (Some("LoginJob".into()), Some("LoginExecutor".into()), true),
                (Some("SignupJob".into()), Some("SignupExecutor".into()), true),
                (None, Some("LogoutExecutor".into()), true),
            ]
        );
        let calls: Vec<_> = facts
            .iter()
            .filter_map(|f| match f {
                Fact::RegisterCall { module, .. } => Some(module.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(calls, ["auth", "billing"]);
        assert!(facts.iter().any(|f| matches!(f, Fact::RegisterFn { .. })));
    }

    #[test]
    fn mod_declarations_with_path_cfg_inline_and_macros() {
        let src = "mod a;\n#[path = \"x/y.rs\"] pub mod b;\n#[cfg(unix)] mod c;\n#[cfg_attr(windows, path = \"w.rs\")] mod d;\n\
                   mod inline { #[path = \"deep.rs\"] mod e; mod f; }\n\
                   #[path = \"other\"] mod g { mod h; }\n\
                   cfg_if::cfg_if! { if #[cfg(unix)] { mod i; } else { #[path = \"j2.rs\"] mod j; } }\n\
                   macro_rules! m { () => { mod k; } }\n\
                   #[cfg(test)] mod tests;\n\
                   fn f() { let r#mod = 1; }\n";
        let facts = scan(src);
        let m = mods(&facts);
        let names: Vec<_> = m.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "d", "e", "f", "h", "i", "j", "k", "tests"]);
        assert_eq!(m[1].1, ["x/y.rs"]);
        assert_ne!(m[2].3 & flags::CFG, 0);
        assert_eq!(m[3].1, ["w.rs"]);
        assert_ne!(m[3].3 & flags::DEFAULT_PATH_TOO, 0);
        assert_eq!((m[4].1.clone(), m[4].2.as_str()), (vec!["deep.rs".to_string()], "inline"));
        assert_eq!(m[6].2, "other");
        assert_ne!(m[7].3 & flags::IN_MACRO, 0);
        assert_eq!(m[8].1, ["j2.rs"]);
        assert_ne!(m[10].3 & flags::TEST, 0);
    }

    #[test]
    fn several_cfg_attr_paths_leave_the_default_location_a_plain_path_does_not() {
        // errno: four platforms by `cfg_attr`, `sys.rs` for the rest; rustix: multi-line
        let src = "#[cfg_attr(unix, path = \"unix.rs\")]\n#[cfg_attr(windows, path = \"windows.rs\")]\nmod sys;\n\
                   #[cfg_attr(\n    all(not(feature = \"a\"), feature = \"b\"),\n    path = \"b.rs\"\n)]\n\
                   #[cfg_attr(feature = \"a\", path = \"a.rs\")]\npub(crate) mod auxv;\n\
                   #[path = \"p.rs\"]\n#[cfg_attr(unix, path = \"q.rs\")]\nmod fixed;\n";
        let m = mods(&scan(src));
        assert_eq!(m[0].1, ["unix.rs", "windows.rs"]);
        assert_ne!(m[0].3 & flags::DEFAULT_PATH_TOO, 0);
        assert_eq!(m[1].1, ["b.rs", "a.rs"]);
        assert_ne!(m[1].3 & flags::DEFAULT_PATH_TOO, 0);
        assert_eq!(m[2].3 & flags::DEFAULT_PATH_TOO, 0);
    }

    #[test]
    fn macro_rules_modules_keep_their_attributes_and_are_flagged() {
        // serde_core's `crate_root!` and libc's `prelude!`
        let src = "macro_rules! crate_root {\n    () => {\n        #[cfg_attr(docsrs, path = \"core/de/mod.rs\")]\n        pub mod de;\n\
                   #[cfg(feature = \"std\")]\n        pub(crate) mod std_error;\n        mod types;\n    };\n}\n";
        let m = mods(&scan(src));
        let names: Vec<_> = m.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(names, ["de", "std_error", "types"]);
        assert!(m.iter().all(|x| x.3 & flags::MACRO_DEF != 0));
        assert_eq!(m[0].1, ["core/de/mod.rs"]);
        assert_ne!(m[0].3 & flags::DEFAULT_PATH_TOO, 0);
        assert_ne!(m[1].3 & flags::CFG, 0);
        assert!(m[2].1.is_empty());
        assert_eq!(m[2].3 & flags::CFG, 0);
    }

    #[test]
    fn rs_file_names_in_macro_invocations_are_includes() {
        let src = "include!(\"gen.rs\");\nconst T: &str = include_str!(\"data/t.rs\");\n\
                   test!(eq => \"expected/eq.expected.rs\");\nconst U: &str = \"not_in_a_macro.rs\";\n\
                   fn f() { println!(\"{}\", \"hello\"); }\n\
                   include!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/src/inc/\", \"w.rs\"));\n";
        let got: Vec<String> = scan(src)
            .iter()
            .filter_map(|f| match f {
                Fact::Include { path, .. } => Some(path.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(
            got,
            ["gen.rs", "data/t.rs", "expected/eq.expected.rs", "$CARGO_MANIFEST_DIR/src/inc/w.rs", "w.rs"]
        );
    }

    #[test]
    fn includes_in_doc_comments_are_includes() {
        let src = "//! ```\n//! # include!(\"doctests.rs\");\n//! ```\n// include!(\"plain_comment.rs\");\nfn f() {}\n";
        let got: Vec<(String, u32)> = scan(src)
            .iter()
            .filter_map(|f| match f {
                Fact::Include { path, loc } => Some((path.to_string(), loc.line)),
                _ => None,
            })
            .collect();
        assert_eq!(got, [("doctests.rs".to_string(), 2)]);
    }

    #[test]
    fn generic_wrapper_executors_are_recorded_as_such() {
        let src = "impl<J: Job, E: Executor<J>> Executor<J> for LoggedExecutor<E> {}\n\
                   impl<J, E> Executor<J> for RetryExecutor<E> where J: Job, E: Executor<J> {}\n\
                   impl<J: Job, E: Executor<J>> Executor<J> for E {}\n\
                   impl Executor<LoginJob> for LoginExecutor {}\n";
        let facts = scan(src);
        let generic: Vec<String> = facts
            .iter()
            .filter_map(|f| match f {
                Fact::GenericExecutorImpl { executor, .. } => Some(executor.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(generic, ["LoggedExecutor", "RetryExecutor"]);
        let concrete = facts.iter().filter(|f| matches!(f, Fact::ExecutorImpl { .. })).count();
        assert_eq!(concrete, 1);
    }

    #[test]
    fn orchestrator_policy_sees_leading_colons_and_skips_pure_data() {
        let src = "use std::net::{IpAddr, Ipv4Addr, TcpStream};\n\
                   fn f(a: std::net::SocketAddr) { let _ = ::std::fs::read(\"a\"); let _ = Vec::<u8>::new(); \
                   let _ = std::net::Ipv4Addr::LOCALHOST; let _ = ::std::net::UdpSocket::bind(a); }\n";
        let deny =
            vec![vec!["std".to_string(), "fs".to_string()], vec!["std".to_string(), "net".to_string()]];
        let facts = scan_with(
            src,
            &["features", "auth", "orchestrators", "login"],
            RefPolicy::Orchestrator { deny: &deny, features: Some(&["features"]), own: Some("auth") },
        );
        assert_eq!(refs(&facts), ["std::net::TcpStream", "std::fs::read", "std::net::UdpSocket::bind"]);
    }

    #[test]
    fn use_trees_are_flattened_and_resolved() {
        let src = "use crate::features::{billing::executors::PayExecutor, auth::events::{self, LoginEvent as E}};\n\
                   use super::super::executors::LoginExecutor;\nuse std::{fs, net::TcpStream};\nuse ::reqwest::Client;\n\
                   mod local; use local::Thing;\nfn f() { let x = std::fs::read(\"a\"); tokio::fs::write(); }\n";
        let facts = scan(src);
        assert_eq!(
            refs(&facts),
            [
                "crate::features::billing::executors::PayExecutor",
                "crate::features::auth::events",
                "crate::features::auth::events::LoginEvent",
                "crate::features::auth::executors::LoginExecutor",
                "std::fs",
                "std::net::TcpStream",
                "reqwest::Client",
                "crate::features::auth::jobs::login::local::Thing",
                "std::fs::read",
                "tokio::fs::write",
            ]
        );
    }

    #[test]
    fn other_feature_policy_keeps_only_cross_feature_paths() {
        let src = "use crate::features::billing::executors::PayExecutor;\nuse crate::features::auth::jobs::LoginJob;\n\
                   use std::fs;\nfn f() { super::super::super::billing::jobs::PayJob::new(); }\n";
        let facts = scan_with(
            src,
            &["features", "auth", "jobs", "login"],
            RefPolicy::OtherFeatures { features: &["features"], own: "auth" },
        );
        assert_eq!(
            refs(&facts),
            [
                "crate::features::billing::executors::PayExecutor",
                "crate::features::billing::jobs::PayJob::new"
            ]
        );
    }

    #[test]
    fn dispatch_emit_and_domain_facts() {
        let src = "fn on(&mut self, cx: &mut Cx) { cx.dispatch(LoginJob { input: x })?; h.dispatch_with(jobs::SignupJob::new(1), o);\n\
                   ctx.emit(LoginEvent { message }); if let Some(e) = event.domain::<events::LoginEvent>() {} let j = RetryJob::default();\n\
                   let ev = LoggedInEvent { user }; announce(&bus, ctx, LoggedOutEvent::new(u)); f(SomeEvent); }";
        let facts = scan(src);
        let names: Vec<_> = facts
            .iter()
            .filter_map(|f| match f {
                Fact::Dispatch { job, .. } => Some(format!("dispatch {job}")),
                Fact::Emit { event, .. } => Some(format!("emit {event}")),
                Fact::Observe { event, .. } => Some(format!("observe {event}")),
                _ => None,
            })
            .collect();
        assert_eq!(
            names,
            [
                "dispatch LoginJob",
                "dispatch SignupJob",
                "emit LoginEvent",
                "observe LoginEvent",
                "dispatch RetryJob",
                "emit LoggedInEvent",
                "emit LoggedOutEvent"
            ]
        );
    }

    #[test]
    fn macros_do_not_produce_items_but_mentions() {
        let src = "my_macro! { pub struct NotAType; impl Executor<MacroJob> for MacroExecutor {} }\nimpl_exec!(OtherJob, OtherExecutor);\nfn f() { println!(\"{}\", a != b); if !(x) {} }";
        let facts = scan(src);
        assert!(types(&facts).is_empty());
        let mentions: Vec<_> = facts
            .iter()
            .filter_map(|f| match f {
                Fact::MacroMention { name, flags, .. } => {
                    Some((name.to_string(), flags & flags::ITEM_LEVEL != 0))
                }
                _ => None,
            })
            .collect();
        assert!(mentions.contains(&("OtherJob".into(), true)), "{mentions:?}");
        assert!(facts.iter().any(|f| matches!(f, Fact::ExecutorImpl { job, .. } if &**job == "MacroJob")));
    }

    #[test]
    fn event_uses_fold_per_name_and_tell_reads_from_emissions() {
        let src = "use crate::features::auth::events::{LoginEvent, ImportedEvent};\npub struct OwnEvent;\n\
                   fn run(ctx: &Ctx, e: &Event) {\n    ctx.emit(LoginEvent { user });\n    let x = LogoutEvent::new(u);\n    \
                   if let Some(LoginEvent { .. }) = e.domain() {}\n    e.domain::<events::SeenEvent>();\n}\n\
                   impl Auditable for OwnEvent {}\nimpl fmt::Display for LogoutEvent {}\nlog_all!(MacroEvent);\n\
                   #[cfg(test)]\nmod tests {\n    fn t() { feed(TestEvent {}); }\n}\n";
        let got: Vec<(String, u8)> = scan(src)
            .iter()
            .filter_map(|f| match f {
                Fact::EventUse { name, uses } => Some((name.to_string(), *uses)),
                _ => None,
            })
            .collect();
        let want = [
            ("LoginEvent", uses::EMIT | uses::READ),
            ("LogoutEvent", uses::EMIT | uses::READ),
            ("SeenEvent", uses::READ | uses::HANDLE),
            ("OwnEvent", uses::TRAIT | uses::READ),
            ("MacroEvent", uses::READ | uses::MACRO),
        ];
        assert_eq!(got, want.map(|(n, u)| (n.to_string(), u)));
    }

    #[test]
    fn test_functions_and_modules_are_flagged() {
        let src = "#[cfg(test)]\nmod tests {\n use super::*;\n impl Executor<LoginJob> for Fake {}\n #[tokio::test]\n async fn t() { b.register::<LoginJob, _>(FakeExecutor); }\n}\n#[cfg(not(test))] fn live() {}";
        let facts = scan(src);
        for f in &facts {
            match f {
                Fact::ExecutorImpl { flags, .. } | Fact::Register { flags, .. } => {
                    assert_ne!(flags & flags::TEST, 0)
                }
                _ => {}
            }
        }
        assert!(facts.contains(&Fact::HasTests));
    }

    #[test]
    fn unicode_columns_are_in_characters() {
        let facts = scan("// é\nconst É: &str = \"é\"; pub struct LoginJob;");
        let loc = facts.iter().find_map(Fact::loc).unwrap();
        assert_eq!(loc, Loc { line: 2, col: 33 });
    }

    #[test]
    fn lexical_errors_carry_a_location() {
        let err = Scanner::new()
            .scan(Input {
                src: "fn f() {\n  let s = \"open;\n",
                module: &[],
                refs: RefPolicy::None,
                flow: true,
                events: None,
            })
            .unwrap_err();
        assert_eq!(err.loc, Loc { line: 2, col: 11 });
        assert!(err.message.contains("unterminated string"), "{}", err.message);
    }
}
