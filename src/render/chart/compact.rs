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
//! - the drawing's full-width white background rectangle goes: pages, prints and a browser
//!   showing the file alone are white behind it;
//! - a line's points, one shape per point, become markers of its path (`marker-start`, `-mid`
//!   and `-end`), each shape defined once per file ([`MARKERS`]; `userSpaceOnUse`, so the
//!   line's width does not scale them): the same shape at the same place;
//! - a run of plain rectangles of one colour (bars) becomes one path of closed rectangles,
//!   painted in the same order.
//!
//! Anything it does not recognise is copied as it is, and text is never touched but for the
//! padding, so a figure's words cannot change.
//!
//! It runs for every drawing of a build, so it works on slices of the input: the tags are read
//! once into a list of borrowed pieces, edited there by marking, and written straight into the
//! caller's string (no string per element or attribute).

use super::draw::SERIES_COLOURS;
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::LazyLock;

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
    Tag {
        name: &'a str,
        attrs: Range<usize>,
        empty: bool,
        hoisted: [Option<&'a str>; 2],
    },
    Close(&'a str),
    Text(&'a str),
    Lines {
        d: Range<usize>,
        attrs: Range<usize>,
    },
    /// A line's path (its attributes) drawn with the marker `MARKERS[marker]` at every point.
    Marked {
        attrs: Range<usize>,
        marker: usize,
    },
    /// The shape of `MARKERS[marker]` at a lone point (a marker needs a line to sit on).
    Point {
        marker: usize,
        at: (f32, f32),
    },
    /// Rectangles of one fill as one path (its data a range of the path buffer): filled
    /// outlines, or, when they are all as wide (or all as high), strokes that wide along their
    /// middles (`stroke`), which take half the bytes.
    Bars {
        d: Range<usize>,
        fill: &'a str,
        stroke: Option<String>,
    },
    /// A lone `<line>` as a path of one segment (its attributes, the line's four among them).
    Segment {
        attrs: Range<usize>,
    },
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

/// Appends `v` with every plain decimal number in it rounded to a whole one (`65.3 -0.4` as
/// `65 0`): half a pixel of a point, a bar's end or a text's place is not seen, and a whole
/// number is shorter. Anything else is copied as it is.
fn push_rounded(out: &mut String, v: &str) {
    let b = v.as_bytes();
    let mut i = 0;
    let mut from = 0;
    while i < b.len() {
        let starts = b[i].is_ascii_digit() && (i == 0 || !(b[i - 1].is_ascii_digit() || b[i - 1] == b'.'));
        if !starts {
            i += 1;
            continue;
        }
        let start = if i > 0 && b[i - 1] == b'-' { i - 1 } else { i };
        let mut end = i;
        while end < b.len() && (b[end].is_ascii_digit() || b[end] == b'.') {
            end += 1;
        }
        // Not the start of an exponent (`1.5e3`), which is left as it is.
        let plain = !b.get(end).is_some_and(|c| *c == b'e' || *c == b'E');
        if let (true, Some(n)) = (plain && v[i..end].contains('.'), whole(&v[start..end])) {
            out.push_str(&v[from..start]);
            push_int(out, n);
            from = end;
        }
        i = end;
    }
    out.push_str(&v[from..]);
}

/// A number as the whole number nearest it, if it is a plain decimal of a drawing's size.
fn whole(v: &str) -> Option<i64> {
    let f: f64 = v.parse().ok()?;
    (f.abs() < 1e9).then(|| f.round() as i64)
}

fn push_int(out: &mut String, n: i64) {
    let _ = write!(out, "{n}");
}

/// Two numbers of path data: apart by a space, or by the second's minus sign.
fn pair(a: f64, b: f64) -> String {
    let (a, b) = (num(a), num(b));
    if b.starts_with('-') {
        a + &b
    } else {
        a + " " + &b
    }
}

/// A whole number or one and a half as written in path data: `30`, `30.5`, `-5`.
fn num(v: f64) -> String {
    if v == v.round() {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Whether `v` without its trailing `.0`s is `want`.
fn trimmed_is(v: &str, want: &str, scratch: &mut String) -> bool {
    scratch.clear();
    push_trimmed(scratch, v);
    scratch == want
}

/// Appends path data without the spaces beside its command letters, and without an `L` that
/// follows a move or another `L` (a pair of numbers there is a line to it anyway): `M 1 2 L 3 4
/// L 5 6 Z` as `M1 2 3 4 5 6Z`.
fn push_tight_path(out: &mut String, d: &str) {
    let d = d.trim();
    let b = d.as_bytes();
    let mut from = 0;
    let mut command = 0u8;
    for i in 0..b.len() {
        // Bytes of a multi-byte character are never ASCII letters, so bytes decide as characters would.
        let beside_letter = (i > 0 && b[i - 1].is_ascii_alphabetic()) || b.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic());
        if b[i] == b' ' && beside_letter {
            out.push_str(&d[from..i]);
            from = i + 1;
        } else if b[i] == b'L' && matches!(command, b'M' | b'L') {
            out.push_str(&d[from..i]);
            // A space keeps the numbers apart, unless a sign does.
            if !b.get(i + 1).is_some_and(|n| *n == b'-' || *n == b' ' && b.get(i + 2) == Some(&b'-')) {
                out.push(' ');
            }
            from = i + 1;
        }
        if b[i].is_ascii_alphabetic() && b[i] != b'e' && b[i] != b'E' {
            command = b[i];
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
    // 1 px lines (grid, axes, ticks) are placed in the middle of a pixel, so they are one pixel
    // sharp rather than two blurred; other numbers are whole.
    let thin = doc.attr(&group, "stroke-width").is_none_or(|w| w == "1");
    let across = |v: f64| if thin { v.floor() + 0.5 } else { v.round() };
    // Where the pen is: a move or a line from there may be shorter written relative to it.
    let mut pen: Option<(f64, f64)> = None;
    let mut j = i + 1;
    let found = loop {
        match doc.nodes.get(j) {
            Some(Node::Close("g")) => break true,
            Some(n) if is_blank(n) => {}
            Some(Node::Tag { name: "line", attrs: a, empty: true, .. }) if a.len() == 4 => {
                let a = &doc.attrs[a.clone()];
                let get = |name: &str| a.iter().find(|x| x.name == name).and_then(|x| x.value.parse::<f64>().ok()).filter(|v| v.abs() < 1e9);
                let (Some(x1), Some(y1), Some(x2), Some(y2)) = (get("x1"), get("y1"), get("x2"), get("y2")) else { break false };
                let ((x1, y1), (x2, y2), end) = if y1 == y2 {
                    let y = across(y1);
                    ((x1.round(), y), (x2.round(), y), 'H')
                } else if x1 == x2 {
                    let x = across(x1);
                    ((x, y1.round()), (x, y2.round()), 'V')
                } else {
                    ((x1.round(), y1.round()), (x2.round(), y2.round()), 'L')
                };
                let p = &mut doc.paths;
                let shorter = |p: &mut String, abs: String, rel: Option<String>| match rel {
                    Some(rel) if rel.len() < abs.len() => p.push_str(&rel),
                    _ => p.push_str(&abs),
                };
                let moved = pen.map(|(px, py)| format!("m{}", pair(x1 - px, y1 - py)));
                shorter(p, format!("M{}", pair(x1, y1)), moved);
                match end {
                    'H' => shorter(p, format!("H{}", num(x2)), Some(format!("h{}", num(x2 - x1)))),
                    'V' => shorter(p, format!("V{}", num(y2)), Some(format!("v{}", num(y2 - y1)))),
                    _ => shorter(p, format!("L{}", pair(x2, y2)), Some(format!("l{}", pair(x2 - x1, y2 - y1)))),
                }
                pen = Some((x2, y2));
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

/// A point marker: the shape that marks the points of a series' line (see `draw::symbol`), or
/// the white ring around its flagged points, and its definition.
pub(super) struct Marker {
    /// `p` with the shape's and the colour's number, or `r` with the colour's for rings: short,
    /// and never the id of a sprite's view (see `super::view`).
    pub id: String,
    /// The shape about its point, with its colours: `<circle r="3" .../>`.
    shape: String,
    /// The `<marker>` element.
    pub def: String,
}

/// Equilateral, pointing up, 4 from its centre to a corner; and a square on its corner.
const TRIANGLE: &str = "0,-4 3.464,2 -3.464,2";
const DIAMOND: &str = "0,-4 4,0 0,4 -4,0";

/// Every marker a drawing may use, in the order their definitions are written: for each
/// series colour, the four shapes (series `k` has shape and colour `k % 4`), then the ring.
pub(super) static MARKERS: LazyLock<Vec<Marker>> = LazyLock::new(|| {
    let mut out = Vec::new();
    for (c, colour) in SERIES_COLOURS.iter().enumerate() {
        let paint = format!("stroke=\"{colour}\" fill=\"{colour}\"");
        let shapes = [
            format!("<circle r=\"3\" stroke-width=\"2\" {paint}/>"),
            format!("<rect x=\"-3\" y=\"-3\" width=\"6\" height=\"6\" {paint}/>"),
            format!("<polygon points=\"{TRIANGLE}\" {paint}/>"),
            format!("<polygon points=\"{DIAMOND}\" {paint}/>"),
            format!("<circle r=\"6\" stroke-width=\"2\" stroke=\"{colour}\" fill=\"#FFFFFF\"/>"),
        ];
        for (k, shape) in shapes.into_iter().enumerate() {
            let id = if k == 4 { format!("r{c}") } else { format!("p{k}{c}") };
            let def = format!("<marker id=\"{id}\" markerUnits=\"userSpaceOnUse\" overflow=\"visible\">{shape}</marker>");
            out.push(Marker { id, shape, def });
        }
    }
    out
});

// The markers used are a bit set in a u32 (see `marker_defs`).
const _: () = assert!(SERIES_COLOURS.len() * 5 <= 32, "more markers than bits in the set of those used");

/// The shape that marks series `k`'s points, about (0, 0): for its entry in a legend, so the
/// legend shows the shape the line has, not only its colour.
pub(super) fn series_shape(k: usize) -> &'static str {
    let colour = k % SERIES_COLOURS.len();
    &MARKERS[marker_of(colour, false)].shape
}

/// The marker of series `k`'s points (`ring`: of its flagged points).
fn marker_of(colour: usize, ring: bool) -> usize {
    colour * 5 + if ring { 4 } else { colour }
}

/// The `<defs>` of the markers in `used` (bit `k` for `MARKERS[k]`), or nothing.
pub(super) fn marker_defs(used: u32, out: &mut String) {
    if used == 0 {
        return;
    }
    out.push_str("<defs>");
    for (k, m) in MARKERS.iter().enumerate() {
        if used & (1 << k) != 0 {
            out.push_str(&m.def);
        }
    }
    out.push_str("</defs>\n");
}

/// The points of path data made only of a move and straight lines (`M 1 2 L 3 4`), as charts-rs writes a line.
fn vertices(d: &str) -> Option<Vec<(f32, f32)>> {
    let mut t = d.split_ascii_whitespace();
    let mut out = Vec::new();
    while let Some(command) = t.next() {
        if command != if out.is_empty() { "M" } else { "L" } {
            return None;
        }
        out.push((t.next()?.parse().ok()?, t.next()?.parse().ok()?));
    }
    Some(out)
}

/// A series' line as charts-rs draws it (2 wide, no fill, a series colour, maybe dashed): its
/// marker (a ring for the line of flagged points, which is dashed to nothing) and its points.
fn series_line(doc: &Doc, attrs: &Range<usize>) -> Option<(usize, Vec<(f32, f32)>)> {
    let kept = doc.kept(attrs);
    let dash = doc.attr(attrs, "stroke-dasharray");
    if doc.attr(attrs, "stroke-width") != Some("2") || doc.attr(attrs, "fill") != Some("none") || kept != 4 + usize::from(dash.is_some()) {
        return None;
    }
    let colour = SERIES_COLOURS.iter().position(|c| doc.attr(attrs, "stroke") == Some(c))?;
    let points = vertices(doc.attr(attrs, "d")?)?;
    Some((marker_of(colour, dash == Some(RING_DASH)), points))
}

/// The dashes of a line drawn only to place rings on its points (see `draw::line`).
pub(super) const RING_DASH: &str = "0,100000";

/// A plain rectangle's fill: one with a position, a size and a fill but nothing else.
fn plain_rect<'a>(doc: &Doc<'a>, n: &Node) -> Option<&'a str> {
    let Node::Tag { name: "rect", attrs, empty: true, .. } = n else { return None };
    // A negative size would not be a rectangle (and `h-` before it no number).
    let all = ["x", "y", "width", "height"].iter().all(|k| doc.attr(attrs, k).is_some_and(|v| is_number(v) && (k.len() == 1 || !v.starts_with('-'))));
    (all && doc.kept(attrs) == 5).then(|| doc.attr(attrs, "fill")).flatten()
}

/// Two or more plain rectangles of one fill in a row, from `nodes[i]`: one path of them (its
/// data added to `doc.paths`) and the index after the last.
fn bars_as_path<'a>(doc: &mut Doc<'a>, i: usize) -> Option<(Node<'a>, usize)> {
    let fill = plain_rect(doc, &doc.nodes[i])?;
    let mut rects = vec![i];
    let mut j = i + 1;
    loop {
        let mut k = j;
        while doc.nodes.get(k).is_some_and(is_blank) {
            k += 1;
        }
        match doc.nodes.get(k) {
            Some(n) if plain_rect(doc, n) == Some(fill) => {
                rects.push(k);
                j = k + 1;
            }
            _ => break,
        }
    }
    if rects.len() < 2 {
        return None;
    }
    let boxes: Vec<[f64; 4]> = rects
        .iter()
        .filter_map(|&r| match &doc.nodes[r] {
            Node::Tag { attrs, .. } => {
                let get = |k: &str| doc.attr(attrs, k).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
                Some([get("x"), get("y"), get("width"), get("height")])
            }
            _ => None,
        })
        .collect();
    // Bars as wide as each other (or as high): strokes of that width along their middles,
    // placed to half a pixel; their ends whole.
    let same = |k: usize| Some(boxes[0][k]).filter(|w| *w > 0.0 && boxes.iter().all(|b| (b[k] - w).abs() < 1e-3));
    let start = doc.paths.len();
    let p = &mut doc.paths;
    let half = |v: f64| (2.0 * v).round() as i64;
    let whole = |v: f64| v.round() as i64;
    let stroke = if let Some(w) = same(2) {
        for [x, y, w, h] in &boxes {
            p.push('M');
            push_half(p, half(x + w / 2.0));
            let _ = write!(p, " {}V{}", whole(*y), whole(y + h));
        }
        Some(w)
    } else if let Some(h) = same(3) {
        for [x, y, w, h] in &boxes {
            let _ = write!(p, "M{} ", whole(*x));
            push_half(p, half(y + h / 2.0));
            let _ = write!(p, "H{}", whole(x + w));
        }
        Some(h)
    } else {
        // Whole edges (not a rounded size), so bars side by side or stacked still meet.
        for [x, y, w, h] in &boxes {
            let (left, top, right, bottom) = (whole(*x), whole(*y), whole(x + w), whole(y + h));
            let _ = write!(p, "M{left} {top}h{}v{}h-{}z", right - left, bottom - top, right - left);
        }
        None
    };
    let stroke = stroke.map(|w| {
        let mut out = String::new();
        push_trimmed(&mut out, &format!("{w:.1}"));
        out
    });
    Some((Node::Bars { d: start..doc.paths.len(), fill, stroke }, j))
}

/// Appends `n / 2`: a whole number or one and a half.
fn push_half(out: &mut String, n: i64) {
    let _ = write!(out, "{}", n.div_euclid(2));
    if n.rem_euclid(2) == 1 {
        out.push_str(".5");
    }
}

/// A lone line of plain numbers, from `nodes[i]`, as a path of one segment.
fn line_as_segment(doc: &Doc, i: usize) -> Option<Node<'static>> {
    let Node::Tag { name: "line", attrs, empty: true, .. } = &doc.nodes[i] else { return None };
    ["x1", "y1", "x2", "y2"].iter().all(|k| doc.attr(attrs, k).is_some_and(is_number)).then(|| Node::Segment { attrs: attrs.clone() })
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
/// value its root names; `marked`: whether series' lines are to be marked at their points
/// (line charts: charts-rs is asked to draw no points). Appends the body as it was if it is
/// not as expected. Gives back the markers the body uses (bit `k` for `MARKERS[k]`), whose definitions the file must hold.
pub(super) fn compact_into(out: &mut String, body: &str, width: f32, height: f32, root_font: &str, marked: bool) -> u32 {
    let Some(mut doc) = parse(body, root_font) else {
        out.push_str(&body.replace(&format!(" font-family=\"{root_font}\""), ""));
        return 0;
    };
    let mut w = String::new();
    push_trimmed(&mut w, &width.to_string());
    let mut scratch = String::new();
    let mut nodes: Vec<Node> = Vec::with_capacity(doc.nodes.len());
    let mut used = 0u32;
    let mut i = 0;
    while i < doc.nodes.len() {
        if let Some((path, next)) = lines_as_path(&mut doc, i) {
            nodes.push(path);
            i = next;
            continue;
        }
        let node = doc.nodes[i].clone();
        if let Node::Tag { name: "path", attrs, empty: true, .. } = &node {
            if let Some((marker, points)) = series_line(&doc, attrs).filter(|_| marked) {
                match points[..] {
                    // A line of one point draws nothing but its mark.
                    [at] => nodes.push(Node::Point { marker, at }),
                    _ => {
                        used |= 1 << marker;
                        nodes.push(Node::Marked { attrs: attrs.clone(), marker });
                    }
                }
                i += 1;
                continue;
            }
        }
        // charts-rs's background: white, from the top left corner, as wide as the drawing and
        // no higher (the source line below it may have made the drawing higher).
        let background = match &node {
            Node::Tag { name: "rect", attrs, empty: true, .. } if doc.kept(attrs) == 5 => {
                let mut is = |name: &str, want: &str| doc.attr(attrs, name).is_some_and(|v| trimmed_is(v, want, &mut scratch));
                is("x", "0")
                    && is("y", "0")
                    && is("width", &w)
                    && doc.attr(attrs, "height").and_then(|v| v.parse::<f32>().ok()).is_some_and(|v| v <= height + 0.01)
                    && doc.attr(attrs, "fill").is_some_and(|f| f.eq_ignore_ascii_case("#FFFFFF"))
            }
            _ => false,
        };
        if background {
            i += 1;
            continue;
        }
        if let Some((bars, next)) = bars_as_path(&mut doc, i) {
            nodes.push(bars);
            i = next;
            continue;
        }
        nodes.push(line_as_segment(&doc, i).unwrap_or(node));
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
                write_attrs(out, &doc, attrs, &mut scratch);
                out.push_str(if *empty { "/>" } else { ">" });
                in_text = !*empty && *name == "text";
            }
            Node::Marked { attrs, marker } => {
                out.push_str("<path");
                write_line_attrs(out, &doc, attrs, &mut scratch);
                let url = format!("url(#{})", MARKERS[*marker].id);
                for key in ["marker-start", "marker-mid", "marker-end"] {
                    push_attr(out, key, &url);
                }
                out.push_str("/>");
                in_text = false;
            }
            Node::Point { marker, at } => {
                // The marker's shape, moved to the point.
                let shape = &MARKERS[*marker].shape;
                let _ = write!(out, "<g transform=\"translate({} {})\">{shape}</g>", at.0.round(), at.1.round());
                in_text = false;
            }
            Node::Bars { d, fill, stroke } => {
                out.push_str("<path");
                push_attr(out, "d", &doc.paths[d.clone()]);
                match stroke {
                    Some(w) => {
                        push_attr(out, "stroke", fill);
                        push_attr(out, "stroke-width", w);
                    }
                    None => push_attr(out, "fill", fill),
                }
                out.push_str("/>");
                in_text = false;
            }
            Node::Segment { attrs } => {
                let get = |k: &str| doc.attr(attrs, k).unwrap_or("0");
                out.push_str("<path d=\"M");
                push_rounded(out, get("x1"));
                out.push(' ');
                push_rounded(out, get("y1"));
                if same_trimmed(get("y1"), get("y2"), &mut String::new(), &mut String::new()) {
                    out.push('H');
                    push_rounded(out, get("x2"));
                } else if same_trimmed(get("x1"), get("x2"), &mut String::new(), &mut String::new()) {
                    out.push('V');
                    push_rounded(out, get("y2"));
                } else {
                    out.push('L');
                    push_rounded(out, get("x2"));
                    out.push(' ');
                    push_rounded(out, get("y2"));
                }
                out.push('"');
                for a in doc.attrs[attrs.clone()].iter().filter(|a| !a.drop && !matches!(a.name, "x1" | "y1" | "x2" | "y2")) {
                    push_attr(out, a.name, a.value);
                }
                out.push_str("/>");
                in_text = false;
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
    used
}

/// A tag's attributes that no edit took out, numbers without a trailing `.0`, path data tight.
fn write_attrs(out: &mut String, doc: &Doc, attrs: &Range<usize>, scratch: &mut String) {
    write_attrs_with(out, doc, attrs, scratch, push_rounded);
}

/// [`write_attrs`] for a series' line: its path keeps charts-rs's tenths, as whole pixels
/// would make a line that rises slowly climb in steps (a figure's place is what a line shows).
fn write_line_attrs(out: &mut String, doc: &Doc, attrs: &Range<usize>, scratch: &mut String) {
    write_attrs_with(out, doc, attrs, scratch, push_trimmed);
}

fn write_attrs_with(out: &mut String, doc: &Doc, attrs: &Range<usize>, scratch: &mut String, path_numbers: fn(&mut String, &str)) {
    for a in doc.attrs[attrs.clone()].iter().filter(|a| !a.drop) {
        out.push(' ');
        out.push_str(a.name);
        out.push_str("=\"");
        match a.name {
            "d" => {
                scratch.clear();
                path_numbers(scratch, a.value);
                push_tight_path(out, scratch);
            }
            "x" | "y" | "x1" | "y1" | "x2" | "y2" | "cx" | "cy" | "width" | "height" => push_rounded(out, a.value),
            "r" | "points" => push_trimmed(out, a.value),
            _ => out.push_str(a.value),
        }
        out.push('"');
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
        compact_into(&mut out, body, width, height, "Arial", true);
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
        assert_eq!(tight_path("M 612 144 L 607 139 Z"), "M612 144 607 139Z");
        assert_eq!(tight_path("M 1 2 L 3 -4 L -5 6 H 7 L 8 9"), "M1 2 3 -4-5 6H7L8 9");
        assert_eq!(tight_path(" M 1 2 "), "M1 2");
    }

    #[test]
    fn lines_become_one_path_and_texts_lose_padding() {
        let body = "<rect x=\"0\" y=\"0\" width=\"640\" height=\"360\" fill=\"#FFFFFF\"/>\n<g>\n<g stroke=\"#505A5F\" stroke-width=\"1\">\n<line x1=\"34\" y1=\"50\" x2=\"34\" y2=\"285\"/>\n<line x1=\"34\" y1=\"50\" x2=\"29.0\" y2=\"50\"/>\n</g>\n<text font-size=\"12\" font-family=\"Arial\" x=\"7\" y=\"54\" fill=\"#505A5F\">\n100\n</text>\n<text font-size=\"12\" x=\"14\" y=\"101\" fill=\"#505A5F\">\n80 &amp; 1.0\n</text>\n</g>";
        assert_eq!(
            compact(body, 640.0, 360.0),
            "<g fill=\"#505A5F\">\n<path d=\"M34.5 50V285M34 50.5H29\" stroke=\"#505A5F\"/>\n<text x=\"7\" y=\"54\">100</text>\n<text x=\"14\" y=\"101\">80 &amp; 1.0</text>\n</g>"
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
        compact_into(&mut out, "\n\n<g>\n<text>a</text>\n</g>\n\n", 1.0, 1.0, "Arial", true);
        assert_eq!(out, "<svg>\n<g>\n<text>a</text>\n</g>");
    }

    #[test]
    fn a_series_line_is_marked_at_its_points() {
        let mut out = String::new();
        let body = "<path d=\"M 10.4 20.6 L 30 40\" stroke-width=\"2\" fill=\"none\" stroke=\"#28A197\"/>\n<path d=\"M 50 60\" stroke-width=\"2\" fill=\"none\" stroke=\"#28A197\"/>\n<path d=\"M 1 2 L 3 4\" stroke-width=\"2\" fill=\"none\" stroke=\"#28A197\" stroke-dasharray=\"0,100000\"/>";
        let used = compact_into(&mut out, body, 100.0, 100.0, "Arial", true);
        assert_eq!(
            out,
            // A series' line keeps its tenths (whole pixels made slow rises climb in steps).
            "<path d=\"M10.4 20.6 30 40\" stroke-width=\"2\" fill=\"none\" stroke=\"#28A197\" marker-start=\"url(#p11)\" marker-mid=\"url(#p11)\" marker-end=\"url(#p11)\"/>\n\
             <g transform=\"translate(50 60)\"><rect x=\"-3\" y=\"-3\" width=\"6\" height=\"6\" stroke=\"#28A197\" fill=\"#28A197\"/></g>\n\
             <path d=\"M1 2 3 4\" stroke-width=\"2\" fill=\"none\" stroke=\"#28A197\" stroke-dasharray=\"0,100000\" marker-start=\"url(#r1)\" marker-mid=\"url(#r1)\" marker-end=\"url(#r1)\"/>"
        );
        assert_eq!(used, 1 << marker_of(1, false) | 1 << marker_of(1, true));
        let mut defs = String::new();
        marker_defs(used, &mut defs);
        assert!(defs.starts_with("<defs><marker id=\"p11\" markerUnits=\"userSpaceOnUse\"") && defs.contains("<marker id=\"r1\""), "{defs}");
        // Not a line chart's: nothing is marked.
        let mut plain = String::new();
        assert_eq!(compact_into(&mut plain, body, 100.0, 100.0, "Arial", false), 0);
        assert!(!plain.contains("marker"));
    }

    #[test]
    fn bars_become_one_path() {
        // As wide as each other: strokes along their middles; otherwise closed rectangles.
        let same = "<rect x=\"39\" y=\"62.1\" width=\"68.7\" height=\"259.9\" fill=\"#12436D\"/>\n<rect x=\"117.7\" y=\"85.4\" width=\"68.7\" height=\"236.6\" fill=\"#12436D\"/>\n<rect x=\"1\" y=\"1\" width=\"5\" height=\"5\" fill=\"#28A197\"/>";
        assert_eq!(
            compact(same, 640.0, 360.0),
            "<path d=\"M73.5 62V322M152 85V322\" stroke=\"#12436D\" stroke-width=\"68.7\"/>\n<rect x=\"1\" y=\"1\" width=\"5\" height=\"5\" fill=\"#28A197\"/>"
        );
        let mixed = "<rect x=\"0.4\" y=\"10\" width=\"5\" height=\"20\" fill=\"#12436D\"/><rect x=\"10\" y=\"12\" width=\"7\" height=\"18\" fill=\"#12436D\"/>";
        assert_eq!(compact(mixed, 640.0, 360.0), "<path d=\"M0 10h5v20h-5zM10 12h7v18h-7z\" fill=\"#12436D\"/>");
    }

    #[test]
    fn lines_are_paths_and_thin_ones_sit_on_half_pixels() {
        assert_eq!(
            compact("<line x1=\"541.4\" y1=\"185.2\" x2=\"549\" y2=\"185.2\" stroke=\"#801650\" stroke-width=\"3\"/>", 640.0, 360.0),
            "<path d=\"M541 185H549\" stroke=\"#801650\" stroke-width=\"3\"/>"
        );
        let grid = "<g stroke=\"#DDDDDD\" stroke-width=\"1\">\n<line x1=\"34\" y1=\"78.7\" x2=\"535\" y2=\"78.7\"/>\n<line x1=\"34\" y1=\"30\" x2=\"34\" y2=\"322\"/>\n</g>";
        assert_eq!(compact(grid, 640.0, 360.0), "<path d=\"M34 78.5H535M34.5 30V322\" stroke=\"#DDDDDD\"/>");
        // A move from where the last line ended, when that is shorter.
        let ticks = "<g stroke=\"#505A5F\">\n<line x1=\"34\" y1=\"30\" x2=\"29\" y2=\"30\"/>\n<line x1=\"34\" y1=\"78.7\" x2=\"29\" y2=\"78.7\"/>\n<line x1=\"221.9\" y1=\"322\" x2=\"221.9\" y2=\"327\"/>\n<line x1=\"409.8\" y1=\"322\" x2=\"409.8\" y2=\"327\"/>\n</g>";
        assert_eq!(compact(ticks, 640.0, 360.0), "<path d=\"M34 30.5H29m5 48H29M221.5 322v5m188-5v5\" stroke=\"#505A5F\"/>");
        let mut out = String::new();
        push_rounded(&mut out, "M 65.3 -256.5 L 1.5e3 0.4");
        assert_eq!(out, "M 65 -257 L 1.5e3 0");
    }
}
