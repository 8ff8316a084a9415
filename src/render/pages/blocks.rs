//! Report blocks in commentary: highlight tables, headline figures, benchmarks and charts, taken from one quarter's view.

use super::*;
use crate::index::{GroupIdx, MetricIdx};
pub(super) fn block_html(ctx: &Ctx, b: &Block, q: Option<&QuarterReport>, root: &str, charts: &mut Charts) -> String {
    block_html_with(ctx, b, q, root, charts, None)
}

/// `chart_prefix` names charts that are not part of a quarter's report (metric pages).
pub(super) fn block_html_with(ctx: &Ctx, b: &Block, q: Option<&QuarterReport>, root: &str, charts: &mut Charts, chart_prefix: Option<&str>) -> String {
    let site = ctx.site;
    let Some(q) = q else {
        return "<p>This element shows a quarter's figures, so it appears only in quarterly reports.</p>".into();
    };
    match b {
        Block::Kpis(sel) => {
            let reported = |mi: MetricIdx| q.metrics[mi].is_reported();
            let groups: Vec<(Option<usize>, Vec<MetricIdx>)> = match sel {
                KpiSelection::Metrics(list) => vec![(None, list.clone())],
                KpiSelection::All => site.catalogue.grouped(reported),
                KpiSelection::Priorities => site.catalogue.grouped(reported).into_iter().filter(|(p, _)| p.is_some()).collect(),
                KpiSelection::Priority(pi) => site.catalogue.grouped(reported).into_iter().filter(|(p, _)| *p == Some(*pi)).collect(),
            };
            kpis_grouped_html(ctx, q, &groups, root)
        }
        Block::Compare { metrics, groups } => compare_block_html(ctx, q, metrics, groups, root),
        Block::Breakdown { metric, previous } => breakdown_block_html(ctx, q, *metric, *previous),
        Block::Figure(mi) => {
            let metric = &site.catalogue.metrics[*mi];
            let view = &q.metrics[*mi];
            ctx.partial(
                "blocks/figure.html",
                context! {
                    title => &metric.title,
                    href => format!("{root}metrics/{}/", metric.id),
                    value => Value::from_safe_string(view.current.map(|p| present::figure_html(metric, p.figure)).unwrap_or_else(|| present::marker_html('x'))),
                    period => view.current.map(|p| p.period.long()),
                    change => Value::from_safe_string(present::change_html(metric, view)),
                    direction => Value::from_safe_string(present::direction_cell(metric, view)),
                    compared => view.change(metric).is_some(),
                    no_comparison => Value::from_safe_string(present::no_comparison_sentence_html(view)),
                    previous_period => view.previous.map(|p| p.period.long()),
                    note => view.note.clone(),
                },
            )
        }
        // A report shows only benchmarks for periods that ended by its quarter's end (check warns).
        Block::Benchmark(bi) if site.benchmarks[*bi].def.period.last_month() > q.quarter.last_month() => String::new(),
        Block::Benchmark(bi) => benchmark_html(ctx, &site.benchmarks[*bi]),
        Block::Chart(spec) => chart_block_html(ctx, spec, q, root, charts, chart_prefix),
    }
}

/// A chart block: the chart drawn once a build (or taken from the cache), placed with the theme's partial.
fn chart_block_html(ctx: &Ctx, spec: &ChartSpec, q: &QuarterReport, root: &str, charts: &mut Charts, chart_prefix: Option<&str>) -> String {
    let site = ctx.site;
    let Some(data) = chart_data(site, q, spec, chart_prefix) else {
        return "<p class=\"notice\">No benchmark figures are available for this chart yet.</p>".into();
    };
    let place = charts.place(&data.id);
    let rendered = charts.drawn.entry(data.id.clone()).or_insert_with(|| {
        let cached = ctx.cache.charts.lock().expect("cache lock").get(&data.id).cloned();
        cached.unwrap_or_else(|| {
            let drawn = chart::render(&data);
            if ctx.cache.keep {
                ctx.cache.charts.lock().expect("cache lock").insert(data.id.clone(), drawn.clone());
            }
            drawn
        })
    });
    // A readable anchor to share (`#chart-METRIC`), marked until the page makes it unique
    // ([`resolve_anchors`]); so is the description's id, unique beside it.
    let anchor = format!("chart-{}", site.catalogue.metrics[spec.metrics[0]].id);
    ctx.partial(
        "blocks/chart.html",
        context! {
            id => format!("\u{E003}{anchor}\u{E003}"),
            desc_id => format!("\u{E003}{anchor}-desc\u{E003}"),
            kind => rendered.kind,
            title => &rendered.title,
            description => &rendered.description,
            src => format!("{root}charts/{SPRITE_MARK}#{}", chart::view(place)),
            width => rendered.width.round() as u32,
            height => rendered.height.round() as u32,
            narrow_src => format!("{root}charts/{SPRITE_MARK}#{}", chart::narrow_view(place)),
            narrow_width => rendered.narrow_width.round() as u32,
            narrow_height => rendered.narrow_height.round() as u32,
            table => Value::from_safe_string(rendered.table.clone()),
        },
    )
}

