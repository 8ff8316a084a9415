//! Smaller SVG for the same drawing: charts-rs writes for readability, and a site has thousands
//! of charts. Each edit leaves what a browser or the PDF draws unchanged:
//! - the newline padding around a `<text>`'s words (`<text ...>\n1,200\n</text>`) goes: SVG
//!   drops leading and trailing white space of a text's words anyway;
//! - a group of plain `<line>`s (grid lines, axis ticks) becomes one `<path>` of straight
//!   segments, each its own subpath: a path with no area fills nothing, and butt ends are the
//!   same;
//! - `font-size="12"` and the font family go from every element: the drawing's root says them
//!   once (see [`ROOT_FONT_SIZE`]); `text-anchor="start"` and a group's `stroke-width="1"` are
//!   defaults;
//! - numbers lose a trailing `.0`, and path data the spaces beside its command letters;
//! - a group of texts that all share a colour or alignment says it once, on the group;
//! - the drawing's full-size white background rectangle goes: pages, prints and a browser
//!   showing the file alone are white behind it.
//!
//! Anything it does not recognise is copied as it is, and text is never touched but for the
//! padding, so a figure's words cannot change.
//!
//! It runs for every drawing of a build, so it works on slices of the input: the tags are read
//! once into a list of borrowed pieces, edited there by marking, and written straight into the
//! caller's string (no string per element or attribute).

use std::ops::Range;

/// Written on the root of every drawing, so its elements need not repeat it.
pub(super) const ROOT_FONT_SIZE: &str = " font-size=\"12\"";

/// An attribute as written; `drop` once an edit has taken it out.
#[derive(Debug, Clone, Copy)]
struct Attr<'a> {
    name: &'a str,
    value: &'a str,
    drop: bool,
}

/// A piece of the SVG: a tag (its attributes a range of the shared list), the text between
/// tags, or a group of lines turned into a path (its data a range of the path buffer, its
/// attributes the group's).
#[derive(Debug, Clone)]
enum Node<'a> {
    Tag { name: &'a str, attrs: Range<usize>, empty: bool, hoisted: [Option<&'a str>; 2] },
    Close(&'a str),
    Text(&'a str),
    Lines { d: Range<usize>, attrs: Range<usize> },
}

/// The attributes a group's texts may share, in the order they are hoisted onto the group.
const HOISTED: [&str; 2] = ["fill", "text-anchor"];

/// The parsed fragment: its nodes, every tag's attributes and the data of line paths.
struct Doc<'a> {
    nodes: Vec<Node<'a>>,
    attrs: Vec<Attr<'a>>,
    paths: String,
}

impl<'a> Doc<'a> {
    /// The value of a tag's attribute that no edit took out.
    fn attr(&self, range: &Range<usize>, name: &str) -> Option<&'a str> {
        self.attrs[range.clone()].iter().find(|a| !a.drop && a.name == name).map(|a| a.value)
    }

    fn kept(&self, range: &Range<usize>) -> usize {
        self.attrs[range.clone()].iter().filter(|a| !a.drop).count()
    }
}

/// The nodes of an SVG fragment, or `None` if it is not as charts-rs and this crate write it.
/// Attributes equal to `root_font` (the family the root names) are left out, tidy's defaults
/// are marked.
fn parse<'a>(s: &'a str, root_font: &str) -> Option<Doc<'a>> {
    let mut doc = Doc { nodes: Vec::with_capacity(s.len() / 24), attrs: Vec::with_capacity(s.len() / 12), paths: String::new() };
    let mut rest = s;
    while !rest.is_empty() {
        let Some(lt) = find_byte(rest, b'<') else {
            doc.nodes.push(Node::Text(rest));
            break;
        };
        if lt > 0 {
            doc.nodes.push(Node::Text(&rest[..lt]));
        }
        let gt = lt + find_byte(&rest[lt..], b'>')?;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            doc.nodes.push(Node::Close(name.trim()));
            continue;
        }
        let (tag, empty) = match tag.strip_suffix('/') {
            Some(t) => (t, true),
            None => (tag, false),
        };
        let name_end = tag.bytes().position(|c| c.is_ascii_whitespace()).unwrap_or(tag.len());
        let name = &tag[..name_end];
        if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b':') {
            return None;
        }
        let start = doc.attrs.len();
        attributes(&tag[name_end..], root_font, &mut doc.attrs)?;
        doc.nodes.push(Node::Tag { name, attrs: start..doc.attrs.len(), empty, hoisted: [None; 2] });
    }
    Some(doc)
}

