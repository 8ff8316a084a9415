//! `site.toml`.

use super::fields::{boolean, entries, list, one_of, text, whole, Fields, Report};
use crate::index::{GroupIdx, IndexVec};
use crate::load::Node;
use serde::Serialize;

/// A comparator group: a set of councils to rank against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparator {
    /// Key in site.toml, e.g. `nw`.
    pub id: String,
    /// "North West".
    pub name: String,
    /// Number of members, when ranks are given.
    pub members: Option<u32>,
    /// Members by ONS code, for `import ascof` (`codes = [...]`).
    pub codes: Vec<String>,
    /// Every local authority of the national release (`all = true`).
    pub all: bool,
    /// The ONS code of the group's own row in the release, e.g. a region's `E12000002`.
    pub code: Option<String>,
}

/// Site settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// Site title.
    pub title: String,
    /// The council.
    pub organisation: String,
    /// Absolute base URL ending in `/`.
    pub base_url: String,
    /// Its path, starting and ending with `/`.
    pub base_path: String,
    /// Language tag.
    pub language: String,
    /// Theme folder name.
    pub theme: String,
    /// Where site.toml names the theme (the file as a whole when it does not), for theme errors.
    #[serde(skip)]
    pub theme_pos: crate::diagnostic::Pos,
    /// Optional description.
    pub description: Option<String>,
    /// Output directory, relative to the site root.
    pub output: String,
    /// Whether raw HTML in Markdown is passed through.
    pub allow_raw_html: bool,
    /// Comparator groups in file order.
    pub comparators: IndexVec<GroupIdx, Comparator>,
    /// The organisation's own ONS code, e.g. `E08000014`.
    pub ons_code: Option<String>,
    /// `[pdf] enabled`: each published quarter also gets its committee document, `report.pdf`.
    pub pdf: bool,
}

impl Settings {
    /// The comparator with this id.
    pub fn comparator(&self, id: &str) -> Option<GroupIdx> {
        self.comparators.position(|c| c.id == id)
    }
    /// Replaces the base URL (from `--base-url`).
    pub fn set_base_url(&mut self, url: &str) -> Result<(), String> {
        let (base, path) = parse_base_url(url)?;
        self.base_url = base;
        self.base_path = path;
        Ok(())
    }
}

/// Normalises a base URL to end in `/`, returning it and its path.
pub fn parse_base_url(url: &str) -> Result<(String, String), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("\"{url}\" is not a web address: it should start with https://"))?;
    if rest.is_empty() || rest.starts_with('/') || rest.contains(['?', '#', ' ']) {
        return Err(format!("\"{url}\" is not a usable base address: give the site's address, for example https://www.example.gov.uk/asc-performance/"));
    }
    let mut base = url.to_string();
    if !base.ends_with('/') {
        base.push('/');
    }
    let host_end = rest.find('/').unwrap_or(rest.len());
    let path = &rest[host_end..];
    let mut path = if path.is_empty() { "/".to_string() } else { path.to_string() };
    if !path.ends_with('/') {
        path.push('/');
    }
    Ok((base, path))
}

/// Reads and checks site.toml; also returns every comparator id declared, valid or not.
// Over 80 lines: site.toml's keys checked one after another, in the order the file gives them.
pub fn read(r: &mut Report, node: &Node) -> (Option<Settings>, std::collections::HashSet<String>) {
    let mut declared = std::collections::HashSet::new();
    let Some(f) = Fields::read(
        r,
        node,
        "site.toml",
        &["title", "organisation", "base_url", "language", "theme", "description", "build", "markdown", "comparators", "ons_code", "pdf"],
    ) else {
        return (None, declared);
    };
    let title = f.required(r, "title", "site.toml", "\"Adult Social Care Performance\"").and_then(|n| text(r, n, "title"));
    let organisation = f.required(r, "organisation", "site.toml", "\"Example Borough Council\"").and_then(|n| text(r, n, "organisation"));
    let base = f.required(r, "base_url", "site.toml", "\"https://www.example.gov.uk/asc-performance/\"").and_then(|n| {
        let s = text(r, n, "base_url")?;
        parse_base_url(&s).map_err(|e| r.error(n.pos, e, "write the full address the site will be published at, starting https://")).ok()
    });
    let language = f.get("language").and_then(|n| text(r, n, "language")).unwrap_or_else(|| "en-GB".into());
    let theme = f
        .get("theme")
        .and_then(|n| {
            let name = text(r, n, "theme")?;
            // A plain folder name under themes/: never a path that could reach outside the site.
            let plain = !name.is_empty() && !name.starts_with('.') && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
            if plain {
                Some(name)
            } else {
                r.error(
                    n.pos,
                    format!("the theme \"{name}\" is not a plain folder name"),
                    "name a folder under themes/ (letters, digits and - only), or leave theme out for the built-in theme",
                );
                None
            }
        })
        .unwrap_or_else(|| "default".into());
    let theme_pos = f.get("theme").map(|n| n.pos).unwrap_or(crate::diagnostic::Pos::FILE);
    let description = f.get("description").and_then(|n| text(r, n, "description"));
    let ons_code = f.get("ons_code").and_then(|n| ons_code(r, n, "ons_code"));
    let mut output = "public".to_string();
    if let Some(b) = f.get("build") {
        if let Some(bf) = Fields::read(r, b, "[build]", &["output"]) {
            if let Some(o) = bf.get("output").and_then(|n| text(r, n, "output")) {
                output = o;
            }
        }
    }
    let mut allow_raw_html = false;
    if let Some(m) = f.get("markdown") {
        if let Some(mf) = Fields::read(r, m, "[markdown]", &["raw_html"]) {
            if let Some(n) = mf.get("raw_html") {
                allow_raw_html = one_of(r, n, "raw_html", &["escape", "allow"]) == Some("allow");
            }
        }
    }
    let mut pdf = false;
    if let Some(p) = f.get("pdf") {
        if let Some(pf) = Fields::read(r, p, "[pdf]", &["enabled"]) {
            pdf = pf.get("enabled").and_then(|n| super::fields::boolean(r, n, "enabled")).unwrap_or(false);
        }
    }
    let mut comparators = Vec::new();
    if let Some(c) = f.get("comparators") {
        for (k, v) in entries(r, c, "[comparators]", "nw = { name = \"North West\", members = 23 }").unwrap_or(&[]) {
            let Some(id) = super::fields::id(r, k, "comparator id") else { continue };
            declared.insert(id.clone());
            let before = r.diags.len();
            let Some(cf) = Fields::read(r, v, &format!("comparator \"{id}\""), &["name", "members", "codes", "all", "code"]) else { continue };
            let name = cf.required(r, "name", &format!("comparator \"{id}\""), "\"North West\"").and_then(|n| text(r, n, "name"));
            let members = cf.get("members").and_then(|n| whole(r, n, "members", 2, 1000)).map(|m| m as u32);
            let (codes, all, code) = group_codes(r, &cf, &id, ons_code.as_deref(), members);
            // A comparator with any mistake stays declared but unusable, so ranks in it are not reported again.
            if let (Some(name), true) = (name, r.diags.len() == before) {
                let members = members.or((!codes.is_empty()).then_some(codes.len() as u32));
                comparators.push(Comparator { id, name, members, codes, all, code });
            }
        }
    }
    let settings = match (title, organisation, base) {
        (Some(title), Some(organisation), Some((base_url, base_path))) => Some(Settings {
            title,
            organisation,
            base_url,
            base_path,
            language,
            theme,
            theme_pos,
            description,
            output,
            allow_raw_html,
            comparators: comparators.into(),
            ons_code,
            pdf,
        }),
        _ => None,
    };
    (settings, declared)
}

