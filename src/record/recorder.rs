//! The recorder: a consumer of what the engine hands the screens. The dashboard passes each
//! event on as it takes it; a thread of the recorder's own turns polls into parts (a whole
//! snapshot now and then, what changed in between) and appends them, so neither drawing nor
//! polling waits on the disk.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Instant;

use chrono::{DateTime, Utc};

use super::format::{self, Kind};
use super::tape::FailedPart;
use super::{Keep, OperationPart, StartPart};
use crate::engine::events::Event;
use crate::model::{Snapshot, Text};

/// A whole snapshot at least this often (in parts, and in the data's minutes), so a replay
/// jumps quickly and `--record-keep` has places to cut.
const FULL_EVERY_PARTS: usize = 60;
const FULL_EVERY_MINUTES: i64 = 10;

enum Note {
    Poll(Arc<Snapshot>, Instant),
    Failed(Instant, String),
    Operation(Instant, OperationPart),
}

/// Notes waiting for the writer at most: beyond, a poll is left out (the next one written
/// carries its changes) rather than the dashboard wait on the disk.
const QUEUE: usize = 64;

pub struct Recorder {
    notes: Option<mpsc::SyncSender<Note>>,
    thread: Option<std::thread::JoinHandle<()>>,
    path: PathBuf,
    /// Why recording stopped (a full disk, a file taken away), until the dashboard says it.
    failed: Arc<std::sync::Mutex<Option<String>>>,
}

impl Recorder {
    /// Open (or go on with) the recording at `path`, and start its thread.
    pub fn start(path: &Path, keep: Option<Keep>, start: StartPart) -> Result<Recorder, String> {
        let shown = crate::model::text::escape(&path.display().to_string());
        let mut writer = Writer::open(path, keep, &start)
            .map_err(|e| format!("cannot record to {shown}: {e}"))?;
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        let failed = Arc::new(std::sync::Mutex::new(None));
        let said = failed.clone();
        let thread = std::thread::Builder::new()
            .name("recorder".into())
            .spawn(move || {
                if let Err(e) = writer.run(rx) {
                    tracing::error!(error = %e, "recording stopped");
                    if let Ok(mut f) = said.lock() {
                        *f = Some(format!("recording stopped: {shown}: {e}"));
                    }
                }
            })
            .map_err(|e| format!("cannot record: {e}"))?;
        Ok(Recorder {
            notes: Some(tx),
            thread: Some(thread),
            path: path.to_path_buf(),
            failed,
        })
    }

