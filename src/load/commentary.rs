//! Commentary files: front matter, report blocks and inline references, with positions.

use super::yaml::{self, Node, Value};
use crate::diagnostic::{Diagnostic, Pos};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

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
    /// From the fence's language word.
    pub fn from_lang(lang: &str) -> Option<Self> {
        match lang {
            "chart" => Some(BlockKind::Chart),
            "kpis" => Some(BlockKind::Kpis),
            "figure" => Some(BlockKind::Figure),
            "benchmark" => Some(BlockKind::Benchmark),
            "compare" => Some(BlockKind::Compare),
            "breakdown" => Some(BlockKind::Breakdown),
            _ => None,
        }
    }
    /// The fence's language word.
    pub fn name(self) -> &'static str {
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

/// A fenced report block as written.
#[derive(Debug, Clone)]
pub struct RawBlock {
    /// Which element.
    pub kind: BlockKind,
    /// The opening fence.
    pub pos: Pos,
    /// Its YAML body, positions relative to the whole file.
    pub body: Node,
}

/// An inline reference `{{ ID.field }}` as written.
#[derive(Debug, Clone)]
pub struct RawRef {
    /// Where `{{` starts.
    pub pos: Pos,
    /// The words between the braces split at dots, e.g. `["msp-asked", "rank", "nw"]`.
    pub path: Vec<String>,
}

/// A commentary file split into its parts.
#[derive(Debug, Clone)]
pub struct RawCommentary {
    /// Site-relative path.
    pub file: String,
    /// Front matter, if any.
    pub front: Option<Node>,
    /// The Markdown after the front matter.
    pub body: String,
    /// Lines before the body, to turn body positions into file positions.
    pub body_line: u32,
    /// Report blocks in document order.
    pub blocks: Vec<RawBlock>,
    /// Inline references in document order.
    pub refs: Vec<RawRef>,
}

/// Markdown options of the SPEC: tables, footnotes, strikethrough, smart punctuation, heading ids.
pub fn markdown_options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options;
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SMART_PUNCTUATION | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Splits and scans one commentary file; problems go to `diags`.
pub fn parse(file: &str, text: &str, diags: &mut Vec<Diagnostic>) -> RawCommentary {
    let (front, body, body_line) = split_front_matter(file, text, diags);
    let mut out = RawCommentary { file: file.to_string(), front, body: body.to_string(), body_line, blocks: Vec::new(), refs: Vec::new() };
    scan_body(&mut out, diags);
    out
}

fn split_front_matter<'a>(file: &str, text: &'a str, diags: &mut Vec<Diagnostic>) -> (Option<Node>, &'a str, u32) {
    let first = text.lines().next().unwrap_or("");
    if first.trim_end() != "---" {
        return (None, text, 0);
    }
    let after_first = &text[first.len()..];
    let after_first = after_first.strip_prefix("\r\n").or_else(|| after_first.strip_prefix('\n')).unwrap_or(after_first);
    let mut offset = 0;
    for (i, line) in after_first.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" || line.trim_end() == "..." {
            let yaml_text = &after_first[..offset];
            let body = &after_first[offset + line.len()..];
            let front = match yaml::parse(yaml_text) {
                Ok(mut n) => {
                    shift(&mut n, 1, 0);
                    Some(n)
                }
                Err(e) => {
                    diags.push(Diagnostic::error(file, Pos::new(e.pos.line + 1, e.pos.column), format!("front matter: {}", e.message)).help(e.help));
                    None
                }
            };
            return (front, body, i as u32 + 2);
        }
        offset += line.len();
    }
    diags.push(
        Diagnostic::error(file, Pos::new(1, 1), "the front matter starts with \"---\" but never closes")
            .help("add a line with just \"---\" after the front matter's last key"),
    );
    (None, "", 0)
}

/// Moves every position of a node by whole lines (and columns on its first line only for fences at column 1).
pub fn shift(node: &mut Node, lines: u32, columns: u32) {
    node.pos.line += lines;
    node.pos.column += columns;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift(n, lines, columns)),
        Value::Map(items) => items.iter_mut().for_each(|(k, v)| {
            shift(k, lines, columns);
            shift(v, lines, columns);
        }),
        _ => {}
    }
}

