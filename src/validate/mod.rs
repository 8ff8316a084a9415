//! Validate: turn raw documents into checked definitions, reporting every problem at once.
//!
//! Owns: the entry `validate` and the definitions it returns. Reads `load`'s raw documents and
//! the shared `dialect`; must not import model, render, write or serve (they come after it).

mod catalogue;
pub mod commentary;
pub mod fields;
pub mod figures;
pub mod names;
pub mod settings;

pub use catalogue::{slug, Term};
pub use commentary::{Block, ChartKind, ChartSpec, Commentary, KpiSelection, RefField, ReportDetails};
pub use figures::{Benchmark, Entry, GroupFigure, GroupRank, QuarterFile, Reading, Revision, Status};
pub use settings::{Comparator, Settings};

use crate::catalogue::Catalogue;
use crate::diagnostic::{self, Diagnostic, Pos};
use crate::load::{RawCommentary, RawFile, RawSite};
use crate::period::Quarter;
use fields::Report;
use names::Names;
use rayon::prelude::*;
use std::collections::HashSet;

/// A quarter's checked files.
#[derive(Debug, Clone)]
pub struct QuarterDef {
    /// Which quarter.
    pub quarter: Quarter,
    /// Its figures.
    pub data: QuarterFile,
    /// `draft: true` in its overview.
    pub draft: bool,
    /// The executive summary.
    pub overview: Commentary,
    /// Section commentary, by section index, in report order.
    pub sections: Vec<(usize, Commentary)>,
}

/// A whole site, checked.
#[derive(Debug, Clone)]
pub struct Definitions {
    /// site.toml.
    pub settings: Settings,
    /// Sections and metrics.
    pub catalogue: Catalogue,
    /// Glossary terms, sorted.
    pub glossary: Vec<Term>,
    /// Quarters in order, drafts included.
    pub quarters: Vec<QuarterDef>,
    /// Benchmark files, by name.
    pub benchmarks: Vec<Benchmark>,
    /// Home page introduction.
    pub home: Option<Commentary>,
    /// Standalone pages, by name.
    pub pages: Vec<(String, Commentary)>,
}

fn with_report<T>(file: &str, diags: &mut Vec<Diagnostic>, f: impl FnOnce(&mut Report) -> T) -> T {
    let mut r = Report { file, diags };
    f(&mut r)
}

