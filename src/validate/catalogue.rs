//! `data/metrics.yaml` and `data/glossary.yaml`.

use super::fields::{entries, id, list, one_of, text, whole, Fields, Report};
use crate::catalogue::{Aggregate, Catalogue, Frequency, Metric, MetricId, Polarity, Priority, Section, Unit};
use crate::index::{MetricIdx, SectionIdx};
use crate::load::{Node, Value};
use serde::Serialize;
use std::collections::HashMap;

const METRIC_KEYS: &[&str] = &[
    "id",
    "title",
    "short",
    "section",
    "unit",
    "per",
    "polarity",
    "frequency",
    "aggregate",
    "decimals",
    "target",
    "ascof",
    "source",
    "good",
    "threshold",
    "breakdown",
];

/// Reads and checks the catalogue; the positions of metric ids are returned for later warnings.
pub fn read_metrics(r: &mut Report, node: &Node) -> (Catalogue, HashMap<String, crate::diagnostic::Pos>) {
    let mut cat = Catalogue::default();
    let mut positions = HashMap::new();
    let Some(f) = Fields::read(r, node, "metrics.yaml", &["sections", "metrics", "priorities"]) else { return (cat, positions) };
    let mut section_pos = HashMap::new();
    if let Some(items) = f.required(r, "sections", "metrics.yaml", "[{ id: contacts, title: Contacts }]").and_then(|n| list(r, n, "sections", "- id: contacts"))
    {
        for item in items {
            let Some(sf) = Fields::read(r, item, "a section", &["id", "title"]) else { continue };
            let sid = sf.required(r, "id", "a section", "contacts").and_then(|n| id(r, n, "section id"));
            let title = sf.required(r, "title", "a section", "Contacts").and_then(|n| text(r, n, "title"));
            if let (Some(sid), Some(title)) = (sid, title) {
                let pos = sf.get("id").unwrap().pos;
                if RESERVED_SECTION_IDS.contains(&sid.as_str()) {
                    r.error(
                        pos,
                        format!("the section id \"{sid}\" is taken: each quarter's {sid} page is at {sid}/"),
                        format!("choose another id, for example \"{sid}-section\""),
                    );
                }
                if let Some(first) = section_pos.insert(sid.clone(), pos) {
                    r.error(pos, format!("section id \"{sid}\" is used twice (first at line {})", first.line), "give each section its own id");
                    continue;
                }
                cat.sections.push(Section { id: sid, title });
            }
        }
    }
    let section_ids: Vec<String> = cat.sections.iter().map(|s| s.id.clone()).collect();
    let section_index: HashMap<String, SectionIdx> = cat.sections.iter_enumerated().map(|(i, s)| (s.id.clone(), i)).collect();
    if let Some(items) = f.required(r, "metrics", "metrics.yaml", "[...]").and_then(|n| list(r, n, "metrics", "- id: contacts-received")) {
        for item in items {
            if let Some(m) = read_metric(r, item, (&section_ids, &section_index), &mut positions) {
                cat.metrics.push(m);
            }
        }
    }
    if let Some(items) = f.get("priorities").and_then(|n| list(r, n, "priorities", "- { id: wait-less, title: People wait less, metrics: [waiting-list] }")) {
        read_priorities(r, items, &mut cat, &positions);
    }
    (cat, positions)
}

/// Section ids that would take the place of a quarter's generated pages (`YYYY-YY/qN/print/`).
const RESERVED_SECTION_IDS: [&str; 2] = ["print", "appendix"];

/// A metric id shaped like a quarter (`2024-25-q4`) would take the place of that quarter's
/// download, `data/2024-25-q4.csv`.
fn shaped_like_a_quarter(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && &b[7..9] == b"-q"
        && b[9].is_ascii_digit()
}

