//! The CloudWatch Logs Insights queries edgetop sends, built from what each log holds, and how
//! their answers become figures. Pure: the AWS source sends them, the README lists them.
//!
//! An access log's fields are named by its format: a JSON format's keys (Logs Insights
//! discovers JSON fields by themselves, nested keys joined with dots), else a `parse` of the
//! line with a glob made from the format (CLF, CSV or any text). WAF logs are JSON with fixed
//! names (AWS WAF developer guide, "Log fields for web ACL traffic").

use serde_json::Value;

use crate::model::Text;
use crate::model::log_format;
use crate::model::logs::{Blocked, Refusals, Refused, Tally};

/// `arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]` as (region, name).
pub fn log_group(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(7, ':');
    let (_, _, service, region, _, kind) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let name = parts.next()?;
    (service == "logs" && kind == "log-group")
        .then(|| (region, name.strip_suffix(":*").unwrap_or(name)))
}

/// A log group's ARN as one name. API Gateway keeps a stage's destination as it was given,
/// with or without the trailing `:*` that `DescribeLogGroups` writes (both name the same
/// group), so two stages writing to one group may spell it two ways.
pub fn same_group(arn: &str) -> &str {
    arn.strip_suffix(":*").unwrap_or(arn)
}

/// A row of a query's answer: (field, value) pairs, as GetQueryResults gives them.
pub type Row = Vec<(String, String)>;

/// Where an access log keeps what counting 429s needs, by Logs Insights field name.
#[derive(Clone, Debug, PartialEq)]
pub struct AccessFields {
    /// The `parse` command that names a text format's fields; None for JSON.
    pub parse: Option<String>,
    pub key: String,
    pub status: String,
    pub response_type: String,
    /// Which API and stage a line is of: needed when stages share a log group.
    pub api_id: Option<String>,
    pub stage: Option<String>,
}

const API_ID: &str = "$context.apiId";
const STAGE: &str = "$context.stage";

/// The fields of a format, as (variable, Logs Insights field) pairs, and the `parse` command a
/// text format needs.
fn fields_of(format: &str) -> (Option<String>, Vec<(String, String)>) {
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(format) {
        let mut out = Vec::new();
        flatten(&map, "", &mut out);
        return (None, out);
    }
    // Text: each variable becomes a `*` of a glob, named by its last part.
    let vars = log_format::variables_in_order(format);
    let mut glob = String::new();
    let mut rest = format;
    let mut names: Vec<(String, String)> = Vec::new();
    for var in &vars {
        let Some(at) = rest.find(var.as_str()) else {
            break;
        };
        glob.push_str(&rest[..at]);
        glob.push('*');
        rest = &rest[at + var.len()..];
        let base = var.rsplit('.').next().unwrap_or("field");
        let mut name = base.to_string();
        let mut n = 2;
        while names.iter().any(|(_, f)| *f == name) {
            name = format!("{base}{n}");
            n += 1;
        }
        names.push((var.clone(), name));
    }
    glob.push_str(rest);
    if names.is_empty() {
        return (None, names);
    }
    (Some(parse_command(&glob, &names)), names)
}

/// The `parse` of a text format: a glob in double quotes, as AWS documents it (`parse @message
/// "user=*, method:*" as user, method`), where the glob holds no double quote; AWS documents no
/// escape inside one, so a format with quotes (Common Log Format's `"$context.httpMethod …"`)
/// is parsed with the regular expression of the same glob, named groups for its stars.
fn parse_command(glob: &str, names: &[(String, String)]) -> String {
    let list: Vec<&str> = names.iter().map(|(_, f)| f.as_str()).collect();
    if !glob.contains('"') && !glob.contains('\\') {
        return format!("parse @message \"{glob}\" as {}", list.join(", "));
    }
    let mut re = String::from("^");
    for (i, piece) in glob.split('*').enumerate() {
        if i > 0 {
            re.push_str(&format!("(?<{}>.*?)", list[i - 1].trim_matches('`')));
        }
        for c in piece.chars() {
            if "\\^$.|?*+()[]{}/".contains(c) {
                re.push('\\');
            }
            re.push(c);
        }
    }
    re.push('$');
    format!("parse @message /{re}/")
}

