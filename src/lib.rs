//! Scrutiny: quarterly performance reports as a static website.
//!
//! This file wires the pipeline, one module a stage, data flowing one way: `load` (files to
//! raw nodes with positions), `validate` (every diagnostic at once, typed definitions out),
//! [`model`] (quarters, series, derived ranks and directions), [`render`] (pages, charts, open
//! data, the feed) and `write` (the output folder: a first build is moved into place whole,
//! a rebuild rewrites only the files that changed). Each stage shows the others one entry
//! function and its output types; the rest of it is private to it. Below them all sit the
//! domain types ([`period`], [`catalogue`], [`figure`]), [`diagnostic`] and `dialect` (the
//! Markdown dialect load, validate and render share).
//!
//! # What is public, and why
//! The `scrutiny` binary (src/main.rs), the integration tests, benches and examples are
//! other crates: they see only what is public here, and nothing is public for any other reason.
//! - The commands: [`check`], [`compile`], [`build`], [`build_in_memory`] (and its cached
//!   form), [`new_quarter`], with their options and reports; [`init`], [`import`] and
//!   [`serve`], the other commands' modules.
//! - [`diagnostic`]: the binary prints every problem, in words or as JSON.
//! - [`period`], [`catalogue`], [`figure`]: the domain types the model is written in; the
//!   binary parses `--quarter` and `--year` with them.
//! - [`model`]: what [`compile`] and [`BuiltSite`] give, which tests read.
//! - [`load`]: only its two parsers, `load::yaml::parse` and `load::commentary::parse`
//!   (with the trees they give), which the fuzz tests feed arbitrary bytes and the publishing
//!   test reads workflows with; its entry is the crate's.
//! - [`render`]: `OutputFile` and [`CacheStats`], which builds hand back; `render::chart` (the
//!   chart benchmark and the charts' property and snapshot tests draw charts alone) and
//!   `render::templates::environment` (the chart snapshot test places a chart with the
//!   default theme's partial). Its entry, `render_site`, is the crate's.
//! - [`ChartKind`], which a chart's data names, and [`WriteStats`], which a build reports.

pub mod catalogue;
pub mod diagnostic;
mod dialect;
pub mod figure;
pub mod import;
pub mod index;
pub mod init;
pub mod load;
pub mod model;
pub mod period;
pub mod render;
mod scaffold;
pub mod serve;
mod site_files;
mod validate;
mod words;
mod write;

pub use render::CacheStats;
pub use validate::ChartKind;
pub use write::WriteStats;

use diagnostic::Diagnostic;
use std::path::{Path, PathBuf};

/// Loads and validates a site, and when that finds no error, renders it in memory (writing
/// nothing) so template mistakes are caught too: every problem, sorted.
pub fn check(root: &Path) -> Vec<Diagnostic> {
    let mut diags = diagnostic::Diagnostics::default();
    let raw = load::load(root, &mut diags);
    let validated = validate::validate(&raw, &mut diags);
    let settings = match &validated {
        Ok(v) => Some(&v.settings),
        Err(rejected) => rejected.readable.as_ref().map(|d| &d.settings),
    };
    if let Some(settings) = settings {
        let mut theme = Vec::new();
        render::check_theme(root, settings, &mut theme);
        diags.extend(theme);
    }
    // Render what was just validated (drafts too), so template mistakes show; nothing is written,
    // and nothing is kept but each file's path (for the static files' checks), as in a build.
    if let (Ok(validated), false) = (validated, diags.has_errors()) {
        let site = model::build(validated, true);
        let theme = site.settings.theme.clone();
        let paths = std::sync::Mutex::new(std::collections::HashSet::new());
        let rendered = render::templates::environment(root, &theme).and_then(|env| {
            render::render_site_each(&site, &env, &render::RenderCache::none(), render::templates::fingerprint(root, &theme), &|handed| {
                paths.lock().expect("paths lock").extend(handed.into_files().into_iter().map(|f| f.path));
                Ok(())
            })
        });
        let checked = rendered.and_then(|()| {
            let (statics, warnings) = read_static_files(root, &theme)?;
            let paths = paths.into_inner().expect("paths lock");
            let errors = static_files_taking_place(&statics, |p| paths.contains(p));
            if errors.is_empty() {
                Ok(warnings)
            } else {
                Err(errors)
            }
        });
        match checked {
            Ok(warnings) => diags.extend(warnings),
            Err(render_errors) => diags.extend(render_errors.into_iter().filter(|d| d.severity == diagnostic::Severity::Error)),
        }
    }
    diags.sorted()
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
    /// A folder where builds note what they wrote (see [`default_records_folder`]), so that a
    /// rebuild into the same output keeps the quarters whose inputs have not changed instead of
    /// rendering them again. `None`: every build renders everything.
    pub records: Option<PathBuf>,
}

