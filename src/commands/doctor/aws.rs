//! Each account×region edgetop would read: its profile, region and credentials (who they are,
//! from STS), AWS's clock against this machine's, every read the screens make, and where the
//! place may change things, every write the operations make.

use std::time::Duration;

use super::Check;
use crate::commands::startup::{self, Run};
use crate::source::aws::connect::{self, ClockSkew, ConnectError};
use crate::source::aws::pace::Pacer;
use crate::source::aws::permissions::{self, Answer, Asked, Kind};
use crate::source::many::Wanted;

/// How long one place may take to connect before it is said to be unreachable.
const CONNECT_WITHIN: Duration = Duration::from_secs(30);

/// The fix for a missing permission: where the policies are.
const ADD_IT: &str = "add it to the identity's IAM policy: iam/read-only.json holds every read, \
                      iam/operator.json every change (in the packages: /usr/share/doc/edgetop/iam)";

/// Every place's checks, the places at once, each in its order.
pub async fn checks(run: &Run, config_reads: bool) -> Vec<Check> {
    if !config_reads {
        return vec![Check::skip(
            "aws",
            "not asked: the config file does not read (above), and it names the accounts",
        )];
    }
    let wanted = match startup::wanted_places(run).await {
        Ok(w) => w,
        Err(e) => {
            return vec![Check::fail(
                "places",
                format!("{e:#}"),
                "check --profile and --region (or the config's [[accounts]])",
            )];
        }
    };
    let per_place = futures::future::join_all(wanted.iter().map(|w| place(run, w))).await;
    per_place.into_iter().flatten().collect()
}

/// What a place is called in the report: "label · region", as the screens call it.
fn name_of(w: &Wanted, region: &str) -> String {
    let label = w.label().map(crate::model::text::escape);
    match label {
        Some(l) => format!("{l} · {region}"),
        None => format!("default credentials · {region}"),
    }
}

async fn place(run: &Run, w: &Wanted) -> Vec<Check> {
    let target = startup::aws_target(run, w);
    let mut out = Vec::new();
    // A place not connected is named by the region asked for.
    let unconnected = |c: Check| {
        let region = w.region.as_deref().unwrap_or("the profile's region");
        placed(vec![c], name_of(w, &crate::model::text::escape(region)))
    };
    let connected = tokio::time::timeout(CONNECT_WITHIN, connect::connect(&target)).await;
    let (clients, account, arn) = match connected {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return unconnected(refused(&e)),
        Err(_) => {
            return unconnected(Check::fail(
                "credentials",
                format!("no answer from AWS in {} s", CONNECT_WITHIN.as_secs()),
                "check the network, a proxy (HTTPS_PROXY) and --endpoint-url",
            ));
        }
    };
    let name = name_of(w, &clients.region);
    if let Some(p) = &w.profile {
        out.push(Check::ok("profile", crate::model::text::escape(p)));
    }
    out.push(Check::ok(
        "region",
        format!("{} (partition {})", clients.region, clients.partition.name),
    ));
    out.push(Check::ok(
        "credentials",
        format!(
            "{} (account {})",
            crate::model::text::escape(&arn),
            crate::model::text::escape(&account)
        ),
    ));
    let pace = Pacer::new(run.budgets.apigateway_rps, run.budgets.apigateway_burst);
    let reads = permissions::ask_reads(&clients, &account, &pace).await;
    out.push(clock(&clients.skew));
    out.extend(answers("reads", &reads, "the screens read"));
    if w.read_only || run.read_only {
        out.push(Check::skip(
            "changes",
            "not asked: read-only here (--read-only, or read_only in the config)",
        ));
    } else {
        let writes = permissions::ask_writes(&clients, &arn).await;
        out.extend(answers("changes", &writes, "the operations make"));
    }
    placed(out, name)
}

fn placed(mut out: Vec<Check>, name: String) -> Vec<Check> {
    for c in &mut out {
        c.place = Some(name.clone());
    }
    out
}

/// A place that could not connect: its one line, under the check that failed.
fn refused(e: &ConnectError) -> Check {
    let check = match e {
        ConnectError::NoProfile { .. } | ConnectError::ProfileFiles(_) => "profile",
        ConnectError::NoRegion | ConnectError::BadRegion(..) => "region",
        ConnectError::Unreachable { .. } => "network",
        ConnectError::ClockOff { .. } => "clock",
        _ => "credentials",
    };
    // Each sentence ends with its fix, after the last colon.
    let said = e.to_string();
    match said.rsplit_once(": ") {
        Some((what, fix)) => Check::fail(check, what, fix),
        None => Check::fail(check, said.clone(), "see above"),
    }
}

/// AWS's clock against this machine's, from the answers' Date headers: SigV4 refuses a
/// request more than five minutes off, and the windows edgetop asks for follow the local clock.
fn clock(skew: &ClockSkew) -> Check {
    match skew.seconds() {
        None => Check::skip("clock", "not asked: no answer carried AWS's time"),
        Some(s) if s.abs() <= 60 => Check::ok("clock", format!("{}s from AWS's", s.abs())),
        Some(s) => Check::fail(
            "clock",
            format!(
                "{} AWS's{}",
                ClockSkew::off_by(s),
                if s.abs() > 300 {
                    ": AWS refuses a signature more than 5 minutes off"
                } else {
                    ": ages, windows and the cost meter are off by as much"
                }
            ),
            "`timedatectl set-ntp true`, or chrony",
        ),
    }
}

/// The answers as lines: one for all that are allowed, one for each that is not. When none
/// could be asked for one reason (the simulator refused), that reason, once.
fn answers(check: &'static str, asked: &[Asked], what: &str) -> Vec<Check> {
    if let [first, rest @ ..] = asked
        && let Answer::Unknown(why) = &first.answer
        && rest.iter().all(|a| a.answer == first.answer)
    {
        return vec![Check::skip(check, format!("not asked: {why}"))];
    }
    let allowed = asked.iter().filter(|a| a.answer == Answer::Allowed).count();
    let how = match asked.first().map(|a| a.need.kind) {
        Some(Kind::Write) => "asked of IAM's policy simulator",
        _ => "each made once",
    };
    let count = |f: fn(&Answer) -> bool| asked.iter().filter(|a| f(&a.answer)).count();
    let denied = count(|a| matches!(a, Answer::Denied(_)));
    let unknown = count(|a| matches!(a, Answer::Unknown(_)));
    let mut out = Vec::new();
    if allowed == asked.len() {
        out.push(Check::ok(
            check,
            format!("all {allowed} actions {what} are allowed ({how})"),
        ));
    } else if allowed > 0 {
        let mut said = format!(
            "{allowed} of the {} actions {what} are allowed ({how})",
            asked.len()
        );
        if denied > 0 {
            said.push_str(&format!("; {denied} denied (below)"));
        }
        if unknown > 0 {
            said.push_str(&format!("; {unknown} not known (below)"));
        }
        out.push(Check::ok(check, said));
    }
    for a in asked {
        let mut line = match &a.answer {
            Answer::Allowed => continue,
            Answer::Denied(why) => Check::fail(
                check,
                format!(
                    "{} is denied ({why}): {} needs it",
                    a.need.name(),
                    a.need.needed_by
                ),
                ADD_IT,
            ),
            Answer::Unknown(why) => {
                Check::skip(check, format!("{}: not known ({why})", a.need.name()))
            }
        };
        line.action = Some(a.need.name());
        line.needed_by = Some(a.need.needed_by);
        out.push(line);
    }
    out
}
