//! Commentary files: front matter, report blocks and inline references, with positions.
//!
//! Owns: splitting a commentary file and reporting what cannot be read at all. The dialect
//! itself (options, block kinds, the `{{ }}` scanner) is `crate::dialect`'s, shared with
//! validate and render. Must not import: validate, model or render.

use super::yaml::{self, Node, Value};
use crate::diagnostic::{Diagnostic, Pos};
use crate::dialect::{self, BlockKind, LineIndex, Reference};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

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
fn shift(node: &mut Node, lines: u32, columns: u32) {
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

fn scan_body(out: &mut RawCommentary, diags: &mut Vec<Diagnostic>) {
    let body = out.body.as_str();
    let index = LineIndex::new(body);
    let mut code_ranges: Vec<std::ops::Range<usize>> = Vec::new();
    let mut in_block: Option<(BlockKind, Pos, Option<usize>, usize)> = None;
    let at = |p: Pos| Pos::new(p.line + out.body_line, p.column);
    for (event, range) in Parser::new_ext(body, dialect::options()).into_offset_iter() {
        if dialect::is_code(&event) {
            code_ranges.push(range.clone());
        }
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) => {
                let word = lang.split_whitespace().next().unwrap_or("");
                let kinds = BlockKind::ALL.map(BlockKind::name);
                if BlockKind::from_lang(word).is_none() {
                    // ```Chart or ```kpi would be published as code, showing its YAML to readers.
                    let near =
                        kinds.iter().find(|k| k.eq_ignore_ascii_case(word)).copied().or_else(|| crate::diagnostic::did_you_mean(&word.to_lowercase(), kinds));
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
    let at = |offset: usize| {
        let pos = index.pos(body, offset);
        Pos::new(pos.line + out.body_line, pos.column)
    };
    for r in dialect::references(body, code) {
        match r {
            Reference::Closed { range, inner } => {
                out.refs.push(RawRef { pos: at(range.start), path: inner.split('.').map(|s| s.trim().to_string()).collect() });
            }
            Reference::Unclosed { start } => diags.push(
                Diagnostic::error(&out.file, at(start), "\"{{\" starts a figure reference that is not closed on this line")
                    .help("close it with \"}}\", for example {{ contacts-received }}"),
            ),
        }
    }
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
