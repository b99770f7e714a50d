//! Column mapping: which customer field each column of a file fills. Suggested from header names
//! in Vietnamese and English (matched folded, so "SĐT", "sdt" and "Sđt" are one), editable, and
//! savable by name in the workspace settings.

use crate::fold::fold;
use serde::{Deserialize, Serialize};
use specta::Type;

/// The fields a column can fill. Custom fields are `custom:<key>`; `new_field` makes a text custom
/// field named after the column header; `ignore` leaves the column out.
pub const TARGETS: &[&str] = &[
    "ignore",
    "name",
    "family_name",
    "middle_name",
    "given_name",
    "kind",
    "phone",
    "email",
    "address",
    "street",
    "ward",
    "district",
    "province",
    "tax_code",
    "external_id",
    "company",
    "title",
    "source",
    "owner",
    "stage",
    "tags",
    "birthday",
    "gender",
    "expected_revenue",
    "currency",
    "notes",
    "new_field",
];

/// One column of the file and what it fills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ColumnMap {
    /// The header text as the file has it (the column's position when the header is empty: "#3").
    pub column: String,
    /// One of `TARGETS` or `custom:<key>`.
    pub target: String,
}

/// A whole mapping, as the app edits it and as `--mapping FILE` and saved mappings hold it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Mapping {
    pub columns: Vec<ColumnMap>,
}

impl Mapping {
    /// The target of the column with this header (columns not listed are ignored).
    pub fn target_of(&self, column: &str) -> &str {
        self.columns.iter().find(|c| c.column == column).map(|c| c.target.as_str()).unwrap_or("ignore")
    }
}

/// Header spellings (folded, punctuation dropped) for each target. Longer phrases are listed
/// before the words they contain; the first target whose phrase equals the header wins.
const SYNONYMS: &[(&str, &[&str])] = &[
    (
        "name",
        &[
            "ho ten",
            "ho va ten",
            "ten khach hang",
            "ten khach",
            "khach hang",
            "ten day du",
            "ten",
            "name",
            "full name",
            "fullname",
            "customer",
            "customer name",
            "display name",
            "ten cong ty",
            "ten doanh nghiep",
            "company name",
        ],
    ),
    ("family_name", &["ho", "last name", "lastname", "family name", "surname"]),
    ("middle_name", &["ten dem", "ten lot", "middle name"]),
    ("given_name", &["ten rieng", "ten goi", "first name", "firstname", "given name"]),
    ("kind", &["loai", "loai khach", "loai khach hang", "kind", "type", "customer type", "ca nhan doanh nghiep"]),
    (
        "phone",
        &[
            "so dien thoai",
            "dien thoai",
            "sdt",
            "dt",
            "so dt",
            "di dong",
            "dtdd",
            "so di dong",
            "home phone",
            "work phone",
            "other phone",
            "business phone",
            "dien thoai nha",
            "dien thoai ban",
            "dien thoai cong ty",
            "phone",
            "phone number",
            "mobile",
            "mobile phone",
            "tel",
            "telephone",
            "cell",
            "zalo",
            "hotline",
            "dien thoai co dinh",
            "so zalo",
            "phone 1",
            "phone 2",
            "sdt 1",
            "sdt 2",
            "sdt1",
            "sdt2",
        ],
    ),
    (
        "email",
        &["email", "e mail", "thu dien tu", "mail", "email address", "email 1", "email 2", "work email", "home email"],
    ),
    ("address", &["dia chi", "address", "dia chi lien he", "full address"]),
    ("street", &["so nha", "duong", "so nha duong", "street", "street address"]),
    ("ward", &["phuong", "xa", "phuong xa", "ward"]),
    ("district", &["quan", "huyen", "quan huyen", "district"]),
    ("province", &["tinh", "thanh pho", "tinh thanh", "tinh thanh pho", "tinh tp", "province", "city", "state"]),
    ("tax_code", &["ma so thue", "mst", "ma thue", "tax code", "tax id", "vat", "vat number"]),
    (
        "external_id",
        &[
            "ma khach hang",
            "ma kh",
            "ma khach",
            "ma",
            "id",
            "customer code",
            "customer id",
            "client id",
            "external id",
            "code",
        ],
    ),
    ("company", &["cong ty", "don vi", "doanh nghiep", "noi lam viec", "company", "organization", "organisation"]),
    ("title", &["chuc vu", "chuc danh", "vi tri", "title", "job title", "position", "role"]),
    ("source", &["nguon", "nguon khach", "kenh", "source", "lead source", "channel"]),
    ("owner", &["nguoi phu trach", "phu trach", "nhan vien", "nhan vien phu trach", "sale", "owner", "assigned to"]),
    ("stage", &["giai doan", "trang thai", "tinh trang", "stage", "status", "lifecycle stage"]),
    ("tags", &["nhan", "the", "phan loai", "nhom", "tags", "tag", "labels", "group", "groups"]),
    ("birthday", &["ngay sinh", "sinh nhat", "ngay thang nam sinh", "birthday", "date of birth", "dob", "birth date"]),
    ("gender", &["gioi tinh", "gender", "sex"]),
    (
        "expected_revenue",
        &["doanh thu du kien", "doanh so du kien", "gia tri du kien", "expected revenue", "deal value", "revenue"],
    ),
    ("currency", &["tien te", "loai tien", "currency"]),
    ("notes", &["ghi chu", "mo ta", "note", "notes", "comment", "comments", "description", "remarks"]),
];

