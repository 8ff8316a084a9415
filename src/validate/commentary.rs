//! Commentary: front matter, report blocks and inline references.

use super::fields::{boolean, list, one_of, text, whole, Fields, Report};
use super::names::Names;
use crate::diagnostic::{suggestion, Pos};
use crate::dialect::BlockKind;
use crate::index::{BenchmarkIdx, GroupIdx, MetricIdx};
use crate::load::{RawBlock, RawCommentary, RawRef, Value};
use serde::Serialize;

/// A chart's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ChartKind {
    /// A series over time.
    Line,
    /// Vertical bars over time.
    Bar,
    /// A metric against its comparators, horizontally.
    HBar,
    /// A benchmark's members ordered best first.
    Ranking,
    /// A breakdown's categories stacked, over time.
    Stacked,
}

/// What a ```` ```chart ```` block asks for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartSpec {
    /// Metrics drawn.
    pub metrics: Vec<MetricIdx>,
    /// Shape, if given (otherwise from the metric's frequency).
    pub kind: Option<ChartKind>,
    /// Window in months ending with the quarter's last month, if given.
    pub months: Option<u32>,
    /// Comparator groups drawn as further series.
    pub compare: Vec<GroupIdx>,
    /// Whether to draw the target.
    pub target: bool,
    /// Title, if given.
    pub title: Option<String>,
}

/// A report block, checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Block {
    /// A chart.
    Chart(ChartSpec),
    /// The highlight table.
    Kpis(KpiSelection),
    /// One headline figure.
    Figure(MetricIdx),
    /// A benchmark ranking.
    Benchmark(BenchmarkIdx),
    /// Our figures beside comparator groups'.
    Compare {
        /// Metrics, as listed.
        metrics: Vec<MetricIdx>,
        /// Groups, as listed.
        groups: Vec<GroupIdx>,
    },
    /// A breakdown's categories with their shares.
    Breakdown {
        /// The metric broken down.
        metric: MetricIdx,
        /// Also show the previous period.
        previous: bool,
    },
}

/// Which rows a highlight table shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum KpiSelection {
    /// Every metric reported, grouped by priority.
    All,
    /// These metrics, as listed.
    Metrics(Vec<MetricIdx>),
    /// Every priority's metrics.
    Priorities,
    /// One priority's metrics (index into catalogue.priorities).
    Priority(usize),
}

/// Who a quarter's report is for and from (its overview's front matter).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReportDetails {
    /// The meeting the report goes to.
    pub report_to: Option<String>,
    /// The meeting's date.
    pub meeting: Option<crate::period::Date>,
    /// Who wrote it.
    pub author: Option<String>,
    /// Where to ask about it.
    pub contact: Option<String>,
}

impl ReportDetails {
    /// Whether any detail is given.
    pub fn is_empty(&self) -> bool {
        *self == ReportDetails::default()
    }
}

/// What an inline reference shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RefField {
    /// `{{ ID }}`
    Value,
    /// `{{ ID.previous }}`
    Previous,
    /// `{{ ID.change }}`
    Change,
    /// `{{ ID.direction }}`
    Direction,
    /// `{{ ID.rank.GROUP }}`
    Rank(GroupIdx),
    /// `{{ ID.target }}`
    Target,
    /// `{{ ID.plan }}`
    Plan,
    /// `{{ ID.against_plan }}`
    AgainstPlan,
    /// `{{ ID.compare.GROUP }}`
    Compare(GroupIdx),
    /// `{{ ID.quartile.GROUP }}`
    Quartile(GroupIdx),
    /// `{{ ID.year_ago }}`
    YearAgo,
    /// `{{ ID.change_year }}`
    ChangeYear,
    /// `{{ ID.change_percent }}`
    ChangePercent,
    /// `{{ ID.ytd }}`
    Ytd,
}

/// An inline reference, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ref {
    /// The metric.
    pub metric: MetricIdx,
    /// Which field.
    pub field: RefField,
}

