//! A realistic Vietnamese demo workspace: staff, custom fields, persons and companies (with
//! contacts and tax codes), every tone mark and đ in names, VN phone formats, provinces, tags,
//! interactions and purchases. Deterministic for a seed (ids and data; the change records carry
//! the time they were written). Written through the same change-record triggers as every other
//! write, in chunks on one rusqlite connection, so a million customers take minutes. `demo_care`
//! adds, through the write path, the care history of the last weeks relative to today (the preset
//! plans, recent purchases, their tasks mostly done) and this device's user, so the app opens on
//! Today with that user's work due and overdue; that part is dated from today and its ids are new.

use crate::customers::{write, Columns, CustomerKind, Email, Gender, Phone, Source};
use crate::error::{Error, Result};
use crate::Workspace;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use specta::Type;

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
    "Lý", "Mã", "Đinh", "Trịnh", "Mạc", "Tạ", "Lưu", "Quách", "Thái", "Ông",
];
const MIDDLE: &[&str] = &[
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Xuân", "Thu", "Bảo", "Gia", "Hoài", "Mỹ", "Phương",
    "Kim", "Đình", "Thế", "Diệu", "Tuấn",
];
const GIVEN: &[&str] = &[
    "An", "Bình", "Dũng", "Đạt", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hương", "Huy", "Khánh", "Lan", "Linh", "Long",
    "Mai", "Nam", "Ngân", "Nhung", "Oanh", "Phúc", "Phương", "Quân", "Quỳnh", "Sơn", "Tâm", "Thảo", "Thắng", "Trang",
    "Trí", "Tuấn", "Tùng", "Uyên", "Việt", "Vy", "Yến", "Ánh", "Đông", "Ẩn", "Tú", "Kỳ", "Lộc", "Nghĩa", "Ngữ", "Hỷ",
    "Đào", "Cường", "Duyên", "Ỷ", "Thủy",
];
const COMPANY_WORDS: &[&str] = &[
    "Ánh Dương",
    "Đại Phát",
    "Hưng Thịnh",
    "Phú Quý",
    "Sao Việt",
    "Trường Sơn",
    "Hồng Hà",
    "Bình Minh",
    "Tân Tiến",
    "Đông Á",
    "Thành Công",
    "Vĩnh Phúc",
    "Kim Long",
    "Hòa Bình",
    "Mỹ Đức",
    "Quang Trung",
    "Lạc Hồng",
    "Sông Đà",
];
const COMPANY_TRADES: &[&str] =
    &["Thương mại", "Xây dựng", "Dịch vụ", "Công nghệ", "Thực phẩm", "Vận tải", "Du lịch", "In ấn", "Nội thất"];
