//! The one place YAML is parsed: text in, a tree of nodes with positions out.
//!
//! We deserialise into our own spanned tree rather than into typed structs because
//! serde loses positions inside untagged enums (`81` or `{ value: 81 }`), and because
//! typed conversion of our own can report every problem in a file, not just the first.
//!
//! Public (beside `load`'s entry) for the fuzz tests and the publishing test, which read
//! YAML with the project's own reader. Must not import anything but `diagnostic::Pos`.

use crate::diagnostic::Pos;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// A YAML value and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Line and column of the value.
    pub pos: Pos,
    /// The value.
    pub value: Value,
}

/// A YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number with a fraction.
    Float(f64),
    /// Text.
    Str(String),
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, in file order (duplicate keys are rejected by the parser).
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// What kind of value this is, in an officer's words.
    pub(crate) fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "true/false",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping of keys to values",
        }
    }
    /// The text of a string, or of a scalar as written (numbers and booleans as keys).
    pub fn as_key(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    /// A number, if this is one.
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self.value {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }
}

/// A YAML syntax or structure problem.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    /// Where, 1-based.
    pub pos: Pos,
    /// What is wrong.
    pub message: String,
    /// How to mend it.
    pub help: &'static str,
}

/// Parses one YAML document; an empty document is `Null`.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    if let Some(e) = tab_indentation(text) {
        return Err(e);
    }
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    options.with_snippet = false;
    // Whole archives of figures exceed the default node budget; depth stays small
    // because our files are shallow, which also stops 10,000-deep nesting at once.
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = 5_000_000;
    budget.max_events = 20_000_000;
    budget.max_total_scalar_bytes = 256 * 1024 * 1024;
    budget.max_depth = 64;
    options.budget = Some(budget);
    // Report files have no use for aliases: a few are tolerated, a bomb stops at once.
    let mut aliases = serde_saphyr::options::AliasLimits::default();
    aliases.max_total_replayed_events = 100_000;
    aliases.max_alias_expansions_per_anchor = 1_000;
    options.alias_limits = aliases;
    if text.trim().is_empty() || text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || l.trim() == "---") {
        return Ok(Node { pos: Pos::new(1, 1), value: Value::Null });
    }
    serde_saphyr::from_str_with_options::<Node>(text, options).map_err(|e| convert_error(e, text))
}

/// YAML forbids tabs in indentation; say so plainly before the parser does obscurely.
fn tab_indentation(text: &str) -> Option<YamlError> {
    for (i, line) in text.lines().enumerate() {
        let indent: String = line.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
        if let Some(col) = indent.find('\t') {
            return Some(YamlError {
                pos: Pos::new(i as u32 + 1, col as u32 + 1),
                message: "a tab is used for indentation".into(),
                help: "YAML indents with spaces only: replace the tab with spaces (two per level)",
            });
        }
    }
    None
}

// Long: one table of serde-saphyr messages and the officer's words for each, best read together.
fn convert_error(e: serde_saphyr::Error, text: &str) -> YamlError {
    let mut pos = e.location().map(|l| Pos::new(l.line() as u32, l.column() as u32)).filter(|p| p.line > 0).unwrap_or(Pos::new(1, 1));
    let mut opts = serde_saphyr::RenderOptions::new(&serde_saphyr::UserMessageFormatter);
    opts.snippets = serde_saphyr::SnippetMode::Off;
    let rendered = e.render_with_options(opts);
    let parser = strip_location(rendered.lines().next().unwrap_or("invalid YAML").trim()).to_string();
    let lower = parser.to_lowercase();
    let lines: Vec<&str> = text.lines().collect();
    let line_at = |n: u32| lines.get((n as usize).wrapping_sub(1)).copied().unwrap_or("");

    if lower.contains("duplicate") {
        let key = parser.split('`').nth(1).unwrap_or("this key");
        let first = lines
            .iter()
            .take((pos.line as usize).saturating_sub(1))
            .position(|l| l.trim_start().starts_with(&format!("{key}:")))
            .map(|i| format!(" (first on line {})", i + 1))
            .unwrap_or_default();
        return YamlError { pos, message: format!("\"{key}\" is listed twice{first}"), help: "keep one of them: a key may appear once in each list of keys" };
    }
    if ["budget", "depth", "alias", "nesting", "limit", "too large", "too complex", "recursion"].iter().any(|w| lower.contains(w)) {
        return YamlError {
            pos,
            message: "the file is too deeply nested or expands too many aliases (&anchors and *references)".into(),
            help: "report files are shallow lists of keys and values: remove the nesting or aliases",
        };
    }
    // A non-breaking space (pasted from Word or a web page) looks like a space but is not one.
    for n in [pos.line, pos.line.saturating_sub(1)] {
        if let Some(col) = line_at(n).chars().position(|c| c == '\u{a0}') {
            return YamlError {
                pos: Pos::new(n, col as u32 + 1),
                message: "a non-breaking space (often pasted from Word or a web page) is where an ordinary space should be".into(),
                help: "delete the space and type an ordinary one",
            };
        }
    }
    let (message, help): (String, &'static str) = if lower.contains("mapping values are not allowed") {
        (
            "this line has a second \": \", which YAML reads as the start of another key".into(),
            "if the text contains a colon and a space, put the whole text in double quotes, e.g.  summary: \"Reviews: up again\"",
        )
    } else if lower.contains("block sequence entries are not allowed") {
        (
            "a \"-\" here starts a list where a single value was expected".into(),
            "for a figure that is not available write null; a list item goes on its own line, indented under its key",
        )
    } else if lower.contains("expected ',' or '}'") || lower.contains("flow mapping") {
        (
            "the { ... } on this line is not closed, or its items are not separated by commas".into(),
            "separate the items with commas and end with }, e.g.  months: { 2025-01: 72, 2025-02: 66 }",
        )
    } else if lower.contains("expected ',' or ']'") || lower.contains("flow sequence") {
        (
            "the [ ... ] on this line is not closed, or its items are not separated by commas".into(),
            "separate the items with commas and end with ], e.g.  flags: [estimated]",
        )
    } else if lower.contains("unclosed bracket") {
        (format!("a bracket is opened but not closed ({parser})"), "close it on the same line with } or ]")
    } else if lower.contains("quoted scalar") || lower.contains("unexpected end of stream") && text.matches('"').count() % 2 == 1 {
        // The parser notices at the next line; point at the line where the quote opens.
        if let Some(n) = (1..=pos.line).rev().find(|n| line_at(*n).matches('"').count() % 2 == 1) {
            pos = Pos::new(n, line_at(n).find('"').map(|c| line_at(n)[..c].chars().count() as u32 + 1).unwrap_or(1));
        }
        ("a quotation mark is opened but not closed".into(), "end the text with the same quotation mark it starts with, on the same line")
    } else if lower.contains("expected key") || lower.contains("simple key") || lower.contains("expected ':'") || lower.contains("could not find expected") {
        (
            "this line is not \"key: value\" as expected here".into(),
            "check there is a colon and then a space after the key, and that the line is indented like the ones around it (two spaces a level)",
        )
    } else if lower.contains("indentation") {
        (
            "the indentation of this line does not match the lines around it".into(),
            "indent with spaces, two a level, lining the line up with the others at its level",
        )
    } else {
        (format!("the file cannot be read as YAML ({parser})"), "check the indentation, colons and quotes on this line and the one before")
    };
    let message = if message.contains(&parser) { message } else { format!("{message} (the parser says: {parser})") };
    YamlError { pos, message, help }
}

