//! An access log's format, as a stage's accessLogSettings.format gives it: JSON (`{"key":
//! "$context.identity.apiKeyId", …}`), or CLF, CSV or any text with `$context` variables in it.
//! What matters is which variables it records: counting 429s per API key from the logs (issue
//! of Logs Insights) needs the key, the status and, to tell throttling from quota, the error's
//! response type.

use serde_json::Value;

/// The variables a format must hold to count refusals per key.
pub const FOR_429S_PER_KEY: [&str; 3] = [
    "$context.identity.apiKeyId",
    "$context.status",
    "$context.error.responseType",
];

/// Every `$context.…` variable in a format, in order, each once: from a JSON format's values,
/// else from the text (CLF, CSV, XML or anything else).
pub fn variables(format: &str) -> Vec<String> {
    let text = match serde_json::from_str::<Value>(format) {
        Ok(Value::Object(fields)) => fields
            .values()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" "),
        _ => format.to_string(),
    };
    let mut out: Vec<String> = Vec::new();
    for var in variables_in_order(&text) {
        if !out.contains(&var) {
            out.push(var);
        }
    }
    out
}

/// Every `$context.…` variable in a text, in order, as often as it appears.
pub fn variables_in_order(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("$context.") {
        let tail = &rest[at..];
        let end = tail
            .char_indices()
            .skip(1)
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '.' || *c == '_'))
            .map_or(tail.len(), |(i, _)| i);
        out.push(tail[..end].trim_end_matches('.').to_string());
        rest = &tail[end..];
    }
    out
}

/// What a format lacks to count 429s per key, in the order to add them.
pub fn missing_for_429s(format: &str) -> Vec<&'static str> {
    let have = variables(format);
    FOR_429S_PER_KEY
        .into_iter()
        .filter(|v| !have.iter().any(|h| h == v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn json_clf_and_csv_formats_name_their_variables() {
        let json = r#"{"requestId":"$context.requestId","key":"$context.identity.apiKeyId","status":"$context.status","err":"$context.error.responseType"}"#;
        assert!(missing_for_429s(json).is_empty());
        let clf = r#"$context.identity.sourceIp - - [$context.requestTime] "$context.httpMethod $context.routeKey $context.protocol" $context.status $context.responseLength $context.requestId"#;
        assert_eq!(
            missing_for_429s(clf),
            ["$context.identity.apiKeyId", "$context.error.responseType"]
        );
        let csv = "$context.requestId,$context.identity.apiKeyId,$context.status";
        assert_eq!(missing_for_429s(csv), ["$context.error.responseType"]);
        assert_eq!(
            variables(csv),
            [
                "$context.requestId",
                "$context.identity.apiKeyId",
                "$context.status"
            ]
        );
        assert_eq!(missing_for_429s("").len(), 3);
    }

    proptest! {
        #[test]
        fn any_format_reads_without_a_crash(f in any::<String>()) {
            let vars = variables(&f);
            prop_assert!(vars.iter().all(|v| v.starts_with("$context.")));
        }
    }
}
