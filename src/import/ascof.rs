//! `scrutiny import ascof FILE.csv --year YYYY-YY`: the national release's long CSV into
//! `data/benchmarks/METRIC-GROUP-YYYY-YY.yaml` files.

use super::Site;
use super::{line_diff, load_site, write_atomically, yaml_number, yaml_text, Outcome, Problem};
use crate::period::FinancialYear;
use crate::validate::Comparator;
use std::collections::HashMap;
use std::path::Path;

/// The England row's ONS code: the group figure of `all = true`.
const ENGLAND: &str = "E92000001";

/// The columns read, as the release names them.
const COLUMNS: [&str; 7] =
    ["Geographical description", "Geographical level", "ONS code", "ASCOF measure code", "Disaggregation level", "Measure type", "Measure value"];
const DESCRIPTION: usize = 0;
const LEVEL: usize = 1;
const ONS: usize = 2;
const MEASURE: usize = 3;
const DISAGGREGATION: usize = 4;
const TYPE: usize = 5;
const VALUE: usize = 6;

/// A value of the release: a number, not available, or suppressed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Reading {
    Number(f64),
    NotAvailable,
    Suppressed,
}

impl Reading {
    fn yaml(self) -> String {
        match self {
            Reading::Number(v) => yaml_number(v),
            Reading::NotAvailable => "null".into(),
            Reading::Suppressed => "{ value: null, suppressed: true }".into(),
        }
    }
}

/// One usable row: a Total Outcome of a measure the catalogue uses.
#[derive(Debug, Clone)]
struct Row {
    name: String,
    council: bool,
    value: Reading,
    line: u64,
}

/// "Measure value" cell to a reading; `Err` is the mend.
fn reading(cell: &str) -> Result<Reading, String> {
    let t = cell.trim();
    match t {
        "" | "[x]" | "[X]" | "x" | ":" | ".." | "-" => return Ok(Reading::NotAvailable),
        "[c]" | "[C]" | "c" | "*" => return Ok(Reading::Suppressed),
        _ => {}
    }
    if let Ok(v) = t.parse::<f64>() {
        if v.is_finite() {
            return Ok(Reading::Number(v));
        }
    }
    // Thousands separators (1,234.5) are a number; a decimal comma (12,5) is not.
    let grouped = t.split('.').next().is_some_and(|int| {
        let parts: Vec<&str> = int.trim_start_matches('-').split(',').collect();
        parts.len() > 1
            && (1..=3).contains(&parts[0].len())
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
            && parts[1..].iter().all(|p| p.len() == 3)
    });
    if grouped {
        if let Ok(v) = t.replace(',', "").parse::<f64>() {
            return Ok(Reading::Number(v));
        }
    }
    Err(if t.contains(',') && t.replace(',', ".").parse::<f64>().is_ok() {
        format!("write it with a decimal point: {}", t.replace(',', "."))
    } else {
        "give a number, or one of the release's markers: [c] suppressed; blank, [x], : or .. not available".to_string()
    })
}

