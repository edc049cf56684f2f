//! The project's own lint configuration, and what orch does about each lint generated code
//! would trip (not `orch lint`, whose rules live in `src/lint/`).
//!
//! Generated code is clean under default clippy, `clippy::pedantic` and `missing_docs`. Beyond
//! those, [`KnownLint`] is the one table of the allow-by-default lints it trips (measured by
//! `tests/cli/e2e.rs` with every restriction, pedantic and nursery lint on): the templates avoid
//! some ([`Handling::Clean`]); for the others the code cannot reasonably avoid, [`apply`] adds
//! `#[allow(lint, reason = "…")]` on the generated function that trips it (`orch init` on the
//! module declarations it adds, see [`root_module_allows`]), only when the project enables the
//! lint ([`Handling::Allow`]); the rest are contradictory or layout choices
//! orch cannot follow, and enabling one gets a warning ([`Handling::Unsupported`]).
//!
//! The levels come from what cargo and rustc read: `[lints.rust]` / `[lints.clippy]` of the
//! package manifest (or `[workspace.lints]` with `lints.workspace = true`), lint groups with
//! their priority, then the crate root's inner `#![allow/warn/deny/forbid(..)]` attributes in
//! order. `forbid` cannot be overridden: a generated function that would need an `#[allow]` for a
//! forbidden lint is refused (exit 1, nothing written), naming the lint and the file.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use syn::spanned::Spanned;
use syn::visit::Visit;

use crate::error::Failure;
use crate::plan::{OpKind, Plan, display};

/// A lint level, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Off.
    Allow,
    /// A warning (an error under `-D warnings`).
    Warn,
    /// An error.
    Deny,
    /// An error no `#[allow]` can lower.
    Forbid,
}

impl Level {
    /// As written in `[lints]` and attributes.
    pub fn word(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
            Level::Forbid => "forbid",
        }
    }

    fn parse(word: &str) -> Option<Level> {
        Some(match word {
            "allow" | "expect" => Level::Allow,
            "warn" => Level::Warn,
            "deny" => Level::Deny,
            "forbid" => Level::Forbid,
            _ => return None,
        })
    }
}

/// What orch does about a lint the project enables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    /// The built-in templates are written so that it does not fire.
    Clean,
    /// orch adds `#[allow(lint, reason)]` where it fires, when the project enables it.
    Allow(Site),
    /// Generated code trips it and orch will not follow it: a warning when it is enabled.
    Unsupported,
}

/// Where orch puts the `#[allow]` of a [`Handling::Allow`] lint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// On each created function whose body uses one of these macros.
    FnUsing(&'static [&'static str]),
    /// On each created function with a `{:?}` in a print or write macro.
    FnDebugPrinting,
    /// On each created function returning `Result` whose body uses an assertion macro.
    ResultFnAsserting,
    /// On each created `register` that is still the `let _ = builder;` placeholder (no
    /// executor yet), which wiring fills in later: its signature is the one every feature has.
    PlaceholderRegister,
    /// On the crate-private `features` and `shared` declarations `orch init` adds to a library.
    PrivateRootModules,
}

/// Assertion and panic macros (clippy's `panic_in_result_fn`).
const ASSERTS: &[&str] =
    &["assert", "assert_eq", "assert_ne", "panic", "todo", "unimplemented", "unreachable"];
/// Macros printing to stdout (clippy's `print_stdout`).
const PRINTS: &[&str] = &["print", "println"];
/// Macros clippy's `use_debug` looks into.
const WRITES: &[&str] = &["print", "println", "eprint", "eprintln", "write", "writeln"];

macro_rules! known_lints {
    ($($variant:ident = $name:literal, $group:expr, $handling:expr, $why:literal;)*) => {
        /// Every allow-by-default lint generated code would trip, and what orch does about it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub enum KnownLint { $(#[doc = $why] $variant,)* }

        impl KnownLint {
            /// Every known lint.
            pub const ALL: &[KnownLint] = &[$(KnownLint::$variant,)*];

            /// Its name as rustc spells it (`clippy::print_stdout`, `unreachable_pub`).
            pub fn name(self) -> &'static str {
                match self { $(KnownLint::$variant => $name,)* }
            }

            /// The clippy group that switches it on with the others (`clippy::restriction`).
            pub fn group(self) -> Option<&'static str> {
                match self { $(KnownLint::$variant => $group,)* }
            }

            /// What orch does about it.
            pub fn handling(self) -> Handling {
                match self { $(KnownLint::$variant => $handling,)* }
            }

            /// Why generated code trips it, and why orch handles it that way (the README's
            /// words, and the `reason` of an added `#[allow]`).
            pub fn why(self) -> &'static str {
                match self { $(KnownLint::$variant => $why,)* }
            }
        }
    };
}

