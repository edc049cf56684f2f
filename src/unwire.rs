//! Unwiring: the inverse of [`crate::wiring`]. Each function takes the source of one file and
//! returns it with one piece of wiring removed (or unchanged when it is not there). Items are
//! located by parsing with `syn`; edits cut whole lines (or, when an item shares its line with
//! other code, just its bytes): every other byte stays as it was.
//!
//! A line that was alone in its block (blank line or file edge on both sides) takes one of the
//! blank lines with it, undoing the separation [`crate::wiring`] adds around a new block; the
//! last statement of a `register` / `demo` function is replaced by the generated placeholder
//! (`let _ = builder;`), as it was before the first call was wired in.
//!
//! `//` comment lines directly above a removed line (no blank line between) describe it and go
//! with it, as [`crate::wiring`] keeps them with their line when it inserts; a removed call
//! that is the function's tail expression leaves `Ok(())` (a `Result` function) or nothing
//! (a `()` function) so the file still compiles.
//!
//! Only a call that is a statement of its own (or the tail expression) is wiring: a call
//! nested in the user's code (a `match` arm, an `if`, a `let`) is refused with its line, since
//! cutting it or the code around it would change what their code does. A grouped re-export
//! (`pub use {a::A, b::B};`) loses only the entries from the removed module.

use proc_macro2::LineColumn;
use syn::spanned::Spanned;
use syn::visit::Visit;

use crate::wiring;

/// Remove the out-of-line declaration `mod name;` (any visibility) from the top level of `src`.
pub fn remove_mod(src: &str, name: &str) -> anyhow::Result<String> {
    let file = wiring::parse(src)?;
    let found = file
        .items
        .iter()
        .find(|item| matches!(item, syn::Item::Mod(m) if m.ident == name && m.content.is_none()));
    Ok(match found {
        Some(item) => remove_item(src, item),
        None => src.to_string(),
    })
}

/// Remove every top-level `use` item all of whose imports come from `module` (`pub use
/// module::Type;`, `pub use module::{A, B};`). Returns the new source and the names those items
/// imported.
pub fn remove_uses_of(src: &str, module: &str) -> anyhow::Result<(String, Vec<String>)> {
    let file = wiring::parse(src)?;
    let mut out = src.to_string();
    let mut names = Vec::new();
    // Back to front, so earlier spans stay valid.
    for item in file.items.iter().rev() {
        if let syn::Item::Use(u) = item {
            if from_module(&u.tree, module) {
                collect_names(&u.tree, &mut names);
                out = remove_item(&out, item);
            } else if let syn::UseTree::Group(group) = &u.tree {
                out = remove_from_group(&out, group, module, &mut names);
            }
        }
    }
    names.reverse();
    Ok((out, names))
}

/// Whether `src` still declares any out-of-line module (`mod x;`).
pub fn has_mod_decls(src: &str) -> anyhow::Result<bool> {
    let file = wiring::parse(src)?;
    Ok(file.items.iter().any(|i| matches!(i, syn::Item::Mod(m) if m.content.is_none())))
}

/// Remove the registration of `job_type` (`builder.register::<jobs::XJob, _>(..)?;`, also
/// `register_shared` / `register_with_breaker`) from `fn register` in `src`.
pub fn remove_register_call(src: &str, job_type: &str) -> anyhow::Result<String> {
    let what = format!("the registration of `{job_type}`");
    remove_stmt(src, "register", &what, |expr| match expr {
        syn::Expr::MethodCall(call) => registered_job(call).is_some_and(|j| j == job_type),
        _ => false,
    })
}

/// Remove the call `module::fn_name(..)` (e.g. `auth::register(builder)?;`,
/// `auth::demo(dispatcher).await;`) from `fn fn_name` in `src`.
pub fn remove_module_call(src: &str, fn_name: &str, module: &str) -> anyhow::Result<String> {
    let what = format!("`{module}::{fn_name}(..)`");
    remove_stmt(src, fn_name, &what, |expr| match expr {
        syn::Expr::Call(call) => match &*call.func {
            syn::Expr::Path(path) => {
                let segs: Vec<&syn::Ident> = path.path.segments.iter().map(|s| &s.ident).collect();
                matches!(segs.as_slice(), [.., m, f] if *m == module && *f == fn_name)
            }
            _ => false,
        },
        _ => false,
    })
}