/// Where `scrutiny build` keeps its records: `$SCRUTINY_CACHE_DIR` if set (set it empty for none),
/// else `scrutiny/` in the user's cache folder (`$XDG_CACHE_HOME`, `~/.cache`, or `%LOCALAPPDATA%`).
pub fn default_records_folder() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = std::env::var_os("SCRUTINY_CACHE_DIR") {
        return (!dir.is_empty()).then(|| PathBuf::from(dir));
    }
    let cache = var("XDG_CACHE_HOME").or_else(|| var("HOME").map(|h| h.join(".cache"))).or_else(|| var("LOCALAPPDATA"))?;
    Some(cache.join("scrutiny").join("records"))
}

/// What, beside the templates, makes this program render what it renders: a kept quarter must
/// have been written by the same program. Its version and the executable's size and time are
/// enough on one machine (records never leave it); without them nothing is kept.
fn program_identity() -> Option<blake3::Hash> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    let text = format!("{} {} {} {}", env!("CARGO_PKG_VERSION"), exe.display(), meta.len(), modified.as_nanos());
    Some(blake3::hash(text.as_bytes()))
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
    pub written: WriteStats,
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
    let mut diags = diagnostic::Diagnostics::default();
    let raw = load::load_cached(root, &mut diags, cache);
    timer.lap("load");
    let mut validated = validate::validate(&raw, &mut diags);
    timer.lap("validate");
    // --base-url is checked whenever site.toml could be read, beside the files' own errors.
    let base_url_set = base_url.and_then(|url| match &mut validated {
        Ok(v) => Some(v.set_base_url(url)),
        Err(rejected) => rejected.readable.as_mut().map(|d| d.settings.set_base_url(url)),
    });
    if let Some(Err(e)) = base_url_set {
        diags.push(
            Diagnostic::error("site.toml", diagnostic::Pos::FILE, format!("--base-url: {e}"))
                .help("give the full address, e.g. https://www.example.gov.uk/asc-performance/"),
        );
    }
    match validated {
        Ok(validated) if !diags.has_errors() => {
            let site = model::build(validated, drafts);
            timer.lap("model");
            Ok((site, diags.sorted()))
        }
        _ => Err(diags.sorted()),
    }
}

/// A built site held in memory: every file of the output, sorted by path.
#[derive(Debug)]
pub struct BuiltSite {
    /// The model it was built from.
    pub site: model::Site,
    /// Every output file, static files included.
    pub files: Vec<render::OutputFile>,
    /// HTML pages among them.
    pub pages: usize,
    /// Warnings found on the way.
    pub warnings: Vec<Diagnostic>,
}

/// Compiles and renders a site into memory, without touching the output directory.
pub fn build_in_memory(root: &Path, drafts: bool, base_url: Option<&str>) -> Result<BuiltSite, Vec<Diagnostic>> {
    build_with(root, drafts, base_url, None, &render::RenderCache::none())
}

/// What rebuilds may reuse from earlier builds: parsed files and rendered pages and charts.
#[derive(Debug, Default)]
pub struct BuildCache {
    load: load::LoadCache,
    render: render::RenderCache,
}

impl BuildCache {
    /// What the last build reused.
    pub fn last_stats(&self) -> CacheStats {
        self.render.last_stats()
    }

