//! The simulated services the chatbot's executors talk to: a moderation API, a knowledge base,
//! a streaming language model and a helpdesk. In-process stand-ins for network services; they
//! know nothing about the orchestrator pattern.
//!
//! Deterministic by construction: every call takes a fixed latency of tokio time (instant and
//! exact under a paused clock), and failures are injected by the caller
//! ([`LanguageModel::fail_next`], [`Helpdesk::fail`]). They record what reached them
//! ([`LanguageModel::calls`], [`Helpdesk::log`]) so that tests can check, for example, that an
//! open circuit kept a request away from the model.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Every simulated service, shared by the executors.
#[derive(Clone)]
pub struct Services {
    /// Reviews user messages.
    pub moderation: Arc<ModerationApi>,
    /// Finds the articles that answer a question.
    pub knowledge: Arc<KnowledgeBase>,
    /// Streams replies token by token.
    pub model: Arc<LanguageModel>,
    /// Hands conversations over to human agents.
    pub helpdesk: Arc<Helpdesk>,
}

impl Services {
    /// All services, each call taking `latency`.
    pub fn new(latency: Duration) -> Self {
        Services {
            moderation: Arc::new(ModerationApi { latency }),
            knowledge: Arc::new(KnowledgeBase { latency }),
            model: Arc::new(LanguageModel {
                latency,
                failures_left: AtomicU32::new(0),
                calls: AtomicU32::new(0),
            }),
            helpdesk: Arc::new(Helpdesk { latency, state: Mutex::default() }),
        }
    }
}

/// A moderation API: rejects messages that share secrets.
pub struct ModerationApi {
    latency: Duration,
}

impl ModerationApi {
    /// `None` if `text` may be processed, else why not.
    pub async fn review(&self, text: &str) -> Option<String> {
        tokio::time::sleep(self.latency).await;
        let lower = text.to_lowercase();
        ["password", "credit card"]
            .into_iter()
            .find(|secret| lower.contains(secret))
            .map(|secret| format!("message rejected: it contains a {secret}"))
    }
}

/// A knowledge base of help-centre articles, searched by keyword.
pub struct KnowledgeBase {
    latency: Duration,
}

const ARTICLES: [(&str, &str); 2] = [
    ("hours", "We are open 9:00 to 17:00, Monday to Friday."),
    ("refund", "Refunds reach your card within 5 business days."),
];

impl KnowledgeBase {
    /// The articles whose keyword appears in `question`.
    pub async fn search(&self, question: &str) -> Vec<String> {
        tokio::time::sleep(self.latency).await;
        let lower = question.to_lowercase();
        ARTICLES
            .iter()
            .filter(|(keyword, _)| lower.contains(keyword))
            .map(|(_, text)| text.to_string())
            .collect()
    }
}

/// What the language model answers when it fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelError {
    /// `503`: the model is overloaded.
    Overloaded,
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::Overloaded => f.write_str("language model overloaded (503)"),
        }
    }
}

impl std::error::Error for ModelError {}

/// A language model that streams its reply one token (word) per `latency`. Its "reply" is
/// the retrieved context, read back.
pub struct LanguageModel {
    latency: Duration,
    failures_left: AtomicU32,
    calls: AtomicU32,
}

impl LanguageModel {
    /// Inject an outage: the next `n` requests fail with [`ModelError::Overloaded`].
    pub fn fail_next(&self, n: u32) {
        self.failures_left.store(n, Ordering::SeqCst);
    }

    /// How many requests reached the model.
    pub fn calls(&self) -> u32 {
        self.calls.load(Ordering::SeqCst)
    }