const COMPANY_FORMS: &[&str] = &["Công ty TNHH", "Công ty Cổ phần", "Doanh nghiệp tư nhân", "Công ty TNHH MTV"];
const PROVINCES: &[(&str, &[&str])] = &[
    (
        "TP. Hồ Chí Minh",
        &["Quận 1", "Quận 3", "Quận 7", "Quận Bình Thạnh", "TP. Thủ Đức", "Quận Gò Vấp", "Quận Tân Bình"],
    ),
    ("Hà Nội", &["Quận Hoàn Kiếm", "Quận Đống Đa", "Quận Cầu Giấy", "Quận Hai Bà Trưng", "Quận Long Biên"]),
    ("Đà Nẵng", &["Quận Hải Châu", "Quận Sơn Trà", "Quận Ngũ Hành Sơn"]),
    ("Hải Phòng", &["Quận Lê Chân", "Quận Ngô Quyền"]),
    ("Cần Thơ", &["Quận Ninh Kiều", "Quận Cái Răng"]),
    ("Bình Dương", &["TP. Thủ Dầu Một", "TP. Dĩ An"]),
    ("Đồng Nai", &["TP. Biên Hòa", "Huyện Long Thành"]),
    ("Khánh Hòa", &["TP. Nha Trang", "TP. Cam Ranh"]),
    ("Thừa Thiên Huế", &["TP. Huế"]),
    ("Quảng Ninh", &["TP. Hạ Long", "TP. Cẩm Phả"]),
    ("Lâm Đồng", &["TP. Đà Lạt", "TP. Bảo Lộc"]),
    ("Nghệ An", &["TP. Vinh"]),
    ("Bà Rịa - Vũng Tàu", &["TP. Vũng Tàu", "TP. Bà Rịa"]),
    ("Đắk Lắk", &["TP. Buôn Ma Thuột"]),
];
const STREETS: &[&str] = &[
    "Lê Lợi",
    "Nguyễn Huệ",
    "Trần Hưng Đạo",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Điện Biên Phủ",
    "Võ Văn Tần",
    "Phạm Ngũ Lão",
    "Nguyễn Trãi",
    "Cách Mạng Tháng Tám",
    "Đinh Tiên Hoàng",
    "Hùng Vương",
];
const MOBILE_PREFIXES: &[&str] = &[
    "90", "91", "93", "94", "96", "97", "98", "32", "33", "34", "35", "36", "37", "38", "39", "70", "76", "77", "78",
    "79", "81", "82", "83", "84", "85", "86", "88",
];
const TAGS: &[&str] = &["VIP", "Khách sỉ", "Khách lẻ", "Zalo OA", "Hội chợ 2026", "Giới thiệu", "Trả góp", "Đại lý"];
const STAGES: &[&str] = &["lead", "prospect", "customer", "customer", "loyal", "churned", "negative"];
const SOURCES: &[&str] = &["website", "facebook", "zalo", "phone", "referral", "walk_in", "event"];
const PRODUCTS: &[(&str, i64)] = &[
    ("Gói chăm sóc da", 450_000),
    ("Máy lọc nước", 6_900_000),
    ("Bảo trì điều hòa", 350_000),
    ("Khóa học tiếng Anh", 3_200_000),
    ("Bộ quà Tết", 1_250_000),
    ("Phần mềm kế toán (năm)", 4_800_000),
    ("Cà phê hạt 1kg", 280_000),
];
const SUMMARIES: &[(&str, &str, &str)] = &[
    ("call", "phone", "Gọi tư vấn sản phẩm"),
    ("call", "phone", "Khách gọi hỏi giá"),
    ("chat", "zalo", "Nhắn tin Zalo hỏi lịch giao hàng"),
    ("chat", "facebook", "Khách nhắn fanpage hỏi khuyến mãi"),
    ("email", "email", "Gửi báo giá"),
    ("meeting", "in_person", "Gặp trực tiếp tại cửa hàng"),
    ("note", "other", "Khách hẹn gọi lại tuần sau"),
];

/// What was generated.
#[derive(Debug, Clone, Serialize, Type)]
pub struct DemoSummary {
    #[specta(type = i32)]
    pub customers: i64,
    #[specta(type = i32)]
    pub companies: i64,
    #[specta(type = i32)]
    pub contacts: i64,
    #[specta(type = i32)]
    pub interactions: i64,
    #[specta(type = i32)]
    pub deals: i64,
    #[specta(type = i32)]
    pub staff: i64,
}

/// What [`Workspace::demo_care`] did: this device's user, the care tasks and the helpdesk tickets it made.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DemoCare {
    pub current_staff: Option<String>,
    pub care_tasks: i64,
    /// The demo helpdesk's tickets (`tickets::demo`).
    pub tickets: i64,
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// A UUIDv7 whose time and random parts come from the seeded generator.
fn demo_id(rng: &mut StdRng, ms: i64) -> String {
    let bytes: [u8; 10] = rng.gen();
    uuid::Builder::from_unix_timestamp_millis(ms as u64, &bytes).into_uuid().to_string()
}

fn ascii(s: &str) -> String {
    crate::fold::fold(s).replace(' ', "")
}

/// 2024-01-01T00:00:00Z: demo records are dated from here on.
const DEMO_BASE_MS: i64 = 1_704_067_200_000;
const YEAR_MS: i64 = 365 * 24 * 3600 * 1000;

