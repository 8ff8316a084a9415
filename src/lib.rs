//! Scrutiny: quarterly performance reports as a static website.
//!
//! The pipeline, one module a stage: [`load`] (files to raw nodes with positions),
//! [`validate`] (every diagnostic at once, typed definitions out), [`model`] (quarters,
//! series, derived ranks and directions), [`render`] (Markdown, charts, templates) and
//! [`write`] (atomic swap of the output).

pub mod diagnostic;
pub mod load;
pub mod period;
pub mod catalogue;
pub mod figure;
pub mod validate;
pub mod model;
pub mod render;
pub mod serve;
pub mod write;

use diagnostic::Diagnostic;
use std::path::{Path, PathBuf};

/// Loads and validates a site: every problem, sorted.
pub fn check(root: &Path) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let raw = load::load(root, &mut diags);
    let defs = validate::validate(&raw, &mut diags);
    if let Some(defs) = &defs {
        render::check_theme(root, &defs.settings, &mut diags);
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
}

/// Loads, validates and models a site: the model and its warnings, or every problem.
pub fn compile(root: &Path, drafts: bool, base_url: Option<&str>) -> Result<(model::Site, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let raw = load::load(root, &mut diags);
    let defs = validate::validate(&raw, &mut diags);
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
            diags.push(Diagnostic::error("site.toml", diagnostic::Pos::FILE, format!("--base-url: {e}")).help("give the full address, e.g. https://www.example.gov.uk/asc-performance/"));
        }
    }
    if diags.iter().any(|d| d.severity == diagnostic::Severity::Error) {
        return Err(sorted(diags));
    }
    Ok((model::build(defs, drafts), sorted(diags)))
}

/// Builds the website: compile, render with the theme, and swap the output in.
pub fn build(options: &BuildOptions) -> Result<BuildReport, Vec<Diagnostic>> {
    let root = &options.root;
    let (site, warnings) = compile(root, options.drafts, options.base_url.as_deref())?;
    let env = render::templates::environment(root, &site.settings.theme)?;
    let rendered = render::pages::render_site(&site, &env)?;
    let output = options.output.clone().unwrap_or_else(|| root.join(&site.settings.output));
    let statics = [root.join("themes").join(&site.settings.theme).join("static"), root.join("static")];
    let mut files = rendered.files;
    if !render::templates::has_theme_folder(root, &site.settings.theme) {
        files.push(render::pages::OutputFile { path: "style.css".into(), bytes: render::templates::DEFAULT_CSS.as_bytes().to_vec() });
    }
    write::write_site(root, &output, &files, &statics).map_err(|d| vec![d])?;
    Ok(BuildReport { output, pages: rendered.pages, diagnostics: warnings })
}

/// Scaffolds a quarter (to come).
pub fn new_quarter(_root: &Path, _quarter: &str) -> Result<Vec<String>, String> {
    Err("not yet".into())
}
