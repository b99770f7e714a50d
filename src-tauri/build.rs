// Declares the app's own commands so capabilities can allow exactly them (and nothing else).
const COMMANDS: &[&str] = &[
    "workspace_info",
    "set_language",
    "set_current_staff",
    "staff_list",
    "staff_add",
    "staff_update",
    "staff_remove",
    "stage_list",
    "stage_add",
    "stage_rename",
    "stage_reorder",
    "stage_remove",
    "custom_field_list",
    "custom_field_add",
    "custom_field_update",
    "custom_field_remove",
    "customer_list",
    "customer_search",
    "customer_get",
    "customer_check_duplicates",
    "customer_create",
    "customer_update",
    "customer_trash",
    "customer_restore",
    "customer_purge",
    "trash_list",
    "facets",
    "contact_add",
    "contact_update",
    "contact_remove",
    "interaction_add",
    "interaction_delete",
    "timeline",
    "history",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
