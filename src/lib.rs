//! Scrutiny: quarterly performance reports as a static website.
//!
//! The pipeline, one module a stage: [`load`] (files to raw nodes with positions),
//! [`validate`] (every diagnostic at once, typed definitions out), [`model`] (quarters,
//! series, derived ranks and directions), [`render`] (Markdown, charts, templates) and
//! [`write`] (atomic swap of the output).

pub mod catalogue;
pub mod diagnostic;
pub mod figure;
pub mod import;
pub mod init;
pub mod load;
pub mod model;
pub mod period;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod validate;
pub mod write;

use diagnostic::Diagnostic;
use std::path::{Path, PathBuf};

/// Loads and validates a site, and when that finds no error, renders it in memory (writing
/// nothing) so template mistakes are caught too: every problem, sorted.
pub fn check(root: &Path) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let raw = load::load(root, &mut diags);
    let defs = validate::validate(&raw, &mut diags);
    if let Some(defs) = &defs {
        render::check_theme(root, &defs.settings, &mut diags);
    }
    // Render what was just validated (drafts too), so template mistakes show; nothing is written.
    if let Some(defs) = defs.filter(|_| !diags.iter().any(|d| d.severity == diagnostic::Severity::Error)) {
        let site = model::build(defs, true);
        let theme = site.settings.theme.clone();
        let rendered = render::templates::environment(root, &theme)
            .and_then(|env| render::pages::render_site(&site, &env, &render::pages::RenderCache::none(), render::templates::fingerprint(root, &theme)));
        if let Err(render_errors) = rendered {
            diags.extend(render_errors.into_iter().filter(|d| d.severity == diagnostic::Severity::Error));
        }
    }
    let mut all = diagnostic::Diagnostics::default();
    all.extend(diags);
    all.sorted()
}

/// What `build` is asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site directory.
    pub root: PathBuf,
    /// Output directory (default from site.toml).
    pub output: Option<PathBuf>,
    /// Include draft quarters.
    pub drafts: bool,
    /// Override site.toml's base_url.
    pub base_url: Option<String>,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    /// Where the site was written.
    pub output: PathBuf,
    /// HTML pages written.
    pub pages: usize,
    /// Warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// Files written, left alone and removed.
    pub written: write::WriteStats,
}

/// Loads, validates and models a site: the model and its warnings, or every problem.
pub fn compile(root: &Path, drafts: bool, base_url: Option<&str>) -> Result<(model::Site, Vec<Diagnostic>), Vec<Diagnostic>> {
    compile_cached(root, drafts, base_url, None)
}

fn compile_cached(
    root: &Path,
    drafts: bool,
    base_url: Option<&str>,
    cache: Option<&load::LoadCache>,
) -> Result<(model::Site, Vec<Diagnostic>), Vec<Diagnostic>> {
    let timer = Timer::start();
    let mut diags = Vec::new();
    let raw = load::load_cached(root, &mut diags, cache);
    timer.lap("load");
    let defs = validate::validate(&raw, &mut diags);
    timer.lap("validate");
    let sorted = |d: Vec<Diagnostic>| {
        let mut all = diagnostic::Diagnostics::default();
        all.extend(d);
        all.sorted()
    };
    let Some(mut defs) = defs else {
        return Err(sorted(diags));
    };
    if let Some(url) = base_url {
        if let Err(e) = defs.settings.set_base_url(url) {
            diags.push(
                Diagnostic::error("site.toml", diagnostic::Pos::FILE, format!("--base-url: {e}"))
                    .help("give the full address, e.g. https://www.example.gov.uk/asc-performance/"),
            );
        }
    }
    if diags.iter().any(|d| d.severity == diagnostic::Severity::Error) {
        return Err(sorted(diags));
    }
    let site = model::build(defs, drafts);
    timer.lap("model");
    Ok((site, sorted(diags)))
}

/// A built site held in memory: every file of the output, sorted by path.
#[derive(Debug)]
pub struct BuiltSite {
    /// The model it was built from.
    pub site: model::Site,
    /// Every output file, static files included.
    pub files: Vec<render::pages::OutputFile>,
    /// HTML pages among them.
    pub pages: usize,
    /// Warnings found on the way.
    pub warnings: Vec<Diagnostic>,
}

/// Compiles and renders a site into memory, without touching the output directory.
pub fn build_in_memory(root: &Path, drafts: bool, base_url: Option<&str>) -> Result<BuiltSite, Vec<Diagnostic>> {
    build_with(root, drafts, base_url, None, &render::pages::RenderCache::none())
}

/// What rebuilds may reuse from earlier builds: parsed files and rendered pages and charts.
#[derive(Debug, Default)]
pub struct BuildCache {
    load: load::LoadCache,
    render: render::pages::RenderCache,
}

impl BuildCache {
    /// What the last build reused.
    pub fn last_stats(&self) -> render::pages::CacheStats {
        self.render.last_stats()
    }
}

/// As [`build_in_memory`], reusing from `cache` whatever did not change since earlier builds.
pub fn build_in_memory_cached(root: &Path, drafts: bool, base_url: Option<&str>, cache: &BuildCache) -> Result<BuiltSite, Vec<Diagnostic>> {
    build_with(root, drafts, base_url, Some(&cache.load), &cache.render)
}

