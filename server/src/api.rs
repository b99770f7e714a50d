//! The HTTP API (`/v1/…`, see `tend_sync::wire`), health and metrics. Errors answer with a
//! status and an [`ErrorBody`]; the protocol version is checked on every `/v1/` call; request
//! lines are logged without headers (a token never reaches a log).

use crate::service::{page_json, Caller, Service};
use crate::Error;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, MatchedPath, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use metrics_exporter_prometheus::PrometheusHandle;
use serde::Deserialize;
use std::time::{Duration, Instant};
use tend_sync::wire::*;
use tokio::sync::broadcast;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};

/// A snapshot chunk's type: compressed already.
const SNAPSHOT_TYPE: &str = "application/zstd";

#[derive(Clone)]
pub struct AppState {
    pub service: Service,
    /// Wakes waiting pulls when a workspace stored something (NOTIFY from any instance).
    pub wake: broadcast::Sender<String>,
    pub metrics: Option<PrometheusHandle>,
}

fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::Unauthorized | ErrorCode::Revoked => StatusCode::UNAUTHORIZED,
        ErrorCode::InviteInvalid => StatusCode::GONE,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::ClockAhead | ErrorCode::BadRequest => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Resync => StatusCode::CONFLICT,
        ErrorCode::ServerTooOld | ErrorCode::ClientTooOld => StatusCode::UPGRADE_REQUIRED,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

fn error_response(code: ErrorCode, message: String, device: Option<String>) -> Response {
    let server_protocol = matches!(code, ErrorCode::ServerTooOld | ErrorCode::ClientTooOld).then_some(PROTOCOL);
    (status_of(code), Json(ErrorBody { error: code, message, device, server_protocol })).into_response()
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match self {
            Error::Refused { code, message, device } => error_response(code, message, device),
            other => {
                tracing::error!("{other}");
                error_response(ErrorCode::Unavailable, "the server could not do this now; try again".into(), None)
            }
        }
    }
}

type ApiResult<T> = Result<T, Error>;

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ")
}

async fn caller(state: &AppState, headers: &HeaderMap) -> ApiResult<Caller> {
    let token = bearer(headers)
        .ok_or_else(|| Error::refused(ErrorCode::Unauthorized, "this device is not signed in to the server"))?;
    state.service.authenticate(token).await
}

/// Refuses a client of another protocol before anything else, in words both can read.
async fn protocol_guard(req: Request, next: Next) -> Response {
    let theirs = req.headers().get(PROTOCOL_HEADER).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u32>().ok());
    let mut res = match theirs {
        Some(p) if p > PROTOCOL => error_response(
            ErrorCode::ServerTooOld,
            format!("this server speaks sync protocol {PROTOCOL}, the app {p}: the server must be updated"),
            None,
        ),
        Some(p) if p < PROTOCOL => error_response(
            ErrorCode::ClientTooOld,
            format!("this server speaks sync protocol {PROTOCOL}, the app {p}: the app must be updated"),
            None,
        ),
        _ => next.run(req).await,
    };
    res.headers_mut().insert(PROTOCOL_HEADER, HeaderValue::from(PROTOCOL));
    res
}

/// Counts and times every request; logs its method, route and status (never a header).
async fn observe(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "other".into());
    let method = req.method().clone();
    let started = Instant::now();
    let res = next.run(req).await;
    let took = started.elapsed();
    let status = res.status().as_u16().to_string();
    metrics::counter!("tend_requests_total", "route" => route.clone(), "status" => status.clone()).increment(1);
    metrics::histogram!("tend_request_seconds", "route" => route.clone()).record(took.as_secs_f64());
    tracing::info!(target: "tend_server::http", "{method} {route} {status} {:.1} ms", took.as_secs_f64() * 1000.0);
    res
}

async fn join(State(s): State<AppState>, Json(req): Json<JoinRequest>) -> ApiResult<Json<JoinAnswer>> {
    Ok(Json(s.service.join(req).await?))
}

