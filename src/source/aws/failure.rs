//! What went wrong with a call to AWS, or with reading the profile files, in the operator's
//! words.

use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

/// An error's own words and its causes', one line (never its Debug form, which the SDK's
/// errors print as nested structures), escaped and at most 300 characters.
pub fn in_words(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        let words = err.to_string();
        // An outer error often repeats its source's words: each said once.
        if !words.is_empty() && !parts.iter().any(|p| p.contains(&words)) {
            parts.push(words);
        }
        next = err.source();
    }
    let line: String = crate::model::text::escape(&parts.join(": "))
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    crate::model::text::fit(&line, 300)
}

/// What went wrong with one call, in the operator's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The identity lacks an IAM permission.
    Denied {
        action: &'static str,
        detail: String,
    },
    /// AWS throttled the call (after the SDK's retries).
    Throttled { action: &'static str },
    /// The endpoint could not be reached or timed out.
    Unreachable {
        action: &'static str,
        detail: String,
    },
    /// Anything else the service said.
    Other {
        action: &'static str,
        detail: String,
    },
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Denied { action, .. } => {
                write!(f, "{action} is denied: the IAM policy needs it (see iam/)")
            }
            Failure::Throttled { action } => {
                write!(f, "{action} was throttled by AWS; retrying later")
            }
            Failure::Unreachable { action, detail } => {
                write!(f, "{action}: cannot reach AWS ({detail})")
            }
            Failure::Other { action, detail } => write!(f, "{action} failed: {detail}"),
        }
    }
}

/// Classify an SDK error for the IAM action `action` (e.g. "wafv2:GetWebACL").
pub fn failure<E, R>(action: &'static str, e: &SdkError<E, R>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match e {
        SdkError::ServiceError(se) => {
            let err = se.err();
            let code = err.code().unwrap_or("");
            let detail = format!("{code}: {}", err.message().unwrap_or_default());
            if code.contains("AccessDenied")
                || code.contains("Unauthorized")
                || code == "AuthorizationError"
            {
                Failure::Denied { action, detail }
            } else if code.contains("Throttl")
                || code == "TooManyRequestsException"
                || code == "RequestLimitExceeded"
            {
                Failure::Throttled { action }
            } else {
                Failure::Other { action, detail }
            }
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            let detail = match e {
                SdkError::TimeoutError(_) => "timed out".to_string(),
                _ => "connection failed".to_string(),
            };
            Failure::Unreachable { action, detail }
        }
        _ => Failure::Other {
            action,
            detail: in_words(e),
        },
    }
}
