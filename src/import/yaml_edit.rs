//! Editing a quarter's figures file as text, so its other keys, order and comments stay as the
//! officer wrote them. Only the lines of the figures an import replaces are rewritten.

use crate::load::{Node, Value};

/// A field of a metric's entry to set (`Some(flow text)`) or remove (`None`).
pub type FieldEdit = (&'static str, Option<String>);

/// One metric's entry to write: its id and the fields to change, in the order to add new ones.
pub struct EntryEdit {
    /// The metric id (the key under `values:`).
    pub id: String,
    /// Fields to set or remove; other fields of the entry are kept.
    pub fields: Vec<FieldEdit>,
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_filler(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// The end (exclusive) of a block child's own lines: its key line and the lines indented under it.
fn content_end(lines: &[String], start: usize, limit: usize, indent: usize) -> usize {
    let mut end = start + 1;
    for (l, line) in lines.iter().enumerate().take(limit).skip(start + 1) {
        if is_filler(line) {
            continue;
        }
        if indentation(line) > indent {
            end = l + 1;
        } else {
            break;
        }
    }
    end
}

/// Whether the value after `key:` on its line is empty (a block value follows on later lines).
fn block_after_key(line: &str, key_col: usize, key: &str) -> bool {
    let rest = line.get(key_col + key.len()..).unwrap_or("");
    let rest = rest.trim_start_matches([' ', '"', '\'']).strip_prefix(':').unwrap_or(rest);
    let rest = rest.split(" #").next().unwrap_or("").trim();
    rest.is_empty()
}

/// A node as one-line flow YAML.
pub fn flow(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => super::yaml_number(*f),
        Value::Str(s) => flow_text(s),
        Value::Seq(items) => format!("[{}]", items.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Value::Map(entries) if entries.is_empty() => "{}".into(),
        Value::Map(entries) => format!("{{ {} }}", entries.iter().map(|(k, v)| format!("{}: {}", flow(k), flow(v))).collect::<Vec<_>>().join(", ")),
    }
}

/// Text safe inside a flow collection: plain when it cannot be misread, else double-quoted.
pub fn flow_text(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_alphanumeric())
        && s.chars().all(|c| c.is_alphanumeric() || " .'&()-/".contains(c))
        && !s.ends_with(' ')
        && s.parse::<f64>().is_err()
        && !matches!(s.to_lowercase().as_str(), "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "~");
    if plain {
        s.to_string()
    } else {
        let quoted = super::yaml_text(&format!("{s}\u{0}"));
        // yaml_text quotes (the NUL forces it); drop the escaped NUL again.
        quoted.replace("\\u0000", "")
    }
}

/// The block children of a mapping whose key is on line `key_line` (0-based): (key, line, column).
fn block_children(node: &Node) -> Vec<(String, usize, usize)> {
    match &node.value {
        Value::Map(entries) => entries.iter().map(|(k, _)| (k.as_key().unwrap_or_default(), k.pos.line as usize - 1, k.pos.column as usize - 1)).collect(),
        _ => Vec::new(),
    }
}

/// Rewrites the block mapping that fills `lines[region]` (keys at the columns of `children`),
/// replacing or removing the children named in `edits` and appending the new ones.
fn edit_block(
    lines: &[String],
    region: std::ops::Range<usize>,
    children: &[(String, usize, usize)],
    indent: usize,
    edits: &[(String, Option<Vec<String>>)],
) -> Vec<String> {
    let mut out = Vec::new();
    let first = children.first().map(|c| c.1).unwrap_or(region.end).min(region.end);
    // Lines before the first key (comments) stay; with no keys, fillers go before appended keys.
    let mut last_content = first;
    out.extend(lines[region.start..first].iter().cloned());
    for (i, (key, start, _)) in children.iter().enumerate() {
        let limit = children.get(i + 1).map(|c| c.1).unwrap_or(region.end);
        let end = content_end(lines, *start, limit, indent);
        match edits.iter().find(|(k, _)| k == key) {
            Some((_, Some(new))) => out.extend(new.iter().cloned()),
            Some((_, None)) => {}
            None => out.extend(lines[*start..end].iter().cloned()),
        }
        last_content = out.len();
        out.extend(lines[end..limit].iter().cloned());
    }
    if children.is_empty() {
        last_content = out.len();
    }
    let added: Vec<String> = edits.iter().filter(|(k, _)| !children.iter().any(|c| &c.0 == k)).filter_map(|(_, new)| new.clone()).flatten().collect();
    out.splice(last_content..last_content, added);
    out
}

/// Lines of one field `key: value` at `indent`.
fn field_lines(indent: usize, key: &str, value: &str) -> Vec<String> {
    vec![format!("{}{key}: {value}", " ".repeat(indent))]
}

/// Applies `edits` to the figures file `text` (already parsed as `root`). The file must be a
/// block mapping (or empty); entries under `values:` are edited in place or appended.
// Long: one pass over the file's lines, editing entries in place; its state is the line cursor.
pub fn apply(text: &str, root: &Node, edits: &[EntryEdit]) -> Result<String, String> {
    let crlf = text.contains("\r\n");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let top = match &root.value {
        Value::Null => Vec::new(),
        Value::Map(_) if root.pos.line > 0 && lines.get(root.pos.line as usize - 1).is_some_and(|l| l.trim_start().starts_with('{')) => {
            return Err("the figures file is written in braces on one line; write it as key: value lines first".into())
        }
        Value::Map(_) => block_children(root),
        _ => return Err("the figures file should be a mapping of keys to values".into()),
    };
    let values_node = match &root.value {
        Value::Map(entries) => entries.iter().find(|(k, _)| k.as_key().as_deref() == Some("values")).map(|(_, v)| v),
        _ => None,
    };
    let values_child = top.iter().find(|c| c.0 == "values");
    // The lines of the values block and its entries.
    let (entries_lines, entry_indent) = match (values_child, values_node) {
        (Some((_, line, col)), Some(vn)) => {
            let limit = top.iter().find(|c| c.1 > *line).map(|c| c.1).unwrap_or(lines.len());
            let end = content_end(&lines, *line, limit, *col);
            let block = block_after_key(&lines[*line], *col, "values");
            let children = if block { block_children(vn) } else { Vec::new() };
            let indent = children.first().map(|c| c.2).unwrap_or(col + 2);
            let mut existing: Vec<(String, Vec<String>)> = Vec::new();
            if !block {
                // `values: {}` or `values: { a: 1 }`: each entry on its own line from now on.
                if let Value::Map(es) = &vn.value {
                    for (k, v) in es {
                        existing.push((k.as_key().unwrap_or_default(), vec![format!("{}{}: {}", " ".repeat(indent), flow(k), flow(v))]));
                    }
                }
            }
            (Some((*line, end, block, children, existing, vn)), indent)
        }
        _ => (None, 2),
    };
    let entry_edits: Vec<(String, Option<Vec<String>>)> = edits
        .iter()
        .map(|e| {
            let existing = values_node.and_then(|vn| match &vn.value {
                Value::Map(es) => es.iter().find(|(k, _)| k.as_key().as_deref() == Some(e.id.as_str())),
                _ => None,
            });
            (e.id.clone(), Some(entry_lines(&lines, existing, entry_indent, e)))
        })
        .collect();
    let new_values_block: Vec<String> = match &entries_lines {
        Some((line, end, true, children, _, _)) => {
            let mut block = vec![lines[*line].clone()];
            block.extend(edit_block(&lines, line + 1..*end, children, entry_indent, &entry_edits));
            block
        }
        Some((line, _, false, _, existing, _)) => {
            let col = indentation(&lines[*line]);
            let mut block = vec![format!("{}values:", " ".repeat(col))];
            for (k, l) in existing {
                match entry_edits.iter().find(|(id, _)| id == k) {
                    Some((_, Some(new))) => block.extend(new.iter().cloned()),
                    _ => block.extend(l.iter().cloned()),
                }
            }
            for (id, new) in &entry_edits {
                if !existing.iter().any(|(k, _)| k == id) {
                    block.extend(new.iter().flatten().cloned());
                }
            }
            block
        }
        None => {
            let mut block = vec!["values:".to_string()];
            block.extend(entry_edits.iter().flat_map(|(_, l)| l.iter().flatten().cloned()));
            block
        }
    };
    let out = edit_block(&lines, 0..lines.len(), &top, 0, &[("values".to_string(), Some(new_values_block))]);
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut s = out.join(nl);
    s.push_str(nl);
    Ok(s)
}

/// The lines of one metric's entry after its edits.
fn entry_lines(lines: &[String], existing: Option<&(Node, Node)>, indent: usize, e: &EntryEdit) -> Vec<String> {
    let inner = indent + 2;
    let field_edits: Vec<(String, Option<Vec<String>>)> = e.fields.iter().map(|(k, v)| (k.to_string(), v.as_ref().map(|v| field_lines(inner, k, v)))).collect();
    if let Some((k, v)) = existing {
        let (line, col) = (k.pos.line as usize - 1, k.pos.column as usize - 1);
        let key = k.as_key().unwrap_or_default();
        if matches!(v.value, Value::Map(_)) && block_after_key(&lines[line], col, &key) {
            let children = block_children(v);
            let child_indent = children.first().map(|c| c.2).unwrap_or(inner);
            let limit = lines.len();
            let end = content_end(lines, line, limit, col);
            let field_edits: Vec<(String, Option<Vec<String>>)> =
                e.fields.iter().map(|(k, v)| (k.to_string(), v.as_ref().map(|v| field_lines(child_indent, k, v)))).collect();
            let mut out = vec![lines[line].clone()];
            out.extend(edit_block(lines, line + 1..end, &children, child_indent, &field_edits));
            return out;
        }
        // A shorthand (`waiting-list: 81`) or a one-line mapping: rewritten as key: value lines.
        let mut out = vec![format!("{}{}:", " ".repeat(indent), e.id)];
        let mut fields: Vec<(String, String)> = match &v.value {
            Value::Map(es) => es.iter().map(|(fk, fv)| (fk.as_key().unwrap_or_default(), flow(fv))).collect(),
            _ => vec![("value".to_string(), flow(v))],
        };
        for (fk, fv) in &e.fields {
            match (fields.iter().position(|(k, _)| k == fk), fv) {
                (Some(i), Some(val)) => fields[i].1 = val.clone(),
                (Some(i), None) => {
                    fields.remove(i);
                }
                (None, Some(val)) => fields.push((fk.to_string(), val.clone())),
                (None, None) => {}
            }
        }
        out.extend(fields.iter().map(|(k, v)| format!("{}{k}: {v}", " ".repeat(inner))));
        return out;
    }
    let mut out = vec![format!("{}{}:", " ".repeat(indent), e.id)];
    out.extend(field_edits.into_iter().filter_map(|(_, l)| l).flatten());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(text: &str, edits: &[EntryEdit]) -> String {
        let root = crate::load::yaml::parse(text).unwrap();
        let out = apply(text, &root, edits).unwrap();
        crate::load::yaml::parse(&out).unwrap_or_else(|e| panic!("{e:?}\n{out}"));
        out
    }

    fn set(id: &str, fields: &[(&'static str, Option<&str>)]) -> EntryEdit {
        EntryEdit { id: id.into(), fields: fields.iter().map(|(k, v)| (*k, v.map(str::to_string))).collect() }
    }

    #[test]
    fn keeps_comments_order_and_other_keys() {
        let text = "# Q2 figures\nstatus: final   # checked\npublished: 2024-11-06\nvalues:\n  # contacts first\n  contacts-received:\n    months: { 2024-07: 1450 }\n  msp-asked:\n    value: 88\n    rank: { nw: 6 }  # from the region\n    note: Old note\n  # the end\nrevisions: []\n";
        let out = edit(text, &[set("msp-asked", &[("value", Some("90")), ("suppressed", None)]), set("waiting-list", &[("value", Some("81"))])]);
        assert_eq!(
            out,
            "# Q2 figures\nstatus: final   # checked\npublished: 2024-11-06\nvalues:\n  # contacts first\n  contacts-received:\n    months: { 2024-07: 1450 }\n  msp-asked:\n    value: 90\n    rank: { nw: 6 }  # from the region\n    note: Old note\n  waiting-list:\n    value: 81\n  # the end\nrevisions: []\n"
        );
    }

    #[test]
    fn shorthand_and_flow_entries_become_blocks() {
        let text = "status: provisional\nvalues:\n  waiting-list: 81\n  msp-asked: { value: 88, rank: { nw: 6 } }\n";
        let out = edit(text, &[set("waiting-list", &[("note", Some("Checked"))]), set("msp-asked", &[("value", Some("null"))])]);
        assert_eq!(
            out,
            "status: provisional\nvalues:\n  waiting-list:\n    value: 81\n    note: Checked\n  msp-asked:\n    value: null\n    rank: { nw: 6 }\n"
        );
    }

    #[test]
    fn empty_values_and_missing_values() {
        let out = edit("status: provisional\nvalues: {}\n", &[set("a", &[("value", Some("1"))])]);
        assert_eq!(out, "status: provisional\nvalues:\n  a:\n    value: 1\n");
        let out = edit("status: provisional\r\n", &[set("a", &[("value", Some("1"))])]);
        assert_eq!(out, "status: provisional\r\nvalues:\r\n  a:\r\n    value: 1\r\n");
    }

    #[test]
    fn flow_text_quotes_what_could_be_misread() {
        assert_eq!(flow_text("Checked by the team"), "Checked by the team");
        assert_eq!(flow_text("a, b"), "\"a, b\"");
        assert_eq!(flow_text("12"), "\"12\"");
        assert_eq!(flow_text("null"), "\"null\"");
    }
}