/// Replaces each marked anchor (`\u{E003}NAME\u{E003}`, see the chart block) with an id unique on the page.
pub(super) fn resolve_anchors(html: &str, state: &mut PageState) -> String {
    const MARK: char = '\u{E003}';
    if !html.contains(MARK) {
        return html.to_string();
    }
    // One pass: each marked name is looked up once, in order, and the rest copied as it is.
    let mut out = String::with_capacity(html.len());
    let mut names: Vec<(&str, String)> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(MARK) {
        let from = start + MARK.len_utf8();
        let Some(len) = rest[from..].find(MARK) else { break };
        out.push_str(&rest[..start]);
        let name = &rest[from..from + len];
        match names.iter().find(|(n, _)| *n == name) {
            Some((_, id)) => out.push_str(id),
            None => {
                let id = state.unique_id(name);
                out.push_str(&id);
                names.push((name, id));
            }
        }
        rest = &rest[from + len + MARK.len_utf8()..];
    }
    out.push_str(rest);
    out
}

#[derive(Serialize)]
pub(super) struct KpiRow {
    title: String,
    href: String,
    frequency: &'static str,
    polarity: &'static str,
    polarity_short: &'static str,
    spark: SparkRow,
    value: Value,
    period: String,
    direction: Value,
    target: Option<Value>,
    ranks: Vec<Value>,
    note: Option<String>,
}

/// A row's sparkline for the template: its accessible name, and the line's path and dots in a
/// `0 0 120 32` box (`path` is `None` when too few figures make a trend).
#[derive(Serialize)]
pub(super) struct SparkRow {
    name: String,
    path: Option<String>,
    dots: Vec<(String, String)>,
    size: (u32, u32),
}

fn spark_row(trend: &[crate::model::Point], label: &str) -> SparkRow {
    let spark = chart::spark(&trend.iter().map(|p| p.figure).collect::<Vec<_>>(), label);
    let Some(line) = spark.line else {
        return SparkRow { name: spark.name, path: None, dots: Vec::new(), size: (chart::SPARK_SIZE.0 as u32, chart::SPARK_SIZE.1 as u32) };
    };
    // Whole pixels: on a 120 by 32 line, half a pixel either way does not change the trend a
    // reader sees, and a tenth costs two bytes a point in every row of every highlight table.
    // The points after the first of a run are implied line-tos.
    let mut path = String::with_capacity(line.runs.iter().map(|r| r.len() * 7).sum());
    for run in &line.runs {
        for (k, (x, y)) in run.iter().enumerate() {
            path.push_str(if k == 0 { "M" } else { " " });
            path.push_str(&coordinate(*x));
            path.push(' ');
            path.push_str(&coordinate(*y));
        }
    }
    let dots = line.dots.iter().map(|(x, y)| (coordinate(*x), coordinate(*y))).collect();
    SparkRow { name: spark.name, path: Some(path).filter(|p| !p.is_empty()), dots, size: (chart::SPARK_SIZE.0 as u32, chart::SPARK_SIZE.1 as u32) }
}

/// A coordinate to the nearest whole pixel ("-0" reads "0").
fn coordinate(v: f64) -> String {
    (v.round() as i64).to_string()
}

#[derive(Serialize)]
pub(super) struct KpiGroup {
    title: Option<String>,
    rows: Vec<KpiRow>,
}

