//! HTTP APIs (API Gateway v2), for the Access screen: each API's endpoint and CORS, its routes
//! with their authorization (JWT, Lambda, IAM or none), its stages with their default route
//! throttle and access log (GetApis, then GetRoutes, GetAuthorizers and GetStages per API). They
//! have no usage plans, API keys or web ACLs, and no resource policy. WebSocket APIs are left
//! out. Every call waits its turn on the account's API Gateway pacer.

use std::collections::HashMap;

use aws_sdk_apigatewayv2::Client;
use aws_sdk_apigatewayv2::types::{
    AuthorizationType, Authorizer, AuthorizerType, ProtocolType, Route,
};

use super::Calls;
use super::apigateway::paged;
use super::connect::{Failure, failure};
use super::pace::Pacer;
use crate::model::access::{Access, Authorization, Endpoint, KeySource, Logging, Method};
use crate::model::{Protocol, RestApi, Stage, StageMetrics, Text, Throttle};

/// "GET /items" (or "$default", a catch-all route) into a method and a path.
fn route(key: &str) -> (String, String) {
    match key.split_once(' ') {
        Some((m, p)) => (m.to_string(), p.to_string()),
        None => ("ANY".into(), key.to_string()),
    }
}

pub async fn read(c: &Client, pace: &Pacer, calls: &mut Calls) -> Result<Vec<RestApi>, Failure> {
    let apis = paged(pace, calls, "apigateway:GetApis", |token| async move {
        let page = c
            .get_apis()
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| failure("apigateway:GET /apis", &e))?;
        Ok((page.items().to_vec(), page.next_token().map(str::to_string)))
    })
    .await?;
    let mut out = Vec::new();
    for api in apis
        .iter()
        .filter(|a| a.protocol_type() == Some(&ProtocolType::Http))
    {
        let id = api.api_id().unwrap_or_default();
        let authorizers = authorizers(c, pace, calls, id).await?;
        let cors = api
            .cors_configuration()
            .map(|c| c.allow_origins().join(","))
            .filter(|o| !o.is_empty());
        let methods = routes(c, pace, calls, id, &authorizers, cors.as_deref()).await?;
        let stages = paged(pace, calls, "apigateway:GetStages", |token| async move {
            let page = c
                .get_stages()
                .api_id(id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| failure("apigateway:GET /apis/*/stages", &e))?;
            let items = page.items().iter().map(stage).collect();
            Ok((items, page.next_token().map(str::to_string)))
        })
        .await?;
        out.push(RestApi {
            place: Default::default(),
            id: Text::new(id),
            name: Text::new(api.name().unwrap_or_default()),
            stages,
            access: Some(Access {
                methods_unread: None,
                endpoint: Endpoint::Regional,
                vpc_endpoints: Vec::new(),
                execute_api_disabled: api.disable_execute_api_endpoint().unwrap_or(false),
                key_source: KeySource::Header,
                policy: None,
                methods,
            }),
            protocol: Protocol::Http,
        });
    }
    Ok(out)
}

/// An API's authorizers by id: JWT (with its issuer) or Lambda.
async fn authorizers(
    c: &Client,
    pace: &Pacer,
    calls: &mut Calls,
    id: &str,
) -> Result<HashMap<String, Authorization>, Failure> {
    let all = paged(
        pace,
        calls,
        "apigateway:GetAuthorizers",
        |token| async move {
            let page = c
                .get_authorizers()
                .api_id(id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| failure("apigateway:GET /apis/*/authorizers", &e))?;
            let items = page.items().iter().map(authorizer).collect();
            Ok((items, page.next_token().map(str::to_string)))
        },
    )
    .await?;
    Ok(all.into_iter().collect())
}

/// An authorizer's id and what it is.
fn authorizer(a: &Authorizer) -> (String, Authorization) {
    let name = Text::new(a.name().unwrap_or_default());
    let kind = match a.authorizer_type() {
        Some(AuthorizerType::Jwt) => Authorization::Jwt {
            name,
            issuer: Text::new(
                a.jwt_configuration()
                    .and_then(|j| j.issuer())
                    .unwrap_or("?"),
            ),
        },
        _ => Authorization::Lambda {
            name,
            request: true,
        },
    };
    (a.authorizer_id().unwrap_or_default().to_string(), kind)
}

