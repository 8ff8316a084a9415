//! Report blocks in commentary: highlight tables, headline figures, benchmarks and charts, taken from one quarter's view.

use super::*;
pub(super) fn block_html(ctx: &Ctx, b: &Block, q: Option<&QuarterReport>, root: &str, charts: &mut BTreeMap<String, RenderedChart>) -> String {
    block_html_with(ctx, b, q, root, charts, None)
}

/// `chart_prefix` names charts that are not part of a quarter's report (metric pages).
pub(super) fn block_html_with(
    ctx: &Ctx,
    b: &Block,
    q: Option<&QuarterReport>,
    root: &str,
    charts: &mut BTreeMap<String, RenderedChart>,
    chart_prefix: Option<&str>,
) -> String {
    let site = ctx.site;
    let Some(q) = q else {
        return "<p>This element shows a quarter's figures, so it appears only in quarterly reports.</p>".into();
    };
    match b {
        Block::Kpis(list) => {
            let metrics: Vec<usize> =
                if list.is_empty() { (0..site.catalogue.metrics.len()).filter(|mi| q.metrics[*mi].is_reported()).collect() } else { list.clone() };
            kpis_html(ctx, q, &metrics, root)
        }
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
                    previous_period => view.previous.map(|p| p.period.long()),
                    note => view.note.clone(),
                },
            )
        }
        Block::Benchmark(bi) => benchmark_html(ctx, &site.benchmarks[*bi]),
        Block::Chart(spec) => {
            let Some(data) = chart_data(site, q, spec, chart_prefix) else {
                return "<p class=\"notice\">No benchmark figures are available for this chart yet.</p>".into();
            };
            let rendered = charts.entry(data.id.clone()).or_insert_with(|| {
                let cached = ctx.cache.charts.lock().expect("cache lock").get(&data.id).cloned();
                cached.unwrap_or_else(|| {
                    let drawn = chart::render(&data);
                    if ctx.cache.keep {
                        ctx.cache.charts.lock().expect("cache lock").insert(data.id.clone(), drawn.clone());
                    }
                    drawn
                })
            });
            ctx.partial(
                "blocks/chart.html",
                context! {
                    id => &rendered.html_id,
                    kind => rendered.kind,
                    title => &rendered.title,
                    description => &rendered.description,
                    src => format!("{root}charts/{}.svg", data.id),
                    width => rendered.width.round() as u32,
                    height => rendered.height.round() as u32,
                    table => Value::from_safe_string(rendered.table.clone()),
                },
            )
        }
    }
}

#[derive(Serialize)]
pub(super) struct KpiRow {
    title: String,
    href: String,
    frequency: &'static str,
    polarity: &'static str,
    polarity_short: &'static str,
    sparkline: Value,
    value: Value,
    period: String,
    direction: Value,
    target: Option<String>,
    ranks: Vec<Value>,
    note: Option<String>,
}

pub(super) fn kpis_html(ctx: &Ctx, q: &QuarterReport, metrics: &[usize], root: &str) -> String {
    let site = ctx.site;
    let groups: Vec<usize> =
        (0..site.settings.comparators.len()).filter(|g| metrics.iter().any(|mi| q.metrics[*mi].rank.iter().any(|(x, _)| x == g))).collect();
    let rows: Vec<KpiRow> = metrics
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
                sparkline: Value::from_safe_string(chart::sparkline(
                    &trend.iter().map(|p| p.figure).collect::<Vec<_>>(),
                    &format!("{}: trend over {}", metric.label(), span_words(&trend)),
                )),
                value: Value::from_safe_string(view.current.map(|p| present::figure_html(metric, p.figure)).unwrap_or_else(|| present::marker_html('x'))),
                // Say which period only when it is not this quarter (annual figures, for instance).
                period: view.current.filter(|p| p.period != Period::Quarter(q.quarter)).map(|p| p.period.short()).unwrap_or_default(),
                direction: Value::from_safe_string(present::direction_cell(metric, view)),
                target: metric.target.map(|t| metric.format(t)),
                ranks: groups.iter().map(|g| Value::from_safe_string(present::rank_html(view, *g, &site.settings))).collect(),
                note: view.note.clone(),
            }
        })
        .collect();
    let group_names: Vec<String> = groups.iter().map(|g| site.settings.comparators[*g].name.clone()).collect();
    ctx.partial("blocks/kpis.html", context! { rows => ser(rows), groups => group_names, quarter => q.quarter.long() })
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
    quartile: Option<u8>,
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
            quartile: m.quartile,
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
            own_quartile => own.and_then(|o| o.1),
            rows => ser(rows),
        },
    )
}

