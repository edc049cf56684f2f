//! example-chatbot: a support chatbot on the event-driven orchestrator pattern.
//!
//! `ChatOrchestrator` answers a message with a chain of jobs, each dispatched when the previous
//! one succeeds (moderate → retrieve context → generate reply); the reply streams in as
//! domain events, token by token; the language model sits behind a circuit breaker.
//! `HandoffOrchestrator` hands the conversation to a human with a saga whose completed steps
//! are compensated last-in-first-out when a later step fails. Every service is simulated in
//! process (`backend`).
//!
//! The demo prints, as they happen, every event on the bus and every state the orchestrators
//! go through.

pub mod backend;
pub mod core;
pub mod features;
#[cfg(test)]
mod testkit;
pub mod timeline;

use std::time::Duration;

use orch_runtime::{
    CircuitBreaker, CircuitState, DispatchError, Dispatcher, Orchestrator, OrchestratorHandle, SignalBus,
    Subscription,
};
use tokio::sync::watch;

use crate::backend::Services;
use crate::features::chat::orchestrators::{ChatOrchestrator, ChatState};
use crate::features::handoff::orchestrators::{HandoffOrchestrator, HandoffState};
use crate::timeline::describe;

/// How long the language model's circuit stays open.
const COOL_DOWN: Duration = Duration::from_millis(300);

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bus = SignalBus::new();
    let services = Services::new(Duration::from_millis(10));
    // Guards the language model: opens after 2 consecutive failures, for `COOL_DOWN`.
    let breaker = CircuitBreaker::new(2, COOL_DOWN);
    let mut builder = Dispatcher::builder(bus.clone());
    crate::core::register(&mut builder)?;
    features::register(&mut builder, &services, &breaker)?;
    let dispatcher = builder.build();
    println!("registered job types: {:?}", dispatcher.registered());

    let chat = OrchestratorHandle::spawn(ChatOrchestrator::default(), ChatState::default(), &dispatcher)?;
    let handoff = OrchestratorHandle::spawn(HandoffOrchestrator, HandoffState::Idle, &dispatcher)?;
    let mut demo = Demo { bus: &bus, chat: &chat, breaker: &breaker, services: &services, shown: 0 };

    println!("\n1. a message runs the chain: moderate -> retrieve -> generate (streamed)");
    demo.say("What are your opening hours?").await?;

    println!("\n2. moderation rejects a message: the chain stops");
    demo.say("My password is hunter2, can you check my account?").await?;

    println!("\n3. the language model fails twice: the circuit opens, the next request fails fast");
    services.model.fail_next(2);
    for _ in 0..3 {
        demo.say("How do refunds work?").await?;
    }

    println!("\n4. {COOL_DOWN:?} later the circuit is half-open: a trial request closes it again");
    tokio::time::sleep(COOL_DOWN).await;
    println!("  breaker {:?}", breaker.state());
    demo.say("How do refunds work?").await?;

    println!("\n5. the user asks for a human: a saga hands the conversation over");
    let mut follow = Follow::start(&bus, &handoff);
    HandoffOrchestrator::request(&handoff, chat.state().transcript)?;
    follow.until(|state| println!("  state  {state}"), HandoffState::is_over).await;

    println!("\n6. notifying the user fails: the done steps are undone, last first; one undo fails too");
    services.helpdesk.fail("notify_user");
    services.helpdesk.fail("close_ticket");
    let mut follow = Follow::start(&bus, &handoff);
    HandoffOrchestrator::request(&handoff, chat.state().transcript)?;
    follow.until(|state| println!("  state  {state}"), HandoffState::is_over).await;

    println!("\nhelpdesk log:");
    for line in services.helpdesk.log() {
        println!("  {line}");
    }
    chat.shutdown();
    handoff.shutdown();
    dispatcher.shutdown().await;
    Ok(())
}

struct Demo<'a> {
    bus: &'a SignalBus,
    chat: &'a OrchestratorHandle<ChatOrchestrator>,
    breaker: &'a CircuitBreaker,
    services: &'a Services,
    /// Transcript lines printed so far.
    shown: usize,
}

impl Demo<'_> {
    /// The user sends `text`; print what happens until the turn is over, then the breaker.
    async fn say(&mut self, text: &str) -> Result<(), DispatchError> {
        let mut follow = Follow::start(self.bus, self.chat);
        println!("  user   {text}");
        ChatOrchestrator::send(self.chat, text)?;
        let shown = &mut self.shown;
        let show = |state: &ChatState| {
            println!("  state  {state}");
            for line in &state.transcript[*shown..] {
                println!("  chat   {line}");
            }
            *shown = state.transcript.len();
        };
        follow.until(show, |state| state.turn.is_over()).await;
        let calls = self.services.model.calls();
        match self.breaker.state() {
            CircuitState::Closed => {
                let failures = self.breaker.failures();
                println!(
                    "  breaker Closed ({failures} consecutive failure(s)); model called {calls} time(s) so far"
                );
            }
            state => println!("  breaker {state:?}; model called {calls} time(s) so far"),
        }
        Ok(())
    }
}

/// Prints what happens: every event on the bus, and every state an orchestrator goes
/// through. Start it before dispatching, so that nothing is missed.
struct Follow<O: Orchestrator> {
    events: Subscription,
    states: watch::Receiver<O::State>,
}

impl<O: Orchestrator> Follow<O> {
    fn start(bus: &SignalBus, screen: &OrchestratorHandle<O>) -> Self {
        let mut states = screen.watch();
        states.mark_unchanged();
        Follow { events: bus.subscribe(), states }
    }

    /// Print until `done(state)`; `show` prints a state.
    async fn until(&mut self, mut show: impl FnMut(&O::State), done: impl Fn(&O::State) -> bool) {
        loop {
            tokio::select! {
                // The bus first: an event is printed before the state it leads to.
                biased;
                Some(item) = self.events.recv() => {
                    if let Some(event) = item.event() {
                        println!("  event  {}", describe(event));
                    }
                }
                Ok(()) = self.states.changed() => {
                    let state = self.states.borrow_and_update().clone();
                    show(&state);
                    if done(&state) {
                        break;
                    }
                }
                else => break,
            }
        }
    }
}