impl Workspace {
    /// Generates `customers` demo customers (with staff and fields on first run). Returns counts.
    pub async fn generate_demo(&self, customers: u64, seed: u64) -> Result<DemoSummary> {
        // Demo data goes into an empty workspace only: never mixed into someone's customers.
        let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers").fetch_one(self.pool()).await?;
        if existing > 0 {
            return Err(Error::Validation(vec![
                crate::FieldError::new("workspace", "demo.not_empty").with("count", existing.to_string())
            ]));
        }
        self.ready_to_write().await?;
        let mut hlc = self.clock_lock().await;
        let path = self.path().to_path_buf();
        let device = self.device().to_string();
        let clock = self.clock.clone();
        // The task works on a copy of the clock: if it panics, the clock stays as it was.
        let mut state = hlc.clone();
        let mut long = self.long_write_guard(crate::writers::LongWrite::Demo);
        let (res, state) = tokio::task::spawn_blocking(move || {
            let r = long.lock_file(&path).and_then(|()| generate(&path, &device, &*clock, &mut state, customers, seed));
            drop(long);
            (r, state)
        })
        .await
        .map_err(|e| Error::Interrupted { task: "demo", detail: e.to_string() })?;
        *hlc = state;
        res
    }

    /// The demo's care work, after [`Workspace::generate_demo`] (`tend demo` does both), so the
    /// first screen (Today) shows the product: the preset plans, this device's user (the first
    /// staff member, unless one is chosen), and some weeks of history as the plans would have
    /// made it: recent purchases in post-sale care, leads in pre-sale nurture, birthdays of the
    /// coming two weeks. Tasks due before today are mostly done (their outcome on the timeline);
    /// a few are left overdue, and the user has some due today and some overdue whatever the
    /// seed. Through the write path. A workspace with care plans already is left as it is.
    pub async fn demo_care(&self, seed: u64) -> Result<DemoCare> {
        let me = match self.current_staff_id().await? {
            Some(me) => me,
            None => {
                let first: Option<String> =
                    sqlx::query_scalar("SELECT id FROM staff WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
                        .fetch_optional(self.pool())
                        .await?;
                let Some(first) = first else { return Ok(DemoCare::default()) };
                self.set_current_staff(Some(&first)).await?;
                first
            }
        };
        let made = self.demo_care_history(&me, seed).await?;
        let tickets = self.demo_helpdesk(seed).await?;
        if tickets > 0 {
            // the reports count the demo's complaint and return categories
            let vi = self.lang().await? == crate::messages::Lang::Vi;
            let [complaint, ret, ..] = crate::tickets::demo::DEMO_CATEGORIES[usize::from(!vi)];
            self.set_report_settings(&crate::reports::ReportSettings {
                complaint_categories: vec![complaint.into()],
                return_categories: vec![ret.into()],
            })
            .await?;
        }
        Ok(DemoCare { current_staff: Some(me), care_tasks: made, tickets })
    }

    /// [`Workspace::demo_care`]'s history for the user `me`; returns how many tasks it made.
    async fn demo_care_history(&self, me: &str, seed: u64) -> Result<i64> {
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM care_tasks").fetch_one(self.pool()).await?;
        // a workspace that has plans already is someone's: its care is left as it is
        let (first_seq, last_seq): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT MIN(seq), MAX(seq) FROM customers WHERE deleted_at IS NULL")
                .fetch_one(self.pool())
                .await?;
        let (Some(first_seq), Some(last_seq)) = (first_seq, last_seq) else { return Ok(0) };
        if !self.care_plans().await?.is_empty() {
            return Ok(0);
        }
        let mut rng = StdRng::seed_from_u64(seed ^ 0x6361_7265);
        let tz = self.zone().await?;
        let now = self.now_ms();
        let today = crate::settings::today_in(&tz, now);
        let today_start = crate::settings::day_start_ms(&tz, today)?;
        let days_ago = |d: i64, hour: i8| -> Result<i64> {
            let day = today
                .checked_sub(jiff::Span::new().days(d))
                .map_err(|e| Error::BadTime { detail: format!("{d} days before {today}: {e}") })?;
            crate::schedule::local_instant(day, jiff::civil::Time::new(hour, 0, 0, 0).unwrap_or_default(), &tz)
        };

        // recent purchases, before any plan exists (a plan enrolling on them would count from now):
        // the user's own customers bought 1, 3, 7 and 10 days ago (a thank-you call and a
        // satisfaction check due today, each of the others' overdue), the rest at random; each
        // read through an index, so a million customers cost no more than a thousand
        let mine: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM customers WHERE owner_id = ? AND kind = 'person' AND deleted_at IS NULL
             ORDER BY name_folded LIMIT 4",
        )
        .bind(me)
        .fetch_all(self.pool())
        .await?;
        let mut bought: Vec<(String, i64, bool)> = Vec::new(); // customer, days ago, kept open
        for (c, d) in mine.into_iter().zip([1, 7, 3, 10]) {
            bought.push((c, d, true));
        }
        let size = last_seq - first_seq + 1;
        let n = (size / 100).clamp(12, 300) as usize;
        for _ in 0..n {
            let c: Option<String> = sqlx::query_scalar(
                "SELECT id FROM customers WHERE seq >= ? AND deleted_at IS NULL ORDER BY seq LIMIT 1",
            )
            .bind(rng.gen_range(first_seq..=last_seq))
            .fetch_optional(self.pool())
            .await?;
            if let Some(c) = c.filter(|c| !bought.iter().any(|b| &b.0 == c)) {
                bought.push((c, rng.gen_range(1..=45), false));
            }
        }
        let mut w = self.write().await?;
        let mut purchases = Vec::with_capacity(bought.len());
        for (c, d, open) in &bought {
            let (pname, price) = *pick(&mut rng, PRODUCTS);
            let qty = rng.gen_range(1..3i64);
            let input = crate::interactions::InteractionInput {
                kind: crate::interactions::InteractionKind::Purchase,
                channel: crate::interactions::InteractionChannel::InPerson,
                direction: crate::interactions::Direction::Inbound,
                staff_id: None,
                occurred_at: Some(days_ago(*d, rng.gen_range(8..20))?),
                summary: format!("Mua {pname}"),
                body: None,
                amount: Some(qty * price),
                currency: Some("VND".into()),
                items: vec![crate::interactions::PurchaseItem { name: pname.into(), quantity: qty, unit_price: price }],
            };
            let p = self.insert_interaction(&mut w, c, &input).await?;
            purchases.push((c.clone(), p.id, p.occurred_at, *open));
        }
        w.commit().await?;

        let lang = self.info().await?.language.unwrap_or_else(|| "vi".into());
        let mut plans = Vec::new();
        for p in crate::care::presets::presets(&lang) {
            plans.push(self.create_care_plan(&crate::care::CarePlan::from_input(&p)?).await?);
        }
        let [post_sale, birthday, nurture] = &plans[..] else { return Ok(0) };
        let outcomes: &[&str] = if lang == "vi" {
            &[
                "Khách hài lòng, hẹn lần sau",
                "Đã gọi, khách đang dùng tốt",
                "Đã nhắn Zalo, khách cảm ơn",
                "Khách hỏi thêm về bảo hành",
            ]
        } else {
            &[
                "Happy customer, will come back",
                "Called: all working well",
                "Messaged, they said thanks",
                "Asked about the warranty",
            ]
        };

        // each enrolled then, its past steps mostly done: nearly all of those older than three
        // days, half of the newer ones
        let mut w = self.write().await?;
        let mut enrolled: Vec<(String, bool)> = Vec::new();
        for (c, purchase, at, open) in &purchases {
            if let Some(e) = self.enrol_as_of(&mut w, post_sale, c, Some(purchase), *at).await? {
                enrolled.push((e, *open));
            }
        }
        // leads in pre-sale nurture since up to twelve days ago; the user's first lead since 5
        // days ago (its day-4 call overdue)
        let leads: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT id, owner_id FROM customers WHERE stage_id = 'lead' AND deleted_at IS NULL
             ORDER BY name_folded LIMIT ?",
        )
        .bind((n / 2) as i64)
        .fetch_all(&mut *w.conn())
        .await?;
        let mut first_mine = true;
        for (c, owner) in &leads {
            let is_mine = owner.as_deref() == Some(me);
            let d = if is_mine && first_mine { 5 } else { rng.gen_range(0..=12) };
            let open = is_mine && std::mem::replace(&mut first_mine, false);
            if let Some(e) = self.enrol_as_of(&mut w, nurture, c, None, days_ago(d, 8)?).await? {
                enrolled.push((e, open));
            }
        }
        for (e, keep_open) in &enrolled {
            for t in crate::Workspace::enrolment_tasks(&mut w, e).await? {
                if t.due_at >= today_start || *keep_open {
                    continue;
                }
                let p_done = if t.due_at < today_start - 3 * 86_400_000 { 0.95 } else { 0.5 };
                if rng.gen_bool(p_done) {
                    let at = t.due_at + rng.gen_range(5..240) * 60_000;
                    let outcome = *pick(&mut rng, outcomes);
                    self.complete_in(&mut w, &t, outcome, at.min(now)).await?;
                }
            }
        }
        w.commit().await?;

