//! Open data: the figures as CSV and JSON. Suppressed values are left blank with the flag `c`.

use super::pages::OutputFile;
use crate::catalogue::{Frequency, Unit};
use crate::figure::Figure;
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
    use super::safe_cell;

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

/// Every download: one CSV per metric, one per quarter, and all.json.
pub fn files(site: &Site) -> Vec<OutputFile> {
    let mut out = Vec::new();
    let latest = site.latest.or(site.quarters.len().checked_sub(1));
    let header = ["metric_id", "period", "period_type", "value", "flags", "unit"];
    for (mi, m) in site.catalogue.metrics.iter().enumerate() {
        let series = latest.map(|l| site.quarters[l].metrics[mi].series.clone()).unwrap_or_default();
        let rows = series
            .iter()
            .map(|p| {
                vec![m.id.to_string(), p.period.to_string(), period_type(p.period).into(), value_cell(p.figure), flags_cell(p.figure), m.unit.axis_label()]
            })
            .collect();
        out.push(OutputFile { path: format!("data/{}.csv", m.id), bytes: csv_bytes(&header, rows) });
    }
    let qheader = ["metric_id", "metric", "unit", "period", "value", "flags", "previous_period", "previous_value", "previous_flags", "direction", "note"];
    for (qi, q) in site.quarters.iter().enumerate() {
        let earlier = qi.checked_sub(1).map(|i| &site.quarters[i]);
        let mut rows = Vec::new();
        for (mi, m) in site.catalogue.metrics.iter().enumerate() {
            let v = &q.metrics[mi];
            let Some(cur) = v.current else { continue };
            let direction = v.change(m).map(|c| c.direction.words().to_string()).unwrap_or_default();
            let (pp, pv, pf) = v.previous.map(|p| (p.period.to_string(), value_cell(p.figure), flags_cell(p.figure))).unwrap_or_default();
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
            ]);
            if let Frequency::Monthly(_) = m.frequency {
                // Months this quarter's file revises come first, so the download holds everything it says.
                let before = q.quarter.first_month();
                let revisions = v.series.iter().filter(|p| match p.period {
                    crate::period::Period::Month(mo) if mo < before => earlier.is_none_or(|e| !e.metrics[mi].series.contains(p)),
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
                        ]);
                    }
                }
            }
        }
        out.push(OutputFile { path: format!("data/{}.csv", q.quarter.slug()), bytes: csv_bytes(&qheader, rows) });
    }
    let all = JsonAll {
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
            .iter()
            .enumerate()
            .map(|(mi, m)| JsonMetric {
                id: m.id.as_str(),
                title: &m.title,
                section: &site.catalogue.sections[m.section].id,
                unit: m.unit.name(),
                per: if let Unit::Rate { per } = m.unit { Some(per) } else { None },
                polarity: m.polarity,
                frequency: m.frequency.words(),
                target: m.target,
                ascof: m.ascof.as_deref(),
                source: m.source.as_deref(),
                figures: latest.map(|l| site.quarters[l].metrics[mi].series.iter().map(json_point).collect()).unwrap_or_default(),
            })
            .collect(),
    };
    let mut json = serde_json::to_vec_pretty(&all).expect("json in memory");
    json.push(b'\n');
    out.push(OutputFile { path: "data/all.json".into(), bytes: json });
    out
}