const RESTRICTION: Option<&str> = Some("clippy::restriction");
const NURSERY: Option<&str> = Some("clippy::nursery");
const PEDANTIC: Option<&str> = Some("clippy::pedantic");

known_lints! {
    // Clean: the templates avoid them.
    StrToString = "clippy::str_to_string", RESTRICTION, Handling::Clean,
        "`.to_owned()` turns a `&str` into a `String`";
    AbsolutePaths = "clippy::absolute_paths", RESTRICTION, Handling::Clean,
        "`std::error::Error` is imported, not spelled out";
    ShadowReuse = "clippy::shadow_reuse", RESTRICTION, Handling::Clean,
        "every binding has a name of its own";
    ShadowUnrelated = "clippy::shadow_unrelated", RESTRICTION, Handling::Clean,
        "every binding has a name of its own";
    MissingDocsInPrivateItems = "clippy::missing_docs_in_private_items", RESTRICTION, Handling::Clean,
        "private functions are documented too";
    TooLongFirstDocParagraph = "clippy::too_long_first_doc_paragraph", NURSERY, Handling::Clean,
        "module docs open with a short sentence";
    RedundantImports = "redundant_imports", None, Handling::Clean,
        "tests import only what `use super::*` does not bring";
    // Allowed where they fire, when enabled.
    PrintStdout = "clippy::print_stdout", RESTRICTION, Handling::Allow(Site::FnUsing(PRINTS)),
        "the demo shows on stdout what the flow does";
    UseDebug = "clippy::use_debug", RESTRICTION, Handling::Allow(Site::FnDebugPrinting),
        "the demo prints states and outcomes as Debug";
    PanicInResultFn = "clippy::panic_in_result_fn", RESTRICTION, Handling::Allow(Site::ResultFnAsserting),
        "tests assert; `?` reports their setup errors";
    UnnecessaryWraps = "clippy::unnecessary_wraps", PEDANTIC, Handling::Allow(Site::PlaceholderRegister),
        "the `register` calls wired in later return errors";
    NeedlessPassByRefMut = "clippy::needless_pass_by_ref_mut", NURSERY, Handling::Allow(Site::PlaceholderRegister),
        "the `register` calls wired in later use the builder mutably";
    UnreachablePub = "unreachable_pub", None, Handling::Allow(Site::PrivateRootModules),
        "orch's components are `pub` inside crate-private modules";
    // Not supported: contradictory, or a layout or style orch does not follow.
    AllowAttributes = "clippy::allow_attributes", RESTRICTION, Handling::Unsupported,
        "orch's attributes are `#[allow]`: an `#[expect]` would turn unfulfilled when later wiring changes the item";
    ArbitrarySourceItemOrdering = "clippy::arbitrary_source_item_ordering", RESTRICTION, Handling::Unsupported,
        "items are in reading order (type, constructor, impls), not sorted";
    ArithmeticSideEffects = "clippy::arithmetic_side_effects", RESTRICTION, Handling::Unsupported,
        "a state counts finished jobs with `+= 1`";
    ExhaustiveStructs = "clippy::exhaustive_structs", RESTRICTION, Handling::Unsupported,
        "jobs, events and states are plain data built with struct literals";
    ImplTraitInParams = "clippy::impl_trait_in_params", RESTRICTION, Handling::Unsupported,
        "job constructors take `impl Into<String>`";
    ImplicitReturn = "clippy::implicit_return", RESTRICTION, Handling::Unsupported,
        "contradicts `clippy::needless_return` (style, on by default)";
    LetUnderscoreUntyped = "clippy::let_underscore_untyped", RESTRICTION, Handling::Unsupported,
        "`let _ = builder;` is the placeholder wiring replaces with the first `register` call";
    MissingConstForFn = "clippy::missing_const_for_fn", NURSERY, Handling::Unsupported,
        "an empty `register` could be `const` until orch wires its first call";
    MissingInlineInPublicItems = "clippy::missing_inline_in_public_items", RESTRICTION, Handling::Unsupported,
        "`#[inline]` on every public function is a library-wide policy, not the generator's";
    MissingTraitMethods = "clippy::missing_trait_methods", RESTRICTION, Handling::Unsupported,
        "orchestrators implement only the hooks they use; the runtime's defaults are the point";
    ModModuleFiles = "clippy::mod_module_files", RESTRICTION, Handling::Unsupported,
        "the layout is one folder per feature and role with a `mod.rs` each";
    PubUse = "clippy::pub_use", RESTRICTION, Handling::Unsupported,
        "role folders re-export their types (`pub use`)";
    PubWithShorthand = "clippy::pub_with_shorthand", RESTRICTION, Handling::Unsupported,
        "`orch init` declares a library's modules `pub(crate)` (contradicts `pub_without_shorthand`)";
    QuestionMarkUsed = "clippy::question_mark_used", RESTRICTION, Handling::Unsupported,
        "errors propagate with `?`";
    SingleCallFn = "clippy::single_call_fn", RESTRICTION, Handling::Unsupported,
        "small named functions (constructors, `run_demo`) are called once at first";
    StdInsteadOfCore = "clippy::std_instead_of_core", RESTRICTION, Handling::Unsupported,
        "generated code is std code on tokio (orch refuses `#![no_std]` crates)";
    MissingCopyImplementations = "missing_copy_implementations", None, Handling::Unsupported,
        "executors and orchestrators get fields; `Copy` would be a promise to take back";
    UnusedResults = "unused_results", None, Handling::Unsupported,
        "tests drive a harness whose intermediate states they do not all read";
}