/// `priorities:`: ids unique, metrics known, no metric in two priorities.
fn read_priorities(r: &mut Report, items: &[Node], cat: &mut Catalogue, declared: &HashMap<String, crate::diagnostic::Pos>) {
    let mut owner: HashMap<MetricIdx, String> = HashMap::new();
    // Looked up by id once per mention, not by a scan of every metric.
    let index: HashMap<String, MetricIdx> = cat.metrics.iter_enumerated().map(|(i, m)| (m.id.to_string(), i)).collect();
    for item in items {
        let Some(pf) = Fields::read(r, item, "a priority", &["id", "title", "metrics"]) else { continue };
        let pid = pf.required(r, "id", "a priority", "wait-less").and_then(|n| id(r, n, "priority id"));
        let title = pf.required(r, "title", "a priority", "People wait less for an assessment").and_then(|n| text(r, n, "title"));
        let mut metrics = Vec::new();
        if let Some(ms) = pf.required(r, "metrics", "a priority", "[waiting-list]").and_then(|n| list(r, n, "metrics", "[waiting-list, reviews-overdue]")) {
            for m in ms {
                let Some(mid) = text(r, m, "metric") else { continue };
                match index.get(&mid).copied() {
                    Some(mi) => {
                        if let Some(first) = owner.get(&mi) {
                            r.error(
                                m.pos,
                                format!("the metric \"{mid}\" is already in the priority \"{first}\""),
                                "a metric belongs to at most one priority: remove it from one of them",
                            );
                        } else {
                            owner.insert(mi, pid.clone().unwrap_or_default());
                            metrics.push(mi);
                        }
                    }
                    // A metric that is declared but broken has its own error already.
                    None if declared.contains_key(&mid) => {}
                    None => r.error(
                        m.pos,
                        format!("unknown metric \"{mid}\" in a priority{}", crate::diagnostic::suggestion(&mid, cat.metrics.iter().map(|x| x.id.as_str()))),
                        "use an id defined under metrics: in this file",
                    ),
                }
            }
        }
        let (Some(pid), Some(title)) = (pid, title) else { continue };
        if cat.priority(&pid).is_some() {
            r.error(pf.get("id").map(|n| n.pos).unwrap_or(item.pos), format!("priority id \"{pid}\" is used twice"), "give each priority its own id");
            continue;
        }
        cat.priorities.push(Priority { id: pid, title, metrics });
    }
}

