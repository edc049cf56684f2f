//! The executor `orch lint --fix --unsafe` writes for a job without one, made to compile against
//! the job as it is. A job in the shape `orch add job` generates (`pub input: String`,
//! `Output = String`, `new`, `Default`) gets the built-in executor template with its tests, as
//! `orch add executor` would write it. Any other job (written by hand: `RefreshJob { token }`
//! with `type Output = Token`) gets an executor that uses nothing but the `Job` impl: it returns
//! `Result<Output, JobError>` with the job's real output type and fails every job with a clear
//! error until its body is written (no `todo!`, no field it would have to guess). A job whose
//! `impl Job` cannot be found is declined: an executor for it would not compile.

use syn::{Fields, Item, Type};

use crate::generate::Location;
use crate::names::Name;

/// What the job's source says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum JobShape {
    /// As `orch add job` writes it: the executor template (and its tests) compile against it.
    Generated,
    /// Anything else with an `impl Job`: the output type as written when it names only
    /// primitive and prelude types (`Token` might not resolve in the executor's file; then
    /// `None` and the executor names it `<XJob as Job>::Output`).
    HandWritten { output: Option<String> },
}

/// The shape of job `job`, from the sources that may define it and its `impl Job` (its file,
/// the jobs folder's `mod.rs`). `Err` with the reason when no `impl Job for <job>` is there.
pub(super) fn job_shape(sources: &[&str], job: &str) -> Result<JobShape, String> {
    let files: Vec<syn::File> = sources.iter().filter_map(|s| syn::parse_file(s).ok()).collect();
    let items = || files.iter().flat_map(|f| f.items.iter());
    let mut output: Option<&Type> = None;
    // `impl<T> Job for PageJob<T>`: a job generic over its parameters
    let mut generic = false;
    let (mut input_field, mut has_new, mut has_default) = (false, false, false);
    for item in items() {
        match item {
            Item::Struct(s) if s.ident == job => {
                has_default |= derives(&s.attrs, "Default");
                if let Fields::Named(named) = &s.fields {
                    input_field = named.named.iter().any(|f| {
                        f.ident.as_ref().is_some_and(|i| i == "input")
                            && matches!(f.vis, syn::Visibility::Public(_))
                            && is_ident_type(&f.ty, "String")
                    });
                }
            }
            Item::Impl(i) if trait_name(i) == Some("Job") && is_generic_type(&i.self_ty, job) => {
                generic = true
            }
            Item::Impl(i) if is_ident_type(&i.self_ty, job) => match trait_name(i) {
                Some("Job") => {
                    output = i.items.iter().find_map(|it| match it {
                        syn::ImplItem::Type(t) if t.ident == "Output" => Some(&t.ty),
                        _ => None,
                    });
                }
                Some("Default") => has_default = true,
                Some(_) => {}
                None => {
                    has_new |= i.items.iter().any(|it| {
                        matches!(it, syn::ImplItem::Fn(f) if f.sig.ident == "new" && f.sig.inputs.len() == 1)
                    });
                }
            },
            _ => {}
        }
    }
    if output.is_none() && generic {
        return Err(format!(
            "`{job}` is generic (`impl<..> Job for {job}<..>`): the generator writes executors for \
             concrete jobs only; write `impl Executor<{job}<..>> for ..` by hand"
        ));
    }
    let Some(output) = output else {
        return Err(format!(
            "no `impl Job for {job}` (with its `type Output`) next to it: implement `orch_runtime::Job` for it, \
             then run `orch lint --fix --unsafe` again (or `orch add executor` by hand)"
        ));
    };
    if input_field && has_new && has_default && is_ident_type(output, "String") {
        return Ok(JobShape::Generated);
    }
    Ok(JobShape::HandWritten { output: simple_type(output) })
}

