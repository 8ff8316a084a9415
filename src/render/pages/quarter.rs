//! A quarter's pages: its sections, overview, one-page print version and appendix.

use super::*;
use crate::index::{IndexVec, MetricIdx, SectionIdx};
#[derive(Serialize)]
pub(super) struct SectionItem {
    id: String,
    title: String,
    href: String,
    summary: Option<String>,
    body: Value,
}

/// A quarter's files: kept as the previous build wrote them, reused from the cache, or rendered.
pub(super) fn render_quarter(ctx: &Ctx, qi: usize) -> Result<Handed, Vec<Diagnostic>> {
    let q = &ctx.site.quarters[qi];
    let key = blake3::hash(&[ctx.templates_key.as_bytes().as_slice(), q.input_key.as_bytes().as_slice()].concat());
    if ctx.cache.intact.contains(&key) {
        ctx.cache.last.lock().expect("cache lock").quarters_kept += 1;
        return Ok(Handed::Kept(key));
    }
    if let Some((k, files, charts)) = ctx.cache.quarters.lock().expect("cache lock").get(&q.quarter) {
        if *k == key {
            ctx.cache.last.lock().expect("cache lock").quarters_reused += 1;
            ctx.charts_used.lock().expect("charts lock").extend(charts.iter().cloned());
            return Ok(Handed::Quarter(key, files.clone()));
        }
    }
    let (files, charts, stand_in) = render_quarter_pages(ctx, qi)?;
    // A quarter whose PDF is still to be made is not kept whole: the next build takes the new PDF.
    if ctx.cache.keep && !stand_in {
        ctx.cache.quarters.lock().expect("cache lock").insert(q.quarter, (key, files.clone(), charts));
    }
    ctx.cache.last.lock().expect("cache lock").quarters_rendered += 1;
    Ok(Handed::Quarter(key, files))
}

/// A quarter's files, the ids of the charts they show, and whether its PDF is a stand-in (see
/// `pdf::Cache::defer`).
pub(super) fn render_quarter_pages(ctx: &Ctx, qi: usize) -> Result<(Vec<OutputFile>, Vec<String>, bool), Vec<Diagnostic>> {
    let site = ctx.site;
    let q = &site.quarters[qi];
    let mut metrics_of: IndexVec<SectionIdx, Vec<MetricIdx>> = site.catalogue.sections.iter().map(|_| Vec::new()).collect();
    for (mi, m) in site.catalogue.metrics.iter_enumerated() {
        if q.metrics[mi].is_reported() {
            metrics_of[m.section].push(mi);
        }
    }
    let pages = QuarterPages {
        ctx,
        qi,
        q,
        path: format!("{}/", q.quarter.path()),
        sections: q.section_ids(&site.catalogue),
        commentary_of: q.sections.iter().map(|(s, c)| (*s, c)).collect(),
        metrics_of,
    };
    let mut charts = Charts::default();
    let SectionPages { files: mut out, items, shared } = pages.section_pages(&mut charts)?;
    let summary = pages.summary(&mut charts);
    out.push(pages.overview(&items, &summary)?);
    out.push(pages.print(summary, &shared)?);
    out.push(pages.appendix()?);
    let mut stand_in = false;
    if site.settings.pdf {
        let (pdf, later) = pages.pdf(&charts)?;
        out.push(pdf);
        stand_in = later;
    }
    let shown = charts.drawn.keys().cloned().collect();
    out.extend(chart_files(ctx, charts));
    Ok((out, shown, stand_in))
}

/// Stands for the relative path to the site's root in HTML two pages at different depths share,
/// until each page puts in its own (a private-use character, as the other marks, [`SPRITE_MARK`]).
const ROOT_MARK: &str = "\u{E005}";

/// A quarter's section pages, the list of them the overview shows, and what each shares with
/// the print page, in the order of the sections.
struct SectionPages {
    files: Vec<OutputFile>,
    items: Vec<SectionItem>,
    shared: Vec<SectionShared>,
}

/// What a section's page shares with the print page.
struct SectionShared {
    /// The commentary's references and blocks, unless there is no commentary.
    parts: Option<CommentaryParts>,
    /// The section's highlight table with all its rows, or "" when the page shows none.
    table: String,
}