        // birthdays of the coming two weeks (29 February with the 28th), enrolled as a user would
        // today
        let mut days: Vec<String> = Vec::new();
        for i in 0..14 {
            if let Ok(d) = today.checked_add(jiff::Span::new().days(i)) {
                days.push(d.strftime("%m-%d").to_string());
            }
        }
        if days.iter().any(|d| d == "02-28") {
            days.push("02-29".into());
        }
        let sql = format!(
            "SELECT id, birthday FROM customers WHERE deleted_at IS NULL AND substr(birthday, 6, 5) IN ({})
             ORDER BY seq LIMIT 2000",
            vec!["?"; days.len()].join(", ")
        );
        let mut q = sqlx::query_as::<_, (String, String)>(&sql);
        for d in &days {
            q = q.bind(d);
        }
        let born = q.fetch_all(self.pool()).await?;
        let mut greet = Vec::new();
        for (id, b) in born {
            let Ok(day) = b.parse::<jiff::civil::Date>() else { continue };
            let next = crate::schedule::yearly_on_or_after(day.month(), day.day(), today)?;
            if (next - today).get_days() < 14 && greet.len() < 500 {
                greet.push(id);
            }
        }
        if !greet.is_empty() {
            self.enrol_customers(&birthday.id, &greet, None).await?;
        }
        let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM care_tasks").fetch_one(self.pool()).await?;
        Ok(after - before)
    }
}

