//! `data/YYYY-YY/qN.yaml` and `data/benchmarks/NAME.yaml`.

use super::fields::{entries, list, number, one_of, text, whole, Fields, Report};
use super::names::Names;
use crate::catalogue::{Frequency, Metric, Unit};
use crate::diagnostic::{suggestion, Pos};
use crate::figure::{Flag, Flags};
use crate::load::{Node, Value};
use crate::period::{Date, FinancialYear, Month, Period, Quarter};

/// Whether a quarter's figures are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// May change; every figure carries `[p]`.
    Provisional,
    /// Published.
    Final,
}

/// A dated correction note.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    /// When.
    pub date: Date,
    /// What changed.
    pub note: String,
}

/// One figure as entered.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The number, or `None` for not available.
    pub value: Option<f64>,
    /// Disclosure control: never published.
    pub suppressed: bool,
    /// `estimated` / `low-reliability`.
    pub flags: Flags,
    /// A note for readers about this figure.
    pub note: Option<String>,
}

/// A metric's entry in a quarter's file.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Index into the catalogue.
    pub metric: usize,
    /// Where its key is.
    pub pos: Pos,
    /// For quarterly and annual metrics.
    pub reading: Option<Reading>,
    /// For monthly metrics, in month order; months before the quarter are revisions.
    pub months: Vec<(Month, Reading)>,
    /// Annual metrics: the year the figure is for.
    pub year: Option<FinancialYear>,
    /// Rank within comparator groups (index into settings.comparators).
    pub rank: Vec<(usize, u32)>,
    /// Comparator values for the same period.
    pub compare: Vec<(usize, Option<f64>)>,
    /// A note for readers.
    pub note: Option<String>,
}

/// A quarter's figures file.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarterFile {
    /// Which quarter.
    pub quarter: Quarter,
    /// Site-relative path.
    pub file: String,
    /// Provisional or final.
    pub status: Status,
    /// Publication date (required when final).
    pub published: Option<Date>,
    /// Data extracted as at.
    pub data_as_of: Option<Date>,
    /// Corrections, oldest first.
    pub revisions: Vec<Revision>,
    /// One per metric given.
    pub entries: Vec<Entry>,
}

const ENTRY_KEYS: &[&str] = &["value", "months", "year", "rank", "compare", "note", "suppressed", "flags"];
const READING_KEYS: &[&str] = &["value", "suppressed", "flags", "note"];

/// Reads and checks one quarter's figures.
pub fn read_quarter(r: &mut Report, node: &Node, quarter: Quarter, names: &Names) -> Option<QuarterFile> {
    let cat = names.catalogue;
    let f = Fields::read(r, node, "a quarter's figures file", &["status", "published", "data_as_of", "revisions", "values"])?;
    let status = f.required(r, "status", "the figures file", "provisional").and_then(|n| one_of(r, n, "status", &["provisional", "final"])).map(|s| {
        if s == "final" {
            Status::Final
        } else {
            Status::Provisional
        }
    });
    let published = f.get("published").and_then(|n| date(r, n, "published"));
    if status == Some(Status::Final) && f.get("published").is_none() {
        r.error(f.node.pos, "a final quarter needs its publication date", "add  published: YYYY-MM-DD  (or set status: provisional)");
    }
    if let Some(d) = published {
        if d.month() <= quarter.last_month() {
            r.error(
                f.get("published").unwrap().pos,
                format!("published {d} is not after the end of {}", quarter.long()),
                "a quarter's report is published after it ends: check the date",
            );
        }
    }
    let data_as_of = f.get("data_as_of").and_then(|n| date(r, n, "data_as_of"));
    if let (Some(asof), Some(p)) = (data_as_of, published) {
        if asof > p {
            r.warning(
                f.get("data_as_of").unwrap().pos,
                format!("the data is as at {asof}, after the report was published on {p}"),
                "check both dates: figures are extracted before a report is published",
            );
        }
    }
    let mut revisions = Vec::new();
    if let Some(items) = f.get("revisions").and_then(|n| list(r, n, "revisions", "- { date: 2025-02-01, note: Corrected ... }")) {
        for item in items {
            let Some(rf) = Fields::read(r, item, "a revision", &["date", "note"]) else { continue };
            let d = rf.required(r, "date", "a revision", "2025-02-01").and_then(|n| date(r, n, "date"));
            let note = rf.required(r, "note", "a revision", "Corrected the September contacts figure").and_then(|n| text(r, n, "note"));
            if let (Some(date), Some(note)) = (d, note) {
                let pos = rf.get("date").map(|n| n.pos).unwrap_or(item.pos);
                if published.is_some_and(|p| date < p) {
                    r.warning(
                        pos,
                        format!("the revision dated {date} is before the report was published"),
                        "a revision corrects a published report: check the date",
                    );
                }
                if revisions.last().is_some_and(|last: &Revision| last.date > date) {
                    r.warning(pos, format!("the revision dated {date} comes after a later one"), "list revisions oldest first");
                }
                revisions.push(Revision { date, note });
            }
        }
    }
    let mut out = Vec::new();
    if let Some(values) =
        f.required(r, "values", "the figures file", "{ contacts-received: { months: { ... } } }").and_then(|n| entries(r, n, "values", "waiting-list: 81"))
    {
        for (k, v) in values {
            let Some(key) = text(r, k, "metric id") else { continue };
            let Some(mi) = names.metric(r, k.pos, &key, "") else { continue };
            if let Some(e) = read_entry(r, k.pos, v, mi, &cat.metrics[mi], quarter, names) {
                out.push(e);
            }
        }
    }
    Some(QuarterFile { quarter, file: r.file.to_string(), status: status?, published, data_as_of, revisions, entries: out })
}

