//! `data/YYYY-YY/qN.yaml` and `data/benchmarks/NAME.yaml`.

use super::definitions::Benchmark;
use super::fields::{entries, list, number, one_of, text, whole, Fields, Report};
use super::names::Names;
use crate::catalogue::{Frequency, Metric, Unit};
use crate::diagnostic::{suggestion, Pos};
use crate::figure::{Flag, Flags};
use crate::index::{GroupIdx, MetricIdx};
use crate::load::{Node, Value};
use crate::period::{Date, FinancialYear, Month, Period, Quarter};
use serde::Serialize;

/// Whether a quarter's figures are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    /// May change; every figure carries `[p]`.
    Provisional,
    /// Published.
    Final,
}

/// A dated correction note.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revision {
    /// When.
    pub date: Date,
    /// What changed.
    pub note: String,
}

/// One figure as entered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reading {
    /// The number, or `None` for not available.
    pub value: Option<f64>,
    /// Disclosure control: never published.
    pub suppressed: bool,
    /// `estimated` / `low-reliability`.
    pub flags: Flags,
    /// A note for readers about this figure.
    pub note: Option<String>,
    /// A 95% confidence interval (low, high) around the value.
    pub ci: Option<(f64, f64)>,
}

/// Our rank in a comparator group, as entered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRank {
    /// The comparator group.
    pub group: GroupIdx,
    /// 1 = best.
    pub value: u32,
    /// The group's size when the rank was taken (else the group's `members`).
    pub of: Option<u32>,
    /// The period the rank is for, when not the figure's own.
    pub period: Option<Period>,
}

/// A comparator group's figure, as entered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupFigure {
    /// The comparator group.
    pub group: GroupIdx,
    /// The figure, if known.
    pub value: Option<f64>,
    /// Its 95% confidence interval.
    pub ci: Option<(f64, f64)>,
    /// The period it is for, when not the figure's own.
    pub period: Option<Period>,
}

/// A target set (or withdrawn) in a quarter's file; it holds from that quarter on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetDef {
    /// The metric.
    pub metric: MetricIdx,
    /// The target; `None` withdraws an earlier one.
    pub value: Option<f64>,
    /// The period it is to be met by; none for a standing target.
    pub by: Option<Period>,
    /// The planned path, keyed by the metric's own periods, in order.
    pub plan: Vec<(Period, f64)>,
}

/// A metric's entry in a quarter's file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// The metric.
    pub metric: MetricIdx,
    /// Where its key is.
    pub pos: Pos,
    /// For quarterly and annual metrics.
    pub reading: Option<Reading>,
    /// For monthly metrics, in month order; months before the quarter are revisions.
    pub months: Vec<(Month, Reading)>,
    /// Annual metrics: the year the figure is for.
    pub year: Option<FinancialYear>,
    /// Ranks within comparator groups.
    pub rank: Vec<GroupRank>,
    /// Comparator groups' figures.
    pub compare: Vec<GroupFigure>,
    /// A breakdown's categories, in the catalogue's order (`None`: not given).
    pub breakdown: Option<Vec<Option<Reading>>>,
    /// A note for readers.
    pub note: Option<String>,
}

/// A quarter's figures file.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// When the next report is due.
    pub next_update: Option<Date>,
    /// Targets set or changed in this quarter.
    pub targets: Vec<TargetDef>,
}

const ENTRY_KEYS: &[&str] = &["value", "months", "year", "rank", "compare", "note", "suppressed", "flags", "ci", "by"];
const READING_KEYS: &[&str] = &["value", "suppressed", "flags", "note", "ci"];

