//! Country names and centroids, for the Geo screen's table and world map: every code WAF reports.
//!
//! WAF's `CountryCode` enum (the wafv2 API model) is the 249 ISO 3166-1 alpha-2 codes plus `XK`,
//! Kosovo, which ISO has not assigned. The ISO table, with each country's geographic centre, comes
//! from the keshvar crate (generated from the `countries` data set, kept current with ISO); Kosovo
//! is added here. A code outside both (WAF has never sent one, but bytes from AWS are not trusted)
//! is shown bare and has no place on the map.

use std::collections::HashMap;
use std::sync::LazyLock;

/// A country's name and (latitude, longitude) centre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Country {
    pub name: &'static str,
    pub lat: f64,
    pub lon: f64,
}

/// Codes WAF reports that ISO 3166-1 does not assign.
const NOT_IN_ISO: &[(&str, Country)] = &[(
    "XK",
    Country {
        name: "Kosovo",
        lat: 42.6,
        lon: 20.9,
    },
)];

static TABLE: LazyLock<HashMap<String, Country>> = LazyLock::new(|| {
    let iso = keshvar::SUPPORTED_ALPHA2_LIST.iter().map(|code| {
        let c = code.to_country();
        let geo = c.geo();
        let code = code.to_string();
        let entry = Country {
            name: display_name(&code, c.iso_short_name(), c.unofficial_name_list()),
            lat: geo.latitude(),
            lon: geo.longitude(),
        };
        (code, entry)
    });
    let extra = NOT_IN_ISO.iter().map(|(code, c)| (code.to_string(), *c));
    iso.chain(extra).collect()
});

/// Where the data set's common names do not give the everyday one first.
const EVERYDAY: &[(&str, &str)] = &[("CD", "DR Congo"), ("KP", "North Korea"), ("TW", "Taiwan")];

/// The name an operator knows. ISO's short name, except where it is formal (a qualifier in
/// brackets or after a comma, or long: "United Kingdom of Great Britain and Northern Ireland",
/// "Russian Federation"): then the data set's first common name, when it is shorter and in
/// Latin script ("United Kingdom", "Russia"; its later names are in other languages).
fn display_name(code: &str, iso: &'static str, common: &[&'static str]) -> &'static str {
    if let Some((_, name)) = EVERYDAY.iter().find(|(c, _)| *c == code) {
        return name;
    }
    let length = |s: &str| s.chars().count();
    let formal = iso.contains(['(', ',']) || length(iso) > 16;
    let latin = |s: &str| s.chars().all(|c| (c as u32) < 0x250);
    match common.first() {
        Some(first) if formal && length(first) < length(iso) && latin(first) => first,
        _ => iso,
    }
}

/// The country of a code as WAF sends it (upper case; lower case accepted).
pub fn lookup(code: &str) -> Option<Country> {
    if code.len() != 2 {
        return None;
    }
    TABLE.get(&code.to_ascii_uppercase()).copied()
}

/// The name of a code, or "" when it is not one WAF reports.
pub fn name(code: &str) -> &'static str {
    lookup(code).map_or("", |c| c.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_in_wafs_country_enum_has_a_name_and_a_place_on_the_map() {
        // The wafv2 model's CountryCode enum, in its order.
        const WAF: &str = "AF AX AL DZ AS AD AO AI AQ AG AR AM AW AU AT AZ BS BH BD BB BY BE BZ \
            BJ BM BT BO BQ BA BW BV BR IO BN BG BF BI KH CM CA CV KY CF TD CL CN CX CC CO KM CG CD \
            CK CR CI HR CU CW CY CZ DK DJ DM DO EC EG SV GQ ER EE ET FK FO FJ FI FR GF PF TF GA GM \
            GE DE GH GI GR GL GD GP GU GT GG GN GW GY HT HM VA HN HK HU IS IN ID IR IQ IE IM IL IT \
            JM JP JE JO KZ KE KI KP KR KW KG LA LV LB LS LR LY LI LT LU MO MK MG MW MY MV ML MT MH \
            MQ MR MU YT MX FM MD MC MN ME MS MA MZ MM NA NR NP NL NC NZ NI NE NG NU NF MP NO OM PK \
            PW PS PA PG PY PE PH PN PL PT PR QA RE RO RU RW BL SH KN LC MF PM VC WS SM ST SA SN RS \
            SC SL SG SX SK SI SB SO ZA GS SS ES LK SD SR SJ SZ SE CH SY TW TJ TZ TH TL TG TK TO TT \
            TN TR TM TC TV UG UA AE GB US UM UY UZ VU VE VN VG VI WF EH YE ZM ZW XK";
        let codes: Vec<&str> = WAF.split_whitespace().collect();
        assert_eq!(codes.len(), 250);
        for code in codes {
            let c = lookup(code).unwrap_or_else(|| panic!("{code} has no entry"));
            assert!(!c.name.is_empty(), "{code}");
            assert!((-90.0..=90.0).contains(&c.lat), "{code} {c:?}");
            assert!((-180.0..=180.0).contains(&c.lon), "{code} {c:?}");
        }
    }

    #[test]
    fn names_are_the_everyday_ones_and_centres_fall_inside_the_country() {
        assert_eq!(name("GB"), "United Kingdom");
        assert_eq!(name("us"), "United States");
        assert_eq!(name("RU"), "Russia");
        assert_eq!(name("XK"), "Kosovo");
        assert_eq!(name("KP"), "North Korea");
        // Not formal: ISO's own, not a translation from the common names.
        assert_eq!(name("BB"), "Barbados");
        assert_eq!(name("ME"), "Montenegro");
        // Zimbabwe was not in the old 57-country table: southern Africa, east of Greenwich.
        let zw = lookup("ZW").expect("ZW");
        assert_eq!(zw.name, "Zimbabwe");
        assert!(
            (-23.0..-15.0).contains(&zw.lat) && (25.0..34.0).contains(&zw.lon),
            "{zw:?}"
        );
    }

    #[test]
    fn a_code_waf_never_sends_has_no_entry() {
        for code in ["", "-", "ZZ", "EU", "USA", "\u{1b}[", "G"] {
            assert_eq!(lookup(code), None, "{code:?}");
            assert_eq!(name(code), "");
        }
    }
}