/// A JSON format's values that are exactly one variable, by dotted key path.
fn flatten(map: &serde_json::Map<String, Value>, prefix: &str, out: &mut Vec<(String, String)>) {
    for (k, v) in map {
        let path = format!("{prefix}{k}");
        match v {
            Value::String(s) if s.trim().starts_with("$context.") => {
                let vars = log_format::variables(s);
                if let [one] = vars.as_slice()
                    && s.trim() == one
                {
                    out.push((one.clone(), field_name(&path)));
                }
            }
            Value::Object(inner) => flatten(inner, &format!("{path}."), out),
            _ => {}
        }
    }
}

/// A field as a query names it: backquoted unless it is a plain name.
fn field_name(path: &str) -> String {
    let plain = path
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if plain {
        path.to_string()
    } else {
        format!("`{}`", path.replace('`', ""))
    }
}

/// What counting 429s per key needs from an access log with this format, or the variables it
/// lacks.
pub fn access_fields(format: &str) -> Result<AccessFields, Vec<&'static str>> {
    let (parse, names) = fields_of(format);
    let field = |var: &str| names.iter().find(|(v, _)| v == var).map(|(_, f)| f.clone());
    let needed: Vec<Option<String>> = log_format::FOR_429S_PER_KEY
        .iter()
        .map(|v| field(v))
        .collect();
    if needed.iter().any(Option::is_none) {
        return Err(log_format::FOR_429S_PER_KEY
            .iter()
            .zip(&needed)
            .filter(|(_, f)| f.is_none())
            .map(|(v, _)| *v)
            .collect());
    }
    let mut needed = needed.into_iter().flatten();
    let (key, status, response_type) = (
        needed.next().unwrap_or_default(),
        needed.next().unwrap_or_default(),
        needed.next().unwrap_or_default(),
    );
    Ok(AccessFields {
        parse,
        key,
        status,
        response_type,
        api_id: field(API_ID),
        stage: field(STAGE),
    })
}

/// What a log group shared by several stages also needs, to tell them apart.
pub fn missing_to_tell_stages_apart(f: &AccessFields) -> Vec<&'static str> {
    [(API_ID, &f.api_id), (STAGE, &f.stage)]
        .into_iter()
        .filter(|(_, have)| have.is_none())
        .map(|(v, _)| v)
        .collect()
}

/// The most rows an access query's answer holds: the keys most refused first. (Logs Insights
/// returns 10,000 rows when a query names no `limit`; saying it keeps the bound explicit.)
pub const ACCESS_ROWS: usize = 10_000;

/// The 429s of a window, by API, stage, key and response type, the most first.
pub fn access_query(f: &AccessFields) -> String {
    let mut by: Vec<&str> = Vec::new();
    by.extend(f.api_id.as_deref());
    by.extend(f.stage.as_deref());
    by.extend([f.key.as_str(), f.response_type.as_str()]);
    let mut parts: Vec<String> = Vec::new();
    parts.extend(f.parse.clone());
    parts.push(format!("filter {} = 429", f.status));
    parts.push(format!("stats count(*) as refused by {}", by.join(", ")));
    parts.push(format!("sort refused desc | limit {ACCESS_ROWS}"));
    parts.join(" | ")
}

/// The sources WAF stopped: by address, country, terminating rule and action.
pub const WAF_SOURCES: &str = "filter action != \"ALLOW\" | stats count(*) as requests by httpRequest.clientIp, httpRequest.country, terminatingRuleId, action | sort requests desc | limit 100";
/// The paths of the requests WAF stopped.
pub const WAF_PATHS: &str = "filter action != \"ALLOW\" | stats count(*) as requests by httpRequest.uri | sort requests desc | limit 20";
/// Their user agents (a header in a list: parsed out of the line, in any case).
pub const WAF_AGENTS: &str = "filter action != \"ALLOW\" | parse @message /(?i)\"name\":\\s*\"user-agent\",\\s*\"value\":\\s*\"(?<agent>[^\"]*)\"/ | stats count(*) as requests by agent | sort requests desc | limit 20";