/// Whether event `event` has the shape `orch add event` writes (one `pub message: String`,
/// `Debug` and `Clone`): the executor template emits `XEvent { message }`.
pub(super) fn event_is_generated(source: &str, event: &str) -> bool {
    let Ok(file) = syn::parse_file(source) else { return false };
    file.items.iter().any(|item| match item {
        Item::Struct(s) if s.ident == event => {
            derives(&s.attrs, "Debug")
                && derives(&s.attrs, "Clone")
                && matches!(&s.fields, Fields::Named(n) if n.named.len() == 1 && n.named.iter().all(|f| {
                    f.ident.as_ref().is_some_and(|i| i == "message")
                        && matches!(f.vis, syn::Visibility::Public(_))
                        && is_ident_type(&f.ty, "String")
                }))
        }
        _ => false,
    })
}

/// The executor file for a hand-written job. rustfmt-clean as written for names that fit the
/// width (longer lines make `commands::finish` run rustfmt on it).
pub(super) fn render_hand_written(
    location: &Location,
    name: &Name,
    job: &str,
    output: Option<&str>,
) -> String {
    let executor = format!("{}Executor", name.pascal);
    let (import, output) = match output {
        Some(o) => ("{ExecContext, Executor, JobError}", o.to_string()),
        None => ("{ExecContext, Executor, Job, JobError}", format!("<{job} as Job>::Output")),
    };
    let module_path = &location.module_path;
    let owner = &location.label;
    format!(
        "//! `{executor}`: carries out `{job}` ({owner}).\n\
         //! I/O and business logic belong here, never in an orchestrator.\n\
         \n\
         use orch_runtime::{import};\n\
         \n\
         use {module_path}::jobs::{job};\n\
         \n\
         /// Carries out [`{job}`]. Written by `orch lint --fix --unsafe` for a job it did not\n\
         /// generate: it fails every job with an error until you write its body.\n\
         #[derive(Debug, Default, Clone)]\n\
         pub struct {executor};\n\
         \n\
         impl Executor<{job}> for {executor} {{\n\
         {signature}\n\
         \x20       Err(JobError::new(\"{executor} is not written yet\"))\n\
         \x20   }}\n\
         }}\n",
        signature = signature(job, &output),
    )
}

/// `async fn execute(..)`, wrapped as rustfmt wraps it when it is too long for one line.
fn signature(job: &str, output: &str) -> String {
    let line = format!(
        "    async fn execute(&self, _job: &{job}, _ctx: &ExecContext) -> Result<{output}, JobError> {{"
    );
    if line.len() <= crate::wiring::MAX_WIDTH {
        return line;
    }
    format!(
        "    async fn execute(\n        &self,\n        _job: &{job},\n        _ctx: &ExecContext,\n    ) -> Result<{output}, JobError> {{"
    )
}

/// Whether `attrs` has `#[derive(.., name, ..)]`.
fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().filter(|a| a.path().is_ident("derive")).any(|a| {
        let mut found = false;
        let _ = a.parse_nested_meta(|m| {
            found |= m.path.segments.last().is_some_and(|s| s.ident == name);
            Ok(())
        });
        found
    })
}

/// The last segment of the trait an impl implements.
fn trait_name(i: &syn::ItemImpl) -> Option<&'static str> {
    let (_, path, _) = i.trait_.as_ref()?;
    let last = path.segments.last()?;
    Some(match () {
        () if last.ident == "Job" => "Job",
        () if last.ident == "Default" => "Default",
        () => "other",
    })
}

/// Whether `ty` is the plain path `name` (or `a::b::name`).
fn is_ident_type(ty: &Type, name: &str) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == name && s.arguments.is_empty()))
}

/// Types every module can name without an import.
const PRELUDE: &[&str] = &[
    "String", "Vec", "Option", "Box", "bool", "char", "u8", "u16", "u32", "u64", "u128", "usize", "i8",
    "i16", "i32", "i64", "i128", "isize", "f32", "f64",
];