    /// Why recording stopped, once.
    pub fn take_failure(&self) -> Option<String> {
        self.failed.lock().ok()?.take()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Keep what the engine reported, as the screens take it; never waits: with the writer
    /// [`QUEUE`] notes behind, a poll is left out.
    pub fn observe(&self, ev: &Event) {
        let Some(note) = note_of(ev) else { return };
        if let Some(tx) = &self.notes
            && let Err(mpsc::TrySendError::Full(_)) = tx.try_send(note)
        {
            tracing::warn!("the recording is behind: a poll left out");
        }
    }

    /// As [`Recorder::observe`], waiting for the writer when it is behind (for a recording
    /// made all at once, as the benchmark and the tests make one).
    pub fn observe_waiting(&self, ev: &Event) {
        if let Some(note) = note_of(ev) {
            self.send(note);
        }
    }

    /// An operation confirmed or ended: always kept, waiting for room if need be.
    pub fn operation(&self, part: OperationPart) {
        self.send(Note::Operation(Instant::now(), part));
    }

    fn send(&self, note: Note) {
        if let Some(tx) = &self.notes {
            // A recorder that stopped has said why; its notes go nowhere.
            let _ = tx.send(note);
        }
    }
}

fn note_of(ev: &Event) -> Option<Note> {
    match ev {
        Event::Data(Ok(snap)) => Some(Note::Poll(snap.clone(), Instant::now())),
        Event::Data(Err(e)) => Some(Note::Failed(Instant::now(), e.clone())),
        _ => None,
    }
}

/// Ending the recorder writes what it was given, then closes the file.
impl Drop for Recorder {
    fn drop(&mut self) {
        drop(self.notes.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Writer {
    path: PathBuf,
    file: File,
    keep: Option<Keep>,
    /// Every part in the file: where it begins, its time and kind.
    parts: Vec<(usize, DateTime<Utc>, Kind)>,
    size: usize,
    /// The last poll written, to write the next as a change: the snapshot itself, which the
    /// screens hold anyway, not its JSON (which for 10,000 keys is tens of megabytes).
    prev: Option<Arc<Snapshot>>,
    since_full: usize,
    full_at: DateTime<Utc>,
    /// The newest poll's time, and when it came: a failure or an operation is placed on the
    /// data's clock (simulated time in the demo), as long after it as it came.
    clock: Option<(DateTime<Utc>, Instant)>,
}

impl Writer {
    /// A new file, or the end of an existing recording (a part left torn by a crash is cut
    /// off first, so the new parts can be read). Anything else at `path` is refused.
    fn open(path: &Path, keep: Option<Keep>, start: &StartPart) -> std::io::Result<Writer> {
        let existing = match std::fs::symlink_metadata(path) {
            Ok(_) => {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(
                    &mut crate::host::files::open_private_read(path)?,
                    &mut bytes,
                )?;
                Some(format::index(&bytes).map_err(|e| {
                    std::io::Error::other(format!(
                        "the file exists and {e}: edgetop records only into a new file or a recording of its own"
                    ))
                })?)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let mut file = crate::host::files::open_private_append(path)?;
        let (parts, size) = match existing {
            Some(ix) => {
                file.set_len(ix.valid_end as u64)?;
                let parts = ix.parts.iter().map(|p| (p.offset, p.at, p.kind)).collect();
                (parts, ix.valid_end)
            }
            None => {
                let h = format::header();
                file.write_all(&h)?;
                (Vec::new(), h.len())
            }
        };
        let mut w = Writer {
            path: path.to_path_buf(),
            file,
            keep,
            parts,
            size,
            prev: None,
            since_full: 0,
            full_at: DateTime::default(),
            clock: None,
        };
        w.write(Kind::Start, start.started, &to_json(start)?)?;
        Ok(w)
    }

    fn run(&mut self, notes: mpsc::Receiver<Note>) -> std::io::Result<()> {
        for note in notes {
            match note {
                Note::Poll(s, came) => {
                    self.clock = Some((s.taken_at, came));
                    self.poll(s)?
                }
                Note::Failed(when, error) => {
                    let part = FailedPart {
                        error: Text::new(&error),
                    };
                    self.write(Kind::Failed, self.on_clock(when), &to_json(&part)?)?;
                }
                Note::Operation(when, op) => {
                    self.write(Kind::Operation, self.on_clock(when), &to_json(&op)?)?
                }
            }
        }
        Ok(())
    }

    /// `when` on the data's clock: the newest poll's time and what passed since it came.
    fn on_clock(&self, when: Instant) -> DateTime<Utc> {
        match self.clock {
            Some((at, came)) => {
                at + chrono::Duration::from_std(when.saturating_duration_since(came))
                    .unwrap_or_default()
            }
            None => Utc::now(),
        }
    }

    fn poll(&mut self, snap: Arc<Snapshot>) -> std::io::Result<()> {
        let value = |s: &Snapshot| serde_json::to_value(s).map_err(std::io::Error::other);
        let now = value(&snap)?;
        let at = snap.taken_at;
        let due_full = self.since_full >= FULL_EVERY_PARTS
            || (at - self.full_at).num_minutes() >= FULL_EVERY_MINUTES;
        let delta = match &self.prev {
            Some(prev) if !due_full => Some(to_json(&super::diff::diff(&value(prev)?, &now))?),
            _ => None,
        };
        let full = || to_json(&now);
        match delta {
            Some(d) if d.len() < 64 << 10 || d.len() < full()?.len() / 2 => {
                self.write(Kind::Delta, at, &d)?;
                self.since_full += 1;
            }
            _ => {
                self.write(Kind::Full, at, &full()?)?;
                self.since_full = 0;
                self.full_at = at;
            }
        }
        self.prev = Some(snap);
        Ok(())
    }

    fn write(&mut self, kind: Kind, at: DateTime<Utc>, json: &[u8]) -> std::io::Result<()> {
        let part = format::encode(kind, at, json)?;
        self.file.write_all(&part)?;
        self.parts.push((self.size, at, kind));
        self.size += part.len();
        if kind == Kind::Full {
            self.trim()?;
        }
        Ok(())
    }

    /// Bytes from the whole snapshot before the newest to the newest.
    fn since_last_full(&self) -> usize {
        let mut fulls = self.parts.iter().rev().filter(|p| p.2 == Kind::Full);
        let newest = fulls.next().map_or(self.size, |p| p.0);
        fulls.next().map_or(0, |p| newest - p.0)
    }

    /// Drop the oldest parts the keep bound leaves out: everything before a whole snapshot,
    /// the newest start part kept in front. Done only when a whole snapshot was written,
    /// since a recording can begin only at one.
    fn trim(&mut self) -> std::io::Result<()> {
        let Some(keep) = self.keep else {
            return Ok(());
        };
        let fulls = self
            .parts
            .iter()
            .enumerate()
            .filter(|(_, p)| p.2 == Kind::Full);
        let newest = self.parts.last().map_or(DateTime::default(), |p| p.1);
        let cut = match keep {
            Keep::Age(d) => {
                let cutoff = newest - chrono::Duration::from_std(d).unwrap_or_default();
                fulls
                    .filter(|(_, p)| p.1 <= cutoff)
                    .map(|(i, _)| i)
                    .next_back()
            }
            // Room is left for what comes until the next whole snapshot (as much as came
            // since the last), so the file stays within the bound between two trims.
            Keep::Bytes(max) => fulls
                .map(|(i, _)| i)
                .find(|&i| (self.size - self.parts[i].0 + self.since_last_full()) as u64 <= max)
                .or_else(|| {
                    let last_full = self.parts.iter().rposition(|p| p.2 == Kind::Full);
                    last_full.filter(|_| self.size as u64 > max)
                }),
        };
        let Some(cut) = cut else { return Ok(()) };
        let Some(start) = self.parts[..cut].iter().rposition(|p| p.2 == Kind::Start) else {
            return Ok(());
        };
        if self.parts[..start].iter().all(|p| p.2 == Kind::Start) && start + 1 == cut {
            return Ok(()); // nothing before the start and its snapshot
        }
        let bytes = std::fs::read(&self.path)?;
        let start_bytes = &bytes[self.parts[start].0..self.parts[start + 1].0];
        let mut kept = format::header();
        kept.extend_from_slice(start_bytes);
        let shift = self.parts[cut].0 - kept.len();
        kept.extend_from_slice(&bytes[self.parts[cut].0..]);
        crate::host::files::write_atomic(&self.path, &kept)?;
        self.file = crate::host::files::open_private_append(&self.path)?;
        let head = (format::HEADER_LEN, self.parts[start].1, Kind::Start);
        let rest: Vec<_> = self.parts[cut..]
            .iter()
            .map(|&(o, at, k)| (o - shift, at, k))
            .collect();
        self.parts = std::iter::once(head).chain(rest).collect();
        self.size = kept.len();
        Ok(())
    }
}

/// JSON as every output of edgetop writes it: no character that could drive a terminal.
fn to_json<T: serde::Serialize>(v: &T) -> std::io::Result<Vec<u8>> {
    let json = serde_json::to_string(v).map_err(std::io::Error::other)?;
    Ok(crate::model::text::json_safe(&json).into_bytes())
}
