//! API keys: every key (paged), those named as a rotation's new key, a key's value, the plans
//! that hold it, and a usage plan's keys.

use super::*;

/// The key ids of one usage plan, every page.
pub async fn plan_keys(
    c: &Client,
    pace: &Pacer,
    calls: &mut Calls,
    id: &str,
) -> Result<Vec<String>, Failure> {
    paged(
        pace,
        calls,
        "apigateway:GetUsagePlanKeys",
        |position| async move {
            let page = c
                .get_usage_plan_keys()
                .usage_plan_id(id)
                .limit(PAGE)
                .set_position(position)
                .send()
                .await
                .map_err(|e| failure("apigateway:GET /usageplans/*/keys", &e))?;
            let ids = page
                .items()
                .iter()
                .filter_map(|k| k.id().map(str::to_string))
                .collect();
            Ok((ids, page.position().map(str::to_string)))
        },
    )
    .await
}

/// Every API key of the account (values only when asked), paged.
pub(super) async fn all_keys(
    c: &Client,
    pace: &Pacer,
    calls: &mut Calls,
    values: bool,
) -> Result<Vec<aws_sdk_apigateway::types::ApiKey>, Failure> {
    paged(
        pace,
        calls,
        "apigateway:GetApiKeys",
        |position| async move {
            let page = c
                .get_api_keys()
                .include_values(values)
                .limit(PAGE)
                .set_position(position)
                .send()
                .await
                .map_err(|e| failure("apigateway:GET /apikeys", &e))?;
            Ok((page.items().to_vec(), page.position().map(str::to_string)))
        },
    )
    .await
}

pub(super) fn created(k: &aws_sdk_apigateway::types::ApiKey) -> DateTime<Utc> {
    k.created_date()
        .and_then(|d| DateTime::from_timestamp(d.secs(), 0))
        .unwrap_or_default()
}

/// A key as discovery keeps it: its value only fingerprinted.
pub(super) fn key_conf(k: &aws_sdk_apigateway::types::ApiKey) -> KeyConf {
    key_conf_of(k.id(), k.name(), k.value(), k.enabled(), created(k))
}

pub(super) fn key_conf_of(
    id: Option<&str>,
    name: Option<&str>,
    value: Option<&str>,
    enabled: bool,
    created: DateTime<Utc>,
) -> KeyConf {
    KeyConf {
        id: id.unwrap_or_default().to_string(),
        name: name.unwrap_or_default().to_string(),
        fingerprint: Fingerprint::of(value.unwrap_or_default()),
        hint: Secret::new(value.unwrap_or_default()).masked(),
        enabled,
        created,
    }
}

/// Every key, its value read only to be fingerprinted.
pub async fn keys(c: &Client, pace: &Pacer, calls: &mut Calls) -> Result<Vec<KeyConf>, Failure> {
    Ok(all_keys(c, pace, calls, true)
        .await?
        .iter()
        .map(key_conf)
        .collect())
}

/// The keys whose id or name is `id_or_name` (names are not unique), each with the usage
/// plans it is in: what a rotation's plan needs, in a few calls whatever the account's size.
pub async fn keys_named(
    c: &Client,
    pace: &Pacer,
    calls: &mut Calls,
    id_or_name: &str,
) -> Result<(Vec<KeyConf>, Vec<PlanConf>), Failure> {
    pace.wait().await;
    calls.add("apigateway:GetApiKey");
    let by_id = match c
        .get_api_key()
        .api_key(id_or_name)
        .include_value(true)
        .send()
        .await
    {
        Ok(k) => Some(key_conf_of(
            k.id(),
            k.name(),
            k.value(),
            k.enabled(),
            k.created_date()
                .and_then(|d| DateTime::from_timestamp(d.secs(), 0))
                .unwrap_or_default(),
        )),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_not_found_exception()) =>
        {
            None
        }
        Err(e) => return Err(failure("apigateway:GET /apikeys/*", &e)),
    };
    let named = paged(
        pace,
        calls,
        "apigateway:GetApiKeys",
        |position| async move {
            let page = c
                .get_api_keys()
                .name_query(id_or_name)
                .include_values(true)
                .limit(PAGE)
                .set_position(position)
                .send()
                .await
                .map_err(|e| failure("apigateway:GET /apikeys", &e))?;
            Ok((page.items().to_vec(), page.position().map(str::to_string)))
        },
    )
    .await?;
    let mut keys: Vec<KeyConf> = by_id.into_iter().collect();
    for k in named.iter().filter(|k| k.name() == Some(id_or_name)) {
        if !keys.iter().any(|have| Some(have.id.as_str()) == k.id()) {
            keys.push(key_conf(k));
        }
    }
    let plans = plans_of_keys(c, pace, calls, &keys).await?;
    Ok((keys, plans))
}

