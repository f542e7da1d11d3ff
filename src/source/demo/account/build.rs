//! The account file made a [`Scenario`]: names resolved to indexes, ids, key values and the
//! incident's addresses drawn from the seed.

use super::*;

/// The index of the entry named `name`; the file is ours, so a wrong name is a bug to fix there.
fn index_of(what: &str, name: &str, names: impl Iterator<Item = String>) -> usize {
    names
        .enumerate()
        .find(|(_, n)| n == name)
        .map(|(i, _)| i)
        .unwrap_or_else(|| panic!("account.toml: no {what} named {name:?}"))
}

impl AccountFile {
    /// The account for `seed`.
    pub fn scenario(&'static self, seed: u64) -> Scenario {
        let mut sc = Scenario {
            seed,
            place: DemoPlace::default(),
            apis: self
                .apis
                .iter()
                .map(|a| ApiDef {
                    id: resource_id(seed, &a.name),
                    name: &a.name,
                    access: a.access(),
                })
                .collect(),
            stages: self.stages(),
            plans: Vec::new(),
            keys: Vec::new(),
            clients: Vec::new(),
            acls: self.acls(seed),
            dists: Vec::new(),
            domains: Vec::new(),
            http_apis: Vec::new(),
            shield: Shield::NotSubscribed,
        };
        sc.plans = self.plans(seed);
        sc.clients = self.clients(seed);
        sc.dists = self.dists(&sc);
        sc.domains = self.domains(&sc);
        sc.http_apis = self.http_apis.iter().map(|a| a.api(seed)).collect();
        sc.shield = match self.shield.subscribed {
            false => Shield::NotSubscribed,
            true => Shield::Subscribed {
                protected: self
                    .shield
                    .protects
                    .iter()
                    .map(|d| {
                        Text::new(&format!(
                            "arn:aws:cloudfront::{}:distribution/{d}",
                            DemoPlace::default().account_id
                        ))
                    })
                    .collect(),
            },
        };
        sc.keys = self.keys(seed, &sc);
        assert!(
            matches!(sc.acls.get(REGIONAL), Some(a) if a.scope == Scope::Regional),
            "account.toml: the first web ACL must be the regional one"
        );
        sc
    }

    fn stage(&self, path: &str) -> usize {
        index_of(
            "stage",
            path,
            self.stages.iter().map(|s| format!("{}/{}", s.api, s.name)),
        )
    }

    fn stages(&'static self) -> Vec<StageDef> {
        self.stages
            .iter()
            .map(|s| StageDef {
                api: index_of("API", &s.api, self.apis.iter().map(|a| a.name.clone())),
                name: &s.name,
                throttle: s.throttle.throttle(),
                method_throttles: s
                    .method_throttles
                    .iter()
                    .map(|m| {
                        let t = Throttle {
                            rate_limit: m.rate,
                            burst_limit: m.burst,
                        };
                        (m.method.as_str(), t)
                    })
                    .collect(),
                latency_ms: s.latency_ms,
                logging: Logging::new(
                    s.access_log.as_deref(),
                    s.access_log_format.as_deref(),
                    &s.execution_log,
                ),
                blip: s.blip,
            })
            .collect()
    }

    fn plans(&'static self, seed: u64) -> Vec<PlanDef> {
        self.plans
            .iter()
            .map(|p| PlanDef {
                id: token(&[seed, tag(&p.name)], 6, LOWER_ALNUM),
                name: &p.name,
                throttle: p.throttle.throttle(),
                quota: p.quota.as_ref().map(|q| Quota {
                    limit: q.limit,
                    period: match q.period {
                        PeriodEntry::Day => QuotaPeriod::Day,
                        PeriodEntry::Week => QuotaPeriod::Week,
                        PeriodEntry::Month => QuotaPeriod::Month,
                    },
                }),
                stages: p.stages.iter().map(|s| self.stage(s)).collect(),
            })
            .collect()
    }

    fn clients(&'static self, seed: u64) -> Vec<ClientDef> {
        let dist = |id: &str| {
            index_of(
                "distribution",
                id,
                self.distributions.iter().map(|d| d.id.clone()),
            )
        };
        let mut all: Vec<ClientDef> = self
            .clients
            .iter()
            .map(|c| ClientDef {
                name: &c.name,
                class: c.class,
                stage: self.stage(&c.stage),
                via: c.via.as_deref().map(dist),
                profile: c.profile,
                mix: match &c.mix {
                    MixEntry::Named(n) if n == "global" => Mix::Global,
                    MixEntry::Named(n) => panic!("account.toml: mix {n:?}: \"global\" or a list"),
                    MixEntry::Fixed(list) => Mix::Fixed(list),
                },
                ip: None,
                month_start_share: c.month_start_share,
            })
            .collect();
        // Incident 2's flood comes from one address, which rate-based rules count.
        if let Some(flood) = all.iter_mut().find(|c| c.class == Class::Flood) {
            flood.ip = Some(format!(
                "103.{}.{}.{}",
                20 + seed % 200,
                (seed >> 8) % 256,
                10 + (seed >> 16) % 200
            ));
        }
        all.extend(self.stuffers.iter().enumerate().map(|(i, s)| {
            let rpm = 60.0 + 20.0 * unit(&[seed, 0x57, i as u64]);
            ClientDef {
                name: &s.name,
                class: Class::Stuffing,
                stage: self.stage(&s.stage),
                via: None,
                profile: Profile::Stuffing { rpm },
                mix: Mix::Fixed(&s.mix),
                ip: Some(stuffer_ip(seed, i)),
                month_start_share: 0.0,
            }
        }));
        all
    }

