//! How much of a recording edgetop keeps on disk: read from the command line and the config.

/// How much a recording keeps: the newest hours, or the newest bytes (`--record-keep 24h`,
/// `--record-keep 500MB`). The oldest parts go first, a whole snapshot at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    Age(std::time::Duration),
    Bytes(u64),
}

impl std::str::FromStr for Keep {
    type Err = String;

    fn from_str(s: &str) -> Result<Keep, String> {
        let t = s.trim();
        let units = [("GB", 1u64 << 30), ("MB", 1 << 20), ("KB", 1 << 10)];
        for (unit, bytes) in units {
            if let Some(n) = t
                .strip_suffix(unit)
                .or_else(|| t.strip_suffix(&unit.to_lowercase()))
            {
                let n: u64 = n
                    .trim()
                    .parse()
                    .map_err(|_| format!("'{s}': a whole number before {unit}"))?;
                return (n > 0)
                    .then_some(Keep::Bytes(n * bytes))
                    .ok_or_else(|| "a recording must keep more than nothing".into());
            }
        }
        match humantime::parse_duration(t) {
            Ok(d) if d.as_secs() >= 60 => Ok(Keep::Age(d)),
            Ok(_) => Err("a recording keeps at least a minute".into()),
            Err(_) => Err(format!(
                "'{s}': a time (30m, 24h, 7d) or a size (500MB, 2GB)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_reads_times_and_sizes() {
        assert_eq!(
            "24h".parse::<Keep>(),
            Ok(Keep::Age(std::time::Duration::from_secs(86_400)))
        );
        assert_eq!("500MB".parse::<Keep>(), Ok(Keep::Bytes(500 << 20)));
        assert_eq!("2 gb".parse::<Keep>(), Ok(Keep::Bytes(2 << 30)));
        assert!("0MB".parse::<Keep>().is_err());
        assert!("10s".parse::<Keep>().is_err());
        assert!("soon".parse::<Keep>().unwrap_err().contains("a time"));
    }
}
