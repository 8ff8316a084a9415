//! `scrutiny import figures FILE --quarter YYYY-YY/qN`: an officer's spreadsheet in long form
//! (metric, period, value, flags, note, category) into `data/YYYY-YY/qN.yaml`.

use super::sheet::{self, Cell, Table};
use super::yaml_edit::{flow_text, EntryEdit};
use super::{load_site, write_atomically, yaml_number, Outcome, Problem, Site};
use crate::catalogue::{Aggregate, Catalogue, Frequency, Metric};
use crate::diagnostic::suggestion;
use crate::figure::{Flag, Flags};
use crate::index::MetricIdx;
use crate::period::{FinancialYear, Month, Quarter};
use std::collections::BTreeMap;
use std::path::Path;

/// One figure from a row.
#[derive(Debug, Clone, PartialEq)]
struct Fig {
    value: Option<f64>,
    suppressed: bool,
    flags: Flags,
    note: Option<String>,
}

impl Fig {
    /// `81`, `null` or `{ value: 3, suppressed: true, flags: [estimated], note: ... }`.
    fn yaml(&self, with_note: bool) -> String {
        let v = self.value.map(yaml_number).unwrap_or_else(|| "null".into());
        let mut parts = Vec::new();
        if self.suppressed {
            parts.push("suppressed: true".to_string());
        }
        if self.flags != Flags::NONE {
            let words: Vec<&str> = self.flags.iter().map(|f| if f == Flag::Estimated { "estimated" } else { "low-reliability" }).collect();
            parts.push(format!("flags: [{}]", words.join(", ")));
        }
        if let (true, Some(n)) = (with_note, &self.note) {
            parts.push(format!("note: {}", flow_text(n)));
        }
        if parts.is_empty() {
            v
        } else {
            format!("{{ value: {v}, {} }}", parts.join(", "))
        }
    }
}

/// What the rows say about one metric.
#[derive(Default)]
struct Update {
    value: Option<Fig>,
    year: Option<FinancialYear>,
    months: BTreeMap<Month, Fig>,
    by: Vec<(String, Fig)>,
    note: Option<String>,
    /// A monthly metric's quarter row: its value and place, checked against the months.
    quarter_row: Option<(Option<f64>, String)>,
}

/// The period a row gives.
enum RowPeriod {
    Month(Month),
    Quarter(Quarter),
    Year(FinancialYear),
}

fn column(t: &Table, names: &[&str]) -> Option<usize> {
    t.header.iter().position(|h| {
        let k: String = h.trim().to_lowercase().replace([' ', '-'], "_");
        names.contains(&k.as_str())
    })
}

fn text_of(c: &Cell) -> String {
    match c {
        Cell::Empty => String::new(),
        Cell::Text(t) => t.clone(),
        Cell::Number { value, .. } => yaml_number(*value),
        Cell::Date(d) => d.clone(),
    }
}