/// Where an ASCII character first is in `s`: a plain loop, quicker than `str::find` over the
/// few bytes between a drawing's tags and quotes.
pub(super) fn find_byte(s: &str, c: u8) -> Option<usize> {
    s.bytes().position(|b| b == c)
}

/// `a="1" b="x y"` onto `out`; `None` for any other form. Read byte by byte: it runs for every
/// tag of every drawing.
fn attributes<'a>(s: &'a str, root_font: &str, out: &mut Vec<Attr<'a>>) -> Option<()> {
    let b = s.as_bytes();
    let mut i = 0;
    loop {
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if b.get(i).is_some_and(|c| *c >= 0x80) {
            // Other white space, as `trim_start` sees it.
            i = s.len() - s[i..].trim_start().len();
        }
        if i == b.len() {
            return Some(());
        }
        // The name runs to the first `="`; white space or a quote before it is not an attribute.
        let start = i;
        let eq = loop {
            match b.get(i)? {
                b'=' if b.get(i + 1) == Some(&b'"') => break i,
                c if c.is_ascii_whitespace() || *c == b'"' => return None,
                _ => i += 1,
            }
        };
        let name = &s[start..eq];
        if name.is_empty() {
            return None;
        }
        let value_end = eq + 2 + find_byte(&s[eq + 2..], b'"')?;
        let value = &s[eq + 2..value_end];
        i = value_end + 1;
        if name == "font-family" && value == root_font {
            continue;
        }
        let drop = matches!((name, value), ("font-size", "12") | ("text-anchor", "start"));
        out.push(Attr { name, value, drop });
    }
}

/// Appends `v` with every number's trailing `.0` left out (`12.0` as `12`, not `10.05`).
fn push_trimmed(out: &mut String, v: &str) {
    let b = v.as_bytes();
    let mut from = 0;
    for i in 0..b.len() {
        let ends_in_zero = b[i] == b'.'
            && i > 0
            && b[i - 1].is_ascii_digit()
            && b.get(i + 1) == Some(&b'0')
            && !b.get(i + 2).is_some_and(|c| c.is_ascii_digit() || *c == b'.');
        if ends_in_zero {
            out.push_str(&v[from..i]);
            from = i + 2;
        }
    }
    out.push_str(&v[from.min(v.len())..]);
}

/// Whether `v` without its trailing `.0`s is `want`.
fn trimmed_is(v: &str, want: &str, scratch: &mut String) -> bool {
    scratch.clear();
    push_trimmed(scratch, v);
    scratch == want
}

/// Appends path data without the spaces beside its command letters: `M 1 2 L 3 4` as `M1 2L3 4`.
fn push_tight_path(out: &mut String, d: &str) {
    let d = d.trim();
    let b = d.as_bytes();
    let mut from = 0;
    for i in 0..b.len() {
        // Bytes of a multi-byte character are never ASCII letters, so bytes decide as characters would.
        let beside_letter = (i > 0 && b[i - 1].is_ascii_alphabetic()) || b.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic());
        if b[i] == b' ' && beside_letter {
            out.push_str(&d[from..i]);
            from = i + 1;
        }
    }
    out.push_str(&d[from..]);
}

fn is_blank(n: &Node) -> bool {
    matches!(n, Node::Text(t) if t.trim().is_empty())
}