impl KnownLint {
    /// The known lint named `name` (`clippy::print_stdout`; `clippy::print-stdout` too).
    pub fn from_name(name: &str) -> Option<KnownLint> {
        let name = name.replace('-', "_");
        KnownLint::ALL.iter().copied().find(|l| l.name() == name)
    }
}

/// One lint setting: a lint or group name as rustc spells it, its level, and where it comes
/// from.
#[derive(Debug, Clone)]
struct Setting {
    name: String,
    level: Level,
    /// A `[lints]` entry's priority; `None` for a crate-root attribute.
    priority: Option<i64>,
}

/// The lint levels a package sets, in the order rustc applies them.
#[derive(Debug, Clone, Default)]
pub struct Levels {
    /// `[lints]` entries (sorted by priority, as cargo passes them), then crate-root attributes
    /// in source order.
    settings: Vec<Setting>,
}

impl Levels {
    /// The level of `lint`. `[lints]` entries: the highest priority wins and, within one
    /// priority, a lint's own entry beats its group's (the order clippy's `lint_groups_priority`
    /// asks for). Crate-root attributes then override in source order. Nothing lowers `forbid`.
    pub fn level(&self, lint: KnownLint) -> Level {
        self.level_named(lint.name(), lint.group())
    }

    /// [`Levels::level`] of the lint `name` in `group`, for lints outside [`KnownLint`].
    fn level_named(&self, name: &str, group: Option<&str>) -> Level {
        let mut level = Level::Allow;
        let mut best: Option<(i64, bool)> = None;
        for s in &self.settings {
            let own = s.name == name;
            if level == Level::Forbid || (!own && Some(s.name.as_str()) != group) {
                continue;
            }
            if let Some(priority) = s.priority {
                let rank = (priority, own);
                if best.is_some_and(|b| rank < b) {
                    continue;
                }
                best = Some(rank);
            }
            level = s.level;
        }
        level
    }

    /// Whether the project turns `lint` on (warn, deny or forbid).
    pub fn enabled(&self, lint: KnownLint) -> bool {
        self.level(lint) > Level::Allow
    }

