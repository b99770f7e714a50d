//! The demo's helpdesk (`tend demo`, after the care history): two teams (Warranty with a quality
//! checklist, an acknowledgement on Zalo and email, a CSAT survey; Sales support), canned
//! responses, a rule, and the last two weeks of tickets as the team would have worked them:
//! replied, waiting on the customer, checked and solved with the customer's answer, a few still
//! new and one overdue. Through the write path, dated from today; a workspace that has teams
//! already is left as it is.

use super::{MessageKind, NewTicket, Priority, Reply, RuleInput, Team, TeamInput, TicketChannel};
use crate::error::Result;
use crate::Workspace;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const WARRANTY_VI: &str = r#"
name = "Bảo hành"
vn_public_holidays = true
assignment = "round_robin"
followup_days = 2
survey = "csat"
stages = [ { name = "Mới" }, { name = "Đang xử lý" }, { name = "Chờ khách", pauses_sla = true },
  { name = "Kiểm tra chất lượng", checklist = ["Gọi lại xác nhận với khách", "Ghi biên bản bảo hành"] },
  { name = "Đã xử lý", solved = true }, { name = "Đóng", solved = true, closed = true } ]
[ack]
channels = ["zalo", "email", "website"]
body = "Dạ {{team.name}} đã nhận yêu cầu {{ticket.number}} của {{customer.name}}. Bên em sẽ liên hệ lại trong giờ làm việc ạ."
[[sla]]
name = "Khẩn"
match = { priority = ["urgent", "high"] }
first_response_minutes = 60
next_response_minutes = 240
resolution_minutes = 480
[[sla]]
name = "Thường"
first_response_minutes = 240
resolution_minutes = 2880
"#;

const WARRANTY_EN: &str = r#"
name = "Warranty"
vn_public_holidays = true
assignment = "round_robin"
followup_days = 2
survey = "csat"
stages = [ { name = "New" }, { name = "In progress" }, { name = "Waiting on customer", pauses_sla = true },
  { name = "Quality check", checklist = ["Call the customer back to confirm", "Write the warranty report"] },
  { name = "Solved", solved = true }, { name = "Closed", solved = true, closed = true } ]
[ack]
channels = ["zalo", "email", "website"]
body = "{{team.name}} has your request {{ticket.number}}, {{customer.name}}. We will be back to you within working hours."
[[sla]]
name = "Urgent"
match = { priority = ["urgent", "high"] }
first_response_minutes = 60
next_response_minutes = 240
resolution_minutes = 480
[[sla]]
name = "Standard"
first_response_minutes = 240
resolution_minutes = 2880
"#;

/// (subject, what the customer said, the agent's reply), by language.
const CASES_VI: &[(&str, &str, &str)] = &[
    (
        "Máy lọc nước báo lỗi E2",
        "Máy báo lỗi E2 từ sáng, nước không ra.",
        "Dạ chiều nay kỹ thuật viên sẽ qua kiểm tra ạ.",
    ),
    ("Tủ lạnh không lạnh", "Tủ lạnh nhà chị không lạnh từ hôm qua.", "Dạ em đã xếp lịch kỹ thuật sáng mai ạ."),
    (
        "Điều hoà chảy nước",
        "Điều hoà phòng ngủ chảy nước xuống tường.",
        "Dạ anh tắt máy giúp em, kỹ thuật sẽ qua vệ sinh ạ.",
    ),
    ("Đổi vòi nước bị rò", "Vòi mới mua bị rò ở chân.", "Dạ bên em đổi vòi mới cho anh trong tuần ạ."),
    ("Hỏi lịch bảo dưỡng", "Bao giờ thì đến lịch bảo dưỡng máy lọc?", "Dạ lịch bảo dưỡng của chị là tháng sau ạ."),
    ("Máy giặt kêu to khi vắt", "Máy giặt kêu rất to khi vắt.", "Dạ anh kiểm tra giúp em chân máy đã cân chưa ạ?"),
    ("Giao thiếu phụ kiện", "Hộp máy thiếu bộ lõi lọc thay thế.", "Dạ em xin lỗi, bên em gửi bổ sung ngay hôm nay ạ."),
    (
        "Xin hoá đơn VAT",
        "Cho chị xin hoá đơn VAT đơn hàng tuần trước.",
        "Dạ kế toán sẽ gửi hoá đơn qua email cho chị ạ.",
    ),
];
const CASES_EN: &[(&str, &str, &str)] = &[
    (
        "Water purifier shows error E2",
        "It shows E2 since this morning, no water.",
        "A technician will come this afternoon.",
    ),
    (
        "Fridge not cooling",
        "Our fridge has not been cold since yesterday.",
        "A technician is booked for tomorrow morning.",
    ),
    (
        "Air conditioner leaking",
        "The bedroom unit leaks down the wall.",
        "Please switch it off; we will come and clean it.",
    ),
    ("Leaking tap", "The new tap leaks at the base.", "We will replace it this week."),
    ("When is the service due?", "When is the purifier's next service?", "Your next service is next month."),
    (
        "Washing machine loud when spinning",
        "It is very loud when spinning.",
        "Could you check that its feet are level?",
    ),
    ("Accessory missing", "The box had no spare filter.", "Sorry about that: we are sending it today."),
    ("VAT invoice", "Please send the VAT invoice for last week's order.", "Accounting will email it to you."),
];

