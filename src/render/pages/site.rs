//! Pages across quarters: metrics, home, latest, glossary, open data index, standalone pages and 404.

use super::*;
use crate::index::{GroupIdx, MetricIdx};
#[derive(Serialize)]
pub(super) struct FigureRow {
    period: String,
    value: Value,
}

pub(super) fn render_metric(ctx: &Ctx, mi: MetricIdx) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
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
                .map(|p| FigureRow { period: p.period.long(), value: Value::from_safe_string(present::figure_with_first_html(metric, v, *p)) })
                .collect()
        })
        .unwrap_or_default();
    let mut charts = Charts::default();
    let chart = match (latest, view) {
        (Some(l), Some(v)) if !v.series.is_empty() => metric_chart(ctx, mi, &site.quarters[l], v, &root, &mut charts),
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
            target => view.and_then(|v| v.target.as_ref()).map(|t| t.words(metric)),
            chart => Value::from_safe_string(chart),
            ranks => ser(rank_rows(site, view)),
            comparators => ser(comparator_rows(site, metric, view)),
            rows => ser(rows),
            reported => ser(reported),
            csv => format!("{root}data/{}.csv", metric.id),
            as_of => latest.map(|l| site.quarters[l].quarter.long()),
        }),
    )?];
    out.extend(chart_files(ctx, charts));
    Ok(out)
}

/// The metric's chart over time, from its first figure to the latest quarter (so the chart has
/// no empty lead-in), with the comparators' series beside it, for those given over time.
fn metric_chart(ctx: &Ctx, mi: MetricIdx, q: &QuarterReport, view: &MetricView, root: &str, charts: &mut Charts) -> String {
    let site = ctx.site;
    let metric = &site.catalogue.metrics[mi];
    let first = view.series.first().map(|p| p.period).expect("series is not empty");
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
    let compare: Vec<GroupIdx> = site.settings.comparators.keys().filter(|g| view.compare_series.iter().any(|c| c.group == *g && c.value.is_some())).collect();
    let spec = ChartSpec {
        metrics: vec![mi],
        kind: if metric.breakdown.is_empty() { None } else { Some(ChartKind::Stacked) },
        months: Some(months),
        compare: if metric.breakdown.is_empty() { compare } else { Vec::new() },
        target: view.target.is_some(),
        title: Some(format!("{} over time", metric.label())),
    };
    let mut state = PageState::default();
    let mut html = [resolve_anchors(&block_html_with(ctx, &Block::Chart(spec), Some(q), root, charts, Some("metric")), &mut state)];
    charts.close(&format!("metric-{}", ctx.site.catalogue.metrics[mi].id), &mut html);
    let [html] = html;
    html
}

#[derive(Serialize)]
pub(super) struct RankRow {
    group: String,
    period: String,
    rank: String,
    /// Words, or the marked-up `[x]` when the group's size is not known.
    quartile: Value,
}

/// Our rank over time, each at the period it is for.
fn rank_rows(site: &Site, view: Option<&MetricView>) -> Vec<RankRow> {
    let Some(v) = view else { return Vec::new() };
    v.rank_series
        .iter()
        .rev()
        .map(|r| {
            let c = &site.settings.comparators[r.group];
            let of = r.of.or(c.members);
            RankRow {
                group: c.name.clone(),
                period: r.period.long(),
                rank: match of {
                    Some(of) => crate::model::ordinal_of(r.rank, of),
                    None => crate::model::ordinal(r.rank),
                },
                quartile: of
                    .map(|of| Value::from(crate::model::quartile_words(crate::model::quartile(r.rank, of))))
                    .unwrap_or_else(|| Value::from_safe_string(present::marker_html('x'))),
            }
        })
        .collect()
}

#[derive(Serialize)]
pub(super) struct ComparatorRow {
    group: String,
    period: String,
    /// The figure, or the marked-up `[x]`.
    value: Value,
}