    /// The levels of the package whose manifest is `manifest` (read through `plan` when it is
    /// under the plan's root): its `[lints]` (or the workspace's) and its crate roots' attributes.
    pub fn of_package(plan: &Plan, manifest: &Path, doc: &toml::Table) -> Levels {
        let mut settings = Vec::new();
        let lints = doc.get("lints").and_then(toml::Value::as_table);
        let inherited = lints.and_then(|l| l.get("workspace")).and_then(toml::Value::as_bool) == Some(true);
        let table = if inherited {
            let parent = manifest.parent().and_then(Path::parent).unwrap_or(Path::new("/"));
            crate::style::manifest_above(plan, parent, true)
                .and_then(|(_, ws)| ws.get("workspace")?.get("lints")?.as_table().cloned())
        } else {
            lints.cloned()
        };
        for (tool, entries) in table.iter().flatten() {
            let Some(entries) = entries.as_table() else { continue };
            for (name, value) in entries {
                let (level, priority) = match value {
                    toml::Value::String(level) => (Level::parse(level), 0),
                    toml::Value::Table(t) => (
                        t.get("level").and_then(toml::Value::as_str).and_then(Level::parse),
                        t.get("priority").and_then(toml::Value::as_integer).unwrap_or(0),
                    ),
                    _ => (None, 0),
                };
                let name = if tool == "rust" { name.clone() } else { format!("{tool}::{name}") };
                if let Some(level) = level {
                    settings.push(Setting { name: name.replace('-', "_"), level, priority: Some(priority) });
                }
            }
        }
        settings.sort_by_key(|s| s.priority);
        let dir = manifest.parent().unwrap_or(Path::new(""));
        for root in ["src/lib.rs", "src/main.rs"] {
            if let Some(text) = read(plan, &dir.join(root)) {
                settings.extend(root_attributes(&text));
            }
        }
        Levels { settings }
    }

    /// The levels of the package holding the plan-relative directory `dir`.
    pub fn for_dir(plan: &Plan, dir: &Path) -> Levels {
        match crate::style::manifest_above(plan, &plan.root().join(dir), false) {
            Some((manifest, doc)) => Levels::of_package(plan, &manifest, &doc),
            None => Levels::default(),
        }
    }
}

/// The file at the absolute `path`, through `plan` when it is under the plan's root.
fn read(plan: &Plan, path: &Path) -> Option<String> {
    match path.strip_prefix(plan.root()) {
        Ok(rel) => plan.read(rel).ok().flatten(),
        Err(_) => std::fs::read_to_string(path).ok(),
    }
}