/// A commentary file, checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Commentary {
    /// Site-relative path.
    pub file: String,
    /// Front matter title.
    pub title: Option<String>,
    /// Front matter summary.
    pub summary: Option<String>,
    /// Left out unless drafts are asked for.
    pub draft: bool,
    /// Markdown.
    pub body: String,
    /// Report blocks in document order.
    pub blocks: Vec<Block>,
    /// Where each block is written, for warnings about it.
    pub block_pos: Vec<Pos>,
    /// Inline references in document order.
    pub refs: Vec<Ref>,
    /// Report details (a quarter's overview only).
    pub details: ReportDetails,
}

/// Checks a commentary file against the catalogue, comparators and benchmarks.
pub fn read(r: &mut Report, raw: &RawCommentary, names: &Names) -> Commentary {
    let mut c = Commentary {
        file: raw.file.clone(),
        title: None,
        summary: None,
        draft: false,
        body: raw.body.clone(),
        blocks: Vec::new(),
        block_pos: Vec::new(),
        refs: Vec::new(),
        details: ReportDetails::default(),
    };
    if let Some(front) = &raw.front {
        if front.value != Value::Null {
            if let Some(f) = Fields::read(r, front, "the front matter", &["title", "summary", "draft", "report_to", "meeting", "author", "contact"]) {
                c.title = f.get("title").and_then(|n| plain_text(r, n, "title"));
                c.summary = f.get("summary").and_then(|n| plain_text(r, n, "summary"));
                c.draft = f.get("draft").and_then(|n| boolean(r, n, "draft")).unwrap_or(false);
                let overview = is_quarter_overview(&raw.file);
                for key in ["report_to", "meeting", "author", "contact"] {
                    let (Some(k), false) = (f.key(key), overview) else { continue };
                    r.error(
                        k.pos,
                        format!("\"{key}\" is a report detail, which belongs in a quarter's overview"),
                        "move it to the front matter of content/YYYY-YY/qN/_index.md",
                    );
                }
                if overview {
                    c.details.report_to = f.get("report_to").and_then(|n| plain_text(r, n, "report_to"));
                    c.details.author = f.get("author").and_then(|n| plain_text(r, n, "author"));
                    c.details.contact = f.get("contact").and_then(|n| plain_text(r, n, "contact"));
                    c.details.meeting = f.get("meeting").and_then(|n| {
                        let t = text(r, n, "meeting")?;
                        crate::period::Date::parse(&t).map_err(|e| r.error(n.pos, e, "write the meeting's date as YYYY-MM-DD")).ok()
                    });
                }
            }
        }
    }
    for b in &raw.blocks {
        if let Some(block) = read_block(r, b, names) {
            c.blocks.push(block);
            c.block_pos.push(b.body.pos);
        }
    }
    for rf in &raw.refs {
        if let Some(x) = read_ref(r, rf, names) {
            c.refs.push(x);
        }
    }
    parts_to_complete(r, raw);
    c
}

/// `content/YYYY-YY/qN/_index.md`.
fn is_quarter_overview(file: &str) -> bool {
    let parts: Vec<&str> = file.split('/').collect();
    matches!(parts.as_slice(), [.., "content", y, q, "_index.md"] if crate::period::FinancialYear::parse(y).is_ok() && q.starts_with('q'))
}

/// Warns at each part `scrutiny init` left for the council to write (`[to complete: ...]`).
fn parts_to_complete(r: &mut Report, raw: &RawCommentary) {
    for (i, line) in raw.body.lines().enumerate() {
        for (at, _) in line.match_indices(crate::dialect::TO_COMPLETE) {
            let what = line[at..].split_once(']').map_or(&line[at..], |(part, _)| part);
            let what = what[crate::dialect::TO_COMPLETE.len()..].trim();
            r.warning(
                Pos::new(raw.body_line + i as u32 + 1, line[..at].chars().count() as u32 + 1),
                format!("a part still to complete: {what}"),
                "write it in your own words, replacing the brackets and \"to complete:\"",
            );
        }
    }
}

