//! How far AWS's clock is from this machine's, read from the `Date` header of its answers.

use std::time::Duration;

/// How far AWS's clock is from the local one (AWS's `Date` header minus local now, seconds),
/// as the latest CloudWatch answer said. The metric window is computed from the local clock,
/// so a skew of more than a minute is worth saying.
#[derive(Clone, Debug, Default)]
pub struct ClockSkew(std::sync::Arc<std::sync::Mutex<Option<i64>>>);

impl ClockSkew {
    pub fn seconds(&self) -> Option<i64> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Record a `Date` header (RFC 7231, e.g. "Sun, 29 Nov 2026 18:55:09 GMT") read at `now`.
    pub fn record(&self, date: &str, now: chrono::DateTime<chrono::Utc>) {
        if let Ok(aws) = chrono::DateTime::parse_from_rfc2822(date) {
            *self.0.lock().unwrap_or_else(|e| e.into_inner()) =
                Some(aws.timestamp() - now.timestamp());
        }
    }

    /// A warning when the clocks differ by more than a minute.
    pub fn warning(&self) -> Option<String> {
        let s = self.seconds().filter(|s| s.abs() > 60)?;
        Some(format!(
            "this machine's clock is {} AWS's (its Date header): minutes are read up to the \
             newest AWS has, but ages and the cost meter follow the local clock; fix the clock \
             (NTP)",
            Self::off_by(s)
        ))
    }

    /// "5m ahead of", "40s behind": this machine's clock against AWS's, `s` seconds apart.
    pub fn off_by(s: i64) -> String {
        format!(
            "{} {}",
            crate::model::format::duration(Duration::from_secs(s.unsigned_abs())),
            if s < 0 { "ahead of" } else { "behind" }
        )
    }
}

/// Reads the `Date` header of every answer (CloudWatch's and STS's) into a [`ClockSkew`].
#[derive(Debug)]
pub(super) struct DateHeader(pub(super) ClockSkew);

impl aws_sdk_cloudwatch::config::Intercept for DateHeader {
    fn name(&self) -> &'static str {
        "edgetop: clock skew from the Date header"
    }

    fn read_after_transmit(
        &self,
        context: &aws_sdk_cloudwatch::config::interceptors::BeforeDeserializationInterceptorContextRef<'_>,
        _: &aws_sdk_cloudwatch::config::RuntimeComponents,
        _: &mut aws_sdk_cloudwatch::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        if let Some(d) = context.response().headers().get("date") {
            self.0.record(d, chrono::Utc::now());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_more_than_a_minute_off_is_said() {
        let now = chrono::DateTime::parse_from_rfc2822("Sun, 29 Nov 2026 18:55:09 GMT")
            .unwrap()
            .to_utc();
        let skew = ClockSkew::default();
        assert_eq!(skew.warning(), None, "nothing read yet");
        skew.record("Sun, 29 Nov 2026 18:55:39 GMT", now);
        assert_eq!(skew.seconds(), Some(30));
        assert_eq!(skew.warning(), None, "half a minute is within the slack");
        // A local clock five minutes fast: AWS's Date is behind it.
        skew.record("Sun, 29 Nov 2026 18:50:09 GMT", now);
        let w = skew.warning().unwrap();
        assert!(w.contains("5m") && w.contains("ahead of AWS"), "{w}");
        skew.record("not a date", now);
        assert_eq!(skew.seconds(), Some(-300), "a bad header changes nothing");
    }
}