/// The lint settings of a crate root's inner attributes (`#![warn(clippy::print_stdout)]`), in
/// order, after every manifest setting. A file that does not parse has none.
fn root_attributes(text: &str) -> Vec<Setting> {
    let Ok(file) = syn::parse_file(text) else { return Vec::new() };
    let mut out = Vec::new();
    for attr in &file.attrs {
        let Some(level) = attr.path().get_ident().and_then(|i| Level::parse(&i.to_string())) else {
            continue;
        };
        let Ok(paths) =
            attr.parse_args_with(syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
        else {
            continue;
        };
        for meta in paths {
            // `reason = "…"` is a name-value, not a lint.
            if let syn::Meta::Path(path) = meta {
                let name = path.segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>().join("::");
                out.push(Setting { name, level, priority: None });
            }
        }
    }
    out
}

/// `plan` with `#[allow(lint, reason)]` added to its created `.rs` files where a lint the
/// project enables fires ([`Handling::Allow`]), and warnings for the enabled lints orch does not
/// support. Refuses (exit 1) when such a lint is forbidden.
pub fn apply(plan: &Plan) -> anyhow::Result<(Cow<'_, Plan>, Vec<String>)> {
    let mut levels_of: BTreeMap<PathBuf, Levels> = BTreeMap::new();
    let mut edits: Vec<(PathBuf, String)> = Vec::new();
    let mut unsupported: BTreeMap<KnownLint, Level> = BTreeMap::new();
    for op in plan.ops() {
        let (OpKind::Create, Some(text)) = (op.kind, &op.after) else { continue };
        let vendored = display(&op.path).contains(&format!("{}/", crate::generate::VENDOR_DIR));
        if op.path.extension().is_none_or(|e| e != "rs") || vendored {
            continue;
        }
        let dir = op.path.parent().unwrap_or(Path::new("")).to_path_buf();
        let levels = levels_of.entry(dir.clone()).or_insert_with(|| Levels::for_dir(plan, &dir));
        for lint in KnownLint::ALL.iter().copied().filter(|l| l.handling() == Handling::Unsupported) {
            if levels.enabled(lint) {
                unsupported.insert(lint, levels.level(lint));
            }
        }
        if let Some(with) = add_allows(levels, &op.path, text)? {
            edits.push((op.path.clone(), with));
        }
    }
    let warnings = unsupported_warnings(&unsupported);
    if edits.is_empty() {
        return Ok((Cow::Borrowed(plan), warnings));
    }
    let mut out = plan.clone();
    for (path, text) in edits {
        out.update(&path, text)?;
    }
    Ok((Cow::Owned(out), warnings))
}

/// The warnings for the enabled lints orch does not support: one per lint with its reason when
/// there are few, else one naming them all (a whole group such as `clippy::restriction`).
fn unsupported_warnings(unsupported: &BTreeMap<KnownLint, Level>) -> Vec<String> {
    const ONE_EACH: usize = 3;
    if unsupported.len() <= ONE_EACH {
        return unsupported
            .iter()
            .map(|(lint, level)| {
                format!(
                    "the project sets `{}` to `{}`; orch does not support it, so it will report the \
                     generated code ({})",
                    lint.name(),
                    level.word(),
                    lint.why()
                )
            })
            .collect();
    }
    let names: Vec<String> = unsupported.keys().map(|l| format!("`{}`", l.name())).collect();
    vec![format!(
        "the project enables {} lints orch does not support, so they will report the generated \
         code: {} (why: README, \"Fitting the project\")",
        names.len(),
        names.join(", ")
    )]
}

/// `text` as [`apply`] leaves it when the plan creates it at `rel` (for `orch remove`'s
/// comparisons with what orch generated).
pub fn as_created(plan: &Plan, rel: &Path, text: &str) -> anyhow::Result<String> {
    let levels = Levels::for_dir(plan, rel.parent().unwrap_or(Path::new("")));
    Ok(add_allows(&levels, rel, text)?.unwrap_or_else(|| text.to_string()))
}

/// The `#[allow]` lines `orch init` puts on the crate-private module declarations it adds to
/// the crate root `root_file` (plan-relative), for the lints the project enables
/// ([`Site::PrivateRootModules`]).
pub fn root_module_allows(plan: &Plan, root_file: &Path) -> anyhow::Result<Vec<String>> {
    let levels = Levels::for_dir(plan, root_file.parent().unwrap_or(Path::new("")));
    let mut lines = Vec::new();
    for lint in KnownLint::ALL.iter().copied() {
        if lint.handling() == Handling::Allow(Site::PrivateRootModules) && levels.enabled(lint) {
            check_not_forbidden(&levels, lint, root_file)?;
            lines.extend(allow_lines(lint, ""));
        }
    }
    Ok(lines)
}

/// Refuse when the crate forbids `dead_code` or `unused_imports` (directly or through the
/// `unused` group): `orch init` puts `#[allow]` for them on the crate-private modules it adds
/// to a library, and `forbid` cannot be lowered.
pub fn check_private_modules_allowed(plan: &Plan, root_file: &Path) -> anyhow::Result<()> {
    let levels = Levels::for_dir(plan, root_file.parent().unwrap_or(Path::new("")));
    for name in ["dead_code", "unused_imports"] {
        if levels.level_named(name, Some("unused")) == Level::Forbid {
            return Err(Failure::failed(format!(
                "{}: the crate forbids `{name}`, and the modules orch adds are unused until the \
                 library calls their `register`; `forbid` cannot be lowered by an `#[allow]`",
                display(root_file)
            ))
            .hint(format!("pass `--public` (the modules become part of the API), or set `{name}` to `deny`"))
            .into());
        }
    }
    Ok(())
}

/// rustfmt's `attr_fn_like_width` (70% of the default `max_width`): attribute arguments
/// longer than this are laid out one per line.
const ATTR_ARGS_WIDTH: usize = 70;

/// `#[allow(lint, reason = "why")]` at `indent`, laid out as rustfmt lays it out (created files
/// may skip rustfmt, see `crate::style`; edited ones are never reformatted).
fn allow_lines(lint: KnownLint, indent: &str) -> Vec<String> {
    let reason = format!("reason = \"{}\"", lint.why().replace('"', "\\\""));
    let args = format!("{}, {reason}", lint.name());
    if args.len() <= ATTR_ARGS_WIDTH {
        return vec![format!("{indent}#[allow({args})]")];
    }
    vec![
        format!("{indent}#[allow("),
        format!("{indent}    {},", lint.name()),
        format!("{indent}    {reason}"),
        format!("{indent})]"),
    ]
}

/// Refuse when `lint` is forbidden: an `#[allow]` cannot lower `forbid`.
fn check_not_forbidden(levels: &Levels, lint: KnownLint, path: &Path) -> anyhow::Result<()> {
    if levels.level(lint) < Level::Forbid {
        return Ok(());
    }
    Err(Failure::failed(format!(
        "{}: the project forbids `{}`, which the generated code trips ({}); `forbid` cannot be \
         lowered by an `#[allow]`",
        display(path),
        lint.name(),
        lint.why()
    ))
    .hint(format!(
        "set `{}` to `deny` instead (orch then adds a narrow `#[allow]` with a reason), or \
         override the template (`orch template init`) so it does not trip the lint",
        lint.name()
    ))
    .into())
}

/// `text` with an `#[allow]` line above each function that trips an enabled
/// [`Handling::Allow`] lint, or `None` when none does (or the file does not parse).
fn add_allows(levels: &Levels, path: &Path, text: &str) -> anyhow::Result<Option<String>> {
    let lints: Vec<KnownLint> = KnownLint::ALL
        .iter()
        .copied()
        .filter(|l| matches!(l.handling(), Handling::Allow(site) if site != Site::PrivateRootModules))
        .filter(|l| levels.enabled(*l))
        .collect();
    if lints.is_empty() {
        return Ok(None);
    }
    let Ok(file) = syn::parse_file(text) else { return Ok(None) };
    let mut fns = FnCollector::default();
    fns.visit_file(&file);
    // Line (1-based) of each function's first token after its attributes → lints to allow.
    let mut at: BTreeMap<usize, Vec<KnownLint>> = BTreeMap::new();
    for f in &fns.found {
        for &lint in &lints {
            if trips(lint, f) {
                check_not_forbidden(levels, lint, path)?;
                at.entry(f.line).or_default().push(lint);
            }
        }
    }
    if at.is_empty() {
        return Ok(None);
    }
    let mut out = String::with_capacity(text.len() + 100 * at.len());
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if let Some(lints) = at.get(&(n + 1)) {
            let indent = &line[..line.len() - line.trim_start().len()];
            for line in lints.iter().flat_map(|&lint| allow_lines(lint, indent)) {
                out.push_str(&line);
                out.push('\n');
            }
        }
        out.push_str(line);
    }
    Ok(Some(out))
}