/// Reads and checks one quarter's figures.
pub fn read_quarter(r: &mut Report, node: &Node, quarter: Quarter, names: &Names) -> Option<QuarterFile> {
    let cat = names.catalogue;
    let f = Fields::read(r, node, "a quarter's figures file", &["status", "published", "data_as_of", "revisions", "values", "targets", "next_update"])?;
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
    let revisions = f.get("revisions").map(|n| read_revisions(r, n, published)).unwrap_or_default();
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
    let next_update = f.get("next_update").and_then(|n| date(r, n, "next_update"));
    if let (Some(d), Some(n)) = (next_update, f.get("next_update")) {
        if d.month() <= quarter.last_month() || published.is_some_and(|p| d <= p) {
            r.error(
                n.pos,
                format!("the next report is due on {d}, which is not after this report"),
                "give the date the next quarter's report is due, after this one is published",
            );
        }
    }
    let mut targets = Vec::new();
    if let Some(items) = f.get("targets").and_then(|n| entries(r, n, "targets", "reviews-overdue: { value: 400, by: 2025-26/q3 }")) {
        for (k, v) in items {
            let Some(key) = text(r, k, "metric id") else { continue };
            let Some(mi) = names.metric(r, k.pos, &key, " in targets") else { continue };
            if let Some(t) = read_target(r, v, mi, &cat.metrics[mi], quarter) {
                targets.push(t);
            }
        }
    }
    Some(QuarterFile { quarter, file: r.file.to_string(), status: status?, published, data_as_of, revisions, entries: out, next_update, targets })
}

/// A month `YYYY-MM`, a quarter `YYYY-YY/qN` or a year `YYYY-YY`.
pub fn parse_period(s: &str) -> Result<Period, String> {
    if s.contains('/') {
        Quarter::parse(s).map(Period::Quarter)
    } else if let Ok(y) = FinancialYear::parse(s) {
        Ok(Period::Year(y))
    } else if let Ok(m) = Month::parse(s) {
        Ok(Period::Month(m))
    } else {
        Err(format!("\"{s}\" is not a month, a quarter or a year"))
    }
}

/// The metric's own kind of period, in words, with an example.
fn period_kind(m: &Metric) -> (&'static str, &'static str) {
    match m.frequency {
        Frequency::Monthly(_) => ("months", "2025-01"),
        Frequency::Quarterly => ("quarters", "2025-26/q1"),
        Frequency::Annual => ("years", "2025-26"),
    }
}

fn is_kind(p: Period, m: &Metric) -> bool {
    matches!((p, m.frequency), (Period::Month(_), Frequency::Monthly(_)) | (Period::Quarter(_), Frequency::Quarterly) | (Period::Year(_), Frequency::Annual))
}

/// The first month a period covers.
pub fn first_month(p: Period) -> Month {
    match p {
        Period::Month(m) => m,
        Period::Quarter(q) => q.first_month(),
        Period::Year(y) => Quarter::new(y, 1).expect("q1").first_month(),
    }
}

/// Corrections to a published report, oldest first (`revisions:`).
fn read_revisions(r: &mut Report, node: &Node, published: Option<Date>) -> Vec<Revision> {
    let mut revisions = Vec::new();
    let Some(items) = list(r, node, "revisions", "- { date: 2025-02-01, note: Corrected ... }") else { return revisions };
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
    revisions
}

/// `ID: 72`, `ID: null` or `ID: { value, by, plan }`.
fn read_target(r: &mut Report, node: &Node, mi: MetricIdx, m: &Metric, quarter: Quarter) -> Option<TargetDef> {
    let id = m.id.as_str();
    let what = format!("the target for \"{id}\"");
    let mut t = TargetDef { metric: mi, value: None, by: None, plan: Vec::new() };
    match &node.value {
        Value::Null => return Some(t),
        Value::Map(_) => {}
        _ => {
            let v = number(r, node, &what)?;
            t.value = check_range(r, node.pos, v, m, &what).then_some(v);
            return t.value.map(|_| t);
        }
    }
    let f = Fields::read(r, node, &what, &["value", "by", "plan"])?;
    let vnode = f.required(r, "value", &what, "400")?;
    if vnode.value == Value::Null {
        if let Some(k) = f.key("by").or(f.key("plan")) {
            r.error(k.pos, format!("{what} is withdrawn (value: null), so it has no date or plan"), "remove the by and plan lines, or give the target's value");
        }
        return Some(t);
    }
    let v = number(r, vnode, &what)?;
    let ok = check_range(r, vnode.pos, v, m, &what);
    t.value = Some(v);
    if let Some(n) = f.get("by") {
        let word = text(r, n, "by")?;
        match parse_period(&word) {
            Ok(p) if p.last_month() < quarter.first_month() => {
                r.error(
                    n.pos,
                    format!("{what} is due by {}, before {}, the quarter that sets it", p.long(), quarter.long()),
                    "a target is set for the future: give a date from this quarter on, or set it in the quarter it was agreed",
                );
                return None;
            }
            Ok(p) => t.by = Some(p),
            Err(e) => {
                r.error(n.pos, e, "write when the target is due: a month (2026-03), a quarter (2025-26/q3) or a year (2025-26)");
                return None;
            }
        }
    }
    let (plan, plan_ok) = f.get("plan").map(|pn| read_plan(r, pn, m, quarter, t.by)).unwrap_or((Vec::new(), true));
    t.plan = plan;
    (ok && plan_ok).then_some(t)
}