/// A flat highlight table (a section's figures).
pub(super) fn kpis_html(ctx: &Ctx, q: &QuarterReport, metrics: &[MetricIdx], root: &str) -> String {
    kpis_grouped_html(ctx, q, &[(None, metrics.to_vec())], root)
}

/// The highlight table with the whole report's rows: priorities first, then the rest by section.
pub(super) fn kpis_all_html(ctx: &Ctx, q: &QuarterReport, root: &str) -> String {
    let groups = ctx.site.catalogue.grouped(|mi| q.metrics[mi].is_reported());
    kpis_grouped_html(ctx, q, &groups, root)
}

/// A highlight table whose rows are grouped under priorities' titles (`Some`), then the other
/// metrics under their sections' titles when there are priorities (untitled when there are none).
pub(super) fn kpis_grouped_html(ctx: &Ctx, q: &QuarterReport, groups: &[(Option<usize>, Vec<MetricIdx>)], root: &str) -> String {
    let site = ctx.site;
    let own = Period::Quarter(q.quarter);
    let all: Vec<MetricIdx> = groups.iter().flat_map(|(_, m)| m.iter().copied()).collect();
    let rank_groups: Vec<GroupIdx> =
        site.settings.comparators.keys().filter(|g| all.iter().any(|mi| q.metrics[*mi].group(*g).is_some_and(|x| x.rank.is_some()))).collect();
    let titled = groups.iter().any(|(p, _)| p.is_some());
    let mut out_groups: Vec<KpiGroup> = Vec::new();
    for (p, metrics) in groups {
        let rows = kpi_rows(ctx, q, metrics, root, &rank_groups, own);
        match p {
            Some(pi) => out_groups.push(KpiGroup { title: Some(site.catalogue.priorities[*pi].title.clone()), rows }),
            None if titled => {
                // The rest, by section.
                let mut by_section: Vec<KpiGroup> = Vec::new();
                for (mi, row) in metrics.iter().zip(rows) {
                    let title = format!("Other measures: {}", site.catalogue.sections[site.catalogue.metrics[*mi].section].title);
                    match by_section.last_mut() {
                        Some(g) if g.title.as_deref() == Some(title.as_str()) => g.rows.push(row),
                        _ => by_section.push(KpiGroup { title: Some(title), rows: vec![row] }),
                    }
                }
                out_groups.extend(by_section);
            }
            None => out_groups.push(KpiGroup { title: None, rows }),
        }
    }
    let group_names: Vec<String> = rank_groups.iter().map(|g| site.settings.comparators[*g].name.clone()).collect();
    ctx.partial(
        "blocks/kpis.html",
        context! { groups_of_rows => ser(out_groups), groups => group_names, quarter => q.quarter.long(), columns => 7 + rank_groups.len() },
    )
}

fn kpi_rows(ctx: &Ctx, q: &QuarterReport, metrics: &[MetricIdx], root: &str, rank_groups: &[GroupIdx], own: Period) -> Vec<KpiRow> {
    let site = ctx.site;
    metrics
        .iter()
        .map(|&mi| {
            let metric = &site.catalogue.metrics[mi];
            let view = &q.metrics[mi];
            let trend = trend_points(metric, view, q.quarter);
            KpiRow {
                title: metric.title.clone(),
                href: format!("{root}metrics/{}/", metric.id),
                frequency: metric.frequency.words(),
                polarity: metric.polarity.words(),
                polarity_short: match metric.polarity {
                    crate::catalogue::Polarity::Higher => "Higher",
                    crate::catalogue::Polarity::Lower => "Lower",
                    crate::catalogue::Polarity::Neutral => "Neutral",
                },
                spark: spark_row(&trend, &format!("{}: trend over {}", metric.label(), span_words(&trend))),
                value: Value::from_safe_string(
                    view.current.map(|p| present::figure_with_first_html(metric, view, p)).unwrap_or_else(|| present::marker_html('x')),
                ),
                // Say which period only when it is not this quarter (annual figures, for instance).
                period: view.current.filter(|p| p.period != Period::Quarter(q.quarter)).map(|p| p.period.short()).unwrap_or_default(),
                direction: Value::from_safe_string(present::direction_cell(metric, view)),
                target: present::target_cell(metric, view).map(Value::from_safe_string),
                ranks: rank_groups.iter().map(|g| Value::from_safe_string(present::rank_html(view, *g, own))).collect(),
                note: view.note.clone(),
            }
        })
        .collect()
}

