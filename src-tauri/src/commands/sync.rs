//! Commands: sharing the workspace through a tend-server (`sync.rs`), its members and devices.

use crate::*;
use tend::staff::Role;
use tend::sync::{SyncProgress, SyncReport, SyncStatus, TokenStore};
use tend_sync::wire::{InviteAnswer, Members, RevokeAnswer};

#[tauri::command]
#[specta::specta]
pub(crate) async fn sync_status(ws: Ws<'_>) -> R<SyncStatus> {
    ws.get()?.sync_status().await.map_err(e)
}
/// Whether the OS keychain answers (the token can live nowhere else).
#[tauri::command]
#[specta::specta]
pub(crate) async fn sync_keychain_check() -> R<()> {
    TokenStore::Keychain.check().map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn sync_share(
    app: tauri::AppHandle,
    ws: Ws<'_>,
    server: String,
    invite: String,
    progress: tauri::ipc::Channel<SyncProgress>,
) -> R<SyncReport> {
    sync::share(&app, ws.get()?, &server, &invite, progress).await
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn sync_join(
    app: tauri::AppHandle,
    granted: tauri::State<'_, Granted>,
    server: String,
    invite: String,
    progress: tauri::ipc::Channel<SyncProgress>,
) -> R<SyncReport> {
    sync::join(&app, &granted, &server, &invite, progress).await
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn sync_join_cancel(app: tauri::AppHandle) -> R<()> {
    sync::cancel_join(&app);
    Ok(())
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn sync_now(app: tauri::AppHandle, ws: Ws<'_>) -> R<SyncReport> {
    let out = ws.get()?.sync_now(&TokenStore::Keychain).await;
    sync::changed(&app, ws.get()?).await;
    out.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn sync_pause(app: tauri::AppHandle, ws: Ws<'_>, paused: bool) -> R<()> {
    ws.get()?.sync_pause(paused).await.map_err(e)?;
    sync::changed(&app, ws.get()?).await;
    Ok(())
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn sync_sign_out(app: tauri::AppHandle, ws: Ws<'_>, discard: bool) -> R<i32> {
    let dropped = ws.get()?.sync_sign_out(&TokenStore::Keychain, discard).await.map_err(e)?;
    sync::changed(&app, ws.get()?).await;
    Ok(i32::try_from(dropped).unwrap_or(i32::MAX))
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn sync_invite(
    ws: Ws<'_>,
    role: Role,
    staff_id: Option<String>,
    email: Option<String>,
) -> R<InviteAnswer> {
    ws.get()?.sync_invite(&TokenStore::Keychain, role, staff_id.as_deref(), email.as_deref()).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn sync_members(ws: Ws<'_>) -> R<Members> {
    ws.get()?.sync_members(&TokenStore::Keychain).await.map_err(e)
}
#[tauri::command]
#[specta::specta]
pub(crate) async fn sync_revoke(ws: Ws<'_>, id: String) -> R<RevokeAnswer> {
    ws.get()?.sync_revoke(&TokenStore::Keychain, &id).await.map_err(e)
}
