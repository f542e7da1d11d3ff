//! Edge ranges from a file (`--ip-ranges`), as their owners publish them: AWS's ip-ranges.json
//! (its CLOUDFRONT_ORIGIN_FACING prefixes, with the file's createDate), or a list of address
//! ranges one per line, as Cloudflare publishes its ips-v4 and ips-v6 (`#` starts a comment).

use std::path::Path;

use ipnet::IpNet;
use serde::Deserialize;

use crate::model::Text;
use crate::model::access::EdgeRanges;

const SERVICE: &str = "CLOUDFRONT_ORIGIN_FACING";

#[derive(Deserialize)]
struct AwsRanges {
    #[serde(rename = "createDate", default)]
    create_date: String,
    #[serde(default)]
    prefixes: Vec<AwsPrefix>,
    #[serde(default)]
    ipv6_prefixes: Vec<AwsPrefix>,
}

#[derive(Deserialize)]
struct AwsPrefix {
    #[serde(alias = "ipv6_prefix")]
    ip_prefix: String,
    service: String,
}

/// Read `path`, or say what is wrong with it.
pub fn read(path: &Path) -> anyhow::Result<EdgeRanges> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("--ip-ranges {}: {e}", path.display()))?;
    parse(&text, &path.display().to_string())
        .map_err(|e| anyhow::anyhow!("--ip-ranges {}: {e}", path.display()))
}

/// `api/stage=FILE`: the ranges of an edge in front of that stage which edgetop cannot see.
pub fn read_for(arg: &str) -> anyhow::Result<EdgeRanges> {
    let (stage, file) = arg
        .rsplit_once('=')
        .filter(|(stage, file)| stage.contains('/') && !file.is_empty())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--ip-ranges-for {}: write it as API/STAGE=FILE, e.g. orders-api/prod=ips-v4",
                crate::model::text::escape(arg)
            )
        })?;
    let mut ranges = read(Path::new(file))?;
    ranges.stages = vec![Text::new(stage)];
    Ok(ranges)
}

fn parse(text: &str, name: &str) -> Result<EdgeRanges, String> {
    if text.trim_start().starts_with('{') {
        let aws: AwsRanges = serde_json::from_str(text)
            .map_err(|e| format!("not AWS's ip-ranges.json format: {e}"))?;
        let prefixes: Vec<Text> = aws
            .prefixes
            .iter()
            .chain(&aws.ipv6_prefixes)
            .filter(|p| p.service == SERVICE)
            .filter(|p| p.ip_prefix.parse::<IpNet>().is_ok())
            .map(|p| Text::new(&p.ip_prefix))
            .collect();
        if prefixes.is_empty() {
            return Err(format!("no {SERVICE} prefixes in it"));
        }
        return Ok(EdgeRanges {
            source: Text::new(&format!(
                "CloudFront origin-facing (ip-ranges.json of {}, {name})",
                aws.create_date
            )),
            prefixes,
            stages: Vec::new(),
        });
    }
    let mut prefixes = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let range = line.split('#').next().unwrap_or("").trim();
        if range.is_empty() {
            continue;
        }
        let net = range
            .parse::<IpNet>()
            .or_else(|_| range.parse::<std::net::IpAddr>().map(IpNet::from))
            .map_err(|_| {
                format!(
                    "line {}: {:?} is not an address range",
                    n + 1,
                    Text::with_limit(range, 40).as_str()
                )
            })?;
        prefixes.push(Text::new(&net.to_string()));
    }
    if prefixes.is_empty() {
        return Err("no address ranges in it".into());
    }
    Ok(EdgeRanges {
        source: Text::new(name),
        prefixes,
        stages: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_ip_ranges_give_their_cloudfront_origin_facing_prefixes() {
        let json = r#"{"syncToken":"1","createDate":"2026-11-20-04-13-08",
          "prefixes":[{"ip_prefix":"130.176.0.0/18","region":"GLOBAL","service":"CLOUDFRONT_ORIGIN_FACING","network_border_group":"GLOBAL"},
                      {"ip_prefix":"3.5.140.0/22","region":"ap-northeast-2","service":"AMAZON","network_border_group":"ap-northeast-2"}],
          "ipv6_prefixes":[{"ipv6_prefix":"2600:9000:ddd::/48","region":"GLOBAL","service":"CLOUDFRONT_ORIGIN_FACING","network_border_group":"GLOBAL"}]}"#;
        let r = parse(json, "ranges.json").unwrap();
        assert_eq!(
            r.prefixes,
            vec![Text::new("130.176.0.0/18"), Text::new("2600:9000:ddd::/48")]
        );
        assert!(
            r.source.as_str().contains("2026-11-20-04-13-08"),
            "{}",
            r.source
        );
        assert!(
            parse(r#"{"prefixes":[]}"#, "x")
                .unwrap_err()
                .contains("no CLOUDFRONT")
        );
    }

    #[test]
    fn a_list_of_ranges_reads_line_by_line() {
        let r = parse(
            "# Cloudflare\n173.245.48.0/20\n\n2400:cb00::/32  # v6\n",
            "cf",
        )
        .unwrap();
        assert_eq!(r.prefixes.len(), 2);
        let e = parse("173.245.48.0/20\nnot-a-range\u{1b}[31m\n", "cf").unwrap_err();
        assert!(e.starts_with("line 2: "), "{e}");
        assert!(!e.contains('\u{1b}'), "{e}");
        assert_eq!(
            parse("# nothing\n", "cf").unwrap_err(),
            "no address ranges in it"
        );
    }
}
