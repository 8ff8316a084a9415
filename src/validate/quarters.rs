//! A quarter's files together: `data/YYYY-YY/qN.yaml`, `content/YYYY-YY/qN/_index.md` and its
//! section commentary, and what only the set of them can tell (a published quarter with the
//! scaffold's words, a section with figures but no commentary).

use super::commentary::{self, Commentary};
use super::figures::{self, Entry, QuarterFile};
use super::{file_node, with_report, CommentaryCheck, QuarterDef};
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::dialect::PLACEHOLDER;
use crate::index::{IndexVec, SectionIdx};
use crate::load::{Node, RawCommentary, RawQuarter, RawSite, Value};
use crate::period::Quarter;
use rayon::prelude::*;
use std::collections::HashSet;

/// Every quarter, in order; those without both a report and figures are left out (and said so).
pub(super) fn read(raw: &RawSite, commentary: &CommentaryCheck, diags: &mut Diagnostics) -> Vec<QuarterDef> {
    // Quarters are independent of each other: checked in parallel, each into its own sink.
    let results: Vec<(Option<QuarterDef>, Diagnostics)> = raw
        .quarters
        .par_iter()
        .map(|rq| {
            let mut d = Diagnostics::default();
            (quarter(rq, commentary, &mut d), d)
        })
        .collect();
    let mut quarters = Vec::new();
    for (q, d) in results {
        diags.extend(d);
        quarters.extend(q);
    }
    quarters
}

/// One quarter's files, checked together.
fn quarter(rq: &RawQuarter, commentary: &CommentaryCheck, d: &mut Diagnostics) -> Option<QuarterDef> {
    let q = rq.quarter;
    let data = figures_file(rq, commentary, d);
    let Some(overview_raw) = &rq.overview else {
        if let Some(f) = &rq.data {
            d.push(
                Diagnostic::warning(&f.file, Pos::new(1, 1), format!("figures for {} but no report, so the quarter is not published", q.long()))
                    .help(format!("create content/{}/_index.md with its executive summary", q.path())),
            );
        }
        return None;
    };
    let names = commentary.names;
    let overview = commentary.check(overview_raw, d);
    d.extend(commentary::future_benchmarks(&overview, q, names));
    let sections = sections(rq, commentary, d);
    if !overview.draft {
        published_quarter(rq, overview_raw, data.as_ref(), d);
    }
    if let Some(data) = &data {
        sections_without_commentary(q, data, &sections, commentary, d);
    }
    data.map(|data| QuarterDef { quarter: q, data, draft: overview.draft, overview, sections })
}

/// The quarter's figures file; a report without one is an error.
fn figures_file(rq: &RawQuarter, commentary: &CommentaryCheck, d: &mut Diagnostics) -> Option<QuarterFile> {
    let q = rq.quarter;
    match &rq.data {
        Some(f) => file_node(f, d).and_then(|(file, n)| with_report(file, d, |r| figures::read_quarter(r, n, q, commentary.names))),
        None => {
            if rq.overview.is_some() {
                d.push(
                    Diagnostic::error(format!("content/{}/_index.md", q.path()), Pos::new(1, 1), format!("{} has a report but no figures", q.long()))
                        .help(format!("create data/{}.yaml with the quarter's status and values", q.path())),
                );
            }
            None
        }
    }
}

/// Section commentary, each file named after a section of the catalogue, in report order.
fn sections(rq: &RawQuarter, commentary: &CommentaryCheck, d: &mut Diagnostics) -> Vec<(SectionIdx, Commentary)> {
    let (q, names) = (rq.quarter, commentary.names);
    let catalogue = names.catalogue;
    let mut sections = Vec::new();
    for (stem, rc) in &rq.sections {
        let c = commentary.check(rc, d);
        d.extend(commentary::future_benchmarks(&c, q, names));
        match names.section_index.get(stem.as_str()).copied() {
            Some(si) => sections.push((si, c)),
            None if !catalogue.sections.is_empty() => {
                let section_ids: Vec<&str> = catalogue.sections.iter().map(|s| s.id.as_str()).collect();
                d.push(
                    Diagnostic::error(
                        &rc.file,
                        Pos::new(1, 1),
                        format!("\"{stem}\" is not a report section{}", crate::diagnostic::suggestion(stem, section_ids.iter().copied())),
                    )
                    .help(format!("name the file after a section id of data/metrics.yaml: {}", section_ids.join(", "))),
                );
            }
            None => {}
        }
    }
    sections.sort_by_key(|(si, _)| *si);
    sections
}

