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
    /// Set by `serve` after its first build: a changed quarter's PDF is made after the pages are
    /// shown ([`Cache::make_deferred`]), and until then the last one made for it stands in, so a
    /// save reaches the browser without waiting for the PDF.
    defer: std::sync::atomic::AtomicBool,
    deferred: Mutex<Vec<Deferred>>,
}

/// A PDF left to make: everything [`world::compile`] needs, and what its error would name.
#[derive(Debug)]
struct Deferred {
    path: String,
    key: blake3::Hash,
    data: Vec<u8>,
    files: Vec<(String, String)>,
    /// The quarter's overview file and long name, which an error names.
    file: String,
    quarter: String,
}

impl Cache {
    /// Forgets PDFs of quarters no longer built.
    pub fn retain(&self, keep: impl Fn(&str) -> bool) {
        self.made.lock().expect("pdf cache lock").retain(|k, _| keep(k));
    }

    /// From now on, leaves changed PDFs for [`Cache::make_deferred`] when an earlier one can stand in.
    pub fn defer(&self) {
        self.defer.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Makes the PDFs the last build left (in parallel), keeping them for later builds; their
    /// paths and bytes, or every error.
    pub fn make_deferred(&self) -> Result<Vec<(String, Vec<u8>)>, Vec<Diagnostic>> {
        use rayon::prelude::*;
        let jobs = std::mem::take(&mut *self.deferred.lock().expect("pdf cache lock"));
        type Made = Result<(String, blake3::Hash, Vec<u8>), Diagnostic>;
        let made: Vec<Made> = jobs
            .into_par_iter()
            .map(|job| {
                let Deferred { path, key, data, files, file, quarter } = job;
                compile_guarded(data, &files, &key).map(|bytes| (path, key, bytes)).map_err(|why| failed_at(file, &quarter, &why))
            })
            .collect();
        let mut errors = Vec::new();
        let mut files = Vec::new();
        let mut cache = self.made.lock().expect("pdf cache lock");
        for m in made {
            match m {
                Ok((path, key, bytes)) => {
                    cache.insert(path.clone(), (key, bytes.clone()));
                    files.push((path, bytes));
                }
                Err(d) => errors.push(d),
            }
        }
        if errors.is_empty() {
            Ok(files)
        } else {
            Err(errors)
        }
    }
}

/// The file name of a quarter's document, beside its overview page.
pub const FILE_NAME: &str = "report.pdf";

/// Makes one quarter's document: its path in the output, its bytes, and whether they are the
/// last ones made standing in for a PDF left to make later (see [`Cache::defer`]); or a located
/// diagnostic. `keep` stores it in `cache` for later builds.
pub fn quarter_pdf(inputs: &Inputs, cache: &Cache, keep: bool) -> Result<(String, Vec<u8>, bool), Diagnostic> {
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
            return Ok((path, bytes.clone(), false));
        }
        if cache.defer.load(std::sync::atomic::Ordering::Relaxed) {
            let q = &inputs.site.quarters[inputs.quarter];
            let (file, quarter) = (q.overview.file.clone(), q.quarter.long());
            cache.deferred.lock().expect("pdf cache lock").push(Deferred { path: path.clone(), key, data, files, file, quarter });
            return Ok((path, bytes.clone(), true));
        }
    }
    let made = compile_guarded(data, &files, &key).map_err(|e| failed(inputs, &e))?;
    if keep {
        cache.made.lock().expect("pdf cache lock").insert(path.clone(), (key, made.clone()));
    }
    Ok((path, made, false))
}

/// typst is not ours: should it panic on some input, that is this quarter's error, not a crash.
fn compile_guarded(data: Vec<u8>, files: &[(String, String)], key: &blake3::Hash) -> Result<Vec<u8>, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| world::compile(data, files, &key.to_hex())))
        .unwrap_or_else(|_| Err("the PDF engine stopped unexpectedly".into()))
}

fn failed(inputs: &Inputs, why: &str) -> Diagnostic {
    let q = &inputs.site.quarters[inputs.quarter];
    failed_at(q.overview.file.clone(), &q.quarter.long(), why)
}

fn failed_at(file: String, quarter: &str, why: &str) -> Diagnostic {
    Diagnostic::error(file, Pos::FILE, format!("could not make the PDF of {quarter}: {why}")).help(
        "this is a fault in scrutiny, not in your files: please report it; meanwhile set enabled = false under [pdf] in site.toml to publish without PDFs",
    )
}
