//! Commentary Markdown to the document's blocks and runs, over pulldown-cmark events.
//!
//! Every piece of text stays a string in the data the template reads, so nothing an officer
//! writes can be taken for typst markup.

use super::blocks::{Block, Inline};
use crate::dialect::{self, with_reference_placeholders, BlockKind, REFERENCE_CLOSE as CLOSE, REFERENCE_OPEN as OPEN};
use crate::render::markdown::{spelled_out_before, GlossaryIndex};
use crate::validate::Term;
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use std::collections::HashSet;

/// What a commentary's placeholders stand for.
pub(super) struct Parts<'a> {
    /// Each `{{ reference }}` as runs, in document order.
    pub refs: &'a [Vec<Inline>],
    /// Each report block, in document order.
    pub blocks: &'a [Vec<Block>],
    /// site.toml `raw_html = "allow"`: tags are dropped and their text kept (a PDF cannot show HTML).
    pub allow_raw_html: bool,
    /// The level a commentary's `#` heading takes (2 below a section's title).
    pub top_level: u8,
}

/// The glossary, and the terms the document has already explained: as on the website's print
/// page, a term's first use in the commentary is followed by its meaning, once per document.
pub(super) struct Terms<'a> {
    pub glossary: &'a [Term],
    pub index: &'a GlossaryIndex,
    pub seen: HashSet<usize>,
}

enum Frame {
    Blocks(Vec<Block>),
    Para { runs: Vec<Inline>, implicit: bool },
    Heading(Vec<Inline>),
    Quote(Vec<Block>),
    List { ordered: bool, start: u64, items: Vec<Vec<Block>> },
    Item(Vec<Block>),
    Note(String, Vec<Block>),
    Table { align: Vec<&'static str>, header: Vec<Vec<Inline>>, rows: Vec<Vec<Vec<Inline>>> },
    Row(Vec<Vec<Inline>>),
    Cell(Vec<Inline>),
    Span(SpanKind, Vec<Inline>),
    Code(String),
}

enum SpanKind {
    Strong,
    Em,
    Strike,
    Link(Option<String>),
    Image,
}

struct Builder<'a, 't, 'g> {
    stack: Vec<Frame>,
    parts: &'a Parts<'a>,
    terms: &'t mut Terms<'g>,
    /// The level of the last heading, so levels never skip (H2 then H4 becomes H2 then H3).
    last_level: u8,
}

