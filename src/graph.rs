//! The project's flow as a graph, from the source analysis ([`crate::analysis`], the same
//! facts `orch lint` uses): which orchestrator dispatches which job, which executor handles it,
//! which domain events the executor emits and which orchestrators observe them
//! (`event.domain::<T>()`). Rendered as Mermaid or DOT, deterministically (sorted).
//!
//! Types are matched by their last path segment, as the lint rules do. A name declared in
//! several places resolves to the declaration in the referring file's own feature (or core),
//! else to the first one in path order.

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::{Analysis, Fact, Folder, Place, Role};

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    /// A UI-facing state holder that dispatches jobs.
    Orchestrator,
    /// A command.
    Job,
    /// The handler of a job.
    Executor,
    /// A domain event.
    Event,
}

impl NodeKind {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Orchestrator => "orchestrator",
            NodeKind::Job => "job",
            NodeKind::Executor => "executor",
            NodeKind::Event => "event",
        }
    }

    fn from_type(name: &str) -> Option<NodeKind> {
        Role::of_type(name).map(|role| match role {
            Role::Orchestrators => NodeKind::Orchestrator,
            Role::Jobs => NodeKind::Job,
            Role::Executors => NodeKind::Executor,
            Role::Events => NodeKind::Event,
        })
    }
}

/// A type in the graph: its owner (feature name, `core`, or empty when not declared in a
/// component folder) and its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Node {
    /// Feature name, `core`, or empty.
    pub owner: String,
    /// Type name.
    pub name: String,
    /// What it is.
    pub kind: NodeKind,
}

/// How two nodes relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// Orchestrator → job.
    Dispatches,
    /// Job → executor.
    HandledBy,
    /// Executor → event.
    Emits,
    /// Event → orchestrator.
    ObservedBy,
}

impl EdgeKind {
    /// The edge label.
    pub fn label(self) -> &'static str {
        match self {
            EdgeKind::Dispatches => "dispatches",
            EdgeKind::HandledBy => "handled by",
            EdgeKind::Emits => "emits",
            EdgeKind::ObservedBy => "observed by",
        }
    }
}

/// One edge.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edge {
    /// Relation (edges sort by relation first: the flow reads dispatch → handle → emit → observe).
    pub kind: EdgeKind,
    /// Source node.
    pub from: Node,
    /// Target node.
    pub to: Node,
}

/// The flow graph.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Graph {
    /// Every node, sorted.
    pub nodes: BTreeSet<Node>,
    /// Every edge, sorted.
    pub edges: BTreeSet<Edge>,
}

fn owner_of(place: &Place) -> Option<String> {
    match place {
        Place::Feature { feature, .. } => Some(feature.to_string()),
        Place::Core { .. } => Some("core".to_string()),
        _ => None,
    }
}

/// Build the graph of the whole project, or of the edges touching feature `feature`.
pub fn build(analysis: &Analysis, feature: Option<&str>) -> Graph {
    // Declarations: type name → owners (in path order).
    let mut decls: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in &analysis.files {
        let (Some(owner), Some(_)) = (owner_of(&file.place), file.place.folder()) else { continue };
        for (name, _, _) in file.public_types() {
            if NodeKind::from_type(name).is_some() {
                let owners = decls.entry(name.to_string()).or_default();
                if !owners.contains(&owner) {
                    owners.push(owner.clone());
                }
            }
        }
    }
    let resolve = |name: &str, from: &str, kind: NodeKind| -> Node {
        let owner = match decls.get(name) {
            Some(owners) if owners.iter().any(|o| o == from) => from.to_string(),
            Some(owners) => owners.first().cloned().unwrap_or_default(),
            None => String::new(),
        };
        Node { owner, name: name.to_string(), kind }
    };
    let mut graph = Graph::default();
    for file in &analysis.files {
        let (Some(owner), Some(folder)) = (owner_of(&file.place), file.place.folder()) else { continue };
        let typed = |suffix: &str| -> Vec<String> {
            file.public_types()
                .filter(|(n, _, _)| n.ends_with(suffix))
                .map(|(n, _, _)| n.to_string())
                .collect()
        };
        let mut executors: Vec<String> = Vec::new();
        for fact in file.live_facts() {
            if let Fact::ExecutorImpl { job, executor, .. } = fact {
                let from = resolve(job, &owner, NodeKind::Job);
                let to = resolve(executor, &owner, NodeKind::Executor);
                graph.edges.insert(Edge { from, kind: EdgeKind::HandledBy, to });
                if !executors.contains(&executor.to_string()) {
                    executors.push(executor.to_string());
                }
            }
        }
        if executors.is_empty() {
            executors = typed(Role::Executors.suffix());
        }
        let orchestrators = typed(Role::Orchestrators.suffix());
        for fact in file.live_facts() {
            match (fact, folder) {
                (Fact::Dispatch { job, .. }, Folder::Orchestrators) => {
                    for o in &orchestrators {
                        let from = resolve(o, &owner, NodeKind::Orchestrator);
                        let to = resolve(job, &owner, NodeKind::Job);
                        graph.edges.insert(Edge { from, kind: EdgeKind::Dispatches, to });
                    }
                }
                (Fact::Emit { event, .. }, Folder::Executors) => {
                    for e in &executors {
                        let from = resolve(e, &owner, NodeKind::Executor);
                        let to = resolve(event, &owner, NodeKind::Event);
                        graph.edges.insert(Edge { from, kind: EdgeKind::Emits, to });
                    }
                }
                (Fact::Observe { event, .. }, Folder::Orchestrators) => {
                    for o in &orchestrators {
                        let from = resolve(event, &owner, NodeKind::Event);
                        let to = resolve(o, &owner, NodeKind::Orchestrator);
                        graph.edges.insert(Edge { from, kind: EdgeKind::ObservedBy, to });
                    }
                }
                _ => {}
            }
        }
        if feature.is_none_or(|f| f == owner) {
            for (name, _, _) in file.public_types() {
                if let Some(kind) = NodeKind::from_type(name) {
                    graph.nodes.insert(resolve(name, &owner, kind));
                }
            }
        }
    }
    if let Some(f) = feature {
        graph.edges.retain(|e| e.from.owner == f || e.to.owner == f);
    }
    for edge in &graph.edges {
        graph.nodes.insert(edge.from.clone());
        graph.nodes.insert(edge.to.clone());
    }
    graph
}