/// Front matter text, where figure references would be published as typed.
fn plain_text(r: &mut Report, n: &crate::load::Node, what: &str) -> Option<String> {
    let t = text(r, n, what)?;
    if t.contains("{{") {
        r.error(
            n.pos,
            format!("the {what} contains a figure reference, which works only in the text below the front matter"),
            format!("write the {what} in words, and give the figure in the commentary instead"),
        );
        return None;
    }
    Some(t)
}

// Over 80 lines: one short arm per kind of block, read best as one match.
fn read_block(r: &mut Report, b: &RawBlock, names: &Names) -> Option<Block> {
    let metric = |r: &mut Report, node: &crate::load::Node| -> Option<MetricIdx> {
        let s = text(r, node, "metric")?;
        names.metric(r, node.pos, &s, "")
    };
    let what = format!("the {} block", b.kind.name());
    match b.kind {
        BlockKind::Chart => {
            let f = Fields::read(r, &b.body, &what, &["metric", "metrics", "kind", "months", "compare", "target", "title"])?;
            let mut metrics = Vec::new();
            match (f.get("metric"), f.get("metrics")) {
                (Some(n), None) => metrics.extend(metric(r, n)),
                (None, Some(n)) => {
                    for item in list(r, n, "metrics", "[contacts-received, contacts-resolved]").unwrap_or(&[]) {
                        metrics.extend(metric(r, item));
                    }
                }
                (Some(_), Some(_)) => {
                    r.error(b.body.pos, "a chart has both metric and metrics", "keep one: metric: ID for one metric, metrics: [A, B] for several");
                    return None;
                }
                (None, None) => {
                    r.error(b.body.pos, "a chart needs a metric", "add  metric: ID  (or metrics: [A, B])");
                    return None;
                }
            }
            let kind = f.get("kind").and_then(|n| one_of(r, n, "kind", &["line", "bar", "hbar", "ranking", "stacked"])).map(|k| match k {
                "line" => ChartKind::Line,
                "bar" => ChartKind::Bar,
                "hbar" => ChartKind::HBar,
                "stacked" => ChartKind::Stacked,
                _ => ChartKind::Ranking,
            });
            let months = f.get("months").and_then(|n| whole(r, n, "months", 1, 240)).map(|m| m as u32);
            let mut compare = Vec::new();
            for item in f.get("compare").and_then(|n| list(r, n, "compare", "[nw, england]")).unwrap_or(&[]) {
                let g = item.as_key().unwrap_or_default();
                compare.extend(names.group(r, item.pos, &g, ""));
            }
            let target = f.get("target").and_then(|n| boolean(r, n, "target")).unwrap_or(false);
            let title = f.get("title").and_then(|n| text(r, n, "title"));
            if metrics.is_empty() {
                return None;
            }
            let cat = names.catalogue;
            let first = &cat.metrics[metrics[0]];
            if let Some(other) = metrics.iter().map(|m| &cat.metrics[*m]).find(|m| m.unit != first.unit) {
                r.error(
                    b.body.pos,
                    format!(
                        "a chart cannot share one axis between \"{}\" ({}) and \"{}\" ({})",
                        first.id,
                        first.unit.axis_label(),
                        other.id,
                        other.unit.axis_label()
                    ),
                    "draw metrics with different units in separate chart blocks",
                );
                return None;
            }
            if kind == Some(ChartKind::Stacked) && first.breakdown.is_empty() {
                r.error(
                    f.get("kind").map(|n| n.pos).unwrap_or(b.body.pos),
                    format!("a stacked chart shows a breakdown's categories, but \"{}\" has no breakdown", first.id),
                    format!("add  breakdown:  to \"{}\" in data/metrics.yaml, or choose another kind of chart", first.id),
                );
                return None;
            }
            if metrics.len() > 1 && (kind == Some(ChartKind::Stacked) || (kind == Some(ChartKind::HBar) && !first.breakdown.is_empty())) {
                r.error(b.body.pos, "a breakdown chart shows one metric", "give one metric: metric: ID");
                return None;
            }
            if kind == Some(ChartKind::Ranking) {
                if metrics.len() > 1 {
                    r.error(b.body.pos, "a ranking chart shows one metric", "give one metric: metric: ID");
                    return None;
                }
                let covered = names.benchmarks.iter().any(|bm| bm.metric == metrics[0]);
                if !covered && names.declared_benchmarks.len() == names.benchmarks.len() {
                    r.error(
                        b.body.pos,
                        format!("no benchmark file gives figures for \"{}\", so there is nothing to rank", first.id),
                        format!("add data/benchmarks/NAME.yaml with  metric: {}  and every member's value, or choose another kind of chart", first.id),
                    );
                    return None;
                }
            }
            Some(Block::Chart(ChartSpec { metrics, kind, months, compare, target, title }))
        }
        BlockKind::Kpis => {
            let f = Fields::read(r, &b.body, &what, &["metrics", "all", "priority", "priorities"])?;
            let given: Vec<&str> = ["metrics", "all", "priority", "priorities"].into_iter().filter(|k| f.get(k).is_some()).collect();
            if given.len() != 1 {
                r.error(
                    b.body.pos,
                    "a kpis block needs one of metrics: [...], all: true, priorities: true or priority: ID",
                    "write  all: true,  priorities: true,  priority: ID  or  metrics: [A, B]",
                );
                return None;
            }
            let n = f.get(given[0])?;
            let yes = |r: &mut Report, key: &str| -> Option<()> {
                if boolean(r, n, key)? {
                    Some(())
                } else {
                    r.error(n.pos, format!("{key}: false shows no metrics"), format!("write {key}: true, or list them with metrics: [A, B]"));
                    None
                }
            };
            match given[0] {
                "metrics" => Some(Block::Kpis(KpiSelection::Metrics(
                    list(r, n, "metrics", "[waiting-list, reviews-overdue]")?.iter().filter_map(|i| metric(r, i)).collect(),
                ))),
                "all" => yes(r, "all").map(|_| Block::Kpis(KpiSelection::All)),
                "priorities" => yes(r, "priorities").map(|_| Block::Kpis(KpiSelection::Priorities)),
                _ => {
                    let p = text(r, n, "priority")?;
                    let cat = names.catalogue;
                    match cat.priority(&p) {
                        Some(pi) => Some(Block::Kpis(KpiSelection::Priority(pi))),
                        None => {
                            let ids: Vec<&str> = cat.priorities.iter().map(|x| x.id.as_str()).collect();
                            r.error(
                                n.pos,
                                format!("unknown priority \"{p}\"{}", suggestion(&p, ids.iter().copied())),
                                if ids.is_empty() {
                                    "define priorities: in data/metrics.yaml first".to_string()
                                } else {
                                    format!("use a priority of data/metrics.yaml: {}", ids.join(", "))
                                },
                            );
                            None
                        }
                    }
                }
            }
        }
        BlockKind::Compare => {
            let f = Fields::read(r, &b.body, &what, &["metrics", "groups"])?;
            let ms: Vec<MetricIdx> = f
                .required(r, "metrics", &what, "[satisfaction]")
                .and_then(|n| list(r, n, "metrics", "[satisfaction, msp-asked]"))
                .unwrap_or(&[])
                .iter()
                .filter_map(|i| metric(r, i))
                .collect();
            let mut groups = Vec::new();
            for item in f.required(r, "groups", &what, "[nw, england]").and_then(|n| list(r, n, "groups", "[cipfa, nw, england]")).unwrap_or(&[]) {
                let g = item.as_key().unwrap_or_default();
                groups.extend(names.group(r, item.pos, &g, ""));
            }
            (!ms.is_empty() && !groups.is_empty()).then_some(Block::Compare { metrics: ms, groups })
        }
        BlockKind::Breakdown => {
            let f = Fields::read(r, &b.body, &what, &["metric", "previous"])?;
            let mi = f.required(r, "metric", &what, "complaints-outcome").and_then(|n| metric(r, n))?;
            let previous = f.get("previous").and_then(|n| boolean(r, n, "previous")).unwrap_or(false);
            let m = &names.catalogue.metrics[mi];
            if m.breakdown.is_empty() {
                r.error(
                    f.get("metric").map(|n| n.pos).unwrap_or(b.body.pos),
                    format!("\"{}\" has no breakdown categories", m.id),
                    format!("add  breakdown:  to \"{}\" in data/metrics.yaml, or show it with a figure or chart block", m.id),
                );
                return None;
            }
            Some(Block::Breakdown { metric: mi, previous })
        }
        BlockKind::Figure => {
            let f = Fields::read(r, &b.body, &what, &["metric"])?;
            f.required(r, "metric", &what, "waiting-list").and_then(|n| metric(r, n)).map(Block::Figure)
        }
        BlockKind::Benchmark => {
            let f = Fields::read(r, &b.body, &what, &["name"])?;
            let n = f.required(r, "name", &what, "reviews-completed-nw")?;
            let name = text(r, n, "name")?;
            names.benchmark(r, n.pos, &name).map(Block::Benchmark)
        }
    }
}

