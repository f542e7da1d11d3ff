//! Recording and replaying, through the library: the demo recorded for a few simulated minutes
//! with an operation in the middle, replayed, and every screen compared with what the live
//! dashboard drew at the same moments; a file cut anywhere, a file of another version, and no
//! key value anywhere in what is written.

use crate::common;

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use common::draw::render;
use edgetop::app::{App, Event, Screen};
use edgetop::model::text::is_unsafe;
use edgetop::ops::Op;
use edgetop::ops::audit::Phase;
use edgetop::record::player::Control;
use edgetop::record::{OperationPart, Player, Recorder, StartPart, Tape, format};
use edgetop::source::demo::{DEMO_START, DemoSource};

const SEED: u64 = 7;
/// The demo polled every 10 s for five simulated minutes; the operation at poll 15.
const POLLS: i64 = 30;
const OP_AT: i64 = 15;
/// The moments compared: before the operation, just after it, and the last poll.
const MOMENTS: [i64; 3] = [5, 16, 29];

fn at(poll: i64) -> DateTime<Utc> {
    DEMO_START + TimeDelta::seconds(10 * poll)
}

/// Every screen of `app`, at two sizes.
fn screens(app: &mut App) -> Vec<(Screen, String)> {
    let mut out = Vec::new();
    for s in Screen::ALL {
        app.screen = s;
        out.push((s, render(app, 160, 48)));
        out.push((s, render(app, 80, 24)));
    }
    out
}

fn new_app() -> App {
    App::new(DEMO_START, true, Duration::from_secs(10), "dark", "demo")
}

/// The rule the operation flips: the demo's GeoScrapers, Count to Block.
fn toggle(snap: &edgetop::model::Snapshot) -> Op {
    edgetop::ops::procedure::find_rule(snap, "edge-regional", "GeoScrapers", None, None).unwrap()
}

/// Record the demo, drawing each screen at the chosen moments as the live dashboard would.
fn record(path: &std::path::Path) -> (Vec<Vec<(Screen, String)>>, DemoSource) {
    let rec = Recorder::start(path, None, StartPart::new("demo")).unwrap();
    let mut demo = DemoSource::new(SEED, 1.0);
    let mut live = new_app();
    let mut drawn = Vec::new();
    for i in 0..POLLS {
        let t = at(i);
        if i == OP_AT {
            let snap = demo.snapshot_at(t);
            let op = toggle(&snap);
            let part = |phase, result: Option<&str>| OperationPart {
                phase,
                what: op.summary().as_str().into(),
                by: "alice".into(),
                caller: "arn:aws:iam::123456789012:user/alice".into(),
                plan: edgetop::ops::plan(&op, &snap)
                    .lines()
                    .iter()
                    .map(|l| l.as_str().into())
                    .collect(),
                result: result.map(Into::into),
            };
            rec.operation(part(Phase::Confirmed, None));
            let outcome = demo.apply_at(op.clone(), t).unwrap();
            rec.operation(part(Phase::Succeeded, Some(&outcome.message)));
        }
        let mut snap = demo.snapshot_at(t);
        // What the recording keeps of a key: nothing of its value, not even its last four
        // characters. The live side is drawn from the same.
        for k in &mut snap.api_keys {
            k.value_hint = Default::default();
        }
        let ev = Event::Data(Ok(Arc::new(snap)));
        rec.observe_waiting(&ev);
        live.now = t;
        live.handle(ev);
        if MOMENTS.contains(&i) {
            live.now = t + TimeDelta::seconds(3);
            drawn.push(screens(&mut live));
        }
    }
    drop(rec);
    (drawn, demo)
}

