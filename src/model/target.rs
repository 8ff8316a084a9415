//! Targets in force at a quarter, their plans, and how a figure stands against them.

use crate::catalogue::{Aggregate, Frequency, Metric, Polarity};
use crate::period::{Period, Quarter};
use crate::validate::QuarterFile;

/// The target a quarter's report is judged against.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetView {
    /// The target.
    pub value: f64,
    /// When it is to be met; `None` for a standing target.
    pub by: Option<Period>,
    /// The quarter whose file set it; `None` for the catalogue's standing target.
    pub set: Option<Quarter>,
    /// The planned path, keyed by the metric's own periods, in order.
    pub plan: Vec<(Period, f64)>,
}

/// How a figure stands against its plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PlanStatus {
    /// Within the threshold (or equal at the precision shown).
    On,
    /// Better than planned by this much.
    Ahead(f64),
    /// Worse than planned by this much.
    Behind(f64),
    /// Neutral metrics: higher than planned by this much.
    Above(f64),
    /// Neutral metrics: lower than planned by this much.
    Below(f64),
}

/// What a report says about a figure and its target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TargetStatus {
    /// Met (standing targets, and dated ones from their date).
    Met,
    /// Not met.
    NotMet,
    /// Before a dated target's date: against this period's plan.
    Plan(PlanStatus),
    /// Before a dated target's date, with no plan for this period.
    NoPlan,
    /// Neutral metrics: shown but never judged.
    NotJudged,
}

impl PlanStatus {
    /// "31 behind plan", "12 ahead of plan", "on plan", "3 above plan".
    pub fn words(self, metric: &Metric) -> String {
        let d = |x: f64| metric.unit.format_difference(x, metric.decimals);
        match self {
            PlanStatus::On => "on plan".into(),
            PlanStatus::Ahead(x) => format!("{} ahead of plan", d(x)),
            PlanStatus::Behind(x) => format!("{} behind plan", d(x)),
            PlanStatus::Above(x) => format!("{} above plan", d(x)),
            PlanStatus::Below(x) => format!("{} below plan", d(x)),
        }
    }
}

impl TargetView {
    /// "400 by Q3 2025/26", or "400" for a standing target.
    pub fn words(&self, metric: &Metric) -> String {
        match self.by {
            Some(b) => format!("{} by {}", metric.format(self.value), b.short()),
            None => metric.format(self.value),
        }
    }

    /// The planned value for a period: a quarter of a monthly metric combines its months by the
    /// metric's aggregate (with `last`, the quarter's last month); `None` without a plan for it.
    pub fn plan_for(&self, metric: &Metric, p: Period) -> Option<f64> {
        let get = |x: Period| self.plan.iter().find(|(k, _)| *k == x).map(|(_, v)| *v);
        match (metric.frequency, p) {
            (Frequency::Monthly(agg), Period::Quarter(q)) => {
                let months: Vec<Option<f64>> = q.months().iter().map(|m| get(Period::Month(*m))).collect();
                match agg {
                    Aggregate::Last => months[2],
                    Aggregate::Sum => months.iter().copied().sum::<Option<f64>>(),
                    Aggregate::Mean => months.iter().copied().sum::<Option<f64>>().map(|s| s / 3.0),
                }
            }
            _ => get(p),
        }
    }

    /// How `value` for `period` stands: against the plan until a dated target's date, then met or not.
    pub fn status(&self, metric: &Metric, value: f64, period: Period) -> TargetStatus {
        let before_date = self.by.is_some_and(|b| period.last_month() < b.last_month());
        if before_date {
            return match self.plan_for(metric, period) {
                Some(plan) => TargetStatus::Plan(against(metric, value, plan)),
                None => TargetStatus::NoPlan,
            };
        }
        let m = 10f64.powi(metric.decimals as i32);
        let (v, t) = ((value * m).round(), (self.value * m).round());
        match metric.polarity {
            Polarity::Neutral => TargetStatus::NotJudged,
            Polarity::Higher if v >= t => TargetStatus::Met,
            Polarity::Lower if v <= t => TargetStatus::Met,
            _ => TargetStatus::NotMet,
        }
    }
}

/// A figure against a planned value, at the precision shown and within the metric's threshold.
pub fn against(metric: &Metric, value: f64, plan: f64) -> PlanStatus {
    let m = 10f64.powi(metric.decimals as i32);
    let d = ((value * m).round() - (plan * m).round()) / m;
    if d == 0.0 || metric.threshold.is_some_and(|t| d.abs() < t) {
        return PlanStatus::On;
    }
    match (metric.polarity, d > 0.0) {
        (Polarity::Higher, true) | (Polarity::Lower, false) => PlanStatus::Ahead(d.abs()),
        (Polarity::Higher, false) | (Polarity::Lower, true) => PlanStatus::Behind(d.abs()),
        (Polarity::Neutral, true) => PlanStatus::Above(d.abs()),
        (Polarity::Neutral, false) => PlanStatus::Below(d.abs()),
    }
}

/// The target in force at the last of `files`: the latest `targets:` entry up to it, replacing
/// earlier ones whole (`null` withdraws), else the catalogue's standing target.
pub(super) fn in_force(metric: &Metric, mi: crate::index::MetricIdx, files: &[&QuarterFile]) -> Option<TargetView> {
    for f in files.iter().rev() {
        if let Some(t) = f.targets.iter().find(|t| t.metric == mi) {
            return t.value.map(|value| TargetView { value, by: t.by, set: Some(f.quarter), plan: t.plan.clone() });
        }
    }
    metric.target.map(|value| TargetView { value, by: None, set: None, plan: Vec::new() })
}
