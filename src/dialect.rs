//! The Markdown dialect of commentary files (SPEC "Commentary"): pulldown-cmark's options, the
//! report blocks a fence can ask for, what counts as code, the one `{{ }}` reference scanner,
//! and byte offsets into line and column.
//!
//! Owns: everything load (which reports references and blocks), validate (which reads prose
//! for acronyms) and render (which swaps references for figures) must agree on.
//! Must not import: any pipeline stage (`load`, `validate`, `model`, `render`); it sits below
//! them all and knows only text and [`Pos`].

use crate::diagnostic::Pos;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;

/// Markdown options of the SPEC: tables, footnotes, strikethrough, smart punctuation, heading ids.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SMART_PUNCTUATION | Options::ENABLE_HEADING_ATTRIBUTES
}

/// The report elements a fenced block can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// ```` ```chart ````
    Chart,
    /// ```` ```kpis ````
    Kpis,
    /// ```` ```figure ````
    Figure,
    /// ```` ```benchmark ````
    Benchmark,
    /// ```` ```compare ````
    Compare,
    /// ```` ```breakdown ````
    Breakdown,
}

impl BlockKind {
    /// Every kind, in the SPEC's order.
    pub(crate) const ALL: [BlockKind; 6] =
        [BlockKind::Chart, BlockKind::Kpis, BlockKind::Figure, BlockKind::Benchmark, BlockKind::Compare, BlockKind::Breakdown];

    /// From the fence's language word.
    pub(crate) fn from_lang(lang: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == lang)
    }

    /// From a fence's whole info string (`chart` in ```` ```chart {.wide} ````).
    pub(crate) fn from_info(info: &str) -> Option<Self> {
        Self::from_lang(info.split_whitespace().next().unwrap_or(""))
    }

    /// The fence's language word.
    pub(crate) fn name(self) -> &'static str {
        match self {
            BlockKind::Chart => "chart",
            BlockKind::Kpis => "kpis",
            BlockKind::Figure => "figure",
            BlockKind::Benchmark => "benchmark",
            BlockKind::Compare => "compare",
            BlockKind::Breakdown => "breakdown",
        }
    }
}

/// Words `new-quarter` writes for the officer to replace; `check` warns if a published quarter
/// still has them.
pub(crate) const PLACEHOLDER: &str = "(to be written)";

/// Words marking a part of a page still to be written by the council (`init`'s pages hold
/// `[to complete: ...]`); `check` warns about each.
pub(crate) const TO_COMPLETE: &str = "[to complete:";

/// Whether XML 1.0 can hold the character: text a page, chart or feed can carry at all.
pub(crate) fn is_xml_char(c: char) -> bool {
    let noncharacter = matches!(c, '\u{FDD0}'..='\u{FDEF}') || (c as u32 & 0xFFFE) == 0xFFFE;
    !noncharacter && matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{10FFFF}')
}

/// Line starts of a text, for turning byte offsets into positions.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }
    /// 1-based line and character column of a byte offset.
    pub(crate) fn pos(&self, text: &str, offset: usize) -> Pos {
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let col = text[self.starts[line]..offset.min(text.len())].chars().count();
        Pos::new(line as u32 + 1, col as u32 + 1)
    }
}

/// Whether an event (with its range) is code or raw HTML, inside which `{{` is literal text.
pub(crate) fn is_code(event: &Event) -> bool {
    matches!(event, Event::Start(Tag::CodeBlock(_)) | Event::Code(_) | Event::Html(_) | Event::InlineHtml(_))
}

/// The byte ranges of a body that are code or raw HTML (see [`is_code`]).
pub(crate) fn code_ranges(body: &str) -> Vec<Range<usize>> {
    Parser::new_ext(body, options()).into_offset_iter().filter(|(event, _)| is_code(event)).map(|(_, range)| range).collect()
}

/// An inline reference as the scanner finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reference<'a> {
    /// `{{ inner }}` over `range` (braces included), `inner` trimmed.
    Closed { range: Range<usize>, inner: &'a str },
    /// A `{{` at this offset with no `}}` after it on its line.
    Unclosed { start: usize },
}

