//! The committee document as data: what `report.typ` prints, taken from one quarter's view.

use super::blocks::{plain, Block, Inline, Row, Table};
use super::markdown::{self, Parts};
use super::Inputs;
use crate::figure::{marker_words, Figure, Flags};
use crate::index::{GroupIdx, MetricIdx};
use crate::model::QuarterReport;
use crate::period::Period;
use crate::render::chart;
use crate::render::markdown::GlossaryIndex;
use crate::render::present;
use crate::validate::{Block as ReportBlock, Commentary, KpiSelection, Status};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub(super) struct Doc {
    title: String,
    organisation: String,
    description: String,
    date: Option<[u32; 3]>,
    lang: String,
    region: Option<String>,
    footer: String,
    key: Vec<(String, &'static str)>,
    cover: Cover,
    summary: Vec<Block>,
    highlights: Option<Highlights>,
    sections: Vec<SectionDoc>,
    /// Each term: its name, meaning and anchor (what its first use links to).
    glossary: Vec<(String, String, String)>,
    appendix: Vec<AppendixEntry>,
    charts: Vec<ChartFigures>,
}

#[derive(Debug, Serialize)]
struct Cover {
    title: String,
    quarter: String,
    status: String,
    status_strong: bool,
    details: Vec<(String, String)>,
    revisions: Vec<(String, String)>,
}

#[derive(Debug, Serialize)]
struct Highlights {
    title: String,
    table: Table,
}

#[derive(Debug, Serialize)]
struct SectionDoc {
    title: String,
    blocks: Vec<Block>,
}

#[derive(Debug, Serialize)]
struct AppendixEntry {
    title: String,
    rows: Vec<(String, String)>,
}

#[derive(Debug, Serialize)]
struct ChartFigures {
    label: String,
    table: Table,
}

fn t(s: impl Into<String>) -> Vec<Inline> {
    vec![Inline::T { t: s.into() }]
}

/// The website's HTML for a figure or phrase (from `present`) as runs: the same words, with
/// shorthand as markers and nothing the page hides from screen readers (arrows, duplicates).
pub(super) fn html_runs(html: &str) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::new();
    let mut text = String::new();
    let mut skip_depth = 0usize;
    let mut rest = html;
    let flush = |text: &mut String, out: &mut Vec<Inline>| {
        if !text.is_empty() {
            out.push(Inline::T { t: unescape(text) });
            text.clear();
        }
    };
    while let Some(i) = rest.find('<') {
        if skip_depth == 0 {
            text.push_str(&rest[..i]);
        }
        let Some(end) = rest[i..].find('>') else { break };
        let tag = &rest[i + 1..i + end];
        rest = &rest[i + end + 1..];
        let closing = tag.starts_with('/');
        let self_closing = tag.ends_with('/');
        if skip_depth > 0 {
            if closing {
                skip_depth -= 1;
            } else if !self_closing {
                skip_depth += 1;
            }
            continue;
        }
        if tag == "br" || tag.starts_with("br ") || tag == "br/" || tag.starts_with("br/") {
            flush(&mut text, &mut out);
            out.push(Inline::Br);
            continue;
        }
        if closing || self_closing {
            continue;
        }
        if let Some(p) = tag.find("data-flag=\"") {
            let letter: String = tag[p + 11..].chars().take_while(|c| *c != '"').collect();
            flush(&mut text, &mut out);
            out.push(Inline::Flag { f: letter });
            skip_depth = 1;
        } else if tag.contains("aria-hidden=\"true\"") {
            skip_depth = 1;
        }
    }
    if skip_depth == 0 {
        text.push_str(rest);
    }
    flush(&mut text, &mut out);
    // Marker words read "[x] not available"; a space belongs between a number and its marker.
    let mut spaced: Vec<Inline> = Vec::with_capacity(out.len());
    for r in out {
        if matches!(r, Inline::Flag { .. }) && matches!(spaced.last(), Some(Inline::T { t }) if !t.ends_with(' ')) {
            spaced.push(Inline::T { t: " ".into() });
        }
        spaced.push(r);
    }
    spaced
}

/// "similar to" -> "Similar to".
fn capitalise(s: &str) -> String {
    let mut cs = s.chars();
    cs.next().map(|c| c.to_uppercase().chain(cs).collect()).unwrap_or_default()
}