/// `2B(1)`, `2b (1)` and `2B1` are one measure.
fn measure_key(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

fn header_key(name: &str) -> String {
    name.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

/// Imports the release; writes nothing unless there is no error.
pub fn import(root: &Path, file: &Path, year: FinancialYear, force: bool) -> Outcome {
    let mut out = Outcome::default();
    let shown = file.to_string_lossy().replace('\\', "/");
    let site = match load_site(root) {
        Ok(s) => s,
        Err(p) => {
            out.problems = p;
            return out;
        }
    };
    let Some(own_code) = site.settings.ons_code.clone() else {
        out.problems.push(Problem::error(
            "site.toml",
            "the organisation's ONS code is not set, so its row in the release cannot be found",
            "add a line  ons_code = \"E08000014\"  (your council's code) near the top of site.toml",
        ));
        return out;
    };
    let metrics: Vec<(crate::index::MetricIdx, String)> =
        site.catalogue.metrics.iter_enumerated().filter_map(|(i, m)| m.ascof.as_ref().map(|a| (i, measure_key(a)))).collect();
    if metrics.is_empty() {
        out.problems.push(Problem::error(
            "data/metrics.yaml",
            "no metric has an ascof: code, so nothing in the release can be used",
            "add  ascof: 2A  (the national measure code) to the metrics the release covers",
        ));
        return out;
    }
    let mut groups = Vec::new();
    for g in &site.settings.comparators {
        if g.codes.is_empty() && !g.all {
            out.problems.push(Problem::warning(
                "site.toml",
                format!("comparator \"{}\" names no members by code, so it was skipped", g.id),
                format!("add  codes = [\"E08000012\", ...]  or  all = true  to {} in [comparators]", g.id),
            ));
        } else {
            groups.push(g);
        }
    }

    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            out.problems.push(Problem::error(&shown, format!("cannot read the file: {e}"), "check the file name and that it is not open elsewhere"));
            return out;
        }
    };
    let wanted: HashMap<&str, crate::index::MetricIdx> = metrics.iter().map(|(i, k)| (k.as_str(), *i)).collect();
    let table = match read_release(&bytes, &shown, &wanted, &mut out.problems) {
        Some(t) => t,
        None => return out,
    };
    if out.failed() {
        return out;
    }

    // Every file first, compared with what is there; then written only if nothing failed.
    let planned = plan_files(&site, &table, &metrics, &groups, &own_code, year, &shown, &mut out.problems);
    write_planned(root, planned, force, out)
}

/// Each benchmark file the release gives (path, text, and a description for the summary);
/// members missing from the release are warnings.
// Long: one file a metric and group, its members, overall figure and text made in one place.
#[allow(clippy::too_many_arguments)] // each is one fact the files are made of
fn plan_files(
    site: &Site,
    table: &Table,
    metrics: &[(crate::index::MetricIdx, String)],
    groups: &[&Comparator],
    own_code: &str,
    year: FinancialYear,
    shown: &str,
    problems: &mut Vec<Problem>,
) -> Vec<(String, String, String)> {
    let mut planned: Vec<(String, String, String)> = Vec::new();
    let mut missing_by_group: Vec<(usize, Vec<String>)> = Vec::new();
    for (mi, key) in metrics {
        let m = &site.catalogue.metrics[*mi];
        let Some(rows) = table.get(key) else {
            problems.push(Problem::warning(
                shown,
                format!("measure {} (metric \"{}\") is not in the file", m.ascof.as_deref().unwrap_or_default(), m.id),
                "check the metric's ascof: code against the release's measure codes",
            ));
            continue;
        };
        let own_name = table.values().find_map(|rs| rs.get(own_code).map(|r| r.name.clone())).unwrap_or_else(|| site.settings.organisation.clone());
        for (gi, g) in groups.iter().enumerate() {
            let members: Vec<(String, Reading)> = if g.all {
                let mut all: Vec<&Row> = rows.values().filter(|r| r.council).collect();
                all.sort_by_key(|r| r.line);
                let mut v: Vec<(String, Reading)> = all.into_iter().map(|r| (r.name.clone(), r.value)).collect();
                // This council is in every ranking: without a row its figure is not available.
                if !rows.contains_key(own_code) {
                    v.push((own_name.clone(), Reading::NotAvailable));
                    match missing_by_group.iter_mut().find(|(i, _)| *i == gi) {
                        Some((_, list)) if !list.iter().any(|c| c == own_code) => list.push(own_code.to_string()),
                        Some(_) => {}
                        None => missing_by_group.push((gi, vec![own_code.to_string()])),
                    }
                }
                v
            } else {
                let mut v = Vec::new();
                for c in &g.codes {
                    match rows.get(c) {
                        Some(r) => v.push((r.name.clone(), r.value)),
                        None => {
                            match missing_by_group.iter_mut().find(|(i, _)| *i == gi) {
                                Some((_, list)) if !list.contains(c) => list.push(c.clone()),
                                Some(_) => {}
                                None => missing_by_group.push((gi, vec![c.clone()])),
                            }
                            if *c == own_code {
                                v.push((own_name.clone(), Reading::NotAvailable));
                            }
                        }
                    }
                }
                v
            };
            let own_code_row = if g.all { Some(ENGLAND) } else { g.code.as_deref() };
            let overall = own_code_row.and_then(|c| rows.get(c)).map(|r| r.value);
            if let (Some(c), None) = (own_code_row, overall) {
                problems.push(Problem::warning(
                    shown,
                    format!("there is no row for {c} ({}) for measure {}, so the file has no overall figure", g.name, m.ascof.as_deref().unwrap_or_default()),
                    format!("check the code of {} in site.toml's [comparators]", g.id),
                ));
            }
            let mut text = format!(
                "# Written by scrutiny import ascof: ASCOF measure {}, {year}.\nmetric: {}\ngroup: {}\nperiod: {year}\nself: {}\n",
                m.ascof.as_deref().unwrap_or_default(),
                m.id,
                g.id,
                yaml_text(&own_name)
            );
            if let Some(o) = overall {
                text.push_str(&format!("overall: {}\n", o.yaml()));
            }
            text.push_str("values:\n");
            for (name, v) in &members {
                text.push_str(&format!("  {}: {}\n", yaml_text(name), v.yaml()));
            }
            let rel = format!("data/benchmarks/{}-{}-{year}.yaml", m.id, g.id);
            let desc = format!(
                "{} councils{}",
                members.len(),
                match overall {
                    Some(Reading::Number(v)) => format!(", overall {}", yaml_number(v)),
                    _ => String::new(),
                }
            );
            planned.push((rel, text, desc));
        }
    }
    for (gi, codes) in &missing_by_group {
        let g = groups[*gi];
        problems.push(Problem::warning(
            shown,
            format!(
                "{} member code{} of \"{}\" {} not in the file: {}",
                codes.len(),
                if codes.len() == 1 { "" } else { "s" },
                g.id,
                if codes.len() == 1 { "is" } else { "are" },
                codes.join(", ")
            ),
            "a council that merged or changed its code is not guessed: correct the codes in site.toml if it changed",
        ));
    }
    planned
}

