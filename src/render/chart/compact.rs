//! Smaller SVG for the same drawing: charts-rs writes for readability, and a site has thousands
//! of charts. Each edit leaves what a browser or the PDF draws unchanged:
//! - the newline padding around a `<text>`'s words (`<text ...>\n1,200\n</text>`) goes: SVG
//!   drops leading and trailing white space of a text's words anyway;
//! - a group of plain `<line>`s (grid lines, axis ticks) becomes one `<path>` of straight
//!   segments, each its own subpath: a path with no area fills nothing, and butt ends are the
//!   same;
//! - `font-size="12"` goes from every element: the drawing's root says it once (see
//!   [`ROOT_FONT_SIZE`]); `text-anchor="start"` and a group's `stroke-width="1"` are defaults;
//! - numbers lose a trailing `.0`, and path data the spaces beside its command letters;
//! - a group of texts that all share a colour or alignment says it once, on the group;
//! - the drawing's full-size white background rectangle goes: pages, prints and a browser
//!   showing the file alone are white behind it.
//!
//! Anything it does not recognise is copied as it is, and text is never touched but for the
//! padding, so a figure's words cannot change.

/// Written on the root of every drawing, so its elements need not repeat it.
pub(super) const ROOT_FONT_SIZE: &str = " font-size=\"12\"";

/// A piece of the SVG: a tag (with its attributes) or the text between tags.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Open(String, Vec<(String, String)>),
    Empty(String, Vec<(String, String)>),
    Close(String),
    Text(String),
}

/// The nodes of an SVG fragment, or `None` if it is not as charts-rs and this crate write it.
fn parse(s: &str) -> Option<Vec<Node>> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            out.push(Node::Text(rest.to_string()));
            break;
        };
        if lt > 0 {
            out.push(Node::Text(rest[..lt].to_string()));
        }
        let gt = lt + rest[lt..].find('>')?;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            out.push(Node::Close(name.trim().to_string()));
            continue;
        }
        let (tag, empty) = match tag.strip_suffix('/') {
            Some(t) => (t, true),
            None => (tag, false),
        };
        let name_end = tag.find(|c: char| c.is_ascii_whitespace()).unwrap_or(tag.len());
        let name = &tag[..name_end];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':') {
            return None;
        }
        let attrs = attributes(&tag[name_end..])?;
        out.push(if empty { Node::Empty(name.to_string(), attrs) } else { Node::Open(name.to_string(), attrs) });
    }
    Some(out)
}

