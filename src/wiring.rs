//! Wiring: minimal, syntax-aware insertions that connect generated code to the user's modules.
//!
//! Each `ensure_*` function takes the source of one file and returns it with the wiring added,
//! or unchanged when the wiring is already there. What is already there is found by parsing
//! the file with `syn` (never by pattern matching on text), and an edit only ever inserts whole
//! lines (or replaces the generated `let _ = builder;` placeholder): every other byte of the
//! file stays as it was. Insertions are placed and laid out as `rustfmt` does it with its
//! default configuration in style edition 2024: `mod` lines in their block in `rustfmt`'s order,
//! `pub use` lines in version-sort order, calls sorted within the run of similar calls and
//! wrapped at width 100 with four-space continuation lines. Under any other rustfmt
//! configuration or edition, `crate::style` runs rustfmt on the edited file and adopts its
//! layout of the inserted lines (and only of those), so this module need not re-implement
//! rustfmt's options.
//!
//! These functions are shared by the generators (`orch new`, `orch add`, `orch init`) and the
//! fixers (`orch lint --fix`, `orch doctor --fix`). Errors are [`Failure`]s without a path:
//! attach the file with [`at_path`].

use std::cmp::Ordering;

use proc_macro2::{LineColumn, Span};
use syn::spanned::Spanned;
use syn::visit::Visit;

use crate::error::Failure;

/// Longest line `rustfmt` keeps on one line with its default settings (the layout of inserted
/// lines here; `crate::style` adapts it to a project's own configuration).
pub const MAX_WIDTH: usize = 100;

/// Visibility of a `mod` declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vis {
    /// `mod x;`: folder `mod.rs` files declare component files privately and re-export types.
    Private,
    /// `pub mod x;`: component folders in a feature, features, `core` and `features` at the root.
    Pub,
}

impl Vis {
    fn prefix(self) -> &'static str {
        match self {
            Vis::Private => "",
            Vis::Pub => "pub ",
        }
    }
}

/// Attach `path` to the [`Failure`] in `err` (if it has none yet), so the user sees which file
/// could not be wired.
pub fn at_path(err: anyhow::Error, path: &std::path::Path) -> anyhow::Error {
    match err.downcast::<Failure>() {
        Ok(failure) if failure.path.is_none() => failure.at(path).into(),
        Ok(failure) => failure.into(),
        Err(other) => other.context(Failure::failed("cannot wire").at(path)),
    }
}

/// Whether `src` tokenizes (balanced delimiters, closed literals and comments).
pub fn tokenizes(src: &str) -> bool {
    crate::analysis::lex::tokenize(src.as_bytes(), &mut Vec::new(), &mut Vec::new()).is_ok()
}

/// Whether `src` has `mod name` anywhere (token-level, for files syn cannot parse).
pub fn declares_mod_tokens(src: &str, name: &str) -> bool {
    let (mut toks, mut m) = (Vec::new(), Vec::new());
    if crate::analysis::lex::tokenize(src.as_bytes(), &mut toks, &mut m).is_err() {
        return false;
    }
    toks.windows(2).any(|w| {
        crate::analysis::lex::ident_text(src, &w[0]) == "mod"
            && crate::analysis::lex::ident_text(src, &w[1]) == name
    })
}

/// Byte offset of the line after the file's inner attributes (`#![..]`) and, when there are
/// none after them, its leading `//!` docs: where an item placed first goes. Token-level.
pub fn after_inner_attributes(src: &str) -> usize {
    use crate::analysis::lex::Kind;
    let (mut toks, mut m) = (Vec::new(), Vec::new());
    if crate::analysis::lex::tokenize(src.as_bytes(), &mut toks, &mut m).is_err() {
        return 0;
    }
    let mut end = 0usize;
    let mut i = 0;
    while i + 2 < toks.len()
        && toks[i].kind == Kind::Punct(b'#')
        && toks[i + 1].kind == Kind::Punct(b'!')
        && toks[i + 2].kind == Kind::Open(b'[')
    {
        let close = m[i + 2] as usize;
        end = toks[close].end as usize;
        i = close + 1;
    }
    // then whole `//!` lines (and blank lines between them)
    let mut at = src[end..].find('\n').map_or(src.len(), |n| end + n + 1);
    if end == 0 {
        at = 0;
    }
    let mut pos = at;
    for line in src[at..].split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with("//!") || t.is_empty() {
            pos += line.len();
            if t.starts_with("//!") {
                at = pos;
            }
        } else {
            break;
        }
    }
    at
}

/// Parse `src` as a Rust file; a syntax error names its line and column.
pub fn parse(src: &str) -> anyhow::Result<syn::File> {
    syn::parse_file(src).map_err(|e| {
        let LineColumn { line, column } = e.span().start();
        Failure::failed(format!("does not parse as Rust ({e} at line {line}, column {})", column + 1))
            .hint("fix the syntax error (`cargo check` shows it), then run the command again")
            .into()
    })
}

/// Whether `src` declares module `name` at its top level (`mod name;`, `pub mod name;` or an
/// inline `mod name { .. }`).
pub fn declares_mod(src: &str, name: &str) -> anyhow::Result<bool> {
    let file = parse(src)?;
    Ok(file.items.iter().any(|item| matches!(item, syn::Item::Mod(m) if m.ident == name)))
}

/// The job types registered by `fn register` in `src`: the last path segment of the first
/// turbofish argument of each `register`, `register_shared` or `register_with_breaker` call.
pub fn registered_jobs(src: &str) -> anyhow::Result<Vec<String>> {
    let file = parse(src)?;
    let mut found = Vec::new();
    if let Some(func) = find_fn(&file, "register") {
        let mut visitor = RegisterCalls { found: &mut found };
        visitor.visit_block(&func.block);
    }
    Ok(found)
}

/// The types `src` re-exports with `use` items (the last segment of each imported path, or its
/// `as` rename), e.g. `["LoginJob"]` for `pub use login::LoginJob;`.
pub fn exported_types(src: &str) -> anyhow::Result<Vec<String>> {
    let file = parse(src)?;
    let mut names = Vec::new();
    for item in &file.items {
        if let syn::Item::Use(u) = item {
            collect_use_names(&u.tree, &mut names);
        }
    }
    Ok(names)
}

/// Add `mod name;` (or `pub mod name;`) to `src` unless a module of that name is declared.
///
/// The line joins the first block of `mod` declarations (the first with the same visibility,
/// else the first), at the position `rustfmt` sorts it to; with no such block it goes before
/// the first item (and the comments directly above it), followed by a blank line.
pub fn ensure_mod(src: &str, name: &str, vis: Vis) -> anyhow::Result<String> {
    // Already declared in a file syn cannot parse (init's fallback placed it): nothing to do.
    if syn::parse_file(src).is_err() && tokenizes(src) && declares_mod_tokens(src, name) {
        return Ok(src.to_string());
    }
    let file = parse(src)?;
    let text = Text::new(src);
    Ok(text.apply(mod_edit(&file, &text, name, vis).into_iter().collect()))
}

