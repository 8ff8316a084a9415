//! The committee document: each quarter as an accessible A4 PDF (`/YYYY-YY/qN/report.pdf`).
//!
//! Owns: the PDF and its cache. Called by `render`'s quarter pages; must not import `pages`,
//! `opendata` or `feeds`.
//!
//! The model becomes data (`doc`: blocks and runs of plain strings, commentary through
//! `markdown`), which a fixed typst template (`report.typ`) prints; `world` is the only place
//! typst is used. Officers' text is never pasted into markup, so `#set page(...)` in a title
//! prints as written. The output is tagged PDF/UA-1, deterministic (no clock; the document id
//! is a hash of everything it is made from) and rendered once per distinct input: [`Cache`].

mod blocks;
mod doc;
mod markdown;
mod world;

use crate::diagnostic::{Diagnostic, Pos};
use crate::model::Site;
use crate::render::chart::ChartData;
use crate::validate::{ChartSpec, RefField};
use std::collections::HashMap;
use std::sync::Mutex;

/// The report details for the cover (SPEC "Report details"); each is shown when given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoverDetails {
    /// The meeting the report goes to.
    pub report_to: Option<String>,
    /// The meeting's date, as shown ("12 February 2025").
    pub meeting: Option<String>,
    /// Who wrote it.
    pub author: Option<String>,
    /// How to reach them.
    pub contact: Option<String>,
    /// When the next report is due, as shown.
    pub next_update: Option<String>,
}

/// What the document is made from, beyond the model: the same wording and charts as the website.
pub struct Inputs<'a> {
    /// The model.
    pub site: &'a Site,
    /// Index of the quarter.
    pub quarter: usize,
    /// The cover's report details.
    pub details: CoverDetails,
    /// A `{{ reference }}` as the website's HTML for it.
    pub reference: &'a dyn Fn(crate::index::MetricIdx, RefField) -> String,
    /// A chart block's data and its standalone SVG, as drawn for the website (None: nothing to draw).
    pub chart: &'a dyn Fn(&ChartSpec) -> Option<(ChartData, String)>,
}

/// PDFs already made, by their inputs' hash, so `serve` and rebuilds do not make one twice.
#[derive(Debug, Default)]
pub struct Cache {
    made: Mutex<HashMap<String, (blake3::Hash, Vec<u8>)>>,
}

impl Cache {
    /// Forgets PDFs of quarters no longer built.
    pub fn retain(&self, keep: impl Fn(&str) -> bool) {
        self.made.lock().expect("pdf cache lock").retain(|k, _| keep(k));
    }
}

/// The file name of a quarter's document, beside its overview page.
pub const FILE_NAME: &str = "report.pdf";

/// Makes one quarter's document: its path in the output and its bytes, or a located diagnostic.
/// `keep` stores it in `cache` for later builds.
pub fn quarter_pdf(inputs: &Inputs, cache: &Cache, keep: bool) -> Result<(String, Vec<u8>), Diagnostic> {
    let q = &inputs.site.quarters[inputs.quarter];
    let path = format!("{}/{FILE_NAME}", q.quarter.path());
    let (doc, files) = doc::build(inputs);
    let data = serde_json::to_vec(&doc).map_err(|e| failed(inputs, &e.to_string()))?;
    let mut h = blake3::Hasher::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(world::TEMPLATE.as_bytes());
    h.update(&data);
    for (p, svg) in &files {
        h.update(p.as_bytes());
        h.update(svg.as_bytes());
    }
    let key = h.finalize();
    if let Some((k, bytes)) = cache.made.lock().expect("pdf cache lock").get(&path) {
        if *k == key {
            return Ok((path, bytes.clone()));
        }
    }
    // typst is not ours: should it panic on some input, that is this quarter's error, not a crash.
    let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| world::compile(data, &files, &key.to_hex())))
        .unwrap_or_else(|_| Err("the PDF engine stopped unexpectedly".into()))
        .map_err(|e| failed(inputs, &e))?;
    if keep {
        cache.made.lock().expect("pdf cache lock").insert(path.clone(), (key, made.clone()));
    }
    Ok((path, made))
}

fn failed(inputs: &Inputs, why: &str) -> Diagnostic {
    let q = &inputs.site.quarters[inputs.quarter];
    Diagnostic::error(q.overview.file.clone(), Pos::FILE, format!("could not make the PDF of {}: {why}", q.quarter.long())).help(
        "this is a fault in scrutiny, not in your files: please report it; meanwhile set enabled = false under [pdf] in site.toml to publish without PDFs",
    )
}