/// Line starts of a text, for turning byte offsets into positions.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }
    /// 1-based line and character column of a byte offset.
    pub fn pos(&self, text: &str, offset: usize) -> Pos {
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let col = text[self.starts[line]..offset.min(text.len())].chars().count();
        Pos::new(line as u32 + 1, col as u32 + 1)
    }
}

fn scan_body(out: &mut RawCommentary, diags: &mut Vec<Diagnostic>) {
    let body = out.body.as_str();
    let index = LineIndex::new(body);
    let mut code_ranges: Vec<std::ops::Range<usize>> = Vec::new();
    let mut in_block: Option<(BlockKind, Pos, Option<usize>, usize)> = None;
    let at = |p: Pos| Pos::new(p.line + out.body_line, p.column);
    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                code_ranges.push(range.clone());
                if let CodeBlockKind::Fenced(lang) = &kind {
                    let word = lang.split_whitespace().next().unwrap_or("");
                    let kinds = ["chart", "kpis", "figure", "benchmark", "compare", "breakdown"];
                    if BlockKind::from_lang(word).is_none() {
                        // ```Chart or ```kpi would be published as code, showing its YAML to readers.
                        let near = kinds
                            .iter()
                            .find(|k| k.eq_ignore_ascii_case(word))
                            .copied()
                            .or_else(|| crate::diagnostic::did_you_mean(&word.to_lowercase(), kinds));
                        if let Some(k) = near.filter(|_| !word.is_empty()) {
                            diags.push(
                                Diagnostic::warning(
                                    &out.file,
                                    at(index.pos(body, range.start)),
                                    format!("\"```{word}\" is shown to readers as code (did you mean \"```{k}\"?)"),
                                )
                                .help(format!("write ```{k} in lower case to make it a report element")),
                            );
                        }
                    }
                    if let Some(k) = BlockKind::from_lang(word) {
                        let fence_col = body[..range.start].rsplit('\n').next().map(|s| s.chars().count()).unwrap_or(0);
                        in_block = Some((k, at(index.pos(body, range.start)), None, fence_col));
                    }
                }
            }
            Event::Text(_) if in_block.is_some() => {
                if let Some((_, _, start, _)) = &mut in_block {
                    start.get_or_insert(range.start);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((kind, pos, start, indent)) = in_block.take() {
                    let (text, first_line) = match start {
                        Some(s) => {
                            let end = body[s..range.end].rfind("\n```").or_else(|| body[s..range.end].rfind("\n~~~")).map(|e| s + e + 1).unwrap_or(range.end);
                            (strip_indent(&body[s..end.max(s)], indent), index.pos(body, s).line)
                        }
                        None => (String::new(), pos.line - out.body_line + 1),
                    };
                    match yaml::parse(&text) {
                        Ok(mut node) => {
                            shift(&mut node, first_line - 1 + out.body_line, indent as u32);
                            if node.value == Value::Null {
                                node.pos = pos;
                            }
                            out.blocks.push(RawBlock { kind, pos, body: node });
                        }
                        Err(e) => diags.push(
                            Diagnostic::error(
                                &out.file,
                                Pos::new(e.pos.line + first_line - 1 + out.body_line, e.pos.column + indent as u32),
                                format!("in the {} block: {}", kind.name(), e.message),
                            )
                            .help(e.help),
                        ),
                    }
                }
            }
            Event::Code(_) | Event::Html(_) | Event::InlineHtml(_) => code_ranges.push(range),
            _ => {}
        }
    }
    scan_refs(out, &index, &code_ranges, diags);
}

fn strip_indent(text: &str, indent: usize) -> String {
    if indent == 0 {
        return text.to_string();
    }
    text.split_inclusive('\n')
        .map(|l| {
            let n = l.chars().take(indent).take_while(|c| *c == ' ').count();
            &l[n..]
        })
        .collect()
}