/// Remove the statement of `fn fn_name` that is the call `is_call` recognises, as wiring wrote
/// it: the call alone, with `?` / `.await` (and its comments and attributes). A call nested in
/// other code (a `match`, an `if`, a `let`) is the user's: cutting it, or the code around it,
/// would change what their code does, so it is refused with the line to edit by hand.
fn remove_stmt(
    src: &str,
    fn_name: &str,
    what: &str,
    is_call: impl Fn(&syn::Expr) -> bool,
) -> anyhow::Result<String> {
    let file = wiring::parse(src)?;
    let Some(func) = file.items.iter().find_map(|item| match item {
        syn::Item::Fn(f) if f.sig.ident == fn_name => Some(f),
        _ => None,
    }) else {
        return Ok(src.to_string());
    };
    let stmts = &func.block.stmts;
    let plain = |stmt: &syn::Stmt| matches!(stmt, syn::Stmt::Expr(e, _) if is_call(peel(e)));
    let Some(index) = stmts.iter().position(plain) else {
        let mut nested = Nested { is_call: &is_call, line: None };
        stmts.iter().for_each(|s| nested.visit_stmt(s));
        return match nested.line {
            Some(line) => Err(crate::error::Failure::failed(format!(
                "`fn {fn_name}` has {what} inside other code (line {line}): orch removes only a call that is a statement of its own"
            ))
            .hint(format!("remove {what} from line {line} by hand, then run the command again"))
            .into()),
            None => Ok(src.to_string()),
        };
    };
    let span = stmts[index].span();
    let text = Lines::new(src);
    // Comment lines directly above the call describe it: they go with it rather than end up
    // describing the next line.
    let floor = match index.checked_sub(1) {
        Some(prev) => stmts[prev].span().end().line,
        None => func.block.brace_token.span.open().start().line,
    };
    let first = text.lead_start(span.start().line, floor);
    let param = first_param(func);
    // The placeholder comes back when nothing left uses the parameter (`Ok(())` alone).
    let unused =
        |param: &str| stmts.iter().enumerate().filter(|&(i, _)| i != index).all(|(_, s)| !mentions(s, param));
    if index + 1 == stmts.len() && matches!(stmts[index], syn::Stmt::Expr(_, None)) {
        let placeholder = param.as_deref().filter(|p| unused(p));
        return remove_tail(&text, func, span, first, placeholder);
    }
    if text.owns_lines(span.start(), span.end()) {
        let indent = text.indent_of(span.start().line);
        let with = match param {
            Some(param) if unused(&param) => format!("{indent}let _ = {param};{}", text.eol()),
            _ => String::new(),
        };
        return Ok(text.replace_lines(first, span.end().line, &with));
    }
    Ok(text.cut(span.start(), span.end(), false))
}

/// `expr` without the `?` and `.await` wiring puts after a call.
fn peel(mut expr: &syn::Expr) -> &syn::Expr {
    loop {
        expr = match expr {
            syn::Expr::Try(e) => &e.expr,
            syn::Expr::Await(e) => &e.base,
            _ => return expr,
        };
    }
}

/// Finds the first line where a call `is_call` recognises appears anywhere in the code visited.
struct Nested<'a, F> {
    is_call: &'a F,
    line: Option<usize>,
}

impl<'ast, F: Fn(&syn::Expr) -> bool> Visit<'ast> for Nested<'_, F> {
    fn visit_expr(&mut self, expr: &'ast syn::Expr) {
        if self.line.is_none() && (self.is_call)(expr) {
            self.line = Some(expr.span().start().line);
        }
        syn::visit::visit_expr(self, expr);
    }
}