/// A `<g>` of nothing but plain lines, from `nodes[i]`: the path drawing them (its data added
/// to `doc.paths`) and the index after the group's end.
fn lines_as_path(doc: &mut Doc, i: usize) -> Option<(Node<'static>, usize)> {
    let Node::Tag { name: "g", attrs: group, empty: false, .. } = &doc.nodes[i] else { return None };
    let group = group.clone();
    if group.is_empty() || !doc.attrs[group.clone()].iter().all(|a| a.name == "stroke" || a.name == "stroke-width") {
        return None;
    }
    let start = doc.paths.len();
    let (mut sx, mut sy) = (String::new(), String::new());
    let mut j = i + 1;
    let found = loop {
        match doc.nodes.get(j) {
            Some(Node::Close("g")) => break true,
            Some(n) if is_blank(n) => {}
            Some(Node::Tag { name: "line", attrs: a, empty: true, .. }) if a.len() == 4 => {
                let a = &doc.attrs[a.clone()];
                let get = |name: &str| a.iter().find(|x| x.name == name).map(|x| x.value).filter(|v| is_number(v));
                let (Some(x1), Some(y1), Some(x2), Some(y2)) = (get("x1"), get("y1"), get("x2"), get("y2")) else { break false };
                let p = &mut doc.paths;
                p.push('M');
                push_trimmed(p, x1);
                p.push(' ');
                push_trimmed(p, y1);
                if same_trimmed(y1, y2, &mut sx, &mut sy) {
                    p.push('H');
                    push_trimmed(p, x2);
                } else if same_trimmed(x1, x2, &mut sx, &mut sy) {
                    p.push('V');
                    push_trimmed(p, y2);
                } else {
                    p.push('L');
                    push_trimmed(p, x2);
                    p.push(' ');
                    push_trimmed(p, y2);
                }
            }
            _ => break false,
        }
        j += 1;
    };
    if !found || doc.paths.len() == start {
        doc.paths.truncate(start);
        return None;
    }
    Some((Node::Lines { d: start..doc.paths.len(), attrs: group }, j + 1))
}

/// Whether `v` reads as an `f32`: plain decimals (`-12.5`) are seen at once, anything else is parsed.
fn is_number(v: &str) -> bool {
    let digits = v.strip_prefix('-').unwrap_or(v);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    let plain = !int.is_empty() && !frac.is_empty() && int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit());
    plain || v.parse::<f32>().is_ok()
}

/// Whether two numbers are the same once their trailing `.0`s are left out.
fn same_trimmed(a: &str, b: &str, sa: &mut String, sb: &mut String) -> bool {
    if a == b {
        return true;
    }
    sa.clear();
    sb.clear();
    push_trimmed(sa, a);
    push_trimmed(sb, b);
    sa == sb
}

/// Moves `fill` and `text-anchor` shared by every text of a bare group onto the group.
fn hoist<'a>(doc: &mut Doc<'a>, nodes: &mut [Node<'a>]) {
    for i in 0..nodes.len() {
        let bare = matches!(&nodes[i], Node::Tag { name: "g", attrs, empty: false, .. } if doc.kept(attrs) == 0);
        if !bare {
            continue;
        }
        // The group's direct children: texts (with their words) and plain paths, nothing else.
        let mut texts = Vec::new();
        let mut j = i + 1;
        let end = loop {
            match nodes.get(j) {
                Some(Node::Close("g")) => break Some(j),
                Some(Node::Tag { name: "text", attrs, empty: false, .. }) => {
                    texts.push(attrs.clone());
                    match (nodes.get(j + 1), nodes.get(j + 2)) {
                        (Some(Node::Text(_)), Some(Node::Close("text"))) => j += 2,
                        (Some(Node::Close("text")), _) => j += 1,
                        _ => break None,
                    }
                }
                Some(Node::Tag { name: "path", attrs, empty: true, .. })
                    if doc.attr(attrs, "fill").is_none() && doc.attr(attrs, "d").is_some_and(|d| !d.contains(['Z', 'z', 'A', 'C', 'Q'])) => {}
                // A group of lines drawn as one path: no fill, straight segments.
                Some(Node::Lines { .. }) => {}
                Some(n) if is_blank(n) => {}
                _ => break None,
            }
            j += 1;
        };
        if end.is_none() || texts.len() < 2 {
            continue;
        }
        let mut hoisted = [None; 2];
        for (slot, key) in HOISTED.iter().enumerate() {
            let first = doc.attr(&texts[0], key);
            if first.is_some() && texts.iter().all(|t| doc.attr(t, key) == first) {
                for t in &texts {
                    for a in &mut doc.attrs[t.clone()] {
                        if a.name == *key {
                            a.drop = true;
                        }
                    }
                }
                hoisted[slot] = first;
            }
        }
        if let Node::Tag { hoisted: h, .. } = &mut nodes[i] {
            *h = hoisted;
        }
    }
}

