//! The simulated upload server: an in-process stand-in for a resumable-upload HTTP API (in
//! the spirit of S3 multipart uploads or tus). It knows nothing about the orchestrator
//! pattern; `UploadExecutor` is the only code that talks to it.
//!
//! Deterministic by construction: every call takes `latency` of tokio time (instant and exact
//! under a paused clock), and failures are injected per file and chunk with
//! [`UploadServer::reject`] and [`UploadServer::delay`]. The server records what it received
//! ([`UploadServer::received`], [`UploadServer::log`]) so that tests can check, for example,
//! that no chunk arrived after a cancellation.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// What the server answers when a call fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerError {
    /// The server answered `503 Service Unavailable` for a chunk (a transient failure).
    ChunkRejected {
        /// The chunk (1-based).
        chunk: u32,
    },
    /// `complete` was called before every chunk arrived.
    Incomplete {
        /// Chunks the server holds.
        have: u32,
        /// Chunks the file has.
        of: u32,
    },
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::ChunkRejected { chunk } => {
                write!(f, "chunk {chunk} rejected: 503 Service Unavailable")
            }
            ServerError::Incomplete { have, of } => {
                write!(f, "cannot complete: {have} of {of} chunks received")
            }
        }
    }
}

impl std::error::Error for ServerError {}

/// A file being uploaded: how many chunks it has, and those that arrived.
#[derive(Default)]
struct Upload {
    of: u32,
    chunks: BTreeMap<u32, Vec<u8>>,
}

#[derive(Default)]
struct ServerState {
    /// (file, chunk) -> how many more times that chunk is rejected.
    rejections: BTreeMap<(String, u32), u32>,
    /// (file, chunk) -> extra time that chunk takes.
    delays: BTreeMap<(String, u32), Duration>,
    uploads: BTreeMap<String, Upload>,
    /// (file, chunk) in the order the chunks were stored.
    received: Vec<(String, u32)>,
    log: Vec<String>,
}

/// The simulated server. Share it with `Arc`; every method takes `&self`.
pub struct UploadServer {
    latency: Duration,
    state: Mutex<ServerState>,
}

impl UploadServer {
    /// A server whose every call takes `latency`.
    pub fn new(latency: Duration) -> Self {
        UploadServer { latency, state: Mutex::default() }
    }

    /// Inject a failure: the next `times` uploads of `chunk` (1-based) of `file` are rejected.
    pub fn reject(&self, file: &str, chunk: u32, times: u32) {
        self.lock().rejections.insert((file.to_owned(), chunk), times);
    }

    /// Inject a delay: uploading `chunk` (1-based) of `file` takes `extra` on top of the latency.
    pub fn delay(&self, file: &str, chunk: u32, extra: Duration) {
        self.lock().delays.insert((file.to_owned(), chunk), extra);
    }

    /// How many chunks of `file` the server holds, counted from the first without a gap: where
    /// a resumed upload continues. One round trip.
    pub async fn acknowledged(&self, file: &str) -> u32 {
        tokio::time::sleep(self.latency).await;
        let state = self.lock();
        let held =
            state.uploads.get(file).map_or(0, |u| (1..).take_while(|c| u.chunks.contains_key(c)).count());
        u32::try_from(held).unwrap_or(u32::MAX)
    }

    /// Upload chunk `chunk` of `of` of `file`. The chunk is stored only once the round trip
    /// completes: if the caller drops this future before (cancellation, timeout), the chunk
    /// never arrives.
    pub async fn put_chunk(&self, file: &str, chunk: u32, of: u32, bytes: &[u8]) -> Result<(), ServerError> {
        let extra = self.lock().delays.get(&(file.to_owned(), chunk)).copied().unwrap_or_default();
        tokio::time::sleep(self.latency + extra).await;
        let mut state = self.lock();
        if let Some(left) = state.rejections.get_mut(&(file.to_owned(), chunk)).filter(|left| **left > 0) {
            *left -= 1;
            state.log.push(format!("{file}: chunk {chunk}/{of} rejected (503)"));
            return Err(ServerError::ChunkRejected { chunk });
        }
        let upload = state.uploads.entry(file.to_owned()).or_default();
        upload.of = of;
        upload.chunks.insert(chunk, bytes.to_vec());
        state.received.push((file.to_owned(), chunk));
        state.log.push(format!("{file}: chunk {chunk}/{of} stored ({} bytes)", bytes.len()));
        Ok(())
    }

    /// Assemble the chunks of `file`; returns the file's location.
    pub async fn complete(&self, file: &str) -> Result<String, ServerError> {
        tokio::time::sleep(self.latency).await;
        let mut state = self.lock();
        let (have, of, size) = match state.uploads.get(file) {
            Some(u) => (u.chunks.len(), u.of, u.chunks.values().map(Vec::len).sum::<usize>()),
            None => (0, 0, 0),
        };
        let have = u32::try_from(have).unwrap_or(u32::MAX);
        if of == 0 || have != of {
            return Err(ServerError::Incomplete { have, of });
        }
        state.log.push(format!("{file}: completed ({size} bytes)"));
        Ok(format!("mem://uploads/{file}"))
    }

    /// The chunks of `file` the server stored, in the order they arrived.
    pub fn received(&self, file: &str) -> Vec<u32> {
        self.lock().received.iter().filter(|(f, _)| f == file).map(|(_, chunk)| *chunk).collect()
    }

    /// Everything the server did, in order (`"a.bin: chunk 1/4 stored (4 bytes)"`, ...).
    pub fn log(&self) -> Vec<String> {
        self.lock().log.clone()
    }

    fn lock(&self) -> MutexGuard<'_, ServerState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