/// Imports the rows into the quarter's figures file; writes nothing unless there is no error.
pub fn import(root: &Path, file: &Path, quarter: Quarter, sheet_name: Option<&str>) -> Outcome {
    let mut out = Outcome::default();
    let shown = file.to_string_lossy().replace('\\', "/");
    let site = match load_site(root) {
        Ok(s) => s,
        Err(p) => {
            out.problems = p;
            return out;
        }
    };
    if sheet_name.is_some() && file.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
        out.problems.push(Problem::error(&shown, "--sheet is for spreadsheets, and a CSV file has no sheets", "leave out --sheet"));
        return out;
    }
    let mut table = match sheet::read(file, &shown, sheet_name) {
        Ok(t) => t,
        Err((place, message, help)) => {
            out.problems.push(Problem::error(place, message, help));
            return out;
        }
    };
    table.find_header(|cells| {
        let has = |name: &str| cells.iter().any(|c| c.trim().eq_ignore_ascii_case(name));
        has("period") && has("value")
    });
    let header_place = |col: usize| table.place(table.header_row, col);
    // The quarter's CSV download has both: metric_id is the id, metric the title.
    let metric_col = column(&table, &["metric_id"]).or_else(|| column(&table, &["metric"]));
    let (Some(metric_col), Some(period_col), Some(value_col)) = (metric_col, column(&table, &["period"]), column(&table, &["value"])) else {
        let missing: Vec<&str> =
            [("metric", metric_col.is_some()), ("period", column(&table, &["period"]).is_some()), ("value", column(&table, &["value"]).is_some())]
                .iter()
                .filter(|(_, found)| !found)
                .map(|(n, _)| *n)
                .collect();
        out.problems.push(Problem::error(
            header_place(0),
            format!("the first row has no column {}", missing.iter().map(|m| format!("\"{m}\"")).collect::<Vec<_>>().join(" or ")),
            "the first row names the columns: metric, period, value, and optionally flags, note, category",
        ));
        return out;
    };
    let cols = Columns {
        metric: metric_col,
        period: period_col,
        value: value_col,
        flags: column(&table, &["flags"]),
        note: column(&table, &["note"]),
        category: column(&table, &["category"]),
        hidden: column(&table, &["suppressed_value"]),
    };
    let updates = read_rows(&table, &cols, &site, quarter, &mut out);
    check_quarter_rows(&updates, &site.catalogue, quarter, &mut out.problems);
    if updates.is_empty() && !out.failed() {
        out.problems.push(Problem::error(&shown, "there are no figures in the file", "put one figure a row under the header: metric, period, value"));
    }
    if out.failed() {
        return out;
    }

    write_updates(root, quarter, &site.catalogue, &updates, out)
}

/// Where a figures table's columns are.
struct Columns {
    metric: usize,
    period: usize,
    value: usize,
    flags: Option<usize>,
    note: Option<usize>,
    category: Option<usize>,
    hidden: Option<usize>,
}