async fn push(
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<PushRequest>,
) -> ApiResult<Json<PushAnswer>> {
    let c = caller(&s, &headers).await?;
    Ok(Json(s.service.push(&c, req).await?))
}

#[derive(Debug, Deserialize)]
struct PullQuery {
    #[serde(default)]
    after: i64,
    hlc: Option<String>,
    #[serde(default)]
    epoch: String,
    limit: Option<i64>,
    /// Seconds to wait for a change when there is none (at most 30).
    #[serde(default)]
    wait: u64,
}

/// Counts the clients waiting in a pull while one lives.
struct Connected;
impl Connected {
    fn new() -> Connected {
        metrics::gauge!("tend_connected_clients").increment(1.0);
        Connected
    }
}
impl Drop for Connected {
    fn drop(&mut self) {
        metrics::gauge!("tend_connected_clients").decrement(1.0);
    }
}

async fn pull(State(s): State<AppState>, headers: HeaderMap, Query(q): Query<PullQuery>) -> ApiResult<Response> {
    let c = caller(&s, &headers).await?;
    let epoch = s.service.check_cursor(&c, &q.epoch, q.after, q.hlc.as_deref()).await?;
    let limit = q.limit.unwrap_or(1000);
    let deadline = Instant::now() + Duration::from_secs(q.wait.min(30));
    let mut wake = s.wake.subscribe();
    let _connected = (q.wait > 0).then(Connected::new);
    loop {
        let page = s.service.page(&c, q.after, limit).await?;
        let now = Instant::now();
        if page.covered.is_some() || now >= deadline {
            let body = page_json(&epoch, &page, q.after, q.hlc.as_deref());
            return Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response());
        }
        // polling every second is the path that is always right; a NOTIFY only comes sooner
        let tick = (deadline - now).min(Duration::from_secs(1));
        let ws = c.workspace_id.clone();
        let _ = tokio::time::timeout(tick, async {
            loop {
                match wake.recv().await {
                    Ok(w) if w == ws => return,
                    Ok(_) => continue,
                    Err(broadcast::error::RecvError::Lagged(_)) => return,
                    Err(broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
                }
            }
        })
        .await;
    }
}

async fn status(State(s): State<AppState>, headers: HeaderMap) -> ApiResult<Json<StatusAnswer>> {
    let c = caller(&s, &headers).await?;
    Ok(Json(s.service.status(&c).await?))
}

async fn invite(
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<InviteRequest>,
) -> ApiResult<Json<InviteAnswer>> {
    let c = caller(&s, &headers).await?;
    Ok(Json(s.service.invite(&c, req).await?))
}

async fn members(State(s): State<AppState>, headers: HeaderMap) -> ApiResult<Json<Members>> {
    let c = caller(&s, &headers).await?;
    Ok(Json(s.service.members(&c).await?))
}

async fn revoke(
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<RevokeRequest>,
) -> ApiResult<Json<RevokeAnswer>> {
    let c = caller(&s, &headers).await?;
    Ok(Json(s.service.revoke(&c, req.id.trim()).await?))
}

async fn sign_out(State(s): State<AppState>, headers: HeaderMap) -> ApiResult<Json<RevokeAnswer>> {
    let c = caller(&s, &headers).await?;
    let id = c.device_id.clone();
    Ok(Json(s.service.revoke(&c, &id).await?))
}

async fn snapshot_start(
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<SnapshotStart>,
) -> ApiResult<Json<SnapshotStarted>> {
    let c = caller(&s, &headers).await?;
    Ok(Json(s.service.snapshot_start(&c, req).await?))
}

async fn snapshot_chunk_put(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((id, n)): Path<(String, i32)>,
    body: Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    let c = caller(&s, &headers).await?;
    s.service.snapshot_chunk(&c, &id, n, &body).await?;
    Ok(Json(serde_json::json!({})))
}