/// Checks everything; returns definitions when the files could be understood at all.
/// Callers must still refuse to build when `diags` holds errors.
pub fn validate(raw: &RawSite, diags: &mut Vec<Diagnostic>) -> Option<Definitions> {
    let (settings, declared_groups) = match raw.settings.as_ref().and_then(|f| file_node(f, diags)) {
        Some((file, n)) => {
            let (s, groups) = with_report(file, diags, |r| settings::read(r, n));
            (s, Some(groups))
        }
        None => (None, None),
    };
    let (catalogue, metric_pos, metrics_read) = match raw.metrics.as_ref().and_then(|f| file_node(f, diags)) {
        Some((file, n)) => {
            let (c, p) = with_report(file, diags, |r| catalogue::read_metrics(r, n));
            (c, p, true)
        }
        None => Default::default(),
    };
    // When the glossary cannot be read, every acronym would look unknown: check them once it is mended.
    let errors_before = diags.iter().filter(|d| d.severity == diagnostic::Severity::Error).count();
    let glossary = raw
        .glossary
        .as_ref()
        .and_then(|f| file_node(f, diags))
        .map(|(file, n)| with_report(file, diags, |r| catalogue::read_glossary(r, n)))
        .unwrap_or_default();
    let glossary_read =
        raw.glossary.as_ref().is_none_or(|f| f.node.is_some()) && diags.iter().filter(|d| d.severity == diagnostic::Severity::Error).count() == errors_before;
    let mut names = Names {
        catalogue: &catalogue,
        declared_metrics: (metrics_read && !metric_pos.is_empty()).then(|| metric_pos.keys().cloned().collect()),
        settings: settings.as_ref(),
        declared_groups,
        benchmarks: &[],
        declared_benchmarks: raw.benchmarks.iter().map(|(n, _)| n.clone()).collect(),
        metric_index: catalogue.metrics.iter().enumerate().map(|(i, m)| (m.id.to_string(), i)).collect(),
    };
    let benchmarks: Vec<Benchmark> = raw
        .benchmarks
        .iter()
        .filter_map(|(name, f)| file_node(f, diags).and_then(|(file, n)| with_report(file, diags, |r| figures::read_benchmark(r, name, n, &names))))
        .collect();
    names.benchmarks = &benchmarks;
    let names = &names;

    let mut known: HashSet<&str> = glossary.iter().map(|t| t.name.as_str()).collect();
    known.extend(glossary.iter().flat_map(|t| t.aliases.iter().map(String::as_str)));

    let check_commentary = |raw: &RawCommentary| -> (Commentary, Vec<Diagnostic>) {
        let mut d = Vec::new();
        let c = with_report(&raw.file, &mut d, |r| commentary::read(r, raw, names));
        for (pos, word) in if glossary_read { commentary::unknown_acronyms(raw, &known) } else { Vec::new() } {
            d.push(
                Diagnostic::warning(&raw.file, pos, format!("\"{word}\" looks like an acronym but is not in the glossary"))
                    .help(format!("add it to data/glossary.yaml, e.g.  {word}: what it stands for")),
            );
        }
        (c, d)
    };

    let section_index: std::collections::HashMap<&str, usize> = catalogue.sections.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let quarter_results: Vec<(Option<QuarterDef>, Vec<Diagnostic>)> = raw
        .quarters
        .par_iter()
        .map(|rq| {
            let mut d = Vec::new();
            let q = rq.quarter;
            let data = match &rq.data {
                Some(f) => file_node(f, &mut d).and_then(|(file, n)| with_report(file, &mut d, |r| figures::read_quarter(r, n, q, names))),
                None => {
                    let file = format!("content/{}/_index.md", q.path());
                    if rq.overview.is_some() {
                        d.push(
                            Diagnostic::error(&file, Pos::new(1, 1), format!("{} has a report but no figures", q.long()))
                                .help(format!("create data/{}.yaml with the quarter's status and values", q.path())),
                        );
                    }
                    None
                }
            };
            let Some(overview_raw) = &rq.overview else {
                if let Some(f) = &rq.data {
                    d.push(
                        Diagnostic::warning(&f.file, Pos::new(1, 1), format!("figures for {} but no report, so the quarter is not published", q.long()))
                            .help(format!("create content/{}/_index.md with its executive summary", q.path())),
                    );
                }
                return (None, d);
            };
            let (overview, od) = check_commentary(overview_raw);
            d.extend(od);
            d.extend(commentary::future_benchmarks(&overview, q, names));
            let mut sections = Vec::new();
            let section_ids: Vec<&str> = catalogue.sections.iter().map(|s| s.id.as_str()).collect();
            for (stem, rc) in &rq.sections {
                let (c, cd) = check_commentary(rc);
                d.extend(cd);
                d.extend(commentary::future_benchmarks(&c, q, names));
                match section_index.get(stem.as_str()).copied() {
                    Some(si) => sections.push((si, c)),
                    None if !catalogue.sections.is_empty() => d.push(
                        Diagnostic::error(
                            &rc.file,
                            Pos::new(1, 1),
                            format!("\"{stem}\" is not a report section{}", crate::diagnostic::suggestion(stem, section_ids.iter().copied())),
                        )
                        .help(format!("name the file after a section id of data/metrics.yaml: {}", section_ids.join(", "))),
                    ),
                    None => {}
                }
            }
            sections.sort_by_key(|(si, _)| *si);
            // A published quarter must not go out with the scaffold's words or with no figures at all.
            if !overview.draft {
                let placeholders = std::iter::once(overview_raw).chain(rq.sections.iter().map(|(_, c)| c)).filter(|c| {
                    c.body.contains(crate::dialect::PLACEHOLDER) || c.front.as_ref().is_some_and(|f| format!("{f:?}").contains(crate::dialect::PLACEHOLDER))
                });
                for c in placeholders {
                    d.push(
                        Diagnostic::error(
                            &c.file,
                            Pos::new(1, 1),
                            format!("{} is not a draft but still has the words \"{}\" that new-quarter wrote", q.long(), crate::dialect::PLACEHOLDER),
                        )
                        .help("replace them with the commentary, or put draft: true back in the quarter's _index.md"),
                    );
                }
                if let Some(data) = &data {
                    // Only figures written as null count: an entry rejected for another mistake says nothing.
                    let blank = data.entries.iter().all(|e| match (&e.reading, e.months.is_empty()) {
                        (Some(rd), _) => rd.value.is_none(),
                        (None, false) => e.months.iter().all(|(_, rd)| rd.value.is_none()),
                        (None, true) => false,
                    });
                    if !data.entries.is_empty() && blank {
                        d.push(
                            Diagnostic::error(
                                &data.file,
                                Pos::new(1, 1),
                                format!("every figure of {} is blank (null), but the quarter is not a draft", q.long()),
                            )
                            .help("fill in the figures, or put draft: true back in the quarter's _index.md"),
                        );
                    }
                }
            }
            if let Some(data) = &data {
                // The first entry of each section, and which sections have commentary: one pass each.
                let mut first_entry: Vec<Option<&figures::Entry>> = vec![None; catalogue.sections.len()];
                for e in &data.entries {
                    first_entry[catalogue.metrics[e.metric].section].get_or_insert(e);
                }
                let with_commentary: HashSet<usize> = sections.iter().map(|(x, _)| *x).collect();
                for (si, s) in catalogue.sections.iter().enumerate() {
                    if let (Some(e), false) = (first_entry[si], with_commentary.contains(&si)) {
                        d.push(
                            Diagnostic::warning(&data.file, e.pos, format!("{} has figures for \"{}\" but no commentary for that section", q.long(), s.title))
                                .help(format!("add content/{}/{}.md", q.path(), s.id)),
                        );
                    }
                }
            }
            let def = data.map(|data| QuarterDef { quarter: q, data, draft: overview.draft, overview, sections });
            (def, d)
        })
        .collect();
    let mut quarters = Vec::new();
    for (q, d) in quarter_results {
        diags.extend(d);
        quarters.extend(q);
    }

    let home = raw.home.as_ref().map(|h| {
        let (c, d) = check_commentary(h);
        diags.extend(d);
        c
    });
    let mut pages = Vec::new();
    let reserved = ["latest", "metrics", "glossary", "data", "charts", "print", "appendix", "404", "feed", "sitemap"];
    for (name, p) in &raw.pages {
        let (c, d) = check_commentary(p);
        diags.extend(d);
        if !crate::catalogue::is_id(name) || reserved.contains(&name.as_str()) || crate::period::FinancialYear::parse(name).is_ok() {
            diags.push(
                Diagnostic::error(&p.file, Pos::new(1, 1), format!("the page name \"{name}\" cannot be used for a standalone page"))
                    .help(format!("rename the file using lower-case letters, digits and hyphens, and not one of {}", reserved.join(", "))),
            );
            continue;
        }
        pages.push((name.clone(), c));
    }

    // Metrics no quarter gives a figure for.
    if let Some(f) = &raw.metrics {
        let reported: HashSet<usize> = quarters.iter().flat_map(|q| q.data.entries.iter().map(|e| e.metric)).collect();
        for (mi, m) in catalogue.metrics.iter().enumerate() {
            if !reported.contains(&mi) {
                let pos = metric_pos.get(m.id.as_str()).copied().unwrap_or(Pos::new(1, 1));
                diags.push(
                    Diagnostic::warning(&f.file, pos, format!("no quarter gives a figure for the metric \"{}\"", m.id))
                        .help("add its figures to a quarter's data file, or remove it from the catalogue"),
                );
            }
        }
    }

    Some(Definitions { settings: settings?, catalogue, glossary, quarters, benchmarks, home, pages })
}

/// A file's parsed content; an empty file is reported here, once, in plain words.
fn file_node<'f>(f: &'f RawFile, diags: &mut Vec<Diagnostic>) -> Option<(&'f str, &'f crate::load::Node)> {
    let n = f.node.as_ref()?;
    if n.value == crate::load::Value::Null {
        diags.push(Diagnostic::error(&f.file, Pos::new(1, 1), "the file is empty").help("fill it in, or delete it if it is not needed"));
        return None;
    }
    Some((f.file.as_str(), n))
}
