//! The writes, asked of IAM's policy simulator (`iam:SimulatePrincipalPolicy`) for the
//! identity's own user or role: nothing is changed to learn whether it could be. The simulator
//! evaluates the identity's policies, its permissions boundary and the organization's SCPs;
//! it does not see a role session's own session policy, nor a resource's policy.
//! API Gateway's actions are asked on a path like the one each operation calls; the others on
//! any resource ("*"), so a write the policies allow only on some resources shows as denied.

use aws_sdk_iam::types::PolicyEvaluationDecisionType as Decision;
use aws_sdk_sts::error::ProvideErrorMetadata;

use super::super::connect::Clients;
use super::{Answer, Asked, Kind, NEEDS, Need};

/// Ask every write of [`NEEDS`] for the identity `caller` (GetCallerIdentity's ARN). When the
/// simulator cannot be asked, every write's answer says why.
pub async fn ask_writes(c: &Clients, caller: &str) -> Vec<Asked> {
    let writes = || NEEDS.iter().filter(|n| n.kind == Kind::Write);
    let all = |answer: Answer| {
        writes()
            .map(|need| Asked {
                need,
                answer: answer.clone(),
            })
            .collect::<Vec<_>>()
    };
    let source = match principal(c, caller).await {
        Principal::Arn(arn) => arn,
        Principal::Root => return all(Answer::Allowed),
        Principal::Unknown(why) => return all(Answer::Unknown(why)),
    };
    let mut out = Vec::new();
    for need in writes() {
        let answer = match simulate(c, &source, need).await {
            Ok(a) => a,
            // The simulator itself refused: say so once for every write, not one by one.
            Err(why) => return all(Answer::Unknown(why)),
        };
        out.push(Asked { need, answer });
    }
    out
}

enum Principal {
    Arn(String),
    /// The account's root user, which IAM policies do not limit.
    Root,
    Unknown(String),
}

/// The user or role whose policies the caller acts with: a user's ARN as it is, an assumed
/// role's role (`assumed-role/NAME/session` is `role/NAME`, or `role/PATH/NAME` as GetRole
/// says, where the role has a path).
async fn principal(c: &Clients, caller: &str) -> Principal {
    let parts: Vec<&str> = caller.splitn(6, ':').collect();
    let (partition, account, resource) = match parts.as_slice() {
        [_, p, _, _, a, r] => (*p, *a, *r),
        _ => return Principal::Unknown(format!("{} is no ARN", crate::model::Text::new(caller))),
    };
    if resource == "root" {
        return Principal::Root;
    }
    if resource.starts_with("user/") {
        return Principal::Arn(caller.to_string());
    }
    let Some(role) = resource
        .strip_prefix("assumed-role/")
        .and_then(|r| r.split('/').next())
    else {
        return Principal::Unknown(format!(
            "{}: only a user's or a role's policies can be simulated",
            crate::model::Text::new(caller)
        ));
    };
    match c.iam.get_role().role_name(role).send().await {
        Ok(r) => match r.role() {
            Some(role) => Principal::Arn(role.arn().to_string()),
            None => Principal::Arn(format!("arn:{partition}:iam::{account}:role/{role}")),
        },
        // Without iam:GetRole, the role is taken to have no path (most have none).
        Err(_) => Principal::Arn(format!("arn:{partition}:iam::{account}:role/{role}")),
    }
}

/// The simulator's decision for one write, or why it could not be asked.
async fn simulate(c: &Clients, source: &str, need: &Need) -> Result<Answer, String> {
    let mut ask = c
        .iam
        .simulate_principal_policy()
        .policy_source_arn(source)
        .action_names(need.action);
    if !need.path.is_empty() {
        let path = need.path.replace('*', "edgetop-doctor");
        ask = ask.resource_arns(format!(
            "arn:{}:apigateway:{}::{path}",
            c.partition.name, c.region
        ));
    }
    let r = ask.send().await.map_err(|e| {
        let code = e.code().unwrap_or_default().to_string();
        let words = match e.message() {
            Some(m) => format!("{code}: {m}"),
            None => super::super::failure::in_words(&e),
        };
        let allow = if code.contains("AccessDenied") {
            ": allow iam:SimulatePrincipalPolicy on it to check the operations' actions"
        } else {
            ""
        };
        format!(
            "the policy simulator could not be asked about {} ({}){allow}",
            crate::model::Text::new(source),
            crate::model::text::escape(&words)
        )
    })?;
    let decisions: Vec<&Decision> = r
        .evaluation_results()
        .iter()
        .map(|e| e.eval_decision())
        .collect();
    Ok(match decisions.as_slice() {
        [] => Answer::Unknown("the policy simulator gave no decision".into()),
        d if d.iter().all(|d| **d == Decision::Allowed) => Answer::Allowed,
        d if d.contains(&&Decision::ExplicitDeny) => {
            Answer::Denied("explicitly denied (the policy simulator)".into())
        }
        _ => Answer::Denied("not allowed by any policy (the policy simulator)".into()),
    })
}
