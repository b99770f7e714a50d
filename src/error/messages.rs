//! The English text of each message key, for the reasons an import's rejected-rows file and the
//! CLI print beside the key (the app's catalogues, `ui/src/lib/i18n`, hold both languages).

/// English for a problem's key (the CLI's `reason`; the app has its own translations).
pub fn reason_en(key: &str) -> &'static str {
    match key {
        "validation.required" => "required",
        "validation.control_char" => {
            "holds a control character (NUL, bell, escape...); only notes may hold tabs and line breaks"
        }
        "import.cell_too_long" => {
            "the cell is too long (a row holds at most 1 MB of text); nothing of this row was imported"
        }
        "demo.not_empty" => {
            "the workspace already has customers; demo data only goes into an empty workspace (give another --db)"
        }
        "validation.too_long" => "too long",
        "validation.phone_invalid" => "not a valid phone number",
        "validation.phone_repeated" => "the same phone number twice",
        "validation.email_invalid" => "not a valid email address",
        "validation.email_repeated" => "the same email twice",
        "validation.tax_code_invalid" => "not a valid tax code (10 digits, or 10-3 for a branch)",
        "validation.date_invalid" => "not a date (write it as 15/03/1985 or 1985-03-15)",
        "validation.when_invalid" => {
            "not a date or time (write a day as 10/12/2026 or 2026-12-10, a time may follow: 2026-12-10 14:30; or an instant as 2026-12-10T14:30:00+07:00)"
        }
        "validation.date_out_of_range" => "a date in the future or before 1900",
        "validation.currency_invalid" => "not a currency code (VND, USD...)",
        "validation.number_invalid" => "not a number",
        "validation.money_invalid" => "not an amount of money (15.000.000)",
        "validation.negative" => "negative",
        "validation.unknown_staff" => "no such staff member",
        "validation.unknown_stage" => "no such stage",
        "validation.unknown_field" => "no such field",
        "validation.field_value_expected" => "not FIELD=VALUE",
        "validation.unknown_placeholder" => "no such placeholder",
        "validation.template_unclosed" => "a {{ without its }}",
        "validation.invalid_toml" => "not a valid plan file",
        "validation.offset_both" => "both offset_days and offset_hours; give one",
        "validation.time_invalid" => "not a time of day (09:00)",
        "validation.too_many" => "too many",
        "care.plan_name_taken" => "another care plan has this name",
        "care.anchor_not_date" => "not a date field: a yearly anchor needs one",
        "care.plan_unreadable" => "a care plan this version cannot read (made by a newer version?)",
        "care.plan_unreadable_file" => "the file cannot be read",
        "care.event_needs_anchor" => "only a plan counted from a purchase or a deal stage can enrol on the event",
        "care.unenrol_needs_segment" => "only a plan that enrols a segment can unenrol those who leave it",
        "care.no_purchase" => "the customer has no purchase to count from",
        "care.no_deal_in_stage" => "the customer has no deal in the plan's stage",
        "care.no_birthday" => "the customer has no birthday",
        "care.no_date" => "the customer has no date in the plan's field",
        "care.no_customer" => "no such customer (or it is in the trash)",
        "care.task_closed" => "the task is already done or skipped",
        "care.snooze_past" => "not later than now",
        "care.quiet_hours_invalid" => "not a span of the day (21:00-07:30)",
        "care.no_user" => "no current user on this device",
        "care.placeholder_not_for_anchor" => "the plan's anchor has nothing to fill this placeholder with",
        "care.offset_before_anchor" => {
            "a plan counted from enrolment, a purchase or a deal stage cannot start before it (give 0 or more days)"
        }
        "care.cursor_invalid" => "not a place in the task list (give the next value a page printed)",
        "validation.not_allowed" => "not one of the field's options",
        "validation.checkbox_invalid" => "not yes or no",
        "import.kind_unknown" => "neither a person nor a company",
        "import.source_unknown" => "not a known source",
        "import.owner_unknown" => "no staff member by that name or email",
        "import.stage_unknown" => "no stage by that name",
        "import.gender_unknown" => "not a gender (Nam, Nữ, Khác)",
        "import.customer_missing" => "no phone, email or customer code to find the customer by",
        "import.customer_not_found" => "no customer with this phone, email or code",
        "import.customer_ambiguous" => "names more than one customer (merge the duplicates, or use the customer code)",
        "import.interaction_kind_unknown" => "not a kind of interaction (call, email, meeting, chat, note, purchase)",
        "import.channel_unknown" => "not a channel (phone, email, website, Facebook, Zalo, in person, other)",
        "import.direction_unknown" => "not a direction (inbound, outbound, internal)",
        "import.ticket_customer_missing" => "no phone, email or customer name to find or make the customer by",
        "import.team_unknown" => "no team by that name",
        "import.priority_unknown" => "not a priority (low, normal, high, urgent)",
        "import.ticket_channel_unknown" => {
            "not a channel (phone, email, website, live chat, Facebook, Zalo, in person, other)"
        }
        "import.assignee_unknown" => "no staff member by that name or email",
        "import.before_created" => "before the ticket was created",
        "import.closed_before_solved" => "before the ticket was solved",
        "import.team_no_stages" => "the team has no stages",
        "import.team_no_solved_stage" => "the team has no solved stage for a solved ticket",
        "import.team_no_closed_stage" => "the team has no closed stage for a closed ticket",
        "validation.positive" => "must be more than 0",
        "validation.out_of_range" => "outside the allowed range",
        "validation.deal_stage_in_use" => "deals are in this stage; move them to another stage first",
        "validation.deal_stage_last_of_kind" => "the only stage that wins or loses a deal stays",
        "validation.deal_not_won" => "the deal is not won",
        "validation.deal_purchase_recorded" => "the deal's purchase is already recorded",
        "import.order_apart" => "a row of an order whose other rows are further up; keep an order's rows together",
        "import.order_line_rejected" => "another row of this order was rejected; an order is imported whole",
        "import.order_mixed" => "the rows of this order name different customers or currencies",
        "segment.not_json" => "the rules are not JSON",
        "segment.rules_unreadable" => "the rules file cannot be read",
        "segment.rule_invalid" => "not a rule: an object with field, op and value, or with all or any",
        "segment.group_invalid" => "all and any take a list of rules",
        "segment.field_missing" => "a rule needs a field",
        "segment.unknown_field" => "no such field (kind, stage, owner, province, district, source, gender, tag, age, birthday_month, purchase_count, purchase_total, last_purchase_at, last_interaction_at, created_at, custom.<key>, segment)",
        "segment.unknown_custom" => "no custom field with this key",
        "segment.unknown_op" => "no such op (eq ne in not_in has not_has contains gte lte between before after within_days not_within_days empty not_empty)",
        "segment.op_not_for_field" => "this field does not take this op",
        "segment.value_invalid" => "the value does not fit the op",
        "segment.too_deep" => "rules nest too deep",
        "segment.unknown_segment" => "no such segment",
        "segment.cycle" => "a segment cannot include itself, directly or through others",
        "segment.in_use" => "another segment's rules use this one; change that one first",
        "segment.name_taken" => "another segment has this name",
        "segment.not_static" => "only a static list has members added by hand",
        "segment.unknown_customer" => "no such customer (or it is in the trash)",
        "segment.unknown_preset" => "no such preset",
        "import.list_customers_only" => "only a customers import puts customers on a list",
        "bulk.too_many" => "too many customers for one bulk change; narrow the selection",
        "bulk.which" => "give --id, a filter (--query, --stage, --tag, --province, --owner, --segment) or --all, one kind only",
        "settings.unknown_key" => "no such setting (time_zone, language)",
        "notice.phone_renumbered" => "an old 11-digit mobile number, converted to its 10-digit successor (2018)",
        _ => "invalid",
    }
}