fn scan_refs(out: &mut RawCommentary, index: &LineIndex, code: &[std::ops::Range<usize>], diags: &mut Vec<Diagnostic>) {
    let body = out.body.as_str();
    let mut from = 0;
    while let Some(i) = body[from..].find("{{") {
        let start = from + i;
        from = start + 2;
        if code.iter().any(|r| r.contains(&start)) {
            continue;
        }
        let pos = index.pos(body, start);
        let pos = Pos::new(pos.line + out.body_line, pos.column);
        let line_end = body[start..].find('\n').map(|e| start + e).unwrap_or(body.len());
        let Some(close) = body[start..line_end].find("}}") else {
            diags.push(
                Diagnostic::error(&out.file, pos, "\"{{\" starts a figure reference that is not closed on this line")
                    .help("close it with \"}}\", for example {{ contacts-received }}"),
            );
            continue;
        };
        let inner = body[start + 2..start + close].trim();
        from = start + close + 2;
        out.refs.push(RawRef { pos, path: inner.split('.').map(|s| s.trim().to_string()).collect() });
    }
}

/// The prose of a Markdown body (text outside code), each piece with its byte offset.
pub fn prose_texts(body: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => depth += 1,
            Event::End(TagEnd::CodeBlock) => depth = depth.saturating_sub(1),
            Event::Text(t) if depth == 0 => out.push((range.start, t.into_string())),
            _ => {}
        }
    }
    out
}

/// Marks the start of a `{{ }}` reference's placeholder; a private-use character no officer types.
pub const REFERENCE_OPEN: char = '\u{E000}';
/// Marks the end of a reference's placeholder.
pub const REFERENCE_CLOSE: char = '\u{E001}';

/// The body with each `{{ }}` reference swapped for a numbered placeholder, so Markdown's smart
/// punctuation cannot touch it; the numbers follow `reference_ranges`.
pub fn with_reference_placeholders(body: &str) -> String {
    let mut text = String::with_capacity(body.len());
    let mut last = 0;
    for (n, (range, _)) in reference_ranges(body).into_iter().enumerate() {
        text.push_str(&body[last..range.start]);
        text.push(REFERENCE_OPEN);
        text.push_str(&n.to_string());
        text.push(REFERENCE_CLOSE);
        last = range.end;
    }
    text.push_str(&body[last..]);
    text
}

/// Finds inline references in a Markdown body, with their byte ranges, skipping code.
/// Used by rendering, which must agree with [`parse`] on what is a reference.
pub fn reference_ranges(body: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let mut code: Vec<std::ops::Range<usize>> = Vec::new();
    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_)) | Event::Code(_) | Event::Html(_) | Event::InlineHtml(_) => code.push(range),
            _ => {}
        }
    }
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = body[from..].find("{{") {
        let start = from + i;
        from = start + 2;
        if code.iter().any(|r| r.contains(&start)) {
            continue;
        }
        let line_end = body[start..].find('\n').map(|e| start + e).unwrap_or(body.len());
        if let Some(close) = body[start..line_end].find("}}") {
            found.push((start..start + close + 2, body[start + 2..start + close].trim().to_string()));
            from = start + close + 2;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_blocks_and_refs_have_file_positions() {
        let text = "---\ntitle: Contacts\n---\nIntro {{ contacts-received.change }} here.\n\n```chart\nmetric: contacts-received\nkind: line\n```\n\n`{{ not-a-ref }}`\n";
        let mut d = Vec::new();
        let c = parse("content/2024-25/q2/contacts.md", text, &mut d);
        assert!(d.is_empty(), "{d:?}");
        let Some(Node { value: Value::Map(f), .. }) = &c.front else { panic!() };
        assert_eq!(f[0].0.pos, Pos::new(2, 1));
        assert_eq!(c.refs.len(), 1);
        assert_eq!(c.refs[0].pos, Pos::new(4, 7));
        assert_eq!(c.refs[0].path, ["contacts-received", "change"]);
        assert_eq!(c.blocks.len(), 1);
        assert_eq!(c.blocks[0].pos, Pos::new(6, 1));
        let Value::Map(b) = &c.blocks[0].body.value else { panic!() };
        assert_eq!(b[1].0.pos, Pos::new(8, 1));
    }

    #[test]
    fn unclosed_front_matter() {
        let mut d = Vec::new();
        parse("a.md", "---\ntitle: x\nbody", &mut d);
        assert_eq!(d[0].pos, Pos::new(1, 1));
    }
}
