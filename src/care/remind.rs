//! Desktop reminders: which of the current user's care tasks to remind now, and when to look
//! again. The app's scheduler ([`run`]) sleeps on the injected [`Clock`] until the next reminder
//! (re-reading the clock at least once a minute, as a laptop's sleep stops monotonic timers),
//! asks [`Workspace::reminder_tick`] what is due and shows it.
//!
//! - Each reminder instant of a task is shown once on this device: `care_notified` (local) keeps
//!   what was shown, and `meta` keeps how far this user's reminders have been looked at
//!   (`reminded_through:<staff>`), so a restart repeats nothing and the next lookup is one step
//!   down an index. A snooze moves the task's `remind_at` on, so it reminds again.
//! - Several due at once (tasks that came due while the app was closed, or during quiet hours)
//!   make one notification summarising them; Today lists them all.
//! - Quiet hours (per user, shared: `quiet_hours:<staff>` = `21:00-07:30`) hold reminders until
//!   they end; pausing (this device) holds them until resumed.
//! - The first look on a device starts from now: tasks that were due before Tend first reminded
//!   here are on Today, not in a burst of notifications.
//! - The user's SLA reminders (`tickets::remind`: a target's reminder share gone for the
//!   assignee, its breach for the team's lead) come with the same tick, under the same rules.

use super::tasks::{task_of, CareTask, TASK_SELECT};
use crate::clock::Clock;
use crate::db::{meta_get, meta_set};
use crate::error::{Error, FieldError, Result};
use crate::Workspace;
use jiff::civil::Time;
use serde::{Deserialize, Serialize};
use specta::Type;

/// One notification to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Notice {
    pub title: String,
    pub body: String,
    /// the customer to open when it is clicked (one task), none for a summary
    pub customer_id: Option<String>,
    pub task_ids: Vec<String>,
}

/// What one look at the clock decided.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tick {
    pub notices: Vec<Notice>,
    /// when to look again (UTC ms), at the latest; none: nothing is scheduled
    pub next_at: Option<i64>,
}

/// A user's reminder settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct ReminderSettings {
    /// `21:00-07:30`, in the workspace zone; none: no quiet hours
    pub quiet_hours: Option<String>,
    /// reminders held on this device until resumed
    pub paused: bool,
}

/// Quiet hours: from one local time of day to another (across midnight when `to` < `from`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub from: Time,
    pub to: Time,
}

impl QuietHours {
    pub fn parse(s: &str) -> Option<QuietHours> {
        let (a, b) = s.split_once('-')?;
        let from = super::plan::local_time(a.trim())?;
        let to = super::plan::local_time(b.trim())?;
        (from != to).then_some(QuietHours { from, to })
    }

    pub fn text(&self) -> String {
        format!("{}-{}", self.from.strftime("%H:%M"), self.to.strftime("%H:%M"))
    }

    /// When the quiet hours around `now_ms` end, if `now_ms` is within them.
    pub fn ends_after(&self, now_ms: i64, tz: &jiff::tz::TimeZone) -> Result<Option<i64>> {
        let today = crate::schedule::local_date(now_ms, tz);
        let bad = |e: jiff::Error| Error::BadTime { detail: e.to_string() };
        let yesterday = today.yesterday().map_err(bad)?;
        let tomorrow = today.tomorrow().map_err(bad)?;
        // the quiet spans starting yesterday and today
        for start_day in [yesterday, today] {
            let start = crate::schedule::local_instant(start_day, self.from, tz)?;
            let end_day = if self.to > self.from { start_day } else { start_day.tomorrow().map_err(bad)? };
            let end = crate::schedule::local_instant(end_day, self.to, tz)?;
            if start <= now_ms && now_ms < end {
                return Ok(Some(end));
            }
        }
        let _ = tomorrow;
        Ok(None)
    }
}

/// A notification's words, in the device's language.
struct Words {
    due_one: &'static str,
    due_many: &'static str,
    last_contact: &'static str,
    never_contacted: &'static str,
    more: &'static str,
    channel: fn(super::CareChannel) -> &'static str,
}

const VI: Words = Words {
    due_one: "Đến hạn chăm sóc",
    due_many: "{n} việc chăm sóc đến hạn",
    last_contact: "Liên hệ gần nhất: {date}",
    never_contacted: "Chưa liên hệ lần nào",
    more: "và {n} việc khác",
    channel: |c| match c {
        super::CareChannel::Call => "Gọi điện",
        super::CareChannel::Email => "Email",
        super::CareChannel::Sms => "SMS",
        super::CareChannel::Zalo => "Zalo",
        super::CareChannel::Visit => "Gặp trực tiếp",
        super::CareChannel::Other => "Khác",
    },
};