/// `ty` written out when it names only primitive and prelude types (`Vec<String>`, `()`).
fn simple_type(ty: &Type) -> Option<String> {
    match ty {
        Type::Tuple(t) => {
            let parts: Option<Vec<String>> = t.elems.iter().map(simple_type).collect();
            let parts = parts?;
            Some(if parts.len() == 1 {
                format!("({},)", parts[0])
            } else {
                format!("({})", parts.join(", "))
            })
        }
        Type::Path(p)
            if p.qself.is_none() && p.path.segments.len() == 1 && p.path.leading_colon.is_none() =>
        {
            let seg = &p.path.segments[0];
            let name = seg.ident.to_string();
            if !PRELUDE.contains(&name.as_str()) {
                return None;
            }
            match &seg.arguments {
                syn::PathArguments::None => Some(name),
                syn::PathArguments::AngleBracketed(args) => {
                    let inner: Option<Vec<String>> = args
                        .args
                        .iter()
                        .map(|a| match a {
                            syn::GenericArgument::Type(t) => simple_type(t),
                            _ => None,
                        })
                        .collect();
                    Some(format!("{name}<{}>", inner?.join(", ")))
                }
                syn::PathArguments::Parenthesized(_) => None,
            }
        }
        _ => None,
    }
}

/// Whether `ty` is `name<..>` (a path whose last segment is `name` with generic arguments).
fn is_generic_type(ty: &Type, name: &str) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| {
        s.ident == name && matches!(s.arguments, syn::PathArguments::AngleBracketed(_))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERATED: &str = "use orch_runtime::Job;\n#[derive(Debug, Clone, Default, PartialEq, Eq)]\npub struct RefreshJob {\n    pub input: String,\n}\nimpl RefreshJob {\n    pub fn new(input: impl Into<String>) -> Self {\n        Self { input: input.into() }\n    }\n}\nimpl Job for RefreshJob {\n    type Output = String;\n}\n";

    #[test]
    fn shapes_of_jobs() {
        assert_eq!(job_shape(&[GENERATED], "RefreshJob"), Ok(JobShape::Generated));
        let hand = "pub struct Token;\n#[derive(Debug)]\npub struct RefreshJob {\n    pub token: String,\n}\nimpl orch_runtime::Job for RefreshJob {\n    type Output = Token;\n}\n";
        assert_eq!(job_shape(&[hand], "RefreshJob"), Ok(JobShape::HandWritten { output: None }));
        let vec = hand.replace("= Token", "= Vec<(String, u64)>");
        let shape = job_shape(&[&vec], "RefreshJob");
        assert_eq!(shape, Ok(JobShape::HandWritten { output: Some("Vec<(String, u64)>".into()) }));
        // the impl in the folder's mod.rs counts; without any, the fix is declined
        let (job, imp) = hand.split_at(hand.find("impl").unwrap());
        assert!(job_shape(&[job, imp], "RefreshJob").is_ok());
        let err = job_shape(&[job], "RefreshJob").unwrap_err();
        assert!(err.contains("no `impl Job for RefreshJob`"), "{err}");
        // `input` private, or another output: hand-written
        let private = GENERATED.replace("pub input", "input");
        assert!(matches!(job_shape(&[&private], "RefreshJob"), Ok(JobShape::HandWritten { .. })));
    }

    #[test]
    fn hand_written_executors_parse_for_every_name_length() {
        let config = crate::config::Config::default();
        for len in [1, 20, 40, 64] {
            let name = Name::parse(&"a".repeat(len), "executor").unwrap();
            let location = Location::feature(&config, &Name::parse("auth", "feature").unwrap()).unwrap();
            let job = format!("{}Job", name.pascal);
            for output in [None, Some("Vec<String>")] {
                let text = render_hand_written(&location, &name, &job, output);
                let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
                assert_eq!(file.items.len(), 4, "{text}");
                assert!(!text.contains("input") && !text.contains("todo!"), "{text}");
            }
        }
    }

    #[test]
    fn events_in_the_generated_shape() {
        let ev =
            "#[derive(Debug, Clone, PartialEq, Eq)]\npub struct LoginEvent {\n    pub message: String,\n}\n";
        assert!(event_is_generated(ev, "LoginEvent"));
        assert!(!event_is_generated(&ev.replace("message", "user"), "LoginEvent"));
        assert!(!event_is_generated("pub struct LoginEvent;", "LoginEvent"));
    }
}
