//! The care plans a shop can start from, in the user's language: post-sale care, a birthday
//! greeting and pre-sale nurture. Each is a plan form ([`CarePlanInput`]) checked and saved
//! like any other, so a preset can be changed before or after it is saved.

use super::{Assignee, CarePlanInput, Offset, PlanStepInput};

struct Step(&'static str, Offset, &'static str, &'static str, &'static str);

fn plan(name: &str, anchor: &str, enrol: &str, steps: &[Step]) -> CarePlanInput {
    CarePlanInput {
        name: name.into(),
        anchor: anchor.into(),
        enrol: enrol.into(),
        unenrol_on_leave: false,
        steps: steps
            .iter()
            .map(|Step(name, offset, at, channel, template)| PlanStepInput {
                name: (*name).into(),
                offset: *offset,
                at: (*at).into(),
                channel: (*channel).into(),
                assignee: Assignee::Owner,
                template: (*template).into(),
            })
            .collect(),
    }
}

/// The presets in `lang` (`vi`, else English).
pub fn presets(lang: &str) -> Vec<CarePlanInput> {
    use Offset::Days;
    if lang == "vi" {
        vec![
            plan(
                "Chăm sóc sau bán hàng",
                "purchase",
                "event",
                &[
                    Step("Gọi cảm ơn", Days(1), "09:00", "call", "Cảm ơn {{customer.given_name}} đã mua {{purchase.items}}. Hỏi xem hàng đã nhận đủ và đúng chưa."),
                    Step("Hỏi mức độ hài lòng", Days(7), "10:00", "zalo", "Chào {{customer.given_name}}, {{staff.name}} đây ạ. Anh/chị dùng {{purchase.items}} thấy thế nào? Chấm giúp em 1–5 sao nhé."),
                    Step("Gửi mẹo sử dụng", Days(30), "10:00", "zalo", "Gửi {{customer.given_name}} vài mẹo dùng {{purchase.items}} bền và hiệu quả hơn."),
                    Step("Ưu đãi mua lại", Days(180), "09:30", "call", "Gọi {{customer.name}}: đã 6 tháng từ lần mua {{purchase.date}}, giới thiệu ưu đãi cho khách quen."),
                ],
            ),
            plan(
                "Chúc mừng sinh nhật",
                "birthday",
                "hand",
                &[Step("Chúc mừng sinh nhật", Days(0), "08:30", "zalo", "Chúc mừng sinh nhật {{customer.given_name}}! {{staff.name}} và cả cửa hàng chúc anh/chị một tuổi mới thật nhiều niềm vui.")],
            ),
            plan(
                "Nuôi dưỡng trước bán hàng",
                "enrolment",
                "hand",
                &[
                    Step("Gọi tìm hiểu nhu cầu", Days(1), "09:30", "call", "Hỏi {{customer.given_name}} đang cần gì, ngân sách và thời điểm dự định mua."),
                    Step("Gửi tài liệu tư vấn", Days(4), "10:00", "zalo", "Gửi {{customer.given_name}} bảng giá và tài liệu phù hợp nhu cầu đã trao đổi."),
                    Step("Hỏi lại và hẹn gặp", Days(10), "14:00", "call", "Gọi lại {{customer.name}}: giải đáp thắc mắc về tài liệu, hẹn buổi tư vấn hoặc demo."),
                ],
            ),
        ]
    } else {
        vec![
            plan(
                "Post-sale care",
                "purchase",
                "event",
                &[
                    Step("Thank-you call", Days(1), "09:00", "call", "Thank {{customer.given_name}} for buying {{purchase.items}}. Check it arrived complete and right."),
                    Step("Satisfaction check", Days(7), "10:00", "email", "Hi {{customer.given_name}}, this is {{staff.name}}. How are you finding {{purchase.items}}? A 1–5 rating would help us."),
                    Step("Usage tips", Days(30), "10:00", "email", "Send {{customer.given_name}} a few tips to get more out of {{purchase.items}}."),
                    Step("Re-purchase offer", Days(180), "09:30", "call", "Call {{customer.name}}: six months since the purchase of {{purchase.date}}, offer the returning-customer deal."),
                ],
            ),
            plan(
                "Birthday greeting",
                "birthday",
                "hand",
                &[Step("Birthday greeting", Days(0), "08:30", "sms", "Happy birthday, {{customer.given_name}}! Best wishes from {{staff.name}} and all of us.")],
            ),
            plan(
                "Pre-sale nurture",
                "enrolment",
                "hand",
                &[
                    Step("Discovery call", Days(1), "09:30", "call", "Ask {{customer.given_name}} what they need, their budget and when they plan to buy."),
                    Step("Send the proposal material", Days(4), "10:00", "email", "Send {{customer.given_name}} the price list and material that fit what you discussed."),
                    Step("Follow up and book a meeting", Days(10), "14:00", "call", "Call {{customer.name}} back: answer questions on the material, book a consultation or a demo."),
                ],
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_passes_the_plan_checks_in_both_languages() {
        for lang in ["vi", "en"] {
            let all = presets(lang);
            assert_eq!(all.len(), 3);
            for p in &all {
                let plan = super::super::CarePlan::from_input(p).unwrap_or_else(|e| panic!("{}: {e:?}", p.name));
                assert_eq!(plan.steps.len(), p.steps.len());
            }
            // post-sale: +1, +7, +30, +180 days from the purchase, enrolled when one is recorded
            let days: Vec<Offset> = all[0].steps.iter().map(|s| s.offset).collect();
            assert_eq!(days, [Offset::Days(1), Offset::Days(7), Offset::Days(30), Offset::Days(180)]);
            assert_eq!((all[0].anchor.as_str(), all[0].enrol.as_str()), ("purchase", "event"));
        }
    }
}
