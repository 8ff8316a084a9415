//! `site.toml`.

use super::fields::{entries, one_of, text, whole, Fields, Report};
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
    /// Optional description.
    pub description: Option<String>,
    /// Output directory, relative to the site root.
    pub output: String,
    /// Whether raw HTML in Markdown is passed through.
    pub allow_raw_html: bool,
    /// Comparator groups in file order.
    pub comparators: Vec<Comparator>,
    /// `[pdf] enabled`: each published quarter also gets its committee document, `report.pdf`.
    pub pdf: bool,
}

impl Settings {
    /// The comparator with this id.
    pub fn comparator(&self, id: &str) -> Option<usize> {
        self.comparators.iter().position(|c| c.id == id)
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
pub fn read(r: &mut Report, node: &Node) -> (Option<Settings>, std::collections::HashSet<String>) {
    let mut declared = std::collections::HashSet::new();
    let Some(f) = Fields::read(
        r,
        node,
        "site.toml",
        &["title", "organisation", "base_url", "language", "theme", "description", "build", "markdown", "comparators", "pdf"],
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
    let theme = f.get("theme").and_then(|n| text(r, n, "theme")).unwrap_or_else(|| "default".into());
    let description = f.get("description").and_then(|n| text(r, n, "description"));
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
            let Some(cf) = Fields::read(r, v, &format!("comparator \"{id}\""), &["name", "members"]) else { continue };
            let name = cf.required(r, "name", &format!("comparator \"{id}\""), "\"North West\"").and_then(|n| text(r, n, "name"));
            let members = cf.get("members").and_then(|n| whole(r, n, "members", 2, 1000)).map(|m| m as u32);
            // A comparator with any mistake stays declared but unusable, so ranks in it are not reported again.
            if let (Some(name), true) = (name, r.diags.len() == before) {
                comparators.push(Comparator { id, name, members });
            }
        }
    }
    let settings = match (title, organisation, base) {
        (Some(title), Some(organisation), Some((base_url, base_path))) => {
            Some(Settings { title, organisation, base_url, base_path, language, theme, description, output, allow_raw_html, comparators, pdf })
        }
        _ => None,
    };
    (settings, declared)
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