/// The comparator groups' figures over time.
fn comparator_rows(site: &Site, metric: &Metric, view: Option<&MetricView>) -> Vec<ComparatorRow> {
    let Some(v) = view else { return Vec::new() };
    v.compare_series
        .iter()
        .rev()
        .map(|c| ComparatorRow {
            group: site.settings.comparators[c.group].name.clone(),
            period: c.period.long(),
            value: c.value.map(|x| Value::from(metric.format(x))).unwrap_or_else(|| Value::from_safe_string(present::marker_html('x'))),
        })
        .collect()
}

#[derive(Serialize)]
pub(super) struct ArchiveYear {
    year: String,
    quarters: Vec<ArchiveQuarter>,
}

#[derive(Serialize)]
pub(super) struct ArchiveQuarter {
    label: String,
    href: String,
    status: &'static str,
    published: Option<String>,
    draft: bool,
    summary: Option<String>,
}

pub(super) fn render_site_pages(ctx: &Ctx) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let site = ctx.site;
    let mut charts = Charts::default();
    let mut out = vec![home_page(ctx, &mut charts)?, latest_page(ctx)?, metrics_page(ctx)?];
    // Glossary (none when it is empty).
    if !site.glossary.is_empty() {
        out.push(ctx.render(
            "glossary.html",
            "glossary/",
            "Glossary",
            vec![Link { title: "Home".into(), href: "../".into() }],
            None,
            ser(context! { terms => ser(&site.glossary) }),
        )?);
    }
    out.push(data_page(ctx)?);
    for (name, c) in &site.pages {
        out.push(standalone_page(ctx, name, c, &mut charts)?);
    }
    out.push(ctx.render("404.html", "404.html", "Page not found", vec![], None, Value::from(()))?);
    out.extend(chart_files(ctx, charts));
    Ok(out)
}

/// The home page: the introduction, the latest quarter's headlines and every quarter by year.
fn home_page(ctx: &Ctx, charts: &mut Charts) -> Result<OutputFile, Vec<Diagnostic>> {
    let site = ctx.site;
    let latest = site.latest.map(|l| &site.quarters[l]);
    let mut state = PageState::default();
    reserve_layout_ids(&mut state);
    let intro = site.home.as_ref().map(|h| commentary_html(ctx, h, latest, "", "home-", "home", &mut state, charts)).unwrap_or_default();
    let headlines = latest.map(|q| kpis_all_html(ctx, q, "")).unwrap_or_default();
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
            next_update => q.next_update.map(|d| d.long()),
        }
    });
    ctx.render(
        "home.html",
        "",
        &site.settings.title,
        vec![],
        None,
        ser(context! { intro => Value::from_safe_string(intro), latest => latest_ctx, headlines => Value::from_safe_string(headlines), archive => ser(years) }),
    )
}

/// Latest: a plain redirect page that works without JavaScript. Every page links to it, so a
/// site with no published quarter yet (a new one, its first quarter a draft) says so there.
fn latest_page(ctx: &Ctx) -> Result<OutputFile, Vec<Diagnostic>> {
    match ctx.site.latest.map(|l| &ctx.site.quarters[l]) {
        Some(q) => ctx.render(
            "latest.html",
            "latest/",
            &format!("Latest report: {}", q.quarter.long()),
            vec![],
            None,
            ser(context! { href => format!("../{}/", q.quarter.path()), label => q.quarter.long() }),
        ),
        None => ctx.render("latest.html", "latest/", "Latest report", vec![], None, ser(context! { href => None::<String>, label => None::<String> })),
    }
}

/// The metrics index, by section.
fn metrics_page(ctx: &Ctx) -> Result<OutputFile, Vec<Diagnostic>> {
    let site = ctx.site;
    let sections: Vec<Value> = site
        .catalogue
        .sections
        .iter_enumerated()
        .map(|(si, s)| {
            let metrics: Vec<Link> =
                site.catalogue.metrics.iter().filter(|m| m.section == si).map(|m| Link { title: m.title.clone(), href: format!("{}/", m.id) }).collect();
            ser(context! { title => &s.title, metrics => ser(metrics) })
        })
        .collect();
    ctx.render("metrics.html", "metrics/", "Metrics", vec![Link { title: "Home".into(), href: "../".into() }], None, ser(context! { sections => sections }))
}

