//! Where a path sits in the orch layout: in a feature (and which component folder), in core,
//! directly in the features directory, or elsewhere.

use std::path::{Component, Path};

use std::sync::Arc;

/// A role of the pattern (job, event, executor, orchestrator) and everything orch derives from
/// it: the component folder of a feature or of core, the type-name suffixes, the template that
/// generates it, and how a type name maps to a role. Scan, lint, doctor, graph, list, generate
/// and remove ask this type instead of spelling `"jobs"` or `"Job"` themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// `jobs/`, `...Job`
    Jobs,
    /// `events/`, `...Event`
    Events,
    /// `executors/`, `...Executor`
    Executors,
    /// `orchestrators/`, `...Orchestrator` (and its `...State`)
    Orchestrators,
}

/// The name the analysis first gave [`Role`] (where a path sits); the same type.
pub type Folder = Role;

impl Role {
    /// Every role, in layout order.
    pub const ALL: [Role; 4] = [Role::Jobs, Role::Events, Role::Executors, Role::Orchestrators];

    /// The role whose folder has this directory name.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// The folder's directory name (`jobs`).
    pub const fn name(self) -> &'static str {
        match self {
            Role::Jobs => "jobs",
            Role::Events => "events",
            Role::Executors => "executors",
            Role::Orchestrators => "orchestrators",
        }
    }

    /// Type name suffixes allowed for public types in this folder (the role's own first).
    pub fn suffixes(self) -> &'static [&'static str] {
        match self {
            Role::Jobs => &["Job"],
            Role::Events => &["Event"],
            Role::Executors => &["Executor"],
            Role::Orchestrators => &["Orchestrator", "State"],
        }
    }

    /// The role's own type-name suffix (`Job`).
    pub fn suffix(self) -> &'static str {
        self.suffixes()[0]
    }

    /// Whether `name` is a type of this role: its suffix after at least one more character
    /// (`LoginJob`, not `Job`).
    pub fn names(self, name: &str) -> bool {
        name.len() > self.suffix().len() && name.ends_with(self.suffix())
    }

    /// `name` without the role's suffix (`FetchUser` for `FetchUserJob`); `name` itself when it
    /// does not carry it or is nothing else.
    pub fn stem(self, name: &str) -> &str {
        name.strip_suffix(self.suffix()).filter(|s| !s.is_empty()).unwrap_or(name)
    }

    /// The role a type name announces by its suffix (`...Orchestrator` before `...Job`, as a
    /// name ends in one of them at most); `None` for other names (a `...State` included).
    pub fn of_type(name: &str) -> Option<Role> {
        [Role::Orchestrators, Role::Jobs, Role::Executors, Role::Events]
            .into_iter()
            .find(|r| name.ends_with(r.suffix()))
    }

    /// The built-in template that generates a component of this role.
    pub fn template(self) -> &'static str {
        match self {
            Role::Jobs => "job/job.rs.tera",
            Role::Events => "event/event.rs.tera",
            Role::Executors => "executor/executor.rs.tera",
            Role::Orchestrators => "orchestrator/orchestrator.rs.tera",
        }
    }

    /// Heading and singular noun of the folder, for its generated `mod.rs` doc comment.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            Role::Jobs => ("Jobs", "job"),
            Role::Events => ("Domain events", "event"),
            Role::Executors => ("Executors", "executor"),
            Role::Orchestrators => ("Orchestrators", "orchestrator"),
        }
    }
}

/// Position inside a feature (or core) directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rest {
    /// The feature (or core) directory itself.
    Root,
    /// An entry directly inside it (`mod.rs`, `jobs/`, a stray `helpers/` or `util.rs`).
    Top,
    /// Inside a component folder (any depth).
    Component(Folder),
    /// Inside another top-level folder (stray, or allowed by `extra_folders`).
    Elsewhere,
}

/// Where a path sits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Place {
    /// Under `<features>/<feature>/`.
    Feature {
        /// Feature directory name.
        feature: Arc<str>,
        /// Position inside the feature.
        rest: Rest,
    },
    /// Under the core directory.
    Core {
        /// Position inside core.
        rest: Rest,
    },
    /// The features directory itself or a file directly in it (`features/mod.rs`).
    Features,
    /// Anywhere else.
    Other,
}

impl Place {
    /// The component folder, if the path is inside one.
    pub fn folder(&self) -> Option<Folder> {
        match self {
            Place::Feature { rest: Rest::Component(f), .. } | Place::Core { rest: Rest::Component(f) } => {
                Some(*f)
            }
            _ => None,
        }
    }

    /// The feature name, if the path is inside a feature.
    pub fn feature(&self) -> Option<&str> {
        match self {
            Place::Feature { feature, .. } => Some(feature),
            _ => None,
        }
    }

    /// The position inside a feature or core.
    pub fn rest(&self) -> Option<Rest> {
        match self {
            Place::Feature { rest, .. } | Place::Core { rest } => Some(*rest),
            _ => None,
        }
    }
}