/// Drops a trailing " at line N column M" that the parser appends.
fn strip_location(s: &str) -> &str {
    for marker in [" at line ", " at ", ", line "] {
        if let Some(i) = s.rfind(marker) {
            if s[i + marker.len()..].chars().any(|c| c.is_ascii_digit()) && s[i + marker.len()..].len() < 40 {
                return &s[..i];
            }
        }
    }
    s
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<Value>::deserialize(d)?;
        let loc = s.referenced;
        Ok(Node { pos: Pos::new(loc.line() as u32, loc.column() as u32), value: s.value })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map(Value::Int).unwrap_or(Value::Float(v as f64)))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map(Value::Int).unwrap_or(Value::Float(v as f64)))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(i64::try_from(v).map(Value::Int).unwrap_or(Value::Float(v as f64)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(crate::dialect::without_marks(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(crate::dialect::without_marks(v)))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(crate::dialect::without_marks(String::from_utf8_lossy(v).into_owned())))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(n) = seq.next_element::<Node>()? {
            items.push(n);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(k) = map.next_key::<Node>()? {
            let v = map.next_value::<Node>()?;
            items.push((k, v));
        }
        Ok(Value::Map(items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_nested_values() {
        let n = parse("values:\n  a: 81\n  b:\n    value: 3\n").unwrap();
        let Value::Map(top) = &n.value else { panic!() };
        let Value::Map(vals) = &top[0].1.value else { panic!() };
        assert_eq!(vals[0].0.pos, Pos::new(2, 3));
        assert_eq!(vals[0].1.pos, Pos::new(2, 6));
        assert_eq!(vals[0].1.value, Value::Int(81));
        let Value::Map(b) = &vals[1].1.value else { panic!() };
        assert_eq!(b[0].1.pos, Pos::new(4, 12));
    }

    #[test]
    fn months_and_dates_stay_text() {
        let n = parse("2024-07: 1\nd: 2025-01-08\nx: yes\n").unwrap();
        let Value::Map(m) = &n.value else { panic!() };
        assert_eq!(m[0].0.value, Value::Str("2024-07".into()));
        assert_eq!(m[1].1.value, Value::Str("2025-01-08".into()));
        assert_eq!(m[2].1.value, Value::Str("yes".into()));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let e = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(e.pos.line, 3, "{e:?}");
        assert_eq!(e.message, "\"a\" is listed twice (first on line 1)");
    }

    #[test]
    fn tabs_are_named() {
        let e = parse("a:\n\tb: 1\n").unwrap_err();
        assert_eq!(e.pos, Pos::new(2, 1));
    }

    #[test]
    fn deep_nesting_fails_fast() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let t = std::time::Instant::now();
        assert!(parse(&text).is_err());
        assert!(t.elapsed().as_secs() < 2);
    }

    #[test]
    fn alias_bomb_fails() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            s.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n", p = i - 1));
        }
        assert!(parse(&s).is_err());
    }
}
