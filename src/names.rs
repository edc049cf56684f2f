//! Names given on the command line: `FetchUser`, `fetch-user` and `fetch_user` all map to one
//! canonical module name (`fetch_user`) and type stem (`FetchUser`). Refuses empty names, path
//! separators, Rust keywords, non-identifiers and absurd lengths with a usage error (exit 2).

use heck::{ToSnakeCase, ToUpperCamelCase};

use crate::error::Failure;

/// Longest accepted module name, in bytes.
pub const MAX_LEN: usize = 64;

/// A validated name in its canonical forms.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name {
    /// snake_case module / file stem: `fetch_user`.
    pub snake: String,
    /// UpperCamelCase type stem: `FetchUser`.
    pub pascal: String,
}

/// Words Rust reserves (strict, reserved and edition-2024 keywords), plus names that would
/// clash with the generated layout or the standard prelude's modules.
const RESERVED: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try", "typeof",
    "unsized", "virtual", "yield", "union",
];

/// Crates every project can name (the sysroot's) or that generated code uses: a module of that
/// name would shadow them (`use tokio::…` next to `mod tokio;` is ambiguous).
pub const BUILTIN_CRATES: &[&str] = &["std", "core", "alloc", "proc_macro", "test", "orch_runtime", "tokio"];

/// Module names that would collide with the generated layout itself.
const LAYOUT: &[&str] =
    &["mod", "jobs", "events", "executors", "orchestrators", "features", "core", "main", "lib", "tests"];

impl Name {
    /// Validate `raw` as the name of a `what` ("feature", "job", ...).
    pub fn parse(raw: &str, what: &str) -> anyhow::Result<Name> {
        let refuse = |why: String, hint: &str| -> anyhow::Error {
            Failure::usage(format!("invalid {what} name {raw:?}: {why}")).hint(hint.to_string()).into()
        };
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(refuse("the name is empty".into(), "give a name such as `fetch_user`"));
        }
        if trimmed.contains(['/', '\\']) || trimmed.contains("..") {
            return Err(refuse(
                "names cannot contain path separators or `..`".into(),
                "give a plain name; use --feature or -o/--path to choose where it goes",
            ));
        }
        if trimmed.len() > MAX_LEN * 2 {
            return Err(refuse(format!("longer than {MAX_LEN} characters"), "use a shorter name"));
        }
        if let Some(bad) =
            trimmed.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ' ')))
        {
            return Err(refuse(
                format!("{bad:?} is not allowed"),
                "use ASCII letters, digits, `-` or `_` (e.g. `fetch-user`)",
            ));
        }
        let snake = trimmed.to_snake_case();
        if snake.is_empty() || !snake.chars().any(|c| c.is_ascii_alphabetic()) {
            return Err(refuse("it has no letters".into(), "give a name such as `fetch_user`"));
        }
        if snake.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(refuse(
                "Rust identifiers cannot start with a digit".into(),
                "start the name with a letter",
            ));
        }
        if snake.len() > MAX_LEN {
            return Err(refuse(format!("longer than {MAX_LEN} characters"), "use a shorter name"));
        }
        if RESERVED.contains(&snake.as_str()) {
            return Err(refuse(
                format!("`{snake}` is a Rust keyword"),
                "pick another word, e.g. add a qualifier (`user_type` instead of `type`)",
            ));
        }
        if LAYOUT.contains(&snake.as_str()) {
            return Err(refuse(
                format!("`{snake}` is a folder name of the orch layout"),
                "pick a name that says what it does",
            ));
        }
        let pascal = snake.to_upper_camel_case();
        Ok(Name { snake, pascal })
    }
}

