//! Open data: the figures as CSV and JSON. Suppressed values are left blank with the flag `c`.
//!
//! Owns: the open-data files. Called by `render` (its parent), whose `OutputFile` it returns;
//! must not import `pages` or `feeds`.

use super::OutputFile;
use crate::catalogue::{Frequency, Metric, Unit};
use crate::figure::Figure;
use crate::index::MetricIdx;
use crate::model::{Point, Site};
use crate::validate::Status;
use serde::Serialize;

fn value_cell(f: Figure) -> String {
    f.value().map(|v| format!("{v}")).unwrap_or_default()
}

fn flags_cell(f: Figure) -> String {
    f.markers().iter().map(char::to_string).collect::<Vec<_>>().join(" ")
}

/// A cell a spreadsheet will not run as a formula: text starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return gets a leading `'` (as OWASP advises); numbers stay numbers.
fn safe_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let formula_like = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula_like && !cell.parse::<f64>().is_ok_and(f64::is_finite) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn csv_bytes(header: &[&str], rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    w.write_record(header).expect("csv in memory");
    for r in rows {
        w.write_record(r.iter().map(|c| safe_cell(c).into_owned())).expect("csv in memory");
    }
    w.into_inner().expect("csv in memory")
}

fn period_type(p: crate::period::Period) -> &'static str {
    match p {
        crate::period::Period::Month(_) => "month",
        crate::period::Period::Quarter(_) => "quarter",
        crate::period::Period::Year(_) => "financial-year",
    }
}

#[cfg(test)]
mod tests {
    use super::{column_words, safe_cell, BREAKDOWN_COLUMNS, COMPARATOR_COLUMNS, METRIC_COLUMNS, QUARTER_COLUMNS};

    #[test]
    fn every_column_of_every_download_is_described_for_csv_on_the_web() {
        for column in METRIC_COLUMNS.iter().chain(&QUARTER_COLUMNS).chain(&COMPARATOR_COLUMNS).chain(&BREAKDOWN_COLUMNS) {
            assert!(!column_words(column).1.is_empty(), "{column} has no description");
        }
    }

    #[test]
    fn formula_like_text_is_neutralised_and_numbers_are_not() {
        for hostile in ["=HYPERLINK(\"http://x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\r=1", "-inf", "+nan"] {
            assert_eq!(safe_cell(hostile), format!("'{hostile}"), "{hostile:?}");
        }
        for plain in ["-3", "-0.5", "+4", "12", "Waiting list", "2024-25", ""] {
            assert_eq!(safe_cell(plain), plain);
        }
    }
}

#[derive(Serialize)]
struct JsonPoint {
    period: String,
    period_type: &'static str,
    value: Option<f64>,
    flags: Vec<String>,
}

#[derive(Serialize)]
struct JsonMetric<'a> {
    id: &'a str,
    title: &'a str,
    section: &'a str,
    unit: &'static str,
    per: Option<u32>,
    polarity: crate::catalogue::Polarity,
    frequency: &'static str,
    target: Option<f64>,
    ascof: Option<&'a str>,
    source: Option<&'a str>,
    figures: Vec<JsonPoint>,
    /// The target in force at the latest quarter, with its date and plan.
    target_in_force: Option<JsonTarget>,
    comparators: Vec<JsonComparator>,
    ranks: Vec<JsonRank>,
    breakdown: Vec<JsonCategory>,
}

#[derive(Serialize)]
struct JsonTarget {
    value: f64,
    by: Option<String>,
    set_in: Option<String>,
    plan: Vec<(String, f64)>,
}

#[derive(Serialize)]
struct JsonComparator {
    group: String,
    period: String,
    value: Option<f64>,
}

#[derive(Serialize)]
struct JsonRank {
    group: String,
    period: String,
    rank: u32,
    of: Option<u32>,
}

#[derive(Serialize)]
struct JsonCategory {
    period: String,
    category: String,
    label: String,
    value: Option<f64>,
    flags: Vec<String>,
}

