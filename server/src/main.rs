//! `tend-server`: migrate, serve, create a workspace. Configured by flags or the environment.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use tend_server::api::{self, AppState};
use tend_server::service::Service;
use tend_server::store::Store;

#[derive(Parser)]
#[command(name = "tend-server", version, about = "Relays a shared Tend workspace's changes between its devices")]
struct Cli {
    /// PostgreSQL (15+) connection URL.
    #[arg(long, env = "TEND_SERVER_DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Applies the schema's migrations (serve applies them too).
    Migrate,
    /// Serves the API.
    Serve {
        #[arg(long, env = "TEND_SERVER_LISTEN", default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        /// The address devices use (shown in logs and invites' instructions).
        #[arg(long, env = "TEND_SERVER_PUBLIC_URL")]
        public_url: Option<String>,
        /// TLS certificate chain (PEM); with --tls-key the server speaks HTTPS itself.
        #[arg(long, env = "TEND_SERVER_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        #[arg(long, env = "TEND_SERVER_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Database connections of this instance.
        #[arg(long, env = "TEND_SERVER_MAX_CONNECTIONS", default_value_t = 20)]
        max_connections: u32,
        /// No LISTEN/NOTIFY (engines without it): waiting pulls poll every second.
        #[arg(long, env = "TEND_SERVER_NO_NOTIFY")]
        no_notify: bool,
    },
    /// Workspaces.
    Workspace {
        #[command(subcommand)]
        command: WorkspaceCommand,
    },
}

#[derive(Subcommand)]
enum WorkspaceCommand {
    /// Creates a workspace and prints its owner's one-time invite code.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        owner_email: String,
        /// Hours the invite stays valid.
        #[arg(long, default_value_t = 168)]
        hours: u32,
        #[arg(long)]
        json: bool,
    },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TEND_SERVER_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tend-server: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tend-server: {e}");
            std::process::ExitCode::from(match e {
                tend_server::Error::Refused { .. } => 2,
                _ => 1,
            })
        }
    }
}

async fn run(cli: Cli) -> Result<(), tend_server::Error> {
    let Some(url) = cli.database_url else {
        return Err(tend_server::Error::refused(
            tend_sync::wire::ErrorCode::BadRequest,
            "no database: give --database-url or set TEND_SERVER_DATABASE_URL",
        ));
    };
    match cli.command {
        Command::Migrate => {
            let store = Store::connect(&url, 2).await?;
            store.migrate().await?;
            eprintln!("tend-server: the schema is up to date");
        }
        Command::Workspace { command: WorkspaceCommand::Create { name, owner_email, hours, json } } => {
            let store = Store::connect(&url, 2).await?;
            store.migrate().await?;
            let service = Service { store, notify: false };
            let c = service.create_workspace(&name, &owner_email, hours).await?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({"workspace_id": c.workspace_id, "invite": c.invite, "expires_at_ms": c.expires_at_ms})
                );
            } else {
                println!("Workspace {} created.", c.workspace_id);
                println!("Owner's invite code (once, valid {hours} h): {}", c.invite);
                println!("In Tend: Settings > Sync > Share this workspace, with this server's address and the code.");
            }
        }
        Command::Serve { listen, public_url, tls_cert, tls_key, max_connections, no_notify } => {
            let store = Store::connect(&url, max_connections).await?;
            store.migrate().await?;
            let metrics = metrics_exporter_prometheus::PrometheusBuilder::new()
                .set_buckets(&[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0])
                .ok()
                .and_then(|b| b.install_recorder().ok());
            let (wake, _) = tokio::sync::broadcast::channel(1024);
            if !no_notify {
                tokio::spawn(api::listen(store.pool.clone(), wake.clone()));
            }
            let state = AppState { service: Service { store, notify: !no_notify }, wake, metrics };
            let app = api::router(state).into_make_service();
            let shown = public_url
                .unwrap_or_else(|| format!("{}://{listen}", if tls_cert.is_some() { "https" } else { "http" }));
            let handle = axum_server::Handle::new();
            let h = handle.clone();
            tokio::spawn(async move {
                shutdown_signal().await;
                h.graceful_shutdown(Some(std::time::Duration::from_secs(5)));
            });
            match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => {
                    // ring, not aws-lc (no C toolchain beyond cc): without post-quantum key exchange, for now
                    #[allow(deprecated)]
                    let _ = rustls::crypto::ring::default_provider().install_default();
                    let config =
                        axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key).await.map_err(|e| {
                            tend_server::Error::refused(
                                tend_sync::wire::ErrorCode::BadRequest,
                                format!("TLS certificate or key: {e}"),
                            )
                        })?;
                    tracing::info!("serving {shown} (TLS) on {listen}");
                    axum_server::bind_rustls(listen, config).handle(handle).serve(app).await.map_err(io)?;
                }
                _ => {
                    tracing::info!("serving {shown} on {listen}");
                    axum_server::bind(listen).handle(handle).serve(app).await.map_err(io)?;
                }
            }
        }
    }
    Ok(())
}

fn io(e: std::io::Error) -> tend_server::Error {
    tend_server::Error::refused(tend_sync::wire::ErrorCode::Unavailable, format!("listen: {e}"))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
