//! Site assembly: every page of the SPEC, rendered from the model with the theme.

use super::chart::{self, ChartData, ChartSeries, RenderedChart};
use super::markdown::{self, escape, GlossaryIndex, PageState};
use super::present;
use super::templates::template_error;
use crate::catalogue::{Frequency, Metric};
use crate::diagnostic::Diagnostic;
use crate::figure::{Figure, Flags};
use crate::model::{BenchmarkView, MetricView, QuarterReport, Site};
use crate::period::{Month, Period, Quarter};
use crate::validate::{Block, ChartKind, ChartSpec, Commentary, RefField, Status};
use minijinja::{context, value::Serde, Environment, Value};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Any serialisable value as a template value.
fn ser<T: Serialize>(x: T) -> Value {
    Value::from(Serde(x))
}

/// A file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path below the output directory, with `/`.
    pub path: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// Everything rendered.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Files to write, sorted by path.
    pub files: Vec<OutputFile>,
    /// Number of HTML pages.
    pub pages: usize,
}

#[derive(Serialize, Clone)]
struct Link {
    title: String,
    href: String,
}

#[derive(Serialize, Clone)]
struct SwitchItem {
    label: String,
    href: String,
    current: bool,
    draft: bool,
}

#[derive(Serialize, Clone)]
struct QuarterNav {
    long: String,
    short: String,
    status: &'static str,
    published: Option<String>,
    data_as_of: Option<String>,
    revisions: Vec<(String, String)>,
    draft: bool,
    archived: bool,
    latest: Option<Link>,
    overview: String,
    print: String,
    appendix: String,
    csv: String,
    switcher: Vec<SwitchItem>,
}

/// What a rebuild may reuse from the builds before it (held by `serve`; a plain build uses a fresh one).
#[derive(Debug)]
pub struct RenderCache {
    /// Off for one-off builds, which would only pay for copies they never reuse.
    keep: bool,
    charts: std::sync::Mutex<std::collections::HashMap<String, RenderedChart>>,
    quarters: std::sync::Mutex<std::collections::HashMap<Quarter, (blake3::Hash, Vec<OutputFile>)>>,
    last: std::sync::Mutex<CacheStats>,
}

/// What the last build reused and what it rendered.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Quarters whose pages were reused whole.
    pub quarters_reused: usize,
    /// Quarters rendered.
    pub quarters_rendered: usize,
    /// Charts reused.
    pub charts_reused: usize,
    /// Charts drawn.
    pub charts_rendered: usize,
}

impl Default for RenderCache {
    fn default() -> Self {
        RenderCache { keep: true, charts: Default::default(), quarters: Default::default(), last: Default::default() }
    }
}

impl RenderCache {
    /// A cache that keeps nothing, for a build that will not be repeated.
    pub fn none() -> Self {
        RenderCache { keep: false, ..Default::default() }
    }

    /// What the last build reused.
    pub fn last_stats(&self) -> CacheStats {
        *self.last.lock().expect("cache lock")
    }
}

/// Shared, read-only state of one build.
struct Ctx<'a> {
    cache: &'a RenderCache,
    templates_key: blake3::Hash,
    site: &'a Site,
    env: &'a Environment<'static>,
    glossary_index: GlossaryIndex,
    site_value: Value,
    nav_pages: Vec<(String, String)>,
}