/// Declare module `name` in the crate root `src` with the lines `decl` (its attributes, then the
/// `mod` line itself) unless a module of that name is declared. Placed as [`ensure_mod`] places
/// a `pub mod` line, but never below an item that brings macros into textual scope (a
/// `#[macro_use]` module, a `macro_rules!` definition): those macros would apply inside the
/// generated modules and shadow the standard ones (a crate's own `println!`). The declaration
/// then goes, as a block of its own, before the first such item.
pub fn ensure_root_mod(src: &str, name: &str, decl: &[String]) -> anyhow::Result<String> {
    let file = parse(src)?;
    let text = Text::new(src);
    let Some(mut edit) = mod_edit(&file, &text, name, Vis::Pub) else { return Ok(src.to_string()) };
    let spans: Vec<ItemLines> = file.items.iter().map(ItemLines::of).collect();
    // At the macro item's first line or below (its comments included): move above it and the
    // comments describing it.
    let macro_start = file.items.iter().position(leaks_macros).map(|first| {
        let mut start = spans[first].start;
        while text
            .line(start - 1)
            .is_some_and(|l| l.trim_start().starts_with("//") && !l.trim_start().starts_with("//!"))
        {
            start -= 1;
        }
        start
    });
    if let Some(start) = macro_start
        && edit.at >= start
    {
        // Joins the `mod` lines right above (rustfmt does not reorder across a `#[macro_use]`
        // item), else forms a block of its own.
        let above = if start > 1 { text.line(start - 1) } else { None };
        let joins = above.is_some_and(|l| {
            let l = l.trim();
            l.ends_with(';') && l.split_whitespace().any(|w| w == "mod")
        });
        let mut lines = vec![format!("pub mod {name};")];
        if !joins {
            lines.push(String::new());
            if above.is_some_and(|l| !l.trim().is_empty()) {
                lines.insert(0, String::new());
            }
        }
        edit = Edit::before(start, lines);
    }
    let line = format!("pub mod {name};");
    edit.lines =
        edit.lines.into_iter().flat_map(|l| if l == line { decl.to_vec() } else { vec![l] }).collect();
    Ok(text.apply(vec![edit]))
}

/// Whether the macros `item` defines or imports stay in textual scope after it: a
/// `#[macro_use]` module or a `macro_rules!` definition.
fn leaks_macros(item: &syn::Item) -> bool {
    match item {
        syn::Item::Mod(m) => m.attrs.iter().any(|a| a.path().is_ident("macro_use")),
        syn::Item::Macro(m) => m.mac.path.is_ident("macro_rules"),
        _ => false,
    }
}

/// Add `extern crate krate as alias;` before the first item of the crate root `src`, unless an
/// `extern crate` already provides `alias`: at the crate root it adds `alias` to the extern
/// prelude, so code written for `alias::…` compiles against a dependency renamed `krate`.
pub fn ensure_extern_alias(src: &str, krate: &str, alias: &str) -> anyhow::Result<String> {
    let file = parse(src)?;
    let present = file.items.iter().any(|item| match item {
        syn::Item::ExternCrate(e) => e.rename.as_ref().map_or(&e.ident, |(_, r)| r) == alias,
        _ => false,
    });
    if present {
        return Ok(src.to_string());
    }
    let text = Text::new(src);
    let spans: Vec<ItemLines> = file.items.iter().map(ItemLines::of).collect();
    let line = format!("extern crate {krate} as {alias};");
    Ok(text.apply(vec![new_block(&text, &file, &spans, vec![line], None)]))
}

fn mod_edit(file: &syn::File, text: &Text<'_>, name: &str, vis: Vis) -> Option<Edit> {
    if file.items.iter().any(|item| matches!(item, syn::Item::Mod(m) if m.ident == name)) {
        return None;
    }
    let line = format!("{}mod {name};", vis.prefix());
    let spans: Vec<ItemLines> = file.items.iter().map(ItemLines::of).collect();
    let is_decl = |i: usize| matches!(&file.items[i], syn::Item::Mod(m) if m.content.is_none());
    let groups = groups(&spans, is_decl);
    let same_vis = |i: usize| match &file.items[i] {
        syn::Item::Mod(m) => matches!(m.vis, syn::Visibility::Inherited) == (vis == Vis::Private),
        _ => false,
    };
    let group = groups.iter().find(|g| g.iter().any(|&i| same_vis(i))).or_else(|| groups.first());
    if let Some(group) = group {
        let key = |i: usize| match &file.items[i] {
            syn::Item::Mod(m) => m.ident.to_string(),
            _ => String::new(),
        };
        let place = group.iter().find(|&&i| key(i).as_str() > name);
        return Some(match place {
            Some(&i) => Edit::before(item_lead(text, file, &spans, i), vec![line]),
            None => Edit::before(spans[*group.last().unwrap_or(&0)].end + 1, vec![line]),
        });
    }
    Some(new_block(text, file, &spans, vec![line], None))
}

/// Add `pub use module::type_name;` to `src` unless a `use` item already imports `type_name`
/// from `module` (directly, in a group, or by glob).
///
/// The line joins the block of `use` items that holds a `pub use` (else a new block after the
/// `mod` declarations), at its version-sorted position.
pub fn ensure_pub_use(src: &str, module: &str, type_name: &str) -> anyhow::Result<String> {
    let file = parse(src)?;
    for item in &file.items {
        if let syn::Item::Use(u) = item
            && imports(&u.tree, &[module, type_name])
        {
            return Ok(src.to_string());
        }
    }
    let text = Text::new(src);
    let line = format!("pub use {module}::{type_name};");
    let edit: Edit;
    let spans: Vec<ItemLines> = file.items.iter().map(ItemLines::of).collect();
    let is_use = |i: usize| matches!(&file.items[i], syn::Item::Use(_));
    let groups = groups(&spans, is_use);
    let is_pub_use = |i: usize| matches!(&file.items[i], syn::Item::Use(u) if !matches!(u.vis, syn::Visibility::Inherited));
    let ours = vec![module.to_string(), type_name.to_string()];
    if let Some(group) = groups.iter().find(|g| g.iter().any(|&i| is_pub_use(i))) {
        let key = |i: usize| match &file.items[i] {
            syn::Item::Use(u) => use_key(&u.tree),
            _ => Vec::new(),
        };
        let place = group.iter().find(|&&i| path_cmp(&key(i), &ours) == Ordering::Greater);
        edit = match place {
            Some(&i) => Edit::before(item_lead(&text, &file, &spans, i), vec![line]),
            None => Edit::before(spans[*group.last().unwrap_or(&0)].end + 1, vec![line]),
        };
    } else {
        // A new block: after the last `mod` declaration, else before the first item.
        let last_mod = (0..file.items.len()).rev().find(|&i| matches!(&file.items[i], syn::Item::Mod(_)));
        edit = new_block(&text, &file, &spans, vec![line], last_mod.map(|i| spans[i].end));
    }
    Ok(text.apply(vec![edit]))
}

/// Add `builder.register::<jobs::JobType, _>(executors::ExecutorType)?;` to `fn register` in
/// `src` (a feature's or core's `mod.rs`) unless a `register`, `register_shared` or
/// `register_with_breaker` call for `job_type` is already there.
///
/// The call is placed among the existing registrations, sorted by job type; the first one
/// replaces the `let _ = builder;` placeholder, or goes before the final `Ok(())`. The builder
/// variable is the function's first parameter. Long calls are wrapped as `rustfmt` wraps them.
pub fn ensure_register_call(src: &str, job_type: &str, executor_type: &str) -> anyhow::Result<String> {
    let file = parse(src)?;
    let func = find_fn(&file, "register").ok_or_else(|| missing_fn("register"))?;
    let mut found = Vec::new();
    RegisterCalls { found: &mut found }.visit_block(&func.block);
    if found.iter().any(|j| j == job_type) {
        return Ok(src.to_string());
    }
    let builder = first_param(func).unwrap_or_else(|| "builder".to_string());
    let job_path = format!("jobs::{job_type}");
    let exec_path = format!("executors::{executor_type}");
    let text = Text::new(src);
    let edit = insert_call(
        &text,
        func,
        &builder,
        job_type,
        |stmt| {
            let mut found = Vec::new();
            RegisterCalls { found: &mut found }.visit_stmt(stmt);
            found.into_iter().next()
        },
        |indent| register_call_lines(indent, &builder, &job_path, &exec_path),
    )?;
    Ok(text.apply(vec![edit]))
}