/// Remove the call that is the function's tail expression (the user turned the last call into
/// it): a function returning `Result` gets `Ok(())` in its place, one returning `()` loses it;
/// any other function is left for the user to edit. `placeholder` (the parameter nothing uses
/// any more) gets its `let _ = ..;` line back.
fn remove_tail(
    text: &Lines<'_>,
    func: &syn::ItemFn,
    span: proc_macro2::Span,
    first: usize,
    placeholder: Option<&str>,
) -> anyhow::Result<String> {
    let returns_result = match &func.sig.output {
        syn::ReturnType::Default => false,
        syn::ReturnType::Type(_, ty) => match &**ty {
            syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Result") => true,
            _ => {
                return Err(crate::error::Failure::failed(format!(
                    "cannot remove the final expression of `fn {}`",
                    func.sig.ident
                ))
                .hint("remove the call by hand, then run the command again")
                .into());
            }
        },
    };
    if !text.owns_lines(span.start(), span.end()) {
        let (from, to) = (text.offset(span.start()), text.offset(span.end()));
        let with = if returns_result { "Ok(())" } else { "" };
        return Ok(format!("{}{with}{}", &text.src[..from], &text.src[to..]));
    }
    let (indent, eol) = (text.indent_of(span.start().line), text.eol());
    let mut with = placeholder.map(|p| format!("{indent}let _ = {p};{eol}")).unwrap_or_default();
    if returns_result {
        with.push_str(&format!("{indent}Ok(()){eol}"));
    }
    Ok(text.replace_lines(first, span.end().line, &with))
}

/// Whether `stmt` uses the identifier `name` (outside macro arguments).
fn mentions(stmt: &syn::Stmt, name: &str) -> bool {
    struct Mentions<'a> {
        name: &'a str,
        found: bool,
    }
    impl<'ast> Visit<'ast> for Mentions<'_> {
        fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
            self.found |= ident == self.name;
        }
    }
    let mut visitor = Mentions { name, found: false };
    visitor.visit_stmt(stmt);
    visitor.found
}

fn first_param(func: &syn::ItemFn) -> Option<String> {
    match func.sig.inputs.first()? {
        syn::FnArg::Typed(pat) => match &*pat.pat {
            syn::Pat::Ident(ident) => Some(ident.ident.to_string()),
            _ => None,
        },
        syn::FnArg::Receiver(_) => None,
    }
}

/// Remove `item` (with its attributes and doc comments) from `src`.
fn remove_item(src: &str, item: &syn::Item) -> String {
    let mut start = item.span().start();
    for attr in item_attrs(item) {
        let s = attr.span().start();
        if (s.line, s.column) < (start.line, start.column) {
            start = s;
        }
    }
    let text = Lines::new(src);
    // Comment lines directly above the item describe it (see `remove_stmt`).
    if text.owns_lines(start, item.span().end()) {
        start = LineColumn { line: text.lead_start(start.line, 0), column: 0 };
    }
    text.cut(start, item.span().end(), true)
}

/// Cut the entries of a grouped import (`pub use {a::A, b::B};`) that come from `module`, with
/// their separating comma; the other entries keep their bytes.
fn remove_from_group(src: &str, group: &syn::UseGroup, module: &str, names: &mut Vec<String>) -> String {
    let text = Lines::new(src);
    let pairs: Vec<_> = group.items.pairs().collect();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for i in 0..pairs.len() {
        let tree = *pairs[i].value();
        if !from_module(tree, module) {
            continue;
        }
        collect_names(tree, names);
        let end_of = |p: &syn::punctuated::Pair<&syn::UseTree, &syn::Token![,]>| match p.punct() {
            Some(comma) => text.offset(comma.span.end()),
            None => text.offset(p.value().span().end()),
        };
        let (from, to) = match (pairs.get(i + 1), i.checked_sub(1).map(|p| &pairs[p])) {
            // Up to the next entry: this entry and its comma.
            (Some(next), _) => (text.offset(tree.span().start()), text.offset(next.value().span().start())),
            // The last entry: from the end of the previous one (its comma stays when this
            // entry had one, as in a trailing-comma block).
            (None, Some(prev)) if pairs[i].punct().is_some() => (end_of(prev), end_of(&pairs[i])),
            (None, Some(prev)) => (text.offset(prev.value().span().end()), end_of(&pairs[i])),
            (None, None) => continue,
        };
        // Two neighbours removed: their cuts overlap, merge them.
        match cuts.last_mut() {
            Some(last) if last.1 >= from => last.1 = last.1.max(to),
            _ => cuts.push((from, to)),
        }
    }
    let mut out = src.to_string();
    for &(from, to) in cuts.iter().rev() {
        out.replace_range(from..to, "");
    }
    out
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

fn from_module(tree: &syn::UseTree, module: &str) -> bool {
    match tree {
        syn::UseTree::Path(p) => p.ident == module,
        syn::UseTree::Group(g) => !g.items.is_empty() && g.items.iter().all(|t| from_module(t, module)),
        _ => false,
    }
}

fn collect_names(tree: &syn::UseTree, out: &mut Vec<String>) {
    match tree {
        syn::UseTree::Path(p) => collect_names(&p.tree, out),
        syn::UseTree::Name(n) => out.push(n.ident.to_string()),
        syn::UseTree::Rename(r) => out.push(r.rename.to_string()),
        syn::UseTree::Glob(_) => out.push("*".to_string()),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| collect_names(t, out)),
    }
}

