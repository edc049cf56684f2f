//! `orch graph`: the project's job → executor → event → orchestrator flow as Mermaid or DOT
//! (see [`crate::graph`]).

use super::Ctx;
use crate::analysis::{self, Options};
use crate::cli::{GraphArgs, GraphFormat};
use crate::error::Failure;

/// Run the command.
pub fn run(ctx: &Ctx<'_>, args: GraphArgs) -> anyhow::Result<()> {
    let project = ctx.project()?;
    let options = Options { flow: true, ..Options::from_config(&project.config) };
    let analysis = analysis::analyze(&project.root, &options)?;
    if let Some(feature) = &args.feature
        && !analysis.features().contains(&feature.as_str())
    {
        let known = analysis.features().join(", ");
        return Err(Failure::usage(format!("feature `{feature}` not found"))
            .at(project.features_dir())
            .hint(if known.is_empty() {
                "the project has no features yet".to_string()
            } else {
                format!("features: {known}")
            })
            .into());
    }
    let graph = crate::graph::build(&analysis, args.feature.as_deref());
    let text = match args.format {
        GraphFormat::Mermaid => crate::graph::mermaid(&graph),
        GraphFormat::Dot => crate::graph::dot(&graph),
    };
    ctx.out.stdout_human(&text)
}