/// Wire feature `feature` into the features module `src` (`src/features/mod.rs`): a
/// `pub mod feature;` line, a `feature::register(builder)?;` call in `fn register`, and (when
/// the file has a `fn demo`) a `feature::demo(dispatcher).await;` call. Each piece already
/// present is left alone.
///
/// A module of that name declared inline (`mod feature { .. }`) is a collision (usage error).
/// The file is parsed once; the edits are computed together and applied bottom-up.
pub fn ensure_feature_wired(src: &str, feature: &str) -> anyhow::Result<String> {
    let file = parse(src)?;
    if file
        .items
        .iter()
        .any(|item| matches!(item, syn::Item::Mod(m) if m.ident == feature && m.content.is_some()))
    {
        return Err(Failure::usage(format!("the name collides with module `{feature}` declared here"))
            .hint("pick another name")
            .into());
    }
    let text = Text::new(src);
    let mut edits: Vec<Edit> = mod_edit(&file, &text, feature, Vis::Pub).into_iter().collect();
    let register = |arg: &str| format!("{feature}::register({arg})?;");
    edits.extend(module_call_edit(&file, &text, "register", feature, register)?);
    if find_fn(&file, "demo").is_some() {
        let demo = |arg: &str| format!("{feature}::demo({arg}).await;");
        edits.extend(module_call_edit(&file, &text, "demo", feature, demo)?);
    }
    Ok(text.apply(edits))
}

/// The lines of one executor registration at indentation `indent`, laid out as `rustfmt`
/// (style edition 2024, default configuration) lays it out: on one line when it fits, else
/// broken after the builder, inside the argument list, or both. Other configurations (width,
/// `tab_spaces`, `hard_tabs`, width heuristics) are rustfmt's business: `crate::style` relays
/// the lines out with it.
pub fn register_call_lines(indent: &str, builder: &str, job_path: &str, exec_path: &str) -> Vec<String> {
    let width = |s: &str| s.chars().count();
    // rustfmt keeps two columns for `?;` when it lays out a chain whose parent is longer than
    // the indentation unit (measured against its output for every name length up to 64).
    let chain_limit = MAX_WIDTH - 2;
    let one = format!("{indent}{builder}.register::<{job_path}, _>({exec_path})?;");
    let one_limit = if width(builder) <= 4 { MAX_WIDTH } else { chain_limit };
    if width(&one) <= one_limit {
        return vec![one];
    }
    let child = format!("{indent}    .register::<{job_path}, _>({exec_path})?;");
    if width(&child) <= chain_limit {
        return vec![format!("{indent}{builder}"), child];
    }
    let open = format!("{indent}{builder}.register::<{job_path}, _>(");
    if width(&open) <= chain_limit {
        return vec![open, format!("{indent}    {exec_path},"), format!("{indent})?;")];
    }
    vec![
        format!("{indent}{builder}"),
        format!("{indent}    .register::<{job_path}, _>("),
        format!("{indent}        {exec_path},"),
        format!("{indent}    )?;"),
    ]
}

/// The edit that makes `fn fn_name` call `module::fn_name(..)` (none if it does); `make` builds
/// the statement from the function's first parameter.
fn module_call_edit(
    file: &syn::File,
    text: &Text<'_>,
    fn_name: &str,
    module: &str,
    make: impl Fn(&str) -> String,
) -> anyhow::Result<Option<Edit>> {
    let func = find_fn(file, fn_name).ok_or_else(|| missing_fn(fn_name))?;
    let called = |stmt: &syn::Stmt| -> Option<String> {
        let mut calls = Vec::new();
        ModuleCalls { fn_name, found: &mut calls }.visit_stmt(stmt);
        calls.into_iter().next()
    };
    let mut anywhere = Vec::new();
    ModuleCalls { fn_name, found: &mut anywhere }.visit_block(&func.block);
    if anywhere.iter().any(|m| m == module) {
        return Ok(None);
    }
    let arg = first_param(func).unwrap_or_else(|| "builder".to_string());
    let edit =
        insert_call(text, func, &arg, module, called, |indent| vec![format!("{indent}{}", make(&arg))])?;
    Ok(Some(edit))
}

/// Insert the statement lines built by `lines` into `func`, at the first of these places where
/// the result still parses with the new statement in the function's body (and nothing else
/// changed shape): sorted by `key` among the statements `key_of` recognises (never after a tail
/// expression), in place of the `let _ = placeholder;` statement, before the tail expression,
/// after the last statement, before the closing brace. Comments and attributes directly above
/// a statement stay with it: a line inserted before the statement goes above them.
///
/// When no place works (e.g. the whole body on one line), the user is told which line to add.
fn insert_call(
    text: &Text<'_>,
    func: &syn::ItemFn,
    placeholder: &str,
    key: &str,
    key_of: impl Fn(&syn::Stmt) -> Option<String>,
    lines: impl Fn(&str) -> Vec<String>,
) -> anyhow::Result<Edit> {
    let stmts = &func.block.stmts;
    let open = func.block.brace_token.span.open().start().line;
    let is_tail = |i: usize| i + 1 == stmts.len() && matches!(stmts[i], syn::Stmt::Expr(_, None));
    // Line edges of statement `i`: where a line inserted before it goes (above its comments),
    // its first and last line; `None` when it shares a line with other code.
    let first_line = |i: usize| {
        let span = stmts[i].span();
        text.starts_line(span.start()).then(|| {
            let floor = if i == 0 { open } else { stmts[i - 1].span().end().line };
            (text.lead_start(span.start().line, floor), span.start().line)
        })
    };
    let after = |i: usize| {
        let span = stmts[i].span();
        (!is_tail(i) && text.starts_line(span.start()) && text.ends_line(span.end()))
            .then(|| Edit::before(span.end().line + 1, lines(text.indent_of(span.start().line))))
    };
    let before = |i: usize| first_line(i).map(|(lead, line)| Edit::before(lead, lines(text.indent_of(line))));

    let mut candidates: Vec<(Edit, bool)> = Vec::new();
    let keyed: Vec<(usize, String)> =
        stmts.iter().enumerate().filter_map(|(i, s)| key_of(s).map(|k| (i, k))).collect();
    if let Some(&(last, _)) = keyed.last() {
        let sorted = match keyed.iter().find(|(_, k)| version_cmp(k, key) == Ordering::Greater) {
            Some(&(i, _)) => before(i),
            None if is_tail(last) => before(last),
            None => after(last),
        };
        candidates.extend(sorted.map(|e| (e, false)));
    }
    if let Some(i) = stmts.iter().position(|s| is_placeholder(s, placeholder)) {
        let span = stmts[i].span();
        if text.starts_line(span.start()) && text.ends_line(span.end()) {
            let (start, end) = (span.start().line, span.end().line);
            let edit = Edit { at: start, remove: end + 1 - start, lines: lines(text.indent_of(start)) };
            candidates.push((edit, true));
        }
    }
    if let Some(last) = stmts.len().checked_sub(1) {
        candidates.extend(if is_tail(last) { before(last) } else { after(last) }.map(|e| (e, false)));
    }
    let close = func.block.brace_token.span.close().start();
    if text.starts_line(close) {
        let indent = format!("{}{}", text.indent_of(close.line), text.indent_unit());
        candidates.push((Edit::before(close.line, lines(&indent)), false));
    } else if stmts.is_empty()
        && let Some(line) = text.line(close.line)
        && close.line == func.block.brace_token.span.open().start().line
    {
        // An empty body on the signature's line (`fn demo(d: &Dispatcher) {}`) opens up:
        // `{`, the new lines, `}` on a line of its own.
        let byte = |col: usize| line.char_indices().nth(col).map_or(line.len(), |(i, _)| i);
        let (open, close_at) = (byte(func.block.brace_token.span.open().start().column), byte(close.column));
        let indent = text.indent_of(close.line);
        let mut new = vec![line[..=open].trim_end().to_string()];
        new.extend(lines(&format!("{indent}{}", text.indent_unit())));
        new.push(format!("{indent}{}", &line[close_at..]));
        candidates.push((Edit { at: close.line, remove: 1, lines: new }, false));
    }

    let name = func.sig.ident.to_string();
    let count = |stmts: &[syn::Stmt]| stmts.iter().filter(|s| key_of(s).as_deref() == Some(key)).count();
    let tail_before = matches!(stmts.last(), Some(syn::Stmt::Expr(_, None)));
    let placed = |edit: &Edit, replaces: bool| {
        let Ok(file) = syn::parse_file(&text.apply(vec![edit.clone()])) else { return false };
        let Some(new) = find_fn(&file, &name) else { return false };
        let new = &new.block.stmts;
        new.len() + usize::from(replaces) == stmts.len() + 1
            && matches!(new.last(), Some(syn::Stmt::Expr(_, None))) == tail_before
            && count(new) == count(stmts) + 1
    };
    if let Some((edit, _)) = candidates.into_iter().find(|(edit, replaces)| placed(edit, *replaces)) {
        return Ok(edit);
    }
    let wanted: Vec<String> = lines("").iter().map(|l| l.trim().to_string()).collect();
    let wanted = wanted.join(" ");
    Err(Failure::failed(format!("cannot place `{wanted}` in `fn {name}` without breaking it"))
        .hint(format!(
            "add `{wanted}` to `fn {name}` by hand, on a line of its own before its final expression \
             (orch leaves calls that are there alone), then run the command again"
        ))
        .into())
}

