//! Countries the demo's traffic comes from, their share of ordinary traffic, and
//! plausible client addresses for each.

use super::noise::{hash, unit};

pub struct Country {
    pub code: &'static str,
    /// Share of ordinary (global) traffic.
    pub weight: f64,
    /// First octet of IPv4 addresses handed out for this country.
    pub v4: u8,
    /// IPv6 prefix (first two groups) for this country.
    pub v6: &'static str,
}

const fn c(code: &'static str, weight: f64, v4: u8, v6: &'static str) -> Country {
    Country {
        code,
        weight,
        v4,
        v6,
    }
}

pub const COUNTRIES: &[Country] = &[
    c("US", 0.22, 24, "2600:1700"),
    c("DE", 0.13, 84, "2a02:8108"),
    c("GB", 0.10, 86, "2a00:23c7"),
    c("FR", 0.07, 90, "2a01:cb00"),
    c("NL", 0.05, 145, "2a02:a440"),
    c("IN", 0.06, 49, "2401:4900"),
    c("BR", 0.03, 177, "2804:14c"),
    c("JP", 0.03, 126, "240b:10"),
    c("ES", 0.04, 88, "2a0c:5a80"),
    c("IT", 0.03, 79, "2a01:e11"),
    c("SE", 0.02, 78, "2001:9b1"),
    c("PL", 0.02, 83, "2a02:a311"),
    c("IE", 0.02, 37, "2a02:8084"),
    c("CA", 0.03, 99, "2607:fea8"),
    c("AU", 0.02, 110, "2001:8003"),
    c("SG", 0.02, 101, "2406:3003"),
    c("KR", 0.01, 121, "2001:2d8"),
    c("MX", 0.01, 187, "2806:2f0"),
    c("ZA", 0.01, 41, "2c0f:f4c0"),
    c("TR", 0.01, 85, "2a02:ff0"),
    c("ID", 0.01, 36, "2001:448a"),
    c("VN", 0.008, 113, "2001:ee0"),
    c("RU", 0.01, 95, "2a00:1370"),
    c("CN", 0.01, 123, "240e:3b0"),
    c("IR", 0.0, 5, "2a01:5ec0"),
    c("CU", 0.0, 152, "2803:6d00"),
    c("SY", 0.0, 31, "2a00:e80"),
    c("KP", 0.0, 175, "2400:f80"),
];

/// Index of a country code in [`COUNTRIES`]; unknown codes map to the first (US).
pub fn index(code: &str) -> usize {
    COUNTRIES.iter().position(|c| c.code == code).unwrap_or(0)
}

/// The ordinary traffic split: (country index, share) for every country with a share.
pub fn global_split() -> Vec<(usize, f64)> {
    let total: f64 = COUNTRIES.iter().map(|c| c.weight).sum();
    COUNTRIES
        .iter()
        .enumerate()
        .filter(|(_, c)| c.weight > 0.0)
        .map(|(i, c)| (i, c.weight / total))
        .collect()
}

/// A client address in `country`, deterministic for these inputs; about one in eight is IPv6.
pub fn client_ip(seed: u64, country: usize, n: u64) -> String {
    let h = hash(&[seed, 0x1b, country as u64, n]);
    let c = &COUNTRIES[country];
    if unit(&[h, 6]) < 0.125 {
        return format!(
            "{}:{:x}:{:x}::{:x}",
            c.v6,
            (h >> 16) & 0xffff,
            (h >> 32) & 0xfff,
            h & 0xffff
        );
    }
    format!(
        "{}.{}.{}.{}",
        c.v4,
        (h >> 8) % 256,
        (h >> 24) % 256,
        1 + (h >> 40) % 254
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_sums_to_one_and_has_the_named_countries() {
        let total: f64 = global_split().iter().map(|(_, w)| w).sum();
        assert!((total - 1.0).abs() < 1e-9);
        for code in [
            "US", "DE", "GB", "FR", "IN", "BR", "JP", "VN", "RU", "CN", "KP", "IR",
        ] {
            assert_eq!(COUNTRIES[index(code)].code, code);
        }
        assert!(COUNTRIES.len() >= 25);
    }
}