/// Renders every page and download of the site.
pub fn render_site(site: &Site, env: &Environment<'static>, cache: &RenderCache, templates_key: blake3::Hash) -> Result<Rendered, Vec<Diagnostic>> {
    let before = cache.charts.lock().expect("cache lock").len();
    *cache.last.lock().expect("cache lock") = CacheStats::default();
    let ctx = Ctx {
        cache,
        templates_key,
        site,
        env,
        glossary_index: GlossaryIndex::new(&site.glossary),
        site_value: ser(context_site(site)),
        nav_pages: site.pages.iter().map(|(name, c)| (c.title.clone().unwrap_or_else(|| title_case(name)), name.clone())).collect(),
    };
    let quarter_files: Vec<Result<Vec<OutputFile>, Vec<Diagnostic>>> = (0..site.quarters.len()).into_par_iter().map(|qi| render_quarter(&ctx, qi)).collect();
    let metric_files: Vec<Result<Vec<OutputFile>, Vec<Diagnostic>>> =
        (0..site.catalogue.metrics.len()).into_par_iter().map(|mi| render_metric(&ctx, mi)).collect();
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for r in quarter_files.into_iter().chain(metric_files).chain(std::iter::once(render_site_pages(&ctx))) {
        match r {
            Ok(f) => files.extend(f),
            Err(d) => diags.extend(d),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    // Keep only what this build used, so the cache does not grow without bound while serving.
    {
        let charts_now: std::collections::HashSet<&str> =
            files.iter().filter_map(|f| f.path.strip_prefix("charts/").and_then(|p| p.strip_suffix(".svg"))).collect();
        let mut charts = cache.charts.lock().expect("cache lock");
        let mut stats = cache.last.lock().expect("cache lock");
        stats.charts_rendered = charts.len().saturating_sub(before);
        charts.retain(|id, _| charts_now.contains(id.as_str()));
        stats.charts_reused = charts_now.len().saturating_sub(stats.charts_rendered);
        let quarters_now: std::collections::HashSet<Quarter> = site.quarters.iter().map(|q| q.quarter).collect();
        cache.quarters.lock().expect("cache lock").retain(|q, _| quarters_now.contains(q));
    }
    files.extend(super::opendata::files(site));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    let pages = files.iter().filter(|f| f.path.ends_with(".html")).count();
    Ok(Rendered { files, pages })
}

#[derive(Serialize)]
struct SiteContext {
    title: String,
    organisation: String,
    description: Option<String>,
    language: String,
    base_url: String,
}

fn context_site(site: &Site) -> SiteContext {
    let s = &site.settings;
    SiteContext {
        title: s.title.clone(),
        organisation: s.organisation.clone(),
        description: s.description.clone(),
        language: s.language.clone(),
        base_url: s.base_url.clone(),
    }
}

/// The relative prefix from a page at `path` (e.g. `2024-25/q2/`) to the site root.
fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

impl Ctx<'_> {
    fn render(
        &self,
        template: &str,
        path: &str,
        title: &str,
        crumbs: Vec<Link>,
        quarter: Option<&QuarterNav>,
        extra: Value,
    ) -> Result<OutputFile, Vec<Diagnostic>> {
        let root = if path == "404.html" { self.site.settings.base_path.clone() } else { root_of(path) };
        let canonical = format!("{}{}", self.site.settings.base_url, path.trim_end_matches("index.html"));
        let mut nav = vec![
            Link { title: "Home".into(), href: if root.is_empty() { "./".into() } else { root.clone() } },
            Link { title: "Latest report".into(), href: format!("{root}latest/") },
            Link { title: "Metrics".into(), href: format!("{root}metrics/") },
            Link { title: "Glossary".into(), href: format!("{root}glossary/") },
            Link { title: "Open data".into(), href: format!("{root}data/") },
        ];
        nav.extend(self.nav_pages.iter().map(|(t, n)| Link { title: t.clone(), href: format!("{root}{n}/") }));
        let current = format!("{root}{}", path.trim_end_matches("index.html"));
        let ctx = context! {
            site => self.site_value.clone(),
            root => root,
            path => path,
            title => title,
            canonical => canonical,
            breadcrumbs => ser(crumbs),
            nav => ser(nav),
            current => current,
            quarter => ser(quarter),
            page => extra,
        };
        let tmpl =
            self.env.get_template(template).map_err(|e| vec![template_error(&format!("themes/{}/templates/{template}", self.site.settings.theme), &e)])?;
        let html = tmpl.render(ctx).map_err(|e| vec![template_error(&format!("themes/{}/templates/{template}", self.site.settings.theme), &e)])?;
        let html = add_flag_key(self, &html);
        let out = if path.ends_with(".html") { path.to_string() } else { format!("{path}index.html") };
        Ok(OutputFile { path: out, bytes: html.into_bytes() })
    }

    fn partial(&self, template: &str, ctx: Value) -> String {
        match self.env.get_template(template).and_then(|t| t.render(ctx)) {
            Ok(s) => s,
            Err(e) => format!("<p class=\"error\">{}</p>", escape(&format!("template error in {template}: {e}"))),
        }
    }
}

/// Puts the shorthand key where the page used any shorthand.
fn add_flag_key(ctx: &Ctx, html: &str) -> String {
    const MARK: &str = "<!--flag-key-->";
    if !html.contains(MARK) {
        return html.to_string();
    }
    let used = present::flags_used(html);
    let key = if used.is_empty() { String::new() } else { ctx.partial("partials/flag_key.html", context! { flags => ser(used) }) };
    html.replacen(MARK, &key, 1)
}

fn quarter_nav(site: &Site, qi: usize, root: &str, same: impl Fn(&QuarterReport) -> Option<String>) -> QuarterNav {
    let q = &site.quarters[qi];
    let base = format!("{root}{}/", q.quarter.path());
    let latest = site
        .latest
        .filter(|l| *l != qi && site.quarters[*l].quarter > q.quarter)
        .map(|l| Link { title: site.quarters[l].quarter.long(), href: format!("{root}{}/", site.quarters[l].quarter.path()) });
    QuarterNav {
        long: q.quarter.long(),
        short: q.quarter.short(),
        status: if q.status == Status::Final { "final" } else { "provisional" },
        published: q.published.map(|d| d.long()),
        data_as_of: q.data_as_of.map(|d| d.long()),
        revisions: q.revisions.iter().map(|r| (r.date.long(), r.note.clone())).collect(),
        draft: q.draft,
        archived: latest.is_some(),
        latest,
        overview: base.clone(),
        print: format!("{base}print/"),
        appendix: format!("{base}appendix/"),
        csv: format!("{root}data/{}.csv", q.quarter.slug()),
        switcher: site
            .quarters
            .iter()
            .rev()
            .map(|other| SwitchItem {
                label: other.quarter.long(),
                href: format!("{root}{}/{}", other.quarter.path(), same(other).unwrap_or_default()),
                current: other.quarter == q.quarter,
                draft: other.draft,
            })
            .collect(),
    }
}

/// The commentary of one file as HTML, with blocks and references from the quarter.
fn commentary_html(
    ctx: &Ctx,
    c: &Commentary,
    q: Option<&QuarterReport>,
    root: &str,
    prefix: &str,
    state: &mut PageState,
    charts: &mut BTreeMap<String, RenderedChart>,
) -> String {
    let site = ctx.site;
    let refs: Vec<String> = c
        .refs
        .iter()
        .map(|r| match q {
            Some(q) => reference_html(site, q, r.metric, r.field),
            None => present::marker_html('x'),
        })
        .collect();
    let blocks: Vec<String> = c.blocks.iter().map(|b| block_html(ctx, b, q, root, charts)).collect();
    let glossary_href = format!("{root}glossary/");
    let m = markdown::Commentary {
        refs: &refs,
        blocks: &blocks,
        id_prefix: prefix,
        allow_raw_html: site.settings.allow_raw_html,
        glossary: &site.glossary,
        glossary_index: &ctx.glossary_index,
        glossary_href: &glossary_href,
    };
    markdown::render(&c.body, &m, state)
}

fn reference_html(site: &Site, q: &QuarterReport, mi: usize, field: RefField) -> String {
    let metric = &site.catalogue.metrics[mi];
    let view = &q.metrics[mi];
    let missing = present::marker_html('x');
    match field {
        RefField::Value => view.current.map(|p| present::figure_html(metric, p.figure)).unwrap_or(missing),
        RefField::Previous => view.previous.map(|p| present::figure_html(metric, p.figure)).unwrap_or(missing),
        RefField::Change => present::change_html(metric, view),
        RefField::Direction => present::direction_html(metric, view),
        RefField::Rank(g) => present::rank_html(view, g, &site.settings),
    }
}

fn block_html(ctx: &Ctx, b: &Block, q: Option<&QuarterReport>, root: &str, charts: &mut BTreeMap<String, RenderedChart>) -> String {
    block_html_with(ctx, b, q, root, charts, None)
}

/// `chart_prefix` names charts that are not part of a quarter's report (metric pages).
fn block_html_with(
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
                },
            )
        }
        Block::Benchmark(bi) => benchmark_html(ctx, &site.benchmarks[*bi]),
        Block::Chart(spec) => {
            let Some(data) = chart_data(site, q, spec, chart_prefix) else {
                return "<p class=\"notice\">No benchmark figures are available for this chart yet.</p>".into();
            };
            let href = format!("{root}charts/{}.svg", data.id);
            let rendered = charts.entry(data.id.clone()).or_insert_with(|| {
                let cached = ctx.cache.charts.lock().expect("cache lock").get(&data.id).cloned();
                cached.unwrap_or_else(|| {
                    let drawn = chart::render(&data, "\u{E002}");
                    if ctx.cache.keep {
                        ctx.cache.charts.lock().expect("cache lock").insert(data.id.clone(), drawn.clone());
                    }
                    drawn
                })
            });
            rendered.html.replace('\u{E002}', &href)
        }
    }
}