// Over 80 lines: a metric's keys checked one after another in the file's order, sharing its id and unit.
fn read_metric(
    r: &mut Report,
    node: &Node,
    (sections, section_index): (&[String], &HashMap<String, SectionIdx>),
    positions: &mut HashMap<String, crate::diagnostic::Pos>,
) -> Option<Metric> {
    let f = Fields::read(r, node, "a metric", METRIC_KEYS)?;
    let mid = f.required(r, "id", "a metric", "contacts-received").and_then(|n| id(r, n, "metric id"));
    let what = match &mid {
        Some(m) => format!("metric \"{m}\""),
        None => "a metric".to_string(),
    };
    if let Some(m) = &mid {
        let pos = f.get("id").unwrap().pos;
        if let Some(first) = positions.get(m) {
            r.error(
                pos,
                format!("metric id \"{m}\" is defined twice (first at line {})", first.line),
                "give each metric its own id, or delete the repeated one",
            );
            return None;
        }
        positions.insert(m.clone(), pos);
        if shaped_like_a_quarter(m) {
            r.error(
                pos,
                format!("the metric id \"{m}\" is shaped like a quarter, so its download would replace that quarter's, data/{m}.csv"),
                "choose an id that names what is measured, for example \"waiting-list\"",
            );
            return None;
        }
    }
    let title = f.required(r, "title", &what, "Number of contacts received").and_then(|n| text(r, n, "title"));
    let short = f.get("short").and_then(|n| text(r, n, "short"));
    let section = f.required(r, "section", &what, sections.first().map(String::as_str).unwrap_or("contacts")).and_then(|n| {
        let s = text(r, n, "section")?;
        let found = section_index.get(&s).copied();
        if found.is_none() {
            r.error(
                n.pos,
                format!("unknown section \"{s}\"{}", crate::diagnostic::suggestion(&s, sections.iter().map(String::as_str))),
                format!("use one of the section ids listed under sections: {}", sections.join(", ")),
            );
        }
        found
    });
    let unit_word = f.required(r, "unit", &what, "count").and_then(|n| one_of(r, n, "unit", &["count", "percent", "days", "rate", "score", "currency"]));
    let per = f.get("per");
    let unit = match unit_word {
        Some("rate") => match per {
            None => {
                r.error(
                    f.node.pos,
                    format!("{what} has unit: rate but no \"per\""),
                    "add  per: 1000, per: 10000 or per: 100000  (the population base of the rate)",
                );
                None
            }
            Some(p) => match whole(r, p, "per", 1, 1_000_000) {
                Some(v @ (1000 | 10_000 | 100_000)) => Some(Unit::Rate { per: v as u32 }),
                Some(v) => {
                    r.error(p.pos, format!("per should be 1000, 10000 or 100000, not {v}"), "write per: 1000, per: 10000 or per: 100000");
                    None
                }
                None => None,
            },
        },
        Some(other) => {
            if let Some(p) = per {
                r.error(
                    f.key("per").unwrap_or(p).pos,
                    format!("\"per\" is only for unit: rate, but {what} is a {other}"),
                    "remove the per line, or change the unit to rate",
                );
            }
            Some(match other {
                "count" => Unit::Count,
                "percent" => Unit::Percent,
                "days" => Unit::Days,
                "score" => Unit::Score,
                _ => Unit::Currency,
            })
        }
        None => None,
    };
    let polarity = f.required(r, "polarity", &what, "higher").and_then(|n| one_of(r, n, "polarity", &["higher", "lower", "neutral"])).map(|p| match p {
        "higher" => Polarity::Higher,
        "lower" => Polarity::Lower,
        _ => Polarity::Neutral,
    });
    let freq_word = f.required(r, "frequency", &what, "quarterly").and_then(|n| one_of(r, n, "frequency", &["monthly", "quarterly", "annual"]));
    let aggregate = f.get("aggregate").and_then(|n| one_of(r, n, "aggregate", &["sum", "last", "mean"])).map(|a| match a {
        "sum" => Aggregate::Sum,
        "mean" => Aggregate::Mean,
        _ => Aggregate::Last,
    });
    let frequency = match freq_word {
        Some("monthly") => Some(Frequency::Monthly(aggregate.unwrap_or(Aggregate::Last))),
        Some(w) => {
            if let Some(k) = f.key("aggregate") {
                r.error(
                    k.pos,
                    format!("\"aggregate\" is only for monthly metrics, but {what} is {w}"),
                    "remove the aggregate line, or make the metric monthly",
                );
            }
            Some(if w == "quarterly" { Frequency::Quarterly } else { Frequency::Annual })
        }
        None => None,
    };
    let decimals = f.get("decimals").and_then(|n| whole(r, n, "decimals", 0, 6)).map(|d| d as u8);
    let target = f.get("target").and_then(|n| super::fields::number(r, n, "target"));
    let ascof = f.get("ascof").and_then(|n| text(r, n, "ascof"));
    let source = f.get("source").and_then(|n| text(r, n, "source"));
    let good = f.get("good").and_then(|n| text(r, n, "good"));
    let threshold = f.get("threshold").and_then(|n| super::fields::number(r, n, "threshold"));
    if let (Some(t), Some(n)) = (threshold, f.get("threshold")) {
        if t < 0.0 {
            r.error(n.pos, format!("the threshold {t} is negative"), "write the smallest change that is real, as a number of 0 or more in the metric's unit");
        }
    }
    let mut breakdown: Vec<(String, String)> = Vec::new();
    if let Some(b) = f.get("breakdown") {
        if unit_word.is_some_and(|u| u != "count") {
            r.error(
                f.key("breakdown").unwrap_or(b).pos,
                format!("only counts can be broken down, but {what} is a {}", unit_word.unwrap_or_default()),
                "remove the breakdown, or give the categories' counts as a count metric of their own",
            );
        } else if freq_word == Some("monthly") {
            r.error(
                f.key("breakdown").unwrap_or(b).pos,
                format!("{what} is monthly, but only quarterly and annual counts can be broken down"),
                "make a quarterly metric for the breakdown, or remove it",
            );
        } else {
            for (ck, cv) in entries(r, b, "breakdown", "{ upheld: Upheld, not-upheld: Not upheld }").unwrap_or(&[]) {
                let Some(cid) = id(r, ck, "category id") else { continue };
                let Some(label) = text(r, cv, "category label") else { continue };
                breakdown.push((cid, label));
            }
            if breakdown.len() == 1 {
                r.error(b.pos, format!("the breakdown of {what} has one category"), "give two or more categories, or remove the breakdown");
            }
        }
    }
    let unit = unit?;
    if let (Some(t), Unit::Percent) = (target, unit) {
        if !(0.0..=100.0).contains(&t) {
            r.error(
                f.get("target").unwrap().pos,
                format!("the target {t} is not a percentage from 0 to 100"),
                "write percentages as numbers from 0 to 100, e.g. 85 for 85%",
            );
        }
    }
    Some(Metric {
        id: MetricId::parse(&mid?).ok()?,
        title: title?,
        short,
        section: section?,
        unit,
        polarity: polarity?,
        frequency: frequency?,
        decimals: decimals.unwrap_or(unit.default_decimals()),
        target,
        ascof,
        source,
        good,
        threshold,
        breakdown,
    })
}

