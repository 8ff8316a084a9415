//! Pages across quarters: metrics, home, latest, glossary, open data index, standalone pages and 404.

use super::*;
#[derive(Serialize)]
pub(super) struct FigureRow {
    period: String,
    value: Value,
}

pub(super) fn render_metric(ctx: &Ctx, mi: usize) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
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

    // Latest: a plain redirect page that works without JavaScript. Every page links to it, so a
    // site with no published quarter yet (a new one, its first quarter a draft) says so there.
    out.push(match latest {
        Some(q) => ctx.render(
            "latest.html",
            "latest/",
            &format!("Latest report: {}", q.quarter.long()),
            vec![],
            None,
            ser(context! { href => format!("../{}/", q.quarter.path()), label => q.quarter.long() }),
        )?,
        None => ctx.render("latest.html", "latest/", "Latest report", vec![], None, ser(context! { href => None::<String>, label => None::<String> }))?,
    });

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
    out.extend(crate::render::feeds::files(site));
    Ok(out)
}
