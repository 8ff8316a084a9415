//! The metric catalogue: report sections and what each metric means and how it is shown.
//!
//! Owns: the catalogue's domain types. Must not import any pipeline stage: every stage speaks in them.

use crate::index::{IndexVec, MetricIdx, SectionIdx};
use serde::Serialize;
use std::fmt;

/// A metric id: `[a-z0-9-]+`, checked when read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct MetricId(String);

impl MetricId {
    /// Checks the id's characters.
    pub fn parse(s: &str) -> Result<MetricId, String> {
        if is_id(s) {
            Ok(MetricId(s.to_string()))
        } else {
            Err(format!("\"{s}\" is not a valid id: use lower-case letters, digits and hyphens only"))
        }
    }
    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MetricId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `s` is a non-empty `[a-z0-9-]+`.
pub fn is_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// What a metric's numbers measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "unit")]
pub enum Unit {
    /// Whole numbers of things, never negative.
    Count,
    /// 0 to 100.
    Percent,
    /// Days.
    Days,
    /// Per 1,000 / 10,000 / 100,000 population.
    Rate {
        /// The population base.
        per: u32,
    },
    /// A score.
    Score,
    /// Pounds sterling.
    Currency,
}

impl Unit {
    /// The word used in the catalogue.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Percent => "percent",
            Unit::Days => "days",
            Unit::Rate { .. } => "rate",
            Unit::Score => "score",
            Unit::Currency => "currency",
        }
    }
    /// Axis label: "Number", "Percent (%)", "Rate per 100,000".
    pub fn axis_label(self) -> String {
        match self {
            Unit::Count => "Number".into(),
            Unit::Percent => "Percent (%)".into(),
            Unit::Days => "Days".into(),
            Unit::Rate { per } => format!("Rate per {}", group_thousands(per as f64, 0)),
            Unit::Score => "Score".into(),
            Unit::Currency => "Pounds (£)".into(),
        }
    }
    /// A value with its unit: "1,418", "88%", "35 days", "612.4 per 100,000", "£1,250".
    pub fn format(self, v: f64, decimals: u8) -> String {
        let n = group_thousands(v, decimals);
        match self {
            Unit::Count | Unit::Score => n,
            Unit::Percent => format!("{n}%"),
            Unit::Days => {
                if n == "1" {
                    "1 day".into()
                } else {
                    format!("{n} days")
                }
            }
            Unit::Rate { per } => format!("{n} per {}", group_thousands(per as f64, 0)),
            Unit::Currency => {
                if v < 0.0 {
                    format!("-£{}", group_thousands(-v, decimals))
                } else {
                    format!("£{n}")
                }
            }
        }
    }
    /// A difference between two values: "9", "1.2 percentage points", "3 days".
    pub fn format_difference(self, d: f64, decimals: u8) -> String {
        let d = d.abs();
        match self {
            Unit::Percent => {
                let n = group_thousands(d, decimals);
                if n == "1" {
                    "1 percentage point".into()
                } else {
                    format!("{n} percentage points")
                }
            }
            Unit::Rate { .. } => group_thousands(d, decimals),
            other => other.format(d, decimals),
        }
    }
    /// Default decimals for display.
    pub fn default_decimals(self) -> u8 {
        match self {
            Unit::Count | Unit::Days | Unit::Currency => 0,
            Unit::Percent | Unit::Rate { .. } | Unit::Score => 1,
        }
    }
}