/// The job type a `register` / `register_shared` / `register_with_breaker` call registers.
fn registered_job(call: &syn::ExprMethodCall) -> Option<&syn::Ident> {
    let method = call.method.to_string();
    if !matches!(method.as_str(), "register" | "register_shared" | "register_with_breaker") {
        return None;
    }
    match call.turbofish.as_ref()?.args.first()? {
        syn::GenericArgument::Type(syn::Type::Path(ty)) => Some(&ty.path.segments.last()?.ident),
        _ => None,
    }
}

/// The source with byte offsets of its lines, for cutting spans.
struct Lines<'a> {
    src: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(src: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        Lines { src, starts }
    }

    fn eol(&self) -> &'static str {
        if self.src.contains("\r\n") { "\r\n" } else { "\n" }
    }

    /// Line `n` (1-based) without its ending; `None` past the end.
    fn line(&self, n: usize) -> Option<&'a str> {
        let start = *self.starts.get(n.checked_sub(1)?)?;
        if start >= self.src.len() {
            return None;
        }
        let end = self.starts.get(n).copied().unwrap_or(self.src.len());
        Some(self.src[start..end].trim_end_matches(['\n', '\r']))
    }

    fn line_start(&self, n: usize) -> usize {
        self.starts.get(n.saturating_sub(1)).copied().unwrap_or(self.src.len()).min(self.src.len())
    }

    fn offset(&self, at: LineColumn) -> usize {
        let start = self.line_start(at.line);
        let line = self.line(at.line).unwrap_or("");
        start + line.char_indices().nth(at.column).map_or(line.len(), |(i, _)| i)
    }

    fn indent_of(&self, n: usize) -> &'a str {
        let line = self.line(n).unwrap_or("");
        &line[..line.len() - line.trim_start().len()]
    }

    fn blank(&self, n: usize) -> bool {
        self.line(n).is_some_and(|l| l.trim().is_empty())
    }

    /// Whether the span from `start` to `end` is alone on its lines (a trailing `//` comment
    /// after it counts as part of it).
    fn owns_lines(&self, start: LineColumn, end: LineColumn) -> bool {
        let before = &self.src[self.line_start(start.line)..self.offset(start)];
        let line_end = self.line_start(end.line) + self.line(end.line).map_or(0, str::len);
        let after = self.src[self.offset(end)..line_end].trim();
        before.trim().is_empty() && (after.is_empty() || after.starts_with("//"))
    }

    /// The first line of the `//` comment lines directly above line `line` (inner `//!` docs
    /// excepted), never at or above line `floor`.
    fn lead_start(&self, line: usize, floor: usize) -> usize {
        let mut start = line;
        let comment = |l: &str| l.trim_start().starts_with("//") && !l.trim_start().starts_with("//!");
        while start > floor + 1 && self.line(start - 1).is_some_and(comment) {
            start -= 1;
        }
        start
    }

    fn replace_lines(&self, first: usize, last: usize, with: &str) -> String {
        format!("{}{with}{}", &self.src[..self.line_start(first)], &self.src[self.line_start(last + 1)..])
    }

    /// Cut the span: its whole lines when it owns them (with `collapse`, plus one blank line
    /// when it was alone in its block), else only its bytes.
    fn cut(&self, start: LineColumn, end: LineColumn, collapse: bool) -> String {
        if !self.owns_lines(start, end) {
            let (from, to) = (self.offset(start), self.offset(end));
            return format!("{}{}", &self.src[..from], &self.src[to..]);
        }
        let (mut first, mut last) = (start.line, end.line);
        let alone_before = first == 1 || self.blank(first - 1);
        let alone_after = self.line(last + 1).is_none() || self.blank(last + 1);
        if collapse && alone_before && alone_after {
            if self.blank(last + 1) {
                last += 1;
            } else if first > 1 && self.blank(first - 1) {
                first -= 1;
            }
        }
        format!("{}{}", &self.src[..self.line_start(first)], &self.src[self.line_start(last + 1)..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wiring::{Vis, ensure_feature_wired, ensure_mod, ensure_pub_use, ensure_register_call};

    #[test]
    fn removing_undoes_ensure_mod_and_pub_use_exactly() {
        for src in [
            "//! Jobs.\n",
            "//! Jobs.\n\nmod b;\n\npub use b::BJob;\n",
            "//! Docs.\n\nmod b;\nmod d;\n\npub use b::BJob;\npub use d::DJob;\n",
            "//! Crate docs.\n#![allow(unused)]\n\n// The entry point.\nfn main() {}\n",
            "//! Jobs.\r\n\r\nmod b;\r\n\r\npub use b::BJob;\r\n",
        ] {
            for name in ["a", "c", "e_f"] {
                let wired = ensure_mod(src, name, Vis::Private).unwrap();
                let wired = ensure_pub_use(&wired, name, "XJob").unwrap();
                let (back, names) = remove_uses_of(&wired, name).unwrap();
                assert_eq!(names, ["XJob"]);
                assert_eq!(remove_mod(&back, name).unwrap(), src, "{name} in {src:?}");
            }
        }
    }

    #[test]
    fn removing_a_registration_restores_the_placeholder() {
        let src = "pub mod jobs;\n\n/// Doc.\npub fn register(builder: &mut DispatcherBuilder) -> Result<(), RegisterError> {\n    let _ = builder;\n    Ok(())\n}\n";
        let one = ensure_register_call(src, "UploadJob", "UploadExecutor").unwrap();
        let two = ensure_register_call(&one, "AJob", "AExecutor").unwrap();
        assert_eq!(remove_register_call(&two, "AJob").unwrap(), one);
        assert_eq!(remove_register_call(&one, "UploadJob").unwrap(), src);
        assert_eq!(remove_register_call(src, "UploadJob").unwrap(), src);
        let long = "A".repeat(60);
        let wrapped = ensure_register_call(src, &format!("{long}Job"), &format!("{long}Executor")).unwrap();
        assert_eq!(remove_register_call(&wrapped, &format!("{long}Job")).unwrap(), src);
    }

    #[test]
    fn removing_a_feature_undoes_ensure_feature_wired() {
        let src = "//! Features.\n\nuse orch_runtime::{Dispatcher, DispatcherBuilder, RegisterError};\n\npub fn register(builder: &mut DispatcherBuilder) -> Result<(), RegisterError> {\n    let _ = builder;\n    Ok(())\n}\n\npub async fn demo(dispatcher: &Dispatcher) {\n    let _ = dispatcher;\n}\n";
        let one = ensure_feature_wired(src, "cart").unwrap();
        let two = ensure_feature_wired(&one, "auth").unwrap();
        let undo = |s: &str, f: &str| {
            let s = remove_mod(s, f).unwrap();
            let s = remove_module_call(&s, "register", f).unwrap();
            remove_module_call(&s, "demo", f).unwrap()
        };
        assert_eq!(undo(&two, "auth"), one);
        assert_eq!(undo(&one, "cart"), src);
    }

    #[test]
    fn items_sharing_a_line_lose_only_their_bytes() {
        assert_eq!(remove_mod("mod a; mod b;\n", "b").unwrap(), "mod a; \n");
        let (out, _) = remove_uses_of("pub use a::{A, B};\npub use b::{A as C};\nuse x;\n", "a").unwrap();
        assert_eq!(out, "pub use b::{A as C};\nuse x;\n");
    }

    #[test]
    fn a_comment_describing_a_removed_call_goes_with_it_and_others_stay() {
        let src = "fn register(b: &mut B) -> Result<(), E> {\n    // Auth first.\n    auth::register(b)?;\n    // The cart.\n    cart::register(b)?;\n\n    // Done.\n    Ok(())\n}\n";
        assert_eq!(
            remove_module_call(src, "register", "cart").unwrap(),
            "fn register(b: &mut B) -> Result<(), E> {\n    // Auth first.\n    auth::register(b)?;\n\n    // Done.\n    Ok(())\n}\n"
        );
        let out = remove_mod("// Shopping.\npub mod cart;\n// Auth.\npub mod auth;\n", "cart").unwrap();
        assert_eq!(out, "// Auth.\npub mod auth;\n");
        assert_eq!(remove_mod("//! Features.\npub mod cart;\n", "cart").unwrap(), "//! Features.\n");
    }

    #[test]
    fn removing_a_tail_call_keeps_the_function_returning() {
        let src = "fn register(b: &mut B) -> Result<(), E> {\n    auth::register(b)?;\n    cart::register(b)\n}\n\nasync fn demo(d: &D) {\n    auth::demo(d).await;\n    cart::demo(d).await\n}\n";
        let out = remove_module_call(src, "register", "cart").unwrap();
        let out = remove_module_call(&out, "demo", "cart").unwrap();
        assert_eq!(
            out,
            "fn register(b: &mut B) -> Result<(), E> {\n    auth::register(b)?;\n    Ok(())\n}\n\nasync fn demo(d: &D) {\n    auth::demo(d).await;\n}\n"
        );
        let other = "fn register(b: &mut B) -> R {\n    cart::register(b)\n}\n";
        assert!(remove_module_call(other, "register", "cart").is_err());
    }

    #[test]
    fn wiring_then_unwiring_around_comments_and_tails_is_the_identity() {
        let src = "pub mod cart;\n\nfn register(b: &mut B) -> Result<(), E> {\n    // The cart.\n    cart::register(b)\n}\n";
        for name in ["auth", "zoo"] {
            let wired = ensure_feature_wired(src, name).unwrap();
            let back = remove_mod(&wired, name).unwrap();
            assert_eq!(remove_module_call(&back, "register", name).unwrap(), src, "{name}: {wired}");
        }
    }

    #[test]
    fn a_call_nested_in_user_code_is_refused_not_cut() {
        let nested = "fn register(b: &mut B) -> Result<(), E> {\n    if x() {\n        cart::register(b)?;\n    }\n    Ok(())\n}\n";
        let err = remove_module_call(nested, "register", "cart").unwrap_err();
        assert!(err.to_string().contains("inside other code (line 3)"), "{err}");
        let tail = "fn register(b: &mut B) -> Result<(), E> {\n    if x() { Ok(()) } else { cart::register(b) }\n}\n";
        assert!(remove_module_call(tail, "register", "cart").is_err());
        let job = "fn register(b: &mut B) -> Result<(), E> {\n    let _ = b.register::<jobs::AJob, _>(executors::AExecutor);\n    Ok(())\n}\n";
        assert!(remove_register_call(job, "AJob").is_err());
        // Not there at all: nothing to do.
        assert_eq!(remove_module_call(nested, "register", "auth").unwrap(), nested);
    }

    #[test]
    fn a_grouped_import_loses_only_the_entries_from_the_module() {
        let cases = [
            ("pub use {a::A, b::B};\n", "pub use {a::A};\n"),
            ("pub use {b::B, a::A};\n", "pub use {a::A};\n"),
            ("pub use {x::X, b::B, a::A};\n", "pub use {x::X, a::A};\n"),
            ("pub use {\n    a::A,\n    b::B,\n};\n", "pub use {\n    a::A,\n};\n"),
            ("pub use {b::B, b::C};\n", ""),
        ];
        for (src, want) in cases {
            let (out, names) = remove_uses_of(src, "b").unwrap();
            assert_eq!(out, want, "{src}");
            assert!(names.contains(&"B".to_string()), "{src}");
        }
    }
}