fn id(node: &Node) -> String {
    let owner = if node.owner.is_empty() { "ext".to_string() } else { node.owner.clone() };
    format!("{owner}_{}", node.name)
}

fn by_owner(graph: &Graph) -> BTreeMap<&str, Vec<&Node>> {
    let mut groups: BTreeMap<&str, Vec<&Node>> = BTreeMap::new();
    for node in &graph.nodes {
        groups.entry(node.owner.as_str()).or_default().push(node);
    }
    groups
}

/// The graph as a Mermaid flowchart: one subgraph per feature (and core), shapes by kind.
pub fn mermaid(graph: &Graph) -> String {
    let mut out = String::from("flowchart LR\n");
    let shape = |n: &Node| match n.kind {
        NodeKind::Orchestrator => format!("{}([\"{}\"])", id(n), n.name),
        NodeKind::Job => format!("{}[\"{}\"]", id(n), n.name),
        NodeKind::Executor => format!("{}[[\"{}\"]]", id(n), n.name),
        NodeKind::Event => format!("{}>\"{}\"]", id(n), n.name),
    };
    for (owner, nodes) in by_owner(graph) {
        let indent = if owner.is_empty() { "    " } else { "        " };
        if !owner.is_empty() {
            let title = if owner == "core" { "core".to_string() } else { format!("feature {owner}") };
            out.push_str(&format!("    subgraph {owner}[\"{title}\"]\n"));
        }
        for node in nodes {
            out.push_str(&format!("{indent}{}\n", shape(node)));
        }
        if !owner.is_empty() {
            out.push_str("    end\n");
        }
    }
    for e in &graph.edges {
        out.push_str(&format!("    {} -->|{}| {}\n", id(&e.from), e.kind.label(), id(&e.to)));
    }
    out
}

/// The graph in Graphviz DOT: one cluster per feature (and core), shapes by kind.
pub fn dot(graph: &Graph) -> String {
    let mut out = String::from("digraph orch {\n    rankdir=LR;\n    node [fontname=\"Helvetica\"];\n");
    let shape = |k: NodeKind| match k {
        NodeKind::Orchestrator => "ellipse",
        NodeKind::Job => "box",
        NodeKind::Executor => "component",
        NodeKind::Event => "cds",
    };
    for (owner, nodes) in by_owner(graph) {
        let indent = if owner.is_empty() { "    " } else { "        " };
        if !owner.is_empty() {
            let title = if owner == "core" { "core".to_string() } else { format!("feature {owner}") };
            out.push_str(&format!("    subgraph \"cluster_{owner}\" {{\n        label=\"{title}\";\n"));
        }
        for n in nodes {
            out.push_str(&format!(
                "{indent}\"{}\" [label=\"{}\", shape={}];\n",
                id(n),
                n.name,
                shape(n.kind)
            ));
        }
        if !owner.is_empty() {
            out.push_str("    }\n");
        }
    }
    for e in &graph.edges {
        out.push_str(&format!(
            "    \"{}\" -> \"{}\" [label=\"{}\"];\n",
            id(&e.from),
            id(&e.to),
            e.kind.label()
        ));
    }
    out.push_str("}\n");
    out
}