/// The usage plans that hold any of `keys`, each listing which of them it holds.
async fn plans_of_keys(
    c: &Client,
    pace: &Pacer,
    calls: &mut Calls,
    keys: &[KeyConf],
) -> Result<Vec<PlanConf>, Failure> {
    let mut plans: Vec<PlanConf> = Vec::new();
    for k in keys {
        let id = k.id.as_str();
        let of_key = paged(
            pace,
            calls,
            "apigateway:GetUsagePlans",
            |position| async move {
                let page = c
                    .get_usage_plans()
                    .key_id(id)
                    .limit(PAGE)
                    .set_position(position)
                    .send()
                    .await
                    .map_err(|e| failure("apigateway:GET /usageplans", &e))?;
                Ok((
                    page.items().iter().map(plan_conf).collect::<Vec<_>>(),
                    page.position().map(str::to_string),
                ))
            },
        )
        .await?;
        for mut p in of_key {
            match plans.iter_mut().find(|have| have.id == p.id) {
                Some(have) => have.key_ids.push(k.id.clone()),
                None => {
                    p.key_ids = vec![k.id.clone()];
                    plans.push(p);
                }
            }
        }
    }
    Ok(plans)
}

/// The account's throttle (GetAccount throttleSettings), which applies to every stage that sets
/// none of its own: 10,000 requests a second with a burst of 5,000 by default, lower in some
/// regions.
pub async fn account_throttle(
    c: &Client,
    pace: &Pacer,
    calls: &mut Calls,
) -> Result<Option<Throttle>, Failure> {
    pace.wait().await;
    calls.add("apigateway:GetAccount");
    let a = c
        .get_account()
        .send()
        .await
        .map_err(|e| failure("apigateway:GET /account", &e))?;
    Ok(a.throttle_settings()
        .and_then(|t| throttle(t.rate_limit(), t.burst_limit())))
}

/// The marker an edgetop rotation writes into the description of the key it creates.
pub fn rotation_marker(old_key_id: &str) -> String {
    format!("({old_key_id}); edgetop rotation ")
}

/// Keys that an edgetop rotation of `old_key_id` created (their description says so), on
/// this machine or another: (id, name, created).
pub async fn keys_replacing(
    c: &Client,
    pace: &Pacer,
    calls: &mut Calls,
    old_key_id: &str,
) -> Result<Vec<(String, String, DateTime<Utc>)>, Failure> {
    let marker = rotation_marker(old_key_id);
    Ok(all_keys(c, pace, calls, false)
        .await?
        .iter()
        .filter(|k| k.description().is_some_and(|d| d.contains(&marker)))
        .map(|k| {
            (
                k.id().unwrap_or_default().to_string(),
                k.name().unwrap_or_default().to_string(),
                created(k),
            )
        })
        .collect())
}

/// One key's value (GetApiKey includeValue), for a reveal the operator asked for.
pub async fn key_value(c: &Client, key_id: &str) -> Result<Secret, Failure> {
    let k = c
        .get_api_key()
        .api_key(key_id)
        .include_value(true)
        .send()
        .await
        .map_err(|e| failure("apigateway:GET /apikeys/*", &e))?;
    match k.value() {
        Some(v) if !v.is_empty() => Ok(Secret::new(v)),
        _ => Err(Failure::Other {
            action: "apigateway:GET /apikeys/*",
            detail: format!(
                "API Gateway returned no value for key {}",
                crate::model::Text::new(key_id)
            ),
        }),
    }
}

/// The usage plans a key is in, every page (GetUsagePlans with `keyId`).
pub async fn plans_of_key(
    c: &Client,
    pace: &Pacer,
    key_id: &str,
    calls: &mut Calls,
) -> Result<Vec<String>, Failure> {
    paged(
        pace,
        calls,
        "apigateway:GetUsagePlans",
        |position| async move {
            let page = c
                .get_usage_plans()
                .key_id(key_id)
                .limit(PAGE)
                .set_position(position)
                .send()
                .await
                .map_err(|e| failure("apigateway:GET /usageplans", &e))?;
            let ids = page
                .items()
                .iter()
                .filter_map(|p| p.id().map(str::to_string))
                .collect();
            Ok((ids, page.position().map(str::to_string)))
        },
    )
    .await
}
