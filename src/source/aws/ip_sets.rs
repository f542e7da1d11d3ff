//! WAF IP sets: read those the rules in view reference (GetIPSet), and add or remove one range
//! without losing anyone else's (UpdateIPSet replaces the whole list: read it with its lock
//! token, change one range, send the rest back as read; on WAFOptimisticLockException read
//! again and re-apply only our change).

use aws_sdk_wafv2::Client;
use aws_sdk_wafv2::types as w;

use super::Calls;
use super::connect::{Failure, failure};
use crate::model::ip_set::{IpSet, same_range};
use crate::model::{Scope, Text};
use crate::source::SourceError;

/// Reads and writes before giving up on a set that keeps changing.
const MAX_TRIES: u32 = 5;

/// An IP set's scope, name and id from its ARN
/// (`arn:aws:wafv2:us-east-1:123456789012:regional/ipset/NAME/ID`, `global/…` for CLOUDFRONT).
pub fn parse_arn(arn: &str) -> Option<(Scope, String, String)> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let mut parts = resource.split('/');
    let scope = match parts.next()? {
        "regional" => Scope::Regional,
        "global" => Scope::Cloudfront,
        _ => return None,
    };
    if parts.next()? != "ipset" {
        return None;
    }
    let (name, id) = (parts.next()?, parts.next()?);
    (!name.is_empty() && !id.is_empty() && parts.next().is_none())
        .then(|| (scope, name.to_string(), id.to_string()))
}

fn scope_of(s: Scope) -> w::Scope {
    match s {
        Scope::Regional => w::Scope::Regional,
        Scope::Cloudfront => w::Scope::Cloudfront,
    }
}

/// One IP set as it is now, with the lock token an update needs.
async fn get(
    c: &Client,
    scope: Scope,
    name: &str,
    id: &str,
    calls: &mut Calls,
) -> Result<(w::IpSet, String), Failure> {
    calls.add("wafv2:GetIPSet");
    let out = c
        .get_ip_set()
        .scope(scope_of(scope))
        .name(name)
        .id(id)
        .send()
        .await
        .map_err(|e| failure("wafv2:GetIPSet", &e))?;
    match (out.ip_set, out.lock_token) {
        (Some(set), Some(lock)) => Ok((set, lock)),
        _ => Err(Failure::Other {
            action: "wafv2:GetIPSet",
            detail: "no IP set or no lock token in the answer".into(),
        }),
    }
}

fn model(set: &w::IpSet, scope: Scope) -> IpSet {
    IpSet {
        id: Text::new(set.id()),
        name: Text::new(set.name()),
        arn: Text::new(set.arn()),
        scope,
        ipv6: set.ip_address_version() == &w::IpAddressVersion::Ipv6,
        addresses: set.addresses().iter().map(|a| Text::new(a)).collect(),
        applying: Vec::new(),
        place: Default::default(),
    }
}

/// The IP sets `arns` name (each once), as they are now.
pub async fn read(
    clients: &super::Clients,
    arns: &[String],
    calls: &mut Calls,
) -> Result<Vec<IpSet>, Failure> {
    let mut out = Vec::new();
    for arn in arns {
        let Some((scope, name, id)) = parse_arn(arn) else {
            continue;
        };
        let (set, _) = get(clients.waf_for(scope), scope, &name, &id, calls).await?;
        out.push(model(&set, scope));
    }
    Ok(out)
}

/// Which IP set, and the one range to add or remove.
#[derive(Clone, Debug)]
pub struct Change<'a> {
    pub scope: Scope,
    pub name: &'a str,
    pub id: &'a str,
    pub range: &'a str,
    pub add: bool,
}

/// What an accepted change did.
#[derive(Debug, PartialEq)]
pub enum Changed {
    /// Sent; the set now holds (or no longer holds) the range. With the tries it took.
    Sent { tries: u32, size: usize },
    /// Nothing to send: the set already was as asked.
    Already,
}

/// Add or remove one range, keeping every other range as the set holds it at the time.
pub async fn change(
    c: &Client,
    ch: &Change<'_>,
    calls: &mut Calls,
) -> Result<Changed, SourceError> {
    let failed = |f: Failure| SourceError::Failed(f.to_string());
    for attempt in 1..=MAX_TRIES {
        let (set, lock) = get(c, ch.scope, ch.name, ch.id, calls)
            .await
            .map_err(failed)?;
        let mut addresses = set.addresses().to_vec();
        let had = addresses.iter().any(|a| same_range(a, ch.range));
        if had == ch.add {
            return Ok(Changed::Already);
        }
        if ch.add {
            if addresses.len() >= crate::model::ip_set::IP_SET_LIMIT {
                return Err(SourceError::Refused(format!(
                    "IP set {} is full ({} ranges, WAF's limit): nothing was sent",
                    Text::new(ch.name),
                    addresses.len()
                )));
            }
            addresses.push(ch.range.to_string());
        } else {
            addresses.retain(|a| !same_range(a, ch.range));
        }
        calls.add("wafv2:UpdateIPSet");
        let sent = c
            .update_ip_set()
            .scope(scope_of(ch.scope))
            .name(ch.name)
            .id(ch.id)
            .set_description(set.description().map(str::to_string))
            .set_addresses(Some(addresses.clone()))
            .lock_token(lock)
            .send()
            .await;
        match sent {
            Ok(_) => {
                return Ok(Changed::Sent {
                    tries: attempt,
                    size: addresses.len(),
                });
            }
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_waf_optimistic_lock_exception()) =>
            {
                tracing::info!(attempt, set = %Text::new(ch.name), "stale lock token: reading again");
            }
            Err(e) => return Err(failed(failure("wafv2:UpdateIPSet", &e))),
        }
    }
    Err(SourceError::Failed(format!(
        "IP set {} changed under us {MAX_TRIES} times in a row; nothing of ours was applied. \
         Try again in a moment.",
        Text::new(ch.name)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ip_sets_arn_names_its_scope_name_and_id() {
        assert_eq!(
            parse_arn("arn:aws:wafv2:eu-west-1:123456789012:regional/ipset/blocked-ips/a1b2"),
            Some((Scope::Regional, "blocked-ips".into(), "a1b2".into()))
        );
        assert_eq!(
            parse_arn("arn:aws-cn:wafv2:us-east-1:123456789012:global/ipset/edge/x9"),
            Some((Scope::Cloudfront, "edge".into(), "x9".into()))
        );
        for bad in [
            "",
            "arn:aws:wafv2:eu-west-1:1:regional/webacl/a/b",
            "arn:aws:wafv2:eu-west-1:1:regional/ipset/a",
            "arn:aws:wafv2:eu-west-1:1:regional/ipset/a/b/c",
            "arn:aws:wafv2:eu-west-1:1:other/ipset/a/b",
        ] {
            assert_eq!(parse_arn(bad), None, "{bad}");
        }
    }
}