const CHANNELS: &[TicketChannel] = &[
    TicketChannel::Phone,
    TicketChannel::Zalo,
    TicketChannel::Zalo,
    TicketChannel::Email,
    TicketChannel::Facebook,
    TicketChannel::Website,
    TicketChannel::InPerson,
];

impl Workspace {
    /// Makes the demo's helpdesk (see the module's notes); returns how many tickets it opened.
    pub async fn demo_helpdesk(&self, seed: u64) -> Result<i64> {
        if !self.teams().await?.is_empty() {
            return Ok(0);
        }
        if self.current_staff_id().await?.is_none() {
            return Ok(0);
        }
        let vi = self.lang().await? == crate::messages::Lang::Vi;
        let mut rng = StdRng::seed_from_u64(seed ^ 0x7469_636b);
        let members: Vec<String> = self.staff().await?.into_iter().take(4).map(|s| s.id).collect();
        let mut input = TeamInput::from_toml(if vi { WARRANTY_VI } else { WARRANTY_EN })?;
        input.members = members.clone();
        input.lead = members.first().cloned();
        let warranty = self.create_team(&input).await?;
        let sales = TeamInput {
            name: (if vi { "Hỗ trợ bán hàng" } else { "Sales support" }).into(),
            vn_public_holidays: true,
            members: members.clone(),
            ..Default::default()
        };
        let sales = self.create_team(&sales).await?;
        let canned: &[(&str, &str)] = if vi {
            &[
                ("Hẹn kỹ thuật viên", "Dạ em chào {{customer.name}}, em là {{agent.name}}. Bên em sẽ cử kỹ thuật viên qua kiểm tra (phiếu {{ticket.number}}) ạ."),
                ("Xin lỗi vì sự cố", "Dạ em thành thật xin lỗi {{customer.name}} vì sự bất tiện. {{team.name}} sẽ xử lý ngay ạ."),
                ("Cảm ơn", "Cảm ơn {{customer.name}} đã liên hệ {{team.name}}."),
            ]
        } else {
            &[
                ("Technician visit", "Hello {{customer.name}}, this is {{agent.name}}. A technician will come to check (ticket {{ticket.number}})."),
                ("Sorry for the trouble", "We are sorry for the trouble, {{customer.name}}. {{team.name}} is on it."),
                ("Thank you", "Thank you for contacting {{team.name}}, {{customer.name}}."),
            ]
        };
        let mut sorry = None;
        for (name, body) in canned {
            let c = self
                .create_canned(&super::CannedInput { name: (*name).into(), body: (*body).into(), ..Default::default() })
                .await?;
            sorry.get_or_insert(c.id);
        }
        let rule = if vi {
            "name = \"Lỗi báo qua Zalo\"\n[when]\nchannel = [\"zalo\"]\nkeywords = [\"lỗi\", \"hỏng\", \"rò\"]\n[then]\npriority = \"high\"\ntags = [\"zalo\"]\n"
        } else {
            "name = \"Faults on Zalo\"\n[when]\nchannel = [\"zalo\"]\nkeywords = [\"error\", \"broken\", \"leak\"]\n[then]\npriority = \"high\"\ntags = [\"zalo\"]\n"
        };
        let mut rule = RuleInput::from_toml(rule)?;
        rule.then.suggest = sorry;
        self.create_ticket_rule(&rule).await?;

        // the customers asking: persons with a phone, spread over the book
        let customers: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM customers WHERE kind = 'person' AND deleted_at IS NULL AND phones <> '[]'
             ORDER BY (seq * 7919) % 1000003 LIMIT 24",
        )
        .fetch_all(self.pool())
        .await?;
        let cases = if vi { CASES_VI } else { CASES_EN };
        let now = self.now_ms();
        let hour = 3_600_000;
        let mut made = self.demo_ticket_history(&mut rng, vi, &warranty, &sales).await?;
        // four still new from the last hours, the rest over two weeks; opened in time order, as
        // they came (round-robin assignment follows the order tickets arrive in)
        let mut times: Vec<i64> = (0..customers.len())
            .map(|i| if i < 4 { now - (i as i64 + 1) * hour } else { now - rng.gen_range(20..14 * 24) * hour })
            .collect();
        times.sort_unstable();
        for (i, (c, opened)) in customers.iter().zip(times).enumerate() {
            let (subject, said, answer) = cases[i % cases.len()];
            let channel = CHANNELS[rng.gen_range(0..CHANNELS.len())];
            let fresh = opened > now - 5 * hour;
            let team = if subject.contains("VAT") || subject.contains("lịch") || subject.contains("When") {
                &sales
            } else {
                &warranty
            };
            let t = self
                .create_ticket(&NewTicket {
                    subject: subject.into(),
                    customer_id: Some(c.clone()),
                    team_id: Some(team.id.clone()),
                    channel: Some(channel),
                    priority: Some(if i % 5 == 0 { Priority::Urgent } else { Priority::Normal }),
                    message: Some(said.into()),
                    at: Some(opened),
                    ..Default::default()
                })
                .await?;
            made += 1;
            if fresh {
                continue;
            }
            let id = t.ticket.id;
            let reply = |text: &str, at: i64| Reply { body: text.into(), at: Some(at), ..Default::default() };
            self.add_ticket_message(&id, MessageKind::Reply, &reply(answer, opened + rng.gen_range(1..5) * hour / 2))
                .await?;
            match i % 4 {
                // waiting on the customer
                0 => {
                    if let Some(s) = team.stages.iter().find(|s| s.pauses_sla) {
                        self.move_ticket(&id, &s.id, Some(opened + 3 * hour)).await?;
                    }
                }
                // still in progress
                1 => {
                    if let Some(s) = team.working_stage() {
                        self.move_ticket(&id, &s.id, Some(opened + 2 * hour)).await?;
                    }
                }
                // checked and solved, most with the customer's answer
                _ => {
                    let at = opened + rng.gen_range(6..30) * hour;
                    if let Some(qc) = team.stages.iter().find(|s| !s.checklist.is_empty()) {
                        self.move_ticket(&id, &qc.id, Some(at - hour)).await?;
                        for step in &qc.checklist {
                            self.tick_ticket_check(&id, step, true, Some(at - hour / 2)).await?;
                        }
                    }
                    self.solve_ticket(&id, Some(at)).await?;
                    if team.survey.is_some() && rng.gen_bool(0.8) {
                        let score = [5, 5, 4, 4, 3, 5, 2][rng.gen_range(0..7)];
                        let answer = super::SurveyAnswerInput {
                            kind: super::SurveyKind::Csat,
                            score,
                            comment: None,
                            at: Some(at + 20 * hour),
                        };
                        if at + 20 * hour < now {
                            self.record_survey(&id, &answer).await?;
                        }
                    }
                }
            }
        }
        Ok(made)
    }

    /// The four months before the last two weeks, for the owners' reports: tickets mostly in
    /// working hours, first answered within minutes to days, solved hours to days later, some
    /// reopened, answered twice or by the same customer again, with CSAT, NPS and CES answers;
    /// in the categories [`DEMO_CATEGORIES`] names (the demo counts the first two as complaints
    /// and returns).
    async fn demo_ticket_history(&self, rng: &mut StdRng, vi: bool, warranty: &Team, sales: &Team) -> Result<i64> {
        let [complaint, ret, warranty_cat, install, price] = DEMO_CATEGORIES[usize::from(!vi)];
        let customers: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM customers WHERE kind = 'person' AND deleted_at IS NULL AND phones <> '[]'
             ORDER BY (seq * 104729) % 1000003 LIMIT 160",
        )
        .fetch_all(self.pool())
        .await?;
        if customers.is_empty() {
            return Ok(0);
        }
        let cases = if vi { CASES_VI } else { CASES_EN };
        let (minute, hour, day) = (60_000, 3_600_000, 86_400_000);
        let now = self.now_ms();
        let zone = self.zone().await?;
        // opened at a working hour of a day 15 to 120 days back, in time order
        let mut times: Vec<i64> = (0..HISTORY)
            .map(|_| {
                let at = now - rng.gen_range(15..120) * day;
                let date = jiff::Timestamp::from_millisecond(at).map(|t| t.to_zoned(zone.clone()).date()).ok();
                let start = date
                    .and_then(|d| zone.to_timestamp(d.to_datetime(jiff::civil::Time::midnight())).ok())
                    .map_or(at, |t| t.as_millisecond());
                start + rng.gen_range(7 * 60..20 * 60) * minute
            })
            .collect();
        times.sort_unstable();
        let mut made = 0;
        for (i, opened) in times.into_iter().enumerate() {
            let (subject, said, answer) = cases[rng.gen_range(0..cases.len())];
            // complaints one in ten, returns one in twenty
            let category = match rng.gen_range(0..20) {
                0..=7 => warranty_cat,
                8..=12 => install,
                13..=16 => price,
                17 | 18 => complaint,
                _ => ret,
            };
            let team = if category == price { sales } else { warranty };
            // a few customers come back: every seventh ticket is one of the first ten customers'
            let customer = if i % 7 == 0 { &customers[i % 10] } else { &customers[rng.gen_range(0..customers.len())] };
            let priority = match rng.gen_range(0..10) {
                0 => Priority::Urgent,
                1 | 2 => Priority::High,
                3 => Priority::Low,
                _ => Priority::Normal,
            };
            let t = self
                .create_ticket(&NewTicket {
                    subject: subject.into(),
                    customer_id: Some(customer.clone()),
                    team_id: Some(team.id.clone()),
                    channel: Some(CHANNELS[rng.gen_range(0..CHANNELS.len())]),
                    priority: Some(priority),
                    category: Some(category.into()),
                    message: Some(said.into()),
                    at: Some(opened),
                    ..Default::default()
                })
                .await?;
            made += 1;
            let id = t.ticket.id;
            let reply = |text: &str, at: i64| Reply { body: text.into(), at: Some(at), ..Default::default() };
            // first answers: most within the hour, some after hours or days
            let first = opened
                + match rng.gen_range(0..20) {
                    0..=9 => rng.gen_range(5..60) * minute,
                    10..=15 => rng.gen_range(1..4) * hour,
                    16..=18 => rng.gen_range(4..24) * hour,
                    _ => rng.gen_range(24..72) * hour,
                };
            self.add_ticket_message(&id, MessageKind::Reply, &reply(answer, first)).await?;
            let mut solved = first + rng.gen_range(1..48) * hour;
            if rng.gen_bool(0.2) {
                // asked again before it was solved
                let again = first + (solved - first) / 2;
                self.add_ticket_message(&id, MessageKind::Customer, &reply(said, again)).await?;
                self.add_ticket_message(
                    &id,
                    MessageKind::Reply,
                    &reply(answer, again + rng.gen_range(10..120) * minute),
                )
                .await?;
                solved += hour;
            }
            self.solve_ticket(&id, Some(solved)).await?;
            if rng.gen_bool(0.08) {
                // the fault came back: reopened by the customer and solved again
                let back = solved + rng.gen_range(1..5) * day;
                self.add_ticket_message(&id, MessageKind::Customer, &reply(said, back)).await?;
                self.add_ticket_message(&id, MessageKind::Reply, &reply(answer, back + rng.gen_range(1..6) * hour))
                    .await?;
                solved = back + rng.gen_range(6..30) * hour;
                self.solve_ticket(&id, Some(solved)).await?;
            }
            let survey = |kind, score, hours: i64| super::SurveyAnswerInput {
                kind,
                score,
                comment: None,
                at: Some(solved + hours * hour),
            };
            if rng.gen_bool(0.7) {
                let score = [5, 5, 5, 4, 4, 4, 3, 2, 1][rng.gen_range(0..9)];
                self.record_survey(&id, &survey(super::SurveyKind::Csat, score, rng.gen_range(1..30))).await?;
            }
            if rng.gen_bool(0.35) {
                let score = [10, 10, 9, 9, 9, 8, 8, 7, 6, 4][rng.gen_range(0..10)];
                self.record_survey(&id, &survey(super::SurveyKind::Nps, score, rng.gen_range(30..60))).await?;
            }
            if rng.gen_bool(0.25) {
                let score = [7, 7, 6, 6, 5, 4, 3][rng.gen_range(0..7)];
                self.record_survey(&id, &survey(super::SurveyKind::Ces, score, rng.gen_range(30..60))).await?;
            }
        }
        Ok(made)
    }
}

/// The demo's ticket categories (Vietnamese, English): a complaint, a return, and three others.
pub(crate) const DEMO_CATEGORIES: [[&str; 5]; 2] = [
    ["Khiếu nại", "Đổi trả", "Bảo hành", "Lắp đặt", "Hỏi giá"],
    ["Complaint", "Return", "Warranty", "Installation", "Pricing"],
];

/// How many tickets the demo's history holds.
const HISTORY: usize = 360;
