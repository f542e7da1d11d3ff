//! Opening real accounts: each account×region wanted (`--region all` expanded), connected at
//! once, with its settings and whether the config keeps it read-only; one place read on its own,
//! many through a `ManySource`, an unreachable one in view with why.

use super::across::{check_distributions_across_accounts, observe_across_accounts};
use super::*;

/// The accounts×regions the options and the config file name, `--region all` expanded.
pub(crate) async fn wanted_places(run: &Run) -> anyhow::Result<Vec<Wanted>> {
    let mut wanted = Vec::new();
    for w in &run.places {
        match w.region.as_deref() {
            Some("all") => wanted.extend(expand_all(run, w).await?),
            _ => wanted.push(w.clone()),
        }
    }
    if wanted.is_empty() {
        anyhow::bail!("--region all: no region of the account has a REST API or a web ACL");
    }
    Ok(wanted)
}

pub(crate) fn aws_target(run: &Run, w: &Wanted) -> aws::connect::Target {
    aws::connect::Target {
        profile: w.profile.clone(),
        role_arn: w.role_arn.clone(),
        region: w.region.clone(),
        endpoint_url: run.aws.endpoint_url.clone(),
        max_attempts: run.aws.max_attempts,
    }
}

/// Regions where API Gateway has a REST or HTTP API or WAF a regional web ACL, for `--region
/// all`: EC2 DescribeRegions (the account's enabled regions), then one GetRestApis, one GetApis
/// and one ListWebACLs of one item each per region, all at once.
pub(super) async fn expand_all(run: &Run, w: &Wanted) -> anyhow::Result<Vec<Wanted>> {
    // The account's partition, from the profile's own region (the commercial one without):
    // DescribeRegions is asked in its global region, and lists that partition's regions.
    let mut t = aws_target(run, w);
    t.region = None;
    let own = aws::connect::load(&t).await;
    let partition = aws::partition::Partition::of(
        own.region()
            .map_or(aws::connect::GLOBAL_REGION, |r| r.as_ref()),
    );
    t.region = Some(partition.global_region.into());
    let conf = aws::connect::load(&t).await;
    let regions = aws_sdk_ec2::Client::new(&conf)
        .describe_regions()
        .send()
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "--region all: cannot list the account's regions (ec2:DescribeRegions): {}",
                aws::connect::in_words(&e)
            )
        })?;
    let names: Vec<String> = regions
        .regions()
        .iter()
        .filter_map(|r| r.region_name().map(str::to_string))
        .collect();
    let used = futures::future::join_all(names.iter().map(|r| {
        let conf = conf
            .to_builder()
            .region(aws_config::Region::new(r.clone()))
            .build();
        async move {
            let apis = aws_sdk_apigateway::Client::new(&conf)
                .get_rest_apis()
                .limit(1)
                .send()
                .await
                .is_ok_and(|o| !o.items().is_empty());
            let acls = aws_sdk_wafv2::Client::new(&conf)
                .list_web_acls()
                .scope(aws_sdk_wafv2::types::Scope::Regional)
                .limit(1)
                .send()
                .await
                .is_ok_and(|o| !o.web_acls().is_empty());
            // A region with only HTTP APIs is in use too (API Gateway v2: GetApis).
            let http = aws_sdk_apigatewayv2::Client::new(&conf)
                .get_apis()
                .max_results("1")
                .send()
                .await
                .is_ok_and(|o| !o.items().is_empty());
            apis || acls || http
        }
    }))
    .await;
    Ok(names
        .into_iter()
        .zip(used)
        .filter(|(_, u)| *u)
        .map(|(r, _)| Wanted {
            region: Some(r),
            ..w.clone()
        })
        .collect())
}

/// The settings of one place's source.
pub(super) fn aws_settings(
    run: &Run,
    refresh: Duration,
    w: &Wanted,
    journal: Journal,
) -> aws::Settings {
    let b = &run.budgets;
    aws::Settings {
        apigateway_rps: b.apigateway_rps,
        apigateway_burst: b.apigateway_burst,
        apigateway_per_minute: b.apigateway_per_minute,
        cadence: b.cadence,
        discovery_every: b.discovery_every,
        key_headers: run.key_headers.clone(),
        ip_ranges: run.ip_ranges.clone(),
        logs: b.logs,
        refresh,
        reads_global: true,
        profile: w.profile.clone(),
        journal,
        deploy: run.deploy,
        other_cdns: Vec::new(),
    }
}

