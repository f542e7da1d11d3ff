//! Country names and rough centroids, for the Geo screen's table and world map.

/// (ISO 3166-1 alpha-2, name, latitude, longitude)
pub const COUNTRIES: &[(&str, &str, f64, f64)] = &[
    ("AE", "United Arab Emirates", 24.0, 54.0),
    ("AR", "Argentina", -34.0, -64.0),
    ("AT", "Austria", 47.5, 14.5),
    ("AU", "Australia", -25.0, 134.0),
    ("BD", "Bangladesh", 24.0, 90.0),
    ("BE", "Belgium", 50.8, 4.5),
    ("BR", "Brazil", -10.0, -52.0),
    ("BY", "Belarus", 53.7, 28.0),
    ("CA", "Canada", 57.0, -101.0),
    ("CH", "Switzerland", 46.8, 8.2),
    ("CL", "Chile", -33.0, -71.0),
    ("CN", "China", 35.0, 103.0),
    ("CO", "Colombia", 4.0, -73.0),
    ("CU", "Cuba", 21.5, -79.5),
    ("CZ", "Czechia", 49.8, 15.5),
    ("DE", "Germany", 51.0, 10.0),
    ("DK", "Denmark", 56.0, 10.0),
    ("EG", "Egypt", 27.0, 30.0),
    ("ES", "Spain", 40.0, -4.0),
    ("FI", "Finland", 64.0, 26.0),
    ("FR", "France", 46.5, 2.5),
    ("GB", "United Kingdom", 54.0, -2.0),
    ("HK", "Hong Kong", 22.3, 114.2),
    ("ID", "Indonesia", -2.0, 118.0),
    ("IE", "Ireland", 53.2, -8.0),
    ("IL", "Israel", 31.5, 35.0),
    ("IN", "India", 22.0, 79.0),
    ("IR", "Iran", 32.0, 53.0),
    ("IT", "Italy", 42.8, 12.8),
    ("JP", "Japan", 36.0, 138.0),
    ("KE", "Kenya", 0.5, 38.0),
    ("KP", "North Korea", 40.0, 127.0),
    ("KR", "South Korea", 36.5, 128.0),
    ("MX", "Mexico", 23.0, -102.0),
    ("MY", "Malaysia", 3.0, 102.0),
    ("NG", "Nigeria", 9.0, 8.0),
    ("NL", "Netherlands", 52.3, 5.5),
    ("NO", "Norway", 62.0, 10.0),
    ("NZ", "New Zealand", -41.0, 174.0),
    ("PH", "Philippines", 12.0, 122.0),
    ("PK", "Pakistan", 30.0, 70.0),
    ("PL", "Poland", 52.0, 19.5),
    ("PT", "Portugal", 39.5, -8.0),
    ("RO", "Romania", 46.0, 25.0),
    ("RU", "Russia", 60.0, 90.0),
    ("SA", "Saudi Arabia", 24.0, 45.0),
    ("SE", "Sweden", 62.0, 15.0),
    ("SG", "Singapore", 1.35, 103.8),
    ("SY", "Syria", 35.0, 38.0),
    ("TH", "Thailand", 15.0, 101.0),
    ("TR", "Türkiye", 39.0, 35.0),
    ("TW", "Taiwan", 23.7, 121.0),
    ("UA", "Ukraine", 49.0, 32.0),
    ("US", "United States", 39.0, -98.0),
    ("VN", "Vietnam", 16.0, 107.0),
    ("ZA", "South Africa", -29.0, 24.0),
];

/// Name and (lat, lon) of a country code, if known.
pub fn lookup(code: &str) -> Option<(&'static str, f64, f64)> {
    COUNTRIES
        .iter()
        .find(|c| c.0.eq_ignore_ascii_case(code))
        .map(|c| (c.1, c.2, c.3))
}

pub fn name(code: &str) -> &'static str {
    lookup(code).map_or("", |c| c.0)
}
