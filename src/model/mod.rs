//! Model: quarters, each with every metric's series as known at that quarter, and what
//! derives from them (quarter aggregates, previous periods, direction of travel, ranks).
//!
//! Owns: the entry `build` and `Site`. Reads validate's definitions; must not import load, render,
//! write or serve.
//!
//! Archive guarantee: a quarter's view is assembled from its own figures file and earlier
//! ones only, so adding a newer quarter cannot change an older quarter's report.

mod benchmark;
mod compare;
mod target;

pub use benchmark::{ordinal, ordinal_of, quartile, rank_benchmark, BenchmarkView, Member};
pub use compare::{percent_words, quartile_words, Comparison, GroupView, RankPoint};
pub use target::{against as target_against, PlanStatus, TargetStatus, TargetView};

use crate::catalogue::{Aggregate, Catalogue, Frequency, Metric, Polarity};
use crate::figure::{Figure, Flag, Flags};
use crate::index::{BenchmarkIdx, GroupIdx, IndexVec, MetricIdx, SectionIdx};
use crate::period::{Date, Period, Quarter};
use crate::validate::{Commentary, Definitions, QuarterFile, Reading, ReportDetails, Revision, Settings, Status, Term, Validated};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// A figure for a period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The month, quarter or year.
    pub period: Period,
    /// What readers are told.
    pub figure: Figure,
}

/// A comparator's value for a period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ComparatorPoint {
    /// The period (a quarter, or a year for annual metrics).
    pub period: Period,
    /// The comparator group.
    pub group: GroupIdx,
    /// The value, if known.
    pub value: Option<f64>,
}

/// One metric as a quarter's report sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricView {
    /// The metric.
    pub metric: MetricIdx,
    /// Every period known at this quarter, oldest first (months, quarters or years).
    pub series: Vec<Point>,
    /// The figure for this quarter (for annual metrics, the latest year known).
    pub current: Option<Point>,
    /// The figure for the period before `current`.
    pub previous: Option<Point>,
    /// Each comparator group's figure, our rank and the group's size for the current period,
    /// in site.toml's order; ranks hidden when the figure is suppressed.
    pub groups: Vec<GroupView>,
    /// Comparator values over time (each at its own period).
    pub compare_series: Vec<ComparatorPoint>,
    /// Our rank over time, in order.
    pub rank_series: Vec<RankPoint>,
    /// A note from this quarter's entry.
    pub note: Option<String>,
    /// The current figure's 95% confidence interval.
    pub ci: Option<(f64, f64)>,
    /// The target in force at this quarter.
    pub target: Option<TargetView>,
    /// The same period a year earlier, as known now.
    pub year_ago: Option<Point>,
    /// Year to date (monthly sums only).
    pub ytd: Option<Figure>,
    /// Breakdown categories per period (catalogue order), oldest first.
    pub breakdowns: Vec<(Period, Vec<Figure>)>,
    /// Revised periods: the figure as first published ("781 [r] (first published as 769)").
    pub first_published: BTreeMap<Period, Figure>,
}

impl MetricView {
    /// Whether there is anything to show.
    pub fn is_reported(&self) -> bool {
        self.current.is_some()
    }
    /// Change from the previous period, when both are published numbers.
    pub fn change(&self, metric: &Metric) -> Option<Change> {
        change_within(metric, self.current?.figure, self.previous?.figure, self.ci)
    }
    /// Change from the same period a year earlier.
    pub fn change_year(&self, metric: &Metric) -> Option<Change> {
        change_within(metric, self.current?.figure, self.year_ago?.figure, self.ci)
    }
    /// This comparator group's view, if anything is known.
    pub fn group(&self, g: GroupIdx) -> Option<&GroupView> {
        self.groups.iter().find(|x| x.group == g)
    }
    /// The breakdown of a period.
    pub fn breakdown(&self, p: Period) -> Option<&[Figure]> {
        self.breakdowns.iter().find(|(x, _)| *x == p).map(|(_, c)| c.as_slice())
    }
    /// Quarter values for the last `n` quarters up to `q` (monthly metrics aggregated).
    pub fn quarter_points(&self, metric: &Metric, q: Quarter, n: usize) -> Vec<Point> {
        let mut out = Vec::new();
        let mut cur = q;
        for _ in 0..n {
            out.push(Point { period: Period::Quarter(cur), figure: quarter_figure(metric, &self.series, cur) });
            cur = cur.previous();
        }
        out.reverse();
        out
    }
}

