//! The alarms each poll: listed whole at discovery (with the access logs' metric filters), read
//! by name after, and their anomaly bands.

use super::*;

/// What listing the access logs' metric filters is called where it fails.
const METRIC_FILTERS: &str = "access logs' metric filters";

impl crate::source::aws::AwsSource {
    /// The alarms: every one after a discovery (their names kept), else those by name.
    pub(in crate::source::aws) async fn read_alarms(
        &mut self,
        now: DateTime<Utc>,
        calls: &mut Calls,
    ) {
        let names = self.alarm_names.clone();
        // None to read: no call, and nothing said of the account's reachability either.
        if names.as_ref().is_some_and(Vec::is_empty) {
            return;
        }
        let c = self.clients.clone();
        // When the alarms are listed whole: the metrics that metric filters make of the access
        // logs, which alarms may watch too.
        if names.is_none() {
            let planned = crate::source::aws::logs::plan(&self.found, &c.region, c.global_region());
            let groups = crate::source::aws::logs::access_groups(&planned);
            let read = log_metrics(&c, calls, &groups).await;
            if let Some(found) =
                self.outcome(METRIC_FILTERS, crate::model::Panel::Metrics, read, now)
            {
                self.log_metrics = found;
            }
        }
        let logs = self.log_metrics.clone();
        let global = self.settings.reads_global;
        let read = here_and_global(&c, calls, names.as_deref(), global, &logs).await;
        let Some((mut alarms, bands)) = self.outcome(
            crate::source::aws::ALARMS,
            crate::model::Panel::Metrics,
            read,
            now,
        ) else {
            return;
        };
        // Most urgent first, the newest first within a state.
        alarms.sort_by(|a, b| {
            (a.state, std::cmp::Reverse(a.since)).cmp(&(b.state, std::cmp::Reverse(b.since)))
        });
        if self.alarm_names.is_none() {
            self.alarm_names = Some(alarms.iter().map(|a| a.name.to_string()).collect());
        }
        // The bands of the most urgent first, as many as one call is meant to read.
        self.bands = alarms
            .iter()
            .filter_map(|a| bands.iter().find(|b| b.alarm == a.name.as_str()))
            .take(MOST_BANDS)
            .cloned()
            .collect();
        // A band kept from the last read until this one's is in.
        for a in &mut alarms {
            a.band = self
                .alarms
                .iter()
                .find(|old| old.name == a.name)
                .and_then(|old| old.band.clone());
        }
        self.alarms = alarms;
        self.read_band_values(now, calls).await;
    }

