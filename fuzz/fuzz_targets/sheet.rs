//! Any bytes as a .xlsx import file: the reader returns rows or an error, never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("tend-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("input.xlsx");
    if std::fs::write(&path, data).is_ok() {
        let _ = tend::import::read_file(&path, &Default::default(), 1000);
    }
});
