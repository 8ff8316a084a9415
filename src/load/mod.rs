//! Load: read a site directory into raw documents that keep their source positions.
//!
//! Nothing here judges meaning; it only finds the files the SPEC's layout names, reads
//! them (in parallel), and reports what cannot be read or parsed at all.
//!
//! Owns: the entry [`load`] (and [`load_cached`], for `serve`'s rebuilds) and its output types
//! ([`RawSite`] and the raw files, [`Node`] trees); the YAML and TOML readers; `links`, the
//! guard against symbolic links out of the site, which every stage reading or writing files
//! uses. Must not import: validate, model, render or write (it is the first stage); the
//! Markdown dialect it shares with them is `crate::dialect`'s.

pub mod commentary;
pub(crate) mod links;
pub mod yaml;

use crate::diagnostic::{rel, Diagnostic, Diagnostics, Pos};
use crate::dialect::LineIndex;
use crate::period::{FinancialYear, Quarter};
use crate::site_files::is_ignorable;
pub use commentary::{RawBlock, RawCommentary, RawRef};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
pub use yaml::{Node, Value};

/// A parsed YAML or TOML file.
#[derive(Debug, Clone)]
pub(crate) struct RawFile {
    /// Site-relative path.
    pub file: String,
    /// Its content; `None` when it could not be parsed (the error is already reported).
    pub node: Option<Node>,
}

/// One quarter's files as found.
#[derive(Debug, Clone)]
pub(crate) struct RawQuarter {
    /// The quarter.
    pub quarter: Quarter,
    /// `content/YYYY-YY/qN/_index.md`.
    pub overview: Option<RawCommentary>,
    /// `content/YYYY-YY/qN/SECTION.md`, by file stem.
    pub sections: Vec<(String, RawCommentary)>,
    /// `data/YYYY-YY/qN.yaml`.
    pub data: Option<RawFile>,
}

/// Everything read from a site directory.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawSite {
    /// `site.toml`.
    pub settings: Option<RawFile>,
    /// `data/metrics.yaml`.
    pub metrics: Option<RawFile>,
    /// `data/glossary.yaml`.
    pub glossary: Option<RawFile>,
    /// Quarters in order, drafts included.
    pub quarters: Vec<RawQuarter>,
    /// `data/benchmarks/NAME.yaml`, by name.
    pub benchmarks: Vec<(String, RawFile)>,
    /// `content/_index.md`.
    pub home: Option<RawCommentary>,
    /// `content/pages/NAME.md`, by name.
    pub pages: Vec<(String, RawCommentary)>,
}

enum Found {
    Settings,
    Metrics,
    Glossary,
    QuarterData(Quarter),
    Benchmark(String),
    Home,
    Page(String),
    Overview(Quarter),
    Section(Quarter, String),
}

/// Parsed files from earlier loads, keyed by path and content, so a rebuild parses only
/// what changed (held by `serve`; a one-off load needs none).
#[derive(Debug, Default)]
pub(crate) struct LoadCache {
    files: std::sync::Mutex<std::collections::HashMap<String, CachedParse>>,
}

/// A file's content hash, what parsing it gave, and the problems it had.
type CachedParse = (blake3::Hash, Parsed, Vec<Diagnostic>);

/// Reads a site directory; every problem found on the way goes to `diags`.
pub(crate) fn load(root: &Path, diags: &mut Diagnostics) -> RawSite {
    load_cached(root, diags, None)
}

/// As [`load`], reusing the parse of every file whose content is unchanged since the last load.
pub(crate) fn load_cached(root: &Path, sink: &mut Diagnostics, cache: Option<&LoadCache>) -> RawSite {
    let mut found = Vec::new();
    let site = read_site(root, &mut found, cache);
    sink.extend(found);
    site
}