async fn snapshot_done(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(req): Json<SnapshotDone>,
) -> ApiResult<Json<serde_json::Value>> {
    let c = caller(&s, &headers).await?;
    s.service.snapshot_done(&c, &id, req).await?;
    Ok(Json(serde_json::json!({})))
}

async fn snapshot(State(s): State<AppState>, headers: HeaderMap) -> ApiResult<Json<SnapshotAnswer>> {
    let c = caller(&s, &headers).await?;
    Ok(Json(s.service.snapshot(&c).await?))
}

/// A chunk as stored (zstd): sent as it is, never compressed again.
async fn snapshot_chunk_get(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((id, n)): Path<(String, i32)>,
) -> ApiResult<Response> {
    let c = caller(&s, &headers).await?;
    let body = s.service.snapshot_chunk_get(&c, &id, n).await?;
    Ok(([(header::CONTENT_TYPE, SNAPSHOT_TYPE)], body).into_response())
}

async fn file_put(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(hash): Path<String>,
    body: Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    let c = caller(&s, &headers).await?;
    s.service.file_put(&c, &hash, &body).await?;
    Ok(Json(serde_json::json!({})))
}

async fn file_get(State(s): State<AppState>, headers: HeaderMap, Path(hash): Path<String>) -> ApiResult<Response> {
    let c = caller(&s, &headers).await?;
    let body = s.service.file_get(&c, &hash).await?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], body).into_response())
}

async fn files_have(
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<FilesHave>,
) -> ApiResult<Json<FilesHave>> {
    let c = caller(&s, &headers).await?;
    Ok(Json(s.service.files_have(&c, req).await?))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(s): State<AppState>) -> Response {
    match sqlx::query(crate::sql::READY).execute(&s.service.store.pool).await {
        Ok(_) => "ready".into_response(),
        Err(e) => {
            tracing::warn!("not ready: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

async fn metrics_page(State(s): State<AppState>) -> Response {
    match &s.metrics {
        Some(h) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], h.render()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub fn router(state: AppState) -> Router {
    let v1 = Router::new()
        .route("/v1/join", post(join))
        .route("/v1/push", post(push))
        .route("/v1/pull", get(pull))
        .route("/v1/status", get(status))
        .route("/v1/invites", post(invite))
        .route("/v1/members", get(members))
        .route("/v1/revoke", post(revoke))
        .route("/v1/sign-out", post(sign_out))
        .route("/v1/files/have", post(files_have))
        .route("/v1/files/{hash}", put(file_put).get(file_get))
        .route("/v1/snapshot", get(snapshot))
        .route("/v1/snapshots", post(snapshot_start))
        .route("/v1/snapshots/{id}/done", post(snapshot_done))
        .route("/v1/snapshots/{id}/{n}", put(snapshot_chunk_put).get(snapshot_chunk_get))
        .layer(middleware::from_fn(protocol_guard));
    Router::new()
        .merge(v1)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_page))
        .route_layer(middleware::from_fn(observe))
        // a push is at most a few parts of PART_RECORDS records, a snapshot chunk 8 MiB
        .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
        .layer(tower_http::decompression::RequestDecompressionLayer::new())
        // the fastest level: a page compresses to about a fifth at a third of the default's cost
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Fastest)
                .compress_when(DefaultPredicate::new().and(NotForContentType::const_new(SNAPSHOT_TYPE))),
        )
        .with_state(state)
}

/// Forwards NOTIFY `tend_txs` (a workspace id) to the waiting pulls; reconnects after a failure.
/// Polling does not depend on it.
pub async fn listen(pool: sqlx::PgPool, wake: broadcast::Sender<String>) {
    loop {
        match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(mut l) => {
                if l.listen("tend_txs").await.is_ok() {
                    while let Ok(n) = l.recv().await {
                        let _ = wake.send(n.payload().to_string());
                    }
                }
            }
            Err(e) => tracing::warn!("LISTEN unavailable (pulls poll): {e}"),
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}