/// Runs whose first text starts with a capital letter.
fn capitalise_runs(mut runs: Vec<Inline>) -> Vec<Inline> {
    if let Some(Inline::T { t }) = runs.first_mut() {
        *t = capitalise(t);
    }
    runs
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&#x27;", "'").replace("&amp;", "&")
}

fn figure_runs(cell: &chart::FigureCell) -> Vec<Inline> {
    let mut out = Vec::new();
    if !cell.text.is_empty() {
        out.push(Inline::T { t: cell.text.clone() });
    }
    for m in &cell.markers {
        if !out.is_empty() {
            out.push(Inline::T { t: " ".into() });
        }
        out.push(Inline::Flag { f: m.to_string() });
    }
    out
}

/// Splits a language tag into typst's language and region ("en-GB" -> "en", "gb").
fn lang_region(tag: &str) -> (String, Option<String>) {
    let mut parts = tag.split(['-', '_']);
    let lang = parts.next().unwrap_or("").to_ascii_lowercase();
    let lang = if (2..=3).contains(&lang.len()) && lang.chars().all(|c| c.is_ascii_lowercase()) { lang } else { "en".into() };
    let region = parts.find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic())).map(|p| p.to_ascii_uppercase());
    (lang, region)
}

fn ymd(date: crate::period::Date) -> Option<[u32; 3]> {
    let s = date.to_string();
    let mut it = s.split('-').map(|p| p.parse::<u32>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

struct Builder<'a> {
    inputs: &'a Inputs<'a>,
    q: &'a QuarterReport,
    terms: markdown::Terms<'a>,
    charts: Vec<ChartFigures>,
    /// Chart files the document embeds: (path in its world, SVG).
    pub files: Vec<(String, String)>,
}

/// Builds the document of one quarter and the chart files it embeds.
pub(super) fn build(inputs: &Inputs) -> (Doc, Vec<(String, String)>) {
    let site = inputs.site;
    let q = &site.quarters[inputs.quarter];
    let glossary_index = GlossaryIndex::new(&site.glossary);
    let terms = markdown::Terms { glossary: &site.glossary, index: &glossary_index, seen: Default::default() };
    let mut b = Builder { inputs, q, terms, charts: Vec::new(), files: Vec::new() };
    let (lang, region) = lang_region(&site.settings.language);
    let long = q.quarter.long();
    let title = format!("{}: {long}", site.settings.title);

    let status = if q.draft {
        "Draft: not for publication. Figures and words may change.".to_string()
    } else if q.status == Status::Final {
        "Final".to_string()
    } else {
        "Provisional: every figure may be revised in a later report.".to_string()
    };
    let mut details: Vec<(String, String)> = Vec::new();
    let d = &inputs.details;
    for (label, value) in [("Report to", &d.report_to), ("Meeting", &d.meeting), ("Author", &d.author), ("Contact", &d.contact)] {
        if let Some(v) = value {
            details.push((label.into(), v.clone()));
        }
    }
    details.push((
        "Status".into(),
        if q.draft {
            "Draft".into()
        } else if q.status == Status::Final {
            "Final".into()
        } else {
            "Provisional".into()
        },
    ));
    details.push(("Published".into(), q.published.map(|p| p.long()).unwrap_or_else(|| "Not yet published".into())));
    if let Some(a) = q.data_as_of {
        details.push(("Data as at".into(), a.long()));
    }
    if let Some(n) = &d.next_update {
        details.push(("Next report due".into(), n.clone()));
    }

    let summary_intro = q.overview.summary.clone().map(|s| Block::Lead { c: t(s) });
    let mut summary: Vec<Block> = summary_intro.into_iter().collect();
    summary.extend(b.commentary(&q.overview));

    let all: Vec<MetricIdx> = site.catalogue.metrics.keys().filter(|mi| q.metrics[*mi].is_reported()).collect();
    // The summary may hold the highlight table itself (`kpis` with `all: true`); otherwise it follows the summary.
    let in_summary = q.overview.blocks.iter().any(|x| matches!(x, ReportBlock::Kpis(KpiSelection::All)));
    let highlights = (!in_summary).then(|| Highlights {
        title: "Highlights".into(),
        table: b.kpis(highlight_groups(inputs, q, &KpiSelection::All), Some(format!("Highlights: {long}"))),
    });
    // Every reported figure is in a highlight table (the summary's `all: true` one, or the
    // one that follows the summary), so, as on the print page, no section prints its rows again.
    let mut sections = Vec::new();
    for si in q.section_ids(&site.catalogue) {
        let section = &site.catalogue.sections[si];
        let commentary = q.sections.iter().find(|(s, _)| *s == si).map(|(_, c)| c).filter(|c| !c.draft || site.drafts);
        let mut blocks: Vec<Block> = commentary.and_then(|c| c.summary.clone()).map(|s| Block::Lead { c: t(s) }).into_iter().collect();
        if let Some(c) = commentary {
            blocks.extend(b.commentary(c));
        }
        let title = commentary.and_then(|c| c.title.clone()).unwrap_or_else(|| section.title.clone());
        sections.push(SectionDoc { title, blocks });
    }

    let appendix = all
        .iter()
        .map(|&mi| {
            let m = &site.catalogue.metrics[mi];
            let mut rows = vec![("Section".to_string(), site.catalogue.sections[m.section].title.clone())];
            if let Some(s) = &m.source {
                rows.push(("Source".into(), s.clone()));
            }
            if let Some(g) = &m.good {
                rows.push(("What good looks like".into(), g.clone()));
            }
            rows.push(("Which way is better".into(), m.polarity.words().into()));
            rows.push(("How often".into(), m.frequency.words().into()));
            rows.push(("Unit".into(), m.unit.axis_label()));
            if let Some(tg) = &q.metrics[mi].target {
                rows.push(("Target".into(), tg.words(m)));
            }
            if let Some(a) = &m.ascof {
                rows.push(("ASCOF measure".into(), a.clone()));
            }
            AppendixEntry { title: m.title.clone(), rows }
        })
        .collect::<Vec<_>>();

    let mut doc = Doc {
        title: title.clone(),
        organisation: site.settings.organisation.clone(),
        description: format!("{} quarterly performance report for {long}, {}", site.settings.title, site.settings.organisation),
        date: q.published.and_then(ymd),
        lang,
        region,
        footer: title,
        key: ['x', 'c', 'p', 'r', 'e', 'u'].iter().map(|l| (l.to_string(), marker_words(*l))).collect(),
        cover: Cover {
            title: site.settings.title.clone(),
            quarter: long,
            status_strong: q.draft || q.status != Status::Final,
            status,
            details,
            revisions: q.revisions.iter().map(|r| (r.date.long(), r.note.clone())).collect(),
        },
        summary,
        highlights,
        sections,
        glossary: Vec::new(),
        appendix,
        charts: std::mem::take(&mut b.charts),
    };
    doc.glossary = glossary_used(inputs, &doc);
    (doc, b.files)
}

impl Builder<'_> {
    fn commentary(&mut self, c: &Commentary) -> Vec<Block> {
        let site = self.inputs.site;
        let refs: Vec<Vec<Inline>> = c.refs.iter().map(|r| html_runs(&(self.inputs.reference)(r.metric, r.field))).collect();
        let blocks: Vec<Vec<Block>> = c.blocks.iter().map(|bl| self.block(bl)).collect();
        markdown::convert(&c.body, &Parts { refs: &refs, blocks: &blocks, allow_raw_html: site.settings.allow_raw_html, top_level: 2 }, &mut self.terms)
    }

    fn block(&mut self, b: &ReportBlock) -> Vec<Block> {
        let site = self.inputs.site;
        let q = self.q;
        match b {
            ReportBlock::Kpis(sel) => {
                let caption = matches!(sel, KpiSelection::All).then(|| format!("Highlights: {}", q.quarter.long()));
                vec![Block::Table(self.kpis(highlight_groups(self.inputs, q, sel), caption))]
            }
            ReportBlock::Compare { metrics, groups } => vec![Block::Table(self.compare(metrics, groups))],
            ReportBlock::Breakdown { metric, previous } => vec![self.breakdown(*metric, *previous)],
            ReportBlock::Figure(mi) => {
                let metric = &site.catalogue.metrics[*mi];
                let view = &q.metrics[*mi];
                let value = view.current.map(|p| present::figure_html(metric, p.figure)).unwrap_or_else(|| present::marker_html('x'));
                let mut detail = html_runs(&present::change_html(metric, view));
                if let Some(p) = view.previous {
                    detail.push(Inline::T { t: format!(" ({})", p.period.long()) });
                }
                let mut title = metric.title.clone();
                if let Some(p) = view.current {
                    title.push_str(&format!(": {}", p.period.long()));
                }
                vec![Block::Figure { title: t(title), value: html_runs(&value), detail }]
            }
            // As on the website: a report shows only benchmarks for periods that ended by its quarter's end.
            ReportBlock::Benchmark(bi) if site.benchmarks[*bi].def.period.last_month() > q.quarter.last_month() => Vec::new(),
            ReportBlock::Benchmark(bi) => {
                let bv = &site.benchmarks[*bi];
                let metric = &site.catalogue.metrics[bv.def.metric];
                let group = &site.settings.comparators[bv.def.group];
                let rows = bv
                    .members
                    .iter()
                    .map(|m| {
                        let name = if m.is_self { format!("{}{}", m.name, chart::HIGHLIGHT_SUFFIX) } else { m.name.clone() };
                        let value = match m.value {
                            Some(v) => t(metric.format(v)),
                            None => vec![Inline::Flag { f: "x".into() }],
                        };
                        let name = if m.is_self { vec![Inline::Strong { c: t(name) }] } else { t(name) };
                        Row::Row { c: vec![name, t(m.rank.map(crate::model::ordinal).unwrap_or_else(|| "not ranked".into())), value] }
                    })
                    .collect();
                vec![Block::Table(Table {
                    caption: Some(t(format!("{}: {} ({}). {}", metric.title, group.name, bv.def.period.long(), metric.polarity.words()))),
                    columns: vec![t("Council"), t("Rank"), t(metric.label())],
                    widths: vec![3, 0, 0],
                    align: vec!["left", "right", "right"],
                    row_headers: true,
                    rows,
                })]
            }
            ReportBlock::Chart(spec) => {
                let Some((data, svg)) = (self.inputs.chart)(spec) else {
                    return vec![Block::P { c: t("No benchmark figures are available for this chart yet.") }];
                };
                let path = format!("charts/{}.svg", data.id);
                let label = format!("figures-{}", data.id);
                if !self.files.iter().any(|(p, _)| *p == path) {
                    self.files.push((path.clone(), svg));
                    let figs = chart::figures_table(&data);
                    let n = figs.columns.len();
                    let mut caption = data.title.trim().to_string();
                    if let Some(tg) = data.target.filter(|v| v.is_finite()) {
                        caption.push_str(&format!(". Target: {}", data.unit.format(tg, data.decimals)));
                    }
                    self.charts.push(ChartFigures {
                        label: label.clone(),
                        table: Table {
                            caption: Some(t(caption)),
                            columns: figs.columns.into_iter().map(t).collect(),
                            widths: std::iter::once(2).chain(std::iter::repeat_n(1, n - 1)).collect(),
                            align: std::iter::once("left").chain(std::iter::repeat_n("right", n - 1)).collect(),
                            row_headers: true,
                            rows: figs
                                .rows
                                .iter()
                                .map(|(head, cells)| Row::Row { c: std::iter::once(t(head.clone())).chain(cells.iter().map(figure_runs)).collect() })
                                .collect(),
                        },
                    });
                }
                let alt = format!("Chart: {}. {}", data.title.trim(), chart::description(&data));
                vec![Block::Chart { svg: path, alt, figures: label }]
            }
        }
    }

    /// The ```compare``` block, as the website's: our figure beside each group's, with "similar
    /// to" in words, our rank and the quartile, each with its period when it is not this quarter's.
    fn compare(&self, metrics: &[MetricIdx], groups: &[GroupIdx]) -> Table {
        let site = self.inputs.site;
        let q = self.q;
        let own = Period::Quarter(q.quarter);
        // Columns follow site.toml's order.
        let mut groups = groups.to_vec();
        groups.sort_unstable();
        groups.dedup();
        let rows = metrics
            .iter()
            .map(|&mi| {
                let metric = &site.catalogue.metrics[mi];
                let view = &q.metrics[mi];
                let mut title = t(metric.title.clone());
                if let Some(p) = view.current {
                    title.extend([Inline::Br, Inline::T { t: p.period.short() }]);
                }
                let mut ours = view.current.map(|p| html_runs(&present::figure_html(metric, p.figure))).unwrap_or_else(|| vec![Inline::Flag { f: "x".into() }]);
                if let (Some((lo, hi)), true) = (view.ci, view.current.is_some_and(|c| c.figure.value().is_some())) {
                    ours.extend([Inline::Br, Inline::T { t: format!("95% interval {} to {}", metric.format(lo), metric.format(hi)) }]);
                }
                let mut c = vec![title, ours];
                for &g in &groups {
                    let name = &site.settings.comparators[g].name;
                    let mut cell = html_runs(&present::compare_html(metric, view, g, own));
                    if let Some(words) = present::comparison_words(metric, view, g) {
                        cell.extend([Inline::Br, Inline::T { t: format!("{} {name}", capitalise(words)) }]);
                    }
                    cell.extend([Inline::Br, Inline::T { t: "Rank: ".into() }]);
                    cell.extend(html_runs(&present::rank_html(view, g, own)));
                    cell.push(Inline::Br);
                    let quartile = capitalise_runs(html_runs(&present::quartile_html(view, g, &site.settings, own)));
                    // A bare marker on its own line would not say what is missing.
                    if matches!(quartile.as_slice(), [Inline::Flag { .. }]) {
                        cell.push(Inline::T { t: "Quartile: ".into() });
                    }
                    cell.extend(quartile);
                    c.push(cell);
                }
                Row::Row { c }
            })
            .collect();
        let mut columns = vec![t("Measure"), t(site.settings.organisation.clone())];
        columns.extend(groups.iter().map(|g| t(site.settings.comparators[*g].name.clone())));
        let n = columns.len();
        Table {
            caption: Some(t(format!("How {} compares, {}", site.settings.organisation, q.quarter.short()))),
            columns,
            widths: [3, 2].into_iter().chain(std::iter::repeat_n(3, n - 2)).collect(),
            align: std::iter::once("left").chain(std::iter::once("right")).chain(std::iter::repeat_n("left", n - 2)).collect(),
            row_headers: true,
            rows,
        }
    }

    /// The ```breakdown``` block, as the website's: each category's figure and share of the total
    /// (`[c]` wherever a share could give a suppressed figure away), then the total.
    fn breakdown(&self, mi: MetricIdx, previous: bool) -> Block {
        let metric = &self.inputs.site.catalogue.metrics[mi];
        let view = &self.q.metrics[mi];
        let Some(cur) = view.current else {
            let mut c = t(format!("{} ", metric.title));
            c.extend([Inline::Flag { f: "x".into() }, Inline::T { t: " is not available for this quarter.".into() }]);
            return Block::P { c };
        };
        let na = vec![Figure::NotAvailable(Flags::NONE); metric.breakdown.len()];
        let cats = view.breakdown(cur.period).map(<[Figure]>::to_vec).unwrap_or_else(|| na.clone());
        let prev = view.previous.filter(|_| previous);
        let prev_cats = prev.map(|p| view.breakdown(p.period).map(<[Figure]>::to_vec).unwrap_or_else(|| na.clone()));
        let figure = |f: Figure| html_runs(&present::figure_html(metric, f));
        let mut rows: Vec<Row> = metric
            .breakdown
            .iter()
            .enumerate()
            .map(|(i, (_, label))| {
                let mut c = vec![t(label.clone()), figure(cats[i]), html_runs(&present::share_html(cats[i], cur.figure))];
                c.extend(prev_cats.as_ref().map(|pc| figure(pc[i])));
                Row::Row { c }
            })
            .collect();
        let total_share =
            if cur.figure.value().is_some() { t("100%") } else { vec![Inline::Flag { f: if cur.figure == Figure::Suppressed { "c" } else { "x" }.into() }] };
        let mut c = vec![vec![Inline::Strong { c: t("Total") }], figure(cur.figure), total_share];
        c.extend(prev.map(|p| figure(p.figure)));
        rows.push(Row::Row { c });
        let mut columns = vec![t("Category"), t("Number"), t("Share of the total")];
        columns.extend(prev.map(|p| t(p.period.short())));
        let n = columns.len();
        Block::Table(Table {
            caption: Some(t(format!("{}: {}", metric.title, cur.period.long()))),
            columns,
            widths: std::iter::once(3).chain(std::iter::repeat_n(1, n - 1)).collect(),
            align: std::iter::once("left").chain(std::iter::repeat_n("right", n - 1)).collect(),
            row_headers: true,
            rows,
        })
    }

    /// The highlight table for these metrics. `grouped` puts rows under titles.
    fn kpis(&self, grouped: Vec<(Option<String>, Vec<MetricIdx>)>, caption: Option<String>) -> Table {
        let site = self.inputs.site;
        let q = self.q;
        let metrics: Vec<MetricIdx> = grouped.iter().flat_map(|(_, m)| m.iter().copied()).collect();
        let groups: Vec<GroupIdx> =
            site.settings.comparators.keys().filter(|g| metrics.iter().any(|mi| q.metrics[*mi].group(*g).is_some_and(|x| x.rank.is_some()))).collect();
        let mut columns = vec![t("Measure"), t("Better if"), t("Latest"), t("Change"), t("Target")];
        columns.extend(groups.iter().map(|g| t(format!("Rank: {}", site.settings.comparators[*g].name))));
        let row = |mi: MetricIdx| {
            let metric = &site.catalogue.metrics[mi];
            let view = &q.metrics[mi];
            let mut value =
                view.current.map(|p| html_runs(&present::figure_with_first_html(metric, view, p))).unwrap_or_else(|| vec![Inline::Flag { f: "x".into() }]);
            if let Some(p) = view.current.filter(|p| p.period != Period::Quarter(q.quarter)) {
                value.push(Inline::T { t: format!(" ({})", p.period.short()) });
            }
            // "improving: down 9 from 90"; a neutral metric's direction ("up") is the change's first word already.
            let change = match view.change(metric).map(|c| c.direction) {
                Some(crate::model::Direction::Up | crate::model::Direction::Down) => html_runs(&present::change_html(metric, view)),
                Some(_) => {
                    let mut c = html_runs(&present::direction_cell(metric, view));
                    c.push(Inline::T { t: ": ".into() });
                    c.extend(html_runs(&present::change_html(metric, view)));
                    c
                }
                None => html_runs(&present::direction_cell(metric, view)),
            };
            let better = match metric.polarity {
                crate::catalogue::Polarity::Higher => "Higher",
                crate::catalogue::Polarity::Lower => "Lower",
                crate::catalogue::Polarity::Neutral => "Neither",
            };
            // The target in force at this quarter (Format 2's dated one, else the catalogue's), and how the figure stands against it.
            let target = present::target_cell(metric, view).map(|h| html_runs(&h)).unwrap_or_else(|| t("No target"));
            let mut title = t(metric.title.clone());
            if let Some(n) = &view.note {
                title.extend([Inline::Br, Inline::T { t: format!("Note: {n}") }]);
            }
            let mut c = vec![title, t(better), value, change, target];
            c.extend(groups.iter().map(|g| html_runs(&present::rank_html(view, *g, Period::Quarter(q.quarter)))));
            Row::Row { c }
        };
        let mut rows = Vec::new();
        for (title, members) in grouped {
            if let Some(title) = title {
                rows.push(Row::Group { c: t(title) });
            }
            rows.extend(members.into_iter().map(row));
        }
        let n = columns.len();
        Table {
            caption: caption.map(t),
            columns,
            // Measure, better if, latest, change, target, then a rank column per group.
            widths: [5, 0, 3, 4, 0].into_iter().chain(std::iter::repeat_n(3, n - 5)).collect(),
            align: vec!["left"; n],
            row_headers: true,
            rows,
        }
    }
}

