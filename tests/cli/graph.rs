//! `orch graph`: every edge of a fixture project, Mermaid and DOT, one feature, errors.

use insta::assert_snapshot;

use crate::support::Fixture;

/// A project with a generated feature (`auth`) and a hand-written one (`cart`) whose
/// orchestrator dispatches two jobs, one handled in core, and observes an `auth` event. The core
/// executor has no event (none existed when it was added), so it emits nothing.
fn fixture() -> Fixture {
    let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "auth"]);
    fx.orch(&["new", "feature", "cart", "--no-orchestrator", "-q"]).ok();
    fx.orch(&["add", "executor", "charge", "-q"]).ok();
    fx.write(
        "src/features/cart/orchestrators/checkout.rs",
        "use orch_runtime::{Event, Orchestrator, OrchestratorContext};\n\
         use crate::shared::jobs::ChargeJob;\n\
         use crate::features::auth::events::AuthEvent;\n\
         use crate::features::cart::jobs::CartJob;\n\n\
         /// State.\n#[derive(Debug, Clone, Default)]\npub struct CheckoutState;\n\n\
         /// Checks out.\n#[derive(Debug, Default)]\npub struct CheckoutOrchestrator;\n\n\
         impl Orchestrator for CheckoutOrchestrator {\n    type State = CheckoutState;\n\
         \x20   fn on_passive(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, CheckoutState>) {\n\
         \x20       if event.domain::<AuthEvent>().is_some() {\n\
         \x20           let _ = cx.dispatch(CartJob::new(\"x\"));\n\
         \x20           let _ = cx.dispatch(ChargeJob::new(\"x\"));\n        }\n    }\n}\n\n\
         #[cfg(test)]\nmod tests {\n    fn ignored() { let _ = super::CartJob::new(\"test-only\"); }\n}\n",
    );
    fx.write(
        "src/features/cart/orchestrators/mod.rs",
        "mod checkout;\n\npub use checkout::{CheckoutOrchestrator, CheckoutState};\n",
    );
    fx
}

#[test]
fn graph_has_every_edge_of_the_fixture() {
    let fx = fixture();
    let run = fx.orch(&["graph"]);
    run.ok();
    let edges: Vec<&str> = run.stdout.lines().filter(|l| l.contains("-->")).map(str::trim).collect();
    assert_eq!(
        edges,
        [
            "auth_AuthOrchestrator -->|dispatches| auth_AuthJob",
            "cart_CheckoutOrchestrator -->|dispatches| cart_CartJob",
            "cart_CheckoutOrchestrator -->|dispatches| core_ChargeJob",
            "auth_AuthJob -->|handled by| auth_AuthExecutor",
            "cart_CartJob -->|handled by| cart_CartExecutor",
            "core_ChargeJob -->|handled by| core_ChargeExecutor",
            "auth_AuthExecutor -->|emits| auth_AuthEvent",
            "cart_CartExecutor -->|emits| cart_CartEvent",
            "auth_AuthEvent -->|observed by| auth_AuthOrchestrator",
            "auth_AuthEvent -->|observed by| cart_CheckoutOrchestrator",
        ]
    );
    assert_snapshot!("graph_mermaid", run.stdout);
    let dot = fx.orch(&["graph", "--format", "dot"]);
    dot.ok();
    assert_snapshot!("graph_dot", dot.stdout);
    // Deterministic.
    assert_eq!(fx.orch(&["graph"]).stdout, run.stdout);
}

#[test]
fn graph_of_one_feature_keeps_the_edges_touching_it() {
    let fx = fixture();
    let run = fx.orch(&["graph", "--feature", "cart"]);
    run.ok();
    assert_snapshot!("graph_feature_cart", run.stdout);
    assert!(!run.stdout.contains("auth_AuthJob"), "{}", run.stdout);
    let run = fx.orch(&["graph", "--feature", "nope"]);
    run.expect_code(2);
    assert_snapshot!("graph_unknown_feature", run.transcript());
}