/// A header as it is compared: folded, punctuation and repeated spaces dropped.
/// A mapping by header synonyms (`(target, folded header names)`): each target to the first
/// column whose header names it; the rest ignored.
pub(crate) fn suggest_by(headers: &[String], synonyms: &[(&'static str, &[&str])]) -> Mapping {
    let mut used: Vec<&str> = Vec::new();
    let columns = headers
        .iter()
        .map(|h| {
            let k = header_key(h);
            let t = synonyms.iter().find(|(_, names)| names.contains(&k.as_str())).map(|(t, _)| *t);
            let target = match t {
                Some(t) if !used.contains(&t) => {
                    used.push(t);
                    t
                }
                _ => "ignore",
            };
            ColumnMap { column: h.clone(), target: target.to_string() }
        })
        .collect();
    Mapping { columns }
}

pub fn header_key(h: &str) -> String {
    let f = fold(h);
    let mut out = String::with_capacity(f.len());
    for c in f.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
        }
    }
    out.trim_end().to_string()
}

/// The built-in target a header names, if any.
pub fn known_target(header: &str) -> Option<&'static str> {
    let k = header_key(header);
    if k.is_empty() {
        return None;
    }
    SYNONYMS.iter().find(|(_, names)| names.contains(&k.as_str())).map(|(t, _)| *t)
}

/// Suggests a mapping for these headers: known names map to their field, a header equal to a
/// custom field's label or key maps to it, the rest is ignored. A single-valued target is given
/// to its first column only; phones, emails and tags can come from several columns.
pub fn suggest(headers: &[String], custom: &[(String, String)]) -> Mapping {
    let mut used: Vec<String> = Vec::new();
    let columns = headers
        .iter()
        .map(|h| {
            let key = header_key(h);
            let custom_hit = custom.iter().find(|(k, label)| header_key(label) == key || header_key(k) == key);
            let target = match (known_target(h), custom_hit) {
                (_, Some((k, _))) => format!("custom:{k}"),
                (Some(t), None) => t.to_string(),
                (None, None) => "ignore".to_string(),
            };
            let multi = matches!(target.as_str(), "phone" | "email" | "tags" | "notes" | "ignore");
            let target = if !multi && used.contains(&target) { "ignore".to_string() } else { target };
            used.push(target.clone());
            ColumnMap { column: h.clone(), target }
        })
        .collect();
    Mapping { columns }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(headers: &[&str]) -> Vec<String> {
        let h: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        suggest(&h, &[("hang_thanh_vien".into(), "Hạng thành viên".into())])
            .columns
            .into_iter()
            .map(|c| c.target)
            .collect()
    }

    #[test]
    fn vietnamese_and_english_headers() {
        assert_eq!(
            targets(&[
                "Họ tên",
                "SĐT",
                "Di động",
                "Email",
                "Địa chỉ",
                "Tỉnh/Thành",
                "MST",
                "Ngày sinh",
                "Công ty",
                "Ghi chú"
            ]),
            ["name", "phone", "phone", "email", "address", "province", "tax_code", "birthday", "company", "notes"]
        );
        assert_eq!(
            targets(&["Họ và tên", "Số điện thoại", "Mã số thuế", "Giới tính", "Hạng thành viên", "Cột lạ"]),
            ["name", "phone", "tax_code", "gender", "custom:hang_thanh_vien", "ignore"]
        );
        assert_eq!(
            targets(&["First Name", "Last Name", "E-mail", "Mobile Phone", "Company"]),
            ["given_name", "family_name", "email", "phone", "company"]
        );
    }

    #[test]
    fn a_single_field_goes_to_its_first_column() {
        assert_eq!(targets(&["Tên", "Họ tên"]), ["name", "ignore"]);
    }
}