// Over 80 lines: one short arm per reference field, read best as one match.
fn read_ref(r: &mut Report, rf: &RawRef, names: &Names) -> Option<Ref> {
    let id = rf.path[0].as_str();
    if id.is_empty() {
        r.error(rf.pos, "an empty figure reference {{ }}", "write a metric id between the braces, e.g. {{ contacts-received }}");
        return None;
    }
    let metric = names.metric(r, rf.pos, id, " in a figure reference")?;
    let fields = [
        "previous",
        "change",
        "direction",
        "rank",
        "target",
        "plan",
        "against_plan",
        "compare",
        "quartile",
        "year_ago",
        "change_year",
        "change_percent",
        "ytd",
    ];
    let m = &names.catalogue.metrics[metric];
    let group_of = |r: &mut Report, word: &str| -> Option<GroupIdx> {
        let Some(g) = rf.path.get(2) else {
            r.error(
                rf.pos,
                format!("{{{{ {id}.{word} }}}} needs a comparator group"),
                format!("write {{{{ {id}.{word}.GROUP }}}} with a group of site.toml: {}", names.group_list()),
            );
            return None;
        };
        names.group(r, rf.pos, g, " in a figure reference")
    };
    let field = match rf.path.get(1).map(String::as_str) {
        None => RefField::Value,
        Some("previous") => RefField::Previous,
        Some("change") => RefField::Change,
        Some("direction") => RefField::Direction,
        Some("rank") => RefField::Rank(group_of(r, "rank")?),
        Some("compare") => RefField::Compare(group_of(r, "compare")?),
        Some("quartile") => RefField::Quartile(group_of(r, "quartile")?),
        Some("target") => RefField::Target,
        Some("plan") => RefField::Plan,
        Some("against_plan") => RefField::AgainstPlan,
        Some("year_ago") => RefField::YearAgo,
        Some("change_year") => RefField::ChangeYear,
        Some("change_percent") => {
            if m.unit == crate::catalogue::Unit::Percent {
                r.error(
                    rf.pos,
                    format!("\"{id}\" is a percentage, so its change is in percentage points, not a percentage"),
                    format!("write {{{{ {id}.change }}}} for the change in percentage points"),
                );
                return None;
            }
            RefField::ChangePercent
        }
        Some("ytd") => {
            if m.frequency != crate::catalogue::Frequency::Monthly(crate::catalogue::Aggregate::Sum) {
                r.error(
                    rf.pos,
                    format!("\"{id}\" is not a monthly metric that adds up (aggregate: sum), so it has no year to date"),
                    format!("use {{{{ {id}.ytd }}}} only for monthly metrics with aggregate: sum; {{{{ {id} }}}} gives this quarter's figure"),
                );
                return None;
            }
            RefField::Ytd
        }
        Some(other) => {
            r.error(
                rf.pos,
                format!("unknown field \"{other}\" in a figure reference{}", suggestion(other, fields)),
                format!("a reference is {{{{ {id} }}}} or {{{{ {id}.FIELD }}}} with FIELD one of {}", fields.join(", ")),
            );
            return None;
        }
    };
    let allowed = if matches!(field, RefField::Rank(_) | RefField::Compare(_) | RefField::Quartile(_)) { 3 } else { 2 };
    if rf.path.len() > allowed || rf.path.iter().any(String::is_empty) {
        r.error(
            rf.pos,
            format!("the figure reference {{{{ {} }}}} has too many parts", rf.path.join(".")),
            format!("write {{{{ {id} }}}}, or add one of .previous, .change, .direction, .rank.GROUP"),
        );
        return None;
    }
    Some(Ref { metric, field })
}