#[test]
fn a_replay_draws_every_screen_as_the_live_dashboard_drew_it() {
    let dir = tempdir();
    let path = dir.join("incident.rec");
    let (live, demo) = record(&path);

    let tape = Tape::open(&path).unwrap();
    assert_eq!(tape.polls.len(), POLLS as usize);
    assert_eq!(tape.cut, None);
    let mut player = Player::new(tape, 1.0);
    let mut replay = new_app();
    for (n, &i) in MOMENTS.iter().enumerate() {
        let events = player.control(Control::At(at(i)));
        replay.now = at(i);
        for ev in events {
            replay.handle(ev);
        }
        replay.now = at(i) + TimeDelta::seconds(3);
        // What a replay adds: the operation said in the footer as the replay passes it.
        if n == 1 {
            let said = replay.message.take().map(|m| m.1).unwrap_or_default();
            assert!(
                said.contains("GeoScrapers") && said.contains("succeeded"),
                "{said}"
            );
        }
        let again = screens(&mut replay);
        for ((screen, want), (_, got)) in live[n].iter().zip(&again) {
            assert_eq!(got, want, "{screen:?} at poll {i} differs in the replay");
        }
    }

    // Stepping back past the operation and on again says it where it happened.
    player.control(Control::At(at(OP_AT - 1)));
    let said: Vec<String> = player
        .control(Control::Step(1))
        .into_iter()
        .filter_map(|e| match e {
            Event::Notice(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(said[0].contains("by alice: confirmed"), "{said:?}");
    assert!(
        said[1].contains("GeoScrapers") && said[1].contains("by alice: succeeded"),
        "{said:?}"
    );

    // No key's value, whole, anywhere in what was written.
    let bytes = std::fs::read(&path).unwrap();
    let ix = format::index(&bytes).unwrap();
    let mut text = Vec::new();
    for p in &ix.parts {
        text.extend(format::json_of(&bytes, p).unwrap());
    }
    let text = String::from_utf8(text).unwrap();
    let snap = DemoSource::new(SEED, 1.0).snapshot_at(at(POLLS - 1));
    let mut checked = 0;
    for k in &snap.api_keys {
        if let Some(v) = demo.key_value_at(k.id.as_str(), at(POLLS - 1)) {
            assert!(
                !text.contains(v.expose()),
                "the value of {} is in the recording",
                k.id
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} values checked");
    assert!(
        !text.chars().any(is_unsafe),
        "a character that could drive a terminal"
    );
    // Private, like the audit log.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn a_recording_cut_mid_part_replays_up_to_its_last_whole_part_and_says_so() {
    let dir = tempdir();
    let path = dir.join("cut.rec");
    record(&path);
    let bytes = std::fs::read(&path).unwrap();
    let ix = format::index(&bytes).unwrap();
    let last = ix.parts.last().unwrap();
    // Cut in the middle of the last part, as a crash while writing it would.
    let cut = dir.join("cut-short.rec");
    std::fs::write(&cut, &bytes[..(last.offset + last.end()) / 2]).unwrap();
    private(&cut);
    let mut tape = Tape::open(&cut).unwrap();
    assert_eq!(tape.polls.len(), POLLS as usize - 1);
    let why = tape.cut.clone().unwrap();
    assert!(why.contains("not whole"), "{why}");
    let snap = tape.snapshot(tape.polls.len() - 1).unwrap();
    assert_eq!(snap.taken_at, at(POLLS - 2));

    // Recording on into it cuts the torn part off first, then goes on.
    let rec = Recorder::start(&cut, None, StartPart::new("demo")).unwrap();
    let next = DemoSource::new(SEED, 1.0).snapshot_at(at(POLLS + 5));
    rec.observe_waiting(&Event::Data(Ok(Arc::new(next))));
    drop(rec);
    let tape = Tape::open(&cut).unwrap();
    assert_eq!(tape.cut, None);
    assert_eq!(tape.polls.len(), POLLS as usize);
    assert_eq!(tape.starts.len(), 2);
}

#[test]
fn another_version_or_another_file_is_refused_in_words() {
    let dir = tempdir();
    let path = dir.join("v2.rec");
    let mut f = format::header();
    f[12] = 2;
    std::fs::write(&path, &f).unwrap();
    let e = Tape::open(&path).err().unwrap();
    assert!(
        e.contains("format version 2") && e.contains("reads version 1"),
        "{e}"
    );

    // Recording into a file that is not a recording is refused, and the file left as it was.
    let other = dir.join("notes.txt");
    std::fs::File::create(&other)
        .unwrap()
        .write_all(b"my notes\n")
        .unwrap();
    private(&other);
    let e = Recorder::start(&other, None, StartPart::new("demo"))
        .err()
        .unwrap();
    assert!(e.contains("not an edgetop recording"), "{e}");
    assert_eq!(std::fs::read(&other).unwrap(), b"my notes\n");
}

#[test]
fn a_size_bound_drops_the_oldest_polls_first() {
    let dir = tempdir();
    // Two hours at a poll a minute (a whole snapshot every ten), kept whole, then in a third of
    // that.
    let two_hours = |path: &std::path::Path, keep| {
        let rec = Recorder::start(path, keep, StartPart::new("demo")).unwrap();
        let mut demo = DemoSource::new(SEED, 1.0);
        for i in 0..120 {
            let snap = demo.snapshot_at(DEMO_START + TimeDelta::minutes(i));
            rec.observe_waiting(&Event::Data(Ok(Arc::new(snap))));
        }
        drop(rec);
        std::fs::metadata(path).unwrap().len()
    };
    let whole = two_hours(&dir.join("whole.rec"), None);
    let bound = whole / 3;
    let path = dir.join("kept.rec");
    let size = two_hours(&path, Some(edgetop::record::Keep::Bytes(bound)));
    assert!(size <= bound, "{size} bytes kept of {whole}, bound {bound}");
    let mut tape = Tape::open(&path).unwrap();
    assert_eq!(tape.cut, None);
    assert_eq!(tape.last(), DEMO_START + TimeDelta::minutes(119));
    assert!(
        tape.first() > DEMO_START + TimeDelta::minutes(60),
        "{}",
        tape.first()
    );
    assert_eq!(tape.starts.len(), 1);
    tape.snapshot(0).unwrap();
}

fn private(path: &std::path::Path) {
    let mut perm = std::fs::metadata(path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o600);
    std::fs::set_permissions(path, perm).unwrap();
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "edgetop-replay-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir(&dir).unwrap();
    let mut perm = std::fs::metadata(&dir).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o700);
    std::fs::set_permissions(&dir, perm).unwrap();
    dir
}
