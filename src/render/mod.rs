//! Render: Markdown, charts and templates into pages.

pub mod chart;
pub mod feeds;
pub mod markdown;
pub mod opendata;
pub mod pages;
pub mod pdf;
pub mod present;
pub mod templates;

use crate::diagnostic::Diagnostic;

/// Escapes text for HTML and XML content and attribute values (`& < > " '`), dropping
/// characters XML cannot hold (control characters, non-characters), which would also make
/// an SVG invalid. Every piece of data that reaches a page or chart goes through here.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Whether XML 1.0 can hold the character.
pub fn is_xml_char(c: char) -> bool {
    let noncharacter = matches!(c, '\u{FDD0}'..='\u{FDEF}') || (c as u32 & 0xFFFE) == 0xFFFE;
    !noncharacter && matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{10FFFF}')
}
use crate::validate::Settings;
use std::path::Path;

/// Checks the theme named in site.toml exists (a theme may hold only some templates, or only
/// static files: the built-in templates stand in for the ones it leaves out).
pub fn check_theme(root: &Path, settings: &Settings, diags: &mut Vec<Diagnostic>) {
    let dir = root.join("themes").join(&settings.theme);
    if settings.theme != "default" && !dir.is_dir() {
        diags.push(
            Diagnostic::error("site.toml", settings.theme_pos, format!("there is no theme \"{}\" (no folder themes/{}/)", settings.theme, settings.theme))
                .help("set theme to a folder under themes/, or remove the line to use the built-in theme"),
        );
    }
}