/// Which way a figure moved, judged with the metric's polarity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Better than the previous period.
    Improving,
    /// Worse than the previous period.
    Worsening,
    /// The same at the precision shown.
    NoChange,
    /// A change smaller than the metric's threshold, or inside the figure's confidence interval.
    NoRealChange,
    /// Higher, for a neutral metric.
    Up,
    /// Lower, for a neutral metric.
    Down,
}

impl Direction {
    /// "improving", "worsening", "no change", "up", "down".
    pub fn words(self) -> &'static str {
        match self {
            Direction::Improving => "improving",
            Direction::Worsening => "worsening",
            Direction::NoChange => "no change",
            Direction::NoRealChange => "no real change",
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

/// A change between two periods.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    /// Current minus previous, at the precision shown.
    pub difference: f64,
    /// The previous value.
    pub from: f64,
    /// Judged direction.
    pub direction: Direction,
}

/// The change from `previous` to `current`, compared at the metric's display precision.
pub fn change(metric: &Metric, current: Figure, previous: Figure) -> Option<Change> {
    change_within(metric, current, previous, None)
}

/// As [`change`]; a change below the metric's threshold, or with the earlier figure inside
/// the current figure's interval `ci`, is "no real change".
pub fn change_within(metric: &Metric, current: Figure, previous: Figure, ci: Option<(f64, f64)>) -> Option<Change> {
    let (c, p) = (current.value()?, previous.value()?);
    let m = 10f64.powi(metric.decimals as i32);
    let difference = ((c * m).round() - (p * m).round()) / m;
    let noise = metric.threshold.is_some_and(|t| difference.abs() < t) || ci.is_some_and(|(lo, hi)| lo <= p && p <= hi);
    let direction = if difference == 0.0 {
        Direction::NoChange
    } else if noise {
        Direction::NoRealChange
    } else {
        match (metric.polarity, difference > 0.0) {
            (Polarity::Higher, true) | (Polarity::Lower, false) => Direction::Improving,
            (Polarity::Higher, false) | (Polarity::Lower, true) => Direction::Worsening,
            (Polarity::Neutral, true) => Direction::Up,
            (Polarity::Neutral, false) => Direction::Down,
        }
    };
    Some(Change { difference, from: p, direction })
}

/// A quarter's report.
#[derive(Debug, Clone)]
pub struct QuarterReport {
    /// Which quarter.
    pub quarter: Quarter,
    /// Provisional or final.
    pub status: Status,
    /// Publication date.
    pub published: Option<Date>,
    /// Data extracted as at.
    pub data_as_of: Option<Date>,
    /// Corrections.
    pub revisions: Vec<Revision>,
    /// When the next report is due.
    pub next_update: Option<Date>,
    /// Who the report goes to, when, from whom.
    pub details: ReportDetails,
    /// Shown only in draft builds.
    pub draft: bool,
    /// Executive summary.
    pub overview: Commentary,
    /// Section commentary by section index, report order.
    pub sections: Vec<(SectionIdx, Commentary)>,
    /// One view per catalogue metric.
    pub metrics: IndexVec<MetricIdx, MetricView>,
    /// A hash of everything this quarter's report is made from: its figures and every earlier
    /// quarter's, its commentary, the shared definitions and the list of quarters. Equal keys
    /// mean equal report pages, so a rebuild may reuse them.
    pub input_key: blake3::Hash,
}

impl QuarterReport {
    /// Section indices that have commentary or figures this quarter, in report order.
    pub fn section_ids(&self, cat: &Catalogue) -> Vec<SectionIdx> {
        // One pass over sections and metrics, not one per section: sites may have thousands.
        let mut used: IndexVec<SectionIdx, bool> = cat.sections.iter().map(|_| false).collect();
        for (s, _) in &self.sections {
            used[*s] = true;
        }
        for (mi, m) in cat.metrics.iter_enumerated() {
            if self.metrics[mi].is_reported() {
                used[m.section] = true;
            }
        }
        used.iter_enumerated().filter(|(_, used)| **used).map(|(si, _)| si).collect()
    }
}

/// The whole site, ready to render.
#[derive(Debug, Clone)]
pub struct Site {
    /// site.toml.
    pub settings: Settings,
    /// Sections and metrics.
    pub catalogue: Catalogue,
    /// Glossary terms, sorted.
    pub glossary: Vec<Term>,
    /// Benchmarks, ranked.
    pub benchmarks: IndexVec<BenchmarkIdx, BenchmarkView>,
    /// Quarters in order (drafts only when asked for).
    pub quarters: Vec<QuarterReport>,
    /// Index of the newest quarter that is not a draft.
    pub latest: Option<usize>,
    /// Home page introduction.
    pub home: Option<Commentary>,
    /// Standalone pages.
    pub pages: Vec<(String, Commentary)>,
    /// Whether drafts were asked for (draft quarters, sections and pages are then shown, marked).
    pub drafts: bool,
}

/// Builds the model from a site without errors; `drafts` keeps draft quarters.
pub fn build(validated: Validated, drafts: bool) -> Site {
    let Definitions { settings, catalogue, glossary, quarters, benchmarks, home, pages } = validated.into_definitions();
    let quarters: Vec<_> = quarters.into_iter().filter(|q| drafts || !q.draft).collect();
    let keys = input_keys(&settings, &catalogue, &glossary, &benchmarks, &quarters, &pages, drafts);
    let benchmarks: IndexVec<BenchmarkIdx, BenchmarkView> = benchmarks.into_iter().map(|b| rank_benchmark(b, &catalogue)).collect();
    let files: Vec<&QuarterFile> = quarters.iter().map(|q| &q.data).collect();
    // Each metric's entries as (file index, entry), so a view visits only its own metric's entries.
    let mut by_metric: IndexVec<MetricIdx, Vec<(usize, &crate::validate::Entry)>> = catalogue.metrics.iter().map(|_| Vec::new()).collect();
    for (fi, f) in files.iter().enumerate() {
        for e in &f.entries {
            by_metric[e.metric].push((fi, e));
        }
    }
    // Each metric folded once across the quarters (in parallel), then turned into quarters' views.
    let by_metric_views: Vec<Vec<MetricView>> =
        catalogue.metrics.keys().collect::<Vec<_>>().into_par_iter().map(|mi| metric_views(&catalogue, mi, &files, &by_metric[mi])).collect();
    let mut columns: Vec<std::vec::IntoIter<MetricView>> = by_metric_views.into_iter().map(Vec::into_iter).collect();
    let views: Vec<IndexVec<MetricIdx, MetricView>> = (0..quarters.len())
        .map(|qi| {
            columns
                .iter_mut()
                .enumerate()
                .map(|(mi, column)| {
                    let mi = MetricIdx::from(mi);
                    let mut v = column.next().expect("a view per quarter");
                    v.target = target::in_force(&catalogue.metrics[mi], mi, &files[..=qi]);
                    compare::resolve(&mut v, &settings, &benchmarks.raw, files[qi].quarter);
                    v
                })
                .collect()
        })
        .collect();
    let reports: Vec<QuarterReport> = quarters
        .into_iter()
        .zip(views)
        .zip(keys)
        .map(|((q, metrics), input_key)| QuarterReport {
            input_key,
            quarter: q.quarter,
            status: q.data.status,
            published: q.data.published,
            data_as_of: q.data.data_as_of,
            revisions: q.data.revisions,
            next_update: q.data.next_update,
            details: q.overview.details.clone(),
            draft: q.draft,
            overview: q.overview,
            sections: q.sections,
            metrics,
        })
        .collect();
    let latest = reports.iter().rposition(|q| !q.draft);
    let pages = pages.into_iter().filter(|(_, c)| drafts || !c.draft).collect();
    Site { settings, catalogue, glossary, benchmarks, quarters: reports, latest, home, pages, drafts }
}

/// Per quarter, a hash of its report's inputs (see [`QuarterReport::input_key`]).
fn input_keys(
    settings: &Settings,
    cat: &Catalogue,
    glossary: &[Term],
    benchmarks: &IndexVec<BenchmarkIdx, crate::validate::Benchmark>,
    quarters: &[crate::validate::QuarterDef],
    pages: &[(String, Commentary)],
    drafts: bool,
) -> Vec<blake3::Hash> {
    let mut shared = blake3::Hasher::new();
    hash_into(&mut shared, &(settings, cat, glossary, benchmarks, drafts));
    // Every page's footer links the standalone pages by name and title.
    let page_links: Vec<_> = pages.iter().map(|(name, c)| (name, &c.title, c.draft)).collect();
    hash_into(&mut shared, &page_links);
    // Navigation lists every quarter and which sections it has.
    for q in quarters {
        let sections: Vec<_> = q.sections.iter().map(|(s, _)| *s).collect();
        let metrics: Vec<_> = q.data.entries.iter().map(|e| e.metric).collect();
        hash_into(&mut shared, &(q.quarter, q.draft, sections, metrics));
    }
    let shared = shared.finalize();
    // Each quarter's text is made in parallel; the hashing, which chains the quarters, is quick.
    let texts: Vec<(Vec<u8>, Vec<u8>)> = quarters.par_iter().map(|q| (json(&q.data), json(&(&q.overview, &q.sections)))).collect();
    let mut data = blake3::Hasher::new();
    texts
        .iter()
        .map(|(figures, commentary)| {
            data.update(figures);
            let mut key = blake3::Hasher::new();
            key.update(shared.as_bytes());
            key.update(data.clone().finalize().as_bytes());
            key.update(commentary);
            key.finalize()
        })
        .collect()
}

/// A value as JSON, the text [`hash_into`] hashes.
fn json(value: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(value).expect("definitions serialise")
}

/// Adds `value` to a hash as JSON: a stable text of the data itself (the same on every run and
/// platform, unlike `Debug`, whose format is not promised), each value delimiting itself.
fn hash_into(hasher: &mut blake3::Hasher, value: &impl serde::Serialize) {
    serde_json::to_writer(hasher, value).expect("definitions serialise");
}

/// Whether two figures say the same thing, whatever their flags.
fn same_figure(a: Figure, b: Figure) -> bool {
    match (a, b) {
        (Figure::Value(x, _), Figure::Value(y, _)) => x == y,
        (Figure::NotAvailable(_), Figure::NotAvailable(_)) | (Figure::Suppressed, Figure::Suppressed) => true,
        _ => false,
    }
}

fn figure_of(r: &Reading, provisional: bool, revised: bool) -> Figure {
    if r.suppressed {
        return Figure::Suppressed;
    }
    let mut flags = r.flags;
    if provisional {
        flags = flags.with(Flag::Provisional);
    }
    if revised {
        flags = flags.with(Flag::Revised);
    }
    match r.value {
        Some(v) => Figure::Value(v, flags),
        None => Figure::NotAvailable(flags),
    }
}

/// One metric's history as the quarter files state it, folded file by file in quarter order,
/// so each quarter's view is read off the fold as it stands after that quarter's own file
/// (the archive guarantee) without folding the earlier files again.
#[derive(Default)]
struct Fold {
    records: BTreeMap<Period, Figure>,
    ranks: BTreeMap<Period, Vec<crate::validate::GroupRank>>,
    compares: BTreeMap<Period, Vec<crate::validate::GroupFigure>>,
    cis: BTreeMap<Period, (f64, f64)>,
    breakdowns: BTreeMap<Period, Vec<Figure>>,
    /// The figure each period was first published with, to show beside a revision.
    first: BTreeMap<Period, Figure>,
}

impl Fold {
    /// Adds one file's entry for the metric.
    fn add(&mut self, metric: &Metric, file: &QuarterFile, e: &crate::validate::Entry) {
        let provisional = file.status == Status::Provisional;
        let entry_period = match metric.frequency {
            Frequency::Annual => Period::Year(e.year.unwrap_or(file.quarter.year)),
            _ => Period::Quarter(file.quarter),
        };
        match metric.frequency {
            Frequency::Monthly(_) => {
                for (month, r) in &e.months {
                    match r.ci {
                        Some(ci) if !r.suppressed => self.cis.insert(Period::Month(*month), ci),
                        _ => self.cis.remove(&Period::Month(*month)),
                    };
                    // Restated in a later quarter: revised, unless the figure is the same as before.
                    let new = figure_of(r, provisional, false);
                    let same = self.records.get(&Period::Month(*month)).is_some_and(|old| same_figure(*old, new));
                    let revised = *month < file.quarter.first_month() && !same;
                    self.first.entry(Period::Month(*month)).or_insert(new);
                    self.records.insert(Period::Month(*month), if revised { new.flagged(Flag::Revised) } else { new });
                }
            }
            _ => {
                let revised = self.records.contains_key(&entry_period);
                if let Some(cats) = &e.breakdown {
                    self.breakdowns.insert(
                        entry_period,
                        cats.iter().map(|c| c.as_ref().map(|c| figure_of(c, provisional, revised)).unwrap_or(Figure::NotAvailable(Flags::NONE))).collect(),
                    );
                } else {
                    self.breakdowns.remove(&entry_period);
                }
                let total = e.reading.clone().or_else(|| e.breakdown.as_ref().map(|c| breakdown_total(c)));
                if let Some(r) = &total {
                    self.first.entry(entry_period).or_insert(figure_of(r, provisional, false));
                    match r.ci {
                        Some(ci) if !r.suppressed => self.cis.insert(entry_period, ci),
                        _ => self.cis.remove(&entry_period),
                    };
                    self.records.insert(entry_period, figure_of(r, provisional, revised));
                }
            }
        }
        self.ranks.insert(entry_period, e.rank.clone());
        self.compares.insert(entry_period, e.compare.clone());
    }

