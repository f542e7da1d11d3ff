//! `:compare`: each series of a snapshot given its counterpart of the same window a day or a
//! week before, read by the source as a second set of the same rows and matched here by what
//! names each row (an API's id and a stage's name, a web ACL's id, a rule's name, a country's
//! code). A row that did not exist then has no comparison; nothing is made up.

use super::{RestApi, StageMetrics, WafMetrics, WebAcl};

impl StageMetrics {
    fn attach_then(&mut self, then: StageMetrics) {
        self.count.then = Some(Box::new(then.count));
        self.errors_4xx.then = Some(Box::new(then.errors_4xx));
        self.errors_5xx.then = Some(Box::new(then.errors_5xx));
        self.latency_ms.then = Some(Box::new(then.latency_ms));
        self.throttled_est.then = Some(Box::new(then.throttled_est));
    }
}

impl WafMetrics {
    fn attach_then(&mut self, then: WafMetrics) {
        self.allowed.then = Some(Box::new(then.allowed));
        self.blocked.then = Some(Box::new(then.blocked));
        self.counted.then = Some(Box::new(then.counted));
    }
}

/// Give each stage of `apis` its metrics of then, from `then` (the same APIs read then).
pub fn apis(apis: &mut [RestApi], then: Vec<RestApi>) {
    for mut t in then {
        let Some(a) = apis.iter_mut().find(|a| a.id == t.id) else {
            continue;
        };
        for st in &mut a.stages {
            if let Some(i) = t.stages.iter().position(|x| x.name == st.name) {
                let then_stage = t.stages.swap_remove(i);
                st.metrics.attach_then(then_stage.metrics);
            }
        }
    }
}

/// Give each web ACL of `acls`, its rules and its countries, their metrics of then.
pub fn web_acls(acls: &mut [WebAcl], then: Vec<WebAcl>) {
    for t in then {
        let Some(a) = acls.iter_mut().find(|a| a.id == t.id && a.scope == t.scope) else {
            continue;
        };
        a.metrics.attach_then(t.metrics);
        for tr in t.rules {
            if let Some(r) = a.rules.iter_mut().find(|r| r.name == tr.name) {
                r.metrics.attach_then(tr.metrics);
            }
        }
        for tc in t.countries {
            if let Some(c) = a.countries.iter_mut().find(|c| c.country == tc.country) {
                c.metrics.attach_then(tc.metrics);
            }
        }
    }
}