#[derive(Serialize)]
struct CompareCell {
    name: String,
    value: Value,
    words: Option<&'static str>,
    rank: Value,
    quartile: Value,
}

#[derive(Serialize)]
struct CompareRow {
    title: String,
    href: String,
    ours: Value,
    period: String,
    cells: Vec<CompareCell>,
}

/// The ```compare``` block: our figure, each group's figure with "similar to"/"better than",
/// our rank with the group's size, and the quartile in words, each with its period when it differs.
fn compare_block_html(ctx: &Ctx, q: &QuarterReport, metrics: &[MetricIdx], groups: &[GroupIdx], root: &str) -> String {
    let site = ctx.site;
    let own = Period::Quarter(q.quarter);
    // Columns follow site.toml's order.
    let mut groups = groups.to_vec();
    groups.sort_unstable();
    groups.dedup();
    let rows: Vec<CompareRow> = metrics
        .iter()
        .map(|&mi| {
            let metric = &site.catalogue.metrics[mi];
            let view = &q.metrics[mi];
            let mut ours = view.current.map(|p| present::figure_html(metric, p.figure)).unwrap_or_else(|| present::marker_html('x'));
            if let (Some((lo, hi)), true) = (view.ci, view.current.is_some_and(|c| c.figure.value().is_some())) {
                ours.push_str(&format!("<br><span class=\"meta\">95% interval {} to {}</span>", escape(&metric.format(lo)), escape(&metric.format(hi))));
            }
            CompareRow {
                title: metric.title.clone(),
                href: format!("{root}metrics/{}/", metric.id),
                ours: Value::from_safe_string(ours),
                period: view.current.map(|p| p.period.short()).unwrap_or_default(),
                cells: groups
                    .iter()
                    .map(|&g| CompareCell {
                        name: site.settings.comparators[g].name.clone(),
                        value: Value::from_safe_string(present::compare_html(metric, view, g, own)),
                        words: present::comparison_words(metric, view, g),
                        rank: Value::from_safe_string(present::rank_html(view, g, own)),
                        quartile: Value::from_safe_string(present::quartile_html(view, g, &site.settings, own)),
                    })
                    .collect(),
            }
        })
        .collect();
    let names: Vec<String> = groups.iter().map(|g| site.settings.comparators[*g].name.clone()).collect();
    ctx.partial(
        "blocks/compare.html",
        context! { rows => ser(rows), groups => names, quarter => q.quarter.short(), organisation => &site.settings.organisation },
    )
}

#[derive(Serialize)]
struct BreakdownRow {
    label: String,
    value: Value,
    share: Value,
    previous: Option<Value>,
}

/// The ```breakdown``` block: categories with their figures and shares of the total.
fn breakdown_block_html(ctx: &Ctx, q: &QuarterReport, mi: MetricIdx, previous: bool) -> String {
    let site = ctx.site;
    let metric = &site.catalogue.metrics[mi];
    let view = &q.metrics[mi];
    let Some(cur) = view.current else { return format!("<p>{} {} is not available for this quarter.</p>", escape(&metric.title), present::marker_html('x')) };
    let na = vec![Figure::NotAvailable(Flags::NONE); metric.breakdown.len()];
    let cats = view.breakdown(cur.period).map(<[Figure]>::to_vec).unwrap_or_else(|| na.clone());
    let prev = view.previous.filter(|_| previous);
    let prev_cats = prev.map(|p| view.breakdown(p.period).map(<[Figure]>::to_vec).unwrap_or_else(|| na.clone()));
    let mut rows: Vec<BreakdownRow> = metric
        .breakdown
        .iter()
        .enumerate()
        .map(|(i, (_, label))| BreakdownRow {
            label: label.clone(),
            value: Value::from_safe_string(present::figure_html(metric, cats[i])),
            share: Value::from_safe_string(present::share_html(cats[i], cur.figure)),
            previous: prev_cats.as_ref().map(|pc| Value::from_safe_string(present::figure_html(metric, pc[i]))),
        })
        .collect();
    rows.push(BreakdownRow {
        label: "Total".into(),
        value: Value::from_safe_string(present::figure_html(metric, cur.figure)),
        share: Value::from_safe_string(if cur.figure.value().is_some() {
            "100%".into()
        } else {
            present::marker_html(if cur.figure == Figure::Suppressed { 'c' } else { 'x' })
        }),
        previous: prev.map(|p| Value::from_safe_string(present::figure_html(metric, p.figure))),
    });
    ctx.partial(
        "blocks/breakdown.html",
        context! {
            id => format!("breakdown-{}", metric.id),
            title => &metric.title,
            period => cur.period.long(),
            previous_period => prev.map(|p| p.period.short()),
            rows => ser(rows),
        },
    )
}