/// What each row says, by metric; every row that cannot be used is a problem at its place.
// Long: one pass over the rows, each row's checks in the order an officer reads its cells.
fn read_rows(table: &Table, cols: &Columns, site: &Site, quarter: Quarter, out: &mut Outcome) -> BTreeMap<MetricIdx, Update> {
    let (metric_col, period_col, value_col) = (cols.metric, cols.period, cols.value);
    let (flags_col, note_col, category_col, hidden_col) = (cols.flags, cols.note, cols.category, cols.hidden);
    let cat = &site.catalogue;
    let ids: Vec<&str> = cat.metrics.iter().map(|m| m.id.as_str()).collect();
    let mut updates: BTreeMap<MetricIdx, Update> = BTreeMap::new();
    let mut seen: Vec<(MetricIdx, String, Option<String>, String)> = Vec::new();
    for (row, cells) in &table.rows {
        let get = |c: Option<usize>| c.and_then(|c| cells.get(c)).cloned().unwrap_or(Cell::Empty);
        if cells.iter().all(|c| *c == Cell::Empty) {
            continue;
        }
        let place = |c: usize| table.place(*row, c);
        let before = out.problems.len();
        let metric_text = text_of(&get(Some(metric_col)));
        let Some(mi) = cat.metric(&metric_text) else {
            if metric_text.is_empty() {
                out.problems.push(Problem::error(
                    place(metric_col),
                    "the metric is blank",
                    "give the metric's id from data/metrics.yaml, e.g. contacts-received",
                ));
            } else {
                out.problems.push(Problem::error(
                    place(metric_col),
                    format!("unknown metric \"{metric_text}\"{}", suggestion(&metric_text, ids.iter().copied())),
                    "use an id defined in data/metrics.yaml, or add the metric there first",
                ));
            }
            continue;
        };
        let m = &cat.metrics[mi];
        let Some(period) = period(&get(Some(period_col)), m, &place(period_col), quarter, &mut out.problems) else { continue };
        let category = category_col.map(|c| text_of(&get(Some(c)))).filter(|c| !c.is_empty());
        if let Some(c) = &category {
            if !crate::catalogue::is_id(c) {
                out.problems.push(Problem::error(
                    place(category_col.unwrap()),
                    format!("the category \"{c}\" is not an id"),
                    "use the category's id from the metric's breakdown in data/metrics.yaml, e.g. partly-upheld",
                ));
                continue;
            }
            if matches!(m.frequency, Frequency::Monthly(_)) {
                out.problems.push(Problem::error(
                    place(category_col.unwrap()),
                    format!("\"{}\" is a monthly metric, which has no breakdown", m.id),
                    "leave the category blank for monthly metrics",
                ));
                continue;
            }
        }
        let Some(mut fig) = figure(&get(Some(value_col)), hidden_col.map(|c| get(Some(c))), &place(value_col), &mut out.problems) else { continue };
        if let Some(fc) = flags_col {
            if !flags(&text_of(&get(Some(fc))), &mut fig, &place(fc), &mut out.problems) {
                continue;
            }
        }
        fig.note = note_col.map(|c| text_of(&get(Some(c)))).filter(|n| !n.is_empty());
        if out.problems.len() > before {
            continue;
        }
        let period_key = match period {
            RowPeriod::Month(mo) => mo.to_string(),
            RowPeriod::Quarter(q) => q.to_string(),
            RowPeriod::Year(y) => y.to_string(),
        };
        if let Some((_, _, _, first)) = seen.iter().find(|(s, p, c, _)| *s == mi && *p == period_key && *c == category) {
            out.problems.push(Problem::error(
                place(metric_col),
                format!(
                    "a second row for \"{}\", {period_key}{} (the first is at {first})",
                    m.id,
                    category.as_ref().map(|c| format!(", category {c}")).unwrap_or_default()
                ),
                "keep one row for each metric and period",
            ));
            continue;
        }
        seen.push((mi, period_key, category.clone(), place(metric_col)));
        // An earlier year's figure carried forward (as the quarter's download lists it) is not new.
        if let (RowPeriod::Year(y), None) = (&period, &category) {
            if *y < quarter.year && given_before(&site.quarters, mi, *y, quarter, &fig) {
                out.summary.push(format!("skipped {}: the {y} figure of \"{}\" is already in an earlier quarter's file", table.place(*row, value_col), m.id));
                continue;
            }
        }
        let u = updates.entry(mi).or_default();
        match (period, m.frequency) {
            (RowPeriod::Month(mo), Frequency::Monthly(_)) => {
                u.months.insert(mo, fig);
            }
            (RowPeriod::Quarter(_), Frequency::Monthly(_)) => {
                // The download's quarter row of a monthly metric is worked out from its months.
                u.quarter_row = Some((if fig.suppressed { None } else { fig.value }, place(value_col)));
                if fig.note.is_some() {
                    u.note = fig.note;
                }
            }
            (p, _) => {
                if let RowPeriod::Year(y) = p {
                    u.year = Some(y);
                }
                match category {
                    Some(c) => u.by.push((c, fig)),
                    None => u.value = Some(fig),
                }
            }
        }
    }
    updates
}

