//! Import: figures in from where they live, the national ASCOF release and officers' spreadsheets.
//!
//! Owns: the `import` commands and their `Outcome`. Reads the site through `load` and `validate`
//! (and `check`s it after writing); must not import render, write or serve.
//!
//! Both commands read the whole input first, report every row they cannot use at its place
//! (`FILE:LINE` for CSV, `FILE:SHEET!B12` for spreadsheets) and write nothing unless there is
//! no error. calamine (xlsx, ods) and csv stay behind [`sheet`].

mod ascof;
mod figures;
mod sheet;
mod yaml_edit;

use crate::catalogue::Catalogue;
use crate::diagnostic::Severity;
use crate::validate::Settings;
use std::path::Path;

pub use ascof::import as ascof;
pub use figures::import as figures;

/// One problem with an import, at a place in the input (or the site) an officer can find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// `ascof.csv:4812`, `figures.xlsx:Sheet1!B12`, `site.toml:3:1`.
    pub place: String,
    /// What is wrong.
    pub message: String,
    /// How to mend it.
    pub help: Option<String>,
}

impl Problem {
    fn error(place: impl Into<String>, message: impl Into<String>, help: impl Into<String>) -> Self {
        Problem { severity: Severity::Error, place: place.into(), message: message.into(), help: Some(help.into()) }
    }
    fn warning(place: impl Into<String>, message: impl Into<String>, help: impl Into<String>) -> Self {
        Problem { severity: Severity::Warning, place: place.into(), message: message.into(), help: Some(help.into()) }
    }
    /// `error: ascof.csv:4812: column "Measure value": "12,5" is not a number`.
    pub fn headline(&self) -> String {
        let sev = if self.severity == Severity::Error { "error" } else { "warning" };
        format!("{sev}: {}: {}", self.place, self.message)
    }
}

/// What an import did: what it wrote (or would have), and every problem.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Errors and warnings, in the order found.
    pub problems: Vec<Problem>,
    /// One line per file written or left unchanged, and what would change.
    pub summary: Vec<String>,
}

impl Outcome {
    /// Whether any problem is an error (then nothing was written).
    pub fn failed(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
    /// Problems as an officer reads them: headline, then the mend.
    pub fn render_problems(&self) -> String {
        let mut out = String::new();
        for p in &self.problems {
            out.push_str(&p.headline());
            out.push('\n');
            if let Some(h) = &p.help {
                out.push_str("  = help: ");
                out.push_str(h);
                out.push('\n');
            }
        }
        out
    }
}

/// The site's settings and catalogue, or the errors that stop an import before it starts.
struct Site {
    settings: Settings,
    catalogue: Catalogue,
    /// Every quarter's figures that validated, in order.
    quarters: Vec<crate::validate::QuarterFile>,
}

fn load_site(root: &Path) -> Result<Site, Vec<Problem>> {
    let mut diags = crate::diagnostic::Diagnostics::default();
    let raw = crate::load::load(root, &mut diags);
    // Errors in other files are `check`'s business: what could be read is enough here.
    let defs = match crate::validate::validate(&raw, &mut diags) {
        Ok(v) => Some(v.into_definitions()),
        Err(rejected) => rejected.readable.map(|d| *d),
    };
    // Only the files an import relies on must be sound; the rest is `check`'s business.
    let blocking: Vec<Problem> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error && (d.file == "site.toml" || d.file == "data/metrics.yaml"))
        .map(|d| Problem {
            severity: d.severity,
            place: if d.pos.line == 0 { d.file.clone() } else { format!("{}:{}:{}", d.file, d.pos.line, d.pos.column) },
            message: d.message.clone(),
            help: d.help.clone(),
        })
        .collect();
    match defs {
        Some(defs) if blocking.is_empty() => {
            Ok(Site { settings: defs.settings, catalogue: defs.catalogue, quarters: defs.quarters.into_iter().map(|q| q.data).collect() })
        }
        _ if !blocking.is_empty() => Err(blocking),
        _ => Err(vec![Problem::error("site.toml", "the site's settings could not be read", "run  scrutiny check  and mend what it reports first")]),
    }
}

/// Writes `bytes` to `path` through a temporary file beside it, refusing to follow a symlink.
fn write_atomically(root: &Path, rel: &str, bytes: &[u8]) -> Result<(), Problem> {
    let path = root.join(rel);
    let dir = path.parent().expect("a file in a folder");
    let fail = |e: std::io::Error| Problem::error(rel, format!("cannot write the file: {e}"), "check the folder exists and can be written to");
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Problem::error(rel, "the file is a symbolic link: an import does not write through links", "replace the link with an ordinary file"));
    }
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(fail)?;
    tmp.persist(&path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// A minimal line diff (longest common subsequence): `-` lines removed, `+` lines added.
fn line_diff(old: &str, new: &str) -> Vec<String> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(format!("- {}", a[i]));
            i += 1;
        } else {
            out.push(format!("+ {}", b[j]));
            j += 1;
        }
    }
    out
}

/// A name as a YAML key or text value: plain when safe, else double-quoted.
fn yaml_text(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_alphabetic())
        && s.chars().all(|c| c.is_alphanumeric() || " ,.'&()-/".contains(c))
        && !s.ends_with(' ')
        && !matches!(s.to_lowercase().as_str(), "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n");
    if plain {
        s.to_string()
    } else {
        let mut q = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => q.push_str("\\\""),
                '\\' => q.push_str("\\\\"),
                '\n' => q.push_str("\\n"),
                '\t' => q.push_str("\\t"),
                c if c.is_control() => q.push_str(&format!("\\u{:04x}", c as u32)),
                c => q.push(c),
            }
        }
        q.push('"');
        q
    }
}

/// A number as written in our YAML: `61.2`, `84`.
fn yaml_number(v: f64) -> String {
    format!("{v}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_only_when_needed() {
        assert_eq!(yaml_text("Bristol, City of"), "Bristol, City of");
        assert_eq!(yaml_text("St. Helens"), "St. Helens");
        assert_eq!(yaml_text("Null"), "\"Null\"");
        assert_eq!(yaml_text("A: b"), "\"A: b\"");
        assert_eq!(yaml_text("say \"hi\""), "\"say \\\"hi\\\"\"");
    }

    #[test]
    fn diff_shows_changed_lines() {
        assert_eq!(line_diff("a\nb\nc\n", "a\nx\nc\n"), vec!["- b", "+ x"]);
        assert!(line_diff("a\n", "a\n").is_empty());
    }
}
