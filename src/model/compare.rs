//! Comparator groups: their figures, our rank and the group's size, each for its own period,
//! from the quarter files or else the newest benchmark file; and comparisons in words.

use super::benchmark::{quartile, BenchmarkView};
use super::{Figure, MetricView};
use crate::catalogue::{Metric, Polarity};
use crate::index::GroupIdx;
use crate::period::{Period, Quarter};
use crate::validate::{GroupFigure, GroupRank, Settings};
use std::collections::BTreeMap;

/// One comparator group beside our current figure.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupView {
    /// The comparator group.
    pub group: GroupIdx,
    /// The group's figure, if known.
    pub value: Option<f64>,
    /// Its confidence interval.
    pub ci: Option<(f64, f64)>,
    /// The period the group's figure is for.
    pub value_period: Option<Period>,
    /// Our rank, 1 = best.
    pub rank: Option<u32>,
    /// The group's size when ranked.
    pub of: Option<u32>,
    /// The period the rank is for.
    pub rank_period: Option<Period>,
}

impl GroupView {
    /// 1 (best quarter) to 4, when the rank and the group's size are known.
    pub fn quartile(&self) -> Option<u8> {
        Some(quartile(self.rank?, self.of?))
    }
}

/// Our rank at one period, for rank-over-time tables.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankPoint {
    /// The period the rank is for.
    pub period: Period,
    /// The comparator group.
    pub group: GroupIdx,
    /// 1 = best.
    pub rank: u32,
    /// The group's size, if given with the rank.
    pub of: Option<u32>,
}

/// How our figure compares with a group's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Inside each other's interval, or the gap is below the threshold.
    Similar,
    /// Better, by polarity.
    Better,
    /// Worse, by polarity.
    Worse,
    /// Neutral metrics: higher.
    Higher,
    /// Neutral metrics: lower.
    Lower,
}

impl Comparison {
    /// "similar to", "better than", "worse than", "higher than", "lower than".
    pub fn words(self) -> &'static str {
        match self {
            Comparison::Similar => "similar to",
            Comparison::Better => "better than",
            Comparison::Worse => "worse than",
            Comparison::Higher => "higher than",
            Comparison::Lower => "lower than",
        }
    }
    /// Compares `ours` (with its interval) with `theirs` (with its).
    pub fn of(metric: &Metric, ours: f64, our_ci: Option<(f64, f64)>, theirs: f64, their_ci: Option<(f64, f64)>) -> Comparison {
        let inside = |v: f64, ci: Option<(f64, f64)>| ci.is_some_and(|(lo, hi)| lo <= v && v <= hi);
        let m = 10f64.powi(metric.decimals as i32);
        let gap = ((ours * m).round() - (theirs * m).round()) / m;
        if gap == 0.0 || inside(theirs, our_ci) || inside(ours, their_ci) || metric.threshold.is_some_and(|t| gap.abs() < t) {
            return Comparison::Similar;
        }
        match (metric.polarity, gap > 0.0) {
            (Polarity::Higher, true) | (Polarity::Lower, false) => Comparison::Better,
            (Polarity::Higher, false) | (Polarity::Lower, true) => Comparison::Worse,
            (Polarity::Neutral, true) => Comparison::Higher,
            (Polarity::Neutral, false) => Comparison::Lower,
        }
    }
}

/// "top quarter", "upper middle quarter", "lower middle quarter", "bottom quarter".
pub fn quartile_words(q: u8) -> &'static str {
    match q {
        1 => "top quarter",
        2 => "upper middle quarter",
        3 => "lower middle quarter",
        _ => "bottom quarter",
    }
}

/// A percentage of change: one decimal place below 10%, none from 10% up ("4.5%", "12%").
pub fn percent_words(p: f64) -> String {
    let a = p.abs();
    if (a * 10.0).round() / 10.0 < 10.0 {
        format!("{}%", crate::catalogue::group_thousands(a, 1))
    } else {
        format!("{}%", crate::catalogue::group_thousands(a, 0))
    }
}

