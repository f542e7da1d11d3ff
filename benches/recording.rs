//! What a recording costs on disk and in time: an hour of the demo recorded as edgetop records
//! it (a whole snapshot every ten minutes, what changed in between), beside the baseline of a
//! whole snapshot every poll, measured in the same run.
//!
//!     cargo bench --bench recording

use std::sync::Arc;
use std::time::Instant;

use chrono::TimeDelta;
use edgetop::app::Event;
use edgetop::record::format::{self, Kind};
use edgetop::record::{Recorder, StartPart};
use edgetop::source::demo::{DEMO_START, DemoSource};

fn main() {
    let dir = std::env::temp_dir().join(format!("edgetop-bench-recording-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!(
        "| an hour of the demo | polls | recorded | whole snapshots every poll (baseline) | ratio | recorder's time a poll |"
    );
    println!("|---|---|---|---|---|---|");
    for every in [2, 10, 60] {
        let polls = 3600 / every;
        let path = dir.join(format!("demo-{every}s.rec"));
        let _ = std::fs::remove_file(&path);
        let mut demo = DemoSource::new(1, 1.0);
        let snaps: Vec<_> = (0..polls)
            .map(|i| Arc::new(demo.snapshot_at(DEMO_START + TimeDelta::seconds(i * every))))
            .collect();
        let mut baseline = format::header().len();
        for s in &snaps {
            let json = serde_json::to_vec(&**s).unwrap();
            baseline += format::encode(Kind::Full, s.taken_at, &json).unwrap().len();
        }
        let started = Instant::now();
        let rec = Recorder::start(&path, None, StartPart::new("demo")).unwrap();
        for s in snaps {
            rec.observe_waiting(&Event::Data(Ok(s)));
        }
        drop(rec);
        let took = started.elapsed();
        let size = std::fs::metadata(&path).unwrap().len() as usize;
        println!(
            "| a poll every {every} s | {polls} | {} | {} | {:.1}× smaller | {:.1} ms |",
            mb(size),
            mb(baseline),
            baseline as f64 / size as f64,
            took.as_secs_f64() * 1000.0 / polls as f64
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn mb(bytes: usize) -> String {
    format!("{:.2} MB", bytes as f64 / (1 << 20) as f64)
}