pub(super) fn journal() -> anyhow::Result<Journal> {
    let journal = Journal::default_dir()
        .map(Journal::new)
        .context("no state directory for the rotation journal (set XDG_STATE_HOME or HOME)")?;
    let pruned = journal.prune_finished(chrono::TimeDelta::days(30), chrono::Utc::now());
    if pruned > 0 {
        tracing::info!(
            pruned,
            "removed journals of rotations that ended over 30 days ago"
        );
    }
    Ok(journal)
}

/// The accounts the config keeps read-only, by account id: read-only holds in an account
/// whichever profile, role or label reached it.
#[derive(Debug, Default)]
pub(super) struct ReadOnlyAccounts {
    /// (account id, the entry that says so).
    ids: Vec<(String, String)>,
    /// Read-only entries whose account could not be learnt, and why: until it can, no place
    /// can be told apart from them, so every place is read-only (fail closed).
    unknown: Vec<(String, String)>,
}

impl ReadOnlyAccounts {
    /// Why a place (wanted as `w`, connected to `account`) is read-only, if it is.
    fn why(&self, w: &Wanted, account: &str) -> Option<String> {
        let label = w.label().unwrap_or(account);
        if w.read_only {
            return Some(format!(
                "{label} is read-only (read_only in its [[accounts]] entry of the config file)"
            ));
        }
        if let Some((_, entry)) = self.ids.iter().find(|(id, _)| id == account) {
            return Some(format!(
                "account {account} is read-only: the config's [[accounts]] entry {entry:?} says \
                 so, whichever profile or role reaches it"
            ));
        }
        self.unknown.first().map(|(entry, e)| {
            format!(
                "read-only: the account of the config's read-only entry {entry:?} cannot be \
                 learnt ({e}), so it cannot be told apart from {label}. Set account_id in \
                 that entry"
            )
        })
    }
}

/// Learn the account of every read-only `[[accounts]]` entry: from the config (`account_id`,
/// the role's ARN), from a place connected through it, else by asking STS who it is
/// (GetCallerIdentity needs no permission), at most a few seconds each.
pub(super) async fn read_only_accounts(
    run: &Run,
    connected: &[(Wanted, Option<String>)],
) -> ReadOnlyAccounts {
    let mut out = ReadOnlyAccounts::default();
    let mut ask = Vec::new();
    for e in run.accounts.iter().filter(|e| e.read_only) {
        let name = e.name().unwrap_or("(unnamed)").to_string();
        let through = connected.iter().find_map(|(w, account)| {
            (w.label == e.label && w.profile == e.profile && w.role_arn == e.role_arn)
                .then_some(account.clone())
                .flatten()
        });
        match e.known_account().map(str::to_string).or(through) {
            Some(id) => out.ids.push((id, name)),
            None => ask.push((e, name)),
        }
    }
    let asked = futures::future::join_all(ask.iter().map(|(e, _)| {
        let t = aws::connect::Target {
            profile: e.profile.clone(),
            role_arn: e.role_arn.clone(),
            // The entry's region, else its profile's own.
            region: e.regions.first().filter(|r| *r != "all").cloned(),
            endpoint_url: run.aws.endpoint_url.clone(),
            max_attempts: run.aws.max_attempts,
        };
        async move {
            match tokio::time::timeout(Duration::from_secs(10), aws::connect::connect(&t)).await {
                Ok(Ok((_, account, _))) => Ok(account),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err("no answer in 10 s".to_string()),
            }
        }
    }))
    .await;
    for ((_, name), got) in ask.into_iter().zip(asked) {
        match got {
            Ok(id) => out.ids.push((id, name)),
            Err(e) => {
                tracing::warn!(entry = %name, error = %e, "a read-only account cannot be learnt: every place is read-only");
                out.unknown.push((name, e));
            }
        }
    }
    out
}

/// The one place asked for, read on its own (not through a `ManySource`).
pub(super) fn one_place(
    only: &Wanted,
    (clients, account, arn): (aws::connect::Clients, String, String),
    settings: aws::Settings,
    read_only: &ReadOnlyAccounts,
    refresh: Duration,
) -> Opened {
    tracing::info!(%account, caller = %arn, region = %clients.region, "connected");
    let who = Who::new(&arn, &account, &clients.region);
    let why = read_only.why(only, &account);
    let source = AwsSource::new(clients, account, arn, settings);
    Opened {
        source: AnySource::One(OneSource::Aws(Box::new(source))),
        who,
        who_at: Vec::new(),
        refresh,
        read_only: why,
    }
}