/// [`load_cached`]'s work; its problems, each once, in the order found.
fn read_site(root: &Path, diags: &mut Vec<Diagnostic>, cache: Option<&LoadCache>) -> RawSite {
    let mut found: Vec<(Found, PathBuf)> = Vec::new();
    let settings = root.join("site.toml");
    let start = diags.len();
    if let Err(d) = links::check_inside(root, &settings) {
        diags.push(d);
        return RawSite::default();
    }
    if settings.is_file() {
        found.push((Found::Settings, settings));
    } else {
        // Nothing else can be judged without the site's settings: say only this, and where a site is.
        let full = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let above = full.ancestors().skip(1).find(|a| a.join("site.toml").is_file());
        let help = match above {
            Some(a) => format!("the site is in {}: run scrutiny there, or add --root {}", a.display(), a.display()),
            None => "run scrutiny in the site's folder (the one holding site.toml, content/ and data/), or name it with --root DIR".to_string(),
        };
        diags.push(Diagnostic::error("site.toml", Pos::FILE, format!("there is no site.toml in {}", full.display())).help(help));
        return RawSite::default();
    }
    // Links leading out of the site are reported once, at the link; nothing is read through them.
    for dir in ["content", "data"] {
        diags.extend(links::links_leaving(root, &root.join(dir)));
    }
    discover_data(root, &mut found, diags);
    discover_content(root, &mut found, diags);

    let read: Vec<(Found, String, Result<String, Diagnostic>)> = found
        .into_par_iter()
        .map(|(kind, path)| {
            let file = rel(root, &path);
            let text = read_text(root, &path, &file);
            (kind, file, text)
        })
        .collect();

    let parsed: Vec<(Found, Parsed, Vec<Diagnostic>)> = read
        .into_par_iter()
        .map(|(kind, file, text)| {
            let (parsed, d) = parse_cached(&kind, file, text, cache);
            (kind, parsed, d)
        })
        .collect();
    let site = assemble(parsed, diags);
    // A link to a folder outside is reported at the link by every file read below it: once is enough.
    let mut seen = std::collections::HashSet::new();
    let found: Vec<Diagnostic> = diags.drain(start..).filter(|d| seen.insert(d.headline())).collect();
    diags.extend(found);
    site
}

/// Parses one file as what it was found to be, or takes the parse of its unchanged content from `cache`.
fn parse_cached(kind: &Found, file: String, text: Result<String, Diagnostic>, cache: Option<&LoadCache>) -> (Parsed, Vec<Diagnostic>) {
    let key = cache.map(|_| blake3::hash(text.as_ref().map(|t| t.as_bytes()).unwrap_or(b"\0unreadable")));
    if let (Some(c), Some(k)) = (cache, key) {
        if let Some((hash, parsed, d)) = c.files.lock().expect("cache lock").get(&file) {
            if *hash == k {
                return (parsed.clone(), d.clone());
            }
        }
    }
    let mut d = Vec::new();
    let cache_name = file.clone();
    let parsed = match text {
        Err(e) => {
            d.push(e);
            match kind {
                // The file exists even if unreadable: keep it so nothing reports it missing.
                Found::Home | Found::Page(_) | Found::Overview(_) | Found::Section(..) => {
                    Parsed::Commentary(RawCommentary { file, front: None, body: String::new(), body_line: 0, blocks: Vec::new(), refs: Vec::new() })
                }
                _ => Parsed::Unreadable(file),
            }
        }
        Ok(text) => match kind {
            Found::Home | Found::Page(_) | Found::Overview(_) | Found::Section(..) => {
                let text = private_use(&file, text, &mut d);
                Parsed::Commentary(commentary::parse(&file, &text, &mut d))
            }
            Found::Settings => Parsed::File(RawFile { node: parse_toml(&file, &text, &mut d), file }),
            _ => {
                let text = private_use(&file, text, &mut d);
                Parsed::File(RawFile { node: parse_yaml(&file, &text, &mut d), file })
            }
        },
    };
    if let (Some(c), Some(k)) = (cache, key) {
        c.files.lock().expect("cache lock").insert(cache_name, (k, parsed.clone(), d.clone()));
    }
    (parsed, d)
}

