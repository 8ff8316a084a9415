//! Reading typed fields out of node trees, reporting every problem with its position.

use crate::diagnostic::{suggestion, Diagnostic, Diagnostics, Pos};
use crate::load::{Node, Value};

/// Where problems go while one file is checked.
pub struct Report<'a> {
    /// Site-relative path of the file being checked.
    pub file: &'a str,
    /// Where problems are reported.
    pub diags: &'a mut Diagnostics,
}

impl Report<'_> {
    /// Records an error with how to mend it.
    pub fn error(&mut self, pos: Pos, message: impl Into<String>, help: impl Into<String>) {
        self.diags.push(Diagnostic::error(self.file, pos, message).help(help));
    }
    /// Records a warning with how to mend it.
    pub fn warning(&mut self, pos: Pos, message: impl Into<String>, help: impl Into<String>) {
        self.diags.push(Diagnostic::warning(self.file, pos, message).help(help));
    }
}

/// A mapping whose keys have been checked against the known ones.
pub struct Fields<'n> {
    /// The mapping node.
    pub node: &'n Node,
    entries: &'n [(Node, Node)],
    unknown: Vec<String>,
}

impl<'n> Fields<'n> {
    /// Checks `node` is a mapping and every key is one of `known`; `what` names it ("a metric").
    pub fn read(r: &mut Report, node: &'n Node, what: &str, known: &[&str]) -> Option<Fields<'n>> {
        let Value::Map(entries) = &node.value else {
            r.error(
                node.pos,
                format!("{what} should be a mapping of keys to values, but this is {}", node.kind()),
                format!("write it as key: value lines; the keys are {}", known.join(", ")),
            );
            return None;
        };
        let mut unknown = Vec::new();
        for (k, _) in entries {
            let key = k.as_key().unwrap_or_default();
            if !known.contains(&key.as_str()) {
                unknown.push(key.clone());
                r.error(
                    k.pos,
                    format!("unknown key \"{key}\" in {what}{}", suggestion(&key, known.iter().copied())),
                    format!("the keys allowed here are {}", known.join(", ")),
                );
            }
        }
        Some(Fields { node, entries, unknown })
    }
    /// The value of a key, if present.
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries.iter().find(|(k, _)| k.as_key().as_deref() == Some(key)).map(|(_, v)| v)
    }
    /// The key node of a key, if present.
    pub fn key(&self, key: &str) -> Option<&'n Node> {
        self.entries.iter().find(|(k, _)| k.as_key().as_deref() == Some(key)).map(|(k, _)| k)
    }
    /// Whether an unknown key here is a near miss of `key` (already reported as such).
    pub fn misspelt(&self, key: &str) -> bool {
        self.unknown.iter().any(|u| crate::diagnostic::did_you_mean(u, [key]).is_some())
    }
    /// The value of a key that must be present.
    pub fn required(&self, r: &mut Report, key: &str, what: &str, example: &str) -> Option<&'n Node> {
        let v = self.get(key);
        // A misspelt key has been reported already; "missing" would say the same thing twice.
        if v.is_none() && !self.misspelt(key) {
            r.error(self.node.pos, format!("{what} is missing \"{key}\""), format!("add a line like  {key}: {example}"));
        }
        v
    }
}

/// Non-empty text.
pub fn text(r: &mut Report, node: &Node, what: &str) -> Option<String> {
    match &node.value {
        Value::Str(s) if !s.trim().is_empty() => match hidden_character(s) {
            None => Some(s.trim().to_string()),
            Some(problem) => {
                r.error(node.pos, format!("{what} {problem}"), "retype the text, or paste it as plain text (in Word: Paste Special, Unformatted Text)");
                None
            }
        },
        Value::Str(_) | Value::Null => {
            r.error(node.pos, format!("{what} is empty"), format!("write the {what} after the colon"));
            None
        }
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => Some(node.as_key().unwrap_or_default()),
        _ => {
            r.error(
                node.pos,
                format!("{what} should be text, but this is {}", node.kind()),
                "write it on one line after the colon, in quotes if it contains a colon",
            );
            None
        }
    }
}

/// What is wrong with text holding a character no reader would see: a control character
/// (which also breaks XML outputs such as the feed) or a bidirectional override or isolate
/// (which makes text display in another order than it is stored, so a name can pose as another).
pub fn hidden_character(s: &str) -> Option<String> {
    let c = s.chars().find(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') || !crate::dialect::is_xml_char(*c) || *c == '\u{7F}')?;
    Some(if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
        format!("holds a hidden character that changes the direction of text (U+{:04X})", c as u32)
    } else {
        format!("holds a hidden control character (U+{:04X})", c as u32)
    })
}

/// The largest figure a report can hold: far beyond any council's count or spend, and small
/// enough that sums and means of it never overflow.
pub const LARGEST: f64 = 1e12;