fn read_entry(r: &mut Report, pos: Pos, node: &Node, mi: usize, m: &Metric, quarter: Quarter, names: &Names) -> Option<Entry> {
    let mut e = Entry { metric: mi, pos, reading: None, months: Vec::new(), year: None, rank: Vec::new(), compare: Vec::new(), note: None };
    let id = m.id.as_str();
    if !matches!(node.value, Value::Map(_)) {
        if matches!(m.frequency, Frequency::Monthly(_)) {
            r.error(
                node.pos,
                format!("\"{id}\" is a monthly metric: give its months, not one value"),
                "write  months: { 2024-07: 1450, 2024-08: 1380, 2024-09: 1422 }",
            );
            return None;
        }
        e.reading = Some(reading(r, node, m, &format!("the value of \"{id}\""))?);
        return Some(e);
    }
    let f = Fields::read(r, node, &format!("the entry for \"{id}\""), ENTRY_KEYS)?;
    match m.frequency {
        Frequency::Monthly(_) => {
            if let Some(k) = f.key("value") {
                r.error(k.pos, format!("\"{id}\" is a monthly metric: give its months, not one value"), "replace value with  months: { 2024-07: 1450, ... }");
            }
            if let Some(k) = ["suppressed", "flags"].iter().find_map(|k| f.key(k)) {
                r.error(
                    k.pos,
                    format!("\"{}\" belongs to a month of \"{id}\", not to the whole entry", k.as_key().unwrap_or_default()),
                    "write it on the month, e.g. 2024-08: { value: 3, suppressed: true }",
                );
            }
            let months = f.required(r, "months", &format!("the entry for \"{id}\""), "{ 2024-07: 1450, 2024-08: 1380, 2024-09: 1422 }")?;
            // Months written, even with a mistake in them; `None` once a month name cannot be read.
            let mut written: Option<Vec<Month>> = Some(Vec::new());
            for (mk, mv) in entries(r, months, "months", "{ 2024-07: 1450 }").unwrap_or(&[]) {
                let Some(word) = mk.as_key() else { continue };
                let month = match Month::parse(&word) {
                    Ok(mo) => mo,
                    Err(msg) => {
                        r.error(mk.pos, msg, "months are written YYYY-MM, for example 2024-07");
                        written = None;
                        continue;
                    }
                };
                if let Some(w) = &mut written {
                    w.push(month);
                }
                if month > quarter.last_month() {
                    r.error(
                        mk.pos,
                        format!("{} is after this quarter: {} ends in {}", month.long(), quarter.long(), quarter.last_month().long()),
                        format!("move it to the figures file of {}", month.quarter().long()),
                    );
                    continue;
                }
                if let Some(rd) = reading(r, mv, m, &format!("the {} value of \"{id}\"", month.long())) {
                    e.months.push((month, rd));
                }
            }
            e.months.sort_by_key(|(mo, _)| *mo);
            // A month of this quarter left out would quietly make the quarter's figure [x].
            let missing: Vec<String> = match &written {
                Some(w) => quarter.months().iter().filter(|mo| !w.contains(mo)).map(|mo| mo.long()).collect(),
                None => Vec::new(),
            };
            if !missing.is_empty() {
                let copied = missing.len() == 3 && written.as_ref().is_some_and(|w| !w.is_empty());
                r.warning(
                    months.pos,
                    format!(
                        "\"{id}\" has no figure for {} ({}){}",
                        join_words(&missing),
                        quarter.long(),
                        if copied { ": was this file copied from an earlier quarter?" } else { "" }
                    ),
                    "give every month of the quarter, with null for a figure that is not available",
                );
            }
        }
        _ => {
            if let Some(k) = f.key("months") {
                r.error(k.pos, format!("\"{id}\" is a {} metric: give one value, not months", m.frequency.words().to_lowercase()), "write  value: 81");
            }
            if f.get("value").is_none() {
                if f.key("months").is_none() && !f.misspelt("value") {
                    r.error(node.pos, format!("the entry for \"{id}\" has no value"), "add  value: 81  (or value: null when the figure is not available)");
                }
            } else {
                e.reading = reading_fields(r, &f, m, &format!("the value of \"{id}\""));
            }
        }
    }
    if let Some(y) = f.get("year") {
        if m.frequency != Frequency::Annual {
            r.error(
                f.key("year").unwrap().pos,
                format!("\"year\" is only for annual metrics, but \"{id}\" is {}", m.frequency.words().to_lowercase()),
                "remove the year line",
            );
        } else if let Some(word) = text(r, y, "year") {
            match FinancialYear::parse(&word) {
                Ok(fy) if fy > quarter.year => r.error(
                    y.pos,
                    format!("the year {fy} is after this quarter's year {}", quarter.year),
                    "an annual figure can only be for this financial year or an earlier one",
                ),
                Ok(fy) => e.year = Some(fy),
                Err(msg) => r.error(y.pos, msg, "write the financial year the figure is for, e.g. year: 2023-24"),
            }
        }
    }
    if let Some(rank) = f.get("rank") {
        for (gk, gv) in entries(r, rank, "rank", "{ nw: 6 }").unwrap_or(&[]) {
            let Some(g) = names.group(r, gk.pos, &gk.as_key().unwrap_or_default(), "") else { continue };
            let c = &names.settings.expect("a group resolves only with settings").comparators[g];
            let Some(members) = c.members else {
                r.error(gk.pos, format!("a rank in \"{}\" needs the group's size", c.id), format!("add members to {} in site.toml's [comparators]", c.id));
                continue;
            };
            if let Some(v) = whole(r, gv, "a rank", 1, members as i64) {
                e.rank.push((g, v as u32));
            }
        }
    }
    if let Some(cmp) = f.get("compare") {
        for (gk, gv) in entries(r, cmp, "compare", "{ nw: 84.1, england: 83.0 }").unwrap_or(&[]) {
            let Some(g) = names.group(r, gk.pos, &gk.as_key().unwrap_or_default(), "") else { continue };
            if gv.value == Value::Null {
                e.compare.push((g, None));
            } else if let Some(v) = number(r, gv, &format!("the {} value", gk.as_key().unwrap_or_default())) {
                if check_range(r, gv.pos, v, m, "the comparator value") {
                    e.compare.push((g, Some(v)));
                }
            }
        }
    }
    // The entry's note, then any notes on its months, for readers of this quarter.
    let mut notes: Vec<String> = f.get("note").and_then(|n| text(r, n, "note")).into_iter().collect();
    notes.extend(e.months.iter().filter_map(|(mo, rd)| rd.note.as_ref().map(|n| format!("{}: {n}", mo.long()))));
    e.note = (!notes.is_empty()).then(|| notes.join(" "));
    Some(e)
}

