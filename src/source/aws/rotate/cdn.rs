//! The rotation's steps on CloudFront: which distributions send a key, switching their origin
//! header, waiting until they are Deployed, and the last check before the old key is disabled.

use super::*;

impl Rotator {
    /// The distributions of this account that send `value` in an origin custom header,
    /// whatever its name, with the header names.
    pub(super) async fn sending(
        &self,
        value: &Secret,
        calls: &mut Calls,
    ) -> Step<Vec<(String, Vec<String>)>> {
        sending_in(&self.clients.cloudfront, value, calls).await
    }

    /// The last check before the old key is disabled: no distribution of this account sends
    /// it any more (one may have started since the rotation began: another team, a restore),
    /// nor one of another account in view. An account that cannot be read leaves it enabled.
    pub(super) async fn still_sent(&self, old: &Secret) -> Step<()> {
        let refuse = |which: Vec<(String, Vec<String>)>, of: &str| {
            let which: Vec<String> = which
                .iter()
                .map(|(d, h)| format!("{d} ({})", h.join(", ")))
                .collect();
            StepError::Refused(format!(
                "the old key is still sent by distribution {}{of}: it was left enabled. \
                 Switch that header to the new key (or roll back), then finish",
                Text::new(&which.join(", "))
            ))
        };
        let still = self.sending(old, &mut Calls::default()).await?;
        if !still.is_empty() {
            return Err(refuse(still, ""));
        }
        for o in &self.others {
            let still = sending_in(&o.cloudfront, old, &mut Calls::default())
                .await
                .map_err(|e| {
                    StepError::Refused(format!(
                        "the distributions of {} could not be listed ({e}): the old key was \
                         left enabled, since one of them may send it. Finish once they can be \
                         read",
                        o.label
                    ))
                })?;
            if !still.is_empty() {
                return Err(refuse(still, &format!(" of {}", o.label)));
            }
        }
        Ok(())
    }

    /// The same last check, for a key disabled on its own (no rotation): why it may not be.
    pub async fn still_sending(&self, value: &Secret) -> Result<(), String> {
        self.still_sent(value).await.map_err(|e| e.to_string())
    }

    /// Someone deleted distribution `id`: nothing sends a key from it any more.
    pub(super) fn gone(&self, r: &Rotation, s: &StepId, id: &str, what: &str) -> Step<()> {
        self.warn(r, s, format!("distribution {id} no longer exists: {what}"));
        Ok(())
    }

    /// Make distribution `id` send `to` wherever it sends `from` in an origin custom header,
    /// whatever the header's name. Done already when it sends `to` and not `from`. When it
    /// sends neither (someone changed it), or is gone, there is nothing to switch: say so and
    /// go on. A concurrent change (PreconditionFailed on If-Match) means: read again and redo,
    /// a few times.
    pub(super) async fn switch(
        &self,
        r: &Rotation,
        s: &StepId,
        id: &str,
        from: &Secret,
        to: &Secret,
    ) -> Step<()> {
        let cf = &self.clients.cloudfront;
        for _ in 0..3 {
            let got = match cf.get_distribution_config().id(id).send().await {
                Ok(got) => got,
                Err(e) if code(&e).as_deref() == Some(GONE) => {
                    return self.gone(r, s, id, "nothing to switch");
                }
                Err(e) => {
                    return Err(failure("cloudfront:GetDistributionConfig", &e)
                        .to_string()
                        .into());
                }
            };
            let etag = got
                .e_tag()
                .ok_or("GetDistributionConfig returned no ETag")?
                .to_string();
            let mut config = got
                .distribution_config()
                .ok_or("GetDistributionConfig returned no configuration")?
                .clone();
            let (replaced, already) = replace_value(&mut config, from, to);
            if replaced == 0 {
                if already == 0 {
                    self.warn(
                        r,
                        s,
                        format!(
                            "distribution {id} sends neither key any more (someone changed it): \
                             nothing to switch; it was left as it is"
                        ),
                    );
                }
                return Ok(());
            }
            match cf
                .update_distribution()
                .id(id)
                .if_match(&etag)
                .distribution_config(config)
                .send()
                .await
            {
                Ok(_) => return Ok(()),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_precondition_failed()) =>
                {
                    tracing::info!(distribution = id, "ETag changed under us: reading again");
                    continue;
                }
                Err(e) => {
                    return Err(failure("cloudfront:UpdateDistribution", &e)
                        .to_string()
                        .into());
                }
            }
        }
        Err(StepError::Failed(format!(
            "distribution {id} kept changing under us (If-Match failed 3 times)"
        )))
    }

    pub(super) async fn deployed(&self, r: &Rotation, s: &StepId, id: &str) -> Step<()> {
        let started = Instant::now();
        loop {
            let got = match self
                .clients
                .cloudfront
                .get_distribution()
                .id(id)
                .send()
                .await
            {
                Ok(got) => got,
                Err(e) if code(&e).as_deref() == Some(GONE) => {
                    return self.gone(r, s, id, "nothing to wait for");
                }
                Err(e) => return Err(failure("cloudfront:GetDistribution", &e).to_string().into()),
            };
            let status = got
                .distribution()
                .map(|d| d.status().to_string())
                .unwrap_or_default();
            if status == "Deployed" {
                return Ok(());
            }
            let waited = started.elapsed();
            if waited >= self.deploy.timeout {
                return Err(StepError::Failed(format!(
                    "distribution {id} is still {status} after {}: gave up waiting (--deploy-timeout)",
                    format::duration(waited)
                )));
            }
            self.report(
                r,
                Some(s),
                format!(
                    "{id} is {status}: {} of at most {}",
                    format::duration(waited),
                    format::duration(self.deploy.timeout)
                ),
            );
            tokio::time::sleep(self.deploy.every).await;
        }
    }
}

/// The distributions `cloudfront` lists that send `value` in an origin custom header, whatever
/// its name, with the header names: matched by fingerprint, as discovery matches them.
pub(super) async fn sending_in(
    cloudfront: &aws_sdk_cloudfront::Client,
    value: &Secret,
    calls: &mut Calls,
) -> Step<Vec<(String, Vec<String>)>> {
    {
        let dists = crate::source::aws::cloudfront::distributions(cloudfront, calls)
            .await
            .map_err(|e| e.to_string())?;
        let value = Fingerprint::of(value.expose());
        Ok(dists
            .into_iter()
            .filter_map(|d| {
                let headers: Vec<String> = d
                    .origins
                    .iter()
                    .flat_map(|o| o.sending(&value).map(|h| format!("{} › {h}", o.domain)))
                    .collect();
                (!headers.is_empty()).then_some((d.id, headers))
            })
            .collect())
    }
}

/// Every origin custom header of `config` that sends `from` made to send `to`: how many were
/// replaced, and how many sent `to` already.
fn replace_value(
    config: &mut aws_sdk_cloudfront::types::DistributionConfig,
    from: &Secret,
    to: &Secret,
) -> (usize, usize) {
    let (mut replaced, mut already) = (0, 0);
    for origin in config.origins.iter_mut().flat_map(|o| o.items.iter_mut()) {
        let headers = origin
            .custom_headers
            .iter_mut()
            .flat_map(|h| h.items.iter_mut().flatten());
        for h in headers {
            if h.header_value == from.expose() {
                h.header_value = to.expose().to_string();
                replaced += 1;
            } else if h.header_value == to.expose() {
                already += 1;
            }
        }
    }
    (replaced, already)
}