/// Turns a chart block into the data to draw, from this quarter's view only.
pub(super) fn chart_data(site: &Site, q: &QuarterReport, spec: &ChartSpec, prefix: Option<&str>) -> Option<ChartData> {
    let first = &site.catalogue.metrics[spec.metrics[0]];
    let kind = spec.kind.unwrap_or(match first.frequency {
        Frequency::Monthly(_) => ChartKind::Line,
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
        target: if spec.target { first.target } else { None },
        highlight: None,
    };
    match kind {
        ChartKind::Ranking => {
            let b = site
                .benchmarks
                .iter()
                .filter(|b| b.def.metric == spec.metrics[0] && b.def.period.last_month() <= q.quarter.last_month())
                .max_by_key(|b| b.def.period)?;
            let ranked: Vec<_> = b.members.iter().filter(|m| m.value.is_some()).collect();
            data.categories = ranked.iter().map(|m| m.name.clone()).collect();
            data.highlight = ranked.iter().position(|m| m.is_self);
            data.series.push(ChartSeries {
                name: first.label().to_string(),
                points: ranked.iter().map(|m| Figure::Value(m.value.unwrap_or(0.0), Flags::NONE)).collect(),
            });
            data.title =
                spec.title.clone().unwrap_or_else(|| format!("{}: {} ({})", first.label(), site.settings.comparators[b.def.group].name, b.def.period.short()));
        }
        ChartKind::HBar => {
            let view = &q.metrics[spec.metrics[0]];
            let current = view.current?;
            data.categories.push(site.settings.organisation.clone());
            let mut points = vec![current.figure];
            let groups: Vec<usize> = if spec.compare.is_empty() { view.compare.iter().map(|(g, _)| *g).collect() } else { spec.compare.clone() };
            for g in groups {
                data.categories.push(site.settings.comparators[g].name.clone());
                let v = view.compare.iter().find(|(x, _)| *x == g).and_then(|(_, v)| *v);
                points.push(v.map(|v| Figure::Value(v, Flags::NONE)).unwrap_or(Figure::NotAvailable(Flags::NONE)));
            }
            data.series.push(ChartSeries { name: format!("{} ({})", first.label(), current.period.short()), points });
            data.highlight = Some(0);
        }
        ChartKind::Line | ChartKind::Bar => {
            let default_months = match first.frequency {
                Frequency::Monthly(_) => 12,
                Frequency::Quarterly => 24,
                Frequency::Annual => 60,
            };
            let months = spec.months.unwrap_or(default_months);
            let end = q.quarter.last_month();
            let mut start = end;
            for _ in 1..months {
                start = month_before(start);
            }
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
                window_periods(first, &q.metrics[spec.metrics[0]], start, end).into_iter().filter(|p| earliest.is_none_or(|e| p.last_month() >= e)).collect();
            data.categories = periods.iter().map(|p| p.short()).collect();
            for &mi in &spec.metrics {
                let view = &q.metrics[mi];
                let points = periods
                    .iter()
                    .map(|p| view.series.iter().find(|x| x.period == *p).map(|x| x.figure).unwrap_or(Figure::NotAvailable(Flags::NONE)))
                    .collect();
                data.series.push(ChartSeries { name: site.catalogue.metrics[mi].label().to_string(), points });
            }
            let view = &q.metrics[spec.metrics[0]];
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
        }
    }
    let key = blake3::hash(format!("{data:?}").as_bytes()).to_hex();
    data.id = format!("{}-{}-{}", prefix.map(str::to_string).unwrap_or_else(|| q.quarter.slug()), first.id, &key[..10]);
    Some(data)
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