/// The safety net run on every planned Rust file before anything is written: `after` (the
/// planned content) must parse, and in an edited file (`before` is the content on disk) every
/// wiring call that `fn register` / `fn demo` gained (`x::register(..)`, `x::demo(..)`,
/// `builder.register::<Job, _>(..)`) must run as a statement of the function's body, not sit
/// in a nested block, a closure or a comment. Returns the out-of-line modules `after` declares
/// that `before` did not (all of them in a new file; `#[path]` ones left out), whose files the
/// caller checks.
pub fn check_planned(before: Option<&str>, after: &str) -> anyhow::Result<Vec<String>> {
    // A file syn could not parse before the edit either (edition-2018 syntax syn 2 refuses,
    // that rustc accepts): the edit must not break its tokens; nothing more can be checked.
    if let Some(before) = before
        && syn::parse_file(before).is_err()
        && syn::parse_file(after).is_err()
        && tokenizes(before)
        && tokenizes(after)
    {
        return Ok(Vec::new());
    }
    let file = syn::parse_file(after).map_err(|e| {
        let LineColumn { line, column } = e.span().start();
        anyhow::Error::from(refusal(format!(
            "orch would leave this file unparsable ({e} at line {line}, column {})",
            column + 1
        )))
    })?;
    let old = match before {
        Some(before) => match syn::parse_file(before) {
            Ok(old) => old,
            // Nothing to compare with: only parsing is checked.
            Err(_) => return Ok(Vec::new()),
        },
        None => syn::File { shebang: None, attrs: Vec::new(), items: Vec::new() },
    };
    for fn_name in ["register", "demo"] {
        let Some(func) = find_fn(&file, fn_name) else { continue };
        let gained = |calls: Vec<String>| {
            let had = find_fn(&old, fn_name).map(|f| wiring_calls(f, fn_name, false)).unwrap_or_default();
            calls.into_iter().filter(move |c| !had.contains(c))
        };
        let direct = wiring_calls(func, fn_name, true);
        if let Some(call) = gained(wiring_calls(func, fn_name, false)).find(|c| !direct.contains(c)) {
            return Err(refusal(format!(
                "orch's edit would leave `{call}` outside the statements of `fn {fn_name}`"
            ))
            .into());
        }
    }
    let mods = |file: &syn::File| -> Vec<String> {
        file.items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Mod(m)
                    if m.content.is_none() && !m.attrs.iter().any(|a| a.path().is_ident("path")) =>
                {
                    Some(m.ident.to_string())
                }
                _ => None,
            })
            .collect()
    };
    let had = mods(&old);
    Ok(mods(&file).into_iter().filter(|m| !had.contains(m)).collect())
}

/// A planned edit refused by [`check_planned`] (the caller attaches the file).
fn refusal(message: String) -> Failure {
    Failure::failed(message).hint(
        "nothing was written: make the wiring change by hand, then run the command again (orch \
         leaves wiring that is there alone); if the project has custom templates, check them",
    )
}

/// The wiring calls in `func` (`fn register` or `fn demo`): the modules of `x::<fn_name>(..)`
/// calls and the job types of `builder.register::<Job, _>(..)` calls (as `register::<Job>`).
/// With `direct`, only those that run as a statement of the body itself: the spine of a
/// top-level statement or tail expression through `?`, `.await` and method-call receivers.
fn wiring_calls(func: &syn::ItemFn, fn_name: &str, direct: bool) -> Vec<String> {
    let mut modules = Vec::new();
    let mut jobs = Vec::new();
    if direct {
        for stmt in &func.block.stmts {
            let mut expr = match stmt {
                syn::Stmt::Expr(e, _) => e,
                _ => continue,
            };
            loop {
                expr = match expr {
                    syn::Expr::Try(e) => &e.expr,
                    syn::Expr::Await(e) => &e.base,
                    syn::Expr::Paren(e) => &e.expr,
                    syn::Expr::MethodCall(call) => {
                        RegisterCalls { found: &mut jobs }.visit_expr_method_call_shallow(call);
                        &call.receiver
                    }
                    syn::Expr::Call(call) => {
                        ModuleCalls { fn_name, found: &mut modules }.visit_expr_call_shallow(call);
                        break;
                    }
                    _ => break,
                };
            }
        }
    } else {
        RegisterCalls { found: &mut jobs }.visit_block(&func.block);
        ModuleCalls { fn_name, found: &mut modules }.visit_block(&func.block);
    }
    let modules = modules.into_iter().map(|m| format!("{m}::{fn_name}"));
    modules.chain(jobs.into_iter().map(|j| format!("register::<{j}>"))).collect()
}

fn missing_fn(name: &str) -> anyhow::Error {
    let signature = match name {
        "register" => "pub fn register(builder: &mut DispatcherBuilder) -> Result<(), RegisterError>",
        "demo" => "pub async fn demo(dispatcher: &Dispatcher)",
        _ => name,
    };
    Failure::failed(format!("has no `fn {name}` to wire into"))
        .hint(format!("add `{signature}` (as `orch new project` generates it), then run the command again"))
        .into()
}

/// `let _ = <name>;`, the placeholder generated into empty `register`/`demo` functions.
fn is_placeholder(stmt: &syn::Stmt, name: &str) -> bool {
    let syn::Stmt::Local(local) = stmt else { return false };
    let (syn::Pat::Wild(_), Some(init)) = (&local.pat, &local.init) else { return false };
    matches!(&*init.expr, syn::Expr::Path(p) if p.path.is_ident(name))
}