#[derive(Serialize)]
struct JsonQuarter {
    quarter: String,
    label: String,
    status: &'static str,
    published: Option<String>,
    url: String,
}

#[derive(Serialize)]
struct JsonAll<'a> {
    title: &'a str,
    organisation: &'a str,
    as_of: Option<String>,
    flags: Vec<(String, &'static str)>,
    quarters: Vec<JsonQuarter>,
    metrics: Vec<JsonMetric<'a>>,
}

fn json_point(p: &Point) -> JsonPoint {
    JsonPoint {
        period: p.period.to_string(),
        period_type: period_type(p.period),
        value: p.figure.value(),
        flags: p.figure.markers().iter().map(char::to_string).collect(),
    }
}

fn plan_cell(v: &crate::model::MetricView, m: &crate::catalogue::Metric, p: crate::period::Period) -> String {
    v.target.as_ref().and_then(|t| t.plan_for(m, p)).map(|x| format!("{x}")).unwrap_or_default()
}

fn ci_cells(ci: Option<(f64, f64)>) -> (String, String) {
    ci.map(|(l, h)| (format!("{l}"), format!("{h}"))).unwrap_or_default()
}

/// The columns of a measure's file.
const METRIC_COLUMNS: [&str; 8] = ["metric_id", "period", "period_type", "value", "flags", "unit", "metric", "source"];

/// The columns of a quarter's file.
const QUARTER_COLUMNS: [&str; 18] = [
    "metric_id",
    "metric",
    "unit",
    "period",
    "value",
    "flags",
    "previous_period",
    "previous_value",
    "previous_flags",
    "direction",
    "note",
    "target",
    "target_by",
    "plan",
    "against_plan",
    "year_ago_period",
    "year_ago_value",
    "year_ago_flags",
];

/// The columns of a quarter's comparators file.
const COMPARATOR_COLUMNS: [&str; 16] = [
    "metric_id",
    "period",
    "value",
    "ci_low",
    "ci_high",
    "group",
    "group_name",
    "group_period",
    "group_value",
    "group_ci_low",
    "group_ci_high",
    "comparison",
    "rank",
    "rank_of",
    "rank_period",
    "quartile",
];

/// The columns of a quarter's breakdowns file.
const BREAKDOWN_COLUMNS: [&str; 7] = ["metric_id", "period", "category", "label", "value", "flags", "share_percent"];

/// A quarter's comparator groups in long form: one row per metric and group, each figure with its own period.
fn comparators_csv(site: &Site, q: &crate::model::QuarterReport) -> Vec<u8> {
    let header = COMPARATOR_COLUMNS;
    let mut rows = Vec::new();
    for (mi, m) in site.catalogue.metrics.iter_enumerated() {
        let v = &q.metrics[mi];
        let Some(cur) = v.current else { continue };
        for g in &v.groups {
            let (cl, ch) = ci_cells(v.ci);
            let (gl, gh) = ci_cells(g.ci);
            let comparison = match (cur.figure.value(), g.value) {
                (Some(o), Some(t)) => crate::model::Comparison::of(m, o, v.ci, t, g.ci).words().to_string(),
                _ => String::new(),
            };
            rows.push(vec![
                m.id.to_string(),
                cur.period.to_string(),
                value_cell(cur.figure),
                cl,
                ch,
                site.settings.comparators[g.group].id.clone(),
                site.settings.comparators[g.group].name.clone(),
                g.value_period.map(|p| p.to_string()).unwrap_or_default(),
                g.value.map(|x| format!("{x}")).unwrap_or_default(),
                gl,
                gh,
                comparison,
                g.rank.map(|r| r.to_string()).unwrap_or_default(),
                g.of.map(|r| r.to_string()).unwrap_or_default(),
                g.rank_period.map(|p| p.to_string()).unwrap_or_default(),
                g.quartile().map(|x| crate::model::quartile_words(x).to_string()).unwrap_or_default(),
            ]);
        }
    }
    csv_bytes(&header, rows)
}

