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

/// Builds the site (to come).
pub fn build(_options: &BuildOptions) -> Result<BuildReport, Vec<Diagnostic>> {
    Err(Vec::new())
}

/// Scaffolds a quarter (to come).
pub fn new_quarter(_root: &Path, _quarter: &str) -> Result<Vec<String>, String> {
    Err("not yet".into())
}