/// Whether `lint` fires in the function `f`.
fn trips(lint: KnownLint, f: &FnFacts) -> bool {
    match lint.handling() {
        Handling::Allow(Site::FnUsing(macros)) => f.macros.iter().any(|(m, _)| macros.contains(&m.as_str())),
        Handling::Allow(Site::FnDebugPrinting) => f.macros.iter().any(|(m, tokens)| {
            WRITES.contains(&m.as_str()) && (tokens.contains(":?") || tokens.contains(":#?"))
        }),
        Handling::Allow(Site::PlaceholderRegister) => f.placeholder_register,
        Handling::Allow(Site::ResultFnAsserting) => {
            f.returns_result && f.macros.iter().any(|(m, _)| ASSERTS.contains(&m.as_str()))
        }
        _ => false,
    }
}

/// What [`trips`] needs to know of a function.
struct FnFacts {
    /// The line of its signature (after its attributes and docs).
    line: usize,
    /// Whether it returns a `Result`.
    returns_result: bool,
    /// The macros its body calls: name and tokens.
    macros: Vec<(String, String)>,
    /// Whether it is a `register` whose body is still `let _ = builder;` (and `Ok(())`).
    placeholder_register: bool,
}

/// Every function and method of a file, with the macros its body calls.
#[derive(Default)]
struct FnCollector {
    found: Vec<FnFacts>,
}