/// A number, `null`, or `{ value, suppressed, flags, note }`.
fn reading(r: &mut Report, node: &Node, m: &Metric, what: &str) -> Option<Reading> {
    match &node.value {
        Value::Null => Some(Reading { value: None, suppressed: false, flags: Flags::NONE, note: None }),
        Value::Map(_) => {
            let f = Fields::read(r, node, what, READING_KEYS)?;
            if f.get("value").is_none() {
                if f.misspelt("value") {
                    return None;
                }
                r.error(node.pos, format!("{what} has no value"), "add  value: 81  (or value: null when not available)");
                return None;
            }
            reading_fields(r, &f, m, what)
        }
        _ => {
            let v = number(r, node, what)?;
            check_range(r, node.pos, v, m, what).then_some(Reading { value: Some(v), suppressed: false, flags: Flags::NONE, note: None })
        }
    }
}

fn reading_fields(r: &mut Report, f: &Fields, m: &Metric, what: &str) -> Option<Reading> {
    let vnode = f.get("value")?;
    let value = match vnode.value {
        Value::Null => None,
        _ => {
            let v = number(r, vnode, what)?;
            if !check_range(r, vnode.pos, v, m, what) {
                return None;
            }
            Some(v)
        }
    };
    let suppressed = f.get("suppressed").and_then(|n| super::fields::boolean(r, n, "suppressed")).unwrap_or(false);
    let mut flags = Flags::NONE;
    if let Some(items) = f.get("flags").and_then(|n| list(r, n, "flags", "[estimated]")) {
        for item in items {
            let word = item.as_key().unwrap_or_default();
            match Flag::from_data(&word) {
                Some(fl) => flags = flags.with(fl),
                None if word == "provisional" || word == "revised" => r.error(
                    item.pos,
                    format!("\"{word}\" is worked out by scrutiny and cannot be set by hand"),
                    "remove it: provisional comes from status: provisional, revised from a month given again in a later quarter",
                ),
                None => r.error(
                    item.pos,
                    format!("unknown flag \"{word}\"{}", suggestion(&word, ["estimated", "low-reliability"])),
                    "the flags are estimated and low-reliability",
                ),
            }
        }
    }
    let note = f.get("note").and_then(|n| text(r, n, "note"));
    Some(Reading { value, suppressed, flags, note })
}

