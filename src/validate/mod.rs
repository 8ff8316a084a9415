//! Validate: turn raw documents into checked definitions, reporting every problem at once.
//!
//! Owns: the entry `validate` and the definitions it returns. Reads `load`'s raw documents and
//! the shared `dialect`; must not import model, render, write or serve (they come after it).
//! One reader per kind of file (site.toml, metrics, glossary, benchmarks, quarters, pages);
//! [`validate`] runs them in the order their names resolve and hands on [`Validated`]
//! definitions only when the sink holds no error.

mod catalogue;
pub mod commentary;
mod definitions;
pub mod fields;
pub mod figures;
pub mod names;
mod quarters;
pub mod settings;

pub use catalogue::{slug, Term};
pub use commentary::{Block, ChartKind, ChartSpec, Commentary, KpiSelection, RefField, ReportDetails};
pub use definitions::{Benchmark, Definitions, QuarterDef, Rejected, Validated};
pub use figures::{Entry, GroupFigure, GroupRank, QuarterFile, Reading, Revision, Status};
pub use settings::{Comparator, Settings};

use crate::catalogue::Catalogue;
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::index::{BenchmarkIdx, IndexVec, MetricIdx};
use crate::load::{RawCommentary, RawFile, RawSite};
use fields::Report;
use names::Names;
use std::collections::{HashMap, HashSet};

fn with_report<T>(file: &str, diags: &mut Diagnostics, f: impl FnOnce(&mut Report) -> T) -> T {
    let mut r = Report { file, diags };
    f(&mut r)
}

/// Checks everything, reporting into `diags`. The definitions come back [`Validated`] only
/// when `diags` (the load's problems included) holds no error; otherwise what could be read.
pub fn validate(raw: &RawSite, diags: &mut Diagnostics) -> Result<Validated, Rejected> {
    let (settings, declared_groups) = read_settings(raw, diags);
    let metrics = read_catalogue(raw, diags);
    let (glossary, glossary_read) = read_glossary(raw, diags);
    let mut names = Names {
        catalogue: &metrics.catalogue,
        declared_metrics: (metrics.read && !metrics.positions.is_empty()).then(|| metrics.positions.keys().cloned().collect()),
        settings: settings.as_ref(),
        declared_groups,
        benchmarks: Default::default(),
        declared_benchmarks: raw.benchmarks.iter().map(|(n, _)| n.clone()).collect(),
        metric_index: metrics.catalogue.metrics.iter_enumerated().map(|(i, m)| (m.id.to_string(), i)).collect(),
        section_index: metrics.catalogue.sections.iter_enumerated().map(|(i, s)| (s.id.clone(), i)).collect(),
    };
    let benchmarks = read_benchmarks(raw, &names, diags);
    names.benchmarks = &benchmarks;
    let commentary = CommentaryCheck::new(&names, &glossary, glossary_read);
    let quarters = quarters::read(raw, &commentary, diags);
    let home = raw.home.as_ref().map(|h| commentary.check(h, diags));
    let pages = read_pages(raw, &commentary, diags);
    unreported_metrics(raw, &metrics, &quarters, diags);

    let MetricsFile { catalogue, .. } = metrics;
    let defs = settings.map(|settings| Definitions { settings, catalogue, glossary, quarters, benchmarks, home, pages });
    match defs {
        Some(defs) if !diags.has_errors() => Ok(Validated::new(defs)),
        readable => Err(Rejected { readable: readable.map(Box::new) }),
    }
}

/// site.toml: the settings when they validated, and every comparator id declared.
fn read_settings(raw: &RawSite, diags: &mut Diagnostics) -> (Option<crate::validate::Settings>, Option<HashSet<String>>) {
    match raw.settings.as_ref().and_then(|f| file_node(f, diags)) {
        Some((file, n)) => {
            let (s, groups) = with_report(file, diags, |r| settings::read(r, n));
            (s, Some(groups))
        }
        None => (None, None),
    }
}

/// data/metrics.yaml as read: the metrics that validated, where each declared id is written,
/// and whether the file could be read at all.
#[derive(Default)]
struct MetricsFile {
    catalogue: Catalogue,
    positions: HashMap<String, Pos>,
    read: bool,
}

fn read_catalogue(raw: &RawSite, diags: &mut Diagnostics) -> MetricsFile {
    match raw.metrics.as_ref().and_then(|f| file_node(f, diags)) {
        Some((file, n)) => {
            let (catalogue, positions) = with_report(file, diags, |r| catalogue::read_metrics(r, n));
            MetricsFile { catalogue, positions, read: true }
        }
        None => MetricsFile::default(),
    }
}

/// data/glossary.yaml: the terms, and whether the file was read without an error (when it was
/// not, every acronym would look unknown: they are checked once it is mended).
fn read_glossary(raw: &RawSite, diags: &mut Diagnostics) -> (Vec<Term>, bool) {
    let errors_before = diags.error_count();
    let glossary = raw
        .glossary
        .as_ref()
        .and_then(|f| file_node(f, diags))
        .map(|(file, n)| with_report(file, diags, |r| catalogue::read_glossary(r, n)))
        .unwrap_or_default();
    let read = raw.glossary.as_ref().is_none_or(|f| f.node.is_some()) && diags.error_count() == errors_before;
    (glossary, read)
}

/// data/benchmarks/*.yaml, the ones that validated.
fn read_benchmarks(raw: &RawSite, names: &Names, diags: &mut Diagnostics) -> IndexVec<BenchmarkIdx, Benchmark> {
    raw.benchmarks
        .iter()
        .filter_map(|(name, f)| file_node(f, diags).and_then(|(file, n)| with_report(file, diags, |r| figures::read_benchmark(r, name, n, names))))
        .collect()
}