/// A published quarter must not go out with the scaffold's words or with no figures at all.
fn published_quarter(rq: &RawQuarter, overview: &RawCommentary, data: Option<&QuarterFile>, d: &mut Diagnostics) {
    let q = rq.quarter;
    let placeholders = std::iter::once(overview)
        .chain(rq.sections.iter().map(|(_, c)| c))
        .filter(|c| c.body.contains(PLACEHOLDER) || c.front.as_ref().is_some_and(|f| holds_text(f, PLACEHOLDER)));
    for c in placeholders {
        d.push(
            Diagnostic::error(&c.file, Pos::new(1, 1), format!("{} is not a draft but still has the words \"{PLACEHOLDER}\" that new-quarter wrote", q.long()))
                .help("replace them with the commentary, or put draft: true back in the quarter's _index.md"),
        );
    }
    let Some(data) = data else { return };
    // Only figures written as null count: an entry rejected for another mistake says nothing.
    let blank = data.entries.iter().all(|e| match (&e.reading, e.months.is_empty()) {
        (Some(rd), _) => rd.value.is_none(),
        (None, false) => e.months.iter().all(|(_, rd)| rd.value.is_none()),
        (None, true) => false,
    });
    if !data.entries.is_empty() && blank {
        d.push(
            Diagnostic::error(&data.file, Pos::new(1, 1), format!("every figure of {} is blank (null), but the quarter is not a draft", q.long()))
                .help("fill in the figures, or put draft: true back in the quarter's _index.md"),
        );
    }
}

/// Whether any text of a front matter, key or value however deeply nested, holds `words`.
fn holds_text(node: &Node, words: &str) -> bool {
    match &node.value {
        Value::Str(s) => s.contains(words),
        Value::Seq(items) => items.iter().any(|n| holds_text(n, words)),
        Value::Map(entries) => entries.iter().any(|(k, v)| holds_text(k, words) || holds_text(v, words)),
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) => false,
    }
}

/// Warns of each section with figures this quarter but no commentary, at its first figure.
fn sections_without_commentary(q: Quarter, data: &QuarterFile, sections: &[(SectionIdx, Commentary)], commentary: &CommentaryCheck, d: &mut Diagnostics) {
    let catalogue = commentary.names.catalogue;
    // The first entry of each section, and which sections have commentary: one pass each.
    let mut first_entry: IndexVec<SectionIdx, Option<&Entry>> = catalogue.sections.iter().map(|_| None).collect();
    for e in &data.entries {
        first_entry[catalogue.metrics[e.metric].section].get_or_insert(e);
    }
    let with_commentary: HashSet<SectionIdx> = sections.iter().map(|(x, _)| *x).collect();
    for (si, s) in catalogue.sections.iter_enumerated() {
        if let (Some(e), false) = (first_entry[si], with_commentary.contains(&si)) {
            d.push(
                Diagnostic::warning(&data.file, e.pos, format!("{} has figures for \"{}\" but no commentary for that section", q.long(), s.title))
                    .help(format!("add content/{}/{}.md", q.path(), s.id)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Node {
        crate::load::yaml::parse(text).expect("parses")
    }

    #[test]
    fn placeholder_words_are_found_in_any_text_of_a_front_matter() {
        assert!(holds_text(&yaml("title: Q1 overview\nsummary: (to be written) One sentence.\n"), PLACEHOLDER));
        assert!(holds_text(&yaml("tags:\n  - a\n  - { note: \"x (to be written)\" }\n"), PLACEHOLDER));
        assert!(!holds_text(&yaml("title: Q1 overview\ndraft: true\nsummary: (to be completed)\n"), PLACEHOLDER));
        assert!(!holds_text(&yaml("title: written\n"), PLACEHOLDER));
    }
}