    fn keys(&self, seed: u64, sc: &Scenario) -> Vec<KeyDef> {
        self.keys
            .iter()
            .map(|k| {
                let age_days = 20 + (hash(&[seed, tag(&k.name), 0xda]) % 600) as i64;
                let plan = index_of("plan", &k.plan, sc.plans.iter().map(|p| p.name.to_string()));
                KeyDef {
                    id: resource_id(seed, &k.name),
                    name: k.name.clone(),
                    value: key_value(seed, &k.name),
                    created: DEMO_START
                        - Duration::days(age_days)
                        - Duration::minutes(age_days * 37 % 1440),
                    plans: vec![plan],
                    client: k.client.as_deref().map(|c| {
                        index_of("client", c, sc.clients.iter().map(|x| x.name.to_string()))
                    }),
                    since: None,
                    retired: k.client.is_none(),
                }
            })
            .collect()
    }

    fn acls(&'static self, seed: u64) -> Vec<AclDef> {
        self.acls
            .iter()
            .map(|a| AclDef {
                id: uuid(seed, &a.name),
                name: &a.name,
                scope: match a.scope {
                    ScopeEntry::Regional => Scope::Regional,
                    ScopeEntry::Cloudfront => Scope::Cloudfront,
                },
                protects: a.protects.iter().map(String::as_str).collect(),
                rules: a.rules.iter().map(rule).collect(),
            })
            .collect()
    }

    fn domains(&self, sc: &Scenario) -> Vec<CustomDomain> {
        self.domains
            .iter()
            .map(|d| CustomDomain {
                place: Default::default(),
                name: Text::new(&d.name),
                endpoint: Endpoint::Regional,
                mtls_truststore: d.mtls.as_deref().map(Text::new),
                security_policy: Text::new(&d.security_policy),
                mappings: d
                    .mappings
                    .iter()
                    .map(|m| {
                        let st = &sc.stages[self.stage(&m.stage)];
                        BasePath {
                            base_path: Text::new(&m.base_path),
                            api_id: Text::new(&sc.apis[st.api].id),
                            stage: Some(Text::new(st.name)),
                        }
                    })
                    .collect(),
            })
            .collect()
    }

    fn dists(&'static self, sc: &Scenario) -> Vec<DistDef> {
        self.distributions
            .iter()
            .map(|d| DistDef {
                id: &d.id,
                domain: &d.domain,
                stage: self.stage(&d.stage),
                acl: index_of("web ACL", &d.acl, self.acls.iter().map(|a| a.name.clone())),
                key_client: d
                    .key_client
                    .as_deref()
                    .and_then(|c| sc.clients.iter().position(|x| x.name == c)),
                geo_restriction: d.geo.as_ref().map(GeoEntry::restriction),
            })
            .collect()
    }
}

fn rule(r: &'static RuleEntry) -> RuleDef {
    let texts = |l: &[String]| l.iter().map(|c| Text::new(c)).collect::<Vec<_>>();
    RuleDef {
        name: &r.name,
        kind: match &r.kind {
            KindEntry::Geo(countries) => RuleKind::Geo {
                countries: texts(countries),
            },
            KindEntry::RateBased { limit, scope_down } => RuleKind::RateBased {
                limit: *limit,
                window_secs: 300,
                aggregate: Text::new("IP"),
                scope_down: scope_down.as_deref().map(Text::new),
            },
            KindEntry::IpSet { name, addresses } => RuleKind::IpSet {
                name: Text::new(name),
                addresses: *addresses,
                // Made from the seed and the place (see `ip_sets`).
                arn: Text::default(),
            },
            KindEntry::Managed { name, inner } => RuleKind::ManagedGroup {
                vendor: Text::new("AWS"),
                name: Text::new(name),
                inner_rules: inner
                    .iter()
                    .map(|r| InnerRule {
                        name: Text::new(r),
                        action: Action::GroupActions,
                    })
                    .collect(),
            },
            KindEntry::Custom(summary) => RuleKind::Custom {
                summary: Text::new(summary),
            },
        },
        action: match r.action {
            ActionEntry::Block => Action::Block,
            ActionEntry::Count => Action::Count,
            ActionEntry::Group => Action::GroupActions,
        },
        target: match &r.target {
            TargetEntry::Geo(codes) => Target::Geo(codes),
            TargetEntry::Class(c) => Target::Class(*c),
            TargetEntry::RateOver {
                class,
                limit,
                window,
            } => Target::RateOver {
                class: *class,
                limit: *limit,
                window: *window,
            },
        },
        labels: &r.labels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_file_reads_and_every_name_in_it_resolves() {
        let sc = account().scenario(11);
        assert_eq!(sc.apis.len(), account().apis.len());
        assert_eq!(sc.keys.len(), account().keys.len());
        assert!(sc.keys.iter().any(|k| k.retired));
        assert!(
            sc.clients
                .iter()
                .any(|c| c.class == Class::Flood && c.ip.is_some())
        );
        let e = toml::from_str::<AccountFile>(&TEXT.replacen(
            "class = \"normal\"",
            "class = \"nice\"",
            1,
        ))
        .err()
        .expect("an unknown class is refused");
        assert!(e.to_string().contains("line"), "{e}");
    }
}
