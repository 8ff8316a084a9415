//! `scrutiny init`: a new, minimal site for a council, which builds and passes `check`.
//!
//! Owns: the starter site. Must not import the pipeline stages: its files are text (the tests
//! build and check the site it makes).
//!
//! The starter files live beside this module (`src/init/`) as the officer will see them;
//! `@NAME@` marks the few words filled in here.

use crate::period::{FinancialYear, Month, Quarter};
use std::io::Write as _;
use std::path::Path;

/// The organisation named when `--organisation` is not given.
pub const DEFAULT_ORGANISATION: &str = "Example Council";

/// A calendar date, as the clock gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    /// Calendar year.
    pub year: u16,
    /// 1..=12.
    pub month: u8,
}

impl Date {
    /// Today's date in UTC, from the system clock (UK time differs by at most an hour, which
    /// matters only in the first hour of a quarter's first day).
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        Date::from_days((secs / 86_400) as i64)
    }

    /// The civil date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date { year: year.clamp(0, 9999) as u16, month: month as u8 }
    }

    /// The financial quarter this date falls in.
    pub fn quarter(self) -> Quarter {
        let (start, number) = match self.month {
            1..=3 => (self.year - 1, 4),
            4..=6 => (self.year, 1),
            7..=9 => (self.year, 2),
            _ => (self.year, 3),
        };
        Quarter::new(FinancialYear::new(start), number).expect("1..=4")
    }
}

const SITE_TOML: &str = include_str!("init/site.toml");
const METRICS: &str = include_str!("init/metrics.yaml");
const GLOSSARY: &str = include_str!("init/glossary.yaml");
const HOME: &str = include_str!("init/home.md");
const OVERVIEW: &str = include_str!("init/overview.md");
const SECTION: &str = include_str!("init/section.md");
const FIGURES: &str = include_str!("init/figures.yaml");
const ACCESSIBILITY: &str = include_str!("init/accessibility.md");

/// Writes a new site into `dir` (created if missing; refused if it holds anything) for
/// `organisation`, with `quarter` as its first, draft, quarter. Returns the files written.
pub fn init(dir: &Path, organisation: &str, quarter: Quarter) -> Result<Vec<String>, String> {
    let organisation = organisation.trim();
    if organisation.is_empty() || organisation.chars().any(char::is_control) {
        return Err("the organisation's name must be one line of text, e.g. --organisation \"Westmere Borough Council\"".into());
    }
    match std::fs::symlink_metadata(dir) {
        Ok(m) if !m.is_dir() => return Err(format!("{} exists and is not a folder: choose a new folder for the site", dir.display())),
        Ok(_) => {
            let mut entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
            if entries.next().is_some() {
                return Err(format!(
                    "{} is not empty: init writes a new site only into a new or empty folder, so nothing of yours is overwritten (choose another folder)",
                    dir.display()
                ));
            }
        }
        Err(_) => std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?,
    }
    let months: Vec<Month> = quarter.months().to_vec();
    let fill = |text: &str| -> String {
        text.replace("@ORGANISATION_TOML@", &toml::Value::String(organisation.to_string()).to_string())
            .replace("@ORGANISATION@", &markdown_text(organisation))
            .replace("@QUARTER_LONG@", &quarter.long())
            .replace("@FIRST_MONTH@", &months[0].long())
            .replace("@LAST_MONTH@", &months[2].long())
            .replace("@MONTHS@", &months.iter().map(|m| format!("{m}: null")).collect::<Vec<_>>().join(", "))
    };
    let q = quarter.path();
    let files = [
        ("site.toml".to_string(), SITE_TOML),
        ("data/metrics.yaml".into(), METRICS),
        ("data/glossary.yaml".into(), GLOSSARY),
        (format!("data/{q}.yaml"), FIGURES),
        ("content/_index.md".into(), HOME),
        (format!("content/{q}/_index.md"), OVERVIEW),
        (format!("content/{q}/contacts.md"), SECTION),
        ("content/pages/accessibility.md".into(), ACCESSIBILITY),
    ];
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = dir.join(&rel);
        std::fs::create_dir_all(path.parent().expect("has a parent")).map_err(|e| format!("cannot create the folder for {rel}: {e}"))?;
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(|e| format!("cannot create {rel}: {e}"))?;
        f.write_all(fill(text).as_bytes()).map_err(|e| format!("cannot write {rel}: {e}"))?;
        written.push(rel);
    }
    Ok(written)
}

/// Text that Markdown shows as typed (a council's name with `*` or `_` stays as it is).
fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_{}[]<>()#+!|~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_fall_in_their_financial_quarter() {
        assert_eq!(Date::from_days(0), Date { year: 1970, month: 1 });
        // 2026-11-30 is day 20,787.
        assert_eq!(Date::from_days(20_787), Date { year: 2026, month: 11 });
        assert_eq!(Date::from_days(20_787).quarter().path(), "2026-27/q3");
        assert_eq!(Date { year: 2027, month: 3 }.quarter().path(), "2026-27/q4");
        assert_eq!(Date { year: 2027, month: 4 }.quarter().path(), "2027-28/q1");
        assert_eq!(Date { year: 2027, month: 9 }.quarter().path(), "2027-28/q2");
    }

    #[test]
    fn names_are_kept_as_typed() {
        assert_eq!(markdown_text("St_Helens *"), "St\\_Helens \\*");
    }
}
