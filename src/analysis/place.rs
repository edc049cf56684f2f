//! Where a path sits in the orch layout: in a feature (and which component folder), in core,
//! directly in the features directory, or elsewhere.

use std::path::{Component, Path};

use std::sync::Arc;

/// A component folder of a feature or of core.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Folder {
    /// `jobs/`
    Jobs,
    /// `events/`
    Events,
    /// `executors/`
    Executors,
    /// `orchestrators/`
    Orchestrators,
}

impl Folder {
    /// Every folder, in layout order.
    pub const ALL: [Folder; 4] = [Folder::Jobs, Folder::Events, Folder::Executors, Folder::Orchestrators];

    /// The folder for a directory name.
    pub fn from_name(name: &str) -> Option<Folder> {
        match name {
            "jobs" => Some(Folder::Jobs),
            "events" => Some(Folder::Events),
            "executors" => Some(Folder::Executors),
            "orchestrators" => Some(Folder::Orchestrators),
            _ => None,
        }
    }

    /// The directory name.
    pub fn name(self) -> &'static str {
        match self {
            Folder::Jobs => "jobs",
            Folder::Events => "events",
            Folder::Executors => "executors",
            Folder::Orchestrators => "orchestrators",
        }
    }

    /// Type name suffixes allowed for public types in this folder.
    pub fn suffixes(self) -> &'static [&'static str] {
        match self {
            Folder::Jobs => &["Job"],
            Folder::Events => &["Event"],
            Folder::Executors => &["Executor"],
            Folder::Orchestrators => &["Orchestrator", "State"],
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
