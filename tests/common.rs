#![allow(dead_code)]
use std::sync::Arc;
use tend::customers::{CustomerInput, CustomerKind, Email, Phone};
use tend::{FixedClock, Workspace};

/// 2026-11-23T09:00:00Z
pub const T0: i64 = 1_795_424_400_000;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub ws: Workspace,
    pub clock: Arc<FixedClock>,
}

pub async fn open() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(FixedClock::new(T0));
    let ws = Workspace::open_with_clock(dir.path().join("ws.tend"), clock.clone()).await.expect("open");
    Fixture { dir, ws, clock }
}

pub fn person(name: &str, phone: &str) -> CustomerInput {
    CustomerInput {
        kind: CustomerKind::Person,
        name: name.into(),
        phones: if phone.is_empty() { vec![] } else { vec![Phone { label: "mobile".into(), number: phone.into() }] },
        ..Default::default()
    }
}

pub fn with_email(mut c: CustomerInput, email: &str) -> CustomerInput {
    c.emails.push(Email { label: "work".into(), address: email.into() });
    c
}

pub async fn count(ws: &Workspace, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(ws.pool()).await.expect("count")
}

/// The (field, message key) pairs of a validation error; any other error fails the test.
pub fn fields(e: tend::Error) -> Vec<(String, String)> {
    match e {
        tend::Error::Validation(v) => v.into_iter().map(|f| (f.field, f.message_key)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}