fn generate(
    path: &std::path::Path,
    device: &str,
    clock: &dyn crate::Clock,
    hlc: &mut crate::clock::Hlc,
    count: u64,
    seed: u64,
) -> Result<DemoSummary> {
    let conn = crate::db::raw_open(path)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut summary = DemoSummary { customers: 0, companies: 0, contacts: 0, interactions: 0, deals: 0, staff: 0 };
    // deals are dated around today, so the pipeline looks like this week's work
    let now = clock.now_ms();
    let zone = jiff::tz::TimeZone::get("Asia/Ho_Chi_Minh").unwrap_or(jiff::tz::TimeZone::UTC);

    // One SQLite transaction for all of it (a crash leaves the workspace as it was); each
    // chunk of customers is a write of its own in the change log.
    let mut begun = false;

    // Staff and custom fields, once.
    let existing: i64 = conn.query_row("SELECT COUNT(*) FROM staff", [], |r| r.get(0))?;
    if existing == 0 {
        crate::db::raw_begin(&conn, hlc, clock.now_ms(), device, None)?;
        begun = true;
        summary.staff = demo_staff_and_fields(&conn, &mut rng)?;
    }
    let staff: Vec<String> = {
        let mut st = conn.prepare("SELECT id FROM staff WHERE deleted_at IS NULL ORDER BY id")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect::<std::result::Result<_, _>>()?
    };
    let owner = staff.first().cloned();
    let fields: Vec<(String, String)> = {
        let mut st = conn.prepare("SELECT id, key FROM custom_fields WHERE deleted_at IS NULL")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.collect::<std::result::Result<_, _>>()?
    };

    const CHUNK: u64 = 20_000;
    let mut done = 0u64;
    while done < count {
        let n = CHUNK.min(count - done);
        if begun {
            crate::db::raw_next_tx(&conn, hlc, clock.now_ms(), device, owner.as_deref())?;
        } else {
            crate::db::raw_begin(&conn, hlc, clock.now_ms(), device, owner.as_deref())?;
            begun = true;
        }
        {
            let mut ins_contact = conn.prepare_cached(
                "INSERT INTO contacts (id, customer_id, name, role, phone, email, is_decision_maker, created_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )?;
            let mut ins_inter = conn.prepare_cached(
                "INSERT INTO interactions (id, customer_id, kind, channel, direction, staff_id, occurred_at, summary,
                     body, amount, currency, items, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )?;
            let mut ins_deal = conn.prepare_cached(
                "INSERT INTO deals (id, customer_id, title, stage_id, amount, currency, expected_close, owner_id,
                     lost_reason, stage_changed_at, closed_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )?;
            let mut fts = write::FtsBatch::default();

            for _ in 0..n {
                let DemoCustomer { id, created, company, cols, contacts, contact_ids } =
                    demo_customer(&mut rng, &staff, &fields);
                // the one customer write, as the form and imports store and index a customer
                let doc = write::doc_of(&cols, &contacts);
                write::insert(&conn, &id, &cols, &doc, created, &mut fts)?;
                for (i, ((cname, cphone, cemail), cid)) in contacts.iter().zip(&contact_ids).enumerate() {
                    let role = ["Giám đốc", "Kế toán trưởng", "Trưởng phòng mua hàng"][i % 3];
                    ins_contact.execute(rusqlite::params![cid, id, cname, role, cphone, cemail, i == 0, created])?;
                    summary.contacts += 1;
                }
                summary.interactions += demo_interactions(&mut rng, &mut ins_inter, &id, created, &staff)?;
                // a lead or prospect has a deal under way (and some older ones closed)
                if cols.expected_revenue.is_some() && rng.gen_bool(0.6) {
                    demo_deal(&mut rng, &mut ins_deal, &id, cols.owner_id.as_deref(), now, &zone)?;
                    summary.deals += 1;
                }
                summary.customers += 1;
                if company {
                    summary.companies += 1;
                }
            }
            fts.flush(&conn)?;
        }
        done += n;
    }
    if begun {
        crate::db::raw_commit(&conn)?;
    }
    conn.execute_batch("PRAGMA optimize")?;
    Ok(summary)
}

/// The workspace's staff and custom fields (once, in an empty workspace); how many staff.
fn demo_staff_and_fields(conn: &rusqlite::Connection, rng: &mut StdRng) -> Result<i64> {
    let staff = [
        ("Trần Thị Ngọc Ánh", "owner"),
        ("Lê Đức Thắng", "manager"),
        ("Phạm Quỳnh Như", "manager"),
        ("Nguyễn Hữu Dũng", "agent"),
        ("Võ Thị Diễm Hương", "agent"),
        ("Đặng Minh Khôi", "agent"),
    ];
    for (i, (name, role)) in staff.iter().enumerate() {
        let id = demo_id(rng, DEMO_BASE_MS + i as i64);
        let email = format!("{}@tend.example.vn", ascii(name.split(' ').next_back().unwrap_or(name)));
        conn.execute(
            "INSERT INTO staff (id, name, email, role, created_at) VALUES (?, ?, ?, ?, ?)",
            rusqlite::params![id, name, email, role, DEMO_BASE_MS],
        )?;
    }
    for (i, (key, label, kind, options)) in [
        ("nganh_nghe", "Ngành nghề", "select", r#"["Bán lẻ","Nhà hàng","Spa","Giáo dục","Sản xuất"]"#),
        ("ngay_ky_hop_dong", "Ngày ký hợp đồng", "date", "[]"),
        ("nhan_ban_tin", "Nhận bản tin", "checkbox", "[]"),
    ]
    .iter()
    .enumerate()
    {
        let id = demo_id(rng, DEMO_BASE_MS + 100 + i as i64);
        conn.execute(
            "INSERT INTO custom_fields (id, key, label, kind, options, required, position) VALUES (?, ?, ?, ?, ?, 0, ?)",
            rusqlite::params![id, key, label, kind, options, (i as i64 + 1) * 10],
        )
        ?;
    }
    Ok(staff.len() as i64)
}

/// One made-up customer (a person or a company, with its contacts), drawn from `rng`.
struct DemoCustomer {
    id: String,
    created: i64,
    company: bool,
    cols: Columns,
    contacts: Vec<(String, Option<String>, Option<String>)>,
    contact_ids: Vec<String>,
}

fn demo_customer(rng: &mut StdRng, staff: &[String], fields: &[(String, String)]) -> DemoCustomer {
    let created = DEMO_BASE_MS + rng.gen_range(0..2 * YEAR_MS);
    let id = demo_id(rng, created);
    let company = rng.gen_bool(0.15);
    let (prov, districts) = pick(rng, PROVINCES);
    let district = pick(rng, districts).to_string();
    let ward = format!("Phường {}", rng.gen_range(1..=15));
    let street = format!("{} {}", rng.gen_range(1..=450), pick(rng, STREETS));
    let mut phones: Vec<(String, String)> = Vec::new();
    let mut emails: Vec<(String, String)> = Vec::new();
    let (name, fam, mid, giv, tax, gender, birthday);
    if company {
        let form = pick(rng, COMPANY_FORMS);
        let trade = pick(rng, COMPANY_TRADES);
        let w = pick(rng, COMPANY_WORDS);
        name = format!("{form} {trade} {w}");
        fam = None;
        mid = None;
        giv = None;
        let area = if *prov == "Hà Nội" { "24" } else { "28" };
        phones.push(("Văn phòng".into(), format!("+84{area}{:08}", rng.gen_range(30_000_000..40_000_000))));
        emails.push(("Công việc".into(), format!("lienhe@{}{}.vn", ascii(w), rng.gen_range(1..999))));
        let base = format!("{:02}{:08}", [1, 3, 4, 31, 36][rng.gen_range(0..5)], rng.gen_range(0..100_000_000u64));
        tax = Some(if rng.gen_bool(0.1) { format!("{base}-{:03}", rng.gen_range(1..20)) } else { base });
        gender = None;
        birthday = None;
    } else {
        let f = *pick(rng, FAMILY);
        let m = *pick(rng, MIDDLE);
        let g = *pick(rng, GIVEN);
        name = format!("{f} {m} {g}");
        fam = Some(f);
        mid = Some(m);
        giv = Some(g);
        tax = None;
        gender = Some(if m == "Thị" || rng.gen_bool(0.5) { Gender::Female } else { Gender::Male });
        birthday = if rng.gen_bool(0.7) {
            Some(format!("{}-{:02}-{:02}", rng.gen_range(1955..2006), rng.gen_range(1..=12), rng.gen_range(1..=28)))
        } else {
            None
        };
        let nphones = if rng.gen_bool(0.2) { 2 } else { 1 };
        for i in 0..nphones {
            let p = pick(rng, MOBILE_PREFIXES);
            phones.push((
                if i == 0 { "mobile" } else { "zalo" }.into(),
                format!("+84{p}{:07}", rng.gen_range(0..10_000_000)),
            ));
        }
        if rng.gen_bool(0.6) {
            let dom = ["gmail.com", "yahoo.com.vn", "outlook.com", "fpt.vn"][rng.gen_range(0..4)];
            emails.push(("personal".into(), format!("{}.{}{}@{dom}", ascii(g), ascii(f), rng.gen_range(1..9999))));
        }
    }
    let stage = *pick(rng, STAGES);
    let owner_id = pick(rng, staff).clone();
    let mut tags: Vec<String> = Vec::new();
    for _ in 0..rng.gen_range(0..3) {
        let t = pick(rng, TAGS).to_string();
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    let revenue: Option<i64> =
        if matches!(stage, "lead" | "prospect") { Some(rng.gen_range(5..500) * 1_000_000) } else { None };
    let notes = if rng.gen_bool(0.2) {
        Some(format!(
            "Khách quan tâm {}; liên hệ buổi {}.",
            pick(rng, PRODUCTS).0,
            ["sáng", "chiều", "tối"][rng.gen_range(0..3)]
        ))
    } else {
        None
    };
    let mut contacts: Vec<(String, Option<String>, Option<String>)> = Vec::new();
    if company {
        let k = rng.gen_range(1..=3);
        for i in 0..k {
            let cname = format!("{} {} {}", pick(rng, FAMILY), pick(rng, MIDDLE), pick(rng, GIVEN));
            let cphone = format!("+84{}{:07}", pick(rng, MOBILE_PREFIXES), rng.gen_range(0..10_000_000));
            let cemail = format!(
                "{}{}@{}.vn",
                ascii(&cname),
                rng.gen_range(1..99),
                ascii(COMPANY_WORDS[rng.gen_range(0..COMPANY_WORDS.len())])
            );
            contacts.push((cname, Some(cphone), Some(cemail)));
            let _ = i;
        }
    }
    let source = *pick(rng, SOURCES);
    let contact_ids: Vec<String> = contacts.iter().map(|_| demo_id(rng, created)).collect();
    let mut custom = Vec::new();
    if company && !fields.is_empty() && rng.gen_bool(0.5) {
        if let Some((fid, _)) = fields.iter().find(|f| f.1 == "nganh_nghe") {
            let v = ["Bán lẻ", "Nhà hàng", "Spa", "Giáo dục", "Sản xuất"][rng.gen_range(0..5)];
            custom.push((fid.clone(), Some(v.to_string())));
        }
    }
    let cols = Columns {
        kind: if company { CustomerKind::Company } else { CustomerKind::Person },
        name,
        family_name: fam.map(String::from),
        middle_name: mid.map(String::from),
        given_name: giv.map(String::from),
        phones: phones.into_iter().map(|(label, number)| Phone { label, number }).collect(),
        emails: emails.into_iter().map(|(label, address)| Email { label, address }).collect(),
        street: Some(street),
        ward: Some(ward),
        district: Some(district),
        province: Some(prov.to_string()),
        tax_code: tax,
        source: Source::parse(source),
        owner_id: Some(owner_id),
        stage_id: Some(stage.to_string()),
        tags,
        birthday,
        gender,
        expected_revenue: revenue,
        currency: revenue.map(|_| "VND".to_string()),
        notes,
        external_id: None,
        custom,
        notices: vec![],
    };
    DemoCustomer { id, created, company, cols, contacts, contact_ids }
}

/// A customer's calls, notes and purchases (none, one or three); how many were written.
fn demo_interactions(
    rng: &mut StdRng,
    ins_inter: &mut rusqlite::CachedStatement<'_>,
    id: &str,
    created: i64,
    staff: &[String],
) -> Result<i64> {
    let mut made = 0;
    let ninter = match rng.gen_range(0..10) {
        0..=4 => 0,
        5..=7 => 1,
        _ => 3,
    };
    for _ in 0..ninter {
        let at = created + rng.gen_range(0..YEAR_MS / 2);
        let iid = demo_id(rng, at);
        let staff_id = pick(rng, staff).clone();
        if rng.gen_bool(0.3) {
            let (pname, price) = *pick(rng, PRODUCTS);
            let qty = rng.gen_range(1..4i64);
            let items = serde_json::json!([{"name": pname, "quantity": qty, "unit_price": price}]).to_string();
            ins_inter.execute(rusqlite::params![
                iid,
                id,
                "purchase",
                "in_person",
                "inbound",
                staff_id,
                at,
                format!("Mua {pname}"),
                Option::<String>::None,
                qty * price,
                "VND",
                items,
                at
            ])?;
        } else {
            let (kind, channel, text) = *pick(rng, SUMMARIES);
            let dir = if kind == "note" {
                "internal"
            } else if rng.gen_bool(0.5) {
                "inbound"
            } else {
                "outbound"
            };
            ins_inter.execute(rusqlite::params![
                iid,
                id,
                kind,
                channel,
                dir,
                staff_id,
                at,
                text,
                Option::<String>::None,
                Option::<i64>::None,
                Option::<String>::None,
                "[]",
                at
            ])?;
        }
        made += 1;
    }
    Ok(made)
}

/// A lead's or prospect's deal, dated around `now` so the pipeline looks like this week's work.
fn demo_deal(
    rng: &mut StdRng,
    ins_deal: &mut rusqlite::CachedStatement<'_>,
    id: &str,
    owner_id: Option<&str>,
    now: i64,
    zone: &jiff::tz::TimeZone,
) -> Result<()> {
    const DEAL_STAGES: &[&str] =
        &["new", "contacted", "contacted", "consulting", "proposal", "negotiation", "won", "lost"];
    const LOST: &[&str] = &["Giá cao hơn đối thủ", "Chưa có ngân sách", "Chọn nhà cung cấp khác"];
    let deal_stage = *pick(rng, DEAL_STAGES);
    let (pname, price) = *pick(rng, PRODUCTS);
    let qty = rng.gen_range(1..20i64);
    let changed = now - rng.gen_range(0..30) * 86_400_000 - rng.gen_range(0..86_400_000);
    let opened = changed - rng.gen_range(0..60) * 86_400_000;
    let close_day = crate::settings::today_in(zone, now)
        .checked_add(jiff::Span::new().days(rng.gen_range(-10..90)))
        .ok()
        .map(|d| d.to_string());
    let closed = matches!(deal_stage, "won" | "lost").then_some(changed);
    let reason = (deal_stage == "lost").then(|| pick(rng, LOST).to_string());
    ins_deal.execute(rusqlite::params![
        demo_id(rng, opened),
        id,
        if qty > 1 { format!("{pname} × {qty}") } else { pname.to_string() },
        deal_stage,
        qty * price,
        "VND",
        close_day,
        owner_id,
        reason,
        changed,
        closed,
        opened
    ])?;
    Ok(())
}
