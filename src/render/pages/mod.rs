//! Pages: every HTML page of the SPEC, rendered from the model with the theme.
//!
//! Owns: the page contexts templates see, and the pages of quarters, metrics and the site.
//! Called only by `render` (its parent), which owns the output and the cache and writes the
//! open data and the feed; must not import `feeds`, `load`, `write` or `serve`.

use super::chart::{self, Category, ChartData, ChartSeries, RenderedChart};
use super::markdown::{self, escape, GlossaryIndex, PageState};
use super::present;
use super::templates::template_error;
use super::{Handed, OutputFile, RenderCache};
use crate::catalogue::{Frequency, Metric};
use crate::diagnostic::Diagnostic;
use crate::figure::{Figure, Flags};
use crate::model::{BenchmarkView, MetricView, QuarterReport, Site};
use crate::period::{Month, Period, Quarter};
use crate::validate::{Block, ChartKind, ChartSpec, Commentary, KpiSelection, RefField, Status};
use minijinja::{context, value::Serde, Environment, Value};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::collections::HashSet;

mod blocks;
mod quarter;
mod site;

use blocks::*;
use quarter::*;
use site::*;

/// Any serialisable value as a template value.
fn ser<T: Serialize>(x: T) -> Value {
    Value::from(Serde(x))
}

#[derive(Serialize, Clone)]
struct Link {
    title: String,
    href: String,
}

/// A link of the site's navigation; `kind` names it for the templates ("home", "latest",
/// "metrics", "glossary", "data", or "page" for each standalone page), so a template picks
/// links by name, never by position.
#[derive(Serialize, Clone)]
struct NavLink {
    kind: &'static str,
    title: String,
    href: String,
}

/// A correction made after publication.
#[derive(Serialize, Clone)]
struct RevisionNote {
    /// "3 March 2025".
    date: String,
    note: String,
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
    revisions: Vec<RevisionNote>,
    draft: bool,
    archived: bool,
    latest: Option<Link>,
    overview: String,
    print: String,
    appendix: String,
    /// The committee document, when site.toml asks for PDFs.
    pdf: Option<String>,
    csv: String,
    switcher: Vec<SwitchItem>,
    /// Where every quarter is listed, when the switcher shows only some.
    all_quarters: Option<String>,
    next_update: Option<String>,
    details: Option<DetailsNav>,
}

#[derive(Serialize, Clone)]
struct DetailsNav {
    report_to: Option<String>,
    meeting: Option<String>,
    author: Option<String>,
    contact: Option<String>,
}

/// How many quarters either side of a report its quarter switcher lists.
const SWITCHER_REACH: usize = 4;

/// Shared, read-only state of one build.
struct Ctx<'a> {
    cache: &'a RenderCache,
    templates_key: blake3::Hash,
    site: &'a Site,
    env: &'a Environment<'static>,
    glossary_index: GlossaryIndex,
    site_value: Value,
    nav_pages: Vec<(String, String)>,
    /// The open-data files, whose sizes the data page shows.
    open_data: &'a [OutputFile],
    /// Errors in partials (report blocks, the flag key), which return text into a page:
    /// they fail the build like any template error, never show on the page.
    partial_errors: std::sync::Mutex<Vec<Diagnostic>>,
    /// The ids of the charts this build shows, so the cache keeps only those.
    charts_used: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// The charts of a group of pages (a quarter's, a metric's, the site-wide ones): each chart
/// drawn, and the sprite files that show them, one per commentary (see [`chart::sprite`]).
#[derive(Default)]
struct Charts {
    drawn: BTreeMap<String, RenderedChart>,
    /// Charts placed since the last [`Charts::close`], in the order shown.
    open: Vec<String>,
    /// Each sprite's name below `charts/`, and its content.
    files: BTreeMap<String, String>,
}

/// Stands for the sprite's file name in a chart's markup until its commentary is done (the name
/// ends in a hash of the file, so it is known only once every chart of the file is).
const SPRITE_MARK: char = '\u{E004}';

impl Charts {
    /// Places a chart in the sprite being made: its place there (from 0), which names its views
    /// ([`chart::view`]); a chart placed again in the same sprite keeps its first place.
    fn place(&mut self, id: &str) -> usize {
        match self.open.iter().position(|o| o == id) {
            Some(k) => k,
            None => {
                self.open.push(id.to_string());
                self.open.len() - 1
            }
        }
    }