/// An API's routes as methods, by path then method, each with its authorization.
async fn routes(
    c: &Client,
    pace: &Pacer,
    calls: &mut Calls,
    id: &str,
    authorizers: &HashMap<String, Authorization>,
    cors: Option<&str>,
) -> Result<Vec<Method>, Failure> {
    let mut methods = paged(pace, calls, "apigateway:GetRoutes", |token| async move {
        let page = c
            .get_routes()
            .api_id(id)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| failure("apigateway:GET /apis/*/routes", &e))?;
        let items = page
            .items()
            .iter()
            .map(|r| route_method(r, authorizers, cors))
            .collect();
        Ok((items, page.next_token().map(str::to_string)))
    })
    .await?;
    methods.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    Ok(methods)
}

/// A route as a method: its verb and path, and who may call it.
fn route_method(
    r: &Route,
    authorizers: &HashMap<String, Authorization>,
    cors: Option<&str>,
) -> Method {
    let (method, path) = route(r.route_key().unwrap_or_default());
    let by_id = r.authorizer_id().and_then(|a| authorizers.get(a)).cloned();
    let authorization = match r.authorization_type() {
        None | Some(AuthorizationType::None) => Authorization::None,
        Some(AuthorizationType::AwsIam) => Authorization::Iam,
        Some(AuthorizationType::Jwt | AuthorizationType::Custom) => {
            by_id.unwrap_or_else(|| Authorization::Other(Text::new("authorizer ?")))
        }
        Some(other) => Authorization::Other(Text::new(other.as_str())),
    };
    Method {
        method: Text::new(&method),
        path: Text::new(&path),
        authorization,
        api_key_required: r.api_key_required().unwrap_or(false),
        cors_origin: cors.map(Text::new),
    }
}

/// A route's throttle as API Gateway v2 gives it: None when neither limit is set (the stage's,
/// else the account's, applies), else what is set, a 0 included: a rate of 0 refuses every
/// request (API Gateway answers 429), which is not the same as no throttle at all.
fn route_throttle(rate: Option<f64>, burst: Option<i32>) -> Option<Throttle> {
    (rate.is_some() || burst.is_some()).then(|| Throttle {
        rate_limit: rate.unwrap_or(0.0).max(0.0),
        burst_limit: burst.unwrap_or(0).max(0) as u32,
    })
}

/// A stage with its default route throttle and access log; HTTP APIs have no execution log.
/// The account's throttle applies to HTTP APIs too (set when the snapshot is assembled).
fn stage(s: &aws_sdk_apigatewayv2::types::Stage) -> Stage {
    let d = s.default_route_settings();
    Stage {
        refused: None,
        name: Text::new(s.stage_name().unwrap_or_default()),
        throttle: route_throttle(
            d.and_then(|d| d.throttling_rate_limit()),
            d.and_then(|d| d.throttling_burst_limit()),
        ),
        account_throttle: None,
        method_throttles: s
            .route_settings()
            .into_iter()
            .flatten()
            .filter_map(|(key, r)| {
                let t = route_throttle(r.throttling_rate_limit(), r.throttling_burst_limit())?;
                Some((Text::new(key), t))
            })
            .collect(),
        metrics: StageMetrics::default(),
        web_acl: None,
        logging: Some({
            let l = s.access_log_settings();
            Logging::new(
                l.and_then(|l| l.destination_arn()),
                l.and_then(|l| l.format()),
                "OFF",
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throttle_of_zero_is_not_no_throttle() {
        assert_eq!(route_throttle(None, None), None, "the account's applies");
        let zero = route_throttle(Some(0.0), Some(0)).expect("a throttle");
        assert!(zero.refuses_all());
        let only_burst = route_throttle(None, Some(10)).expect("a throttle");
        assert!(
            only_burst.refuses_all(),
            "no rate: nothing refills the bucket"
        );
        assert!(!route_throttle(Some(5.0), None).unwrap().refuses_all());
    }

    #[test]
    fn route_keys_become_a_method_and_a_path() {
        assert_eq!(
            route("GET /items/{id}"),
            ("GET".into(), "/items/{id}".into())
        );
        assert_eq!(route("$default"), ("ANY".into(), "$default".into()));
    }
}