/// Appends the drawing's body, smaller (see the module's comment), to `out`; `width` and
/// `height` are the drawing's, to recognise its background, and `root_font` the font-family
/// value its root names. Appends the body as it was if it is not as expected.
pub(super) fn compact_into(out: &mut String, body: &str, width: f32, height: f32, root_font: &str) {
    let Some(mut doc) = parse(body, root_font) else {
        out.push_str(&body.replace(&format!(" font-family=\"{root_font}\""), ""));
        return;
    };
    let (mut w, mut h) = (String::new(), String::new());
    push_trimmed(&mut w, &width.to_string());
    push_trimmed(&mut h, &height.to_string());
    let mut scratch = String::new();
    let mut nodes: Vec<Node> = Vec::with_capacity(doc.nodes.len());
    let mut i = 0;
    while i < doc.nodes.len() {
        if let Some((path, next)) = lines_as_path(&mut doc, i) {
            nodes.push(path);
            i = next;
            continue;
        }
        let node = doc.nodes[i].clone();
        let background = match &node {
            Node::Tag { name: "rect", attrs, empty: true, .. } if doc.kept(attrs) == 5 => {
                let mut is = |name: &str, want: &str| doc.attr(attrs, name).is_some_and(|v| trimmed_is(v, want, &mut scratch));
                is("x", "0")
                    && is("y", "0")
                    && is("width", &w)
                    && is("height", &h)
                    && doc.attr(attrs, "fill").is_some_and(|f| f.eq_ignore_ascii_case("#FFFFFF"))
            }
            _ => false,
        };
        if !background {
            nodes.push(node);
        }
        i += 1;
    }
    hoist(&mut doc, &mut nodes);

    let start = out.len();
    out.reserve(body.len());
    let mut in_text = false;
    for n in &nodes {
        match n {
            Node::Tag { name, attrs, empty, hoisted } => {
                out.push('<');
                out.push_str(name);
                for (key, v) in HOISTED.iter().zip(hoisted) {
                    if let Some(v) = v {
                        push_attr(out, key, v);
                    }
                }
                for a in doc.attrs[attrs.clone()].iter().filter(|a| !a.drop) {
                    out.push(' ');
                    out.push_str(a.name);
                    out.push_str("=\"");
                    match a.name {
                        "d" => {
                            scratch.clear();
                            push_trimmed(&mut scratch, a.value);
                            push_tight_path(out, &scratch);
                        }
                        "x" | "y" | "x1" | "y1" | "x2" | "y2" | "cx" | "cy" | "r" | "width" | "height" | "points" => push_trimmed(out, a.value),
                        _ => out.push_str(a.value),
                    }
                    out.push('"');
                }
                out.push_str(if *empty { "/>" } else { ">" });
                in_text = !*empty && *name == "text";
            }
            Node::Lines { d, attrs } => {
                out.push_str("<path");
                push_attr(out, "d", &doc.paths[d.clone()]);
                for a in doc.attrs[attrs.clone()].iter().filter(|a| !(a.name == "stroke-width" && a.value == "1")) {
                    push_attr(out, a.name, a.value);
                }
                out.push_str("/>");
                in_text = false;
            }
            Node::Close(name) => {
                out.push_str("</");
                out.push_str(name);
                out.push('>');
                in_text = false;
            }
            Node::Text(t) if in_text => out.push_str(t.trim_matches('\n')),
            Node::Text(t) if t.trim().is_empty() => {
                if !out[start..].ends_with('\n') {
                    out.push('\n');
                }
            }
            Node::Text(t) => out.push_str(t),
        }
    }
    // As `trim`: no white space before the first element or after the last.
    let kept = out[start..].trim_end().len();
    out.truncate(start + kept);
    let lead = out[start..].len() - out[start..].trim_start().len();
    if lead > 0 {
        out.replace_range(start..start + lead, "");
    }
}