/// Writes the planned files that are new, or changed when `force` allows; a change without
/// `force` is an error showing the change, and then nothing is written.
fn write_planned(root: &Path, planned: Vec<(String, String, String)>, force: bool, mut out: Outcome) -> Outcome {
    let mut to_write = Vec::new();
    for (rel, text, desc) in planned {
        match std::fs::read(root.join(&rel)) {
            Ok(old) if old == text.as_bytes() => out.summary.push(format!("unchanged {rel}")),
            Ok(old) if !force => {
                let old = String::from_utf8_lossy(&old);
                out.problems.push(Problem::error(
                    &rel,
                    "the file exists and the release would change it",
                    "check the changes below, then run the import again with --force to replace it",
                ));
                out.summary.push(format!("would change {rel}:"));
                out.summary.extend(line_diff(&old, &text).into_iter().map(|l| format!("    {l}")));
            }
            Ok(_) => to_write.push((rel, text, format!("replaced {desc}"))),
            Err(_) => to_write.push((rel, text, desc)),
        }
    }
    if out.failed() {
        return out;
    }
    let written = to_write.len();
    for (rel, text, desc) in to_write {
        if let Err(p) = write_atomically(root, &rel, text.as_bytes()) {
            out.problems.push(p);
            return out;
        }
        out.summary.push(format!("wrote {rel} ({desc})"));
    }
    let unchanged = out.summary.iter().filter(|s| s.starts_with("unchanged")).count();
    out.summary.push(format!("{written} benchmark file{} written, {unchanged} unchanged", if written == 1 { "" } else { "s" }));
    out
}

/// Rows by measure key, then by ONS code.
type Table = HashMap<String, HashMap<String, Row>>;