    /// From now on, builds leave a changed quarter's PDF to [`BuildCache::make_deferred_pdfs`],
    /// giving the last one made for that quarter meanwhile (`serve` shows pages without waiting).
    pub fn defer_pdfs(&self) {
        self.render.defer_pdfs();
    }

    /// Makes the PDFs the last build left to make (none unless [`BuildCache::defer_pdfs`]).
    pub fn make_deferred_pdfs(&self) -> Result<Vec<render::OutputFile>, Vec<Diagnostic>> {
        self.render.make_deferred_pdfs()
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
    cache: &render::RenderCache,
) -> Result<BuiltSite, Vec<Diagnostic>> {
    let timer = Timer::start();
    let (site, warnings) = compile_cached(root, drafts, base_url, load_cache)?;
    timer.lap("compile");
    let env = render::templates::environment(root, &site.settings.theme)?;
    let rendered = render::render_site(&site, &env, cache, render::templates::fingerprint(root, &site.settings.theme))?;
    timer.lap("render");
    let (files, shadowed) = with_static_files(root, &site.settings.theme, rendered.files)?;
    let mut warnings = warnings;
    warnings.extend(shadowed);
    Ok(BuiltSite { site, files, pages: rendered.pages, warnings })
}

/// The theme's static files (the built-in stylesheet first, unless the theme brings its own)
/// and the site's own `static/`, in that order, each with the name it is known by in messages;
/// and a warning for each site file that replaces a theme file. Nothing is read through a
/// link that leads outside the site.
type StaticFiles = Vec<(render::OutputFile, String)>;

fn read_static_files(root: &Path, theme: &str) -> Result<(StaticFiles, Vec<Diagnostic>), Vec<Diagnostic>> {
    let theme_dir = root.join("themes").join(theme).join("static");
    let site_dir = root.join("static");
    let errors: Vec<Diagnostic> = [&theme_dir, &site_dir].iter().flat_map(|d| load::links::links_leaving(root, d)).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let read = |dir: &Path| {
        write::read_dir_files(dir).map_err(|e| {
            vec![Diagnostic::error(diagnostic::rel(root, dir), diagnostic::Pos::FILE, format!("cannot read static files: {e}"))
                .help("check the folder can be read")]
        })
    };
    let theme_name = |path: &str| format!("{}/{path}", diagnostic::rel(root, &theme_dir));
    let mut files: StaticFiles = vec![(
        render::OutputFile { path: "style.css".into(), bytes: render::templates::DEFAULT_CSS.as_bytes().to_vec() },
        "the built-in theme's style.css".into(),
    )];
    files.extend(read(&theme_dir)?.into_iter().map(|f| {
        let name = theme_name(&f.path);
        (f, name)
    }));
    let theme_names: std::collections::HashMap<String, String> = files.iter().map(|(f, name)| (f.path.clone(), name.clone())).collect();
    let site_files = read(&site_dir)?;
    let mut warnings = Vec::new();
    for f in &site_files {
        if let Some(theme_file) = theme_names.get(&f.path) {
            warnings.push(
                Diagnostic::warning(format!("static/{}", f.path), diagnostic::Pos::FILE, format!("this file replaces {theme_file}"))
                    .help("keep it if the replacement is meant; otherwise rename it"),
            );
        }
    }
    files.extend(site_files.into_iter().map(|f| {
        let name = format!("static/{}", f.path);
        (f, name)
    }));
    Ok((files, warnings))
}

/// A static file may not take a generated file's place (an error: it would vanish or replace a
/// page without a word).
fn static_files_taking_place(files: &StaticFiles, generated: impl Fn(&str) -> bool) -> Vec<Diagnostic> {
    files
        .iter()
        .filter(|(f, _)| generated(&f.path))
        .map(|(f, from)| {
            Diagnostic::error(from.clone(), diagnostic::Pos::FILE, format!("this file would take the place of {}, which the site generates", f.path))
                .help("rename or move the file: that address belongs to a generated page or download")
        })
        .collect()
}

/// Adds the theme's static files and the site's own `static/` (over the theme's) to the
/// generated files; see [`read_static_files`] and [`static_files_taking_place`].
fn with_static_files(root: &Path, theme: &str, generated: Vec<render::OutputFile>) -> Result<(Vec<render::OutputFile>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (statics, warnings) = read_static_files(root, theme)?;
    let generated_paths: std::collections::HashSet<&str> = generated.iter().map(|f| f.path.as_str()).collect();
    let errors = static_files_taking_place(&statics, |p| generated_paths.contains(p));
    if !errors.is_empty() {
        return Err(errors);
    }
    // Theme static files first, then the site's own static/ over them.
    let mut by_path: std::collections::BTreeMap<String, render::OutputFile> = Default::default();
    for f in statics.into_iter().map(|(f, _)| f).chain(generated) {
        by_path.insert(f.path.clone(), f);
    }
    Ok((by_path.into_values().collect(), warnings))
}

/// Builds the website: compile, render with the theme, and write the output (see `write`:
/// a failed build leaves the previous output as it was). Each file is written as soon as it
/// is rendered, so the site is never held in memory whole.
pub fn build(options: &BuildOptions) -> Result<BuildReport, Vec<Diagnostic>> {
    let root = &options.root;
    let (site, mut warnings) = compile_cached(root, options.drafts, options.base_url.as_deref(), None)?;
    let timer = Timer::start();
    let output = options.output.clone().unwrap_or_else(|| root.join(&site.settings.output));
    let env = render::templates::environment(root, &site.settings.theme)?;
    // Static files are read (and refused, if linked outside the site) before anything is written.
    let (statics, shadowed) = read_static_files(root, &site.settings.theme)?;
    warnings.extend(shadowed);
    let static_paths: std::collections::HashSet<&str> = statics.iter().map(|(f, _)| f.path.as_str()).collect();
    let taken = std::sync::Mutex::new(std::collections::HashSet::<String>::new());
    let identity = options.records.as_ref().and_then(|_| program_identity());
    let records = options.records.as_deref().filter(|_| identity.is_some());
    timer.lap("templates and static files");
    let writer = write::Writer::begin(root, &output, records).map_err(|d| vec![d])?;
    timer.lap("output opened");
    let pages = std::sync::atomic::AtomicUsize::new(0);
    let templates = render::templates::fingerprint(root, &site.settings.theme);
    let key = match identity {
        Some(identity) => blake3::hash(&[templates.as_bytes().as_slice(), identity.as_bytes().as_slice()].concat()),
        None => templates,
    };
    let cache = render::RenderCache::keeping(writer.intact());
    timer.lap("previous output checked");
    let note = |path: &str| {
        if path.ends_with(".html") {
            pages.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        if static_paths.contains(path) {
            taken.lock().expect("taken lock").insert(path.to_string());
        }
    };
    let rendered = render::render_site_each(&site, &env, &cache, key, &|handed| match handed {
        render::Handed::Kept(key) => {
            writer.keep(&key).iter().for_each(|p| note(p));
            Ok(())
        }
        render::Handed::Quarter(key, files) => {
            files.iter().for_each(|f| note(&f.path));
            writer.put_quarter(&key, &files)
        }
        render::Handed::Files(files) => files.iter().try_for_each(|f| {
            note(&f.path);
            writer.put(f)
        }),
    });
    // Then the static files: the site's own over the theme's (the first file put at a path stays).
    let statics = rendered.and_then(|()| {
        let taken = taken.into_inner().expect("taken lock");
        let errors = static_files_taking_place(&statics, |p| taken.contains(p));
        if !errors.is_empty() {
            return Err(errors);
        }
        statics.iter().rev().try_for_each(|(f, _)| writer.put(f)).map_err(|d| vec![d])
    });
    if let Err(d) = statics {
        writer.abort();
        return Err(d);
    }
    timer.lap("render and write");
    let written = writer.finish().map_err(|d| vec![d])?;
    timer.lap("move into place");
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