/// "1,234.5": rounds half away from zero to `decimals` and groups thousands.
pub fn group_thousands(v: f64, decimals: u8) -> String {
    // The rounded value as a whole number of units of the last decimal (a figure is shown on
    // every page several times: whole-number digits are cheaper than formatting a float).
    let scaled = (v * 10f64.powi(decimals as i32)).round();
    if !scaled.is_finite() || scaled.abs() >= 1e15 || decimals > 9 {
        return group_thousands_of_float(v, decimals);
    }
    let digits = (scaled.abs() as u64).to_string();
    let d = decimals as usize;
    let digits = if digits.len() <= d { format!("{}{digits}", "0".repeat(d + 1 - digits.len())) } else { digits };
    let (int, frac) = digits.split_at(digits.len() - d);
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 2);
    if scaled < 0.0 {
        out.push('-');
    }
    push_grouped(&mut out, int);
    if d > 0 {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// Digits with a comma before each group of three from the right.
fn push_grouped(out: &mut String, int: &str) {
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
}

/// [`group_thousands`] by formatting the float (for values too large for whole-number digits).
fn group_thousands_of_float(v: f64, decimals: u8) -> String {
    let s = format!("{:.*}", decimals as usize, round_half_away(v, decimals));
    let (sign, s) = s.strip_prefix('-').map(|r| ("-", r)).unwrap_or(("", s.as_str()));
    let (int, frac) = s.split_once('.').map(|(a, b)| (a, Some(b))).unwrap_or((s, None));
    let mut out = String::new();
    push_grouped(&mut out, int);
    let sign = if out.chars().all(|c| c == '0' || c == ',') && frac.is_none_or(|f| f.chars().all(|c| c == '0')) { "" } else { sign };
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

fn round_half_away(v: f64, decimals: u8) -> f64 {
    let m = 10f64.powi(decimals as i32);
    (v * m).round() / m
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    /// Higher is better.
    Higher,
    /// Lower is better.
    Lower,
    /// Neither: a change is reported but not judged.
    Neutral,
}

impl Polarity {
    /// "Higher is better".
    pub fn words(self) -> &'static str {
        match self {
            Polarity::Higher => "Higher is better",
            Polarity::Lower => "Lower is better",
            Polarity::Neutral => "Neither higher nor lower is better",
        }
    }
}

/// How a monthly metric's three months make its quarter's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Aggregate {
    /// Add the months (flows, e.g. contacts received).
    Sum,
    /// The quarter's last month (stocks, e.g. people waiting at month end).
    Last,
    /// The average of the months.
    Mean,
}

/// How often a metric is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "frequency", content = "aggregate")]
pub enum Frequency {
    /// Every month; the quarter's value by the aggregate.
    Monthly(Aggregate),
    /// Once a quarter.
    Quarterly,
    /// Once a financial year.
    Annual,
}

impl Frequency {
    /// "Monthly", "Quarterly", "Annual".
    pub fn words(self) -> &'static str {
        match self {
            Frequency::Monthly(_) => "Monthly",
            Frequency::Quarterly => "Quarterly",
            Frequency::Annual => "Annual",
        }
    }
}

/// A report section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// Matches `content/YYYY-YY/qN/ID.md`.
    pub id: String,
    /// Heading.
    pub title: String,
}

/// One metric of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metric {
    /// Unique id.
    pub id: MetricId,
    /// Full title.
    pub title: String,
    /// Short name for tables and axes.
    pub short: Option<String>,
    /// Its section.
    pub section: SectionIdx,
    /// Unit of measure.
    #[serde(flatten)]
    pub unit: Unit,
    /// Which way is better.
    pub polarity: Polarity,
    /// How often, and for monthly metrics how a quarter is made.
    #[serde(flatten)]
    pub frequency: Frequency,
    /// Display precision.
    pub decimals: u8,
    /// Target, if any.
    pub target: Option<f64>,
    /// National framework reference, e.g. `2A`.
    pub ascof: Option<String>,
    /// Where the figures come from.
    pub source: Option<String>,
    /// What good looks like.
    pub good: Option<String>,
    /// A change smaller than this (in the metric's unit) is "no real change".
    pub threshold: Option<f64>,
    /// Categories a count is broken down into: (id, label), in display order.
    pub breakdown: Vec<(String, String)>,
}

impl Metric {
    /// The short name, or the title.
    pub fn label(&self) -> &str {
        self.short.as_deref().unwrap_or(&self.title)
    }
    /// A value with unit at this metric's precision.
    pub fn format(&self, v: f64) -> String {
        self.unit.format(v, self.decimals)
    }
}