/// Shares as published: only where neither the category nor the total is withheld.
fn share_cell(c: Figure, total: Figure) -> String {
    match (c, total) {
        (Figure::Value(v, _), Figure::Value(t, _)) if t > 0.0 => format!("{:.1}", v / t * 100.0),
        _ => String::new(),
    }
}

/// A quarter's breakdowns in long form: one row per category, with the total's row.
fn breakdowns_csv(site: &Site, q: &crate::model::QuarterReport) -> Vec<u8> {
    let header = BREAKDOWN_COLUMNS;
    let mut rows = Vec::new();
    for (mi, m) in site.catalogue.metrics.iter_enumerated() {
        let v = &q.metrics[mi];
        for (period, cats) in &v.breakdowns {
            let total = v.series.iter().find(|p| p.period == *period).map(|p| p.figure).unwrap_or(Figure::NotAvailable(Default::default()));
            for ((cid, label), c) in m.breakdown.iter().zip(cats) {
                rows.push(vec![m.id.to_string(), period.to_string(), cid.clone(), label.clone(), value_cell(*c), flags_cell(*c), share_cell(*c, total)]);
            }
            rows.push(vec![m.id.to_string(), period.to_string(), "total".into(), "Total".into(), value_cell(total), flags_cell(total), String::new()]);
        }
    }
    csv_bytes(&header, rows)
}

/// Every download: one CSV per metric, one per quarter, and all.json.
pub fn files(site: &Site) -> Vec<OutputFile> {
    let latest = site.latest.or(site.quarters.len().checked_sub(1));
    let mut out: Vec<OutputFile> = site.catalogue.metrics.iter_enumerated().map(|(mi, m)| metric_csv(site, latest, mi, m)).collect();
    for (qi, q) in site.quarters.iter().enumerate() {
        out.push(OutputFile { path: format!("data/{}.csv", q.quarter.slug()), bytes: quarter_csv(site, qi) });
        out.push(OutputFile { path: format!("data/{}-comparators.csv", q.quarter.slug()), bytes: comparators_csv(site, q) });
        out.push(OutputFile { path: format!("data/{}-breakdowns.csv", q.quarter.slug()), bytes: breakdowns_csv(site, q) });
    }
    // Compact, not indented: indentation doubled the file, and browsers and tools lay JSON out themselves.
    let mut json = serde_json::to_vec(&all_json(site, latest)).expect("json in memory");
    json.push(b'\n');
    out.push(OutputFile { path: "data/all.json".into(), bytes: json });
    out.extend(csvw(site));
    out
}

/// A metric's own CSV: every figure as known at the latest quarter. The measure's title and
/// source ride along, so a file stands on its own once downloaded.
fn metric_csv(site: &Site, latest: Option<usize>, mi: MetricIdx, m: &Metric) -> OutputFile {
    let series = latest.map(|l| site.quarters[l].metrics[mi].series.clone()).unwrap_or_default();
    let rows = series
        .iter()
        .map(|p| {
            vec![
                m.id.to_string(),
                p.period.to_string(),
                period_type(p.period).into(),
                value_cell(p.figure),
                flags_cell(p.figure),
                m.unit.axis_label(),
                m.title.clone(),
                m.source.clone().unwrap_or_default(),
            ]
        })
        .collect();
    OutputFile { path: format!("data/{}.csv", m.id), bytes: csv_bytes(&METRIC_COLUMNS, rows) }
}