/// One quarter's report, and what its pages share.
struct QuarterPages<'a> {
    ctx: &'a Ctx<'a>,
    qi: usize,
    q: &'a QuarterReport,
    /// `2024-25/q2/`.
    path: String,
    /// The sections it reports, in order.
    sections: Vec<SectionIdx>,
    commentary_of: std::collections::HashMap<SectionIdx, &'a Commentary>,
    /// The metrics each section reports this quarter, by section.
    metrics_of: IndexVec<SectionIdx, Vec<MetricIdx>>,
}

impl QuarterPages<'_> {
    fn crumbs(&self, root: &str) -> Vec<Link> {
        vec![
            Link { title: "Home".into(), href: if root.is_empty() { "./".into() } else { root.to_string() } },
            Link { title: self.q.quarter.long(), href: format!("{root}{}/", self.q.quarter.path()) },
        ]
    }

    /// A section's commentary, unless it is a draft left out of this build.
    fn commentary(&self, si: SectionIdx) -> Option<&Commentary> {
        self.commentary_of.get(&si).copied().filter(|c| !c.draft || self.ctx.site.drafts)
    }

    /// The sections' pages, the list of them the overview shows, and what the print page
    /// shares with them (it is as deep in the site, so their links read the same).
    fn section_pages(&self, charts: &mut Charts) -> Result<SectionPages, Vec<Diagnostic>> {
        let (ctx, site, q, sections) = (self.ctx, self.ctx.site, self.q, &self.sections);
        // Looked up once, not once a section page: a site may have thousands of sections.
        let sections_of: std::collections::HashMap<Quarter, std::collections::HashSet<SectionIdx>> =
            site.quarters.iter().map(|o| (o.quarter, o.section_ids(&site.catalogue).into_iter().collect())).collect();
        let mut out = Vec::new();
        let mut items = Vec::new();
        let mut shared = Vec::new();
        for (n, &si) in sections.iter().enumerate() {
            let section = &site.catalogue.sections[si];
            let spath = format!("{}{}/", self.path, section.id);
            let root = root_of(&spath);
            let commentary = self.commentary(si);
            let mut state = PageState::default();
            reserve_layout_ids(&mut state);
            let parts = commentary.map(|c| commentary_parts(ctx, c, Some(q), &root, &format!("{}-{}", q.quarter.slug(), section.id), charts));
            let body = match (commentary, &parts) {
                (Some(c), Some(parts)) => commentary_from_parts(ctx, c, parts, &root, &format!("{}-", section.id), &mut state),
                _ => String::new(),
            };
            let metrics = &self.metrics_of[si];
            // The commentary may show its own highlight table; otherwise the section's figures follow it.
            let has_own_table = commentary.is_some_and(|c| c.blocks.iter().any(|b| matches!(b, Block::Kpis(_))));
            let table = if metrics.is_empty() || has_own_table { String::new() } else { kpis_html(ctx, q, metrics, &root) };
            let title = commentary.and_then(|c| c.title.clone()).unwrap_or_else(|| section.title.clone());
            let nav = quarter_nav(site, self.qi, &root, |other| sections_of[&other.quarter].contains(&si).then(|| format!("{}/", section.id)));
            let prev = n.checked_sub(1).map(|p| &site.catalogue.sections[sections[p]]).map(|s| Link { title: s.title.clone(), href: format!("../{}/", s.id) });
            let next = sections.get(n + 1).map(|p| &site.catalogue.sections[*p]).map(|s| Link { title: s.title.clone(), href: format!("../{}/", s.id) });
            out.push(ctx.render(
                "section.html",
                &spath,
                &title,
                self.crumbs(&root),
                Some(&nav),
                ser(context! { body => Value::from_safe_string(body), table => Value::from_safe_string(table.clone()), summary => commentary.and_then(|c| c.summary.clone()), previous => ser(prev), next => ser(next) }),
            )?);
            items.push(SectionItem {
                id: section.id.clone(),
                title,
                href: format!("{}/", section.id),
                summary: commentary.and_then(|c| c.summary.clone()),
                body: Value::from(()),
            });
            shared.push(SectionShared { parts, table });
        }
        Ok(SectionPages { files: out, items, shared })
    }

    /// The quarter's summary as the overview and the print page both open with it: each page
    /// starts with the same ids taken and no term spelled out, so only its links' depth differs;
    /// they are written to [`ROOT_MARK`] and each page puts its own in. Gives the page state
    /// after it, for the print page to go on with.
    fn summary(&self, charts: &mut Charts) -> (String, PageState) {
        let (ctx, q) = (self.ctx, self.q);
        let mut state = PageState::default();
        reserve_layout_ids(&mut state);
        let html = commentary_html(ctx, &q.overview, Some(q), ROOT_MARK, "summary-", &format!("{}-summary", q.quarter.slug()), &mut state, charts);
        (html, state)
    }

    /// The quarter's overview: its summary and the list of its sections.
    fn overview(&self, items: &[SectionItem], summary: &(String, PageState)) -> Result<OutputFile, Vec<Diagnostic>> {
        let (ctx, site, q) = (self.ctx, self.ctx.site, self.q);
        let root = root_of(&self.path);
        let summary = summary.0.replace(ROOT_MARK, &root);
        let nav = quarter_nav(site, self.qi, &root, |_| None);
        let title = q.overview.title.clone().unwrap_or_else(|| format!("{}: {}", site.settings.title, q.quarter.long()));
        ctx.render(
            "quarter.html",
            &self.path,
            &title,
            vec![Link { title: "Home".into(), href: root.clone() }],
            Some(&nav),
            ser(context! { body => Value::from_safe_string(summary), summary => &q.overview.summary, sections => ser(items) }),
        )
    }

    /// Metrics whose rows the summary's highlight tables already show.
    fn in_summary(&self) -> std::collections::HashSet<MetricIdx> {
        let (site, q) = (self.ctx.site, self.q);
        q.overview
            .blocks
            .iter()
            .filter_map(|b| {
                let reported = |mi: MetricIdx| q.metrics[mi].is_reported();
                match b {
                    Block::Kpis(KpiSelection::Metrics(list)) => Some(list.clone()),
                    Block::Kpis(KpiSelection::All) => Some(site.catalogue.grouped(reported).into_iter().flat_map(|(_, m)| m).collect()),
                    Block::Kpis(KpiSelection::Priorities) => {
                        Some(site.catalogue.grouped(reported).into_iter().filter(|(p, _)| p.is_some()).flat_map(|(_, m)| m).collect())
                    }
                    Block::Kpis(KpiSelection::Priority(pi)) => {
                        Some(site.catalogue.grouped(reported).into_iter().filter(|(p, _)| *p == Some(*pi)).flat_map(|(_, m)| m).collect::<Vec<_>>())
                    }
                    _ => None,
                }
            })
            .flatten()
            .collect()
    }

    /// The whole quarter on one page, rendered with its own page state so ids stay unique; the
    /// sections' parts and tables are their pages' (`shared`, in the order of `self.sections`).
    fn print(&self, summary: (String, PageState), shared: &[SectionShared]) -> Result<OutputFile, Vec<Diagnostic>> {
        let (ctx, site, q) = (self.ctx, self.ctx.site, self.q);
        let ppath = format!("{}print/", self.path);
        let root = root_of(&ppath);
        let (summary, mut state) = summary;
        let summary = summary.replace(ROOT_MARK, &root);
        // Rows the summary's highlight tables already show are not printed again under their section.
        let in_summary = self.in_summary();
        let mut print_sections = Vec::new();
        for (&si, shared) in self.sections.iter().zip(shared) {
            let section = &site.catalogue.sections[si];
            let commentary = self.commentary(si);
            let mut body = match (commentary, &shared.parts) {
                (Some(c), Some(parts)) => commentary_from_parts(ctx, c, parts, &root, &format!("{}-", section.id), &mut state),
                _ => String::new(),
            };
            // Rows the summary's highlight tables show are not printed again under their section.
            let metrics: Vec<MetricIdx> = self.metrics_of[si].iter().copied().filter(|mi| !in_summary.contains(mi)).collect();
            // As on the section's page: its own highlight table, or this one, never both.
            let has_own_table = commentary.is_some_and(|c| c.blocks.iter().any(|b| matches!(b, Block::Kpis(_))));
            if !metrics.is_empty() && !has_own_table {
                if metrics.len() == self.metrics_of[si].len() {
                    body.push_str(&shared.table);
                } else {
                    body.push_str(&kpis_html(ctx, q, &metrics, &root));
                }
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
        let nav = quarter_nav(site, self.qi, &root, |_| Some("print/".into()));
        let appendix = appendix_rows(site, q, &root);
        // The terms spelled out in this report, as its closing glossary.
        let glossary: Vec<&crate::validate::Term> = state.terms_used().into_iter().filter_map(|ti| site.glossary.get(ti)).collect();
        // The priorities lead the printed report, unless the summary shows its own highlight table.
        let has_table = q.overview.blocks.iter().any(|b| matches!(b, Block::Kpis(_)));
        let priorities = if site.catalogue.priorities.is_empty() || has_table {
            String::new()
        } else {
            let groups: Vec<(Option<usize>, Vec<MetricIdx>)> =
                site.catalogue.grouped(|mi| q.metrics[mi].is_reported()).into_iter().filter(|(p, _)| p.is_some()).collect();
            kpis_grouped_html(ctx, q, &groups, &root)
        };
        ctx.render(
            "print.html",
            &ppath,
            &format!("{}: {} (full report)", site.settings.title, q.quarter.long()),
            self.crumbs(&root),
            Some(&nav),
            ser(context! { body => Value::from_safe_string(summary), priorities => Value::from_safe_string(priorities), sections => ser(print_sections), appendix => ser(appendix), glossary => ser(glossary) }),
        )
    }

    /// Where each figure comes from and what good looks like.
    fn appendix(&self) -> Result<OutputFile, Vec<Diagnostic>> {
        let (site, q) = (self.ctx.site, self.q);
        let apath = format!("{}appendix/", self.path);
        let root = root_of(&apath);
        let nav = quarter_nav(site, self.qi, &root, |_| Some("appendix/".into()));
        self.ctx.render(
            "appendix.html",
            &apath,
            &format!("Data sources and what good looks like: {}", q.quarter.long()),
            self.crumbs(&root),
            Some(&nav),
            ser(context! { appendix => ser(appendix_rows(site, q, &root)) }),
        )
    }

    /// The committee document, from the same model, wording and charts as these pages.
    /// The quarter's PDF, and whether it is the last one made standing in for one made later.
    fn pdf(&self, charts: &Charts) -> Result<(OutputFile, bool), Vec<Diagnostic>> {
        let (ctx, site, q) = (self.ctx, self.ctx.site, self.q);
        let reference = |mi: MetricIdx, field: RefField| reference_html(site, q, mi, field);
        let chart = |spec: &ChartSpec| chart_data(site, q, spec, None).and_then(|d| charts.drawn.get(&d.id).map(|c| c.svg.clone()).map(|svg| (d, svg)));
        let inputs = crate::render::pdf::Inputs {
            site,
            quarter: self.qi,
            details: crate::render::pdf::CoverDetails {
                report_to: q.details.report_to.clone(),
                meeting: q.details.meeting.map(|d| d.long()),
                author: q.details.author.clone(),
                contact: q.details.contact.clone(),
                next_update: q.next_update.map(|d| d.long()),
            },
            reference: &reference,
            chart: &chart,
        };
        let (path, bytes, stand_in) = crate::render::pdf::quarter_pdf(&inputs, &ctx.cache.pdf, ctx.cache.keep).map_err(|d| vec![d])?;
        Ok((OutputFile { path, bytes }, stand_in))
    }
}

#[derive(Serialize)]
pub(super) struct AppendixRow {
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

pub(super) fn appendix_rows(site: &Site, q: &QuarterReport, root: &str) -> Vec<AppendixRow> {
    let mut rows: Vec<(SectionIdx, AppendixRow)> = site
        .catalogue
        .metrics
        .iter_enumerated()
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
                    target: q.metrics[site.catalogue.metric(m.id.as_str()).unwrap_or_default()].target.as_ref().map(|t| t.words(m)),
                },
            )
        })
        .collect();
    rows.sort_by_key(|(s, _)| *s);
    rows.into_iter().map(|(_, r)| r).collect()
}
