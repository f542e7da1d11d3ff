//! The recording file, version 1. A file is a header and a sequence of parts, each written
//! whole and flushed as it comes, so that a crash loses at most the part being written:
//!
//! ```text
//! file   = "EDGETOP-REC\n" (12 bytes) · version (u16, little-endian) · part*
//! part   = length (u32 LE, of body) · CRC-32 (u32 LE, of body) · body
//! body   = kind (u8) · time (i64 LE, milliseconds since 1970-01-01 UTC) · gzip(JSON)
//! ```
//!
//! Kinds: 1 `start` (who recorded, with which edgetop, from which source), 2 `full` (a whole
//! snapshot, as `snapshot --json` writes its `snapshot` member), 3 `delta` (an RFC 6902 JSON
//! Patch that turns the snapshot before into this one), 4 `failed` (a poll that failed, and
//! why), 5 `operation` (an operation confirmed, with its plan, or ended, with its outcome).
//! A part's time is the data's time (a snapshot's `taken_at`), or the wall clock for the rest.
//! The first snapshot after a start is `full`, and a `full` part comes again every few minutes
//! so that a replay can jump without reading the whole file, and the oldest parts can be
//! dropped (`--record-keep`).
//!
//! Everything read back is outside text: every string is sanitised when it becomes a model
//! value, a part's size and its decompressed size are bounded, and a part that does not check
//! ends the reading there, said in words.

use std::io::{Read, Write};

use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

pub const MAGIC: &[u8; 12] = b"EDGETOP-REC\n";
/// The format this edgetop writes and reads.
pub const VERSION: u16 = 1;
/// Header: the magic and the version.
pub const HEADER_LEN: usize = MAGIC.len() + 2;
/// A part's length and CRC.
const FRAME_LEN: usize = 8;
/// A part's kind and time.
const BODY_HEAD: usize = 9;
/// No part is larger than this on disk, nor its JSON larger than [`MAX_JSON`]: a hostile
/// file cannot make a replay allocate without bound.
const MAX_PART: usize = 256 << 20;
pub const MAX_JSON: u64 = 1 << 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Start = 1,
    Full = 2,
    Delta = 3,
    Failed = 4,
    Operation = 5,
}

impl Kind {
    fn of(b: u8) -> Option<Kind> {
        Some(match b {
            1 => Kind::Start,
            2 => Kind::Full,
            3 => Kind::Delta,
            4 => Kind::Failed,
            5 => Kind::Operation,
            _ => return None,
        })
    }
}

/// The header of a file of this version.
pub fn header() -> Vec<u8> {
    let mut h = MAGIC.to_vec();
    h.extend_from_slice(&VERSION.to_le_bytes());
    h
}

/// One part, framed, ready to append.
pub fn encode(kind: Kind, at: DateTime<Utc>, json: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::with_capacity(json.len() / 4 + 32);
    body.push(kind as u8);
    body.extend_from_slice(&at.timestamp_millis().to_le_bytes());
    let mut gz = GzEncoder::new(body, Compression::default());
    gz.write_all(json)?;
    let body = gz.finish()?;
    let mut part = Vec::with_capacity(body.len() + FRAME_LEN);
    part.extend_from_slice(&(body.len() as u32).to_le_bytes());
    part.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    part.extend_from_slice(&body);
    Ok(part)
}

/// Where a part is in the file's bytes, and what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartRef {
    pub kind: Kind,
    pub at: DateTime<Utc>,
    /// The part's first byte (its length field).
    pub offset: usize,
    /// Its gzip'd JSON.
    pub payload: (usize, usize),
}

impl PartRef {
    /// Just past its last byte.
    pub fn end(&self) -> usize {
        self.payload.1
    }
}

/// Why a file is not read at all.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotRead {
    #[error("it is not an edgetop recording (it does not begin with edgetop's mark)")]
    NotRecording,
    #[error(
        "it is an edgetop recording of format version {found}; this edgetop ({}) reads version {VERSION}",
        env!("CARGO_PKG_VERSION")
    )]
    OtherVersion { found: u16 },
}

/// The parts of a file that check, and why the reading stopped early, if it did.
#[derive(Debug)]
pub struct Index {
    pub parts: Vec<PartRef>,
    /// The first byte not read: the file's length when all of it was read.
    pub valid_end: usize,
    pub cut: Option<String>,
}

/// Index `bytes`: every whole part that checks, in order.
pub fn index(bytes: &[u8]) -> Result<Index, NotRead> {
    if bytes.len() < HEADER_LEN || &bytes[..MAGIC.len()] != MAGIC {
        return Err(NotRead::NotRecording);
    }
    let found = u16::from_le_bytes([bytes[12], bytes[13]]);
    if found != VERSION {
        return Err(NotRead::OtherVersion { found });
    }
    let mut parts = Vec::new();
    let mut at = HEADER_LEN;
    let cut = loop {
        if at == bytes.len() {
            break None;
        }
        match part_at(bytes, at) {
            Ok(p) => {
                at = p.end();
                parts.push(p);
            }
            Err(why) => {
                break Some(format!(
                    "the recording ends in a part that is not whole at byte {at} of {} ({why})",
                    bytes.len()
                ));
            }
        }
    };
    Ok(Index {
        parts,
        valid_end: at,
        cut,
    })
}