/// `a="1" b="x y"` as pairs; `None` for any other form.
fn attributes(mut s: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    loop {
        s = s.trim_start();
        if s.is_empty() {
            return Some(out);
        }
        let eq = s.find("=\"")?;
        let name = &s[..eq];
        if name.is_empty() || name.contains(|c: char| c.is_ascii_whitespace() || c == '"') {
            return None;
        }
        let value_end = eq + 2 + s[eq + 2..].find('"')?;
        out.push((name.to_string(), s[eq + 2..value_end].to_string()));
        s = &s[value_end + 1..];
    }
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// `12.0` as `12`, wherever a number ends in `.0` (not `10.05`).
fn trim_zeros(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = String::with_capacity(v.len());
    let mut i = 0;
    while i < b.len() {
        let ends_in_zero = b[i] == b'.'
            && i > 0
            && b[i - 1].is_ascii_digit()
            && b.get(i + 1) == Some(&b'0')
            && !b.get(i + 2).is_some_and(|c| c.is_ascii_digit() || *c == b'.');
        if ends_in_zero {
            i += 2;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// Path data without the spaces beside its command letters: `M 1 2 L 3 4` as `M1 2L3 4`.
fn tight_path(d: &str) -> String {
    let c: Vec<char> = d.trim().chars().collect();
    let mut out = String::with_capacity(d.len());
    for (i, ch) in c.iter().enumerate() {
        let beside_letter = i.checked_sub(1).is_some_and(|p| c[p].is_ascii_alphabetic()) || c.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic());
        if *ch == ' ' && beside_letter {
            continue;
        }
        out.push(*ch);
    }
    out
}

fn is_blank(n: &Node) -> bool {
    matches!(n, Node::Text(t) if t.trim().is_empty())
}

/// A `<g>` of nothing but plain lines, from `nodes[i]`: the path drawing them and the index after
/// the group's end.
fn lines_as_path(nodes: &[Node], i: usize) -> Option<(Node, usize)> {
    let Node::Open(name, attrs) = &nodes[i] else { return None };
    if name != "g" || attrs.is_empty() || !attrs.iter().all(|(n, _)| n == "stroke" || n == "stroke-width") {
        return None;
    }
    let mut d = String::new();
    let mut j = i + 1;
    loop {
        match nodes.get(j)? {
            Node::Close(n) if n == "g" => break,
            n if is_blank(n) => {}
            Node::Empty(n, a) if n == "line" && a.len() == 4 => {
                let (x1, y1, x2, y2) = (attr(a, "x1")?, attr(a, "y1")?, attr(a, "x2")?, attr(a, "y2")?);
                let num = |v: &str| v.parse::<f32>().ok().map(|_| trim_zeros(v));
                let (x1, y1, x2, y2) = (num(x1)?, num(y1)?, num(x2)?, num(y2)?);
                d.push_str(&format!("M{x1} {y1}"));
                if y1 == y2 {
                    d.push_str(&format!("H{x2}"));
                } else if x1 == x2 {
                    d.push_str(&format!("V{y2}"));
                } else {
                    d.push_str(&format!("L{x2} {y2}"));
                }
            }
            _ => return None,
        }
        j += 1;
    }
    if d.is_empty() {
        return None;
    }
    let mut path = vec![("d".to_string(), d)];
    path.extend(attrs.iter().filter(|(n, v)| !(n == "stroke-width" && v == "1")).cloned());
    Some((Node::Empty("path".into(), path), j + 1))
}

/// Moves `fill` and `text-anchor` shared by every text of a bare group onto the group.
fn hoist(nodes: &mut [Node]) {
    for i in 0..nodes.len() {
        if !matches!(&nodes[i], Node::Open(n, a) if n == "g" && a.is_empty()) {
            continue;
        }
        // The group's direct children: texts (with their words) and plain paths, nothing else.
        let mut texts = Vec::new();
        let mut j = i + 1;
        let end = loop {
            match nodes.get(j) {
                Some(Node::Close(n)) if n == "g" => break Some(j),
                Some(Node::Open(n, _)) if n == "text" => {
                    texts.push(j);
                    match (nodes.get(j + 1), nodes.get(j + 2)) {
                        (Some(Node::Text(_)), Some(Node::Close(c))) if c == "text" => j += 2,
                        (Some(Node::Close(c)), _) if c == "text" => j += 1,
                        _ => break None,
                    }
                }
                Some(Node::Empty(n, a)) if n == "path" && attr(a, "fill").is_none() && attr(a, "d").is_some_and(|d| !d.contains(['Z', 'z', 'A', 'C', 'Q'])) => {
                }
                Some(n) if is_blank(n) => {}
                _ => break None,
            }
            j += 1;
        };
        if end.is_none() || texts.len() < 2 {
            continue;
        }
        let mut hoisted = Vec::new();
        for key in ["fill", "text-anchor"] {
            let value = |k: usize| match &nodes[k] {
                Node::Open(_, a) => attr(a, key).map(str::to_string),
                _ => None,
            };
            let first = value(texts[0]);
            if first.is_some() && texts.iter().all(|&k| value(k) == first) {
                for &k in &texts {
                    if let Node::Open(_, a) = &mut nodes[k] {
                        a.retain(|(n, _)| n != key);
                    }
                }
                hoisted.push((key.to_string(), first.unwrap_or_default()));
            }
        }
        if let Node::Open(_, a) = &mut nodes[i] {
            *a = hoisted;
        }
    }
}

/// The drawing's body, smaller (see the module's comment); `width` and `height` are the
/// drawing's, to recognise its background. Returns the body as it was if it is not as expected.
pub(super) fn compact(body: &str, width: f32, height: f32) -> String {
    let Some(nodes) = parse(body) else { return body.to_string() };
    let (w, h) = (trim_zeros(&width.to_string()), trim_zeros(&height.to_string()));
    let mut out: Vec<Node> = Vec::with_capacity(nodes.len());
    let mut i = 0;
    while i < nodes.len() {
        if let Some((path, next)) = lines_as_path(&nodes, i) {
            out.push(path);
            i = next;
            continue;
        }
        let node = match &nodes[i] {
            Node::Open(n, a) => Node::Open(n.clone(), tidy(a)),
            Node::Empty(n, a) => Node::Empty(n.clone(), tidy(a)),
            other => other.clone(),
        };
        let background = matches!(&node, Node::Empty(n, a) if n == "rect"
            && a.len() == 5
            && attr(a, "x") == Some("0") && attr(a, "y") == Some("0")
            && attr(a, "width") == Some(w.as_str()) && attr(a, "height") == Some(h.as_str())
            && attr(a, "fill").is_some_and(|f| f.eq_ignore_ascii_case("#FFFFFF")));
        if !background {
            out.push(node);
        }
        i += 1;
    }
    hoist(&mut out);
    let mut s = String::with_capacity(body.len());
    let mut in_text = false;
    for n in &out {
        match n {
            Node::Open(name, a) | Node::Empty(name, a) => {
                s.push('<');
                s.push_str(name);
                for (k, v) in a {
                    s.push_str(&format!(" {k}=\"{v}\""));
                }
                s.push_str(if matches!(n, Node::Empty(..)) { "/>" } else { ">" });
                in_text = matches!(n, Node::Open(name, _) if name == "text");
            }
            Node::Close(name) => {
                s.push_str(&format!("</{name}>"));
                in_text = false;
            }
            Node::Text(t) if in_text => s.push_str(t.trim_matches('\n')),
            Node::Text(t) if t.trim().is_empty() => {
                if !s.ends_with('\n') {
                    s.push('\n');
                }
            }
            Node::Text(t) => s.push_str(t),
        }
    }
    s.trim().to_string()
}

/// One element's attributes, without defaults and with shorter numbers.
fn tidy(attrs: &[(String, String)]) -> Vec<(String, String)> {
    attrs
        .iter()
        .filter(|(n, v)| !matches!((n.as_str(), v.as_str()), ("font-size", "12") | ("text-anchor", "start")))
        .map(|(n, v)| {
            let v = match n.as_str() {
                "d" => tight_path(&trim_zeros(v)),
                "x" | "y" | "x1" | "y1" | "x2" | "y2" | "cx" | "cy" | "r" | "width" | "height" | "points" => trim_zeros(v),
                _ => v.clone(),
            };
            (n.clone(), v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_lose_only_a_trailing_zero() {
        assert_eq!(trim_zeros("534.0"), "534");
        assert_eq!(trim_zeros("10.05 2.0,3.0"), "10.05 2,3");
        assert_eq!(trim_zeros("0.5"), "0.5");
        assert_eq!(trim_zeros("100"), "100");
        assert_eq!(tight_path("M 612 144 L 607 139 Z"), "M612 144L607 139Z");
    }

    #[test]
    fn lines_become_one_path_and_texts_lose_padding() {
        let body = "<rect x=\"0\" y=\"0\" width=\"640\" height=\"360\" fill=\"#FFFFFF\"/>\n<g>\n<g stroke=\"#505A5F\" stroke-width=\"1\">\n<line x1=\"34\" y1=\"50\" x2=\"34\" y2=\"285\"/>\n<line x1=\"34\" y1=\"50\" x2=\"29.0\" y2=\"50\"/>\n</g>\n<text font-size=\"12\" x=\"7\" y=\"54\" fill=\"#505A5F\">\n100\n</text>\n<text font-size=\"12\" x=\"14\" y=\"101\" fill=\"#505A5F\">\n80 &amp; 1.0\n</text>\n</g>";
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
    }
}
