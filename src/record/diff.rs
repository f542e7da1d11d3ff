//! What changed between two snapshots, as an RFC 6902 JSON Patch (applied by the json-patch
//! crate when a recording is read).
//!
//! The diff is ours because of arrays. A series slides: each minute its oldest point leaves
//! and a new one arrives at the end; samples arrive newest first, at the front. Compared index
//! by index (as a generic diff does), every element of such an array differs, and each poll
//! would store the whole series again. Here an array is first aligned: its elements may have
//! left from the front, or arrived at the front, by up to [`MAX_SHIFT`] places, and the
//! alignment that leaves the most equal pairs wins. Then the pairs are compared in place, and
//! what is left over is added or removed at the end.

use serde_json::{Map, Value, json};

/// How far an array's elements may have moved and still be found.
const MAX_SHIFT: usize = 64;

/// The patch that turns `old` into `new`.
pub fn diff(old: &Value, new: &Value) -> Vec<Value> {
    let mut ops = Vec::new();
    walk(old, new, "", &mut ops);
    ops
}

fn walk(old: &Value, new: &Value, path: &str, ops: &mut Vec<Value>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => objects(a, b, path, ops),
        (Value::Array(a), Value::Array(b)) => arrays(a, b, path, ops),
        (a, b) if a == b => {}
        (_, b) => ops.push(json!({"op": "replace", "path": path, "value": b})),
    }
}

/// `path` with one more token, escaped as RFC 6901 asks (`~` as `~0`, `/` as `~1`).
fn child(path: &str, token: &str) -> String {
    format!("{path}/{}", token.replace('~', "~0").replace('/', "~1"))
}

fn objects(a: &Map<String, Value>, b: &Map<String, Value>, path: &str, ops: &mut Vec<Value>) {
    for (k, va) in a {
        match b.get(k) {
            Some(vb) => {
                walk(va, vb, &child(path, k), ops);
            }
            None => ops.push(json!({"op": "remove", "path": child(path, k)})),
        }
    }
    for (k, vb) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
        ops.push(json!({"op": "add", "path": child(path, k), "value": vb}));
    }
}

/// Equal pairs when `a` and `b` are laid side by side.
fn equal_pairs(a: &[Value], b: &[Value]) -> usize {
    a.iter().zip(b).filter(|(x, y)| x == y).count()
}

/// How to lay `b` against `a`: (elements gone from a's front, elements new at b's front).
fn alignment(a: &[Value], b: &[Value]) -> (usize, usize) {
    let mut best = ((0, 0), equal_pairs(a, b));
    if best.1 == a.len().min(b.len()) {
        return best.0;
    }
    let (Some(a0), Some(b0)) = (a.first(), b.first()) else {
        return best.0;
    };
    for k in 1..=MAX_SHIFT.min(a.len().saturating_sub(1)) {
        if &a[k] == b0 {
            let score = equal_pairs(&a[k..], b);
            if score > best.1 {
                best = ((k, 0), score);
            }
        }
    }
    for k in 1..=MAX_SHIFT.min(b.len().saturating_sub(1)) {
        if &b[k] == a0 {
            let score = equal_pairs(a, &b[k..]);
            if score > best.1 {
                best = ((0, k), score);
            }
        }
    }
    best.0
}

fn arrays(a: &[Value], b: &[Value], path: &str, ops: &mut Vec<Value>) {
    let (gone, new) = alignment(a, b);
    for _ in 0..gone {
        ops.push(json!({"op": "remove", "path": child(path, "0")}));
    }
    for (i, v) in b[..new].iter().enumerate() {
        ops.push(json!({"op": "add", "path": child(path, &i.to_string()), "value": v}));
    }
    let (a, b) = (&a[gone..], &b[new..]);
    let common = a.len().min(b.len());
    for j in 0..common {
        walk(&a[j], &b[j], &child(path, &(new + j).to_string()), ops);
    }
    for v in &b[common..] {
        ops.push(json!({"op": "add", "path": child(path, "-"), "value": v}));
    }
    for j in (common..a.len()).rev() {
        ops.push(json!({"op": "remove", "path": child(path, &(new + j).to_string())}));
    }
}

/// Apply a recorded patch to `doc`.
pub fn apply(doc: &mut Value, patch: &[u8]) -> Result<(), String> {
    let patch: json_patch::Patch =
        serde_json::from_slice(patch).map_err(|e| format!("a change that does not read ({e})"))?;
    json_patch::patch(doc, &patch).map_err(|e| format!("a change that does not apply ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(a: Value, b: Value) -> usize {
        let ops = diff(&a, &b);
        let mut doc = a;
        apply(&mut doc, &serde_json::to_vec(&ops).unwrap()).unwrap();
        assert_eq!(doc, b);
        ops.len()
    }

    #[test]
    fn a_sliding_series_costs_one_removal_one_change_and_one_addition() {
        let a = json!({"values": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "end": "12:05"});
        let b = json!({"values": [2.0, 3.0, 4.0, 5.0, 6.5, 7.0], "end": "12:06"});
        // remove the oldest, change the last of before, add the new, change the end.
        assert_eq!(round_trip(a, b), 4);
    }

    #[test]
    fn samples_arriving_at_the_front_cost_their_own_additions() {
        let old: Vec<Value> = (0..100)
            .map(|i| json!({"ip": format!("10.0.0.{i}")}))
            .collect();
        let mut new: Vec<Value> = (0..3)
            .map(|i| json!({"ip": format!("192.0.2.{i}")}))
            .collect();
        new.extend(old[..97].iter().cloned());
        assert_eq!(round_trip(Value::Array(old), Value::Array(new)), 3 + 3);
    }

    #[test]
    fn names_with_slashes_and_tildes_are_escaped() {
        let a = json!({"a/b": {"~c": 1}, "gone": true});
        let b = json!({"a/b": {"~c": 2}, "new": [1]});
        assert_eq!(round_trip(a, b), 3);
    }

    fn value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (0i64..5).prop_map(Value::from),
            "[a-c/~]{0,2}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                proptest::collection::btree_map("[a-c/~]{0,2}", inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn any_two_documents_patch_one_into_the_other(a in value(), b in value()) {
            round_trip(a, b);
        }
    }
}