/// A quarter's CSV: each metric's figure with the one before, the target and the year before.
fn quarter_csv(site: &Site, qi: usize) -> Vec<u8> {
    let q = &site.quarters[qi];
    let earlier = qi.checked_sub(1).map(|i| &site.quarters[i]);
    let mut rows = Vec::new();
    for (mi, m) in site.catalogue.metrics.iter_enumerated() {
        let v = &q.metrics[mi];
        let Some(cur) = v.current else { continue };
        let direction = v.change(m).map(|c| c.direction.words().to_string()).unwrap_or_default();
        let (pp, pv, pf) = v.previous.map(|p| (p.period.to_string(), value_cell(p.figure), flags_cell(p.figure))).unwrap_or_default();
        let (yp, yv, yf) = v.year_ago.map(|p| (p.period.to_string(), value_cell(p.figure), flags_cell(p.figure))).unwrap_or_default();
        let plan = v.target.as_ref().and_then(|t| t.plan_for(m, cur.period));
        let against = match (plan, cur.figure.value()) {
            (Some(p), Some(x)) => crate::model::target_against(m, x, p).words(m),
            _ => String::new(),
        };
        rows.push(vec![
            m.id.to_string(),
            m.title.clone(),
            m.unit.axis_label(),
            cur.period.to_string(),
            value_cell(cur.figure),
            flags_cell(cur.figure),
            pp,
            pv,
            pf,
            direction,
            v.note.clone().unwrap_or_default(),
            v.target.as_ref().map(|t| format!("{}", t.value)).unwrap_or_default(),
            v.target.as_ref().and_then(|t| t.by).map(|b| b.to_string()).unwrap_or_default(),
            plan.map(|p| format!("{p}")).unwrap_or_default(),
            against,
            yp,
            yv,
            yf,
        ]);
        if let Frequency::Monthly(_) = m.frequency {
            // Months this quarter's file revises come first, so the download holds everything it says.
            let before = q.quarter.first_month();
            let revisions = v.series.iter().filter(|p| match p.period {
                // A series is in period order (one figure a period): looked up, not scanned.
                crate::period::Period::Month(mo) if mo < before => earlier.is_none_or(|e| {
                    let old = &e.metrics[mi].series;
                    old.binary_search_by_key(&p.period, |o| o.period).map_or(true, |i| old[i] != **p)
                }),
                _ => false,
            });
            let months = q.quarter.months();
            let this_quarter = months.iter().filter_map(|mo| v.series.iter().find(|p| p.period == crate::period::Period::Month(*mo)));
            for p in revisions.chain(this_quarter) {
                {
                    rows.push(vec![
                        m.id.to_string(),
                        m.title.clone(),
                        m.unit.axis_label(),
                        p.period.to_string(),
                        value_cell(p.figure),
                        flags_cell(p.figure),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        plan_cell(v, m, p.period),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ]);
                }
            }
        }
    }
    csv_bytes(&QUARTER_COLUMNS, rows)
}