/// The last eight quarters (monthly metrics aggregated) or five years, for sparklines.
pub(super) fn trend_points(metric: &Metric, view: &MetricView, q: Quarter) -> Vec<crate::model::Point> {
    match metric.frequency {
        Frequency::Annual => {
            let n = view.series.len();
            view.series[n.saturating_sub(5)..].to_vec()
        }
        _ => {
            let first = view.series.first().map(|p| p.period);
            let mut pts = view.quarter_points(metric, q, 8);
            if let Some(Period::Month(m)) = first {
                pts.retain(|p| matches!(p.period, Period::Quarter(x) if x >= m.quarter()));
            } else if let Some(f) = first {
                pts.retain(|p| p.period >= f);
            }
            pts
        }
    }
}

pub(super) fn span_words(points: &[crate::model::Point]) -> String {
    match (points.first(), points.last()) {
        (Some(a), Some(b)) if points.len() > 1 => format!("{} to {}", a.period.short(), b.period.short()),
        (Some(a), _) => a.period.short(),
        _ => "no periods".into(),
    }
}

#[derive(Serialize)]
pub(super) struct BenchRow {
    rank: Option<u32>,
    name: String,
    value: Value,
    /// In words ("top quarter"), never a number that reads as a quarter of the year.
    quartile: Option<&'static str>,
    is_self: bool,
}

pub(super) fn benchmark_html(ctx: &Ctx, b: &BenchmarkView) -> String {
    let site = ctx.site;
    let metric = &site.catalogue.metrics[b.def.metric];
    let group = &site.settings.comparators[b.def.group];
    let rows: Vec<BenchRow> = b
        .members
        .iter()
        .map(|m| BenchRow {
            rank: m.rank,
            name: m.name.clone(),
            value: Value::from_safe_string(match m.value {
                Some(v) => escape(&metric.format(v)),
                None => present::marker_html('x'),
            }),
            quartile: m.quartile.map(crate::model::quartile_words),
            is_self: m.is_self,
        })
        .collect();
    let own = b.own().and_then(|m| m.rank.map(|r| (crate::model::ordinal_of(r, b.ranked), m.quartile)));
    ctx.partial(
        "blocks/benchmark.html",
        context! {
            id => format!("benchmark-{}", b.def.name),
            title => &metric.title,
            group => &group.name,
            period => b.def.period.long(),
            polarity => metric.polarity.words(),
            organisation => &b.def.self_name,
            own_rank => own.as_ref().map(|o| o.0.clone()),
            own_quartile => own.and_then(|o| o.1).map(crate::model::quartile_words),
            rows => ser(rows),
        },
    )
}