impl Name {
    /// Refuse (exit 2) a `what` name whose module would shadow a crate: a built-in one
    /// ([`BUILTIN_CRATES`]) or one of `crates` (the project's dependencies, see
    /// [`manifest_crates`]). `manifest` names the manifest for the message.
    pub fn check_not_a_crate(&self, what: &str, crates: &[String], manifest: &str) -> anyhow::Result<()> {
        let why = if BUILTIN_CRATES.contains(&self.snake.as_str()) {
            format!("`{}` is a crate every project can use", self.snake)
        } else if crates.contains(&self.snake) {
            format!("`{}` names a crate in {manifest} (the package or a dependency)", self.snake)
        } else {
            return Ok(());
        };
        Err(Failure::usage(format!(
            "invalid {what} name {:?}: {why}; a module of that name would shadow it (`use {}::…` stops compiling)",
            self.snake, self.snake
        ))
        .hint(format!("pick another name, e.g. add a qualifier (`my_{}`)", self.snake))
        .into())
    }
}

/// [`manifest_crates`] of the package at `root` (none when its Cargo.toml cannot be read).
pub fn project_crates(root: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(root.join("Cargo.toml")).map(|text| manifest_crates(&text)).unwrap_or_default()
}

/// The crate names a package's code can use, from its manifest `text`: the package's own
/// (library) name and every dependency, renamed ones under their new name, as snake_case.
/// A manifest that does not parse gives what could be read (orch init reports bad manifests).
pub fn manifest_crates(text: &str) -> Vec<String> {
    crate_names(text, true)
}

/// The dependencies of [`manifest_crates`] only: inside its own crate root a package does not
/// see its own name (a binary sees its library's, but orch declares its modules in lib.rs then).
pub fn manifest_dependencies(text: &str) -> Vec<String> {
    crate_names(text, false)
}

/// The names of [`manifest_crates`], the package's own ones when `own`.
fn crate_names(text: &str, own: bool) -> Vec<String> {
    let Ok(doc) = text.parse::<toml::Table>() else { return Vec::new() };
    let mut names = Vec::new();
    for key in [["package", "name"], ["lib", "name"]].into_iter().filter(|_| own) {
        if let Some(name) = doc.get(key[0]).and_then(|t| t.get(key[1])).and_then(toml::Value::as_str) {
            names.push(name.to_string());
        }
    }
    let tables = ["dependencies", "dev-dependencies", "build-dependencies"];
    let mut collect = |scope: &toml::Table| {
        for table in tables {
            if let Some(deps) = scope.get(table).and_then(toml::Value::as_table) {
                names.extend(deps.keys().cloned());
            }
        }
    };
    collect(&doc);
    if let Some(targets) = doc.get("target").and_then(toml::Value::as_table) {
        targets.values().filter_map(toml::Value::as_table).for_each(&mut collect);
    }
    let mut names: Vec<String> = names.into_iter().map(|n| n.replace('-', "_")).collect();
    names.sort();
    names.dedup();
    names
}

/// How a file or folder name found on disk is written in a `mod` declaration: the name
/// itself, `r#name` for a keyword (`mod r#type;` reaches `type.rs`), or `Err` with the reason
/// when no `mod` line without `#[path]` can reach it (`fetch-user.rs`, `odd,name:1.rs`, a
/// non-ASCII name, `self.rs`): the fix is then to rename the file, which [`snake_file_name`]
/// suggests.
pub fn module_ident(name: &str) -> Result<String, String> {
    let ident = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_";
    if !ident {
        // rustc also refuses non-ASCII module names without `#[path]` (E0754)
        return Err(format!("`{name}` is not a Rust identifier (ASCII letters, digits and `_`)"));
    }
    // rustc's `non_snake_case` (a warning, so `-D warnings` fails): no upper case, no `__`
    let inner = name.trim_matches('_');
    if inner.chars().any(char::is_uppercase) || inner.contains("__") {
        return Err(format!("`{name}` is not snake_case (rustc warns about the module name)"));
    }
    // `crate`, `self`, `super` and `Self` cannot be raw identifiers
    if matches!(name, "crate" | "self" | "super" | "Self") {
        return Err(format!("`{name}` is a keyword that cannot name a module, even as `r#{name}`"));
    }
    if RESERVED.contains(&name) { Ok(format!("r#{name}")) } else { Ok(name.to_string()) }
}