/// A number; text that looks like a formatted number gets a specific mend.
pub fn number(r: &mut Report, node: &Node, what: &str) -> Option<f64> {
    let v = match &node.value {
        Value::Int(i) => *i as f64,
        Value::Float(f) if f.is_finite() => *f,
        _ => return number_problem(r, node, what),
    };
    if v.abs() > LARGEST {
        r.error(
            node.pos,
            format!("{what} is {v:e}, too large for a figure in a report"),
            "check the figure: numbers up to a million million (1000000000000) are accepted",
        );
        return None;
    }
    // -0 is 0: otherwise it would be published as "-0".
    Some(if v == 0.0 { 0.0 } else { v })
}

fn number_problem(r: &mut Report, node: &Node, what: &str) -> Option<f64> {
    match &node.value {
        Value::Str(s) => {
            let cleaned: String = s.chars().filter(|c| !matches!(c, ',' | '%' | '£' | ' ' | '\u{a0}' | '"' | '\'')).collect();
            let help = if s.contains('\u{a0}') && cleaned.parse::<f64>().is_ok() {
                format!("there is a non-breaking space (pasted from Word or a web page) in it: write {cleaned}")
            } else if cleaned.parse::<f64>().is_ok() {
                format!("write the number alone, without commas, %, £ or quotation marks: {cleaned}")
            } else if let Some(lead) = leading_number(s) {
                format!("write the number alone: {lead}")
            } else {
                "write a number, or null if the figure is not available".to_string()
            };
            r.error(node.pos, format!("{what} should be a number, but \"{s}\" is text"), help);
            None
        }
        _ => {
            r.error(node.pos, format!("{what} should be a number, but this is {}", node.kind()), "write a number, or null if the figure is not available");
            None
        }
    }
}

/// A whole number within a range.
pub fn whole(r: &mut Report, node: &Node, what: &str, min: i64, max: i64) -> Option<i64> {
    let v = number(r, node, what)?;
    if v.fract() != 0.0 || v < min as f64 || v > max as f64 {
        r.error(node.pos, format!("{what} should be a whole number from {min} to {max}, but is {v}"), format!("write a whole number from {min} to {max}"));
        return None;
    }
    Some(v as i64)
}

/// `true` or `false`.
pub fn boolean(r: &mut Report, node: &Node, what: &str) -> Option<bool> {
    match &node.value {
        Value::Bool(b) => Some(*b),
        _ => {
            r.error(node.pos, format!("{what} should be true or false, but this is {}", node.kind()), "write true or false");
            None
        }
    }
}

/// One of a fixed set of words.
pub fn one_of<'o>(r: &mut Report, node: &Node, what: &str, options: &[&'o str]) -> Option<&'o str> {
    let word = match &node.value {
        Value::Str(s) => s.as_str(),
        _ => {
            r.error(
                node.pos,
                format!("{what} should be one of {}, but this is {}", options.join(", "), node.kind()),
                format!("write one of {}", options.join(", ")),
            );
            return None;
        }
    };
    if let Some(o) = options.iter().find(|o| **o == word) {
        return Some(o);
    }
    r.error(
        node.pos,
        format!("{what} \"{word}\" is not one of {}{}", options.join(", "), suggestion(&word.to_lowercase(), options.iter().copied())),
        format!("write one of {}", options.join(", ")),
    );
    None
}

/// A list's items.
pub fn list<'n>(r: &mut Report, node: &'n Node, what: &str, example: &str) -> Option<&'n [Node]> {
    match &node.value {
        Value::Seq(items) => Some(items),
        _ => {
            r.error(node.pos, format!("{what} should be a list, but this is {}", node.kind()), format!("write it as a list, for example {example}"));
            None
        }
    }
}

/// A mapping's entries, without key checks (for maps keyed by data, such as metric ids).
pub fn entries<'n>(r: &mut Report, node: &'n Node, what: &str, example: &str) -> Option<&'n [(Node, Node)]> {
    match &node.value {
        Value::Map(e) => Some(e),
        Value::Null => Some(&[]),
        _ => {
            r.error(
                node.pos,
                format!("{what} should be a mapping, but this is {}", node.kind()),
                format!("write it as key: value lines, for example {example}"),
            );
            None
        }
    }
}

/// An id `[a-z0-9-]+`.
pub fn id(r: &mut Report, node: &Node, what: &str) -> Option<String> {
    let s = text(r, node, what)?;
    if crate::catalogue::is_id(&s) {
        Some(s)
    } else {
        let fixed: String = s.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        r.error(node.pos, format!("{what} \"{s}\" may only use lower-case letters, digits and hyphens"), format!("write it as \"{fixed}\""));
        None
    }
}

/// The number a text starts with ("24 months" gives 24, "5th" gives 5).
fn leading_number(s: &str) -> Option<String> {
    let t = s.trim();
    let end = t.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-')).unwrap_or(t.len());
    let n = &t[..end];
    (end > 0 && end < t.len() && n.parse::<f64>().is_ok()).then(|| n.to_string())
}
