//! Render: the model into the files of the website — pages, charts, open data, the feed.
//!
//! Owns: [`OutputFile`], [`render_site`] (and its streaming form [`render_site_each`]) and the
//! [`RenderCache`] rebuilds reuse, and the one escape function, [`escape`]. This file calls the
//! leaves: `pages` (HTML pages with the theme), `chart`, `opendata` and `feeds`; the leaves use
//! only this file's types, never each other's outputs.
//! Must not import: `load`, `validate`'s checks (its definitions are the model's vocabulary),
//! `write` or `serve`: rendering writes nothing and knows no files on disk but the theme.

// Public for the chart benchmark and the charts' tests, which draw charts alone.
pub mod chart;
mod feeds;
mod markdown;
mod opendata;
mod pages;
mod pdf;
mod present;
// Public for `templates::environment` only (the charts' snapshot test uses the theme's partial).
pub mod templates;

use crate::diagnostic::Diagnostic;
use crate::dialect::is_xml_char;
use crate::model::Site;
use crate::period::Quarter;
use crate::validate::Settings;
use chart::RenderedChart;
use minijinja::Environment;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Mutex;

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
pub(crate) struct Rendered {
    /// Files to write, sorted by path.
    pub(crate) files: Vec<OutputFile>,
    /// Number of HTML pages.
    pub(crate) pages: usize,
}

/// What a rebuild may reuse from the builds before it (held by `serve`; a plain build uses a fresh one).
#[derive(Debug)]
pub(crate) struct RenderCache {
    /// Off for one-off builds, which would only pay for copies they never reuse.
    keep: bool,
    charts: Mutex<HashMap<String, RenderedChart>>,
    /// Each quarter's files, and the charts they show (still in use while the quarter is reused).
    quarters: Mutex<HashMap<Quarter, QuarterFiles>>,
    pdf: pdf::Cache,
    last: Mutex<CacheStats>,
    /// Keys of quarters whose files the previous build left intact in the output (see `write`):
    /// those are handed over as [`Handed::Kept`], not rendered.
    intact: HashSet<blake3::Hash>,
}

/// A quarter's input key, its files, and the ids of the charts they show.
type QuarterFiles = (blake3::Hash, Vec<OutputFile>, Vec<String>);

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
    /// Quarters whose files the previous build left in the output, kept and not rendered.
    pub quarters_kept: usize,
}

impl Default for RenderCache {
    fn default() -> Self {
        RenderCache {
            keep: true,
            charts: Default::default(),
            quarters: Default::default(),
            pdf: Default::default(),
            last: Default::default(),
            intact: Default::default(),
        }
    }
}

impl RenderCache {
    /// A cache that keeps nothing, for a build that will not be repeated.
    pub(crate) fn none() -> Self {
        RenderCache { keep: false, ..Default::default() }
    }

    /// A cache for one build into an output whose previous build left these quarters' files
    /// intact (by key): they are kept, the rest rendered.
    pub(crate) fn keeping(intact: HashSet<blake3::Hash>) -> Self {
        RenderCache { keep: false, intact, ..Default::default() }
    }

    /// From now on, a changed quarter's PDF is made by [`RenderCache::make_deferred_pdfs`]
    /// after the build, the last one made standing in until then (for `serve`).
    pub(crate) fn defer_pdfs(&self) {
        self.pdf.defer();
    }

    /// Makes the PDFs the last build left to make: the files, or every error.
    pub(crate) fn make_deferred_pdfs(&self) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
        Ok(self.pdf.make_deferred()?.into_iter().map(|(path, bytes)| OutputFile { path, bytes }).collect())
    }

    /// What the last build reused.
    pub(crate) fn last_stats(&self) -> CacheStats {
        *self.last.lock().expect("cache lock")
    }

    /// Keeps only what this build used, so the cache does not grow without bound while
    /// serving, and counts what was reused; `charts_before` is how many charts it held before.
    fn keep_only(&self, site: &Site, charts_now: HashSet<String>, charts_before: usize) {
        let mut charts = self.charts.lock().expect("cache lock");
        let mut stats = self.last.lock().expect("cache lock");
        stats.charts_rendered = charts.len().saturating_sub(charts_before);
        charts.retain(|id, _| charts_now.contains(id.as_str()));
        stats.charts_reused = charts_now.len().saturating_sub(stats.charts_rendered);
        let quarters_now: HashSet<Quarter> = site.quarters.iter().map(|q| q.quarter).collect();
        self.quarters.lock().expect("cache lock").retain(|q, _| quarters_now.contains(q));
        let paths_now: HashSet<String> = site.quarters.iter().map(|q| format!("{}/{}", q.quarter.path(), pdf::FILE_NAME)).collect();
        self.pdf.retain(|p| paths_now.contains(p));
    }
}