/// A monthly metric's quarter row must agree with its months, which scrutiny adds up itself.
fn check_quarter_rows(updates: &BTreeMap<MetricIdx, Update>, cat: &Catalogue, quarter: Quarter, problems: &mut Vec<Problem>) {
    for (mi, u) in updates {
        let m = &cat.metrics[*mi];
        let (Some((value, place)), Frequency::Monthly(agg)) = (&u.quarter_row, m.frequency) else { continue };
        let months: Vec<&Fig> = quarter.months().iter().filter_map(|mo| u.months.get(mo)).collect();
        if months.len() < 3 {
            problems.push(Problem::error(
                place,
                format!("\"{}\" is a monthly metric: give a row for each month of {}, not one for the quarter", m.id, quarter.short()),
                format!("write the periods as months: {}", quarter.months().map(|mo| mo.to_string()).join(", ")),
            ));
            continue;
        }
        let numbers: Option<Vec<f64>> = months.iter().map(|f| if f.suppressed { None } else { f.value }).collect();
        if let (Some(v), Some(ns)) = (value, numbers) {
            let expected = match agg {
                Aggregate::Sum => ns.iter().sum(),
                Aggregate::Last => ns[2],
                Aggregate::Mean => ns.iter().sum::<f64>() / 3.0,
            };
            if (expected - v).abs() > 1e-6 * expected.abs().max(1.0) {
                let how = match agg {
                    Aggregate::Sum => "the sum",
                    Aggregate::Last => "the last",
                    Aggregate::Mean => "the mean",
                };
                problems.push(Problem::error(
                    place,
                    format!("the quarter's figure {} is not {how} of its months ({})", yaml_number(*v), yaml_number(expected)),
                    "leave the quarter's row out: scrutiny works it out from the months",
                ));
            }
        }
    }
}

/// Writes the updates into the quarter's figures file, then checks the site with them: a
/// mistake in them puts the file back as it was.
// Long: read, edit, write, check and maybe restore one file: each step needs the one before.
fn write_updates(root: &Path, quarter: Quarter, cat: &Catalogue, updates: &BTreeMap<MetricIdx, Update>, mut out: Outcome) -> Outcome {
    let rel = format!("data/{}.yaml", quarter.path());
    let path = root.join(&rel);
    let old = match std::fs::read(&path) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            out.problems.push(Problem::error(&rel, format!("cannot read the file: {e}"), "check it can be read"));
            return out;
        }
    };
    let text = match &old {
        Some(b) => match String::from_utf8(b.clone()) {
            Ok(t) => t,
            Err(_) => {
                out.problems.push(Problem::error(&rel, "the file is not UTF-8 text", "save it as UTF-8, then import again"));
                return out;
            }
        },
        None => "status: provisional\nvalues:\n".to_string(),
    };
    let root_node = match crate::load::yaml::parse(&text) {
        Ok(n) => n,
        Err(e) => {
            out.problems.push(Problem::error(
                format!("{rel}:{}:{}", e.pos.line, e.pos.column),
                e.message,
                "mend the figures file first (scrutiny check shows the same)",
            ));
            return out;
        }
    };
    let edits: Vec<EntryEdit> = updates.iter().map(|(mi, u)| entry_edit(&cat.metrics[*mi], u, quarter, &root_node)).collect();
    let new_text = match super::yaml_edit::apply(&text, &root_node, &edits) {
        Ok(t) => t,
        Err(e) => {
            out.problems.push(Problem::error(&rel, e, "mend the figures file first"));
            return out;
        }
    };
    let figures: usize = updates.values().map(|u| u.months.len() + u.by.len() + usize::from(u.value.is_some())).sum();
    if old.as_deref() == Some(new_text.as_bytes()) {
        out.summary.push(format!("unchanged {rel}: its {figures} figures were already there"));
        return out;
    }
    if let Err(p) = write_atomically(root, &rel, new_text.as_bytes()) {
        out.problems.push(p);
        return out;
    }
    // Check the site with the new figures; a mistake in them puts the file back as it was.
    let diags = crate::check(root);
    let ours: Vec<&crate::diagnostic::Diagnostic> = diags.iter().filter(|d| d.file == rel).collect();
    for d in &ours {
        out.problems.push(Problem {
            severity: d.severity,
            place: if d.pos.line == 0 { d.file.clone() } else { format!("{}:{}:{}", d.file, d.pos.line, d.pos.column) },
            message: d.message.clone(),
            help: d.help.clone(),
        });
    }
    if crate::diagnostic::Counts::of(ours.iter().copied()).errors > 0 {
        let restored = match &old {
            Some(b) => write_atomically(root, &rel, b).err(),
            None => std::fs::remove_file(&path).err().map(|e| Problem::error(&rel, format!("cannot remove the new file: {e}"), "delete it by hand")),
        };
        out.problems.extend(restored);
        out.summary.push(format!("{rel} was left as it was"));
        return out;
    }
    let elsewhere = crate::diagnostic::Counts::of(diags.iter().filter(|d| d.file != rel)).errors;
    out.summary.push(format!(
        "{} {rel}: {figures} figure{} for {} metric{}",
        if old.is_some() { "updated" } else { "wrote" },
        if figures == 1 { "" } else { "s" },
        updates.len(),
        if updates.len() == 1 { "" } else { "s" }
    ));
    if elsewhere > 0 {
        out.summary.push(format!("scrutiny check finds {elsewhere} error{} in other files: run it to see them", if elsewhere == 1 { "" } else { "s" }));
    }
    out
}

