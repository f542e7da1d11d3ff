//! Which accounts×regions a run reads, as the command line's `--profile` and `--region` and
//! the config file's `[[accounts]]` name them.

/// One account×region to read, as the options and the config file name it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Wanted {
    pub label: Option<String>,
    pub profile: Option<String>,
    pub role_arn: Option<String>,
    /// None: the profile's region, or AWS_REGION; "all": every region in use.
    pub region: Option<String>,
    pub read_only: bool,
}

impl Wanted {
    /// What the screens call it: the config's label, else the profile's name.
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref().or(self.profile.as_deref())
    }
}

/// `a,b, c` as `[a, b, c]`; empty parts dropped.
fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// The config's entry for a name given with `--profile`: the entry of that label, else the
/// entry reading that profile itself (not assuming a role from it), else a new one. A profile
/// named on the command line keeps its entry's settings (`read_only`, `role_arn`, label).
fn entry_for(
    name: &str,
    accounts: &[crate::host::config::AccountEntry],
) -> crate::host::config::AccountEntry {
    accounts
        .iter()
        .find(|a| a.label.as_deref() == Some(name))
        .or_else(|| {
            accounts
                .iter()
                .find(|a| a.profile.as_deref() == Some(name) && a.role_arn.is_none())
        })
        .cloned()
        .unwrap_or_else(|| crate::host::config::AccountEntry {
            profile: Some(name.to_string()),
            ..Default::default()
        })
}

/// The accounts×regions to read, in order: each of `--profile p1,p2` (with its config entry's
/// settings, see [`entry_for`]) in each of `--region a,b` when given, else the config's
/// `[[accounts]]` (each in its regions, unless `--region` names them), else the default chain
/// in its region. Each once.
pub fn wanted(
    profiles: Option<&str>,
    regions: Option<&str>,
    accounts: &[crate::host::config::AccountEntry],
) -> Vec<Wanted> {
    let regions_arg = regions.map(list).unwrap_or_default();
    let entries: Vec<crate::host::config::AccountEntry> = match profiles {
        Some(p) => list(p).iter().map(|p| entry_for(p, accounts)).collect(),
        None if accounts.is_empty() => vec![Default::default()],
        None => accounts.to_vec(),
    };
    let mut out = Vec::new();
    for e in entries {
        let regions = match regions_arg.is_empty() {
            true => e.regions.clone(),
            false => regions_arg.clone(),
        };
        let regions: Vec<Option<String>> = match regions.is_empty() {
            true => vec![None],
            false => regions.into_iter().map(Some).collect(),
        };
        for region in regions {
            let w = Wanted {
                label: e.label.clone(),
                profile: e.profile.clone(),
                role_arn: e.role_arn.clone(),
                region,
                read_only: e.read_only,
            };
            if !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out
}