// Long: the release's header checks and one pass over its rows, each row's checks in reading order.
fn read_release(bytes: &[u8], shown: &str, wanted: &HashMap<&str, crate::index::MetricIdx>, problems: &mut Vec<Problem>) -> Option<Table> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            problems.push(Problem::error(format!("{shown}:1"), format!("the first line cannot be read: {e}"), "save the file as CSV (comma-separated values)"));
            return None;
        }
        None => {
            problems.push(Problem::error(shown, "the file is empty", "download the release's CSV again"));
            return None;
        }
    };
    let names: Vec<String> = header.iter().map(|h| String::from_utf8_lossy(h).trim().to_string()).collect();
    let mut at = [0usize; 7];
    let mut missing = Vec::new();
    for (i, c) in COLUMNS.iter().enumerate() {
        match names.iter().position(|n| header_key(n) == header_key(c)) {
            Some(p) => at[i] = p,
            None => missing.push(format!("\"{c}\"")),
        }
    }
    if !missing.is_empty() {
        problems.push(Problem::error(
            format!("{shown}:1"),
            format!("the column{} {} {} missing", if missing.len() == 1 { "" } else { "s" }, missing.join(", "), if missing.len() == 1 { "is" } else { "are" }),
            format!("this is not the ASCOF release's long CSV, or its header changed; the columns found are: {}", names.join(", ")),
        ));
        return None;
    }
    let mut table: Table = HashMap::new();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                problems.push(Problem::error(
                    format!("{shown}:{line}"),
                    format!("the line cannot be read: {e}"),
                    "save the file as CSV again from the original",
                ));
                return None;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let cell = |i: usize| rec.get(at[i]).map(|b| String::from_utf8_lossy(b).trim().to_string()).unwrap_or_default();
        if !cell(DISAGGREGATION).eq_ignore_ascii_case("total") || !cell(TYPE).eq_ignore_ascii_case("outcome") {
            continue;
        }
        let key = measure_key(&cell(MEASURE));
        if !wanted.contains_key(key.as_str()) {
            continue;
        }
        let place = format!("{shown}:{line}");
        if rec.len() < names.len() {
            problems.push(Problem::error(
                &place,
                format!("the line has {} fields but the header has {}", rec.len(), names.len()),
                "a value with a comma in it must be in double quotes",
            ));
            continue;
        }
        let code = cell(ONS);
        if code.is_empty() {
            problems.push(Problem::error(&place, "column \"ONS code\": the code is blank", "every row needs its area's ONS code, e.g. E08000014"));
            continue;
        }
        let value = match reading(&cell(VALUE)) {
            Ok(v) => v,
            Err(help) => {
                problems.push(Problem::error(&place, format!("column \"Measure value\": \"{}\" is not a number", cell(VALUE)), help));
                continue;
            }
        };
        let level = cell(LEVEL).to_lowercase();
        let council = code != ENGLAND && !level.contains("region") && !level.contains("england") && !level.contains("national");
        let by_code = table.entry(key).or_default();
        if let Some(first) = by_code.get(&code) {
            problems.push(Problem::error(
                &place,
                format!("a second Total Outcome row for {code} and measure {} (the first is on line {})", cell(MEASURE), first.line),
                "keep one row per area and measure",
            ));
            continue;
        }
        by_code.insert(code, Row { name: cell(DESCRIPTION), council, value, line });
    }
    Some(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_and_numbers() {
        assert_eq!(reading("61.2"), Ok(Reading::Number(61.2)));
        assert_eq!(reading(" [c] "), Ok(Reading::Suppressed));
        assert_eq!(reading("*"), Ok(Reading::Suppressed));
        for na in ["", "[x]", ":", ".."] {
            assert_eq!(reading(na), Ok(Reading::NotAvailable), "{na:?}");
        }
        assert_eq!(reading("1,234.5"), Ok(Reading::Number(1234.5)));
        assert_eq!(reading("12,5"), Err("write it with a decimal point: 12.5".to_string()));
        assert!(reading("n/a").is_err());
    }

    #[test]
    fn bracketed_codes_match() {
        assert_eq!(measure_key("2B(1)"), measure_key("2b (1)"));
        assert_eq!(measure_key("1C(2A)"), "1C2A");
        assert_ne!(measure_key("2B(1)"), measure_key("2B(2)"));
    }
}