/// Turns a chart block into the data to draw, from this quarter's view only.
pub(super) fn chart_data(site: &Site, q: &QuarterReport, spec: &ChartSpec, prefix: Option<&str>) -> Option<ChartData> {
    let first = &site.catalogue.metrics[spec.metrics[0]];
    // Percentages over time move within a narrow band: a line shows it, bars on a 0-100 axis flatten it.
    let kind = spec.kind.unwrap_or(match first.frequency {
        Frequency::Monthly(_) => ChartKind::Line,
        _ if first.unit == crate::catalogue::Unit::Percent => ChartKind::Line,
        _ => ChartKind::Bar,
    });
    let title = spec.title.clone().unwrap_or_else(|| {
        if spec.metrics.len() == 1 {
            first.title.clone()
        } else {
            spec.metrics.iter().map(|m| site.catalogue.metrics[*m].label().to_string()).collect::<Vec<_>>().join(", ")
        }
    });
    let mut data = ChartData {
        id: String::new(),
        kind,
        title,
        unit: first.unit,
        decimals: first.decimals,
        polarity: first.polarity,
        categories: Vec::new(),
        series: Vec::new(),
        target: None,
        target_from: None,
        highlight: None,
        source: String::new(),
    };
    let chart = ChartOf { site, q, spec, first };
    match kind {
        ChartKind::HBar if !first.breakdown.is_empty() => chart.breakdown_bars(&mut data)?,
        ChartKind::Stacked => chart.stacked(&mut data),
        ChartKind::Ranking => chart.ranking(&mut data)?,
        ChartKind::HBar => chart.beside_comparators(&mut data)?,
        ChartKind::Line | ChartKind::Bar => chart.over_time(&mut data),
    }
    // The id is a hash of what is drawn (the data as JSON), so it changes exactly when the chart does.
    let key = blake3::hash(&serde_json::to_vec(&data).expect("chart data serialises")).to_hex();
    data.id = format!("{}-{}-{}", prefix.map(str::to_string).unwrap_or_else(|| q.quarter.slug()), first.id, &key[..10]);
    Some(data)
}

/// What one chart block draws from: the block, its quarter, and the first metric it names.
struct ChartOf<'a> {
    site: &'a Site,
    q: &'a QuarterReport,
    spec: &'a ChartSpec,
    first: &'a Metric,
}

