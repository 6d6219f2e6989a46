//! Secrets handed to a browser or a script: session cookies, API tokens and anti-forgery
//! (CSRF) tokens. Each is 32 random bytes from the thread-local CSPRNG (seeded from the
//! operating system), written URL-safe base64; only a SHA-256 hash of a session or API token
//! is stored, so a copy of the database opens no session.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use sha2::{Digest, Sha256};

const BYTES: usize = 32;
/// Characters of a written secret.
const CHARS: usize = 43;

/// A random secret. Its `Debug` form hides it, so it never lands in a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn generate() -> Secret {
        Secret(URL_SAFE_NO_PAD.encode(random_bytes()))
    }

    /// A secret as it came in a cookie, header or URL; `None` for anything that can't be
    /// one of ours, which is then treated exactly like an unknown secret.
    pub fn parse(s: &str) -> Option<Secret> {
        let s = s.trim();
        if s.len() != CHARS
            || !s
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(s).ok()?;
        // Re-encoding must give the same text: one secret has one spelling.
        (bytes.len() == BYTES && URL_SAFE_NO_PAD.encode(&bytes) == s).then(|| Secret(s.to_string()))
    }

    /// What is stored: SHA-256 of the written secret.
    pub fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.0.as_bytes()).to_vec()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// 256 random bits from the thread-local CSPRNG.
pub fn random_bytes() -> [u8; BYTES] {
    let mut bytes = [0u8; BYTES];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// Compares two strings in time that depends only on their lengths (CSRF tokens).
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_hidden_and_parse_back() {
        let (a, b) = (Secret::generate(), Secret::generate());
        assert_ne!(a, b);
        assert_eq!(Secret::parse(a.as_str()), Some(a.clone()));
        assert_eq!(a.hash().len(), 32);
        assert_eq!(format!("{a:?}"), "Secret(***)");
        for bad in ["", "short", "a b", &format!("{}=", &a.as_str()[1..])] {
            assert_eq!(Secret::parse(bad), None, "{bad}");
        }
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }
}