/// all.json: every measure and figure as known at the latest quarter.
// Long: one literal of the file's shape, field by field.
fn all_json(site: &Site, latest: Option<usize>) -> JsonAll<'_> {
    JsonAll {
        title: &site.settings.title,
        organisation: &site.settings.organisation,
        as_of: latest.map(|l| site.quarters[l].quarter.to_string()),
        flags: ['x', 'c', 'p', 'r', 'e', 'u'].iter().map(|l| (l.to_string(), crate::figure::marker_words(*l))).collect(),
        quarters: site
            .quarters
            .iter()
            .map(|q| JsonQuarter {
                quarter: q.quarter.to_string(),
                label: q.quarter.long(),
                status: if q.status == Status::Final { "final" } else { "provisional" },
                published: q.published.map(|d| d.to_string()),
                url: format!("{}{}/", site.settings.base_url, q.quarter.path()),
            })
            .collect(),
        metrics: site
            .catalogue
            .metrics
            .iter_enumerated()
            .map(|(mi, m)| JsonMetric {
                id: m.id.as_str(),
                title: &m.title,
                section: &site.catalogue.sections[m.section].id,
                unit: m.unit.name(),
                per: if let Unit::Rate { per } = m.unit { Some(per) } else { None },
                polarity: m.polarity,
                frequency: m.frequency.words(),
                target: latest.and_then(|l| site.quarters[l].metrics[mi].target.as_ref()).map(|t| t.value),
                ascof: m.ascof.as_deref(),
                source: m.source.as_deref(),
                figures: latest.map(|l| site.quarters[l].metrics[mi].series.iter().map(json_point).collect()).unwrap_or_default(),
                target_in_force: latest.and_then(|l| site.quarters[l].metrics[mi].target.as_ref()).map(|t| JsonTarget {
                    value: t.value,
                    by: t.by.map(|b| b.to_string()),
                    set_in: t.set.map(|q| q.to_string()),
                    plan: t.plan.iter().map(|(p, v)| (p.to_string(), *v)).collect(),
                }),
                comparators: latest
                    .map(|l| {
                        site.quarters[l].metrics[mi]
                            .compare_series
                            .iter()
                            .map(|c| JsonComparator { group: site.settings.comparators[c.group].id.clone(), period: c.period.to_string(), value: c.value })
                            .collect()
                    })
                    .unwrap_or_default(),
                ranks: latest
                    .map(|l| {
                        site.quarters[l].metrics[mi]
                            .rank_series
                            .iter()
                            .map(|r| JsonRank {
                                group: site.settings.comparators[r.group].id.clone(),
                                period: r.period.to_string(),
                                rank: r.rank,
                                of: r.of.or(site.settings.comparators[r.group].members),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                breakdown: latest
                    .map(|l| {
                        site.quarters[l].metrics[mi]
                            .breakdowns
                            .iter()
                            .flat_map(|(p, cats)| {
                                m.breakdown.iter().zip(cats).map(move |((cid, label), c)| JsonCategory {
                                    period: p.to_string(),
                                    category: cid.clone(),
                                    label: label.clone(),
                                    value: c.value(),
                                    flags: c.markers().iter().map(char::to_string).collect(),
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect(),
    }
}

/// The licence of the open data.
pub const LICENCE: (&str, &str) = ("Open Government Licence v3.0", "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/");

/// What each column holds, for the CSV on the Web metadata.
fn column_words(name: &str) -> (&'static str, &'static str) {
    match name {
        "metric_id" => ("string", "The measure's identifier, as in the file name of its own CSV."),
        "metric" => ("string", "The measure's title."),
        "period" => ("string", "The period of the figure: a month (2024-04), a quarter (2024-25-q1) or a financial year (2024-25)."),
        "period_type" => ("string", "month, quarter or year."),
        "value" => ("number", "The figure as a plain number, without thousands separators or units; blank when not available or suppressed."),
        "flags" => (
            "string",
            "Government statistics shorthand, space separated: x not available, c suppressed, p provisional, r revised, e estimated, u low reliability.",
        ),
        "unit" => ("string", "The unit of the value."),
        "source" => ("string", "Where the figure comes from."),
        "previous_period" => ("string", "The period the figure is compared with."),
        "previous_value" => ("number", "The figure of the previous period; blank when not available or suppressed."),
        "previous_flags" => ("string", "The shorthand flags of the previous figure."),
        "direction" => ("string", "improving, worsening, no change, or up/down for measures where neither way is better."),
        "note" => ("string", "A note on the figure from the report."),
        "target" => ("number", "The target in force at this quarter; blank when there is none."),
        "target_by" => ("string", "When the target is to be met: a month, quarter or year; blank for a standing target."),
        "plan" => ("number", "The planned figure for this period on the way to the target; blank when there is no plan for it."),
        "against_plan" => ("string", "How the figure stands against the plan, in words (for example 31 behind plan, on plan)."),
        "year_ago_period" => ("string", "The same period a year earlier."),
        "year_ago_value" => ("number", "The figure a year earlier, as known now; blank when not available or suppressed."),
        "year_ago_flags" => ("string", "The shorthand flags of the figure a year earlier."),
        "ci_low" => ("number", "The lower end of the figure's 95% confidence interval, where it has one."),
        "ci_high" => ("number", "The upper end of the figure's 95% confidence interval, where it has one."),
        "group" => ("string", "The comparator group's identifier."),
        "group_name" => ("string", "The comparator group's name."),
        "group_period" => ("string", "The period of the group's figure, which may be earlier than the report's."),
        "group_value" => ("number", "The group's published figure (not the mean of its members)."),
        "group_ci_low" => ("number", "The lower end of the group figure's 95% confidence interval."),
        "group_ci_high" => ("number", "The upper end of the group figure's 95% confidence interval."),
        "comparison" => ("string", "Our figure against the group's in words: better than, worse than, similar to, higher than or lower than."),
        "rank" => ("number", "Our rank in the group, 1 = best."),
        "rank_of" => ("number", "How many members the rank is out of."),
        "rank_period" => ("string", "The period the rank is for, which may be earlier than the report's."),
        "quartile" => ("string", "Which quarter of the group our rank falls in, in words (top quarter = best)."),
        "category" => ("string", "The category's identifier; total for the row of the whole."),
        "label" => ("string", "The category's name."),
        "share_percent" => ("number", "The category's share of the total, in percent to one decimal place; blank where it could reveal a suppressed figure."),
        _ => ("string", ""),
    }
}

/// The schemas shared by every quarter's tables of a kind, each in a file of its own beside
/// the metadata, which names it (a URL, as CSVW allows for a table's schema) rather than
/// repeating it for every quarter: `(file, columns)`.
const SHARED_SCHEMAS: [(&str, &[&str]); 3] =
    [("schema-quarter.json", &QUARTER_COLUMNS), ("schema-comparators.json", &COMPARATOR_COLUMNS), ("schema-breakdowns.json", &BREAKDOWN_COLUMNS)];

fn json_file(path: String, value: &serde_json::Value) -> OutputFile {
    let mut bytes = serde_json::to_vec(value).expect("json in memory");
    bytes.push(b'\n');
    OutputFile { path, bytes }
}

/// CSV on the Web (W3C) metadata describing every column of every CSV download, and the schema
/// files it names.
fn csvw(site: &Site) -> Vec<OutputFile> {
    let schema = |cols: &[&str]| {
        serde_json::json!({
            "columns": cols.iter().map(|c| {
                let (datatype, words) = column_words(c);
                serde_json::json!({ "name": c, "titles": c, "datatype": datatype, "dc:description": words })
            }).collect::<Vec<_>>()
        })
    };
    let [quarter, comparators, breakdowns] = SHARED_SCHEMAS.map(|(file, _)| file);
    let mut tables: Vec<serde_json::Value> = site
        .quarters
        .iter()
        .map(|q| serde_json::json!({ "url": format!("{}.csv", q.quarter.slug()), "dc:title": format!("{}: every measure", q.quarter.long()), "tableSchema": quarter }))
        .collect();
    for q in &site.quarters {
        tables.push(serde_json::json!({ "url": format!("{}-comparators.csv", q.quarter.slug()), "dc:title": format!("{}: comparator groups, ranks and quartiles", q.quarter.long()), "tableSchema": comparators }));
        tables.push(serde_json::json!({ "url": format!("{}-breakdowns.csv", q.quarter.slug()), "dc:title": format!("{}: breakdowns by category", q.quarter.long()), "tableSchema": breakdowns }));
    }
    // The metrics' CSVs share one schema, given once for the group (CSVW's default for every
    // table that gives none of its own), not once a metric.
    tables.extend(site.catalogue.metrics.iter().map(|m| serde_json::json!({ "url": format!("{}.csv", m.id), "dc:title": m.title })));
    let meta = serde_json::json!({
        "@context": "http://www.w3.org/ns/csvw",
        "dc:title": site.settings.title,
        "dc:publisher": site.settings.organisation,
        "dc:license": { "@id": LICENCE.1 },
        "tableSchema": schema(&METRIC_COLUMNS),
        "tables": tables,
    });
    let mut out = vec![json_file("data/csv-metadata.json".into(), &meta)];
    for (file, columns) in SHARED_SCHEMAS {
        let mut described = schema(columns);
        described["@context"] = "http://www.w3.org/ns/csvw".into();
        out.push(json_file(format!("data/{file}"), &described));
    }
    out
}