/// The snake_case stem a file or folder named `name` could be renamed to (`fetch-user` →
/// `fetch_user`, `type` → `type_mod`); `None` when no letters are left.
pub fn snake_file_name(name: &str) -> Option<String> {
    let snake = name.to_snake_case();
    let snake: String = snake.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    let snake = snake.trim_matches('_').to_string();
    if !snake.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    Some(if RESERVED.contains(&snake.as_str()) || matches!(snake.as_str(), "self" | "Self") {
        format!("{snake}_mod")
    } else {
        snake
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_idents_of_file_names() {
        assert_eq!(module_ident("fetch_user"), Ok("fetch_user".to_string()));
        assert_eq!(module_ident("type"), Ok("r#type".to_string()));
        assert_eq!(module_ident("gen"), Ok("r#gen".to_string()));
        assert_eq!(module_ident("_private"), Ok("_private".to_string()));
        for bad in [
            "fetch-user",
            "odd,name:1",
            "FetchUser",
            "a__b",
            "1user",
            "_",
            "ünïcode",
            "self",
            "crate",
            "super",
            "a b",
            "",
        ] {
            assert!(module_ident(bad).is_err(), "{bad}");
        }
        assert_eq!(snake_file_name("fetch-user").as_deref(), Some("fetch_user"));
        assert_eq!(snake_file_name("odd,name:1").as_deref(), Some("odd_name_1"));
        assert_eq!(snake_file_name("type").as_deref(), Some("type_mod"));
        assert_eq!(snake_file_name("1,2"), None);
    }

    #[test]
    fn spellings_map_to_one_canonical_form() {
        for raw in ["FetchUser", "fetch-user", "fetch_user", "fetchUser", "Fetch User", " fetch_user "] {
            let n = Name::parse(raw, "job").unwrap();
            assert_eq!((n.snake.as_str(), n.pascal.as_str()), ("fetch_user", "FetchUser"), "{raw}");
        }
    }

    #[test]
    fn digits_inside_are_fine() {
        assert_eq!(Name::parse("oauth2-login", "job").unwrap().snake, "oauth2_login");
    }

    #[test]
    fn refuses_bad_names_with_exit_code_2() {
        for raw in [
            "",
            "   ",
            "a/b",
            "..",
            "../x",
            "a\\b",
            "type",
            "Self",
            "crate",
            "async",
            "gen",
            "1user",
            "9",
            "fetch$user",
            "ünïcode",
            "---",
            "mod",
            "jobs",
            &"a".repeat(65),
            &"a".repeat(500),
        ] {
            let err = Name::parse(raw, "job").expect_err(raw);
            assert_eq!(crate::error::classify(&err).0.code(), 2, "{raw}");
            assert!(err.to_string().starts_with("invalid job name"), "{raw}: {err}");
        }
    }

    #[test]
    fn names_that_shadow_crates_are_refused() {
        let manifest = "[package]\nname = \"my-app\"\n[dependencies]\nserde_json = \"1\"\nrt = { package = \"orch-runtime\", path = \"x\" }\n[target.'cfg(unix)'.dependencies]\nlibc = \"0.2\"\n[dev-dependencies]\npretty-assertions = \"1\"\n";
        let crates = manifest_crates(manifest);
        assert_eq!(crates, ["libc", "my_app", "pretty_assertions", "rt", "serde_json"]);
        for raw in [
            "orch_runtime",
            "orch-runtime",
            "tokio",
            "std",
            "alloc",
            "proc_macro",
            "serde-json",
            "rt",
            "libc",
            "my_app",
        ] {
            let err =
                Name::parse(raw, "feature").unwrap().check_not_a_crate("feature", &crates, "Cargo.toml");
            let err = err.expect_err(raw);
            assert_eq!(crate::error::classify(&err).0.code(), 2, "{raw}");
        }
        Name::parse("serde_yaml", "feature")
            .unwrap()
            .check_not_a_crate("feature", &crates, "Cargo.toml")
            .unwrap();
    }
}