/// A target's planned path, keyed by the metric's own periods inside the target's span, in
/// order; and whether every key was sound.
fn read_plan(r: &mut Report, pn: &Node, m: &Metric, quarter: Quarter, by: Option<Period>) -> (Vec<(Period, f64)>, bool) {
    let id = m.id.as_str();
    let (mut plan, mut plan_ok) = (Vec::new(), true);
    let (kind, example) = period_kind(m);
    for (pk, pv) in entries(r, pn, "plan", &format!("{{ {example}: 500 }}")).unwrap_or(&[]) {
        let word = pk.as_key().unwrap_or_default();
        let p = match parse_period(&word) {
            Ok(p) => p,
            Err(e) => {
                r.error(pk.pos, e, format!("\"{id}\" is planned by {kind}: write keys like {example}"));
                plan_ok = false;
                continue;
            }
        };
        if !is_kind(p, m) {
            r.error(
                pk.pos,
                format!("the plan for \"{id}\" is keyed by {kind}, but {word} is not one"),
                format!("\"{id}\" is {}: key its plan by {kind}, e.g. {example}", m.frequency.words().to_lowercase()),
            );
            plan_ok = false;
            continue;
        }
        let before = p.last_month() < quarter.first_month() && !matches!(p, Period::Year(y) if y == quarter.year);
        let after = by.is_some_and(|b| first_month(p) > b.last_month());
        if before || after {
            let span = match by {
                Some(b) => format!("from {} to {}", quarter.long(), b.long()),
                None => format!("from {} on", quarter.long()),
            };
            r.error(
                pk.pos,
                format!("{} is outside the target's span, {span}", p.long()),
                "plan only the periods from the quarter that sets the target up to its date",
            );
            plan_ok = false;
            continue;
        }
        if pv.value == Value::Null {
            continue;
        }
        if let Some(x) = number(r, pv, &format!("the plan for {}", p.long())) {
            if check_range(r, pv.pos, x, m, &format!("the plan for {}", p.long())) {
                plan.push((p, x));
            }
        }
    }
    plan.sort_by_key(|(p, _)| *p);
    (plan, plan_ok)
}

fn read_entry(r: &mut Report, pos: Pos, node: &Node, mi: MetricIdx, m: &Metric, quarter: Quarter, names: &Names) -> Option<Entry> {
    let mut e = Entry { metric: mi, pos, reading: None, months: Vec::new(), year: None, rank: Vec::new(), compare: Vec::new(), breakdown: None, note: None };
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
        Frequency::Monthly(_) => e.months = read_months(r, &f, m, quarter)?,
        _ => read_single(r, node, &f, m, &mut e),
    }
    e.year = read_year(r, &f, m, quarter);
    if let Some(rank) = f.get("rank") {
        e.rank = read_ranks(r, rank, quarter, names);
    }
    if let Some(cmp) = f.get("compare") {
        e.compare = read_compares(r, cmp, m, quarter, names);
    }
    // The entry's note, then any notes on its months, for readers of this quarter.
    let mut notes: Vec<String> = f.get("note").and_then(|n| text(r, n, "note")).into_iter().collect();
    notes.extend(e.months.iter().filter_map(|(mo, rd)| rd.note.as_ref().map(|n| format!("{}: {n}", mo.long()))));
    e.note = (!notes.is_empty()).then(|| notes.join(" "));
    Some(e)
}