/// The highlight table's groups, in order, as the website groups them: each priority's title
/// and metrics, then the remaining metrics under "Other measures: SECTION".
fn highlight_groups(inputs: &Inputs, q: &QuarterReport, sel: &KpiSelection) -> Vec<(Option<String>, Vec<MetricIdx>)> {
    let cat = &inputs.site.catalogue;
    let reported = |mi: MetricIdx| q.metrics[mi].is_reported();
    let groups: Vec<(Option<usize>, Vec<MetricIdx>)> = match sel {
        KpiSelection::Metrics(list) => vec![(None, list.clone())],
        KpiSelection::All => cat.grouped(reported),
        KpiSelection::Priorities => cat.grouped(reported).into_iter().filter(|(p, _)| p.is_some()).collect(),
        KpiSelection::Priority(pi) => cat.grouped(reported).into_iter().filter(|(p, _)| *p == Some(*pi)).collect(),
    };
    let titled = groups.iter().any(|(p, _)| p.is_some());
    let mut out: Vec<(Option<String>, Vec<MetricIdx>)> = Vec::new();
    for (p, metrics) in groups {
        match p {
            Some(pi) => out.push((Some(cat.priorities[pi].title.clone()), metrics)),
            None if titled => {
                for mi in metrics {
                    let title = format!("Other measures: {}", cat.sections[cat.metrics[mi].section].title);
                    match out.last_mut() {
                        Some((Some(t), ms)) if *t == title => ms.push(mi),
                        _ => out.push((Some(title), vec![mi])),
                    }
                }
            }
            None => out.push((None, metrics)),
        }
    }
    out
}