/// Puts each parsed file in its place in the site, in order; their problems go to `diags`.
fn assemble(parsed: Vec<(Found, Parsed, Vec<Diagnostic>)>, diags: &mut Vec<Diagnostic>) -> RawSite {
    let mut site = RawSite::default();
    let mut quarters: std::collections::BTreeMap<Quarter, RawQuarter> = Default::default();
    fn entry(map: &mut std::collections::BTreeMap<Quarter, RawQuarter>, q: Quarter) -> &mut RawQuarter {
        map.entry(q).or_insert_with(|| RawQuarter { quarter: q, overview: None, sections: Vec::new(), data: None })
    }
    for (kind, parsed, d) in parsed {
        diags.extend(d);
        let (file, commentary) = match parsed {
            Parsed::File(f) => (Some(f), None),
            Parsed::Commentary(c) => (None, Some(c)),
            Parsed::Unreadable(name) => (Some(RawFile { file: name, node: None }), None),
        };
        match kind {
            Found::Settings => site.settings = file,
            Found::Metrics => site.metrics = file,
            Found::Glossary => site.glossary = file,
            Found::QuarterData(q) => entry(&mut quarters, q).data = file,
            Found::Benchmark(name) => site.benchmarks.extend(file.map(|f| (name, f))),
            Found::Home => site.home = commentary,
            Found::Page(name) => site.pages.extend(commentary.map(|c| (name, c))),
            Found::Overview(q) => entry(&mut quarters, q).overview = commentary,
            Found::Section(q, name) => entry(&mut quarters, q).sections.extend(commentary.map(|c| (name, c))),
        }
    }
    site.quarters = quarters.into_values().collect();
    for q in &mut site.quarters {
        q.sections.sort_by(|a, b| a.0.cmp(&b.0));
    }
    site.benchmarks.sort_by(|a, b| a.0.cmp(&b.0));
    site.pages.sort_by(|a, b| a.0.cmp(&b.0));
    site
}

#[derive(Debug, Clone)]
enum Parsed {
    File(RawFile),
    Commentary(RawCommentary),
    Unreadable(String),
}

/// The entries of a folder, or none when the folder is reached through a link out of the site.
fn entries(root: &Path, dir: &Path) -> Vec<PathBuf> {
    if links::check_inside(root, dir).is_err() {
        return Vec::new();
    }
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .max_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !is_ignorable(&e.file_name().to_string_lossy()))
        .map(|e| e.into_path())
        .collect();
    v.sort();
    v
}

fn stray(root: &Path, path: &Path, what: &str) -> Diagnostic {
    Diagnostic::warning(
        rel(root, path),
        Pos::FILE,
        format!("this {} is not part of the site layout and is not used", if path.is_dir() { "folder" } else { "file" }),
    )
    .help(what.to_string())
}

/// The files `NAME.suffix` of a folder, by name; anything else there gets a warning.
fn named_files(root: &Path, dir: &Path, suffix: &str, help: &str, diags: &mut Vec<Diagnostic>) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for p in entries(root, dir) {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        match name.strip_suffix(suffix) {
            Some(stem) if p.is_file() => out.push((stem.to_string(), p.clone())),
            _ => diags.push(stray(root, &p, help)),
        }
    }
    out
}

/// A `YYYY-YY` folder's year, or an error naming the folder.
fn year_folder(root: &Path, path: &Path, help: &str, diags: &mut Vec<Diagnostic>) -> Option<FinancialYear> {
    let name = path.file_name()?.to_string_lossy().to_string();
    FinancialYear::parse(&name).map_err(|e| diags.push(Diagnostic::error(rel(root, path), Pos::FILE, format!("folder name {e}")).help(help))).ok()
}