/// A monthly metric's months, in order; `None` when the entry has no `months`.
fn read_months(r: &mut Report, f: &Fields, m: &Metric, quarter: Quarter) -> Option<Vec<(Month, Reading)>> {
    let id = m.id.as_str();
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
    if let Some(k) = f.key("by") {
        r.error(
            k.pos,
            format!("\"{id}\" is a monthly metric, and only quarterly and annual counts can be broken down"),
            "give the breakdown on a quarterly metric of its own",
        );
    }
    if let Some(k) = f.key("ci") {
        r.error(
            k.pos,
            format!("\"ci\" belongs to a month of \"{id}\", not to the whole entry"),
            "write it on the month, e.g. 2024-08: { value: 70.4, ci: [68.1, 72.7] }",
        );
    }
    let months = f.required(r, "months", &format!("the entry for \"{id}\""), "{ 2024-07: 1450, 2024-08: 1380, 2024-09: 1422 }")?;
    // Months written, even with a mistake in them; `None` once a month name cannot be read.
    let mut written: Option<Vec<Month>> = Some(Vec::new());
    let mut out = Vec::new();
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
            out.push((month, rd));
        }
    }
    out.sort_by_key(|(mo, _)| *mo);
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
                crate::words::join_and(&missing),
                quarter.long(),
                if copied { ": was this file copied from an earlier quarter?" } else { "" }
            ),
            "give every month of the quarter, with null for a figure that is not available",
        );
    }
    Some(out)
}

/// A quarterly or annual metric's value, or its breakdown (whose sum is then the total).
fn read_single(r: &mut Report, node: &Node, f: &Fields, m: &Metric, e: &mut Entry) {
    let id = m.id.as_str();
    if let Some(k) = f.key("months") {
        r.error(k.pos, format!("\"{id}\" is a {} metric: give one value, not months", m.frequency.words().to_lowercase()), "write  value: 81");
    }
    if let Some(b) = f.get("by") {
        e.breakdown = read_breakdown(r, b, f, m);
    }
    if f.get("value").is_none() {
        if e.breakdown.is_some() || f.key("by").is_some() {
            // The total is the sum of the categories (see the model).
            if let Some(k) = ["suppressed", "flags", "ci"].iter().find_map(|k| f.key(k)) {
                r.error(
                    k.pos,
                    format!("\"{}\" needs the total's value beside it", k.as_key().unwrap_or_default()),
                    "give  value:  (the total), or put it on a category",
                );
            }
        } else if f.key("months").is_none() && !f.misspelt("value") {
            r.error(node.pos, format!("the entry for \"{id}\" has no value"), "add  value: 81  (or value: null when the figure is not available)");
        }
    } else {
        e.reading = reading_fields(r, f, m, &format!("the value of \"{id}\""));
    }
}

/// An annual metric's `year`, when given and sound.
fn read_year(r: &mut Report, f: &Fields, m: &Metric, quarter: Quarter) -> Option<FinancialYear> {
    let id = m.id.as_str();
    let y = f.get("year")?;
    if m.frequency != Frequency::Annual {
        r.error(
            f.key("year").unwrap().pos,
            format!("\"year\" is only for annual metrics, but \"{id}\" is {}", m.frequency.words().to_lowercase()),
            "remove the year line",
        );
        return None;
    }
    let word = text(r, y, "year")?;
    match FinancialYear::parse(&word) {
        Ok(fy) if fy > quarter.year => {
            r.error(
                y.pos,
                format!("the year {fy} is after this quarter's year {}", quarter.year),
                "an annual figure can only be for this financial year or an earlier one",
            );
            None
        }
        Ok(fy) => Some(fy),
        Err(msg) => {
            r.error(y.pos, msg, "write the financial year the figure is for, e.g. year: 2023-24");
            None
        }
    }
}