    /// Answer `question` from `context`, calling `on_token` with each token as it is
    /// generated; returns the whole reply.
    pub async fn stream(
        &self,
        question: &str,
        context: &[String],
        mut on_token: impl FnMut(&str) + Send,
    ) -> Result<String, ModelError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.latency).await;
        let failing =
            self.failures_left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if failing.is_ok() {
            return Err(ModelError::Overloaded);
        }
        let reply = if context.is_empty() {
            format!("Sorry, I cannot answer \"{question}\" yet.")
        } else {
            context.join(" ")
        };
        for (i, word) in reply.split(' ').enumerate() {
            if i > 0 {
                tokio::time::sleep(self.latency).await;
            }
            let token = if i == 0 { word.to_owned() } else { format!(" {word}") };
            on_token(&token);
        }
        Ok(reply)
    }
}

/// What the helpdesk answers when an operation fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpdeskError {
    /// The operation (`"open_ticket"`, ...).
    pub operation: &'static str,
}

impl fmt::Display for HelpdeskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: helpdesk unavailable", self.operation)
    }
}

impl std::error::Error for HelpdeskError {}

#[derive(Default)]
struct HelpdeskState {
    failing: BTreeSet<&'static str>,
    next_ticket: u32,
    log: Vec<String>,
}

/// A helpdesk: agents, tickets and user notifications. Every operation can be made to fail.
pub struct Helpdesk {
    latency: Duration,
    state: Mutex<HelpdeskState>,
}

impl Helpdesk {
    /// Inject a failure: every later call of `operation` fails.
    pub fn fail(&self, operation: &'static str) {
        self.lock().failing.insert(operation);
    }

    /// Everything the helpdesk did (or refused to do), in order.
    pub fn log(&self) -> Vec<String> {
        self.lock().log.clone()
    }

    /// Reserve an agent; returns the agent's name.
    pub async fn reserve_agent(&self) -> Result<String, HelpdeskError> {
        self.call("reserve_agent", "agent Ada reserved".to_owned()).await.map(|()| "Ada".to_owned())
    }

    /// Release a reserved agent.
    pub async fn release_agent(&self, agent: &str) -> Result<(), HelpdeskError> {
        self.call("release_agent", format!("agent {agent} released")).await
    }

    /// Open a ticket; returns its number.
    pub async fn open_ticket(&self) -> Result<u32, HelpdeskError> {
        tokio::time::sleep(self.latency).await;
        let mut state = self.lock();
        check(&mut state, "open_ticket")?;
        state.next_ticket += 1;
        let ticket = state.next_ticket;
        state.log.push(format!("ticket #{ticket} opened"));
        Ok(ticket)
    }

    /// Close a ticket.
    pub async fn close_ticket(&self, ticket: u32) -> Result<(), HelpdeskError> {
        self.call("close_ticket", format!("ticket #{ticket} closed")).await
    }

    /// Attach the conversation to a ticket.
    pub async fn attach_transcript(&self, ticket: u32, lines: usize) -> Result<(), HelpdeskError> {
        self.call("attach_transcript", format!("transcript ({lines} lines) attached to #{ticket}")).await
    }

    /// Remove the conversation from a ticket.
    pub async fn detach_transcript(&self, ticket: u32) -> Result<(), HelpdeskError> {
        self.call("detach_transcript", format!("transcript detached from #{ticket}")).await
    }

    /// Tell the user an agent will answer.
    pub async fn notify_user(&self, ticket: u32) -> Result<(), HelpdeskError> {
        self.call("notify_user", format!("user notified about #{ticket}")).await
    }

    /// One round trip: fails if `operation` is failing, else logs `done`.
    async fn call(&self, operation: &'static str, done: String) -> Result<(), HelpdeskError> {
        tokio::time::sleep(self.latency).await;
        let mut state = self.lock();
        check(&mut state, operation)?;
        state.log.push(done);
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, HelpdeskState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn check(state: &mut HelpdeskState, operation: &'static str) -> Result<(), HelpdeskError> {
    if state.failing.contains(operation) {
        state.log.push(format!("{operation}: FAILED"));
        return Err(HelpdeskError { operation });
    }
    Ok(())
}