/// A glossary term.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    /// As written, e.g. `S.42`.
    pub name: String,
    /// Its meaning.
    pub meaning: String,
    /// Other spellings that mean the same.
    pub aliases: Vec<String>,
    /// Fragment id on the glossary page.
    pub anchor: String,
}

/// Reads and checks the glossary.
pub fn read_glossary(r: &mut Report, node: &Node) -> Vec<Term> {
    let mut terms: Vec<Term> = Vec::new();
    let mut seen: HashMap<String, (String, u32)> = HashMap::new();
    for (k, v) in entries(r, node, "the glossary", "CQC: Care Quality Commission").unwrap_or(&[]) {
        let Some(name) = text(r, k, "term") else { continue };
        let (meaning, aliases) = match &v.value {
            Value::Map(_) => {
                let Some(f) = Fields::read(r, v, &format!("term \"{name}\""), &["meaning", "aliases"]) else { continue };
                let meaning = f.required(r, "meaning", &format!("term \"{name}\""), "Care Quality Commission").and_then(|n| text(r, n, "meaning"));
                let aliases: Vec<(String, crate::diagnostic::Pos)> = f
                    .get("aliases")
                    .and_then(|n| list(r, n, "aliases", "[S42, Section 42]"))
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|a| text(r, a, "alias").map(|t| (t, a.pos)))
                    .collect();
                (meaning, aliases)
            }
            _ => (text(r, v, &format!("meaning of \"{name}\"")), Vec::new()),
        };
        let Some(meaning) = meaning else { continue };
        let mut ok = true;
        for (word, pos) in std::iter::once((name.clone(), k.pos)).chain(aliases.iter().cloned()) {
            if let Some((owner, line)) = seen.get(&word) {
                let msg = if *owner == name {
                    format!("\"{word}\" is listed twice for the term \"{name}\"")
                } else {
                    format!("\"{word}\" already names the term \"{owner}\" (line {line})")
                };
                r.error(pos, msg, "each term and alias may mean one thing: remove or rename one of them");
                ok = false;
            } else {
                seen.insert(word, (name.clone(), pos.line));
            }
        }
        if ok {
            let anchor = format!("term-{}", slug(&name));
            terms.push(Term { name, meaning, aliases: aliases.into_iter().map(|a| a.0).collect(), anchor });
        }
    }
    // Two terms whose names slug alike would share an anchor: keep anchors unique.
    let mut used = std::collections::HashSet::new();
    for t in &mut terms {
        let mut a = t.anchor.clone();
        let mut n = 2;
        while !used.insert(a.clone()) {
            a = format!("{}-{n}", t.anchor);
            n += 1;
        }
        t.anchor = a;
    }
    terms.sort_by_key(|t| t.name.to_lowercase());
    terms
}

/// A lower-case, hyphenated form for ids and anchors.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let t = out.trim_end_matches('-').to_string();
    if t.is_empty() {
        "x".into()
    } else {
        t
    }
}
