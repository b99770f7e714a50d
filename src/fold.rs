//! Folding for search and duplicate detection (DESIGN rule 7): lowercase, strip every combining
//! mark (Vietnamese tone and vowel marks, stacked or not), fold đ/Đ to d, collapse whitespace.
//! The same function folds indexed text and queries, so the two always agree.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Folds `s` for matching: "Đặng Thị Ngọc Ánh" -> "dang thi ngoc anh".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        for l in c.to_lowercase() {
            out.push(l);
        }
    }
    out
}

/// `s` for a comparison that ignores only case: NFC, then lowercase ("Chăm Sóc" and "chăm sóc"
/// are the same; "Châm sọc", with other marks, is another word). Names that must be unique
/// (care plans) compare by it.
pub fn caseless(s: &str) -> String {
    let lower: String = s.nfc().flat_map(char::to_lowercase).collect();
    lower.nfc().collect()
}

/// The digits of `s`, in order ("+84 (912) 345-678" -> "84912345678").
pub fn digits(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_digit()).collect()
}

/// Word tokens of folded text as FTS5 with unicode61 would split them (letters and digits).
pub fn tokens(folded: &str) -> Vec<String> {
    folded.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).map(str::to_string).collect()
}

/// Registers `tend_fold(text)` (the search folding, `fold::fold`) on a read connection.
pub(crate) fn register_fold(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "tend_fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC | FunctionFlags::SQLITE_INNOCUOUS,
        |ctx| {
            Ok(match ctx.get_raw(0) {
                rusqlite::types::ValueRef::Text(t) => Some(fold(&String::from_utf8_lossy(t))),
                _ => None,
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Đặng Thị Ngọc Ánh"), "dang thi ngoc anh");
        assert_eq!(fold("  Nguyễn   Văn  Dũng "), "nguyen van dung");
        assert_eq!(fold("TRƯỜNG"), "truong");
        assert_eq!(fold("Phạm Hồng Quỳnh"), "pham hong quynh");
        assert_eq!(fold("Ỷ Ỵ ỹ"), "y y y");
    }

    #[test]
    fn digits_and_tokens() {
        assert_eq!(digits("+84 (912) 345-678"), "84912345678");
        assert_eq!(tokens("an.nguyen@gmail.com"), vec!["an", "nguyen", "gmail", "com"]);
    }

    proptest! {
        #[test]
        fn fold_is_idempotent_and_ascii_for_vietnamese(s in "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ ]{0,40}") {
            let f = fold(&s);
            prop_assert_eq!(fold(&f), f.clone());
            prop_assert!(f.is_ascii());
            prop_assert!(!f.starts_with(' ') && !f.ends_with(' ') && !f.contains("  "));
        }
    }
}
