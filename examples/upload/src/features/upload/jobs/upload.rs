//! `UploadJob`: a command of feature `upload`, carried out by `UploadExecutor`.

use orch_runtime::Job;

/// Upload one file in chunks. A job is an immutable command: it carries every input its
/// executor needs, and the dispatcher routes it by type to the one executor registered for it.
///
/// How the upload is retried and how long it may take are not part of the job: they are
/// chosen at dispatch, with `DispatchOptions` (see `UploadOrchestrator::start`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadJob {
    /// The file's name on the server.
    pub file_name: String,
    /// The file's content.
    pub content: Vec<u8>,
    /// Bytes per chunk (the last chunk may be shorter).
    pub chunk_size: usize,
}

impl UploadJob {
    /// Upload `content` as `file_name`, `chunk_size` bytes at a time.
    pub fn new(file_name: impl Into<String>, content: impl Into<Vec<u8>>, chunk_size: usize) -> Self {
        Self { file_name: file_name.into(), content: content.into(), chunk_size: chunk_size.max(1) }
    }

    /// The chunks, in order.
    pub fn chunks(&self) -> std::slice::Chunks<'_, u8> {
        self.content.chunks(self.chunk_size.max(1))
    }

    /// How many chunks the file has.
    pub fn chunk_count(&self) -> u32 {
        u32::try_from(self.chunks().len()).unwrap_or(u32::MAX)
    }
}

impl Job for UploadJob {
    /// The file's location on the server; carried by the `Succeeded` event.
    type Output = String;
}