fn discover_data(root: &Path, found: &mut Vec<(Found, PathBuf)>, diags: &mut Vec<Diagnostic>) {
    let data = root.join("data");
    let metrics = data.join("metrics.yaml");
    if metrics.is_file() {
        found.push((Found::Metrics, metrics));
    } else {
        diags.push(
            Diagnostic::error("data/metrics.yaml", Pos::FILE, "there is no data/metrics.yaml")
                .help("create it with the report's sections (sections: with id and title) and its metrics (metrics: with id, title, section, unit, polarity and frequency)"),
        );
    }
    for path in entries(root, &data) {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if name == "benchmarks" {
                for (stem, b) in named_files(root, &path, ".yaml", "benchmark files are data/benchmarks/NAME.yaml", diags) {
                    found.push((Found::Benchmark(stem), b));
                }
                continue;
            }
            let Some(year) = year_folder(root, &path, "figures live in data/YYYY-YY/qN.yaml, for example data/2024-25/q2.yaml", diags) else { continue };
            for f in entries(root, &path) {
                let fname = f.file_name().unwrap().to_string_lossy().to_string();
                let Some(stem) = fname.strip_suffix(".yaml").filter(|_| f.is_file()) else {
                    diags.push(stray(root, &f, "a quarter's figures are data/YYYY-YY/qN.yaml"));
                    continue;
                };
                match Quarter::parse_number(stem) {
                    Ok(n) => found.push((Found::QuarterData(Quarter::new(year, n).unwrap()), f.clone())),
                    Err(e) => {
                        diags.push(Diagnostic::error(rel(root, &f), Pos::FILE, format!("file name {e}")).help("name it q1.yaml, q2.yaml, q3.yaml or q4.yaml"))
                    }
                }
            }
        } else if name == "glossary.yaml" {
            found.push((Found::Glossary, path));
        } else if name != "metrics.yaml" {
            diags.push(stray(root, &path, "data/ holds metrics.yaml, glossary.yaml, YYYY-YY/qN.yaml and benchmarks/NAME.yaml"));
        }
    }
}

fn discover_content(root: &Path, found: &mut Vec<(Found, PathBuf)>, diags: &mut Vec<Diagnostic>) {
    let content = root.join("content");
    for path in entries(root, &content) {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !path.is_dir() {
            if name == "_index.md" {
                found.push((Found::Home, path));
            } else {
                diags.push(stray(root, &path, "standalone pages go in content/pages/NAME.md"));
            }
            continue;
        }
        if name == "pages" {
            for (stem, p) in named_files(root, &path, ".md", "standalone pages are content/pages/NAME.md", diags) {
                found.push((Found::Page(stem), p));
            }
            continue;
        }
        let Some(year) = year_folder(root, &path, "a quarter's commentary lives in content/YYYY-YY/qN/, for example content/2024-25/q2/", diags) else {
            continue;
        };
        for qdir in entries(root, &path) {
            let qname = qdir.file_name().unwrap().to_string_lossy().to_string();
            if !qdir.is_dir() {
                diags.push(stray(root, &qdir, "a quarter's commentary lives in content/YYYY-YY/qN/"));
                continue;
            }
            let q = match Quarter::parse_number(&qname) {
                Ok(n) => Quarter::new(year, n).unwrap(),
                Err(e) => {
                    diags.push(Diagnostic::error(rel(root, &qdir), Pos::FILE, format!("folder name {e}")).help("quarter folders are named q1, q2, q3 and q4"));
                    continue;
                }
            };
            for f in entries(root, &qdir) {
                let fname = f.file_name().unwrap().to_string_lossy().to_string();
                match fname.strip_suffix(".md") {
                    Some("_index") if f.is_file() => found.push((Found::Overview(q), f.clone())),
                    Some(stem) if f.is_file() => found.push((Found::Section(q, stem.to_string()), f.clone())),
                    _ => diags.push(stray(root, &f, "a quarter folder holds _index.md and one SECTION.md per report section")),
                }
            }
            if !qdir.join("_index.md").is_file() {
                diags.push(
                    Diagnostic::error(rel(root, &qdir), Pos::FILE, format!("the folder for {} has no _index.md, so the quarter does not exist", q.long()))
                        .help(format!("add content/{}/_index.md with the quarter's executive summary", q.path())),
                );
            }
        }
    }
}