/// The glossary terms the document uses (a term, or one of its aliases, as a whole word).
fn glossary_used(inputs: &Inputs, doc: &Doc) -> Vec<(String, String, String)> {
    let mut text = String::new();
    blocks_text(&doc.summary, &mut text);
    if let Some(h) = &doc.highlights {
        table_text(&h.table, &mut text);
    }
    for s in &doc.sections {
        text.push_str(&s.title);
        text.push('\n');
        blocks_text(&s.blocks, &mut text);
    }
    for a in &doc.appendix {
        text.push_str(&a.title);
        text.push('\n');
        for (k, v) in &a.rows {
            text.push_str(&format!("{k}\n{v}\n"));
        }
    }
    for c in &doc.charts {
        table_text(&c.table, &mut text);
    }
    let used = |w: &str| {
        let mut from = 0;
        while let Some(p) = text[from..].find(w) {
            let at = from + p;
            let before = text[..at].chars().next_back();
            let after = text[at + w.len()..].chars().next();
            if before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric()) {
                return true;
            }
            from = at + w.len();
        }
        false
    };
    inputs
        .site
        .glossary
        .iter()
        .filter(|term| [&term.name].into_iter().chain(term.aliases.iter()).any(|w| !w.is_empty() && used(w)))
        .map(|term| (term.name.clone(), term.meaning.clone(), term.anchor.clone()))
        .collect()
}

