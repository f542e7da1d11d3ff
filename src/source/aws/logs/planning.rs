//! Which logs the stages and web ACLs write, and the queries each gets: an access log's (one
//! for the stages that share it) from the variables its format records, a web ACL's three.

use super::*;

/// Why a destination cannot be queried, if it cannot; else its group and whether it is in
/// us-east-1 (CLOUDFRONT web ACLs log there) rather than the region read.
pub(super) fn queryable(arn: &str, region: &str, global: &str) -> Result<(String, bool), String> {
    let service = arn.split(':').nth(2).unwrap_or("");
    match (service, log_queries::log_group(arn)) {
        (_, Some((r, name))) if r == region => Ok((name.to_string(), false)),
        (_, Some((r, name))) if r == global => Ok((name.to_string(), true)),
        (_, Some((r, _))) => Err(format!(
            "a log group in {r}: edgetop reads {region} (and {global})"
        )),
        ("s3", _) => {
            Err("an S3 bucket: Logs Insights reads CloudWatch Logs only (Athena reads S3)".into())
        }
        ("firehose", _) => {
            Err("a Firehose stream: Logs Insights reads CloudWatch Logs only".into())
        }
        _ => Err("not a CloudWatch Logs log group".into()),
    }
}

pub(super) fn source(
    kind: LogKind,
    of: Vec<Text>,
    destination: &str,
    state: LogState,
) -> LogSource {
    LogSource {
        place: Default::default(),
        kind,
        of,
        destination: Text::new(log_queries::log_group(destination).map_or(destination, |(_, n)| n)),
        state,
        queries: Vec::new(),
        query_states: Vec::new(),
    }
}

/// The access logs of `planned` that CloudWatch Logs holds here: each group, whether it is
/// us-east-1's, and the stages ("api/stage") that write to it.
pub(in crate::source::aws) fn access_groups(planned: &[Planned]) -> Vec<(String, bool, Vec<Text>)> {
    planned
        .iter()
        .filter(|p| p.source.kind == LogKind::Access)
        .filter_map(|p| {
            let job = p.jobs.first()?;
            Some((job.group.clone(), job.global, p.source.of.clone()))
        })
        .collect()
}

/// Every log the stages and web ACLs write, and the queries each gets.
pub(in crate::source::aws) fn plan(
    found: &Discovery,
    region: &str,
    global_region: &str,
) -> Vec<Planned> {
    // Access logs, by destination: stages may share one.
    let mut by_dest: Vec<(String, Vec<(&ApiConf, &apigateway::StageConf)>)> = Vec::new();
    for api in &found.apis {
        for st in &api.stages {
            let Some((dest, _)) = st.access_log_raw.as_ref() else {
                continue;
            };
            let dest = log_queries::same_group(dest).to_string();
            match by_dest.iter_mut().find(|(d, _)| *d == dest) {
                Some((_, v)) => v.push((api, st)),
                None => by_dest.push((dest, vec![(api, st)])),
            }
        }
    }
    let mut out: Vec<Planned> = by_dest
        .into_iter()
        .map(|(dest, stages)| access_log(dest, &stages, region, global_region))
        .collect();
    for acl in &found.acls {
        let Some(dests) = found.waf_logs.get(&acl.arn) else {
            continue;
        };
        for dest in dests {
            out.push(waf_log(acl, dest, region, global_region));
        }
    }
    out
}

/// A log's state before its first query.
pub(super) fn waiting() -> LogState {
    LogState::Waiting {
        why: Text::new("the first query is due"),
    }
}

/// An access log and the stages writing to it: its query, or why it gets none (not in a
/// place Logs Insights reads, or its format lacks what the query needs).
pub(super) fn access_log(
    dest: String,
    stages: &[(&ApiConf, &apigateway::StageConf)],
    region: &str,
    global_region: &str,
) -> Planned {
    let of: Vec<Text> = stages
        .iter()
        .map(|(a, s)| Text::new(&format!("{}/{}", a.name, s.name)))
        .collect();
    let format = stages[0]
        .1
        .access_log_raw
        .as_ref()
        .map_or("", |(_, f)| f.as_str());
    let (group, global) = match queryable(&dest, region, global_region) {
        Ok(g) => g,
        Err(why) => {
            let why = Text::new(&why);
            let s = LogState::NotQueryable { why };
            return Planned {
                source: source(LogKind::Access, of, &dest, s),
                jobs: vec![],
            };
        }
    };
    let fields = match log_queries::access_fields(format) {
        Ok(f) if stages.len() > 1 && !log_queries::missing_to_tell_stages_apart(&f).is_empty() => {
            Err(log_queries::missing_to_tell_stages_apart(&f))
        }
        other => other,
    };
    let fields = match fields {
        Ok(f) => f,
        Err(missing) => {
            let variables = missing.into_iter().map(Text::new).collect();
            return Planned {
                source: source(LogKind::Access, of, &dest, LogState::Lacking { variables }),
                jobs: vec![],
            };
        }
    };
    let only = match stages {
        [(a, s)] => Some((a.id.clone(), s.name.clone())),
        _ => None,
    };
    let job = Job {
        key: format!("access {dest}"),
        group,
        global,
        query: log_queries::access_query(&fields),
        kind: JobKind::Access { fields, only },
    };
    Planned {
        source: source(LogKind::Access, of, &dest, waiting()),
        jobs: vec![job],
    }
}

/// A web ACL's log: its three queries (sources, paths, agents), or why it gets none.
pub(super) fn waf_log(acl: &AclConf, dest: &str, region: &str, global_region: &str) -> Planned {
    let name = Text::new(&acl.name);
    let of = vec![name.clone()];
    let (group, global) = match queryable(dest, region, global_region) {
        Ok(g) => g,
        Err(why) => {
            let why = Text::new(&why);
            return Planned {
                source: source(LogKind::Waf, of, dest, LogState::NotQueryable { why }),
                jobs: vec![],
            };
        }
    };
    let job = |n: usize, query: &str, kind: JobKind| Job {
        key: format!("waf {} {dest} #{n}", acl.arn),
        group: group.clone(),
        global,
        query: query.to_string(),
        kind,
    };
    let jobs = vec![
        job(
            0,
            log_queries::WAF_SOURCES,
            JobKind::WafSources(name.clone()),
        ),
        job(1, log_queries::WAF_PATHS, JobKind::WafPaths(name.clone())),
        job(2, log_queries::WAF_AGENTS, JobKind::WafAgents(name.clone())),
    ];
    Planned {
        source: source(LogKind::Waf, of, dest, waiting()),
        jobs,
    }
}