/// Checks commentary files (quarters', the home page's, standalone pages') against the names
/// and the glossary.
struct CommentaryCheck<'a> {
    names: &'a Names<'a>,
    /// Glossary terms and aliases; `None` when the glossary could not be read.
    known: Option<HashSet<&'a str>>,
}

impl<'a> CommentaryCheck<'a> {
    fn new(names: &'a Names<'a>, glossary: &'a [Term], glossary_read: bool) -> Self {
        let known = glossary_read.then(|| {
            let mut known: HashSet<&str> = glossary.iter().map(|t| t.name.as_str()).collect();
            known.extend(glossary.iter().flat_map(|t| t.aliases.iter().map(String::as_str)));
            known
        });
        CommentaryCheck { names, known }
    }

    /// One commentary file, its problems reported into `diags`.
    fn check(&self, raw: &RawCommentary, diags: &mut Diagnostics) -> Commentary {
        let c = with_report(&raw.file, diags, |r| commentary::read(r, raw, self.names));
        for (pos, word) in self.known.as_ref().map(|known| commentary::unknown_acronyms(raw, known)).unwrap_or_default() {
            diags.push(
                Diagnostic::warning(&raw.file, pos, format!("\"{word}\" looks like an acronym but is not in the glossary"))
                    .help(format!("add it to data/glossary.yaml, e.g.  {word}: what it stands for")),
            );
        }
        c
    }
}

/// content/NAME.md: standalone pages, under names no generated page uses.
fn read_pages(raw: &RawSite, commentary: &CommentaryCheck, diags: &mut Diagnostics) -> Vec<(String, Commentary)> {
    let mut pages = Vec::new();
    let reserved = ["latest", "metrics", "glossary", "data", "charts", "print", "appendix", "404", "feed", "sitemap"];
    for (name, p) in &raw.pages {
        let c = commentary.check(p, diags);
        if !crate::catalogue::is_id(name) || reserved.contains(&name.as_str()) || crate::period::FinancialYear::parse(name).is_ok() {
            diags.push(
                Diagnostic::error(&p.file, Pos::new(1, 1), format!("the page name \"{name}\" cannot be used for a standalone page"))
                    .help(format!("rename the file using lower-case letters, digits and hyphens, and not one of {}", reserved.join(", "))),
            );
            continue;
        }
        pages.push((name.clone(), c));
    }
    pages
}

/// Warns of metrics no quarter gives a figure for.
fn unreported_metrics(raw: &RawSite, metrics: &MetricsFile, quarters: &[QuarterDef], diags: &mut Diagnostics) {
    let Some(f) = &raw.metrics else { return };
    let reported: HashSet<MetricIdx> = quarters.iter().flat_map(|q| q.data.entries.iter().map(|e| e.metric)).collect();
    for (mi, m) in metrics.catalogue.metrics.iter_enumerated() {
        if !reported.contains(&mi) {
            let pos = metrics.positions.get(m.id.as_str()).copied().unwrap_or(Pos::new(1, 1));
            diags.push(
                Diagnostic::warning(&f.file, pos, format!("no quarter gives a figure for the metric \"{}\"", m.id))
                    .help("add its figures to a quarter's data file, or remove it from the catalogue"),
            );
        }
    }
}

/// A file's parsed content; an empty file is reported here, once, in plain words.
fn file_node<'f>(f: &'f RawFile, diags: &mut Diagnostics) -> Option<(&'f str, &'f crate::load::Node)> {
    let n = f.node.as_ref()?;
    if n.value == crate::load::Value::Null {
        diags.push(Diagnostic::error(&f.file, Pos::new(1, 1), "the file is empty").help("fill it in, or delete it if it is not needed"));
        return None;
    }
    Some((f.file.as_str(), n))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "title = \"T\"\norganisation = \"Org\"\nbase_url = \"https://x.example/\"\n";
    const METRICS: &str = "sections:\n  - id: contacts\n    title: Contacts\nmetrics:\n  - id: waiting\n    title: People waiting\n    section: contacts\n    unit: count\n    polarity: lower\n    frequency: quarterly\n";

    fn check(figures: &str) -> (Result<Validated, Rejected>, Diagnostics) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in [("site.toml", SITE), ("data/metrics.yaml", METRICS), ("content/2024-25/q1/_index.md", "x"), ("data/2024-25/q1.yaml", figures)] {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let mut diags = Diagnostics::default();
        let raw = crate::load::load(dir.path(), &mut diags);
        (validate(&raw, &mut diags), diags)
    }

    #[test]
    fn only_a_site_without_errors_is_validated_and_warnings_do_not_stop_it() {
        let (validated, diags) = check("status: final\npublished: 2024-08-01\nvalues:\n  waiting: 90\n");
        // The section has figures but no commentary: a warning.
        assert_eq!((diags.error_count(), diags.len()), (0, 1), "{diags:#?}");
        assert_eq!(validated.expect("validated").quarters.len(), 1);

        let (rejected, diags) = check("status: final\npublished: 2024-08-01\nvalues:\n  waitng: 90\n");
        assert_eq!(diags.error_count(), 1, "{diags:#?}");
        // What could be read is still there for a tool that needs only part of the site.
        let readable = rejected.expect_err("an error rejects the site").readable.expect("site.toml was read");
        assert_eq!((readable.catalogue.metrics.len(), readable.quarters.len()), (1, 1));
    }
}
