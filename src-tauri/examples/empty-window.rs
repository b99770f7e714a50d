//! The baseline of the start-up benchmark (`scripts/bench-start`): an empty Tauri 2 window, built
//! like the app (this crate, its profile, its tauri.conf.json and embedded assets), showing one
//! static page from a custom protocol as the app's pages come from Tauri's. An example, so no
//! package ever carries it.

fn main() {
    let mut context = tauri::generate_context!("tauri.conf.json");
    context.config_mut().app.windows.clear();
    tauri::Builder::default()
        .register_uri_scheme_protocol("empty", |_ctx, _request| {
            tauri::http::Response::builder()
                .header("Content-Type", "text/html")
                .body(b"<!doctype html><title>Empty</title><p data-testid=\"ready\">ready</p>".to_vec())
                .unwrap_or_default()
        })
        .setup(|app| {
            let url = tauri::WebviewUrl::CustomProtocol("empty://localhost/".parse()?);
            tauri::WebviewWindowBuilder::new(app, "main", url).title("Empty").inner_size(1200.0, 780.0).build()?;
            Ok(())
        })
        .run(context)
        .expect("the empty window did not start");
}