/// Private-use characters (U+E000 to U+F8FF) show as an empty box or a wrong symbol to most
/// readers: they come from symbol fonts, as a Wingdings bullet pasted from Word. Each one gets
/// a warning at its first place in the file. Those scrutiny uses as its own marks while
/// rendering (U+E000 to U+E00F) are replaced by U+FFFD (the same length, so every position in
/// the file stays right): an officer's text can never stand for a mark.
fn private_use(file: &str, text: String, diags: &mut Vec<Diagnostic>) -> String {
    let private = |c: char| ('\u{E000}'..='\u{F8FF}').contains(&c);
    if !text.chars().any(private) {
        return text;
    }
    let mut seen = std::collections::HashSet::new();
    for (n, line) in text.lines().enumerate() {
        for (col, c) in line.chars().enumerate().filter(|(_, c)| private(*c)) {
            if seen.insert(c) {
                let shown = if crate::dialect::is_mark(c) { ", and it is shown as \u{FFFD}" } else { "" };
                diags.push(
                    Diagnostic::warning(
                        file,
                        Pos::new(n as u32 + 1, col as u32 + 1),
                        format!("U+{:04X} is a private-use character, which most readers see as an empty box or a wrong symbol{shown}", c as u32),
                    )
                    .help("type an ordinary character instead (it often is a symbol-font bullet pasted from Word: start the line with \"- \" for a bullet)"),
                );
            }
        }
    }
    crate::dialect::without_marks(text)
}

fn read_text(root: &Path, path: &Path, file: &str) -> Result<String, Diagnostic> {
    links::check_inside(root, path)?;
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::error(file, Pos::FILE, format!("cannot read the file: {e}")).help("check the file exists and can be read"))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.replace("\r\n", "\n")),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let text = std::str::from_utf8(good).unwrap_or("");
            let line = text.matches('\n').count() as u32 + 1;
            let column = text.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) as u32 + 1;
            Err(Diagnostic::error(file, Pos::new(line, column), "the file is not UTF-8 text")
                .help("save it as UTF-8 (in Excel or Word: Save As, then choose UTF-8 encoding)"))
        }
    }
}

fn parse_yaml(file: &str, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Node> {
    match yaml::parse(text) {
        Ok(n) => Some(n),
        Err(e) => {
            diags.push(Diagnostic::error(file, e.pos, e.message).help(e.help));
            None
        }
    }
}

/// Reads TOML into the same node tree as YAML, so one set of checks serves both.
fn parse_toml(file: &str, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Node> {
    let index = LineIndex::new(text);
    match toml::de::DeTable::parse(text) {
        Ok(table) => {
            let span = table.span();
            Some(toml_table(table.get_ref(), index.pos(text, span.start), &index, text))
        }
        Err(e) => {
            let pos = e.span().map(|s| index.pos(text, s.start)).unwrap_or(Pos::new(1, 1));
            let msg = e.message().lines().next().unwrap_or("invalid TOML").trim().to_string();
            diags.push(
                Diagnostic::error(file, pos, format!("invalid TOML: {msg}")).help("check the line: keys are written key = \"value\", text in double quotes"),
            );
            None
        }
    }
}

fn toml_table(t: &toml::de::DeTable<'_>, pos: Pos, index: &LineIndex, text: &str) -> Node {
    let mut items: Vec<(usize, (Node, Node))> = t
        .iter()
        .map(|(k, v)| {
            let kpos = index.pos(text, k.span().start);
            let key = Node { pos: kpos, value: Value::Str(crate::dialect::without_marks(k.get_ref().to_string())) };
            (k.span().start, (key, toml_value(v.get_ref(), index.pos(text, v.span().start), index, text)))
        })
        .collect();
    // File order, not the parser's key order: [comparators] columns follow site.toml (SPEC).
    items.sort_by_key(|(start, _)| *start);
    Node { pos, value: Value::Map(items.into_iter().map(|(_, kv)| kv).collect()) }
}

fn toml_value(v: &toml::de::DeValue<'_>, pos: Pos, index: &LineIndex, text: &str) -> Node {
    use toml::de::DeValue;
    let value = match v {
        DeValue::String(s) => Value::Str(crate::dialect::without_marks(s.to_string())),
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).map(Value::Int).unwrap_or(Value::Str(i.as_str().to_string())),
        DeValue::Float(f) => f.as_str().replace('_', "").parse().map(Value::Float).unwrap_or(Value::Str(f.as_str().to_string())),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Str(d.to_string()),
        DeValue::Array(a) => Value::Seq(a.iter().map(|x| toml_value(x.get_ref(), index.pos(text, x.span().start), index, text)).collect()),
        DeValue::Table(t) => return toml_table(t, pos, index, text),
    };
    Node { pos, value }
}