/// Classifies paths; caches the last feature name so files of one feature share one `Arc<str>`.
/// Works on the paths' bytes (`/`-separated, as the walk produces them): no per-component
/// iteration, no allocation except for a new feature name.
#[derive(Debug, Clone)]
pub struct Classifier {
    features: Vec<u8>,
    core: Vec<u8>,
    last: Option<Arc<str>>,
}

/// `path` below `dir` (`Some(b"")` for `dir` itself).
fn below<'a>(path: &'a [u8], dir: &[u8]) -> Option<&'a [u8]> {
    if path == dir {
        return Some(b"");
    }
    match path.strip_prefix(dir) {
        Some([b'/', rest @ ..]) if !dir.is_empty() => Some(rest),
        _ => None,
    }
}

impl Classifier {
    /// A classifier for the given root-relative features and core directories.
    pub fn new(features: &Path, core: &Path) -> Self {
        let bytes = |p: &Path| clean(p).as_os_str().as_encoded_bytes().to_vec();
        Classifier { features: bytes(features), core: bytes(core), last: None }
    }

    /// Classify a root-relative path; `is_dir` tells whether it is a directory.
    pub fn classify(&mut self, rel: &Path, is_dir: bool) -> Place {
        let b = rel.as_os_str().as_encoded_bytes();
        if let Some(inside) = below(b, &self.features) {
            if inside.is_empty() {
                return Place::Features;
            }
            let (first, rest) = match inside.iter().position(|&c| c == b'/') {
                Some(i) => (&inside[..i], &inside[i + 1..]),
                None => (inside, &b""[..]),
            };
            if rest.is_empty() && !is_dir {
                return Place::Features;
            }
            let Ok(name) = std::str::from_utf8(first) else { return Place::Other };
            let feature = match &self.last {
                Some(last) if &**last == name => last.clone(),
                _ => {
                    let arc: Arc<str> = Arc::from(name);
                    self.last = Some(arc.clone());
                    arc
                }
            };
            return Place::Feature { feature, rest: rest_of(rest) };
        }
        if let Some(inside) = below(b, &self.core) {
            return Place::Core { rest: if inside.is_empty() { Rest::Root } else { rest_of(inside) } };
        }
        Place::Other
    }
}

/// Position from the path below a feature (or core) directory (non-empty for entries in it).
fn rest_of(rest: &[u8]) -> Rest {
    if rest.is_empty() {
        return Rest::Root;
    }
    match rest.iter().position(|&c| c == b'/') {
        None => Rest::Top,
        Some(i) => match std::str::from_utf8(&rest[..i]).ok().and_then(Folder::from_name) {
            Some(folder) => Rest::Component(folder),
            None => Rest::Elsewhere,
        },
    }
}

/// Drop `.` components (config paths like `./src/features`).
fn clean(path: &Path) -> std::path::PathBuf {
    path.components().filter(|c| !matches!(c, Component::CurDir)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_map_folders_and_type_names() {
        for r in Role::ALL {
            assert_eq!(Role::from_name(r.name()), Some(r));
            assert_eq!(Role::of_type(&format!("Login{}", r.suffix())), Some(r));
            assert!(r.names(&format!("Login{}", r.suffix())) && !r.names(r.suffix()));
            assert_eq!(r.stem(&format!("FetchUser{}", r.suffix())), "FetchUser");
            assert_eq!(r.stem(r.suffix()), r.suffix());
        }
        assert_eq!(Role::from_name("helpers"), None);
        assert_eq!(Role::of_type("LoginState"), None);
        assert_eq!(Role::of_type("JobOrchestrator"), Some(Role::Orchestrators));
    }

    #[test]
    fn classifies_the_layout() {
        let mut c = Classifier::new(Path::new("src/features"), Path::new("src/core"));
        let f = |c: &mut Classifier, p: &str, d: bool| c.classify(Path::new(p), d);
        assert_eq!(f(&mut c, "src/features", true), Place::Features);
        assert_eq!(f(&mut c, "src/features/mod.rs", false), Place::Features);
        let auth = |rest| Place::Feature { feature: Arc::from("auth"), rest };
        assert_eq!(f(&mut c, "src/features/auth", true), auth(Rest::Root));
        assert_eq!(f(&mut c, "src/features/auth/mod.rs", false), auth(Rest::Top));
        assert_eq!(f(&mut c, "src/features/auth/jobs", true), auth(Rest::Top));
        assert_eq!(f(&mut c, "src/features/auth/jobs/login.rs", false), auth(Rest::Component(Folder::Jobs)));
        assert_eq!(f(&mut c, "src/features/auth/helpers/x.rs", false), auth(Rest::Elsewhere));
        assert_eq!(
            f(&mut c, "src/core/executors/mod.rs", false),
            Place::Core { rest: Rest::Component(Folder::Executors) }
        );
        assert_eq!(f(&mut c, "src/main.rs", false), Place::Other);
    }
}