fn find_fn<'a>(file: &'a syn::File, name: &str) -> Option<&'a syn::ItemFn> {
    file.items.iter().find_map(|item| match item {
        syn::Item::Fn(f) if f.sig.ident == name => Some(f),
        _ => None,
    })
}

fn first_param(func: &syn::ItemFn) -> Option<String> {
    func.sig.inputs.iter().find_map(|arg| match arg {
        syn::FnArg::Typed(pat) => match &*pat.pat {
            syn::Pat::Ident(ident) => Some(ident.ident.to_string()),
            _ => None,
        },
        syn::FnArg::Receiver(_) => None,
    })
}

/// Finds `x.register::<Job, _>(..)` (and `register_shared`, `register_with_breaker`) calls and
/// records the last segment of `Job`.
struct RegisterCalls<'a> {
    found: &'a mut Vec<String>,
}

impl RegisterCalls<'_> {
    /// Record `call` itself, not the calls inside it.
    fn visit_expr_method_call_shallow(&mut self, call: &syn::ExprMethodCall) {
        let method = call.method.to_string();
        if matches!(method.as_str(), "register" | "register_shared" | "register_with_breaker")
            && let Some(turbofish) = &call.turbofish
            && let Some(syn::GenericArgument::Type(syn::Type::Path(ty))) = turbofish.args.first()
            && let Some(last) = ty.path.segments.last()
        {
            self.found.push(last.ident.to_string());
        }
    }
}

impl<'ast> Visit<'ast> for RegisterCalls<'_> {
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        self.visit_expr_method_call_shallow(call);
        syn::visit::visit_expr_method_call(self, call);
    }
}

/// Finds calls `module::fn_name(..)` and records `module`.
struct ModuleCalls<'a> {
    fn_name: &'a str,
    found: &'a mut Vec<String>,
}

impl ModuleCalls<'_> {
    /// Record `call` itself, not the calls inside it.
    fn visit_expr_call_shallow(&mut self, call: &syn::ExprCall) {
        if let syn::Expr::Path(p) = &*call.func {
            let segments: Vec<String> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
            if let [.., module, last] = segments.as_slice()
                && last == self.fn_name
            {
                self.found.push(module.clone());
            }
        }
    }
}

impl<'ast> Visit<'ast> for ModuleCalls<'_> {
    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        self.visit_expr_call_shallow(call);
        syn::visit::visit_expr_call(self, call);
    }
}

/// Whether the use tree imports `path` (e.g. `["login", "LoginJob"]`), directly, renamed, in a
/// group or through a glob of its module.
fn imports(tree: &syn::UseTree, path: &[&str]) -> bool {
    match (tree, path) {
        (syn::UseTree::Path(p), [first, rest @ ..]) if !rest.is_empty() => {
            p.ident == first && imports(&p.tree, rest)
        }
        (syn::UseTree::Path(p), _) if p.ident == "self" => imports(&p.tree, path),
        (syn::UseTree::Name(n), [only]) => n.ident == only,
        (syn::UseTree::Rename(r), [only]) => r.ident == only,
        (syn::UseTree::Glob(_), [_]) => true,
        (syn::UseTree::Group(g), _) => g.items.iter().any(|t| imports(t, path)),
        _ => false,
    }
}

fn collect_use_names(tree: &syn::UseTree, out: &mut Vec<String>) {
    match tree {
        syn::UseTree::Path(p) => collect_use_names(&p.tree, out),
        syn::UseTree::Name(n) if n.ident != "self" => out.push(n.ident.to_string()),
        syn::UseTree::Name(_) | syn::UseTree::Glob(_) => {}
        syn::UseTree::Rename(r) => out.push(r.rename.to_string()),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| collect_use_names(t, out)),
    }
}

/// The segments `rustfmt` sorts a use item by: the path up to the first group or glob.
fn use_key(tree: &syn::UseTree) -> Vec<String> {
    let mut key = Vec::new();
    let mut cur = tree;
    loop {
        match cur {
            syn::UseTree::Path(p) => {
                key.push(p.ident.to_string());
                cur = &p.tree;
            }
            syn::UseTree::Name(n) => {
                key.push(n.ident.to_string());
                break;
            }
            syn::UseTree::Rename(r) => {
                key.push(r.ident.to_string());
                break;
            }
            syn::UseTree::Glob(_) => {
                key.push("*".to_string());
                break;
            }
            syn::UseTree::Group(_) => {
                key.push("{".to_string());
                break;
            }
        }
    }
    key
}

fn path_cmp(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        match version_cmp(x, y) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    a.len().cmp(&b.len())
}

/// "Version sorting" as in the Rust style guide (what `rustfmt` uses for imports in style
/// edition 2024): runs of ASCII digits compare by numeric value, `_` sorts before every other
/// character, everything else by character.
pub fn version_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    let mut zeros_tiebreak = Ordering::Equal;
    loop {
        match (a.first(), b.first()) {
            (None, None) => return zeros_tiebreak,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (&a[..da], &b[..db]);
                let ta = trim_zeros(na);
                let tb = trim_zeros(nb);
                let by_value = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if by_value != Ordering::Equal {
                    return by_value;
                }
                if zeros_tiebreak == Ordering::Equal {
                    zeros_tiebreak = db.cmp(&da);
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(&x), Some(&y)) => {
                let rank = |c: u8| match c {
                    b' ' => (0u8, 0u8),
                    b'_' => (1, 0),
                    other => (2, other),
                };
                match rank(x).cmp(&rank(y)) {
                    Ordering::Equal => {
                        a = &a[1..];
                        b = &b[1..];
                    }
                    other => return other,
                }
            }
        }
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let start = digits.iter().position(|&c| c != b'0').unwrap_or(digits.len());
    &digits[start..]
}

/// Where a line inserted before item `i` goes: above the comments directly above it (they
/// describe it), never above the previous item or the file's inner attributes.
fn item_lead(text: &Text<'_>, file: &syn::File, spans: &[ItemLines], i: usize) -> usize {
    let floor = match i.checked_sub(1) {
        Some(prev) => spans[prev].end,
        None => file.attrs.iter().map(|a| ItemLines::of_span(a.span()).end).max().unwrap_or(0),
    };
    text.lead_start(spans[i].start, floor)
}

/// Consecutive items (by index) for which `pred` holds and that sit on adjacent lines (no blank
/// or comment line between them): the blocks `rustfmt` sorts.
fn groups(spans: &[ItemLines], pred: impl Fn(usize) -> bool) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut prev: Option<usize> = None;
    for i in 0..spans.len() {
        if !pred(i) {
            prev = None;
            continue;
        }
        match (prev, out.last_mut()) {
            (Some(p), Some(group)) if spans[i].start == spans[p].end + 1 => group.push(i),
            _ => out.push(vec![i]),
        }
        prev = Some(i);
    }
    out
}

/// The edit inserting `lines` as a block of their own, separated by blank lines: after line
/// `after` when given, else before the first item (and the comments directly above it), else at
/// the end.
fn new_block(
    text: &Text<'_>,
    file: &syn::File,
    spans: &[ItemLines],
    lines: Vec<String>,
    after: Option<usize>,
) -> Edit {
    if let Some(line) = after {
        let mut block = vec![String::new()];
        block.extend(lines);
        if text.line(line + 1).is_some_and(|l| !l.trim().is_empty()) {
            block.push(String::new());
        }
        return Edit::before(line + 1, block);
    }
    if let Some(first) = spans.first() {
        let floor = file.attrs.iter().map(|a| ItemLines::of_span(a.span()).end).max().unwrap_or(0);
        let mut start = first.start;
        while start > floor + 1 && text.line(start - 1).is_some_and(|l| l.trim_start().starts_with("//")) {
            start -= 1;
        }
        let mut block = lines;
        block.push(String::new());
        if start > 1 && text.line(start - 1).is_some_and(|l| !l.trim().is_empty()) {
            block.insert(0, String::new());
        }
        return Edit::before(start, block);
    }
    let mut block = lines;
    if !text.src.trim().is_empty() && !text.src.ends_with("\n\n") {
        block.insert(0, String::new());
    }
    Edit::before(text.starts.len() + 1, block)
}