fn part_at(bytes: &[u8], at: usize) -> Result<PartRef, &'static str> {
    let frame = bytes.get(at..at + FRAME_LEN).ok_or("cut short")?;
    let len = u32::from_le_bytes(frame[..4].try_into().unwrap_or_default()) as usize;
    let crc = u32::from_le_bytes(frame[4..].try_into().unwrap_or_default());
    if !(BODY_HEAD..=MAX_PART).contains(&len) {
        return Err("a length out of bounds");
    }
    let start = at + FRAME_LEN;
    let body = bytes.get(start..start + len).ok_or("cut short")?;
    if crc32fast::hash(body) != crc {
        return Err("its checksum does not match");
    }
    let kind = Kind::of(body[0]).ok_or("a part of unknown kind")?;
    let ms = i64::from_le_bytes(body[1..9].try_into().unwrap_or_default());
    let when = DateTime::from_timestamp_millis(ms).ok_or("a time out of bounds")?;
    Ok(PartRef {
        kind,
        at: when,
        offset: at,
        payload: (start + BODY_HEAD, start + len),
    })
}

/// A part's JSON, decompressed (at most [`MAX_JSON`] bytes).
pub fn json_of(bytes: &[u8], p: &PartRef) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    GzDecoder::new(&bytes[p.payload.0..p.payload.1])
        .take(MAX_JSON + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("a part that does not decompress ({e})"))?;
    if out.len() as u64 > MAX_JSON {
        return Err("a part larger than a recording may hold".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(parts: &[(Kind, &str)]) -> Vec<u8> {
        let mut f = header();
        for (i, (k, json)) in parts.iter().enumerate() {
            let at = DateTime::from_timestamp(1_800_000_000 + i as i64 * 10, 0).unwrap();
            f.extend(encode(*k, at, json.as_bytes()).unwrap());
        }
        f
    }

    #[test]
    fn parts_read_back_as_written() {
        let f = file(&[(Kind::Start, "{}"), (Kind::Full, "{\"a\":1}")]);
        let ix = index(&f).unwrap();
        assert_eq!(ix.cut, None);
        assert_eq!(ix.valid_end, f.len());
        assert_eq!(ix.parts.len(), 2);
        assert_eq!(ix.parts[1].kind, Kind::Full);
        assert_eq!(json_of(&f, &ix.parts[1]).unwrap(), b"{\"a\":1}");
        assert_eq!(ix.parts[1].at.timestamp(), 1_800_000_010);
    }

    #[test]
    fn a_file_cut_anywhere_reads_up_to_its_last_whole_part_and_says_so() {
        let f = file(&[
            (Kind::Start, "{}"),
            (Kind::Full, "{\"a\":1}"),
            (Kind::Delta, "[]"),
        ]);
        let whole = index(&f).unwrap();
        for cut in HEADER_LEN..f.len() {
            let ix = index(&f[..cut]).unwrap();
            let whole_parts = whole.parts.iter().filter(|p| p.end() <= cut).count();
            assert_eq!(ix.parts.len(), whole_parts, "cut at {cut}");
            let at_boundary = whole.parts.iter().any(|p| p.end() == cut) || cut == HEADER_LEN;
            assert_eq!(ix.cut.is_none(), at_boundary, "cut at {cut}: {:?}", ix.cut);
        }
    }

    #[test]
    fn a_flipped_byte_is_caught_by_the_checksum() {
        let mut f = file(&[(Kind::Start, "{}"), (Kind::Full, "{\"a\":1}")]);
        let last = f.len() - 3;
        f[last] ^= 0x40;
        let ix = index(&f).unwrap();
        assert_eq!(ix.parts.len(), 1);
        assert!(ix.cut.unwrap().contains("checksum"));
    }

    #[test]
    fn another_version_or_another_file_is_refused_in_words() {
        let mut f = file(&[(Kind::Start, "{}")]);
        f[12] = 2;
        let e = index(&f).unwrap_err();
        assert_eq!(e, NotRead::OtherVersion { found: 2 });
        assert!(e.to_string().contains("format version 2"), "{e}");
        assert!(e.to_string().contains("reads version 1"), "{e}");
        assert_eq!(
            index(b"{\"snapshot\": {}}").unwrap_err(),
            NotRead::NotRecording
        );
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_index_without_panic(tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
            let mut f = header();
            f.extend(tail);
            if let Ok(ix) = index(&f) {
                for p in &ix.parts {
                    let _ = json_of(&f, p);
                }
            }
        }
    }
}