impl ChartOf<'_> {
    fn first_view(&self) -> &MetricView {
        &self.q.metrics[self.spec.metrics[0]]
    }

    /// "Source: NHS England. Westmere Borough Council, Quarter 4, 2024/25."
    fn source(&self, period: String) -> String {
        format!("Source: {}. {}, {period}.", self.first.source.as_deref().unwrap_or("not recorded").trim_end_matches('.'), self.site.settings.organisation)
    }

    /// The window of months a chart over time covers, ending with the quarter's last month.
    fn window(&self, default_months: u32) -> (Month, Month) {
        let end = self.q.quarter.last_month();
        let mut start = end;
        for _ in 1..self.spec.months.unwrap_or(default_months) {
            start = month_before(start);
        }
        (start, end)
    }

    /// A breakdown's categories in one period, as horizontal bars.
    fn breakdown_bars(&self, data: &mut ChartData) -> Option<()> {
        let (first, view) = (self.first, self.first_view());
        let current = view.current?;
        let cats = view.breakdown(current.period).map(<[Figure]>::to_vec).unwrap_or_else(|| vec![Figure::NotAvailable(Flags::NONE); first.breakdown.len()]);
        data.categories = first.breakdown.iter().map(|(_, l)| Category::Name(l.clone())).collect();
        data.series.push(ChartSeries { name: format!("{} ({})", first.label(), current.period.short()), points: cats });
        if self.spec.title.is_none() {
            data.title = format!("{}, {}", first.title, current.period.short());
        }
        Some(())
    }

    /// A breakdown's categories stacked, one bar a period.
    fn stacked(&self, data: &mut ChartData) {
        let (first, view) = (self.first, self.first_view());
        let (start, end) = self.window(if first.frequency == Frequency::Annual { 60 } else { 24 });
        let periods: Vec<Period> = view.breakdowns.iter().map(|(p, _)| *p).filter(|p| p.last_month() >= start && p.last_month() <= end).collect();
        data.categories = periods.iter().map(|p| Category::Period(*p)).collect();
        for (ci, (_, label)) in first.breakdown.iter().enumerate() {
            let points = periods.iter().map(|p| view.breakdown(*p).map(|c| c[ci]).unwrap_or(Figure::NotAvailable(Flags::NONE))).collect();
            data.series.push(ChartSeries { name: label.clone(), points });
        }
    }

    /// The latest benchmark by the quarter's end, its members best first with the model's ranks.
    fn ranking(&self, data: &mut ChartData) -> Option<()> {
        let (site, first) = (self.site, self.first);
        let b = site
            .benchmarks
            .iter()
            .filter(|b| b.def.metric == self.spec.metrics[0] && b.def.period.last_month() <= self.q.quarter.last_month())
            .max_by_key(|b| b.def.period)?;
        let ranked: Vec<_> = b.members.iter().filter(|m| m.value.is_some()).collect();
        data.categories = ranked.iter().map(|m| Category::Member { name: m.name.clone(), rank: m.rank }).collect();
        data.highlight = ranked.iter().position(|m| m.is_self);
        data.series
            .push(ChartSeries { name: first.label().to_string(), points: ranked.iter().map(|m| Figure::Value(m.value.unwrap_or(0.0), Flags::NONE)).collect() });
        data.title =
            self.spec.title.clone().unwrap_or_else(|| format!("{}: {} ({})", first.label(), site.settings.comparators[b.def.group].name, b.def.period.short()));
        data.source = self.source(b.def.period.long());
        Some(())
    }

    /// Our latest figure beside the comparator groups' figures, as horizontal bars.
    fn beside_comparators(&self, data: &mut ChartData) -> Option<()> {
        let (site, view) = (self.site, self.first_view());
        let current = view.current?;
        data.categories.push(Category::Name(site.settings.organisation.clone()));
        let mut points = vec![current.figure];
        let groups: Vec<GroupIdx> =
            if self.spec.compare.is_empty() { view.groups.iter().filter(|g| g.value.is_some()).map(|g| g.group).collect() } else { self.spec.compare.clone() };
        for g in groups {
            let gv = view.group(g);
            // A figure for another period says so.
            let lag = present::lag(gv.and_then(|x| x.value_period), current.period);
            data.categories.push(Category::Name(format!("{}{lag}", site.settings.comparators[g].name)));
            let v = gv.and_then(|x| x.value);
            points.push(v.map(|v| Figure::Value(v, Flags::NONE)).unwrap_or(Figure::NotAvailable(Flags::NONE)));
        }
        data.series.push(ChartSeries { name: format!("{} ({})", self.first.label(), current.period.short()), points });
        data.highlight = Some(0);
        data.source = self.source(current.period.long());
        Some(())
    }

    /// Lines or bars over time: each metric named, then each comparator group asked for, then the target.
    fn over_time(&self, data: &mut ChartData) {
        let (site, q, spec, first) = (self.site, self.q, self.spec, self.first);
        let (start, end) = self.window(match first.frequency {
            Frequency::Monthly(_) => 12,
            Frequency::Quarterly => 24,
            Frequency::Annual => 60,
        });
        // Never reach back before the first figure of any metric drawn: those periods are not gaps.
        let earliest = spec
            .metrics
            .iter()
            .filter_map(|mi| q.metrics[*mi].series.first())
            .map(|p| match p.period {
                Period::Month(m) => m,
                Period::Quarter(fq) => fq.first_month(),
                Period::Year(y) => Quarter::new(y, 1).expect("q1").first_month(),
            })
            .min();
        let periods: Vec<Period> =
            window_periods(first, self.first_view(), start, end).into_iter().filter(|p| earliest.is_none_or(|e| p.last_month() >= e)).collect();
        data.categories = periods.iter().map(|p| Category::Period(*p)).collect();
        for &mi in &spec.metrics {
            let view = &q.metrics[mi];
            let points =
                periods.iter().map(|p| view.series.iter().find(|x| x.period == *p).map(|x| x.figure).unwrap_or(Figure::NotAvailable(Flags::NONE))).collect();
            // Beside comparator groups, our own line is called by the council's name.
            let name = if spec.metrics.len() == 1 && !spec.compare.is_empty() {
                site.settings.organisation.clone()
            } else {
                site.catalogue.metrics[mi].label().to_string()
            };
            data.series.push(ChartSeries { name, points });
        }
        let view = self.first_view();
        for &g in &spec.compare {
            let points = periods
                .iter()
                .map(|p| {
                    view.compare_series
                        .iter()
                        .find(|c| c.group == g && matches_period(c.period, *p))
                        .and_then(|c| c.value)
                        .map(|v| Figure::Value(v, Flags::NONE))
                        .unwrap_or(Figure::NotAvailable(Flags::NONE))
                })
                .collect();
            data.series.push(ChartSeries { name: site.settings.comparators[g].name.clone(), points });
        }
        data.source = self.source(match (periods.first(), periods.last()) {
            (Some(a), Some(b)) if a != b => format!("{} to {}", a.long(), b.long()),
            _ => q.quarter.long(),
        });
        if spec.target {
            add_target(data, first, view, &periods);
        }
    }
}