/// The macro calls of one function body.
#[derive(Default)]
struct MacroCollector {
    macros: Vec<(String, String)>,
}

impl<'ast> Visit<'ast> for MacroCollector {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if let Some(name) = mac.path.segments.last() {
            self.macros.push((name.ident.to_string(), mac.tokens.to_string()));
        }
    }
}

impl FnCollector {
    fn add(&mut self, vis: &syn::Visibility, sig: &syn::Signature, block: &syn::Block) {
        // The first token after the attributes: the visibility, else the signature.
        let start = match vis {
            syn::Visibility::Inherited => sig.span().start(),
            _ => vis.span().start(),
        };
        let returns_result = matches!(&sig.output, syn::ReturnType::Type(_, ty)
            if matches!(&**ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Result")));
        let mut macros = MacroCollector::default();
        macros.visit_block(block);
        let placeholder_register = sig.ident == "register"
            && block.stmts.iter().any(|stmt| {
                matches!(stmt, syn::Stmt::Local(syn::Local { pat: syn::Pat::Wild(_), init: Some(init), .. })
                    if matches!(&*init.expr, syn::Expr::Path(p) if p.path.is_ident("builder")))
            });
        self.found.push(FnFacts {
            line: start.line,
            returns_result,
            macros: macros.macros,
            placeholder_register,
        });
    }
}

impl<'ast> Visit<'ast> for FnCollector {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.add(&f.vis, &f.sig, &f.block);
        syn::visit::visit_item_fn(self, f);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.add(&f.vis, &f.sig, &f.block);
        syn::visit::visit_impl_item_fn(self, f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels(manifest: &str, root: &str) -> Levels {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("Cargo.toml"), manifest).unwrap();
        std::fs::create_dir_all(tmp.path().join("src")).unwrap();
        std::fs::write(tmp.path().join("src/lib.rs"), root).unwrap();
        Levels::for_dir(&Plan::new(tmp.path()), Path::new("src"))
    }

    const PKG: &str = "[package]\nname = \"a\"\nedition = \"2024\"\n";

    #[test]
    fn levels_come_from_lints_tables_groups_and_crate_root_attributes() {
        let l = levels(PKG, "");
        assert_eq!(l.level(KnownLint::PrintStdout), Level::Allow);
        let l = levels(&format!("{PKG}[lints.clippy]\nprint_stdout = \"warn\"\n"), "");
        assert_eq!(l.level(KnownLint::PrintStdout), Level::Warn);
        assert_eq!(l.level(KnownLint::UseDebug), Level::Allow);
        // A group with a lower priority, the lint's own entry turning it back off.
        let l = levels(
            &format!(
                "{PKG}[lints.clippy]\nrestriction = {{ level = \"deny\", priority = -1 }}\nuse_debug = \"allow\"\n"
            ),
            "",
        );
        assert_eq!(l.level(KnownLint::PrintStdout), Level::Deny);
        assert_eq!(l.level(KnownLint::UseDebug), Level::Allow);
        // Crate-root attributes come last; a later allow overrides, nothing lowers forbid.
        let l = levels(
            &format!("{PKG}[lints.rust]\nunreachable_pub = \"warn\"\n"),
            "//! A.\n#![warn(clippy::print_stdout, clippy::use_debug, reason = \"x\")]\n\
             #![allow(clippy::use_debug, unreachable_pub)]\n#![forbid(clippy::panic_in_result_fn)]\n\
             #![allow(clippy::panic_in_result_fn)]\n",
        );
        assert_eq!(l.level(KnownLint::PrintStdout), Level::Warn);
        assert_eq!(l.level(KnownLint::UseDebug), Level::Allow);
        assert_eq!(l.level(KnownLint::UnreachablePub), Level::Allow);
        assert_eq!(l.level(KnownLint::PanicInResultFn), Level::Forbid);
        // Between attributes, order decides, groups included.
        let l = levels(PKG, "#![warn(clippy::print_stdout)]\n#![allow(clippy::restriction)]\n");
        assert_eq!(l.level(KnownLint::PrintStdout), Level::Allow);
    }

    #[test]
    fn workspace_lints_apply_with_lints_workspace_true() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join("Cargo.toml"),
            "[workspace]\nmembers = [\"m\"]\n[workspace.lints.clippy]\nprint_stdout = \"deny\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(tmp.path().join("m/src")).unwrap();
        std::fs::write(tmp.path().join("m/Cargo.toml"), format!("{PKG}[lints]\nworkspace = true\n")).unwrap();
        let l = Levels::for_dir(&Plan::new(tmp.path().join("m")), Path::new("src"));
        assert_eq!(l.level(KnownLint::PrintStdout), Level::Deny);
    }

    #[test]
    fn allows_go_on_the_functions_that_trip_an_enabled_lint_only() {
        let l = levels(
            &format!("{PKG}[lints.clippy]\nprint_stdout = \"warn\"\npanic_in_result_fn = \"warn\"\n"),
            "",
        );
        let src = "/// Demo.\npub async fn demo() {\n    println!(\"{x:?}\");\n}\n\nfn quiet() {}\n\n\
                   mod tests {\n    #[test]\n    fn t() -> Result<(), ()> {\n        assert!(true);\n        Ok(())\n    }\n}\n";
        let out = add_allows(&l, Path::new("src/a.rs"), src).unwrap().unwrap();
        assert_eq!(
            out,
            "/// Demo.\n#[allow(\n    clippy::print_stdout,\n    reason = \"the demo shows on stdout what the flow does\"\n)]\n\
             pub async fn demo() {\n    println!(\"{x:?}\");\n}\n\nfn quiet() {}\n\nmod tests {\n    #[test]\n    \
             #[allow(\n        clippy::panic_in_result_fn,\n        reason = \"tests assert; `?` reports their setup errors\"\n    )]\n    \
             fn t() -> Result<(), ()> {\n        assert!(true);\n        Ok(())\n    }\n}\n"
        );
        // Not enabled: nothing added.
        assert!(add_allows(&levels(PKG, ""), Path::new("src/a.rs"), src).unwrap().is_none());
    }

    #[test]
    fn a_forbidden_lint_the_code_trips_is_refused_naming_it_and_the_file() {
        let l = levels(PKG, "#![forbid(clippy::print_stdout)]\n");
        let err =
            add_allows(&l, Path::new("src/a.rs"), "fn demo() {\n    println!(\"x\");\n}\n").unwrap_err();
        assert_eq!(crate::error::classify(&err).0.code(), 1);
        let text = format!("{err:#}");
        assert!(text.contains("src/a.rs") && text.contains("forbids `clippy::print_stdout`"), "{text}");
    }

    #[test]
    fn unsupported_lints_get_a_warning_and_a_whole_group_one_warning() {
        let tmp = tempfile::tempdir().unwrap();
        let manifest = tmp.path().join("Cargo.toml");
        std::fs::write(&manifest, format!("{PKG}[lints.clippy]\nmod_module_files = \"deny\"\n")).unwrap();
        let mut plan = Plan::new(tmp.path());
        plan.create("src/a.rs", "//! A.\n", false).unwrap();
        let (_, warnings) = apply(&plan).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("the project sets `clippy::mod_module_files` to `deny`"),
            "{warnings:?}"
        );
        std::fs::write(&manifest, format!("{PKG}[lints.clippy]\nrestriction = \"warn\"\n")).unwrap();
        let (_, warnings) = apply(&plan).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("lints orch does not support") && warnings[0].contains("`clippy::pub_use`")
        );
    }

    #[test]
    fn every_lint_has_one_entry_and_a_reason_that_fits_an_attribute() {
        for (i, a) in KnownLint::ALL.iter().enumerate() {
            assert_eq!(KnownLint::from_name(a.name()), Some(*a));
            assert!(KnownLint::ALL[i + 1..].iter().all(|b| b.name() != a.name()), "{a:?}");
            if matches!(a.handling(), Handling::Allow(_)) {
                // No line long enough to send the file through rustfmt, in a test module too.
                let lines = allow_lines(*a, "    ");
                assert!(lines.iter().all(|l| l.len() <= crate::style::FAST_PATH_WIDTH), "{a:?}");
            }
        }
    }
}