/// Whether the latest earlier quarter giving `metric`'s figure for `year` gives this same one.
fn given_before(files: &[crate::validate::QuarterFile], metric: MetricIdx, year: FinancialYear, quarter: Quarter, fig: &Fig) -> bool {
    let latest = files
        .iter()
        .filter(|f| f.quarter < quarter)
        .flat_map(|f| f.entries.iter().filter(|e| e.metric == metric && e.year.unwrap_or(f.quarter.year) == year))
        .filter_map(|e| e.reading.as_ref())
        .next_back();
    latest.is_some_and(|r| r.value == fig.value && r.suppressed == fig.suppressed && r.flags == fig.flags)
}

/// The fields a metric's entry gets from its rows.
fn entry_edit(m: &Metric, u: &Update, quarter: Quarter, file: &crate::load::Node) -> EntryEdit {
    let mut fields: Vec<(&'static str, Option<String>)> = Vec::new();
    if let Some(f) = &u.value {
        fields.push(("value", Some(f.value.map(yaml_number).unwrap_or_else(|| "null".into()))));
        fields.push(("suppressed", f.suppressed.then(|| "true".into())));
        fields.push((
            "flags",
            (f.flags != Flags::NONE).then(|| {
                format!("[{}]", f.flags.iter().map(|fl| if fl == Flag::Estimated { "estimated" } else { "low-reliability" }).collect::<Vec<_>>().join(", "))
            }),
        ));
        if let Some(n) = &f.note {
            fields.push(("note", Some(flow_text(n))));
        }
    }
    if m.frequency == Frequency::Annual && (u.value.is_some() || !u.by.is_empty()) {
        fields.push(("year", u.year.filter(|y| *y != quarter.year).map(|y| y.to_string())));
    }
    if let Some(n) = &u.note {
        fields.push(("note", Some(flow_text(n))));
    }
    // Months and categories the rows do not give stay as the file has them.
    if !u.months.is_empty() {
        let mut months: BTreeMap<String, String> = existing(file, m.id.as_str(), "months").into_iter().collect();
        months.extend(u.months.iter().map(|(mo, f)| (mo.to_string(), f.yaml(true))));
        let months: Vec<String> = months.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        fields.push(("months", Some(format!("{{ {} }}", months.join(", ")))));
    }
    if !u.by.is_empty() {
        let mut by = existing(file, m.id.as_str(), "by");
        for (c, f) in &u.by {
            match by.iter_mut().find(|(k, _)| k == c) {
                Some(slot) => slot.1 = f.yaml(true),
                None => by.push((c.clone(), f.yaml(true))),
            }
        }
        let by: Vec<String> = by.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        fields.push(("by", Some(format!("{{ {} }}", by.join(", ")))));
    }
    EntryEdit { id: m.id.to_string(), fields }
}

/// The entries of `values.ID.FIELD` in the file as it is: key and value as one-line YAML.
fn existing(file: &crate::load::Node, id: &str, field: &str) -> Vec<(String, String)> {
    use crate::load::Value;
    let get = |n: &crate::load::Node, key: &str| match &n.value {
        Value::Map(es) => es.iter().find(|(k, _)| k.as_key().as_deref() == Some(key)).map(|(_, v)| v.clone()),
        _ => None,
    };
    let found = get(file, "values").and_then(|v| get(&v, id)).and_then(|e| get(&e, field));
    match found.map(|n| n.value) {
        Some(Value::Map(es)) => es.iter().map(|(k, v)| (k.as_key().unwrap_or_default(), super::yaml_edit::flow(v))).collect(),
        _ => Vec::new(),
    }
}

/// The row's period, checked against the metric and the quarter.
fn period(cell: &Cell, m: &Metric, place: &str, quarter: Quarter, problems: &mut Vec<Problem>) -> Option<RowPeriod> {
    let text = match cell {
        Cell::Empty => {
            problems.push(Problem::error(place, "the period is blank", "give a month (2024-10), a quarter (2024-25/q3) or a year (2024-25)"));
            return None;
        }
        Cell::Number { value, .. } => match sheet::serial_date(*value).filter(|_| *value > 20_000.0) {
            Some(d) => d,
            None => {
                problems.push(Problem::error(
                    place,
                    format!("the period {} is not a date", yaml_number(*value)),
                    "give a month (2024-10), a quarter (2024-25/q3) or a year (2024-25)",
                ));
                return None;
            }
        },
        Cell::Date(d) => d.clone(),
        Cell::Text(t) => t.clone(),
    };
    let month_text = if text.len() == 10 && text.as_bytes().get(7) == Some(&b'-') { &text[..7] } else { text.as_str() };
    let annual = m.frequency == Frequency::Annual;
    let parsed = if text.contains('/') {
        Quarter::parse(&text).map(RowPeriod::Quarter)
    } else if annual {
        FinancialYear::parse(&text).map(RowPeriod::Year).or_else(|_| Month::parse(month_text).map(RowPeriod::Month))
    } else {
        Month::parse(month_text).map(RowPeriod::Month).or_else(|e| FinancialYear::parse(&text).map(RowPeriod::Year).map_err(|_| e))
    };
    let p = match parsed {
        Ok(p) => p,
        Err(e) => {
            problems.push(Problem::error(place, e, "give a month (2024-10), a quarter (2024-25/q3) or a year (2024-25)"));
            return None;
        }
    };
    let id = m.id.as_str();
    let err = |problems: &mut Vec<Problem>, msg: String, help: String| problems.push(Problem::error(place, msg, help));
    match (&p, m.frequency) {
        (RowPeriod::Month(mo), Frequency::Monthly(_)) if *mo > quarter.last_month() => err(
            problems,
            format!("{} is after {}, which ends in {}", mo.long(), quarter.long(), quarter.last_month().long()),
            format!("import it into {} instead", mo.quarter().path()),
        ),
        (RowPeriod::Month(_), Frequency::Monthly(_)) => return Some(p),
        (RowPeriod::Quarter(q), Frequency::Monthly(_) | Frequency::Quarterly) if *q == quarter => return Some(p),
        (RowPeriod::Quarter(q), Frequency::Quarterly) => err(
            problems,
            format!("{} is not {}, the quarter being imported", q.short(), quarter.short()),
            format!("import {}'s figures with --quarter {}", q.short(), q.path()),
        ),
        (RowPeriod::Year(y), Frequency::Annual) if *y > quarter.year => {
            err(problems, format!("the year {y} is after {}", quarter.long()), "an annual figure can only be for this financial year or an earlier one".into())
        }
        (RowPeriod::Year(_), Frequency::Annual) => return Some(p),
        (_, f) => {
            let wanted = match f {
                Frequency::Monthly(_) => format!("a month, e.g. {}", quarter.first_month()),
                Frequency::Quarterly => format!("the quarter, {}", quarter.path()),
                Frequency::Annual => format!("a financial year, e.g. {}", quarter.year),
            };
            let given = match &p {
                RowPeriod::Month(mo) => mo.long(),
                RowPeriod::Quarter(q) => q.short(),
                RowPeriod::Year(y) => y.to_string(),
            };
            err(problems, format!("\"{id}\" is a {} metric, but the period is {given}", f.words().to_lowercase()), format!("give {wanted}"));
        }
    }
    None
}

/// The value cell (and the hidden figure of a suppressed one).
fn figure(cell: &Cell, hidden: Option<Cell>, place: &str, problems: &mut Vec<Problem>) -> Option<Fig> {
    let mut fig = Fig { value: None, suppressed: false, flags: Flags::NONE, note: None };
    match cell {
        Cell::Empty => {}
        Cell::Number { value, percent } => {
            // 88.4% is stored as 0.884: the cell's format says it is a percentage.
            fig.value = Some(if *percent { (value * 100.0 * 1e9).round() / 1e9 } else { *value });
        }
        Cell::Date(d) => {
            problems.push(Problem::error(place, format!("the value is a date ({d})"), "format the cell as a number, not a date"));
            return None;
        }
        Cell::Text(t) => {
            let mut words: Vec<&str> = t.split_whitespace().collect();
            let mut number = None;
            for w in std::mem::take(&mut words) {
                match w.to_lowercase().as_str() {
                    "[x]" | "x" => {}
                    "[c]" | "c" => fig.suppressed = true,
                    "[e]" => fig.flags = fig.flags.with(Flag::Estimated),
                    "[u]" => fig.flags = fig.flags.with(Flag::LowReliability),
                    _ => words.push(w),
                }
            }
            if !words.is_empty() {
                let joined = words.join(" ");
                let cleaned = joined.trim_end_matches('%');
                match cleaned.parse::<f64>() {
                    Ok(v) if v.is_finite() && !cleaned.is_empty() => number = Some(v),
                    _ => {
                        let help = if cleaned.replace(',', "").parse::<f64>().is_ok() {
                            format!("write the number without commas: {}", cleaned.replace(',', ""))
                        } else {
                            "give a number, or leave it blank (not available), or write [x] or [c]".to_string()
                        };
                        problems.push(Problem::error(place, format!("column \"value\": \"{t}\" is not a number"), help));
                        return None;
                    }
                }
            }
            fig.value = number;
        }
    }
    if let (true, None, Some(h)) = (fig.suppressed, fig.value, hidden) {
        match h {
            Cell::Number { value, .. } => fig.value = Some(value),
            Cell::Text(t) => match t.parse::<f64>() {
                Ok(v) => fig.value = Some(v),
                Err(_) => {
                    problems.push(Problem::error(
                        place,
                        format!("column \"suppressed_value\": \"{t}\" is not a number"),
                        "give the suppressed figure as a number, or leave it blank",
                    ));
                    return None;
                }
            },
            _ => {}
        }
    }
    Some(fig)
}

/// The flags cell: words or letters; derived flags (`p`, `r`) are ignored. False on a mistake.
fn flags(cell: &str, fig: &mut Fig, place: &str, problems: &mut Vec<Problem>) -> bool {
    for word in cell.split([' ', ',', ';']).map(str::trim).filter(|w| !w.is_empty()) {
        let bare = word.trim_start_matches('[').trim_end_matches(']').to_lowercase();
        match bare.as_str() {
            "e" | "estimated" => fig.flags = fig.flags.with(Flag::Estimated),
            "u" | "low-reliability" | "low_reliability" => fig.flags = fig.flags.with(Flag::LowReliability),
            "c" | "suppressed" => fig.suppressed = true,
            // Worked out by scrutiny: provisional from the quarter's status, revised from a later file.
            "p" | "r" | "x" | "provisional" | "revised" => {}
            _ => {
                problems.push(Problem::error(
                    place,
                    format!("unknown flag \"{word}\"{}", suggestion(&bare, ["estimated", "low-reliability", "suppressed"])),
                    "the flags are estimated (e), low-reliability (u) and suppressed (c)",
                ));
                return false;
            }
        }
    }
    true
}