/// Whether `s` looks like an ONS (GSS) code: a letter for the nation and eight digits.
pub fn is_ons_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 9 && matches!(b[0], b'E' | b'W' | b'S' | b'N') && b[1..].iter().all(u8::is_ascii_digit)
}

fn ons_code(r: &mut Report, node: &Node, what: &str) -> Option<String> {
    let s = text(r, node, what)?;
    if is_ons_code(&s) {
        return Some(s);
    }
    let upper = s.to_uppercase();
    let help = if is_ons_code(&upper) {
        format!("write it in capitals: \"{upper}\"")
    } else {
        "write the nine-character ONS code, a capital letter and eight digits, e.g. \"E08000014\"".to_string()
    };
    r.error(node.pos, format!("{what} \"{s}\" is not an ONS code"), help);
    None
}

/// `codes`, `all` and `code` of one comparator group: which rows of the national release it takes.
fn group_codes(r: &mut Report, cf: &Fields, id: &str, own: Option<&str>, members: Option<u32>) -> (Vec<String>, bool, Option<String>) {
    let mut codes: Vec<String> = Vec::new();
    if let Some(n) = cf.get("codes") {
        for item in list(r, n, &format!("codes of \"{id}\""), "codes = [\"E08000014\", \"E08000012\"]").unwrap_or(&[]) {
            let Some(c) = ons_code(r, item, "the code") else { continue };
            if codes.contains(&c) {
                r.error(item.pos, format!("{c} is listed twice in the codes of \"{id}\""), "list each member once");
                continue;
            }
            codes.push(c);
        }
        if let (Some(m), false) = (members, codes.is_empty()) {
            if m as usize != codes.len() {
                r.error(
                    n.pos,
                    format!("\"{id}\" lists {} codes but says it has {m} members", codes.len()),
                    "make members the number of codes, or add the missing codes",
                );
            }
        }
        if let (Some(own), false) = (own, codes.is_empty()) {
            if !codes.iter().any(|c| c == own) {
                r.error(
                    n.pos,
                    format!("the organisation's own code {own} (ons_code) is not among the codes of \"{id}\""),
                    format!("add \"{own}\": a group is ranked with this council in it"),
                );
            }
        }
    }
    let all = cf.get("all").and_then(|n| boolean(r, n, "all")).unwrap_or(false);
    if all && cf.get("codes").is_some() {
        r.error(
            cf.key("all").expect("all is present").pos,
            format!("\"{id}\" has both codes and all = true"),
            "keep codes for a list of councils, or all = true for every council in England, not both",
        );
    }
    let code = cf.get("code").and_then(|n| ons_code(r, n, "code"));
    if all && code.is_some() {
        r.error(
            cf.key("code").expect("code is present").pos,
            format!("\"{id}\" has all = true, whose own row is England's (E92000001): code is not needed"),
            "remove code",
        );
    }
    (codes, all, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_path() {
        assert_eq!(parse_base_url("https://x.gov.uk/asc").unwrap(), ("https://x.gov.uk/asc/".into(), "/asc/".into()));
        assert_eq!(parse_base_url("https://x.gov.uk").unwrap().1, "/");
        assert!(parse_base_url("x.gov.uk").is_err());
    }
}
