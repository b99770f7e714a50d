//! Any text as a cell of a date, money or phone column, and as a phone number to validate:
//! a value or an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let today = jiff::civil::date(2026, 3, 15);
        let _ = tend::import::date_cell(s, today);
        let _ = tend::validate::typed_date(s, today);
        let _ = tend::import::money_cell(s);
        let _ = tend::validate::phone(&tend::import::phone_cell(s));
        let _ = tend::validate::email(s);
        let _ = tend::fold::fold(s);
    }
});