/// The groups as the quarter files give them for the current period.
pub(super) fn entered(ranks: Option<&Vec<GroupRank>>, compares: Option<&Vec<GroupFigure>>, current: Option<Period>) -> Vec<GroupView> {
    let mut out: Vec<GroupView> = Vec::new();
    let slot = |out: &mut Vec<GroupView>, g: GroupIdx| -> usize {
        if let Some(i) = out.iter().position(|x| x.group == g) {
            return i;
        }
        out.push(GroupView { group: g, value: None, ci: None, value_period: None, rank: None, of: None, rank_period: None });
        out.len() - 1
    };
    for c in compares.into_iter().flatten() {
        let i = slot(&mut out, c.group);
        out[i].value = c.value;
        out[i].ci = c.ci;
        out[i].value_period = c.period.or(current);
    }
    for r in ranks.into_iter().flatten() {
        let i = slot(&mut out, r.group);
        out[i].rank = Some(r.value);
        out[i].of = r.of;
        out[i].rank_period = r.period.or(current);
    }
    out
}

/// Our ranks over time, each at its own period; periods whose figure is suppressed are left out.
pub(super) fn rank_series(ranks: &BTreeMap<Period, Vec<GroupRank>>, records: &BTreeMap<Period, Figure>) -> Vec<RankPoint> {
    let mut out: Vec<RankPoint> = ranks
        .iter()
        .filter(|(p, _)| !matches!(records.get(p), Some(Figure::Suppressed)))
        .flat_map(|(p, rs)| rs.iter().map(move |r| RankPoint { period: r.period.unwrap_or(*p), group: r.group, rank: r.value, of: r.of }))
        .collect();
    // A period restated by a later file (a lagged rank) keeps the later statement.
    out.reverse();
    out.sort_by_key(|r| (r.group, r.period));
    out.dedup_by_key(|r| (r.group, r.period));
    out
}

/// Completes a view's groups: sizes from site.toml, and what the quarter files leave out from the
/// newest benchmark file for the metric and group whose period ended by the quarter's end.
/// Ranks are hidden when the current figure is suppressed. Groups come in site.toml's order.
pub(super) fn resolve(view: &mut MetricView, settings: &Settings, benchmarks: &[BenchmarkView], q: Quarter) {
    let suppressed = view.current.is_some_and(|c| c.figure == Figure::Suppressed);
    let mut out = Vec::new();
    for (g, comparator) in settings.comparators.iter_enumerated() {
        let mut gv =
            view.group(g).cloned().unwrap_or(GroupView { group: g, value: None, ci: None, value_period: None, rank: None, of: None, rank_period: None });
        if gv.rank.is_some() && gv.of.is_none() {
            gv.of = comparator.members;
        }
        let bench = benchmarks
            .iter()
            .filter(|b| b.def.metric == view.metric && b.def.group == g && b.def.period.last_month() <= q.last_month())
            .max_by_key(|b| b.def.period);
        if let Some(b) = bench {
            if gv.value.is_none() && gv.value_period.is_none() {
                if let Some((v, ci)) = b.def.overall {
                    gv.value = Some(v);
                    gv.ci = ci;
                    gv.value_period = Some(b.def.period);
                }
            }
            if gv.rank.is_none() {
                if let Some(r) = b.own().and_then(|m| m.rank) {
                    gv.rank = Some(r);
                    gv.of = Some(b.ranked);
                    gv.rank_period = Some(b.def.period);
                }
            }
        }
        if suppressed {
            gv.rank = None;
            gv.rank_period = None;
        }
        if gv.value.is_some() || gv.value_period.is_some() || gv.rank.is_some() {
            out.push(gv);
        }
    }
    view.groups = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_of_change() {
        assert_eq!(percent_words(4.54), "4.5%");
        assert_eq!(percent_words(-9.94), "9.9%");
        assert_eq!(percent_words(9.96), "10%");
        assert_eq!(percent_words(12.4), "12%");
    }

    #[test]
    fn quartiles_never_read_as_quarters_of_the_year() {
        for q in 1..=4 {
            assert!(!quartile_words(q).contains("second"));
        }
        assert_eq!(quartile_words(1), "top quarter");
        assert_eq!(quartile_words(4), "bottom quarter");
    }
}