/// Renders every page and download of the site into memory, sorted by path.
pub(crate) fn render_site(site: &Site, env: &Environment<'static>, cache: &RenderCache, templates_key: blake3::Hash) -> Result<Rendered, Vec<Diagnostic>> {
    let files = Mutex::new(Vec::new());
    render_site_each(site, env, cache, templates_key, &|handed| {
        // Only a cache made by `RenderCache::keeping` (for a build to disk) keeps quarters.
        files.lock().expect("files lock").extend(handed.into_files());
        Ok(())
    })?;
    let mut files = files.into_inner().expect("files lock");
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    let pages = files.iter().filter(|f| f.path.ends_with(".html")).count();
    Ok(Rendered { files, pages })
}

/// Files of the site, handed over as soon as their group is rendered (from any thread).
pub(crate) type Sink<'a> = dyn Fn(Handed) -> Result<(), Diagnostic> + Sync + 'a;

/// A group of files handed over.
pub(crate) enum Handed {
    /// Files rendered (a metric's pages, the site-wide ones, open data).
    Files(Vec<OutputFile>),
    /// A quarter's files, rendered, with the key a later build may keep them by.
    Quarter(blake3::Hash, Vec<OutputFile>),
    /// A quarter whose files the previous build left intact: keep them as they are.
    Kept(blake3::Hash),
}

impl Handed {
    /// The files rendered (none for a quarter kept).
    pub(crate) fn into_files(self) -> Vec<OutputFile> {
        match self {
            Handed::Files(files) | Handed::Quarter(_, files) => files,
            Handed::Kept(_) => Vec::new(),
        }
    }
}

/// Renders every page and download of the site, handing each file to `sink` as soon as its
/// quarter (or metric, or the site-wide pages) is rendered, so a build need not hold the whole
/// site in memory. A file may be handed over twice (the same chart shown by two groups of pages).
pub(crate) fn render_site_each(
    site: &Site,
    env: &Environment<'static>,
    cache: &RenderCache,
    templates_key: blake3::Hash,
    sink: &Sink,
) -> Result<(), Vec<Diagnostic>> {
    let charts_before = cache.charts.lock().expect("cache lock").len();
    *cache.last.lock().expect("cache lock") = CacheStats::default();
    // Made once: written out, and their sizes shown on the data page.
    let open_data = opendata::files(site);
    let rendered = pages::render_pages(site, env, cache, templates_key, &open_data, sink)
        .and_then(|charts_now| sink(Handed::Files(feeds::files(site, env)?)).map(|()| charts_now).map_err(|d| vec![d]));
    let charts_now = match rendered {
        Ok(charts_now) => charts_now,
        Err(diags) => {
            // Pages rendered around a failed partial hold a hole: never reuse them.
            cache.quarters.lock().expect("cache lock").clear();
            return Err(diags);
        }
    };
    cache.keep_only(site, charts_now, charts_before);
    sink(Handed::Files(open_data)).map_err(|d| vec![d])
}

/// Escapes text for HTML and XML content and attribute values (`& < > " '`), dropping
/// characters XML cannot hold (control characters, non-characters), which would also make
/// an SVG invalid. Every piece of data that reaches a page or chart goes through here, or
/// through [`escape_text`] where it can only be text content.
pub(crate) fn escape(s: &str) -> String {
    escape_with(s, true)
}

/// [`escape`] for text content only (never an attribute): quotes stay as written, as charts-rs
/// writes its own text, so the chart drawing can find its labels, and "groups' figures" stays short.
pub(crate) fn escape_text(s: &str) -> String {
    escape_with(s, false)
}

fn escape_with(s: &str, quotes: bool) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if quotes => out.push_str("&quot;"),
            '\'' if quotes => out.push_str("&#39;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Checks the theme named in site.toml exists (a theme may hold only some templates, or only
/// static files: the built-in templates stand in for the ones it leaves out).
pub(crate) fn check_theme(root: &Path, settings: &Settings, diags: &mut Vec<Diagnostic>) {
    let dir = root.join("themes").join(&settings.theme);
    if settings.theme != "default" && !dir.is_dir() {
        diags.push(
            Diagnostic::error("site.toml", settings.theme_pos, format!("there is no theme \"{}\" (no folder themes/{}/)", settings.theme, settings.theme))
                .help("set theme to a folder under themes/, or remove the line to use the built-in theme"),
        );
    }
}