fn build_with(
    root: &Path,
    drafts: bool,
    base_url: Option<&str>,
    load_cache: Option<&load::LoadCache>,
    cache: &render::pages::RenderCache,
) -> Result<BuiltSite, Vec<Diagnostic>> {
    let timer = Timer::start();
    let (site, warnings) = compile_cached(root, drafts, base_url, load_cache)?;
    timer.lap("compile");
    let env = render::templates::environment(root, &site.settings.theme)?;
    let rendered = render::pages::render_site(&site, &env, cache, render::templates::fingerprint(root, &site.settings.theme))?;
    timer.lap("render");
    let mut files = rendered.files;
    // The built-in stylesheet, unless the theme brings its own (a partial theme falls back to it).
    let mut statics = vec![render::pages::OutputFile { path: "style.css".into(), bytes: render::templates::DEFAULT_CSS.as_bytes().to_vec() }];
    // Theme static files first, then the site's own static/ over them, then generated pages over both.
    for dir in [root.join("themes").join(&site.settings.theme).join("static"), root.join("static")] {
        statics.extend(write::read_dir_files(&dir).map_err(|e| {
            vec![Diagnostic::error(diagnostic::rel(root, &dir), diagnostic::Pos::FILE, format!("cannot read static files: {e}"))
                .help("check the folder can be read")]
        })?);
    }
    let generated: std::collections::HashSet<String> = files.iter().map(|f| f.path.clone()).collect();
    let mut by_path: std::collections::BTreeMap<String, render::pages::OutputFile> = Default::default();
    for f in statics {
        if !generated.contains(&f.path) {
            by_path.insert(f.path.clone(), f);
        }
    }
    for f in files.drain(..) {
        by_path.insert(f.path.clone(), f);
    }
    Ok(BuiltSite { site, files: by_path.into_values().collect(), pages: rendered.pages, warnings })
}

/// Builds the website: compile, render with the theme, and swap the output in. Each file is
/// written as soon as it is rendered, so the site is never held in memory whole.
pub fn build(options: &BuildOptions) -> Result<BuildReport, Vec<Diagnostic>> {
    let root = &options.root;
    let timer = Timer::start();
    let (site, warnings) = compile_cached(root, options.drafts, options.base_url.as_deref(), None)?;
    let output = options.output.clone().unwrap_or_else(|| root.join(&site.settings.output));
    let env = render::templates::environment(root, &site.settings.theme)?;
    let writer = write::Writer::begin(root, &output).map_err(|d| vec![d])?;
    let pages = std::sync::atomic::AtomicUsize::new(0);
    let key = render::templates::fingerprint(root, &site.settings.theme);
    let rendered = render::pages::render_site_each(&site, &env, &render::pages::RenderCache::none(), key, &|f| {
        if f.path.ends_with(".html") {
            pages.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        writer.put(&f)
    });
    // Then static files, where no page took the path: the site's own over the theme's.
    let statics = rendered.and_then(|()| {
        let mut dirs = vec![root.join("static"), root.join("themes").join(&site.settings.theme).join("static")];
        for dir in dirs.drain(..) {
            let files = write::read_dir_files(&dir).map_err(|e| {
                vec![Diagnostic::error(diagnostic::rel(root, &dir), diagnostic::Pos::FILE, format!("cannot read static files: {e}"))
                    .help("check the folder can be read")]
            })?;
            files.iter().try_for_each(|f| writer.put(f)).map_err(|d| vec![d])?;
        }
        // The built-in stylesheet, unless the theme brings its own (a partial theme falls back to it).
        writer.put(&render::pages::OutputFile { path: "style.css".into(), bytes: render::templates::DEFAULT_CSS.as_bytes().to_vec() }).map_err(|d| vec![d])?;
        Ok(())
    });
    if let Err(d) = statics {
        writer.abort();
        return Err(d);
    }
    timer.lap("render and write");
    let written = writer.finish().map_err(|d| vec![d])?;
    timer.lap("swap in");
    Ok(BuildReport { output, pages: pages.into_inner(), diagnostics: warnings, written })
}

/// Starts a quarter from the newest one; never overwrites a file. Returns the files created.
pub fn new_quarter(root: &Path, quarter: &str) -> Result<Vec<String>, String> {
    scaffold::new_quarter(root, quarter)
}

/// Phase timings on stderr when `SCRUTINY_TIMINGS` is set, for finding where a build spends its time.
struct Timer {
    started: Option<std::cell::Cell<std::time::Instant>>,
}

impl Timer {
    fn start() -> Self {
        Timer { started: std::env::var_os("SCRUTINY_TIMINGS").map(|_| std::cell::Cell::new(std::time::Instant::now())) }
    }
    fn lap(&self, what: &str) {
        if let Some(s) = &self.started {
            eprintln!("timing: {what}: {:.1} ms", s.get().elapsed().as_secs_f64() * 1000.0);
            s.set(std::time::Instant::now());
        }
    }
}