#[derive(Serialize)]
struct KpiRow {
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
}

fn kpis_html(ctx: &Ctx, q: &QuarterReport, metrics: &[usize], root: &str) -> String {
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
            }
        })
        .collect();
    let group_names: Vec<String> = groups.iter().map(|g| site.settings.comparators[*g].name.clone()).collect();
    ctx.partial("blocks/kpis.html", context! { rows => ser(rows), groups => group_names, quarter => q.quarter.long() })
}

/// The last eight quarters (monthly metrics aggregated) or five years, for sparklines.
fn trend_points(metric: &Metric, view: &MetricView, q: Quarter) -> Vec<crate::model::Point> {
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

fn span_words(points: &[crate::model::Point]) -> String {
    match (points.first(), points.last()) {
        (Some(a), Some(b)) if points.len() > 1 => format!("{} to {}", a.period.short(), b.period.short()),
        (Some(a), _) => a.period.short(),
        _ => "no periods".into(),
    }
}

#[derive(Serialize)]
struct BenchRow {
    rank: Option<u32>,
    name: String,
    value: Value,
    quartile: Option<u8>,
    is_self: bool,
}

fn benchmark_html(ctx: &Ctx, b: &BenchmarkView) -> String {
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
fn chart_data(site: &Site, q: &QuarterReport, spec: &ChartSpec, prefix: Option<&str>) -> Option<ChartData> {
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
            data.categories = ranked.iter().map(|m| if m.is_self { format!("{} (us)", m.name) } else { m.name.clone() }).collect();
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
fn matches_period(given: Period, axis: Period) -> bool {
    match axis {
        Period::Month(m) => given.last_month() == m,
        other => given == other,
    }
}

fn month_before(m: Month) -> Month {
    let q = m.quarter();
    let months = q.months();
    match months.iter().position(|x| *x == m) {
        Some(0) => q.previous().last_month(),
        Some(i) => months[i - 1],
        None => m,
    }
}

fn window_periods(metric: &Metric, view: &MetricView, start: Month, end: Month) -> Vec<Period> {
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

fn title_case(name: &str) -> String {
    let s = name.replace('-', " ");
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

#[derive(Serialize)]
struct SectionItem {
    id: String,
    title: String,
    href: String,
    summary: Option<String>,
    body: Value,
}

fn render_quarter(ctx: &Ctx, qi: usize) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let q = &ctx.site.quarters[qi];
    let key = blake3::hash(&[ctx.templates_key.as_bytes().as_slice(), q.input_key.as_bytes().as_slice()].concat());
    if let Some((k, files)) = ctx.cache.quarters.lock().expect("cache lock").get(&q.quarter) {
        if *k == key {
            ctx.cache.last.lock().expect("cache lock").quarters_reused += 1;
            return Ok(files.clone());
        }
    }
    let files = render_quarter_pages(ctx, qi)?;
    if ctx.cache.keep {
        ctx.cache.quarters.lock().expect("cache lock").insert(q.quarter, (key, files.clone()));
    }
    ctx.cache.last.lock().expect("cache lock").quarters_rendered += 1;
    Ok(files)
}

fn render_quarter_pages(ctx: &Ctx, qi: usize) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let site = ctx.site;
    let q = &site.quarters[qi];
    let path = format!("{}/", q.quarter.path());
    let mut charts: BTreeMap<String, RenderedChart> = BTreeMap::new();
    let mut out = Vec::new();
    let sections = q.section_ids(&site.catalogue);
    let quarter_crumbs = |root: &str| {
        vec![
            Link { title: "Home".into(), href: if root.is_empty() { "./".into() } else { root.to_string() } },
            Link { title: q.quarter.long(), href: format!("{root}{}/", q.quarter.path()) },
        ]
    };

    // Section pages.
    let mut items = Vec::new();
    for (n, &si) in sections.iter().enumerate() {
        let section = &site.catalogue.sections[si];
        let spath = format!("{path}{}/", section.id);
        let root = root_of(&spath);
        let commentary = q.sections.iter().find(|(s, _)| *s == si).map(|(_, c)| c).filter(|c| !c.draft || site.drafts);
        let mut state = PageState::default();
        reserve_layout_ids(&mut state);
        let body = match commentary {
            Some(c) => commentary_html(ctx, c, Some(q), &root, &format!("{}-", section.id), &mut state, &mut charts),
            None => String::new(),
        };
        let metrics: Vec<usize> =
            (0..site.catalogue.metrics.len()).filter(|mi| site.catalogue.metrics[*mi].section == si && q.metrics[*mi].is_reported()).collect();
        // The commentary may show its own highlight table; otherwise the section's figures follow it.
        let has_own_table = commentary.is_some_and(|c| c.blocks.iter().any(|b| matches!(b, Block::Kpis(_))));
        let table = if metrics.is_empty() || has_own_table { String::new() } else { kpis_html(ctx, q, &metrics, &root) };
        let title = commentary.and_then(|c| c.title.clone()).unwrap_or_else(|| section.title.clone());
        let nav = quarter_nav(site, qi, &root, |other| other.section_ids(&site.catalogue).contains(&si).then(|| format!("{}/", section.id)));
        let prev = n.checked_sub(1).map(|p| &site.catalogue.sections[sections[p]]).map(|s| Link { title: s.title.clone(), href: format!("../{}/", s.id) });
        let next = sections.get(n + 1).map(|p| &site.catalogue.sections[*p]).map(|s| Link { title: s.title.clone(), href: format!("../{}/", s.id) });
        out.push(ctx.render(
            "section.html",
            &spath,
            &title,
            quarter_crumbs(&root),
            Some(&nav),
            ser(context! { body => Value::from_safe_string(body), table => Value::from_safe_string(table), summary => commentary.and_then(|c| c.summary.clone()), previous => ser(prev), next => ser(next) }),
        )?);
        items.push(SectionItem {
            id: section.id.clone(),
            title,
            href: format!("{}/", section.id),
            summary: commentary.and_then(|c| c.summary.clone()),
            body: Value::from(()),
        });
    }

    // Overview.
    let root = root_of(&path);
    let mut state = PageState::default();
    reserve_layout_ids(&mut state);
    let summary = commentary_html(ctx, &q.overview, Some(q), &root, "summary-", &mut state, &mut charts);
    let nav = quarter_nav(site, qi, &root, |_| None);
    let title = q.overview.title.clone().unwrap_or_else(|| format!("{}: {}", site.settings.title, q.quarter.long()));
    out.push(ctx.render(
        "quarter.html",
        &path,
        &title,
        vec![Link { title: "Home".into(), href: root.clone() }],
        Some(&nav),
        ser(context! { body => Value::from_safe_string(summary), summary => &q.overview.summary, sections => ser(&items) }),
    )?);

    // Print: the whole quarter on one page, rendered with its own page state so ids stay unique.
    let ppath = format!("{path}print/");
    let root = root_of(&ppath);
    let mut state = PageState::default();
    reserve_layout_ids(&mut state);
    let summary = commentary_html(ctx, &q.overview, Some(q), &root, "summary-", &mut state, &mut charts);
    let mut print_sections = Vec::new();
    for &si in &sections {
        let section = &site.catalogue.sections[si];
        let commentary = q.sections.iter().find(|(s, _)| *s == si).map(|(_, c)| c).filter(|c| !c.draft || site.drafts);
        let mut body = match commentary {
            Some(c) => commentary_html(ctx, c, Some(q), &root, &format!("{}-", section.id), &mut state, &mut charts),
            None => String::new(),
        };
        let metrics: Vec<usize> =
            (0..site.catalogue.metrics.len()).filter(|mi| site.catalogue.metrics[*mi].section == si && q.metrics[*mi].is_reported()).collect();
        if !metrics.is_empty() {
            body.push_str(&kpis_html(ctx, q, &metrics, &root));
        }
        let id = state.unique_id(&format!("section-{}", section.id));
        print_sections.push(SectionItem {
            id,
            title: commentary.and_then(|c| c.title.clone()).unwrap_or_else(|| section.title.clone()),
            href: format!("../{}/", section.id),
            summary: None,
            body: Value::from_safe_string(body),
        });
    }
    let nav = quarter_nav(site, qi, &root, |_| Some("print/".into()));
    let appendix = appendix_rows(site, q, &root);
    out.push(ctx.render(
        "print.html",
        &ppath,
        &format!("{}: {} (full report)", site.settings.title, q.quarter.long()),
        quarter_crumbs(&root),
        Some(&nav),
        ser(context! { body => Value::from_safe_string(summary), sections => ser(print_sections), appendix => ser(appendix) }),
    )?);

    // Appendix.
    let apath = format!("{path}appendix/");
    let root = root_of(&apath);
    let nav = quarter_nav(site, qi, &root, |_| Some("appendix/".into()));
    out.push(ctx.render(
        "appendix.html",
        &apath,
        &format!("Data sources and what good looks like: {}", q.quarter.long()),
        quarter_crumbs(&root),
        Some(&nav),
        ser(context! { appendix => ser(appendix_rows(site, q, &root)) }),
    )?);

    for (id, c) in charts {
        out.push(OutputFile { path: format!("charts/{id}.svg"), bytes: c.svg.into_bytes() });
    }
    Ok(out)
}

/// Ids the layout uses, so commentary headings cannot take them.
fn reserve_layout_ids(state: &mut PageState) {
    for id in ["main", "top", "content", "quarter-switcher", "flag-key", "site-nav", "report", "status"] {
        state.unique_id(id);
    }
}

#[derive(Serialize)]
struct AppendixRow {
    section: String,
    title: String,
    href: String,
    ascof: Option<String>,
    source: Option<String>,
    good: Option<String>,
    polarity: &'static str,
    frequency: &'static str,
    unit: String,
    target: Option<String>,
}

fn appendix_rows(site: &Site, q: &QuarterReport, root: &str) -> Vec<AppendixRow> {
    let mut rows: Vec<(usize, AppendixRow)> = site
        .catalogue
        .metrics
        .iter()
        .enumerate()
        .filter(|(mi, _)| q.metrics[*mi].is_reported())
        .map(|(_, m)| {
            (
                m.section,
                AppendixRow {
                    section: site.catalogue.sections[m.section].title.clone(),
                    title: m.title.clone(),
                    href: format!("{root}metrics/{}/", m.id),
                    ascof: m.ascof.clone(),
                    source: m.source.clone(),
                    good: m.good.clone(),
                    polarity: m.polarity.words(),
                    frequency: m.frequency.words(),
                    unit: m.unit.axis_label(),
                    target: m.target.map(|t| m.format(t)),
                },
            )
        })
        .collect();
    rows.sort_by_key(|(s, _)| *s);
    rows.into_iter().map(|(_, r)| r).collect()
}

#[derive(Serialize)]
struct FigureRow {
    period: String,
    value: Value,
}

fn render_metric(ctx: &Ctx, mi: usize) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let site = ctx.site;
    let metric = &site.catalogue.metrics[mi];
    let path = format!("metrics/{}/", metric.id);
    let root = root_of(&path);
    let latest = site.latest.or(site.quarters.len().checked_sub(1));
    let view = latest.map(|l| &site.quarters[l].metrics[mi]);
    let rows: Vec<FigureRow> = view
        .map(|v| {
            v.series
                .iter()
                .rev()
                .map(|p| FigureRow { period: p.period.long(), value: Value::from_safe_string(present::figure_html(metric, p.figure)) })
                .collect()
        })
        .unwrap_or_default();
    let mut charts = BTreeMap::new();
    let chart = match latest {
        Some(l) if view.is_some_and(|v| !v.series.is_empty()) => {
            let q = &site.quarters[l];
            // From the first figure to the latest quarter, so the chart has no empty lead-in.
            let first = view.and_then(|v| v.series.first()).map(|p| p.period).expect("series is not empty");
            let first_month = match first {
                Period::Month(m) => m,
                Period::Quarter(fq) => fq.first_month(),
                Period::Year(y) => Quarter::new(y, 1).expect("q1").first_month(),
            };
            let mut months = 1;
            let mut m = first_month;
            while m < q.quarter.last_month() && months < 12 * 20 {
                m = m.next();
                months += 1;
            }
            let spec = ChartSpec {
                metrics: vec![mi],
                kind: None,
                months: Some(months),
                compare: Vec::new(),
                target: metric.target.is_some(),
                title: Some(format!("{} over time", metric.label())),
            };
            block_html_with(ctx, &Block::Chart(spec), Some(q), &root, &mut charts, Some("metric"))
        }
        _ => String::new(),
    };
    let reported: Vec<Link> = site
        .quarters
        .iter()
        .filter(|q| q.metrics[mi].is_reported())
        .rev()
        .map(|q| Link { title: q.quarter.long(), href: format!("{root}{}/{}/", q.quarter.path(), site.catalogue.sections[metric.section].id) })
        .collect();
    let mut out = vec![ctx.render(
        "metric.html",
        &path,
        &metric.title,
        vec![Link { title: "Home".into(), href: root.clone() }, Link { title: "Metrics".into(), href: format!("{root}metrics/") }],
        None,
        ser(context! {
            metric => ser(metric),
            section => &site.catalogue.sections[metric.section].title,
            unit => metric.unit.axis_label(),
            polarity => metric.polarity.words(),
            frequency => metric.frequency.words(),
            target => metric.target.map(|t| metric.format(t)),
            chart => Value::from_safe_string(chart),
            rows => ser(rows),
            reported => ser(reported),
            csv => format!("{root}data/{}.csv", metric.id),
            as_of => latest.map(|l| site.quarters[l].quarter.long()),
        }),
    )?];
    for (id, c) in charts {
        out.push(OutputFile { path: format!("charts/{id}.svg"), bytes: c.svg.into_bytes() });
    }
    Ok(out)
}

#[derive(Serialize)]
struct ArchiveYear {
    year: String,
    quarters: Vec<ArchiveQuarter>,
}

#[derive(Serialize)]
struct ArchiveQuarter {
    label: String,
    href: String,
    status: &'static str,
    published: Option<String>,
    draft: bool,
    summary: Option<String>,
}

fn render_site_pages(ctx: &Ctx) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let site = ctx.site;
    let mut out = Vec::new();
    let mut charts = BTreeMap::new();
    let latest = site.latest.map(|l| &site.quarters[l]);

    // Home.
    let mut state = PageState::default();
    reserve_layout_ids(&mut state);
    let intro = site.home.as_ref().map(|h| commentary_html(ctx, h, latest, "", "home-", &mut state, &mut charts)).unwrap_or_default();
    let headlines = latest
        .map(|q| {
            let metrics: Vec<usize> = (0..site.catalogue.metrics.len()).filter(|mi| q.metrics[*mi].is_reported()).collect();
            kpis_html(ctx, q, &metrics, "")
        })
        .unwrap_or_default();
    let mut years: Vec<ArchiveYear> = Vec::new();
    for q in site.quarters.iter().rev() {
        let label = q.quarter.year.display();
        if years.last().is_none_or(|y| y.year != label) {
            years.push(ArchiveYear { year: label.clone(), quarters: Vec::new() });
        }
        years.last_mut().unwrap().quarters.push(ArchiveQuarter {
            label: q.quarter.long(),
            href: format!("{}/", q.quarter.path()),
            status: if q.status == Status::Final { "final" } else { "provisional" },
            published: q.published.map(|d| d.long()),
            draft: q.draft,
            summary: q.overview.summary.clone(),
        });
    }
    let latest_ctx = latest.map(|q| {
        context! {
            label => q.quarter.long(),
            href => format!("{}/", q.quarter.path()),
            status => if q.status == Status::Final { "final" } else { "provisional" },
            published => q.published.map(|d| d.long()),
            summary => q.overview.summary.clone(),
        }
    });
    out.push(ctx.render(
        "home.html",
        "",
        &site.settings.title,
        vec![],
        None,
        ser(context! { intro => Value::from_safe_string(intro), latest => latest_ctx, headlines => Value::from_safe_string(headlines), archive => ser(years) }),
    )?);

    // Latest: a plain redirect page that works without JavaScript.
    if let Some(q) = latest {
        out.push(ctx.render(
            "latest.html",
            "latest/",
            &format!("Latest report: {}", q.quarter.long()),
            vec![],
            None,
            ser(context! { href => format!("../{}/", q.quarter.path()), label => q.quarter.long() }),
        )?);
    }

    // Metrics index.
    let sections: Vec<Value> = site
        .catalogue
        .sections
        .iter()
        .enumerate()
        .map(|(si, s)| {
            let metrics: Vec<Link> =
                site.catalogue.metrics.iter().filter(|m| m.section == si).map(|m| Link { title: m.title.clone(), href: format!("{}/", m.id) }).collect();
            ser(context! { title => &s.title, metrics => ser(metrics) })
        })
        .collect();
    out.push(ctx.render(
        "metrics.html",
        "metrics/",
        "Metrics",
        vec![Link { title: "Home".into(), href: "../".into() }],
        None,
        ser(context! { sections => sections }),
    )?);

    // Glossary.
    out.push(ctx.render(
        "glossary.html",
        "glossary/",
        "Glossary",
        vec![Link { title: "Home".into(), href: "../".into() }],
        None,
        ser(context! { terms => ser(&site.glossary) }),
    )?);

    // Open data.
    let downloads: Vec<Link> = site
        .quarters
        .iter()
        .rev()
        .map(|q| Link { title: format!("{} (CSV)", q.quarter.long()), href: format!("{}.csv", q.quarter.slug()) })
        .chain(site.catalogue.metrics.iter().map(|m| Link { title: format!("{} (CSV)", m.title), href: format!("{}.csv", m.id) }))
        .collect();
    out.push(ctx.render(
        "data.html",
        "data/",
        "Open data",
        vec![Link { title: "Home".into(), href: "../".into() }],
        None,
        ser(context! { downloads => ser(downloads) }),
    )?);

    // Standalone pages.
    for (name, c) in &site.pages {
        let path = format!("{name}/");
        let mut state = PageState::default();
        reserve_layout_ids(&mut state);
        let body = commentary_html(ctx, c, latest, "../", "page-", &mut state, &mut charts);
        let title = c.title.clone().unwrap_or_else(|| title_case(name));
        out.push(ctx.render(
            "page.html",
            &path,
            &title,
            vec![Link { title: "Home".into(), href: "../".into() }],
            None,
            ser(context! { body => Value::from_safe_string(body), summary => &c.summary }),
        )?);
    }

    out.push(ctx.render("404.html", "404.html", "Page not found", vec![], None, Value::from(()))?);
    for (id, c) in charts {
        out.push(OutputFile { path: format!("charts/{id}.svg"), bytes: c.svg.into_bytes() });
    }
    out.extend(super::feeds::files(site));
    Ok(out)
}