    /// Puts the charts placed since the last call in one sprite, `{group}-{hash}.svg`, and names
    /// it in their markup. `group` says whose charts they are (`2024-25-q2-reviews`), so a file
    /// depends only on its commentary and the charts there; the hash ends the name, as web
    /// servers' cache rules expect (docs/publishing/servers).
    fn close(&mut self, group: &str, html: &mut [String]) {
        if self.open.is_empty() {
            return;
        }
        let svg = chart::sprite(self.open.drain(..).filter_map(|id| self.drawn.get(&id)));
        let name = format!("{group}-{}.svg", &blake3::hash(svg.as_bytes()).to_hex()[..10]);
        for h in html.iter_mut().filter(|h| h.contains(SPRITE_MARK)) {
            *h = h.replace(SPRITE_MARK, &name);
        }
        self.files.entry(name).or_insert(svg);
    }
}

/// The sprite files of a group of pages, noting which charts the build used.
fn chart_files(ctx: &Ctx, charts: Charts) -> impl Iterator<Item = OutputFile> {
    ctx.charts_used.lock().expect("charts lock").extend(charts.drawn.into_keys());
    charts.files.into_iter().map(|(name, svg)| OutputFile { path: format!("charts/{name}"), bytes: svg.into_bytes() })
}

/// Renders every page of the site, handing each group's files (a quarter's, a metric's, the
/// site-wide pages') to `hand_over` as soon as they are rendered; every error at once. Gives
/// back the ids of the charts the pages show, so the cache keeps only those.
pub(super) fn render_pages(
    site: &Site,
    env: &Environment<'static>,
    cache: &RenderCache,
    templates_key: blake3::Hash,
    open_data: &[OutputFile],
    hand_over: &super::Sink,
) -> Result<HashSet<String>, Vec<Diagnostic>> {
    let ctx = Ctx {
        cache,
        templates_key,
        site,
        env,
        glossary_index: GlossaryIndex::new(&site.glossary),
        site_value: ser(context_site(site)),
        nav_pages: site.pages.iter().map(|(name, c)| (c.title.clone().unwrap_or_else(|| title_case(name)), name.clone())).collect(),
        open_data,
        partial_errors: Default::default(),
        charts_used: Default::default(),
    };
    let give = |r: Result<Handed, Vec<Diagnostic>>| r.and_then(|handed| hand_over(handed).map_err(|d| vec![d]));
    let results: Vec<Result<(), Vec<Diagnostic>>> = (0..site.quarters.len())
        .into_par_iter()
        .map(|qi| give(render_quarter(&ctx, qi)))
        .chain((0..site.catalogue.metrics.len()).into_par_iter().map(|mi| give(render_metric(&ctx, mi.into()).map(Handed::Files))))
        .collect();
    let mut diags: Vec<Diagnostic> = results.into_iter().filter_map(Result::err).flatten().collect();
    if let Err(d) = give(render_site_pages(&ctx).map(Handed::Files)) {
        diags.extend(d);
    }
    let mut seen = std::collections::HashSet::new();
    diags.extend(ctx.partial_errors.into_inner().expect("errors lock").into_iter().filter(|d| seen.insert(d.headline())));
    if diags.is_empty() {
        Ok(ctx.charts_used.into_inner().expect("charts lock"))
    } else {
        Err(diags)
    }
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

/// Marks around markup only the screen needs: a chart's "Link to this chart" and "Open this
/// chart on its own" (see blocks/chart.html). The print page is the whole report to print, and
/// each chart's section page has both, so the print page leaves them out: 11 KB a print page.
/// HTML comments, so no escaped text can hold them; raw HTML a council allows could, and
/// would only lose its marked part from the print page.
const SCREEN_ONLY: (&str, &str) = ("<!--screen-->", "<!--/screen-->");

/// The page with what [`SCREEN_ONLY`] marks left out (`print`) or kept, the marks removed.
fn screen_only(html: String, print: bool) -> String {
    let (open, close) = SCREEN_ONLY;
    if !html.contains(open) {
        return html;
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        let inner = &rest[start + open.len()..];
        match inner.find(close) {
            Some(end) => {
                if !print {
                    out.push_str(&inner[..end]);
                }
                rest = &inner[end + close.len()..];
            }
            None => {
                out.push_str(inner);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
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
        let nav = self.nav(&root);
        let current = format!("{root}{}", path.trim_end_matches("index.html"));
        let ctx = context! {
            site => self.site_value.clone(),
            root => root,
            path => path,
            title => title,
            canonical => canonical,
            breadcrumbs => ser(crumbs),
            nav => ser(nav),
            has_glossary => !self.site.glossary.is_empty(),
            current => current,
            quarter => ser(quarter),
            page => extra,
        };
        let tmpl =
            self.env.get_template(template).map_err(|e| vec![template_error(&format!("themes/{}/templates/{template}", self.site.settings.theme), &e)])?;
        let html = tmpl.render(ctx).map_err(|e| vec![template_error(&format!("themes/{}/templates/{template}", self.site.settings.theme), &e)])?;
        let html = screen_only(html, template == "print.html");
        let out = if path.ends_with(".html") { path.to_string() } else { format!("{path}index.html") };
        Ok(OutputFile { path: out, bytes: html.into_bytes() })
    }

    /// The site's navigation from a page at `root`.
    fn nav(&self, root: &str) -> Vec<NavLink> {
        let link = |kind, title: &str, href: String| NavLink { kind, title: title.into(), href };
        let mut nav = vec![
            link("home", "Home", if root.is_empty() { "./".into() } else { root.to_string() }),
            link("latest", "Latest report", format!("{root}latest/")),
            link("metrics", "Metrics", format!("{root}metrics/")),
        ];
        // An empty glossary has no page, so nothing links to it.
        if !self.site.glossary.is_empty() {
            nav.push(link("glossary", "Glossary", format!("{root}glossary/")));
        }
        nav.push(link("data", "Open data", format!("{root}data/")));
        nav.extend(self.nav_pages.iter().map(|(t, n)| link("page", t, format!("{root}{n}/"))));
        nav
    }

    fn partial(&self, template: &str, ctx: Value) -> String {
        match self.env.get_template(template).and_then(|t| t.render(ctx)) {
            Ok(s) => s,
            Err(e) => {
                self.partial_errors.lock().expect("errors lock").push(template_error(&format!("themes/{}/templates/{template}", self.site.settings.theme), &e));
                String::new()
            }
        }
    }
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
        revisions: q.revisions.iter().map(|r| RevisionNote { date: r.date.long(), note: r.note.clone() }).collect(),
        draft: q.draft,
        archived: latest.is_some(),
        latest,
        overview: base.clone(),
        print: format!("{base}print/"),
        appendix: format!("{base}appendix/"),
        pdf: site.settings.pdf.then(|| format!("{base}{}", super::pdf::FILE_NAME)),
        csv: format!("{root}data/{}.csv", q.quarter.slug()),
        next_update: q.next_update.map(|d| d.long()),
        details: (!q.details.is_empty() || q.next_update.is_some()).then(|| DetailsNav {
            report_to: q.details.report_to.clone(),
            meeting: q.details.meeting.map(|d| d.long()),
            author: q.details.author.clone(),
            contact: q.details.contact.clone(),
        }),
        // The quarters around this one, newest first; the home page lists every quarter, so the
        // markup each page repeats stays the same size however long the archive grows.
        switcher: site
            .quarters
            .iter()
            .enumerate()
            .rev()
            .filter(|(i, _)| i.abs_diff(qi) <= SWITCHER_REACH)
            .map(|(_, other)| SwitchItem {
                label: other.quarter.long(),
                href: format!("{root}{}/{}", other.quarter.path(), same(other).unwrap_or_default()),
                current: other.quarter == q.quarter,
                draft: other.draft,
            })
            .collect(),
        all_quarters: (site.quarters.len() > 2 * SWITCHER_REACH + 1).then(|| format!("{root}#archive-title")),
    }
}

/// The commentary of one file as HTML, with blocks and references from the quarter; its charts
/// go in one sprite named after `group`.
// Where the commentary is placed (root, id prefix, chart group) is three arguments for now.
#[allow(clippy::too_many_arguments)]
fn commentary_html(
    ctx: &Ctx,
    c: &Commentary,
    q: Option<&QuarterReport>,
    root: &str,
    prefix: &str,
    group: &str,
    state: &mut PageState,
    charts: &mut Charts,
) -> String {
    let parts = commentary_parts(ctx, c, q, root, group, charts);
    commentary_from_parts(ctx, c, &parts, root, prefix, state)
}

/// What the pages that show one commentary from the same folder depth share: its references
/// and report blocks as HTML (charts placed in their sprite, anchors not yet made unique).
/// Worked out once a quarter, so a section's page and the print page build them once.
struct CommentaryParts {
    refs: Vec<String>,
    blocks: Vec<String>,
}

fn commentary_parts(ctx: &Ctx, c: &Commentary, q: Option<&QuarterReport>, root: &str, group: &str, charts: &mut Charts) -> CommentaryParts {
    let site = ctx.site;
    let refs: Vec<String> = c
        .refs
        .iter()
        .map(|r| match q {
            Some(q) => reference_html(site, q, r.metric, r.field),
            None => present::marker_html('x'),
        })
        .collect();
    let mut blocks: Vec<String> = c.blocks.iter().map(|b| block_html(ctx, b, q, root, charts)).collect();
    charts.close(group, &mut blocks);
    CommentaryParts { refs, blocks }
}

/// One page's HTML of a commentary from its parts: anchors and headings get ids unique on the
/// page, glossary terms are spelled out at their first use on the page.
fn commentary_from_parts(ctx: &Ctx, c: &Commentary, parts: &CommentaryParts, root: &str, prefix: &str, state: &mut PageState) -> String {
    let site = ctx.site;
    let blocks: Vec<String> = parts.blocks.iter().map(|b| resolve_anchors(b, state)).collect();
    let glossary_href = format!("{root}glossary/");
    let m = markdown::Commentary {
        refs: &parts.refs,
        blocks: &blocks,
        id_prefix: prefix,
        allow_raw_html: site.settings.allow_raw_html,
        glossary: &site.glossary,
        glossary_index: &ctx.glossary_index,
        glossary_href: &glossary_href,
    };
    markdown::render(&c.body, &m, state)
}

fn reference_html(site: &Site, q: &QuarterReport, mi: crate::index::MetricIdx, field: RefField) -> String {
    let metric = &site.catalogue.metrics[mi];
    let view = &q.metrics[mi];
    let missing = present::marker_html('x');
    match field {
        RefField::Value => view.current.map(|p| present::figure_html(metric, p.figure)).unwrap_or(missing),
        RefField::Previous => view.previous.map(|p| present::figure_html(metric, p.figure)).unwrap_or(missing),
        RefField::Change => present::change_html(metric, view),
        RefField::Direction => present::direction_html(metric, view),
        RefField::Rank(g) => present::rank_html(view, g, Period::Quarter(q.quarter)),
        RefField::Compare(g) => present::compare_html(metric, view, g, Period::Quarter(q.quarter)),
        RefField::Quartile(g) => present::quartile_html(view, g, &site.settings, Period::Quarter(q.quarter)),
        RefField::Target => present::target_html(metric, view),
        RefField::Plan => present::plan_html(metric, view),
        RefField::AgainstPlan => present::against_plan_html(metric, view),
        RefField::YearAgo => present::year_ago_html(metric, view),
        RefField::ChangeYear => present::change_year_html(metric, view),
        RefField::ChangePercent => present::change_percent_html(metric, view),
        RefField::Ytd => present::ytd_html(metric, view),
    }
}

fn title_case(name: &str) -> String {
    let s = name.replace('-', " ");
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// Ids the layout uses, so commentary headings cannot take them.
fn reserve_layout_ids(state: &mut PageState) {
    for id in ["main", "top", "content", "quarter-switcher", "flag-key", "site-nav", "report", "status", "glossary"] {
        state.unique_id(id);
    }
}

#[cfg(test)]
mod tests {
    use super::screen_only;

    #[test]
    fn screen_only_markup_is_kept_on_screen_and_left_out_of_the_print_page() {
        let html = "<figure>a<!--screen--><p>link</p><!--/screen--></figure><figure>b<!--screen--><p>open</p><!--/screen--></figure>".to_string();
        assert_eq!(screen_only(html.clone(), false), "<figure>a<p>link</p></figure><figure>b<p>open</p></figure>");
        assert_eq!(screen_only(html, true), "<figure>a</figure><figure>b</figure>");
        // An opening mark without its end (a theme's slip) hides nothing.
        assert_eq!(screen_only("x<!--screen-->y".to_string(), true), "xy");
        assert_eq!(screen_only("plain".to_string(), true), "plain");
    }
}