fn push_attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    out.push_str(value);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compact(body: &str, width: f32, height: f32) -> String {
        let mut out = String::new();
        compact_into(&mut out, body, width, height, "Arial");
        out
    }

    fn trim_zeros(v: &str) -> String {
        let mut out = String::new();
        push_trimmed(&mut out, v);
        out
    }

    fn tight_path(v: &str) -> String {
        let mut out = String::new();
        push_tight_path(&mut out, v);
        out
    }

    #[test]
    fn numbers_lose_only_a_trailing_zero() {
        assert_eq!(trim_zeros("534.0"), "534");
        assert_eq!(trim_zeros("10.05 2.0,3.0"), "10.05 2,3");
        assert_eq!(trim_zeros("0.5"), "0.5");
        assert_eq!(trim_zeros("100"), "100");
        assert_eq!(trim_zeros("1.0.0"), "1.0");
        assert_eq!(tight_path("M 612 144 L 607 139 Z"), "M612 144L607 139Z");
        assert_eq!(tight_path(" M 1 2 "), "M1 2");
    }

    #[test]
    fn lines_become_one_path_and_texts_lose_padding() {
        let body = "<rect x=\"0\" y=\"0\" width=\"640\" height=\"360\" fill=\"#FFFFFF\"/>\n<g>\n<g stroke=\"#505A5F\" stroke-width=\"1\">\n<line x1=\"34\" y1=\"50\" x2=\"34\" y2=\"285\"/>\n<line x1=\"34\" y1=\"50\" x2=\"29.0\" y2=\"50\"/>\n</g>\n<text font-size=\"12\" font-family=\"Arial\" x=\"7\" y=\"54\" fill=\"#505A5F\">\n100\n</text>\n<text font-size=\"12\" x=\"14\" y=\"101\" fill=\"#505A5F\">\n80 &amp; 1.0\n</text>\n</g>";
        assert_eq!(
            compact(body, 640.0, 360.0),
            "<g fill=\"#505A5F\">\n<path d=\"M34 50V285M34 50H29\" stroke=\"#505A5F\"/>\n<text x=\"7\" y=\"54\">100</text>\n<text x=\"14\" y=\"101\">80 &amp; 1.0</text>\n</g>"
        );
    }

    #[test]
    fn what_it_does_not_know_is_kept() {
        assert_eq!(
            compact("<g stroke=\"#000\"><circle r=\"1\"/></g>\n<text>a<b</text>", 1.0, 1.0),
            "<g stroke=\"#000\"><circle r=\"1\"/></g>\n<text>a<b</text>"
        );
        // Texts of different colours keep their own.
        let two = "<g>\n<text fill=\"#000\">a</text>\n<text fill=\"#111\">b</text>\n</g>";
        assert_eq!(compact(two, 1.0, 1.0), two);
        // Not as expected: copied as it is, padding and all, but for the root's font.
        assert_eq!(compact("\n<g x=1 font-family=\"Arial\">\n", 1.0, 1.0), "\n<g x=1>\n");
        // Another font family than the root's stays.
        assert_eq!(compact("<text font-family=\"Other\">a</text>", 1.0, 1.0), "<text font-family=\"Other\">a</text>");
    }

    #[test]
    fn appends_after_what_is_there() {
        let mut out = String::from("<svg>\n");
        compact_into(&mut out, "\n\n<g>\n<text>a</text>\n</g>\n\n", 1.0, 1.0, "Arial");
        assert_eq!(out, "<svg>\n<g>\n<text>a</text>\n</g>");
    }
}