    /// The metric's view at quarter `q`, with the note of that quarter's own entry.
    fn view(&self, metric: &Metric, mi: MetricIdx, q: Quarter, note: Option<String>) -> MetricView {
        let records = &self.records;
        let mut compare_series = Vec::new();
        for (period, values) in &self.compares {
            for g in values {
                compare_series.push(ComparatorPoint { period: g.period.unwrap_or(*period), group: g.group, value: g.value });
            }
        }
        // A period restated by a later file (a lagged figure) keeps the later statement.
        compare_series.reverse();
        compare_series.sort_by_key(|c| (c.group, c.period));
        compare_series.dedup_by_key(|c| (c.group, c.period));
        let series: Vec<Point> = records.iter().map(|(p, f)| Point { period: *p, figure: *f }).collect();
        let (current, previous) = match metric.frequency {
            Frequency::Annual => match records.keys().next_back() {
                Some(Period::Year(y)) => {
                    let prev = Period::Year(y.previous());
                    (
                        Some(Point { period: Period::Year(*y), figure: records[&Period::Year(*y)] }),
                        records.get(&prev).map(|f| Point { period: prev, figure: *f }),
                    )
                }
                _ => (None, None),
            },
            _ if series.is_empty() => (None, None),
            _ => {
                let cur = Point { period: Period::Quarter(q), figure: quarter_figure(metric, &series, q) };
                let pq = q.previous();
                let prev = Point { period: Period::Quarter(pq), figure: quarter_figure(metric, &series, pq) };
                let has_prev = series.iter().any(|p| p.period < Period::Quarter(q) && covers(p.period, pq));
                (Some(cur), has_prev.then_some(prev))
            }
        };
        let current_period = current.map(|c| c.period);
        let groups = compare::entered(current_period.and_then(|p| self.ranks.get(&p)), current_period.and_then(|p| self.compares.get(&p)), current_period);
        let rank_series = compare::rank_series(&self.ranks, records);
        let ci = current_period.and_then(|p| self.cis.get(&p).copied()).filter(|_| matches!(current.map(|c| c.figure), Some(Figure::Value(..))));
        let year_ago = current.and_then(|c| year_ago(metric, &series, c.period));
        let ytd = current.and_then(|c| match (metric.frequency, c.period) {
            (Frequency::Monthly(Aggregate::Sum), Period::Quarter(q)) => Some(year_to_date(&series, q)),
            _ => None,
        });
        let breakdowns = self.breakdowns.iter().map(|(p, f)| (*p, f.clone())).collect();
        let first_published = self
            .first
            .iter()
            .filter(|(p, f)| records.get(p).is_some_and(|now| now.flags().has(Flag::Revised) && f.value().is_some() && !same_figure(*now, **f)))
            .map(|(p, f)| (*p, *f))
            .collect();
        MetricView {
            metric: mi,
            series,
            current,
            previous,
            groups,
            compare_series,
            rank_series,
            note,
            ci,
            target: None,
            year_ago,
            ytd,
            breakdowns,
            first_published,
        }
    }
}

/// One metric's view at every quarter, in quarter order. `entries` are the metric's entries
/// of every file, as (file index, entry), in file order.
fn metric_views(cat: &Catalogue, mi: MetricIdx, files: &[&QuarterFile], entries: &[(usize, &crate::validate::Entry)]) -> Vec<MetricView> {
    let metric = &cat.metrics[mi];
    let mut fold = Fold::default();
    let mut next = entries.iter().peekable();
    files
        .iter()
        .enumerate()
        .map(|(qi, file)| {
            let mut note = None;
            while let Some(&&(fi, e)) = next.peek().filter(|(fi, _)| *fi == qi) {
                fold.add(metric, files[fi], e);
                note = e.note.clone();
                next.next();
            }
            fold.view(metric, mi, file.quarter, note)
        })
        .collect()
}

/// A breakdown's total when none is given: the sum, `[c]` when a category is suppressed, `[x]` when one is missing.
fn breakdown_total(cats: &[Option<Reading>]) -> Reading {
    let suppressed = cats.iter().flatten().any(|c| c.suppressed);
    let all = cats.iter().all(|c| c.as_ref().is_some_and(|c| c.value.is_some()));
    let flags = cats.iter().flatten().fold(Flags::NONE, |f, c| f.union(c.flags));
    let value = (all && !suppressed).then(|| cats.iter().flatten().filter_map(|c| c.value).sum());
    Reading { value, suppressed, flags, note: None, ci: None }
}

/// The same period a year before `p`, aggregated as the metric says; `None` when nothing is known.
fn year_ago(metric: &Metric, series: &[Point], p: Period) -> Option<Point> {
    let back = match p {
        Period::Quarter(q) => Period::Quarter(q.previous().previous().previous().previous()),
        Period::Year(y) => Period::Year(y.previous()),
        Period::Month(_) => return None,
    };
    match back {
        Period::Quarter(q) => series.iter().any(|x| covers(x.period, q)).then(|| Point { period: back, figure: quarter_figure(metric, series, q) }),
        _ => series.iter().find(|x| x.period == back).copied(),
    }
}

/// April to the end of `q`, added up: `[c]` when a month is suppressed, `[x]` when one is missing.
fn year_to_date(series: &[Point], q: Quarter) -> Figure {
    let mut month = Quarter::new(q.year, 1).expect("q1").first_month();
    let (mut sum, mut flags, mut missing) = (0.0, Flags::NONE, false);
    loop {
        match series.iter().find(|x| x.period == Period::Month(month)).map(|x| x.figure) {
            Some(Figure::Suppressed) => return Figure::Suppressed,
            Some(Figure::Value(v, f)) => {
                sum += v;
                flags = flags.union(f);
            }
            Some(Figure::NotAvailable(f)) => {
                flags = flags.union(f);
                missing = true;
            }
            None => missing = true,
        }
        if month == q.last_month() {
            break;
        }
        month = month.next();
    }
    if missing {
        Figure::NotAvailable(flags)
    } else {
        Figure::Value(sum, flags)
    }
}

fn covers(p: Period, q: Quarter) -> bool {
    match p {
        Period::Month(m) => m.quarter() == q,
        Period::Quarter(x) => x == q,
        Period::Year(y) => y == q.year,
    }
}

/// A quarter's figure: a quarterly value, or a monthly metric's months by its aggregate.
/// A suppressed month makes a sum or mean suppressed too, so it cannot be worked back out.
pub fn quarter_figure(metric: &Metric, series: &[Point], q: Quarter) -> Figure {
    let get = |p: Period| series.iter().find(|x| x.period == p).map(|x| x.figure);
    match metric.frequency {
        Frequency::Quarterly => get(Period::Quarter(q)).unwrap_or(Figure::NotAvailable(Flags::NONE)),
        Frequency::Annual => get(Period::Year(q.year)).unwrap_or(Figure::NotAvailable(Flags::NONE)),
        Frequency::Monthly(agg) => {
            let months: Vec<Option<Figure>> = q.months().iter().map(|m| get(Period::Month(*m))).collect();
            if agg == Aggregate::Last {
                return months[2].unwrap_or(Figure::NotAvailable(Flags::NONE));
            }
            let mut flags = Flags::NONE;
            let mut values = Vec::new();
            let mut missing = false;
            for f in &months {
                match f {
                    Some(Figure::Suppressed) => return Figure::Suppressed,
                    Some(Figure::Value(v, fl)) => {
                        flags = flags.union(*fl);
                        values.push(*v);
                    }
                    Some(Figure::NotAvailable(fl)) => {
                        flags = flags.union(*fl);
                        missing = true;
                    }
                    None => missing = true,
                }
            }
            if missing {
                return Figure::NotAvailable(flags);
            }
            let sum: f64 = values.iter().sum();
            Figure::Value(if agg == Aggregate::Sum { sum } else { sum / values.len() as f64 }, flags)
        }
    }
}

#[cfg(test)]
mod tests;