/// Replace `remove` lines starting at line `at` (1-based; past the end appends) with `lines`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Edit {
    at: usize,
    remove: usize,
    lines: Vec<String>,
}

impl Edit {
    /// Insert `lines` before line `at`.
    fn before(at: usize, lines: Vec<String>) -> Edit {
        Edit { at, remove: 0, lines }
    }
}

/// First and last line (1-based) of an item, its attributes included.
#[derive(Debug, Clone, Copy)]
struct ItemLines {
    start: usize,
    end: usize,
}

impl ItemLines {
    fn of(item: &syn::Item) -> Self {
        let span = item.span();
        let mut start = span.start().line;
        for attr in item_attrs(item) {
            start = start.min(attr.span().start().line);
        }
        ItemLines { start, end: span.end().line }
    }

    fn of_span(span: Span) -> Self {
        ItemLines { start: span.start().line, end: span.end().line }
    }
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// The source split into lines, for line-based insertion that keeps every other byte.
struct Text<'a> {
    src: &'a str,
    /// Byte offset where each line starts (line 1 at index 0).
    starts: Vec<usize>,
}

impl<'a> Text<'a> {
    fn new(src: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        if starts.last() == Some(&src.len()) && !src.is_empty() {
            starts.pop();
        }
        Text { src, starts }
    }

