//! What is new in a release, in the reader's language: a version's section of CHANGELOG.md, as
//! the release pipeline puts it in the update manifest's `notes`.
//!
//! A section has one block per language, each under a `### <name> (<code>)` heading:
//!
//! ```text
//! ### English (en)
//! - Installers for Windows, macOS and Linux.
//!
//! ### Tiếng Việt (vi)
//! - Bộ cài cho Windows, macOS và Linux.
//! ```
//!
//! Text before the first language heading belongs to every language.

/// The language code of a `### Name (code)` heading, or None for any other line.
fn language_of(line: &str) -> Option<&str> {
    let title = line.trim().strip_prefix("### ")?.trim_end();
    let code = title.strip_suffix(')')?.rsplit_once('(')?.1.trim();
    (!code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')).then_some(code)
}

/// The notes for `lang` ("vi", "en", "vi-VN"): the shared lead, then that language's block,
/// else the English block, else the first block; notes with no language heading are returned
/// whole. Blank lines at either end are trimmed.
pub fn localized(notes: &str, lang: &str) -> String {
    let mut lead = Vec::new();
    let mut blocks: Vec<(&str, Vec<&str>)> = Vec::new();
    for line in notes.lines() {
        match language_of(line) {
            Some(code) => blocks.push((code, Vec::new())),
            None => match blocks.last_mut() {
                Some((_, lines)) => lines.push(line),
                None => lead.push(line),
            },
        }
    }
    let primary = |code: &str| code.split('-').next().unwrap_or(code).to_ascii_lowercase();
    let wanted = primary(lang);
    let chosen = blocks
        .iter()
        .find(|(code, _)| primary(code) == wanted)
        .or_else(|| blocks.iter().find(|(code, _)| primary(code) == "en"))
        .or_else(|| blocks.first());
    let mut lines = lead;
    if let Some((_, block)) = chosen {
        lines.extend(block.iter().copied());
    }
    lines.join("\n").trim_matches('\n').trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::localized;

    const NOTES: &str = "Released 2026-12-04.\n\n### English (en)\n- Installers.\n- Updates.\n\n### Tiếng Việt (vi)\n- Bộ cài.\n- Cập nhật.\n";

    #[test]
    fn picks_the_readers_language_with_the_shared_lead() {
        assert_eq!(localized(NOTES, "vi"), "Released 2026-12-04.\n\n- Bộ cài.\n- Cập nhật.");
        assert_eq!(localized(NOTES, "vi-VN"), "Released 2026-12-04.\n\n- Bộ cài.\n- Cập nhật.");
        assert_eq!(localized(NOTES, "en"), "Released 2026-12-04.\n\n- Installers.\n- Updates.");
    }

    #[test]
    fn falls_back_to_english_then_the_first_block_then_the_whole_text() {
        assert_eq!(localized(NOTES, "fr"), "Released 2026-12-04.\n\n- Installers.\n- Updates.");
        assert_eq!(localized("### Tiếng Việt (vi)\n- Bộ cài.", "fr"), "- Bộ cài.");
        assert_eq!(localized("- Fixes.\n### Not a language\n- More.", "vi"), "- Fixes.\n### Not a language\n- More.");
        assert_eq!(localized("", "vi"), "");
    }
}
