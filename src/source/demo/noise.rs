//! Stateless, seedable noise: every value is a hash of its inputs, never a step of a stream,
//! so any minute can be recomputed on its own and always comes out the same.

/// splitmix64's finaliser: a good 64-bit mixer.
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A hash of several inputs (seed, minute, entity ids…), order-sensitive.
pub fn hash(parts: &[u64]) -> u64 {
    parts
        .iter()
        .fold(0x6A09_E667_F3BC_C908, |h, &p| mix(h ^ mix(p)))
}

/// A uniform value in [0, 1) for these inputs.
pub fn unit(parts: &[u64]) -> f64 {
    (hash(parts) >> 11) as f64 / (1u64 << 53) as f64
}

/// A factor around 1.0, ± `amount` (0.03 = a few per cent).
pub fn jitter(parts: &[u64], amount: f64) -> f64 {
    1.0 + amount * (2.0 * unit(parts) - 1.0)
}

/// A stable number for a name (FNV-1a), to use as an entity id in hashes.
pub fn tag(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01B3)
    })
}

pub const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
pub const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub const HEX: &[u8] = b"0123456789abcdef";
pub const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `len` characters from `alphabet`, deterministic for these inputs.
pub fn token(parts: &[u64], len: usize, alphabet: &[u8]) -> String {
    let base = hash(parts);
    (0..len)
        .map(|i| alphabet[(hash(&[base, i as u64]) % alphabet.len() as u64) as usize] as char)
        .collect()
}

/// Pick an index with probability proportional to its weight, using `u` in [0, 1).
pub fn weighted(weights: &[f64], u: f64) -> Option<usize> {
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let mut left = u * total;
    for (i, w) in weights.iter().enumerate() {
        if left < *w {
            return Some(i);
        }
        left -= w;
    }
    weights.iter().rposition(|w| *w > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_stateless_and_spread() {
        assert_eq!(unit(&[1, 2, 3]), unit(&[1, 2, 3]));
        assert_ne!(unit(&[1, 2, 3]), unit(&[1, 3, 2]));
        let mean: f64 = (0..1000).map(|i| unit(&[7, i])).sum::<f64>() / 1000.0;
        assert!((mean - 0.5).abs() < 0.05);
        assert_eq!(token(&[1], 10, LOWER_ALNUM).len(), 10);
        assert_eq!(weighted(&[0.0, 1.0, 0.0], 0.99), Some(1));
    }
}
