//! `scrutiny new-quarter`: start a quarter from the newest one, never overwriting a file.
//!
//! Owns: the files a new quarter starts with. Uses load and validate to read the site as it
//! is; must not import render, write or serve. The words it leaves for officers to replace,
//! [`PLACEHOLDER`], are the dialect's, since validate warns about them.

use crate::catalogue::{Catalogue, Frequency};
use crate::dialect::{BlockKind, PLACEHOLDER};
use crate::period::Quarter;
use crate::validate::QuarterDef;
use std::io::Write as _;
use std::path::Path;

/// Creates the files of `quarter` that do not exist yet; returns the ones created.
pub(crate) fn new_quarter(root: &Path, quarter: &str) -> Result<Vec<String>, String> {
    let q = Quarter::parse(quarter.trim_end_matches('/'))?;
    let mut diags = crate::diagnostic::Diagnostics::default();
    let raw = crate::load::load(root, &mut diags);
    // A quarter is started only from a site `check` passes: its errors would be copied forward.
    let Ok(defs) = crate::validate::validate(&raw, &mut diags) else {
        let sorted = diags.sorted();
        let first = sorted.first().map(|d| format!("{}: {}", d.file, d.message)).unwrap_or_else(|| "the site's settings cannot be read".into());
        let more = match sorted.iter().filter(|d| d.severity == crate::diagnostic::Severity::Error).count() {
            0 | 1 => String::new(),
            n => format!(" (and {} more errors)", n - 1),
        };
        return Err(format!("{first}{more}: mend the site first (scrutiny check lists every problem); nothing was created"));
    };
    let newest = defs.quarters.iter().filter(|d| d.quarter < q).max_by_key(|d| d.quarter);
    let mut files = vec![(format!("content/{}/_index.md", q.path()), overview_text(q, newest))];
    files.extend(section_texts(q, newest, &defs.catalogue));
    files.push((format!("data/{}.yaml", q.path()), data_text(q, newest, &defs.catalogue)));
    let mut created = Vec::new();
    let mut existing = Vec::new();
    for (rel, text) in files {
        let path = root.join(&rel);
        // Never write through a link out of the site (a quarter folder linked elsewhere).
        crate::load::links::check_inside(root, &path).map_err(|d| format!("{}: {}", d.file, d.message))?;
        if path.exists() {
            existing.push(rel);
            continue;
        }
        std::fs::create_dir_all(path.parent().expect("has a parent")).map_err(|e| format!("cannot create the folder for {rel}: {e}"))?;
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(|e| format!("cannot create {rel}: {e}"))?;
        f.write_all(text.as_bytes()).map_err(|e| format!("cannot write {rel}: {e}"))?;
        created.push(rel);
    }
    if created.is_empty() {
        return Err(format!("{} already exists: nothing was created (its files were left as they were)", q.long()));
    }
    for rel in &existing {
        eprintln!("{rel} already exists: left as it was");
    }
    Ok(created)
}

/// The report blocks of a commentary body, fences included: the charts and tables usually stay.
fn blocks_of(body: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in body.lines() {
        let t = line.trim_start();
        if !inside && BlockKind::ALL.iter().any(|k| t.strip_prefix("```").is_some_and(|rest| rest.starts_with(k.name()))) {
            inside = true;
        }
        if inside {
            out.push_str(line);
            out.push('\n');
            if t == "```" {
                inside = false;
                out.push('\n');
            }
        }
    }
    out
}

/// The new quarter's overview: a draft, with the newest quarter's blocks and report details.
fn overview_text(q: Quarter, newest: Option<&QuarterDef>) -> String {
    let overview_blocks = newest.map(|n| blocks_of(&n.overview.body)).filter(|b| !b.is_empty()).unwrap_or_else(|| "```kpis\nall: true\n```\n".into());
    // Who the report goes to, who wrote it and whom to ask rarely change; the meeting date does.
    let details = newest.map(|n| &n.overview.details);
    let mut carried = String::new();
    for (key, value) in [
        ("report_to", details.and_then(|d| d.report_to.as_ref())),
        ("author", details.and_then(|d| d.author.as_ref())),
        ("contact", details.and_then(|d| d.contact.as_ref())),
    ] {
        if let Some(v) = value {
            carried.push_str(&format!("{key}: {}\n", yaml_text(v)));
        }
    }
    if details.is_some_and(|d| d.report_to.is_some()) {
        carried.push_str("# meeting: YYYY-MM-DD   (the date of the meeting this report goes to)\n");
    }
    format!("---\ntitle: {} overview\nsummary: {PLACEHOLDER} One sentence on the quarter's headlines.\n{carried}draft: true\n---\nThis report covers {} to {}. {PLACEHOLDER} Write the executive summary here; remove draft: true above when the report is ready.\n\n{overview_blocks}", q.long(), q.first_month().long(), q.last_month().long())
}

/// A commentary file for each section the newest quarter wrote about or that has metrics.
fn section_texts(q: Quarter, newest: Option<&QuarterDef>, catalogue: &Catalogue) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for (si, section) in catalogue.sections.iter_enumerated() {
        let previous = newest.and_then(|n| n.sections.iter().find(|(s, _)| *s == si)).map(|(_, c)| c);
        let has_metrics = catalogue.metrics.iter().any(|m| m.section == si);
        if previous.is_none() && !has_metrics {
            continue;
        }
        let blocks = previous.map(|c| blocks_of(&c.body)).unwrap_or_default();
        files.push((
            format!("content/{}/{}.md", q.path(), section.id),
            format!(
                "---\ntitle: {}\n---\n{PLACEHOLDER} Commentary for {} to follow.\n\n{blocks}",
                previous.and_then(|c| c.title.clone()).unwrap_or_else(|| section.title.clone()),
                q.short()
            ),
        ));
    }
    files
}

/// The quarter's figures file: every metric the newest quarter gave (or all), each null.
fn data_text(q: Quarter, newest: Option<&QuarterDef>, catalogue: &Catalogue) -> String {
    let mut data = format!("# Figures for {}. Fill in each value; null means not available.\nstatus: provisional\n# published: YYYY-MM-DD   (add when final, and set status: final)\n# next_update: YYYY-MM-DD   (when the next report is due)\nvalues:\n", q.long());
    let used: Vec<crate::index::MetricIdx> = match newest {
        Some(n) => n.data.entries.iter().map(|e| e.metric).collect(),
        None => catalogue.metrics.keys().collect(),
    };
    for (_, m) in catalogue.metrics.iter_enumerated().filter(|(mi, _)| used.contains(mi)) {
        match m.frequency {
            Frequency::Monthly(_) => {
                let months: Vec<String> = q.months().iter().map(|mo| format!("{mo}: null")).collect();
                data.push_str(&format!("  {}:\n    months: {{ {} }}\n", m.id, months.join(", ")));
            }
            Frequency::Quarterly if !m.breakdown.is_empty() => {
                let categories: Vec<String> = m.breakdown.iter().map(|(id, _)| format!("{id}: null")).collect();
                data.push_str(&format!("  {}:\n    by: {{ {} }}\n", m.id, categories.join(", ")));
            }
            Frequency::Quarterly => data.push_str(&format!("  {}: null\n", m.id)),
            Frequency::Annual => data.push_str(&format!("  # {}: {{ value: null, year: {} }}   (annual: give it once a year)\n", m.id, q.year.previous())),
        }
    }
    data
}

/// Text as a YAML double-quoted scalar, so a colon or a quote in an officer's words stays text.
fn yaml_text(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