fn get<'a>(row: &'a Row, field: &str) -> Option<&'a str> {
    let field = field.trim_matches('`');
    row.iter()
        .find(|(f, _)| f.trim_matches('`') == field)
        .map(|(_, v)| v.as_str())
}

fn count(row: &Row, field: &str) -> u64 {
    get(row, field)
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map_or(0, |n| n as u64)
}

/// A logged value: API Gateway writes `-` for one it does not have.
fn logged(v: Option<&str>) -> Option<Text> {
    v.map(str::trim)
        .filter(|v| !v.is_empty() && *v != "-")
        .map(Text::new)
}

/// An access query's answer as 429s per API, stage and key. `only` names the stage a log
/// group serves alone, for formats that do not say.
pub fn refused(
    rows: &[Row],
    f: &AccessFields,
    only: Option<(&str, &str)>,
    minutes: f64,
) -> Vec<Refused> {
    let mut out: Vec<Refused> = Vec::new();
    // Each (API, stage, key) once: its response types are rows of their own.
    type Who = (Option<Text>, Option<Text>, Option<Text>);
    let mut at: std::collections::HashMap<Who, usize> = std::collections::HashMap::new();
    for row in rows.iter().take(ACCESS_ROWS) {
        let api_id = f
            .api_id
            .as_deref()
            .and_then(|n| logged(get(row, n)))
            .or_else(|| only.map(|(a, _)| Text::new(a)));
        let stage = f
            .stage
            .as_deref()
            .and_then(|n| logged(get(row, n)))
            .or_else(|| only.map(|(_, s)| Text::new(s)));
        let key_id = logged(get(row, &f.key));
        let n = count(row, "refused");
        let i = *at
            .entry((api_id.clone(), stage.clone(), key_id.clone()))
            .or_insert_with(|| {
                out.push(Refused {
                    api_id,
                    stage,
                    key_id,
                    counts: Refusals {
                        minutes,
                        ..Default::default()
                    },
                });
                out.len() - 1
            });
        let r = &mut out[i].counts;
        match get(row, &f.response_type).map(str::trim) {
            Some("THROTTLED") => r.throttled += n,
            Some("QUOTA_EXCEEDED") => r.quota += n,
            _ => r.other += n,
        }
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.counts.total()));
    out
}

/// The sources query's answer.
pub fn blocked(rows: &[Row], web_acl: &Text) -> Vec<Blocked> {
    rows.iter()
        .map(|row| {
            let t = |f| Text::new(get(row, f).unwrap_or("-"));
            Blocked {
                place: Default::default(),
                web_acl: web_acl.clone(),
                client_ip: t("httpRequest.clientIp"),
                country: t("httpRequest.country"),
                rule: t("terminatingRuleId"),
                action: t("action"),
                requests: count(row, "requests"),
            }
        })
        .collect()
}