/// The open data page: every download with its size.
fn data_page(ctx: &Ctx) -> Result<OutputFile, Vec<Diagnostic>> {
    let site = ctx.site;
    let latest = site.latest.map(|l| &site.quarters[l]);
    let size = |name: &str| ctx.open_data.iter().find(|f| f.path == format!("data/{name}")).map(|f| file_size(f.bytes.len())).unwrap_or_default();
    let quarters: Vec<Download> = site
        .quarters
        .iter()
        .rev()
        .flat_map(|q| {
            // The report's figures, then what format 2 adds beside them: comparators and breakdowns.
            [
                (q.quarter.long(), format!("{}.csv", q.quarter.slug())),
                (format!("{}: comparator groups, ranks and quartiles", q.quarter.long()), format!("{}-comparators.csv", q.quarter.slug())),
                (format!("{}: breakdowns by category", q.quarter.long()), format!("{}-breakdowns.csv", q.quarter.slug())),
            ]
        })
        .filter(|(_, href)| ctx.open_data.iter().any(|f| f.path == format!("data/{href}")))
        .map(|(title, href)| Download { title, size: size(&href), href })
        .collect();
    let measures: Vec<Download> = site
        .catalogue
        .metrics
        .iter()
        .map(|m| {
            let href = format!("{}.csv", m.id);
            Download { title: m.title.clone(), size: size(&href), href }
        })
        .collect();
    let whole = [("all.json", "Every measure and figure (JSON)"), ("csv-metadata.json", "What every column means (CSV on the Web metadata, JSON)")]
        .iter()
        .map(|(href, title)| Download { title: (*title).into(), size: size(href), href: (*href).into() })
        .collect::<Vec<_>>();
    ctx.render(
        "data.html",
        "data/",
        "Open data",
        vec![Link { title: "Home".into(), href: "../".into() }],
        None,
        ser(context! {
            quarters => ser(quarters),
            measures => ser(measures),
            whole => ser(whole),
            licence => crate::render::opendata::LICENCE.0,
            licence_url => crate::render::opendata::LICENCE.1,
            // The newest report says who to ask and when the figures are next updated.
            contact => latest.and_then(|q| q.details.contact.clone()),
            next_update => latest.and_then(|q| q.next_update.map(|d| d.long())),
        }),
    )
}

/// A standalone page of `content/`, with the latest quarter's figures for its references.
fn standalone_page(ctx: &Ctx, name: &str, c: &Commentary, charts: &mut Charts) -> Result<OutputFile, Vec<Diagnostic>> {
    let latest = ctx.site.latest.map(|l| &ctx.site.quarters[l]);
    let path = format!("{name}/");
    let mut state = PageState::default();
    reserve_layout_ids(&mut state);
    let body = commentary_html(ctx, c, latest, "../", "page-", &format!("page-{name}"), &mut state, charts);
    let title = c.title.clone().unwrap_or_else(|| title_case(name));
    ctx.render(
        "page.html",
        &path,
        &title,
        vec![Link { title: "Home".into(), href: "../".into() }],
        None,
        ser(context! { body => Value::from_safe_string(body), summary => &c.summary }),
    )
}

/// A download on the data page, with its size.
#[derive(Serialize)]
struct Download {
    title: String,
    href: String,
    size: String,
}

/// "812 bytes", "3.4 KB", "1.2 MB".
fn file_size(bytes: usize) -> String {
    match bytes {
        0..=999 => format!("{bytes} bytes"),
        1_000..=999_999 => format!("{:.1} KB", bytes as f64 / 1000.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_000_000.0),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_sizes_read_plainly() {
        assert_eq!(super::file_size(812), "812 bytes");
        assert_eq!(super::file_size(3_420), "3.4 KB");
        assert_eq!(super::file_size(1_260_000), "1.3 MB");
    }
}