/// The target in force: a line across the chart for a standing target of the catalogue or one set
/// before the window; otherwise a dashed "Target" path from the period it was set (on bar charts,
/// the line starts at that period). A plan is a
/// dashed "Plan" path over the periods it covers.
fn add_target(data: &mut ChartData, metric: &Metric, view: &MetricView, periods: &[Period]) {
    let Some(t) = &view.target else { return };
    let from = t.set.map(|q| q.first_month());
    let set_inside = from.is_some_and(|f| periods.first().is_some_and(|p| p.last_month() < f));
    if set_inside && data.kind == ChartKind::Line {
        let points = periods
            .iter()
            .map(|p| if from.is_some_and(|f| p.last_month() >= f) { Figure::Value(t.value, Flags::NONE) } else { Figure::NotAvailable(Flags::NONE) })
            .collect();
        data.series.push(ChartSeries { name: chart::TARGET.into(), points });
    } else {
        data.target = Some(t.value);
        if set_inside {
            data.target_from = from.and_then(|f| periods.iter().position(|p| p.last_month() >= f));
        }
    }
    if !t.plan.is_empty() && data.kind == ChartKind::Line {
        let points: Vec<Figure> =
            periods.iter().map(|p| t.plan_for(metric, *p).map(|v| Figure::Value(v, Flags::NONE)).unwrap_or(Figure::NotAvailable(Flags::NONE))).collect();
        if points.iter().any(|f| f.value().is_some()) {
            data.series.push(ChartSeries { name: chart::PLAN.into(), points });
        }
    }
}

/// A comparator value (given per quarter or year) placed on a month axis at the period's last month.
pub(super) fn matches_period(given: Period, axis: Period) -> bool {
    match axis {
        Period::Month(m) => given.last_month() == m,
        other => given == other,
    }
}

pub(super) fn month_before(m: Month) -> Month {
    let q = m.quarter();
    let months = q.months();
    match months.iter().position(|x| *x == m) {
        Some(0) => q.previous().last_month(),
        Some(i) => months[i - 1],
        None => m,
    }
}

pub(super) fn window_periods(metric: &Metric, view: &MetricView, start: Month, end: Month) -> Vec<Period> {
    match metric.frequency {
        Frequency::Monthly(_) => {
            let mut out = Vec::new();
            let mut m = start;
            while m <= end {
                out.push(Period::Month(m));
                m = m.next();
            }
            out
        }
        Frequency::Quarterly => {
            let mut out = Vec::new();
            let mut q = end.quarter();
            while q.last_month() >= start {
                out.push(Period::Quarter(q));
                q = q.previous();
            }
            out.reverse();
            out
        }
        // An annual view only holds years up to the quarter's own, so the window's start is the only bound.
        Frequency::Annual => view.series.iter().map(|p| p.period).filter(|p| p.last_month() >= start).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_whole_pixels() {
        let c: Vec<String> = [4.0, 25.64, 116.0, 0.04, -0.04, -0.6, 27.5, 27.96].into_iter().map(coordinate).collect();
        assert_eq!(c, ["4", "26", "116", "0", "0", "-1", "28", "28"]);
    }

    #[test]
    fn a_sparkline_is_one_path_of_implied_line_tos_with_the_latest_dotted() {
        let point = |m: u8, v: f64| crate::model::Point {
            period: Period::Quarter(Quarter::new(crate::period::FinancialYear::new(2024), m).expect("quarter")),
            figure: Figure::Value(v, Flags::NONE),
        };
        let s = spark_row(&[point(1, 10.0), point(2, 20.0), point(3, 15.0)], "Contacts: trend");
        assert_eq!(s.path.as_deref(), Some("M4 28 60 4 116 16"));
        assert_eq!(s.dots, [("116".to_string(), "16".to_string())]);
        assert_eq!(s.name, "Contacts: trend, from 10 to 15");
        let few = spark_row(&[point(1, 10.0)], "Contacts: trend");
        assert!(few.path.is_none() && few.dots.is_empty(), "one figure makes no trend");
    }
}