/// A paths or agents query's answer.
pub fn tallies(rows: &[Row], field: &str, web_acl: &Text) -> Vec<Tally> {
    rows.iter()
        .map(|row| Tally {
            place: Default::default(),
            web_acl: web_acl.clone(),
            value: Text::new(get(row, field).unwrap_or("-")),
            requests: count(row, "requests"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn row(pairs: &[(&str, &str)]) -> Row {
        pairs
            .iter()
            .map(|(f, v)| (f.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_json_format_names_its_fields_by_its_keys() {
        let f = access_fields(
            r#"{"requestId":"$context.requestId","caller":{"key":"$context.identity.apiKeyId"},"http status":"$context.status","err":"$context.error.responseType","api":"$context.apiId","stage":"$context.stage"}"#,
        )
        .unwrap();
        assert_eq!(f.parse, None);
        assert_eq!(f.key, "caller.key");
        assert_eq!(f.status, "`http status`");
        assert_eq!(
            access_query(&f),
            "filter `http status` = 429 | stats count(*) as refused by api, stage, caller.key, err | sort refused desc | limit 10000"
        );
    }

    #[test]
    fn a_clf_format_is_parsed_as_aws_documents_it() {
        // No double quote: a glob in double quotes, as AWS documents it.
        let plain = "$context.identity.sourceIp $context.requestTime $context.status $context.identity.apiKeyId $context.error.responseType";
        assert_eq!(
            access_fields(plain).unwrap().parse.as_deref(),
            Some(
                r#"parse @message "* * * * *" as sourceIp, requestTime, status, apiKeyId, responseType"#
            )
        );
        // Quotes (Common Log Format): AWS documents no escape inside a glob, so the same glob
        // as a regular expression, each star a named group.
        let clf = r#"$context.identity.sourceIp - - [$context.requestTime] "$context.httpMethod $context.resourcePath" $context.status $context.identity.apiKeyId $context.error.responseType"#;
        let f = access_fields(clf).unwrap();
        assert_eq!(
            f.parse.as_deref(),
            Some(
                r#"parse @message /^(?<sourceIp>.*?) - - \[(?<requestTime>.*?)\] "(?<httpMethod>.*?) (?<resourcePath>.*?)" (?<status>.*?) (?<apiKeyId>.*?) (?<responseType>.*?)$/"#
            )
        );
        assert_eq!(f.api_id, None);
        assert_eq!(
            missing_to_tell_stages_apart(&f),
            ["$context.apiId", "$context.stage"]
        );
    }

    #[test]
    fn a_format_without_the_key_says_what_to_add() {
        assert_eq!(
            access_fields(r#"{"requestId":"$context.requestId","status":"$context.status"}"#),
            Err(vec![
                "$context.identity.apiKeyId",
                "$context.error.responseType"
            ])
        );
        // A value that mixes text with the variable is no field of its own.
        assert!(access_fields(r#"{"k":"key=$context.identity.apiKeyId","s":"$context.status","e":"$context.error.responseType"}"#).is_err());
    }

    #[test]
    fn answers_become_refusals_per_stage_and_key() {
        let f = access_fields(
            r#"{"key":"$context.identity.apiKeyId","status":"$context.status","rt":"$context.error.responseType"}"#,
        )
        .unwrap();
        let rows = vec![
            row(&[("key", "k1"), ("rt", "THROTTLED"), ("refused", "40")]),
            row(&[("key", "k1"), ("rt", "QUOTA_EXCEEDED"), ("refused", "2")]),
            row(&[("key", "-"), ("rt", "-"), ("refused", "3")]),
            row(&[("key", "k2"), ("rt", "THROTTLED"), ("refused", "bad")]),
        ];
        let r = refused(&rows, &f, Some(("a1", "live")), 5.0);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].key_id.as_ref().map(|t| t.as_str()), Some("k1"));
        let c = &r[0].counts;
        assert_eq!((c.throttled, c.quota, c.total()), (40, 2, 42));
        assert_eq!(r[0].stage.as_ref().map(|t| t.as_str()), Some("live"));
        assert_eq!((r[1].key_id.clone(), r[1].counts.other), (None, 3));
        assert_eq!(r[2].counts.total(), 0);
    }

    #[test]
    fn waf_answers_keep_what_they_say_and_nothing_unsafe() {
        let acl = Text::new("edge");
        let rows = vec![row(&[
            ("httpRequest.clientIp", "198.51.100.7"),
            ("httpRequest.country", "NL"),
            ("terminatingRuleId", "Geo\u{1b}]52;c;eA==\u{7}"),
            ("action", "BLOCK"),
            ("requests", "1200"),
        ])];
        let b = blocked(&rows, &acl);
        assert_eq!(b[0].requests, 1200);
        assert!(!b[0].rule.as_str().contains('\u{1b}'));
    }

    proptest! {
        #[test]
        fn any_format_builds_a_query_or_names_what_it_lacks(f in any::<String>()) {
            match access_fields(&f) {
                Ok(fields) => prop_assert!(access_query(&fields).contains("= 429")),
                Err(missing) => prop_assert!(!missing.is_empty()),
            }
        }
    }
}
