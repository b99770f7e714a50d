//! The server's PostgreSQL: the pool, the migrations, and the retry loop every writing
//! transaction runs in (a serialization failure or a deadlock, 40001 / 40P01, is tried again
//! from the start, as distributed engines require).

use crate::sql;
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub type BoxFut<'c, T> = Pin<Box<dyn Future<Output = Result<T, crate::Error>> + Send + 'c>>;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How long one transaction is tried again before its error is returned. A time, not a count:
/// on an engine that runs only SERIALIZABLE every concurrent push of a workspace conflicts on
/// its counter row, and under load 30 attempts ran out in 3.5 s (a flaky test found it).
const RETRY_FOR: Duration = Duration::from_secs(20);

#[derive(Clone)]
pub struct Store {
    pub pool: PgPool,
    /// Test only: the share of storing transactions that fail with an injected serialization
    /// failure or deadlock (`TEND_SERVER_FAULTS`, 0 to 0.9).
    faults: f64,
    /// Test only: up to this many milliseconds of pause between numbering transactions and
    /// committing them (`TEND_SERVER_DELAY_MS`), so concurrent pushes overlap as they would on
    /// a slow network and a design that let sequence order differ from commit order would show.
    delay_ms: u64,
    /// The isolation of writing transactions: READ COMMITTED on PostgreSQL (the counter row's
    /// lock orders pushes without aborting them), or what the engine gives
    /// (`TEND_SERVER_ISOLATION=default`, for engines that run only SERIALIZABLE; its failures
    /// are retried).
    read_committed: bool,
}

fn retryable(e: &crate::Error) -> bool {
    match e {
        crate::Error::Db(sqlx::Error::Database(d)) => matches!(d.code().as_deref(), Some("40001") | Some("40P01")),
        _ => false,
    }
}

impl Store {
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store, crate::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        let faults = std::env::var("TEND_SERVER_FAULTS").ok().and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        let delay_ms = std::env::var("TEND_SERVER_DELAY_MS").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        let read_committed = std::env::var("TEND_SERVER_ISOLATION").map(|v| v != "default").unwrap_or(true);
        Ok(Store { pool, faults: faults.clamp(0.0, 0.9), delay_ms: delay_ms.min(1000), read_committed })
    }

    pub async fn migrate(&self) -> Result<(), crate::Error> {
        MIGRATOR.run(&self.pool).await.map_err(|e| crate::Error::Migrate(e.to_string()))
    }

    /// Runs `f` in a transaction and commits, trying again from the start on a serialization
    /// failure or a deadlock (with a growing, jittered pause).
    pub async fn transaction<T, F>(&self, mut f: F) -> Result<T, crate::Error>
    where
        F: for<'c> FnMut(&'c mut PgConnection) -> BoxFut<'c, T>,
    {
        let (mut attempt, started) = (0u32, std::time::Instant::now());
        loop {
            attempt += 1;
            let out = async {
                let mut tx = self.pool.begin().await?;
                if self.read_committed {
                    sqlx::query(sql::READ_COMMITTED).execute(&mut *tx).await?;
                }
                let v = f(&mut tx).await?;
                self.maybe_fail(&mut tx).await?;
                tx.commit().await?;
                Ok(v)
            }
            .await;
            match out {
                Err(e) if started.elapsed() < RETRY_FOR && retryable(&e) => {
                    metrics::counter!("tend_retries_total").increment(1);
                    let base = 2u64.saturating_pow(attempt.min(7)).min(200);
                    let jitter = rand::random::<u64>() % (base + 1);
                    tokio::time::sleep(Duration::from_millis(base / 2 + jitter)).await;
                }
                other => return other,
            }
        }
    }

    /// Test only: the pause of `TEND_SERVER_DELAY_MS` (none when unset).
    pub async fn maybe_pause(&self) {
        if self.delay_ms > 0 {
            let ms = rand::random::<u64>() % (self.delay_ms + 1);
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
    }

    async fn maybe_fail(&self, conn: &mut PgConnection) -> Result<(), crate::Error> {
        if self.faults > 0.0 && rand::random::<f64>() < self.faults {
            let sql = if rand::random::<bool>() { sql::INJECT_SERIALIZATION } else { sql::INJECT_DEADLOCK };
            sqlx::query(sql).execute(&mut *conn).await?;
        }
        Ok(())
    }
}
