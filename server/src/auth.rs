//! Secrets: device tokens (256 random bits) and invite codes (160 random bits), each prefixed
//! with its workspace's id so every lookup is filtered by workspace. Only their SHA-256 is
//! stored; neither is ever logged.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new random id: `bytes` random bytes in lower-case hex.
pub fn new_id(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn secret(workspace_id: &str, bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut b);
    format!("{workspace_id}.{}", URL_SAFE_NO_PAD.encode(b))
}

/// A new device token for the workspace.
pub fn new_token(workspace_id: &str) -> String {
    secret(workspace_id, 32)
}

/// A new invite code for the workspace.
pub fn new_invite(workspace_id: &str) -> String {
    secret(workspace_id, 20)
}

pub fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.trim().as_bytes()).to_vec()
}

/// The workspace a token or invite code belongs to (what comes before its `.`), when it has the
/// shape of one.
pub fn workspace_of(secret: &str) -> Option<&str> {
    let (ws, rest) = secret.trim().split_once('.')?;
    let hex = ws.len() == 16 && ws.bytes().all(|c| c.is_ascii_hexdigit());
    (hex && rest.len() >= 20).then_some(ws)
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_name_their_workspace_and_differ() {
        let ws = new_id(8);
        let a = new_token(&ws);
        let b = new_token(&ws);
        assert_ne!(a, b);
        assert_eq!(workspace_of(&a), Some(ws.as_str()));
        assert_eq!(a.len(), 16 + 1 + 43, "256 bits");
        assert_eq!(workspace_of(&new_invite(&ws)), Some(ws.as_str()));
        assert_eq!(workspace_of("nonsense"), None);
        assert_eq!(workspace_of("zzzzzzzzzzzzzzzz.aaaaaaaaaaaaaaaaaaaaaaa"), None);
        assert_eq!(hash(&a), hash(&format!(" {a}\n")), "a pasted code's spaces do not count");
    }
}