/// Our ranks within comparator groups (`rank:`).
fn read_ranks(r: &mut Report, rank: &Node, quarter: Quarter, names: &Names) -> Vec<GroupRank> {
    let mut out = Vec::new();
    for (gk, gv) in entries(r, rank, "rank", "{ nw: 6 }").unwrap_or(&[]) {
        let Some(g) = names.group(r, gk.pos, &gk.as_key().unwrap_or_default(), "") else { continue };
        let c = &names.settings.expect("a group resolves only with settings").comparators[g];
        let (vnode, of, period) = match &gv.value {
            Value::Map(_) => {
                let Some(rf) = Fields::read(r, gv, &format!("the rank in {}", c.id), &["value", "of", "period"]) else { continue };
                let Some(v) = rf.required(r, "value", &format!("the rank in {}", c.id), "6") else { continue };
                let of = rf.get("of").and_then(|n| whole(r, n, "the group's size", 1, 100_000)).map(|x| x as u32);
                let period = rf.get("period").and_then(|n| lag_period(r, n, quarter));
                if rf.get("period").is_some() && period.is_none() {
                    continue;
                }
                (v, of, period)
            }
            _ => (gv, None, None),
        };
        let Some(size) = of.or(c.members) else {
            r.error(
                gk.pos,
                format!("a rank in \"{}\" needs the group's size", c.id),
                format!("write  {}: {{ value: 6, of: 24 }}, or add members to {} in site.toml's [comparators]", c.id, c.id),
            );
            continue;
        };
        if let Some(v) = whole(r, vnode, "a rank", 1, size as i64) {
            out.push(GroupRank { group: g, value: v as u32, of, period });
        }
    }
    out
}

/// Comparator groups' figures (`compare:`).
fn read_compares(r: &mut Report, cmp: &Node, m: &Metric, quarter: Quarter, names: &Names) -> Vec<GroupFigure> {
    let mut out = Vec::new();
    for (gk, gv) in entries(r, cmp, "compare", "{ nw: 84.1, england: 83.0 }").unwrap_or(&[]) {
        let Some(g) = names.group(r, gk.pos, &gk.as_key().unwrap_or_default(), "") else { continue };
        let gid = gk.as_key().unwrap_or_default();
        let what = format!("the {gid} value");
        match &gv.value {
            Value::Null => out.push(GroupFigure { group: g, value: None, ci: None, period: None }),
            Value::Map(_) => {
                let Some(cf) = Fields::read(r, gv, &what, &["value", "ci", "period"]) else { continue };
                let Some(vn) = cf.required(r, "value", &what, "84.1") else { continue };
                let period = cf.get("period").and_then(|n| lag_period(r, n, quarter));
                if cf.get("period").is_some() && period.is_none() {
                    continue;
                }
                if vn.value == Value::Null {
                    out.push(GroupFigure { group: g, value: None, ci: None, period });
                    continue;
                }
                let Some(v) = number(r, vn, &what) else { continue };
                if !check_range(r, vn.pos, v, m, "the comparator value") {
                    continue;
                }
                let ci = match cf.get("ci") {
                    Some(n) => match interval(r, n, v, m) {
                        Some(ci) => Some(ci),
                        None => continue,
                    },
                    None => None,
                };
                out.push(GroupFigure { group: g, value: Some(v), ci, period });
            }
            _ => {
                if let Some(v) = number(r, gv, &what) {
                    if check_range(r, gv.pos, v, m, "the comparator value") {
                        out.push(GroupFigure { group: g, value: Some(v), ci: None, period: None });
                    }
                }
            }
        }
    }
    out
}