/// A place that could not be reached: in view, darkened, with why.
pub(super) fn unreachable(
    w: &Wanted,
    label: Option<String>,
    region: &str,
    message: &str,
) -> Member<OneSource> {
    let name = label.unwrap_or("default".into());
    Member {
        info: crate::model::PlaceInfo {
            label: crate::model::Text::new(&name),
            account: crate::model::Account {
                region: crate::model::Text::new(region),
                profile: crate::model::Text::new(w.profile.as_deref().unwrap_or("default chain")),
                ..Default::default()
            },
            read_only: w.read_only,
            failed: Some(crate::model::places::Failed {
                since: chrono::Utc::now(),
                message: crate::model::Text::new(message),
            }),
            metrics_through: Default::default(),
            slow_since: None,
            shield: None,
        },
        source: None,
    }
}

/// Connect to every place wanted at once. One place that cannot be connected is an error
/// before any screen opens, saying exactly why; of many, those that fail are shown failing
/// beside the others, unless none connects.
pub(super) async fn aws_places(run: &Run, refresh: Duration) -> anyhow::Result<Opened> {
    let wanted = wanted_places(run).await?;
    let journal = journal()?;
    let connected = futures::future::join_all(wanted.iter().map(|w| async move {
        let target = aws_target(run, w);
        aws::connect::connect(&target).await
    }))
    .await;
    let reached: Vec<(Wanted, Option<String>)> = wanted
        .iter()
        .zip(&connected)
        .map(|(w, c)| (w.clone(), c.as_ref().ok().map(|c| c.1.clone())))
        .collect();
    let read_only = read_only_accounts(run, &reached).await;
    if let [only] = wanted.as_slice() {
        let connected = connected.into_iter().next().expect("one")?;
        let settings = aws_settings(run, refresh, only, journal);
        return Ok(one_place(only, connected, settings, &read_only, refresh));
    }
    let mut many = Places::default();
    for (w, c) in wanted.iter().zip(connected) {
        match c {
            Ok(c) => {
                let settings = aws_settings(run, refresh, w, journal.clone());
                many.connected(w, c, settings, &read_only);
            }
            Err(e) => many.unreachable(w, &e),
        }
    }
    if many.members.iter().all(|m| m.source.is_none()) {
        return Err(aws::connect::ConnectError::NoPlace(many.errors.join("; ")).into());
    }
    check_distributions_across_accounts(&mut many.members);
    observe_across_accounts(&mut many.members).await;
    let who = many
        .who_at
        .iter()
        .find(|w| w.caller != "not connected")
        .cloned()
        .unwrap_or_default();
    Ok(Opened {
        source: AnySource::Many(Box::new(ManySource::new(many.members))),
        who,
        who_at: many.who_at,
        refresh,
        read_only: None,
    })
}

/// Many places as they are connected: each a member (failing, if it could not be), who acts
/// in it, and which account reads the global services (its first place only).
#[derive(Default)]
struct Places {
    members: Vec<Member<OneSource>>,
    who_at: Vec<Who>,
    seen: Vec<(String, String)>,
    global_read: Vec<String>,
    errors: Vec<String>,
}

impl Places {
    fn connected(
        &mut self,
        w: &Wanted,
        (clients, account, arn): (aws::connect::Clients, String, String),
        mut settings: aws::Settings,
        read_only: &ReadOnlyAccounts,
    ) {
        let place = (account.clone(), clients.region.clone());
        if self.seen.contains(&place) {
            tracing::warn!(?place, "read twice: skipped");
            return;
        }
        self.seen.push(place);
        tracing::info!(%account, caller = %arn, region = %clients.region, "connected");
        self.who_at.push(Who::new(&arn, &account, &clients.region));
        settings.reads_global = !self.global_read.contains(&account);
        self.global_read.push(account.clone());
        let source = AwsSource::new(clients, account.clone(), arn, settings);
        let why = read_only.why(w, &account);
        if let Some(why) = &why {
            tracing::info!(place = %crate::model::Text::new(&account), %why, "read-only");
        }
        let info = crate::model::PlaceInfo {
            metrics_through: Default::default(),
            label: crate::model::Text::new(w.label().unwrap_or(&account)),
            account: source.account().clone(),
            read_only: why.is_some(),
            failed: None,
            slow_since: None,
            shield: None,
        };
        self.members.push(Member {
            info,
            source: Some(OneSource::Aws(Box::new(source))),
        });
    }

    fn unreachable(&mut self, w: &Wanted, e: &aws::connect::ConnectError) {
        let region = w.region.clone().unwrap_or_default();
        let label = w.label().map(str::to_string);
        tracing::warn!(error = %e, ?w, "cannot connect");
        self.errors.push(e.to_string());
        self.who_at.push(Who::new("not connected", "", &region));
        self.members
            .push(unreachable(w, label, &region, &e.to_string()));
    }
}
