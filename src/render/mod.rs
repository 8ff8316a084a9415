//! Render: Markdown, charts and templates into pages.

pub mod chart;
pub mod feeds;
pub mod markdown;
pub mod opendata;
pub mod pages;
pub mod present;
pub mod templates;

use crate::diagnostic::Diagnostic;
use crate::validate::Settings;
use std::path::Path;

/// Checks the theme named in site.toml exists.
pub fn check_theme(root: &Path, settings: &Settings, diags: &mut Vec<Diagnostic>) {
    let dir = root.join("themes").join(&settings.theme).join("templates");
    if settings.theme != "default" && !dir.is_dir() {
        diags.push(
            Diagnostic::error(
                "site.toml",
                crate::diagnostic::Pos::new(1, 1),
                format!("the theme \"{}\" has no templates folder (themes/{}/templates/)", settings.theme, settings.theme),
            )
            .help("set theme to a folder under themes/, or add the theme"),
        );
    }
}
