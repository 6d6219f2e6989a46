//! Survey link tokens and form keys.
//!
//! A link token is 32 random bytes from the thread-local CSPRNG (seeded from the operating
//! system), written URL-safe base64 (43 characters) into the link `/s/{token}`. Only its
//! SHA-256 hash is stored. A form key is another 32 random bytes, stored beside the hash:
//! the survey form echoes it back, so a form posted from elsewhere is refused.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use sha2::{Digest, Sha256};

/// Random bytes in a token: 256 bits, far beyond guessing.
const TOKEN_BYTES: usize = 32;
/// Characters of a written token.
const TOKEN_CHARS: usize = 43;

/// A survey link token. Its `Debug` form hides it, so it never lands in a log.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkToken(String);

impl LinkToken {
    /// A fresh random token.
    pub fn generate() -> LinkToken {
        LinkToken(URL_SAFE_NO_PAD.encode(random_bytes()))
    }

    /// A token as it came in a URL. `None` for anything that can't be one of ours, which
    /// is then treated exactly like an unknown token.
    pub fn parse(s: &str) -> Option<LinkToken> {
        if s.len() != TOKEN_CHARS
            || !s
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(s).ok()?;
        // Re-encoding must give the same text: one token has one spelling.
        (bytes.len() == TOKEN_BYTES && URL_SAFE_NO_PAD.encode(&bytes) == s)
            .then(|| LinkToken(s.to_string()))
    }

    /// What is stored: SHA-256 of the written token.
    pub fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.0.as_bytes()).to_vec()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for LinkToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkToken(***)")
    }
}

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

fn random_bytes() -> [u8; TOKEN_BYTES] {
    let mut bytes = [0u8; TOKEN_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_differ() {
        let a = LinkToken::generate();
        let b = LinkToken::generate();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), TOKEN_CHARS);
        assert_eq!(LinkToken::parse(a.as_str()), Some(a.clone()));
        assert_eq!(a.hash().len(), 32);
        assert_ne!(a.hash(), b.hash());
        assert_eq!(format!("{a:?}"), "LinkToken(***)");
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