    /// The bands over the range on screen, from each band's own endpoint; a failed read keeps
    /// the bands drawn before (the alarms' own read says whether CloudWatch answers).
    async fn read_band_values(&mut self, now: DateTime<Utc>, calls: &mut Calls) {
        let span = self.range.points() as i64 * self.range.period_secs();
        let step = self
            .bands
            .iter()
            .filter_map(|b| b.stat.period())
            .map(i64::from)
            .max()
            .unwrap_or(60)
            .max(60);
        let to = now.timestamp() - now.timestamp().rem_euclid(step);
        let from = to - span - step;
        let (Some(from), Some(to)) = (
            DateTime::from_timestamp(from, 0),
            DateTime::from_timestamp(to, 0),
        ) else {
            return;
        };
        let window = crate::source::aws::cloudwatch::Window {
            from,
            to,
            period: step as i32,
        };
        let c = self.clients.clone();
        for global in [false, true] {
            let bands: Vec<BandQuery> = self
                .bands
                .iter()
                .filter(|b| b.global == global)
                .cloned()
                .collect();
            if bands.is_empty() {
                continue;
            }
            let client = match global {
                true => &c.cloudwatch_global,
                false => &c.cloudwatch,
            };
            // Each band reads one metric (its model's): what the cost meter counts.
            self.cost.metrics_last_poll += bands.len() as u32;
            match read_bands(client, calls, &bands, window).await {
                Ok(read) => {
                    for (name, band) in read {
                        if let Some(a) = self.alarms.iter_mut().find(|a| a.name.as_str() == name) {
                            a.band = Some(band);
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "anomaly bands not read"),
            }
        }
    }
}

/// The alarms of this region, and where this place reads the global ones (CloudFront's
/// metrics, and a CLOUDFRONT web ACL's, are us-east-1's: read by the account's first region
/// only, from us-east-1) those too.
async fn here_and_global(
    c: &crate::source::aws::connect::Clients,
    calls: &mut Calls,
    names: Option<&[String]>,
    global: bool,
    logs: &[LogMetric],
) -> Result<(Vec<Alarm>, Vec<BandQuery>), Failure> {
    let here_is_global = c.region == "us-east-1";
    let keep = Keep {
        regional: true,
        global: global && here_is_global,
    };
    let mut read = read(&c.cloudwatch, calls, names, keep, logs).await;
    if global
        && !here_is_global
        && let Ok((alarms, bands)) = &mut read
    {
        let keep = Keep {
            regional: false,
            global: true,
        };
        match super::read(&c.cloudwatch_global, calls, names, keep, logs).await {
            Ok((more, more_bands)) => {
                alarms.extend(more);
                bands.extend(more_bands);
            }
            Err(e) => read = Err(e),
        }
    }
    read
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(name: &str, value: &str) -> Dimension {
        Dimension::builder().name(name).value(value).build()
    }

    const REGIONAL: Keep = Keep {
        regional: true,
        global: false,
    };
    const GLOBAL: Keep = Keep {
        regional: false,
        global: true,
    };

    #[test]
    fn what_an_alarm_watches_is_read_from_its_dimensions() {
        let stage = watches(
            "AWS/ApiGateway",
            "M",
            &[d("Stage", "prod"), d("ApiName", "catalog-api")],
            REGIONAL,
            &[],
        );
        assert_eq!(
            stage,
            Some(Watches::Stage {
                api: Text::new("catalog-api"),
                stage: Some(Text::new("prod"))
            })
        );
        // A rule's metric name, as WAF's metrics carry it; ALL is the whole web ACL.
        let all = watches(
            "AWS/WAFV2",
            "M",
            &[
                d("WebACL", "edge"),
                d("Rule", "ALL"),
                d("Region", "eu-west-1"),
            ],
            REGIONAL,
            &[],
        );
        assert_eq!(
            all,
            Some(Watches::WebAcl {
                web_acl: Text::new("edge"),
                rule: None
            })
        );
        // A CLOUDFRONT web ACL's metrics have no Region: read from the global endpoint only.
        let cf = [d("WebACL", "edge-cf"), d("Rule", "Geo")];
        assert!(watches("AWS/WAFV2", "M", &cf, REGIONAL, &[]).is_none());
        assert!(watches("AWS/WAFV2", "M", &cf, GLOBAL, &[]).is_some());
        // us-east-1 as the account's first region keeps both.
        let both = Keep {
            regional: true,
            global: true,
        };
        assert!(watches("AWS/WAFV2", "M", &cf, both, &[]).is_some());
        assert!(watches("AWS/EC2", "M", &[d("InstanceId", "i-1")], both, &[]).is_none());
        assert!(watches("AWS/ApiGateway", "M", &[d("ApiName", "a")], GLOBAL, &[]).is_none());
        let dist = [d("DistributionId", "E1"), d("Region", "Global")];
        assert!(watches("AWS/CloudFront", "M", &dist, REGIONAL, &[]).is_none());
        assert!(watches("AWS/CloudFront", "M", &dist, GLOBAL, &[]).is_some());
    }

    #[test]
    fn an_access_logs_metric_filter_leads_to_the_stages_that_write_it() {
        let logs = [LogMetric {
            namespace: "Edge/Logs".into(),
            name: "Throttled429".into(),
            group: "/aws/apigw/orders".into(),
            global: false,
            stages: vec![Text::new("orders-api/live")],
        }];
        let w = watches("Edge/Logs", "Throttled429", &[], REGIONAL, &logs);
        assert_eq!(
            w,
            Some(Watches::AccessLog {
                group: Text::new("/aws/apigw/orders"),
                stages: vec![Text::new("orders-api/live")]
            })
        );
        // Another metric of the namespace, or the group read from the other endpoint: not it.
        assert!(watches("Edge/Logs", "Other", &[], REGIONAL, &logs).is_none());
        assert!(watches("Edge/Logs", "Throttled429", &[], GLOBAL, &logs).is_none());
    }

    #[test]
    fn a_band_expression_is_read_as_cloudwatch_writes_it() {
        assert_eq!(
            band_expression("ANOMALY_DETECTION_BAND(m1)"),
            Some(("m1", 2.0))
        );
        assert_eq!(
            band_expression(" ANOMALY_DETECTION_BAND ( orders , 3.5 ) "),
            Some(("orders", 3.5))
        );
        for bad in [
            "ANOMALY_DETECTION_BAND()",
            "ANOMALY_DETECTION_BAND(m1, -1)",
            "ANOMALY_DETECTION_BAND(m1, x)",
            "ANOMALY_DETECTION_BAND(m1, 2, 3)",
            "m1 * 2",
        ] {
            assert_eq!(band_expression(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_composite_rules_names_are_found_quoted_or_not() {
        assert_eq!(
            named_in_rule(r#"ALARM("api 5xx") OR (ALARM(waf-blocked) AND NOT OK("x(y"))"#),
            ["api 5xx", "waf-blocked", "x(y"]
        );
        assert_eq!(named_in_rule("INSUFFICIENT_DATA(a) AND ALARM(a)"), ["a"]);
        assert!(named_in_rule("TRUE").is_empty());
    }
}