fn blocks_text(blocks: &[Block], out: &mut String) {
    for b in blocks {
        match b {
            Block::H { c, .. } | Block::P { c } | Block::Lead { c } => out.push_str(&plain(c)),
            Block::List { items, .. } => items.iter().for_each(|i| blocks_text(i, out)),
            Block::Quote { c } | Block::Note { c, .. } => blocks_text(c, out),
            Block::Code { t } => out.push_str(t),
            Block::Table(t) => table_text(t, out),
            Block::Chart { alt, .. } => out.push_str(alt),
            Block::Figure { title, value, detail } => {
                for r in [title, value, detail] {
                    out.push_str(&plain(r));
                    out.push('\n');
                }
            }
            Block::Rule => {}
        }
        out.push('\n');
    }
}

fn table_text(t: &Table, out: &mut String) {
    for c in t.caption.iter().chain(t.columns.iter()) {
        out.push_str(&plain(c));
        out.push('\n');
    }
    for r in &t.rows {
        match r {
            Row::Row { c } => c.iter().for_each(|x| {
                out.push_str(&plain(x));
                out.push('\n');
            }),
            Row::Group { c } => out.push_str(&plain(c)),
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn website_html_becomes_runs_with_markers() {
        let html = present::marker_html('c');
        assert_eq!(html_runs(&html), vec![Inline::Flag { f: "c".into() }]);
        let runs = html_runs("<span class=\"value\">1,418</span> <span class=\"flag\" data-flag=\"r\"><span aria-hidden=\"true\">[r]</span><span class=\"visually-hidden\"> revised</span></span>");
        assert_eq!(runs, vec![Inline::T { t: "1,418 ".into() }, Inline::Flag { f: "r".into() }]);
        let runs = html_runs("<span class=\"direction improving\"><span aria-hidden=\"true\">▲ </span>improving</span>");
        assert_eq!(runs, vec![Inline::T { t: "improving".into() }]);
        assert_eq!(html_runs("a &lt;b&gt; &amp; &quot;c&quot;"), vec![Inline::T { t: "a <b> & \"c\"".into() }]);
    }

    #[test]
    fn languages() {
        assert_eq!(lang_region("en-GB"), ("en".into(), Some("GB".into())));
        assert_eq!(lang_region("cy"), ("cy".into(), None));
        assert_eq!(lang_region("#set"), ("en".into(), None));
    }
}