    /// Line `n` (1-based) without its line ending.
    fn line(&self, n: usize) -> Option<&'a str> {
        let start = *self.starts.get(n.checked_sub(1)?)?;
        let end = self.starts.get(n).copied().unwrap_or(self.src.len());
        Some(self.src[start..end].trim_end_matches(['\n', '\r']))
    }

    fn indent_of(&self, n: usize) -> &'a str {
        let line = self.line(n).unwrap_or("");
        &line[..line.len() - line.trim_start().len()]
    }

    /// The indentation step of the file: a tab when its lines are indented with tabs.
    fn indent_unit(&self) -> &'static str {
        let tabs = self.src.lines().any(|l| l.starts_with('\t'));
        if tabs { "\t" } else { "    " }
    }

    /// The first line of the comments directly above line `line` (comment lines without a
    /// blank line between them and the line), never at or above line `floor`: a line inserted
    /// there keeps each comment with the code it describes.
    fn lead_start(&self, line: usize, floor: usize) -> usize {
        let mut start = line;
        while start > floor + 1 {
            let prev = self.line(start - 1).unwrap_or("").trim();
            if prev.starts_with("//") && !prev.starts_with("//!") {
                start -= 1;
            } else if prev.ends_with("*/")
                && let Some(open) = (floor + 1..start)
                    .rev()
                    .find(|&n| self.line(n).unwrap_or("").trim_start().starts_with("/*"))
            {
                start = open;
            } else {
                break;
            }
        }
        start
    }

    fn line_end_style(&self) -> &'static str {
        if self.src.contains("\r\n") { "\r\n" } else { "\n" }
    }

    /// Whether only whitespace precedes `at` on its line.
    fn starts_line(&self, at: LineColumn) -> bool {
        self.line(at.line).is_some_and(|l| l.chars().take(at.column).all(char::is_whitespace))
    }

    /// Whether only whitespace (or a line comment) follows `at` on its line.
    fn ends_line(&self, at: LineColumn) -> bool {
        self.line(at.line).is_some_and(|l| {
            let rest: String = l.chars().skip(at.column).collect();
            let rest = rest.trim();
            rest.is_empty() || rest.starts_with("//")
        })
    }

    fn offset_of_line(&self, n: usize) -> usize {
        self.starts.get(n.saturating_sub(1)).copied().unwrap_or(self.src.len())
    }

    /// The source with `edits` (all computed on this source) applied, bottom-up so that every
    /// line number stays valid.
    fn apply(&self, mut edits: Vec<Edit>) -> String {
        edits.sort_by_key(|edit| std::cmp::Reverse(edit.at));
        let eol = self.line_end_style();
        let mut out = self.src.to_string();
        for edit in edits {
            let from = self.offset_of_line(edit.at);
            let to = self.offset_of_line(edit.at + edit.remove);
            let mut insert = String::new();
            if from == self.src.len() && !self.src.is_empty() && !self.src.ends_with('\n') {
                insert.push_str(eol);
            }
            for line in &edit.lines {
                insert.push_str(line);
                insert.push_str(eol);
            }
            out.replace_range(from..to, &insert);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_item_position_skips_inner_attributes_and_docs() {
        let src = "#![allow(x)]\n\n//! Doc.\n//! More.\n\ntype A = Fn(u8);\n";
        assert_eq!(&src[after_inner_attributes(src)..], "\ntype A = Fn(u8);\n");
        assert_eq!(after_inner_attributes("fn main() {}\n"), 0);
        assert!(declares_mod_tokens("type A = Fn(u8);\npub mod features;\n", "features"));
    }

    #[test]
    fn version_sort_follows_the_style_guide() {
        let mut names = vec!["xy", "x10", "x_y", "x", "x2", "X", "a0", "a_b", "a"];
        names.sort_by(|a, b| version_cmp(a, b));
        assert_eq!(names, ["X", "a", "a_b", "a0", "x", "x_y", "x2", "x10", "xy"]);
    }

    #[test]
    fn mod_lines_join_their_block_in_rustfmt_order() {
        let src = "//! Docs.\n\nmod b;\nmod d;\n\npub use b::BJob;\n";
        let out = ensure_mod(src, "c", Vis::Private).unwrap();
        assert_eq!(out, "//! Docs.\n\nmod b;\nmod c;\nmod d;\n\npub use b::BJob;\n");
        let out = ensure_mod(&out, "a", Vis::Private).unwrap();
        assert!(out.contains("\nmod a;\nmod b;\n"), "{out}");
        let out2 = ensure_mod(&out, "e_f", Vis::Private).unwrap();
        assert!(out2.contains("mod d;\nmod e_f;\n\npub use"), "{out2}");
    }

    #[test]
    fn root_modules_go_before_macros_in_textual_scope() {
        for (src, want) in [
            (
                "//! App.\n\n// Our own println.\n#[macro_use]\nmod print;\nmod util;\n\nfn main() {}\n",
                "//! App.\n\npub mod core;\n\n// Our own println.\n#[macro_use]\nmod print;\nmod util;\n\nfn main() {}\n",
            ),
            (
                "#[macro_use]\nmod print;\nmod util;\n\nfn main() {}\n",
                "pub mod shared;\n\n#[macro_use]\nmod print;\nmod util;\n\nfn main() {}\n",
            ),
            (
                "mod a;\n\n// Our own println.\nmacro_rules! println {\n    () => {};\n}\n\nfn main() {}\n",
                "mod a;\npub mod core;\n\n// Our own println.\nmacro_rules! println {\n    () => {};\n}\n\nfn main() {}\n",
            ),
            ("mod b;\n#[macro_use]\nmod m;\n", "mod b;\npub mod core;\n#[macro_use]\nmod m;\n"),
            ("#[macro_use]\nmod m;\n\npub mod z;\n", "pub mod core;\n\n#[macro_use]\nmod m;\n\npub mod z;\n"),
        ] {
            let name = if want.contains("shared") { "shared" } else { "core" };
            assert_eq!(ensure_root_mod(src, name, &[format!("pub mod {name};")]).unwrap(), want, "{src}");
        }
        // Without such items, the line is placed as ensure_mod places it; attributes come along.
        let decl = ["#[expect(dead_code)]".to_string(), "pub(crate) mod features;".to_string()];
        let out = ensure_root_mod("//! Lib.\n\npub mod util;\n", "features", &decl).unwrap();
        assert_eq!(out, "//! Lib.\n\n#[expect(dead_code)]\npub(crate) mod features;\npub mod util;\n");
        assert_eq!(ensure_root_mod(&out, "features", &decl).unwrap(), out);
    }

    #[test]
    fn extern_aliases_go_before_the_first_item_once() {
        let out = ensure_extern_alias("//! App.\n\nuse std::io;\n", "rt", "orch_runtime").unwrap();
        assert_eq!(out, "//! App.\n\nextern crate rt as orch_runtime;\n\nuse std::io;\n");
        assert_eq!(ensure_extern_alias(&out, "rt", "orch_runtime").unwrap(), out);
    }

    #[test]
    fn existing_modules_are_left_alone_whatever_their_form() {
        for src in ["mod a;\n", "pub mod a;\n", "pub(crate) mod a { }\n", "#[path = \"x.rs\"]\nmod a;\n"] {
            assert_eq!(ensure_mod(src, "a", Vis::Pub).unwrap(), src);
        }
    }

    #[test]
    fn first_mod_goes_before_the_first_item_and_its_comments() {
        let src = "//! Crate docs.\n#![allow(unused)]\n\n// The entry point.\nfn main() {}\n";
        let out = ensure_mod(src, "features", Vis::Pub).unwrap();
        assert_eq!(
            out,
            "//! Crate docs.\n#![allow(unused)]\n\npub mod features;\n\n// The entry point.\nfn main() {}\n"
        );
    }

    #[test]
    fn first_mod_in_a_file_without_items_is_appended() {
        assert_eq!(ensure_mod("", "a", Vis::Private).unwrap(), "mod a;\n");
        assert_eq!(ensure_mod("//! Jobs.\n", "a", Vis::Private).unwrap(), "//! Jobs.\n\nmod a;\n");
        assert_eq!(ensure_mod("//! Jobs.", "a", Vis::Private).unwrap(), "//! Jobs.\n\nmod a;\n");
    }

    #[test]
    fn pub_use_lines_sort_by_version_and_detect_groups_and_globs() {
        let src = "mod a;\nmod b;\n\npub use a::AJob;\npub use b::BJob;\n";
        let out = ensure_pub_use(src, "a_b", "ABJob").unwrap();
        assert_eq!(out, "mod a;\nmod b;\n\npub use a::AJob;\npub use a_b::ABJob;\npub use b::BJob;\n");
        assert_eq!(ensure_pub_use(&out, "a_b", "ABJob").unwrap(), out);
        let grouped = "pub use a::{AJob, Other};\n";
        assert_eq!(ensure_pub_use(grouped, "a", "Other").unwrap(), grouped);
        let glob = "pub use a::*;\n";
        assert_eq!(ensure_pub_use(glob, "a", "AJob").unwrap(), glob);
        let first = ensure_pub_use("//! Jobs.\n\nmod a;\n", "a", "AJob").unwrap();
        assert_eq!(first, "//! Jobs.\n\nmod a;\n\npub use a::AJob;\n");
    }

    const CORE: &str = "pub mod jobs;\n\nuse x::Y;\n\n/// Doc.\npub fn register(builder: &mut DispatcherBuilder) -> Result<(), RegisterError> {\n    let _ = builder;\n    Ok(())\n}\n";

    #[test]
    fn first_registration_replaces_the_placeholder_then_calls_sort_by_job() {
        let out = ensure_register_call(CORE, "UploadJob", "UploadExecutor").unwrap();
        assert!(
            out.contains(
                "{\n    builder.register::<jobs::UploadJob, _>(executors::UploadExecutor)?;\n    Ok(())\n}"
            ),
            "{out}"
        );
        assert!(!out.contains("let _ = builder"), "{out}");
        let out = ensure_register_call(&out, "AJob", "AExecutor").unwrap();
        let a = out.find("jobs::AJob").unwrap();
        let u = out.find("jobs::UploadJob").unwrap();
        assert!(a < u, "{out}");
        assert_eq!(ensure_register_call(&out, "AJob", "Whatever").unwrap(), out);
        assert_eq!(registered_jobs(&out).unwrap(), ["AJob", "UploadJob"]);
    }

    #[test]
    fn registration_detects_shared_breaker_and_qualified_forms() {
        let src = "fn register(b: &mut B) -> R {\n    b.register_with_breaker::<crate::jobs::XJob, _>(E, br)?;\n    Ok(())\n}\n";
        assert_eq!(ensure_register_call(src, "XJob", "XExecutor").unwrap(), src);
        let out = ensure_register_call(src, "YJob", "YExecutor").unwrap();
        assert!(out.contains("    b.register::<jobs::YJob, _>(executors::YExecutor)?;\n    Ok(())"), "{out}");
    }

    #[test]
    fn long_registrations_wrap_like_rustfmt() {
        let long = "A".repeat(60);
        let lines = register_call_lines(
            "    ",
            "builder",
            &format!("jobs::{long}Job"),
            &format!("executors::{long}Executor"),
        );
        assert_eq!(lines.len(), 3);
        assert!(lines[0].ends_with("Job, _>("));
    }

    #[test]
    fn missing_register_fn_is_a_clear_error() {
        let err = ensure_register_call("fn main() {}\n", "XJob", "XExecutor").unwrap_err();
        assert!(err.to_string().contains("has no `fn register`"), "{err}");
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let err = ensure_mod("fn main() {\n", "x", Vis::Pub).unwrap_err();
        assert!(err.to_string().contains("does not parse as Rust"), "{err}");
        assert!(err.to_string().contains("line"), "{err}");
    }

    #[test]
    fn features_are_wired_once_with_register_and_demo_calls() {
        let src = "//! Features.\n\nuse orch_runtime::{Dispatcher, DispatcherBuilder, RegisterError};\n\npub fn register(builder: &mut DispatcherBuilder) -> Result<(), RegisterError> {\n    let _ = builder;\n    Ok(())\n}\n\npub async fn demo(dispatcher: &Dispatcher) {\n    let _ = dispatcher;\n}\n";
        let one = ensure_feature_wired(src, "cart").unwrap();
        let two = ensure_feature_wired(&one, "auth").unwrap();
        assert_eq!(ensure_feature_wired(&two, "auth").unwrap(), two);
        assert_eq!(
            two,
            "//! Features.\n\npub mod auth;\npub mod cart;\n\nuse orch_runtime::{Dispatcher, DispatcherBuilder, RegisterError};\n\npub fn register(builder: &mut DispatcherBuilder) -> Result<(), RegisterError> {\n    auth::register(builder)?;\n    cart::register(builder)?;\n    Ok(())\n}\n\npub async fn demo(dispatcher: &Dispatcher) {\n    auth::demo(dispatcher).await;\n    cart::demo(dispatcher).await;\n}\n"
        );
    }

    #[test]
    fn crlf_files_keep_crlf() {
        let out = ensure_mod("mod b;\r\nfn main() {}\r\n", "a", Vis::Private).unwrap();
        assert_eq!(out, "mod a;\r\nmod b;\r\nfn main() {}\r\n");
    }

    const FEATURES: &str = "pub mod auth;\npub mod cart;\n\npub fn register(builder: &mut DispatcherBuilder) -> Result<(), RegisterError> {\n    auth::register(builder)?;\n    cart::register(builder)?;\n    Ok(())\n}\n\npub async fn demo(dispatcher: &Dispatcher) {\n    auth::demo(dispatcher).await;\n    cart::demo(dispatcher).await;\n}\n";

    /// `ensure_feature_wired(FEATURES with `from` replaced by `to`, feature)`, checked to parse.
    fn wire_edited(from: &str, to: &str, feature: &str) -> String {
        assert!(FEATURES.contains(from), "{from:?}");
        let out = ensure_feature_wired(&FEATURES.replace(from, to), feature).unwrap();
        assert!(syn::parse_file(&out).is_ok(), "{out}");
        out
    }

    #[test]
    fn a_tail_call_keeps_its_place_at_the_end() {
        let tail = "    cart::register(builder)\n}";
        let out = wire_edited("    cart::register(builder)?;\n    Ok(())\n}", tail, "search");
        assert!(out.contains("    search::register(builder)?;\n    cart::register(builder)\n}"), "{out}");
        let out = wire_edited(
            "    cart::demo(dispatcher).await;\n}",
            "    cart::demo(dispatcher).await\n}",
            "search",
        );
        assert!(
            out.contains("    search::demo(dispatcher).await;\n    cart::demo(dispatcher).await\n}"),
            "{out}"
        );
        // Sorted before a later tail call as usual.
        let out = wire_edited("    cart::register(builder)?;\n    Ok(())\n}", tail, "bank");
        assert!(
            out.contains(
                "    auth::register(builder)?;\n    bank::register(builder)?;\n    cart::register(builder)\n}"
            ),
            "{out}"
        );
    }

    #[test]
    fn comments_and_attributes_stay_with_the_call_they_describe() {
        let out = wire_edited(
            "    cart::register(builder)?;\n",
            "    // The cart needs auth first.\n    /* really */\n    #[cfg(unix)]\n    cart::register(builder)?;\n",
            "bank",
        );
        assert!(
            out.contains("    auth::register(builder)?;\n    bank::register(builder)?;\n    // The cart needs auth first.\n    /* really */\n    #[cfg(unix)]\n    cart::register(builder)?;\n"),
            "{out}"
        );
        let out = wire_edited("    Ok(())\n", "    // Done.\n    Ok(())\n", "search");
        assert!(
            out.contains(
                "    cart::register(builder)?;\n    search::register(builder)?;\n    // Done.\n    Ok(())\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn calls_spread_over_lines_in_lets_and_chains_are_stepped_over() {
        let out = wire_edited(
            "    cart::register(builder)?;\n",
            "    let done = cart::register(\n        builder,\n    ); // trailing\n    done?;\n",
            "search",
        );
        assert!(out.contains("    ); // trailing\n    search::register(builder)?;\n    done?;\n"), "{out}");
        let core = "fn register(b: &mut B) -> R {\n    b.register::<jobs::AJob, _>(executors::A)?\n        .register::<jobs::CJob, _>(executors::C)?;\n    Ok(())\n}\n";
        let out = ensure_register_call(core, "DJob", "DExecutor").unwrap();
        assert!(
            out.contains(
                "(executors::C)?;\n    b.register::<jobs::DJob, _>(executors::DExecutor)?;\n    Ok(())"
            ),
            "{out}"
        );
    }

    #[test]
    fn tabs_crlf_and_other_indentation_are_kept() {
        let tabs = FEATURES.replace("    ", "\t");
        let out = ensure_feature_wired(&tabs, "search").unwrap();
        assert!(
            out.contains("\tcart::register(builder)?;\n\tsearch::register(builder)?;\n\tOk(())"),
            "{out}"
        );
        let crlf = FEATURES
            .replace("    cart::register(builder)?;\n    Ok(())", "  cart::register(builder)\n")
            .replace('\n', "\r\n");
        let out = ensure_feature_wired(&crlf, "search").unwrap();
        assert!(out.contains("  search::register(builder)?;\r\n  cart::register(builder)\r\n"), "{out:?}");
        assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
        let empty = "fn register(b: &mut B) -> R {\n\tlet _ = b;\n}\n\nasync fn demo(d: &D) {\n}\n";
        let out = ensure_feature_wired(empty, "x").unwrap();
        assert!(
            out.contains("{\n\tx::register(b)?;\n}") && out.contains("{\n\tx::demo(d).await;\n}"),
            "{out}"
        );
    }

    #[test]
    fn a_call_that_cannot_be_placed_is_refused_with_the_line_to_add() {
        let one_line = "pub mod a;\nfn register(b: &mut B) -> R { a::register(b)?; Ok(()) }\n";
        let err = ensure_feature_wired(one_line, "search").unwrap_err();
        let failure = err.downcast_ref::<Failure>().unwrap();
        assert!(
            failure.message.contains("cannot place `search::register(b)?;` in `fn register`"),
            "{failure:?}"
        );
        assert!(failure.hint.as_deref().unwrap_or("").contains("add `search::register(b)?;`"), "{failure:?}");
        let core = "fn register(b: &mut B) -> R { Ok(()) }\n";
        assert!(ensure_register_call(core, "XJob", "XExecutor").is_err());
    }

    #[test]
    fn an_empty_body_on_one_line_opens_up() {
        let src = "pub mod a;\n\nfn register(b: &mut B) -> R {\n    let _ = b;\n    Ok(())\n}\n\n    async fn demo(d: &D) {} // none yet\n";
        let out = ensure_feature_wired(src, "x").unwrap();
        assert!(
            out.ends_with("    async fn demo(d: &D) {\n        x::demo(d).await;\n    } // none yet\n"),
            "{out}"
        );
    }

    #[test]
    fn a_register_returning_a_registration_chain_keeps_it_as_the_tail() {
        let core = "fn register(builder: &mut B) -> R {\n    builder\n        .register::<jobs::AJob, _>(executors::A)?\n        .register::<jobs::BJob, _>(executors::B)\n        .map(|_| ())\n}\n";
        let out = ensure_register_call(core, "CJob", "CExecutor").unwrap();
        assert!(
            out.starts_with("fn register(builder: &mut B) -> R {\n    builder.register::<jobs::CJob, _>(executors::CExecutor)?;\n    builder\n"),
            "{out}"
        );
    }

    #[test]
    fn planned_files_must_parse_and_keep_new_wiring_in_the_body() {
        let err = check_planned(None, "fn main() {\n").unwrap_err();
        assert!(err.to_string().contains("orch would leave this file unparsable"), "{err}");
        let before = "fn register(b: &mut B) -> R {\n    a::register(b)?;\n    Ok(())\n}\n";
        let nested = "fn register(b: &mut B) -> R {\n    a::register(b)?;\n    if x { c::register(b)?; }\n    Ok(())\n}\n";
        let err = check_planned(Some(before), nested).unwrap_err();
        assert!(err.to_string().contains("`c::register` outside the statements of `fn register`"), "{err}");
        // Wiring that was nested before is the user's business; new direct calls pass.
        let direct = "fn register(b: &mut B) -> R {\n    a::register(b)?;\n    b.register::<jobs::XJob, _>(X)?.register::<jobs::YJob, _>(Y)?;\n    c::register(b)\n}\n";
        assert!(check_planned(Some(before), direct).unwrap().is_empty());
        assert!(check_planned(Some(nested), &nested.replace("a::register(b)?;\n", "")).is_ok());
        let mods = check_planned(Some("mod a;\n"), "mod a;\nmod b;\n#[path = \"x.rs\"]\nmod c;\nmod d {}\n")
            .unwrap();
        assert_eq!(mods, ["b"]);
    }
}
