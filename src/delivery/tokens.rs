//! Survey link tokens and form keys.
//!
//! A link token is 32 random bytes from the thread-local CSPRNG (seeded from the operating
//! system), written URL-safe base64 (43 characters) into the link `/s/{token}`. Only its
//! SHA-256 hash is stored. A form key is another 32 random bytes, stored beside the hash:
//! the survey form echoes it back, so a form posted from elsewhere is refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::auth::token::random_bytes;

/// A survey link token: a [`Secret`](crate::auth::token::Secret) like a session token,
/// stored only as its hash, hidden from `Debug`.
pub use crate::auth::token::Secret as LinkToken;

/// The survey link for a token.
pub fn survey_link(base: &str, token: &str) -> String {
    format!("{}/s/{token}", base.trim_end_matches('/'))
}

/// A hash that no token has: fills `invitations.token_hash` (unique, required), which
/// predates per-email links. SHA-256 of random bytes that are thrown away.
pub fn unused_hash() -> Vec<u8> {
    Sha256::digest(random_bytes()).to_vec()
}

/// A fresh form key.
pub fn new_form_key() -> Vec<u8> {
    random_bytes().to_vec()
}

/// A form key as written into the form.
pub fn form_key_text(key: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

/// Whether the form sent back the link's key. Compares in constant time.
pub fn form_key_matches(stored: &[u8], submitted: Option<&str>) -> bool {
    let Some(submitted) = submitted else {
        return false;
    };
    let Ok(submitted) = URL_SAFE_NO_PAD.decode(submitted.trim()) else {
        return false;
    };
    if stored.is_empty() || submitted.len() != stored.len() {
        return false;
    }
    stored
        .iter()
        .zip(&submitted)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

/// Hex of random bytes, for Message-IDs.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_differ() {
        let a = LinkToken::generate();
        let b = LinkToken::generate();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 43);
        assert_eq!(LinkToken::parse(a.as_str()), Some(a.clone()));
        assert_eq!(a.hash().len(), 32);
        assert_ne!(a.hash(), b.hash());
        assert_eq!(format!("{a:?}"), "Secret(***)");
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let good = LinkToken::generate();
        let mut long = good.as_str().to_string();
        long.push('A');
        for bad in [
            "",
            "abc",
            long.as_str(),
            &good.as_str()[1..],
            "../../etc/passwd/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+",
        ] {
            assert_eq!(LinkToken::parse(bad), None, "{bad}");
        }
        // The last character carries 2 spare bits: only one spelling is accepted.
        let mut other = good.as_str().to_string();
        let last = other.pop().unwrap();
        let alternative = if last == 'A' { 'B' } else { 'A' };
        other.push(alternative);
        if let Some(t) = LinkToken::parse(&other) {
            assert_ne!(t.hash(), good.hash());
        }
    }

    #[test]
    fn form_keys() {
        let key = new_form_key();
        assert!(form_key_matches(&key, Some(&form_key_text(&key))));
        assert!(!form_key_matches(&key, None));
        assert!(!form_key_matches(&key, Some("")));
        assert!(!form_key_matches(&key, Some("not base64!")));
        assert!(!form_key_matches(
            &key,
            Some(&form_key_text(&new_form_key()))
        ));
        assert!(!form_key_matches(&[], Some("")));
    }
}