/// Unit rules: percent 0-100, counts whole and not negative, days not negative.
fn check_range(r: &mut Report, pos: Pos, v: f64, m: &Metric, what: &str) -> bool {
    let problem = match m.unit {
        Unit::Percent if !(0.0..=100.0).contains(&v) => {
            Some((format!("{what} is {v}, but a percentage must be from 0 to 100"), "write percentages as numbers from 0 to 100, e.g. 85.5 for 85.5%"))
        }
        Unit::Count if v < 0.0 => Some((format!("{what} is {v}, but a count cannot be negative"), "check the figure: counts are whole numbers of 0 or more")),
        Unit::Count if v.fract() != 0.0 => Some((
            format!("{what} is {v}, but a count must be a whole number"),
            "check the figure: counts are whole numbers (use unit: rate or score for averages)",
        )),
        Unit::Days if v < 0.0 => Some((format!("{what} is {v}, but a number of days cannot be negative"), "check the figure")),
        _ => None,
    };
    if let Some((msg, help)) = problem {
        r.error(pos, msg, help);
        return false;
    }
    // Spreadsheets store 88% as 0.88; a pasted fraction would be published as 0.88%.
    if m.unit == Unit::Percent && v > 0.0 && v < 1.0 {
        let meant = (v * 100.0 * 1e6).round() / 1e6;
        r.warning(
            pos,
            format!("{what} is {v}%, which looks like a fraction copied from a spreadsheet"),
            format!("percentages are written 0 to 100: if you meant {meant}%, write {meant}"),
        );
    }
    true
}

fn date(r: &mut Report, node: &Node, what: &str) -> Option<Date> {
    let s = text(r, node, what)?;
    Date::parse(&s).map_err(|e| r.error(node.pos, e, format!("write {what} as YYYY-MM-DD"))).ok()
}

/// A benchmark file: one metric's values for every member of a comparator group.
#[derive(Debug, Clone, PartialEq)]
pub struct Benchmark {
    /// File stem.
    pub name: String,
    /// Index into the catalogue.
    pub metric: usize,
    /// Index into settings.comparators.
    pub group: usize,
    /// A year or a quarter.
    pub period: Period,
    /// Which member is this organisation.
    pub self_name: String,
    /// Members and values (`None`: not available), in file order.
    pub values: Vec<(String, Option<f64>)>,
}

