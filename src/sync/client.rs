//! The HTTP side of sync: the server's API (`tend_sync::wire`) over reqwest, rustls on ring,
//! gzip both ways; each error answer read into a [`crate::Error::Sync`] whose key the app words.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;
use tend_sync::wire::{ErrorBody, ErrorCode, PROTOCOL, PROTOCOL_HEADER};

pub(crate) struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

/// A server address as typed: trimmed, no trailing `/`; HTTPS, or plain HTTP to this machine
/// only (a token never crosses a network unencrypted).
pub(crate) fn server_url(url: &str) -> Result<String> {
    let url = url.trim().trim_end_matches('/').to_string();
    let bad =
        |key: &'static str| Error::Validation(vec![crate::error::FieldError::new("server", key).with("value", &url)]);
    let parsed = reqwest::Url::parse(&url).map_err(|_| bad("sync.url_invalid"))?;
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        None => return Err(bad("sync.url_invalid")),
    };
    match parsed.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(bad("sync.url_not_https")),
        _ => Err(bad("sync.url_invalid")),
    }
}

fn key_of(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Unauthorized => "sync.unauthorized",
        ErrorCode::Revoked => "sync.revoked",
        ErrorCode::InviteInvalid => "sync.invite_invalid",
        ErrorCode::Forbidden => "sync.forbidden",
        ErrorCode::ClockAhead => "sync.clock_ahead",
        ErrorCode::Resync => "sync.resync",
        ErrorCode::ServerTooOld => "sync.server_too_old",
        ErrorCode::ClientTooOld => "sync.client_too_old",
        ErrorCode::BadRequest => "sync.bad_request",
        ErrorCode::NotFound => "sync.not_found",
        ErrorCode::Unavailable => "sync.unavailable",
    }
}

fn unreachable(e: reqwest::Error) -> Error {
    Error::Sync { key: "sync.unreachable", detail: e.to_string(), device: None }
}

impl Client {
    pub(crate) fn new(base: &str, token: Option<String>) -> Result<Client> {
        // ring, not aws-lc (no C toolchain beyond cc): without post-quantum key exchange, for now
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("tend/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(unreachable)?;
        Ok(Client { http, base: server_url(base)?, token })
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self.http.request(method, format!("{}{path}", self.base)).header(PROTOCOL_HEADER, PROTOCOL);
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        r
    }

    async fn answer<A: DeserializeOwned>(res: reqwest::Response) -> Result<A> {
        let status = res.status();
        let bytes = res.bytes().await.map_err(unreachable)?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| Error::Sync {
                key: "sync.bad_answer",
                detail: format!("{e}"),
                device: None,
            });
        }
        Err(Self::refusal(status, &bytes))
    }

    fn refusal(status: reqwest::StatusCode, bytes: &[u8]) -> Error {
        match serde_json::from_slice::<ErrorBody>(bytes) {
            Ok(b) => Error::Sync { key: key_of(b.error), detail: b.message, device: b.device },
            Err(_) => Error::Sync {
                key: "sync.bad_answer",
                detail: format!(
                    "HTTP {status}: {}",
                    String::from_utf8_lossy(bytes).chars().take(200).collect::<String>()
                ),
                device: None,
            },
        }
    }

    /// PUTs bytes as they are (a snapshot's chunk, compressed already, or a file).
    pub(crate) async fn put_bytes(&self, path: &str, body: Vec<u8>, kind: &str) -> Result<()> {
        let res = self
            .request(reqwest::Method::PUT, path)
            .header("content-type", kind)
            // a file of 25 MiB on a slow line
            .timeout(Duration::from_secs(600))
            .body(body)
            .send()
            .await
            .map_err(unreachable)?;
        let _: serde_json::Value = Self::answer(res).await?;
        Ok(())
    }

    /// GETs bytes as the server stored them (a snapshot's chunk, a file).
    pub(crate) async fn get_bytes(&self, path: &str) -> Result<Vec<u8>> {
        let res = self
            .request(reqwest::Method::GET, path)
            .timeout(Duration::from_secs(600))
            .send()
            .await
            .map_err(unreachable)?;
        let status = res.status();
        let bytes = res.bytes().await.map_err(unreachable)?;
        if status.is_success() {
            Ok(bytes.to_vec())
        } else {
            Err(Self::refusal(status, &bytes))
        }
    }

    /// POSTs `body` as JSON, gzip-compressed when it is large.
    pub(crate) async fn post<B: Serialize, A: DeserializeOwned>(&self, path: &str, body: &B) -> Result<A> {
        let json = serde_json::to_vec(body)?;
        let mut req = self.request(reqwest::Method::POST, path).header("content-type", "application/json");
        req = if json.len() > 16 * 1024 {
            use std::io::Write;
            let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(json.len() / 4), flate2::Compression::fast());
            gz.write_all(&json)?;
            req.header("content-encoding", "gzip").body(gz.finish()?)
        } else {
            req.body(json)
        };
        Self::answer(req.send().await.map_err(unreachable)?).await
    }

    pub(crate) async fn get<A: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        wait: Duration,
    ) -> Result<A> {
        let res = self
            .request(reqwest::Method::GET, path)
            .query(query)
            .timeout(Duration::from_secs(120) + wait)
            .send()
            .await
            .map_err(unreachable)?;
        Self::answer(res).await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_token_never_crosses_a_network_in_the_clear() {
        assert_eq!(super::server_url(" https://sync.example.vn/ ").unwrap(), "https://sync.example.vn");
        assert_eq!(super::server_url("http://127.0.0.1:8787").unwrap(), "http://127.0.0.1:8787");
        assert_eq!(super::server_url("http://localhost:8787/").unwrap(), "http://localhost:8787");
        let e = super::server_url("http://192.168.1.10:8787").unwrap_err();
        assert!(format!("{e:?}").contains("sync.url_not_https"), "{e:?}");
        assert!(format!("{:?}", super::server_url("sync.example.vn").unwrap_err()).contains("sync.url_invalid"));
    }
}