/// A number, `null`, or `{ value, suppressed, flags, note }`.
fn reading(r: &mut Report, node: &Node, m: &Metric, what: &str) -> Option<Reading> {
    match &node.value {
        Value::Null => Some(Reading { value: None, suppressed: false, flags: Flags::NONE, note: None, ci: None }),
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
            check_range(r, node.pos, v, m, what).then_some(Reading { value: Some(v), suppressed: false, flags: Flags::NONE, note: None, ci: None })
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
    let ci = match (f.get("ci"), value) {
        (Some(n), Some(v)) => Some(interval(r, n, v, m)?),
        (Some(n), None) => {
            r.error(n.pos, format!("{what} is not available (null), so it has no confidence interval"), "remove the ci line, or give the value");
            return None;
        }
        (None, _) => None,
    };
    Some(Reading { value, suppressed, flags, note, ci })
}

/// `ci: [low, high]` around `v`: two numbers with low <= v <= high.
fn interval(r: &mut Report, node: &Node, v: f64, m: &Metric) -> Option<(f64, f64)> {
    let items = list(r, node, "ci", "[68.1, 72.7]")?;
    let [lo, hi] = items else {
        r.error(node.pos, format!("a confidence interval has two numbers, low and high, but this has {}", items.len()), "write  ci: [68.1, 72.7]");
        return None;
    };
    let (lo_v, hi_v) = (number(r, lo, "the interval's low end")?, number(r, hi, "the interval's high end")?);
    if !(check_range(r, lo.pos, lo_v, m, "the interval's low end") && check_range(r, hi.pos, hi_v, m, "the interval's high end")) {
        return None;
    }
    if !(lo_v <= v && v <= hi_v) {
        r.error(
            node.pos,
            format!("the confidence interval [{lo_v}, {hi_v}] does not contain its value {v}"),
            "write the interval low first, high second, around the figure: check both against the source",
        );
        return None;
    }
    Some((lo_v, hi_v))
}

/// The period a lagged rank or comparator figure is for: a month, quarter or year, not after this quarter.
fn lag_period(r: &mut Report, node: &Node, quarter: Quarter) -> Option<Period> {
    let word = text(r, node, "period")?;
    match parse_period(&word) {
        Ok(p) if first_month(p) > quarter.last_month() => {
            r.error(
                node.pos,
                format!("{} is after this quarter, {}", p.long(), quarter.long()),
                "a rank or comparator figure can only be for this quarter or an earlier period",
            );
            None
        }
        Ok(p) => Some(p),
        Err(e) => {
            r.error(node.pos, e, "write the period it is for: a quarter (2024-25/q1), a year (2023-24) or a month (2024-06)");
            None
        }
    }
}

/// `by: { CATEGORY: figure, ... }` beside an optional total; checks the disclosure rules.
fn read_breakdown(r: &mut Report, node: &Node, f: &Fields, m: &Metric) -> Option<Vec<Option<Reading>>> {
    let id = m.id.as_str();
    if m.breakdown.is_empty() {
        r.error(
            f.key("by").unwrap_or(node).pos,
            format!("\"{id}\" has no breakdown categories in data/metrics.yaml"),
            format!("add  breakdown: {{ category-id: Label, ... }}  to the metric \"{id}\", or remove the by line"),
        );
        return None;
    }
    let ids: Vec<&str> = m.breakdown.iter().map(|(c, _)| c.as_str()).collect();
    let mut cats: Vec<Option<Reading>> = vec![None; ids.len()];
    let mut ok = true;
    for (ck, cv) in entries(r, node, "by", "{ upheld: 3, not-upheld: 13 }")? {
        let word = ck.as_key().unwrap_or_default();
        let Some(ci) = ids.iter().position(|c| *c == word) else {
            r.error(
                ck.pos,
                format!("unknown category \"{word}\" of \"{id}\"{}", suggestion(&word, ids.iter().copied())),
                format!("the categories are {}", ids.join(", ")),
            );
            ok = false;
            continue;
        };
        match reading(r, cv, m, &format!("the \"{word}\" figure of \"{id}\"")) {
            Some(rd) => cats[ci] = Some(rd),
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    let numbers: Vec<f64> = cats.iter().flatten().filter_map(|c| c.value).collect();
    let all_numbers = cats.iter().all(|c| c.as_ref().is_some_and(|c| c.value.is_some()));
    let sum: f64 = numbers.iter().sum();
    let suppressed = cats.iter().flatten().filter(|c| c.suppressed).count();
    if let Some(vn) = f.get("value") {
        if let Some(total) = vn.as_f64() {
            if total < sum || (all_numbers && total != sum) {
                r.error(
                    vn.pos,
                    format!("the total {total} of \"{id}\" differs from its categories, which add up to {sum}"),
                    "make the total the sum of the categories (suppressed ones included), or leave out value: to have it added up",
                );
                return None;
            }
            let published = f.get("suppressed").and_then(|n| n.as_key()).is_none_or(|b| b != "true");
            if published && suppressed == 1 {
                r.error(
                    f.key("by").unwrap_or(node).pos,
                    format!("one category of \"{id}\" is suppressed but the total is published, so it could be worked out by subtraction"),
                    "suppress a second category, or the total",
                );
                return None;
            }
        }
    }
    Some(cats)
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
    let period = f.required(r, "period", "the benchmark file", "2023-24").and_then(|n| benchmark_period(r, n));
    let self_name = match f.get("self") {
        Some(n) => text(r, n, "self"),
        None => settings.map(|s| s.organisation.clone()),
    };
    let mut values = Vec::new();
    let mut cis = Vec::new();
    let unit_metric = metric.map(|m| &cat.metrics[m]);
    // A figure: a number, or { value, ci } (a survey's 95% interval).
    let figure = |r: &mut Report, v: &Node, what: &str| -> Option<(f64, Option<(f64, f64)>)> {
        let (vn, cin) = match &v.value {
            Value::Map(_) => {
                let f = Fields::read(r, v, what, &["value", "ci", "suppressed"])?;
                (f.required(r, "value", what, "61.2")?, f.get("ci"))
            }
            _ => (v, None),
        };
        let x = number(r, vn, what)?;
        if unit_metric.is_some_and(|m| !check_range(r, vn.pos, x, m, what)) {
            return None;
        }
        let ci = match (cin, unit_metric) {
            (Some(n), Some(m)) => Some(interval(r, n, x, m)?),
            _ => None,
        };
        Some((x, ci))
    };
    // The group's published figure (import ascof writes it); null when it is not published.
    let overall = f.get("overall").filter(|o| o.value != Value::Null).and_then(|n| figure(r, n, "the overall figure"));
    if let Some(items) =
        f.required(r, "values", "the benchmark file", "{ Blackburn with Darwen: 61.2 }").and_then(|n| entries(r, n, "values", "Blackburn with Darwen: 61.2"))
    {
        (values, cis) = read_members(r, items, figure);
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
    if let (Some(g), Some(s), Some(items)) = (group, settings, f.get("values")) {
        check_group_size(r, items.pos, values.len(), &s.comparators[g]);
    }
    Some(Benchmark { name: name.to_string(), metric: metric?, group: group?, period: period?, self_name: self_name?, values, cis, overall })
}

/// A benchmark's period: a year (2023-24) or a quarter (2024-25/q2).
fn benchmark_period(r: &mut Report, n: &Node) -> Option<Period> {
    let s = text(r, n, "period")?;
    let parsed = if s.contains('/') { Quarter::parse(&s).map(Period::Quarter) } else { FinancialYear::parse(&s).map(Period::Year) };
    parsed.map_err(|e| r.error(n.pos, e, "write a year (2023-24) or a quarter (2024-25/q2)")).ok()
}

/// A benchmark's members, each with its value (`None`: not available or suppressed), in file
/// order; and the confidence intervals given.
#[allow(clippy::type_complexity)] // The same shapes as the fields of `Benchmark` they fill.
fn read_members(
    r: &mut Report,
    items: &[(Node, Node)],
    figure: impl Fn(&mut Report, &Node, &str) -> Option<(f64, Option<(f64, f64)>)>,
) -> (Vec<(String, Option<f64>)>, Vec<(String, (f64, f64))>) {
    let (mut values, mut cis) = (Vec::new(), Vec::new());
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
        } else if is_suppressed_member(v) {
            // A suppressed member is not published and not ranked.
            values.push((member, None));
        } else if let Some((x, ci)) = figure(r, v, &format!("the value for {member}")) {
            if let Some(ci) = ci {
                cis.push((member.clone(), ci));
            }
            values.push((member, Some(x)));
        }
    }
    (values, cis)
}

/// Warns when a benchmark lists fewer or more members than its group has.
fn check_group_size(r: &mut Report, pos: Pos, listed: usize, group: &super::Comparator) {
    let Some(m) = group.members else { return };
    if (listed as u32) < m && listed > 0 {
        r.warning(
            pos,
            format!("{listed} values are listed but {} has {m} members, so ranks will read \"of {listed}\"", group.name),
            "add the missing councils (null where a value is not known), or correct members in site.toml",
        );
    }
    if listed as u32 > m {
        r.warning(pos, format!("{listed} values are listed but {} has {m} members", group.name), "check the list, or the group's members in site.toml");
    }
}

/// `{ value: null, suppressed: true }` (or any value) in a benchmark: withheld, so not ranked.
fn is_suppressed_member(v: &Node) -> bool {
    let Value::Map(entries) = &v.value else { return false };
    entries.iter().any(|(k, x)| k.as_key().as_deref() == Some("suppressed") && x.value == Value::Bool(true))
}