/// Reads and checks a benchmark file.
pub fn read_benchmark(r: &mut Report, name: &str, node: &Node, names: &Names) -> Option<Benchmark> {
    let (cat, settings) = (names.catalogue, names.settings);
    let f = Fields::read(r, node, "a benchmark file", &["metric", "group", "period", "self", "overall", "values"])?;
    let metric = f.required(r, "metric", "the benchmark file", "reviews-completed").and_then(|n| {
        let s = text(r, n, "metric")?;
        names.metric(r, n.pos, &s, "")
    });
    let group = f.required(r, "group", "the benchmark file", "nw").and_then(|n| {
        let s = text(r, n, "group")?;
        names.group(r, n.pos, &s, "")
    });
    let period = f.required(r, "period", "the benchmark file", "2023-24").and_then(|n| {
        let s = text(r, n, "period")?;
        if s.contains('/') {
            Quarter::parse(&s).map(Period::Quarter).map_err(|e| r.error(n.pos, e, "write a year (2023-24) or a quarter (2024-25/q2)")).ok()
        } else {
            FinancialYear::parse(&s).map(Period::Year).map_err(|e| r.error(n.pos, e, "write a year (2023-24) or a quarter (2024-25/q2)")).ok()
        }
    });
    // The group's published figure (import ascof writes it); checked here, shown once Format 2 reads it.
    if let Some(o) = f.get("overall").filter(|o| o.value != Value::Null) {
        number(r, o, "overall");
    }
    let self_name = match f.get("self") {
        Some(n) => text(r, n, "self"),
        None => settings.map(|s| s.organisation.clone()),
    };
    let mut values = Vec::new();
    let unit_metric = metric.map(|m| &cat.metrics[m]);
    if let Some(items) =
        f.required(r, "values", "the benchmark file", "{ Blackburn with Darwen: 61.2 }").and_then(|n| entries(r, n, "values", "Blackburn with Darwen: 61.2"))
    {
        let mut seen = std::collections::HashSet::new();
        for (k, v) in items {
            let Some(member) = k.as_key() else { continue };
            if let Some(problem) = super::fields::hidden_character(&member) {
                r.error(k.pos, format!("the member name {problem}"), "retype the name, or paste it as plain text");
                continue;
            }
            if !seen.insert(member.clone()) {
                r.error(k.pos, format!("\"{member}\" is listed twice"), "list each member once");
                continue;
            }
            if v.value == Value::Null {
                values.push((member, None));
            } else if let Some(suppressed) = suppressed_member(r, v, &member) {
                // A suppressed member is not published and not ranked.
                if suppressed {
                    values.push((member, None));
                }
            } else if let Some(x) = number(r, v, &format!("the value for {member}")) {
                if unit_metric.is_none_or(|m| check_range(r, v.pos, x, m, &format!("the value for {member}"))) {
                    values.push((member, Some(x)));
                }
            }
        }
    }
    if let (Some(s), Some(items)) = (&self_name, f.get("values")) {
        if !values.is_empty() && !values.iter().any(|(m, _)| m == s) {
            let names: Vec<&str> = values.iter().map(|(m, _)| m.as_str()).collect();
            r.error(
                f.get("self").map(|n| n.pos).unwrap_or(items.pos),
                format!("this organisation, \"{s}\", is not among the values{}", suggestion(s, names.iter().copied())),
                "add its value, or set  self:  to the name it is listed under",
            );
        }
    }
    if let (Some(g), Some(s)) = (group, settings) {
        if let Some(m) = s.comparators[g].members {
            if (values.len() as u32) < m && !values.is_empty() {
                r.warning(
                    f.get("values").unwrap().pos,
                    format!("{} values are listed but {} has {m} members, so ranks will read \"of {}\"", values.len(), s.comparators[g].name, values.len()),
                    "add the missing councils (null where a value is not known), or correct members in site.toml",
                );
            }
            if values.len() as u32 > m {
                r.warning(
                    f.get("values").unwrap().pos,
                    format!("{} values are listed but {} has {m} members", values.len(), s.comparators[g].name),
                    "check the list, or the group's members in site.toml",
                );
            }
        }
    }
    Some(Benchmark { name: name.to_string(), metric: metric?, group: group?, period: period?, self_name: self_name?, values })
}

/// `{ value: null, suppressed: true }` in a benchmark: `Some(true)`; not a mapping: `None`.
fn suppressed_member(r: &mut Report, v: &Node, member: &str) -> Option<bool> {
    if !matches!(v.value, Value::Map(_)) {
        return None;
    }
    let f = Fields::read(r, v, &format!("the value for {member}"), &["value", "suppressed"])?;
    match f.get("suppressed").and_then(|n| super::fields::boolean(r, n, "suppressed")) {
        Some(true) => Some(true),
        _ => {
            r.error(v.pos, format!("the value for {member} should be a number"), "write a number, null, or { value: null, suppressed: true }");
            Some(false)
        }
    }
}

/// "A", "A and B", "A, B and C".
fn join_words(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