/// One of the few outcomes a report leads with, and the metrics that show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Priority {
    /// `[a-z0-9-]+`, unique among priorities.
    pub id: String,
    /// Heading over its rows.
    pub title: String,
    /// Its metrics, as listed.
    pub metrics: Vec<MetricIdx>,
}

/// Sections in report order and the metrics.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Catalogue {
    /// In report order.
    pub sections: IndexVec<SectionIdx, Section>,
    /// In file order.
    pub metrics: IndexVec<MetricIdx, Metric>,
    /// The priorities, in the order the report leads with them.
    pub priorities: Vec<Priority>,
}

impl Catalogue {
    /// The metric with this id.
    pub fn metric(&self, id: &str) -> Option<MetricIdx> {
        self.metrics.position(|m| m.id.as_str() == id)
    }
    /// The section with this id.
    pub fn section(&self, id: &str) -> Option<SectionIdx> {
        self.sections.position(|s| s.id == id)
    }
    /// The priority with this id.
    pub fn priority(&self, id: &str) -> Option<usize> {
        self.priorities.iter().position(|p| p.id == id)
    }
    /// Metrics in the highlight table's order: each priority's as listed, then the rest by section
    /// (file order within a section). `keep` says which metrics to show; the groups are
    /// (priority index or `None` for the rest, metrics).
    pub fn grouped(&self, keep: impl Fn(MetricIdx) -> bool) -> Vec<(Option<usize>, Vec<MetricIdx>)> {
        let mut out = Vec::new();
        let mut placed: IndexVec<MetricIdx, bool> = self.metrics.iter().map(|_| false).collect();
        for (pi, p) in self.priorities.iter().enumerate() {
            let ms: Vec<MetricIdx> = p.metrics.iter().copied().filter(|m| keep(*m)).collect();
            for m in &p.metrics {
                placed[*m] = true;
            }
            if !ms.is_empty() {
                out.push((Some(pi), ms));
            }
        }
        let mut rest: Vec<MetricIdx> = self.metrics.keys().filter(|m| !placed[*m] && keep(*m)).collect();
        rest.sort_by_key(|m| self.metrics[*m].section);
        if !rest.is_empty() {
            out.push((None, rest));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_unit() {
        assert_eq!(Unit::Count.format(1418.0, 0), "1,418");
        assert_eq!(Unit::Count.format(1234567.0, 0), "1,234,567");
        assert_eq!(Unit::Percent.format(88.0, 0), "88%");
        assert_eq!(Unit::Percent.format(29.75, 1), "29.8%");
        assert_eq!(Unit::Days.format(35.0, 0), "35 days");
        assert_eq!(Unit::Rate { per: 100_000 }.format(612.44, 1), "612.4 per 100,000");
        assert_eq!(Unit::Currency.format(1250.0, 0), "£1,250");
        assert_eq!(Unit::Currency.format(-5.0, 0), "-£5");
        assert_eq!(Unit::Percent.format_difference(-1.2, 1), "1.2 percentage points");
        assert_eq!(group_thousands(-0.01, 1), "0.0");
        // The whole-number path writes what formatting the float writes.
        let mut x = 0.987_654_321_f64;
        for i in 0..20_000 {
            x = (x * 7.3 + 0.123) % 1.0;
            let v = (x - 0.3) * 10f64.powi(i % 9) + if i % 5 == 0 { 0.05 } else { 0.0 };
            for d in 0..4 {
                assert_eq!(group_thousands(v, d), group_thousands_of_float(v, d), "{v} to {d} decimals");
            }
        }
        for v in [0.05, 0.15, 0.25, 2.675, 1.005, -0.05, -1234.5, 999.95, 1e14 + 0.5, 123456789.0] {
            for d in 0..4 {
                assert_eq!(group_thousands(v, d), group_thousands_of_float(v, d), "{v} to {d} decimals");
            }
        }
    }
}