/// The one `{{ }}` scanner: every reference of a body outside `code` (see [`code_ranges`]), in
/// order. Load reports what it finds and render swaps the same ones for figures, so they agree.
pub(crate) fn references<'a>(body: &'a str, code: &[Range<usize>]) -> Vec<Reference<'a>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = body[from..].find("{{") {
        let start = from + i;
        from = start + 2;
        if code.iter().any(|r| r.contains(&start)) {
            continue;
        }
        let line_end = body[start..].find('\n').map(|e| start + e).unwrap_or(body.len());
        match body[start..line_end].find("}}") {
            Some(close) => {
                found.push(Reference::Closed { range: start..start + close + 2, inner: body[start + 2..start + close].trim() });
                from = start + close + 2;
            }
            None => found.push(Reference::Unclosed { start }),
        }
    }
    found
}

/// The prose of a Markdown body (text outside code blocks), each piece with its byte offset.
pub(crate) fn prose_texts(body: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => depth += 1,
            Event::End(TagEnd::CodeBlock) => depth = depth.saturating_sub(1),
            Event::Text(t) if depth == 0 => out.push((range.start, t.into_string())),
            _ => {}
        }
    }
    out
}

/// Whether a character is one of the marks rendering puts in text (U+E000 to U+E00F: reference
/// placeholders here, chart anchors, sprite names and the root path in `render`). Load replaces
/// them in every file it reads, so none comes from an officer's text.
pub(crate) fn is_mark(c: char) -> bool {
    ('\u{E000}'..='\u{E00F}').contains(&c)
}

/// The text with every mark (see [`is_mark`]) replaced by U+FFFD, which has the same length in
/// UTF-8: for text read from files, including YAML and TOML strings whose escapes (`"\uE000"`)
/// make characters the file itself does not hold.
pub(crate) fn without_marks(text: String) -> String {
    if text.chars().any(is_mark) {
        text.chars().map(|c| if is_mark(c) { '\u{FFFD}' } else { c }).collect()
    } else {
        text
    }
}

/// Marks the start of a `{{ }}` reference's placeholder; a private-use character no officer types.
pub(crate) const REFERENCE_OPEN: char = '\u{E000}';
/// Marks the end of a reference's placeholder.
pub(crate) const REFERENCE_CLOSE: char = '\u{E001}';

/// The body with each `{{ }}` reference swapped for a numbered placeholder, so Markdown's smart
/// punctuation cannot touch it; the numbers follow the order of [`references`], which is the
/// order load lists them in.
pub(crate) fn with_reference_placeholders(body: &str) -> String {
    let mut text = String::with_capacity(body.len());
    let mut last = 0;
    let closed = references(body, &code_ranges(body)).into_iter().filter_map(|r| match r {
        Reference::Closed { range, .. } => Some(range),
        Reference::Unclosed { .. } => None,
    });
    for (n, range) in closed.enumerate() {
        text.push_str(&body[last..range.start]);
        text.push(REFERENCE_OPEN);
        text.push_str(&n.to_string());
        text.push(REFERENCE_CLOSE);
        last = range.end;
    }
    text.push_str(&body[last..]);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_skip_code_and_report_unclosed() {
        let body = "a {{ x.change }} b `{{ code }}`\n{{ open\n```\n{{ fenced }}\n```\n<b title=\"{{ html }}\">x</b> {{y}}";
        let refs = references(body, &code_ranges(body));
        let inner: Vec<_> = refs
            .iter()
            .map(|r| match r {
                Reference::Closed { inner, .. } => inner.to_string(),
                Reference::Unclosed { start } => format!("unclosed@{start}"),
            })
            .collect();
        assert_eq!(inner, ["x.change", "unclosed@32", "y"]);
        assert_eq!(with_reference_placeholders("{{ a }} and {{ b }}"), "\u{E000}0\u{E001} and \u{E000}1\u{E001}");
    }

    #[test]
    fn positions_count_characters() {
        let text = "ab\nçd{{";
        let index = LineIndex::new(text);
        assert_eq!(index.pos(text, 0), Pos::new(1, 1));
        assert_eq!(index.pos(text, text.find("{{").unwrap()), Pos::new(2, 3));
    }

    #[test]
    fn block_kinds_round_trip() {
        for k in BlockKind::ALL {
            assert_eq!(BlockKind::from_lang(k.name()), Some(k));
        }
        assert_eq!(BlockKind::from_info("chart {.wide}"), Some(BlockKind::Chart));
        assert_eq!(BlockKind::from_lang("Chart"), None);
    }
}