const EN: Words = Words {
    due_one: "Care task due",
    due_many: "{n} care tasks due",
    last_contact: "Last contact: {date}",
    never_contacted: "Not contacted yet",
    more: "and {n} more",
    channel: |c| match c {
        super::CareChannel::Call => "Call",
        super::CareChannel::Email => "Email",
        super::CareChannel::Sms => "SMS",
        super::CareChannel::Zalo => "Zalo",
        super::CareChannel::Visit => "Visit",
        super::CareChannel::Other => "Other",
    },
};

fn watermark_key(staff: &str) -> String {
    format!("reminded_through:{staff}")
}

impl Workspace {
    pub async fn reminder_settings(&self) -> Result<ReminderSettings> {
        let quiet_hours = match self.current_staff_id().await? {
            Some(s) => sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
                .bind(format!("quiet_hours:{s}"))
                .fetch_optional(self.pool())
                .await?
                .filter(|v: &String| !v.is_empty()),
            None => None,
        };
        let paused = meta_get(self.pool(), "reminders_paused").await?.is_some();
        Ok(ReminderSettings { quiet_hours, paused })
    }

    /// Sets the current user's quiet hours (`21:00-07:30`; empty: none). Refused with no
    /// current user.
    pub async fn set_quiet_hours(&self, hours: &str) -> Result<()> {
        let staff = self.current_staff_id().await?.ok_or_else(|| Error::invalid("quiet_hours", "care.no_user"))?;
        let value = if hours.trim().is_empty() {
            String::new()
        } else {
            QuietHours::parse(hours)
                .ok_or_else(|| {
                    Error::Validation(vec![
                        FieldError::new("quiet_hours", "care.quiet_hours_invalid").with("value", hours)
                    ])
                })?
                .text()
        };
        let mut w = self.write().await?;
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )
        .bind(format!("quiet_hours:{staff}"))
        .bind(value)
        .execute(&mut *w.conn())
        .await?;
        w.commit().await
    }

    /// Holds (or resumes) reminders on this device.
    pub async fn set_reminders_paused(&self, paused: bool) -> Result<()> {
        meta_set(self.pool(), "reminders_paused", paused.then_some("1")).await
    }

    /// The current user's next reminder after those already looked at (the scheduler's lookup:
    /// one step down `care_tasks_remind`).
    pub async fn next_reminder_at(&self) -> Result<Option<i64>> {
        let Some(staff) = self.current_staff_id().await? else { return Ok(None) };
        let through = self.reminded_through(&staff).await?.unwrap_or_else(|| self.now_ms());
        Ok(sqlx::query_scalar(
            "SELECT remind_at FROM care_tasks WHERE assignee_id = ? AND remind_at > ? ORDER BY remind_at LIMIT 1",
        )
        .bind(&staff)
        .bind(through)
        .fetch_optional(self.pool())
        .await?)
    }

    async fn reminded_through(&self, staff: &str) -> Result<Option<i64>> {
        Ok(meta_get(self.pool(), &watermark_key(staff)).await?.and_then(|v| v.parse().ok()))
    }

    /// One look at the clock at `now`: the current user's reminders due since the last look
    /// (unless paused or in quiet hours), as notifications, recorded as shown; and when to look
    /// again.
    pub async fn reminder_tick(&self, now: i64) -> Result<Tick> {
        let Some(staff) = self.current_staff_id().await? else { return Ok(Tick::default()) };
        let Some(through) = self.reminded_through(&staff).await? else {
            // the first look on this device starts here
            meta_set(self.pool(), &watermark_key(&staff), Some(&now.to_string())).await?;
            return Ok(Tick { notices: vec![], next_at: self.next_reminder_at().await? });
        };
        let settings = self.reminder_settings().await?;
        if settings.paused {
            return Ok(Tick { notices: vec![], next_at: None });
        }
        let tz = self.zone().await?;
        if let Some(q) = settings.quiet_hours.as_deref().and_then(QuietHours::parse) {
            if let Some(end) = q.ends_after(now, &tz)? {
                return Ok(Tick { notices: vec![], next_at: Some(end) });
            }
        }
        let rows: Vec<super::tasks::TaskRow> = sqlx::query_as(&format!(
            "{TASK_SELECT} WHERE t.assignee_id = ?1 AND t.remind_at > ?2 AND t.remind_at <= ?3
             AND t.deleted_at IS NULL AND c.deleted_at IS NULL AND t.state NOT IN ('done', 'skipped')
             AND NOT EXISTS (SELECT 1 FROM care_notified n WHERE n.task_id = t.id AND n.remind_at = t.remind_at)
             ORDER BY t.remind_at, t.id"
        ))
        .bind(&staff)
        .bind(through)
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        let due: Vec<CareTask> = rows.into_iter().map(task_of).collect();
        // SLA reminders of the user's tickets (as assignee or team lead), kept the same way
        let sla = self.sla_reminders(&staff).await?;
        let mut sla_due = Vec::new();
        for r in sla.iter().filter(|r| r.at > through && r.at <= now) {
            let shown: Option<i64> =
                sqlx::query_scalar("SELECT 1 FROM care_notified WHERE task_id = ? AND remind_at = ?")
                    .bind(&r.key)
                    .bind(r.at)
                    .fetch_optional(self.pool())
                    .await?;
            if shown.is_none() {
                sla_due.push(r.clone());
            }
        }
        let sla_next = sla.iter().map(|r| r.at).filter(|at| *at > now).min();
        let mut tx = self.pool().begin().await?;
        for r in &sla_due {
            sqlx::query("INSERT OR IGNORE INTO care_notified (task_id, remind_at, notified_at) VALUES (?, ?, ?)")
                .bind(&r.key)
                .bind(r.at)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        for t in &due {
            sqlx::query("INSERT OR IGNORE INTO care_notified (task_id, remind_at, notified_at) VALUES (?, ?, ?)")
                .bind(&t.id)
                .bind(t.remind_at)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )
        .bind(watermark_key(&staff))
        .bind(now.max(through).to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut notices = self.notices(&due, &tz).await?;
        let vi = !matches!(meta_get(self.pool(), "language").await?.as_deref(), Some("en"));
        notices.extend(sla_due.iter().map(|r| crate::tickets::remind::notice(r, vi)));
        let care_next = self.next_reminder_at().await?;
        let next_at = match (care_next, sla_next) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Ok(Tick { notices, next_at })
    }

    async fn notices(&self, due: &[CareTask], tz: &jiff::tz::TimeZone) -> Result<Vec<Notice>> {
        let words = match meta_get(self.pool(), "language").await?.as_deref() {
            Some("en") => &EN,
            _ => &VI,
        };
        Ok(match due {
            [] => vec![],
            [t] => {
                let last: Option<i64> = sqlx::query_scalar(
                    "SELECT MAX(occurred_at) FROM interactions WHERE customer_id = ? AND deleted_at IS NULL",
                )
                .bind(&t.customer_id)
                .fetch_one(self.pool())
                .await?;
                let last = match last {
                    Some(ms) => words.last_contact.replace(
                        "{date}",
                        &jiff::Timestamp::from_millisecond(ms)
                            .map(|ts| ts.to_zoned(tz.clone()).strftime("%d/%m/%Y %H:%M").to_string())
                            .unwrap_or_default(),
                    ),
                    None => words.never_contacted.to_string(),
                };
                let mut body = format!("{} · {}", (words.channel)(t.channel), t.name);
                if let Some(p) = &t.customer_phone {
                    body.push_str(&format!(" · {}", crate::validate::phone_display(p)));
                }
                if !t.message.is_empty() {
                    body.push_str(&format!("\n{}", t.message));
                }
                body.push_str(&format!("\n{last}"));
                vec![Notice {
                    title: format!("{}: {}", words.due_one, t.customer_name),
                    body,
                    customer_id: Some(t.customer_id.clone()),
                    task_ids: vec![t.id.clone()],
                }]
            }
            many => {
                let mut lines: Vec<String> =
                    many.iter().take(5).map(|t| format!("{} — {}", t.name, t.customer_name)).collect();
                if many.len() > 5 {
                    lines.push(words.more.replace("{n}", &(many.len() - 5).to_string()));
                }
                vec![Notice {
                    title: words.due_many.replace("{n}", &many.len().to_string()),
                    body: lines.join("\n"),
                    customer_id: None,
                    task_ids: many.iter().map(|t| t.id.clone()).collect(),
                }]
            }
        })
    }
}

/// How the scheduler looks at the clock: at most a minute between looks, so a clock set
/// forward or a laptop waking from sleep is noticed within a minute.
pub const LOOK_EVERY_MS: u64 = 60_000;

/// The scheduler: forever, shows what [`Workspace::reminder_tick`] says is due through `show`,
/// then sleeps on `clock` until the next reminder, or `step_ms` at most (a task snoozed or
/// synced meanwhile, a clock set forward, a laptop waking: all noticed within a step), or until
/// `wake` (a change in this app). Errors are passed to `failed` and the loop goes on a step later.
pub async fn run(
    ws: &Workspace,
    clock: &dyn Clock,
    wake: &tokio::sync::Notify,
    step_ms: u64,
    mut show: impl FnMut(Notice),
    mut failed: impl FnMut(Error),
) {
    loop {
        let now = clock.now_ms();
        let next = match ws.reminder_tick(now).await {
            Ok(tick) => {
                for n in tick.notices {
                    show(n);
                }
                tick.next_at.unwrap_or(now + 3_600_000)
            }
            Err(e) => {
                failed(e);
                now + step_ms as i64
            }
        };
        let next = next.min(clock.now_ms() + step_ms as i64);
        tokio::select! {
            _ = crate::schedule::sleep_until(clock, next, step_ms) => {}
            _ = wake.notified() => {}
        }
    }
}