/// Converts one commentary body.
pub(super) fn convert(body: &str, parts: &Parts, terms: &mut Terms) -> Vec<Block> {
    // References become private-use placeholders, as on the website, so smart punctuation cannot touch them.
    let text = with_reference_placeholders(body);

    let mut b = Builder { stack: vec![Frame::Blocks(Vec::new())], parts, terms, last_level: parts.top_level - 1 };
    let mut block_no = 0;
    let mut skipping = false;
    let mut pending = String::new();
    let mut events = Parser::new_ext(&text, dialect::options()).peekable();
    while let Some(ev) = events.next() {
        if skipping {
            skipping = !matches!(ev, Event::End(TagEnd::CodeBlock));
            continue;
        }
        if let Event::Text(t) = &ev {
            pending.push_str(t);
            if matches!(events.peek(), Some(Event::Text(_))) {
                continue;
            }
            let t = std::mem::take(&mut pending);
            b.text(&t);
            continue;
        }
        match ev {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) if BlockKind::from_info(&lang).is_some() => {
                skipping = true;
                let blocks = parts.blocks.get(block_no).cloned().unwrap_or_default();
                block_no += 1;
                b.close_implicit();
                b.blocks().extend(blocks);
            }
            Event::Start(Tag::CodeBlock(_)) => {
                b.close_implicit();
                b.stack.push(Frame::Code(String::new()));
            }
            Event::Start(Tag::Paragraph) => {
                b.close_implicit();
                b.stack.push(Frame::Para { runs: Vec::new(), implicit: false });
            }
            Event::Start(Tag::Heading { .. }) => {
                b.close_implicit();
                b.stack.push(Frame::Heading(Vec::new()));
            }
            Event::Start(Tag::BlockQuote(_)) => {
                b.close_implicit();
                b.stack.push(Frame::Quote(Vec::new()));
            }
            Event::Start(Tag::List(start)) => {
                b.close_implicit();
                b.stack.push(Frame::List { ordered: start.is_some(), start: start.unwrap_or(1), items: Vec::new() });
            }
            Event::Start(Tag::Item) => b.stack.push(Frame::Item(Vec::new())),
            Event::Start(Tag::FootnoteDefinition(label)) => {
                b.close_implicit();
                b.stack.push(Frame::Note(label.to_string(), Vec::new()));
            }
            Event::Start(Tag::Table(align)) => {
                b.close_implicit();
                let align = align.iter().map(|a| if matches!(a, pulldown_cmark::Alignment::Right) { "right" } else { "left" }).collect();
                b.stack.push(Frame::Table { align, header: Vec::new(), rows: Vec::new() });
            }
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => b.stack.push(Frame::Row(Vec::new())),
            Event::Start(Tag::TableCell) => b.stack.push(Frame::Cell(Vec::new())),
            Event::Start(Tag::Strong) => b.open_span(SpanKind::Strong),
            Event::Start(Tag::Emphasis) => b.open_span(SpanKind::Em),
            Event::Start(Tag::Strikethrough) => b.open_span(SpanKind::Strike),
            Event::Start(Tag::Link { dest_url, .. }) => {
                let url = dest_url.trim();
                // Only addresses that work from a document: site-relative links have no meaning in a PDF.
                let keep = crate::render::markdown::safe_url(url)
                    && ["https://", "http://", "mailto:", "tel:"].iter().any(|p| url.to_ascii_lowercase().starts_with(p));
                b.open_span(SpanKind::Link(keep.then(|| url.to_string())));
            }
            Event::Start(Tag::Image { .. }) => b.open_span(SpanKind::Image),
            Event::Start(_) => {}
            Event::End(TagEnd::CodeBlock) => {
                if let Some(Frame::Code(t)) = b.stack.pop() {
                    b.blocks().push(Block::Code { t: t.trim_end_matches('\n').to_string() });
                }
            }
            Event::End(TagEnd::Paragraph) => b.close_para(),
            Event::End(TagEnd::Heading(level)) => {
                if let Some(Frame::Heading(c)) = b.stack.pop() {
                    let wanted = parts.top_level + (level as u8).saturating_sub(1);
                    let level = wanted.min(b.last_level + 1).clamp(parts.top_level, 6);
                    b.last_level = level;
                    b.blocks().push(Block::H { level, c });
                }
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                b.close_implicit();
                if let Some(Frame::Quote(c)) = b.stack.pop() {
                    b.blocks().push(Block::Quote { c });
                }
            }
            Event::End(TagEnd::Item) => {
                b.close_implicit();
                if let Some(Frame::Item(c)) = b.stack.pop() {
                    if let Some(Frame::List { items, .. }) = b.stack.last_mut() {
                        items.push(c);
                    }
                }
            }
            Event::End(TagEnd::List(_)) => {
                if let Some(Frame::List { ordered, start, items }) = b.stack.pop() {
                    b.blocks().push(Block::List { ordered, start, items });
                }
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                b.close_implicit();
                if let Some(Frame::Note(label, c)) = b.stack.pop() {
                    b.blocks().push(Block::Note { label, c });
                }
            }
            Event::End(TagEnd::TableCell) => {
                if let Some(Frame::Cell(c)) = b.stack.pop() {
                    if let Some(Frame::Row(cells)) = b.stack.last_mut() {
                        cells.push(c);
                    }
                }
            }
            Event::End(TagEnd::TableHead) => {
                if let Some(Frame::Row(cells)) = b.stack.pop() {
                    if let Some(Frame::Table { header, .. }) = b.stack.last_mut() {
                        *header = cells;
                    }
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some(Frame::Row(cells)) = b.stack.pop() {
                    if let Some(Frame::Table { rows, .. }) = b.stack.last_mut() {
                        rows.push(cells);
                    }
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some(Frame::Table { align, header, rows }) = b.stack.pop() {
                    b.blocks().push(super::blocks::plain_table(header, align, rows));
                }
            }
            Event::End(TagEnd::Strong | TagEnd::Emphasis | TagEnd::Strikethrough | TagEnd::Link | TagEnd::Image) => b.close_span(),
            Event::End(_) => {}
            Event::Code(t) => b.runs().push(Inline::Code { t: t.to_string() }),
            Event::Html(h) | Event::InlineHtml(h) => {
                let t = if parts.allow_raw_html { crate::render::markdown::strip_tags(&h) } else { h.to_string() };
                if let Some(Frame::Code(code)) = b.stack.last_mut() {
                    code.push_str(&t);
                } else if !t.trim().is_empty() || matches!(b.stack.last(), Some(Frame::Para { .. } | Frame::Span(..) | Frame::Cell(_) | Frame::Heading(_))) {
                    b.runs().push(Inline::T { t: t.replace('\n', " ") });
                }
            }
            Event::SoftBreak => b.runs().push(Inline::T { t: " ".into() }),
            Event::HardBreak => b.runs().push(Inline::Br),
            Event::Rule => {
                b.close_implicit();
                b.blocks().push(Block::Rule);
            }
            Event::FootnoteReference(label) => b.runs().push(Inline::Sup { t: format!("[{label}]") }),
            Event::TaskListMarker(done) => b.runs().push(Inline::T { t: if done { "(done) ".into() } else { "(to do) ".into() } }),
            Event::Text(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {}
        }
    }
    b.close_implicit();
    match b.stack.into_iter().next() {
        Some(Frame::Blocks(v)) => v,
        _ => Vec::new(),
    }
}

impl Builder<'_, '_, '_> {
    fn text(&mut self, t: &str) {
        if let Some(Frame::Code(code)) = self.stack.last_mut() {
            code.push_str(t);
            return;
        }
        // As on the website: no terms explained in headings or in a link's words.
        let terms_here = !self.stack.iter().any(|f| matches!(f, Frame::Heading(_) | Frame::Span(SpanKind::Link(_) | SpanKind::Image, _)));
        let refs = self.parts.refs;
        let mut out = Vec::new();
        let mut rest = t;
        while let Some(i) = rest.find(OPEN) {
            self.prose(&rest[..i], terms_here, &mut out);
            let after = &rest[i + OPEN.len_utf8()..];
            let end = after.find(CLOSE).unwrap_or(after.len());
            if let Some(r) = after[..end].parse::<usize>().ok().and_then(|n| refs.get(n)) {
                out.extend(r.iter().cloned());
            }
            rest = after.get(end + CLOSE.len_utf8()..).unwrap_or("");
        }
        self.prose(rest, terms_here, &mut out);
        self.runs().extend(out);
    }

    /// Text with the first use of each glossary term marked, and its meaning after it.
    fn prose(&mut self, t: &str, terms_here: bool, out: &mut Vec<Inline>) {
        let mut done = 0;
        if terms_here && !self.terms.glossary.is_empty() {
            for (at, end, ti) in self.terms.index.first_uses(t, &mut self.terms.seen) {
                let term = &self.terms.glossary[ti];
                if at > done {
                    out.push(Inline::T { t: t[done..at].to_string() });
                }
                let meaning = (!spelled_out_before(term, &t[..at])).then(|| term.meaning.clone());
                out.push(Inline::Term { t: t[at..end].to_string(), anchor: term.anchor.clone(), meaning });
                done = end;
            }
        }
        if done < t.len() {
            out.push(Inline::T { t: t[done..].to_string() });
        }
    }

    /// Where inline runs go now; text straight inside a list item (a tight list) gets a paragraph.
    fn runs(&mut self) -> &mut Vec<Inline> {
        if !matches!(self.stack.last(), Some(Frame::Para { .. } | Frame::Heading(_) | Frame::Cell(_) | Frame::Span(..))) {
            self.stack.push(Frame::Para { runs: Vec::new(), implicit: true });
        }
        match self.stack.last_mut() {
            Some(Frame::Para { runs, .. } | Frame::Heading(runs) | Frame::Cell(runs) | Frame::Span(_, runs)) => runs,
            _ => unreachable!("a run frame was just pushed"),
        }
    }

    /// Where blocks go now.
    fn blocks(&mut self) -> &mut Vec<Block> {
        let i = self.stack.iter().rposition(|f| matches!(f, Frame::Blocks(_) | Frame::Quote(_) | Frame::Item(_) | Frame::Note(..))).unwrap_or(0);
        match &mut self.stack[i] {
            Frame::Blocks(v) | Frame::Quote(v) | Frame::Item(v) | Frame::Note(_, v) => v,
            _ => unreachable!("the bottom frame holds blocks"),
        }
    }

    fn close_para(&mut self) {
        if let Some(Frame::Para { .. }) = self.stack.last() {
            if let Some(Frame::Para { runs, .. }) = self.stack.pop() {
                if !runs.is_empty() {
                    self.blocks().push(Block::P { c: runs });
                }
            }
        }
    }

    fn close_implicit(&mut self) {
        if let Some(Frame::Para { implicit: true, .. }) = self.stack.last() {
            self.close_para();
        }
    }

    fn open_span(&mut self, kind: SpanKind) {
        self.runs();
        self.stack.push(Frame::Span(kind, Vec::new()));
    }

    fn close_span(&mut self) {
        let Some(Frame::Span(kind, c)) = self.stack.pop() else { return };
        let run = match kind {
            SpanKind::Strong => Inline::Strong { c },
            SpanKind::Em => Inline::Em { c },
            SpanKind::Strike => Inline::Strike { c },
            SpanKind::Link(Some(url)) => Inline::Link { url, c },
            SpanKind::Link(None) => {
                self.runs().extend(c);
                return;
            }
            // A picture the document cannot fetch: its description stands in for it.
            SpanKind::Image => Inline::T { t: format!("[Image: {}]", super::blocks::plain(&c)) },
        };
        self.runs().push(run);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(md: &str) -> Vec<Block> {
        conv_with(md, &[])
    }

    fn conv_with(md: &str, glossary: &[Term]) -> Vec<Block> {
        let index = GlossaryIndex::new(glossary);
        convert(
            md,
            &Parts {
                refs: &[vec![Inline::T { t: "81".into() }, Inline::Flag { f: "p".into() }]],
                blocks: &[vec![Block::Rule]],
                allow_raw_html: false,
                top_level: 2,
            },
            &mut Terms { glossary, index: &index, seen: HashSet::new() },
        )
    }

    fn json(md: &str) -> String {
        serde_json::to_string(&conv(md)).expect("json")
    }

    #[test]
    fn markup_characters_stay_text() {
        let j = json("#set page(width: 1cm)\n\n= not a heading *x* `y` $z$ @ref <lbl> ]");
        assert!(j.contains("#set page(width: 1cm)"), "{j}");
        assert!(j.contains("= not a heading "), "{j}");
    }

    #[test]
    fn headings_start_below_the_section_and_never_skip() {
        let b = conv("# One\n\n#### Deep\n");
        assert!(matches!(b[0], Block::H { level: 2, .. }));
        assert!(matches!(b[1], Block::H { level: 3, .. }));
    }

    #[test]
    fn references_blocks_and_tight_lists() {
        let b = conv("It is {{ a }}.\n\n```chart\nmetric: a\n```\n\n- one\n- two\n");
        let j = serde_json::to_string(&b).expect("json");
        assert!(j.contains("\"k\":\"flag\",\"f\":\"p\""), "{j}");
        assert!(matches!(b[1], Block::Rule), "{j}");
        assert!(matches!(&b[2], Block::List { items, .. } if items.len() == 2), "{j}");
    }

    #[test]
    fn a_glossary_term_is_explained_at_its_first_use_in_text_only() {
        let term = |name: &str, meaning: &str| Term { name: name.into(), meaning: meaning.into(), aliases: Vec::new(), anchor: name.to_lowercase() };
        let g = [term("ASCOF", "Adult Social Care Outcomes Framework, the national measures"), term("CQC", "Care Quality Commission, the regulator")];
        let b = conv_with("# ASCOF\n\nThe [ASCOF](https://x.example/) list.\n\nOur ASCOF and ASCOF again; the Care Quality Commission (CQC).\n", &g);
        let j = serde_json::to_string(&b).expect("json");
        let terms: Vec<&str> = j.match_indices("\"k\":\"term\"").map(|(i, _)| &j[i..(i + 120).min(j.len())]).collect();
        assert_eq!(terms.len(), 2, "{j}");
        assert!(terms[0].contains("\"t\":\"ASCOF\",\"anchor\":\"ascof\",\"meaning\":\"Adult Social Care Outcomes Framework, the national measures\""), "{j}");
        assert!(terms[1].contains("\"t\":\"CQC\",\"anchor\":\"cqc\",\"meaning\":null"), "spelled out just before: {j}");
        assert!(matches!(&b[0], Block::H { c, .. } if c == &vec![Inline::T { t: "ASCOF".into() }]), "{j}");
        assert!(j.contains("{\"k\":\"t\",\"t\":\" and ASCOF again; the Care Quality Commission (\"}"), "{j}");
    }

    #[test]
    fn raw_html_prints_as_text_and_relative_links_lose_their_address() {
        let j = json("<script>x</script>\n\nSee [the appendix](../appendix/) and [NHS](https://www.nhs.uk/).");
        assert!(j.contains("<script>x</script>"), "{j}");
        assert!(!j.contains("../appendix/"), "{j}");
        assert!(j.contains("https://www.nhs.uk/"), "{j}");
    }
}