/// Acronyms (two or more capitals) in prose that the glossary does not know, with positions.
pub fn unknown_acronyms(raw: &RawCommentary, known: &std::collections::HashSet<&str>) -> Vec<(Pos, String)> {
    let body = raw.body.as_str();
    let index = crate::dialect::LineIndex::new(body);
    let mut found = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (base, text) in crate::dialect::prose_texts(body) {
        for (off, word) in acronyms(&text) {
            if known.contains(word) || !seen.insert(word.to_string()) {
                continue;
            }
            let mut p = index.pos(body, (base + off).min(body.len()));
            p.line += raw.body_line;
            found.push((p, word.to_string()));
        }
    }
    found
}

/// Words of two or more capital letters (digits allowed after the first two).
pub fn acronyms(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let boundary = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'{' || bytes[i - 1] == b'-');
        if boundary && bytes[i].is_ascii_uppercase() {
            let mut j = i;
            while j < bytes.len() && (bytes[j].is_ascii_uppercase() || bytes[j].is_ascii_digit()) {
                j += 1;
            }
            let word = &text[i..j];
            let caps = word.bytes().take_while(u8::is_ascii_uppercase).count();
            let ends = j == bytes.len() || !bytes[j].is_ascii_alphanumeric();
            // "ASCs" and "ASC's" are plurals of an acronym.
            let plural = j < bytes.len() && bytes[j] == b's' && (j + 1 == bytes.len() || !bytes[j + 1].is_ascii_alphanumeric());
            if caps >= 2 && (ends || plural) {
                out.push((i, word));
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// Warnings for blocks of a quarter's commentary that would show a benchmark for a period
/// ending after the quarter: the report leaves them out (an archived report shows only what
/// was known by its quarter's end), and the officer should know why.
pub fn future_benchmarks(c: &Commentary, quarter: crate::period::Quarter, names: &Names) -> Vec<crate::diagnostic::Diagnostic> {
    let end = quarter.last_month();
    let mut out = Vec::new();
    for (block, pos) in c.blocks.iter().zip(&c.block_pos) {
        match block {
            Block::Benchmark(bi) => {
                let b = &names.benchmarks[*bi];
                if b.period.last_month() > end {
                    out.push(
                        crate::diagnostic::Diagnostic::warning(
                            &c.file,
                            *pos,
                            format!("the benchmark \"{}\" is for {}, which ends after {}, so this report does not show it", b.name, b.period.long(), quarter.long()),
                        )
                        .help("a report shows only what was known by the end of its quarter: name a benchmark for an earlier period, or check the period in its file"),
                    );
                }
            }
            Block::Chart(spec) if spec.kind == Some(ChartKind::Ranking) => {
                let metric = spec.metrics[0];
                let known = names.benchmarks.iter().any(|b| b.metric == metric && b.period.last_month() <= end);
                if let Some(later) = names.benchmarks.iter().find(|b| b.metric == metric && b.period.last_month() > end).filter(|_| !known) {
                    out.push(
                        crate::diagnostic::Diagnostic::warning(
                            &c.file,
                            *pos,
                            format!("the only benchmarks to rank are for periods ending after {} (such as \"{}\", for {}), so this report shows no ranking", quarter.long(), later.name, later.period.long()),
                        )
                        .help("a report shows only what was known by the end of its quarter: add a benchmark for an earlier period, or check the period in its file"),
                    );
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_acronyms() {
        let words: Vec<&str> = acronyms("The CQC and ASCOF 2A, S.42, Q2, DoLS and ICBs.").into_iter().map(|x| x.1).collect();
        assert_eq!(words, ["CQC", "ASCOF", "ICB"]);
    }
}
