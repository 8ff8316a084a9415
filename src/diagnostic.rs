//! Problems found in a site directory, each pointing at a file, line and column.
//!
//! Owns: `Diagnostic` and its renderings (human, GitHub, JSON). Must not import any pipeline stage
//! (every stage reports through it); it reads source lines only through `site_files`' guard.

use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;

/// How bad a problem is: errors fail `check` and `build`, warnings only inform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Stops the build.
    Error,
    /// Worth fixing, but the site still builds.
    Warning,
}

/// A place in a source file, 1-based; line 0 means "the whole file".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
pub struct Pos {
    /// 1-based line, or 0 for the file as a whole.
    pub line: u32,
    /// 1-based column in characters.
    pub column: u32,
}

impl Pos {
    /// A line and column.
    pub fn new(line: u32, column: u32) -> Self {
        Pos { line, column }
    }
    /// The file as a whole.
    pub const FILE: Pos = Pos { line: 0, column: 0 };
}

/// One problem for an officer to mend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Path relative to the site root, with `/` separators.
    pub file: String,
    /// Where in the file.
    #[serde(flatten)]
    pub pos: Pos,
    /// What is wrong.
    pub message: String,
    /// How to mend it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at a place.
    pub fn error(file: impl Into<String>, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, file: file.into(), pos, message: message.into(), help: None }
    }
    /// A warning at a place.
    pub fn warning(file: impl Into<String>, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, file: file.into(), pos, message: message.into(), help: None }
    }
    /// Adds how to mend it.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    /// `error: data/2024-25/q2.yaml:14:3: unknown metric "x"`.
    pub fn headline(&self) -> String {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.pos.line == 0 {
            format!("{sev}: {}: {}", self.file, self.message)
        } else {
            format!("{sev}: {}:{}:{}: {}", self.file, self.pos.line, self.pos.column, self.message)
        }
    }
}

/// Every problem found in one run: the one sink each stage reports into, which alone knows
/// how many are errors (a stage that must not go on after an error asks it).
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Records a problem.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }
    /// Whether any is an error.
    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }
    /// How many are errors.
    pub fn error_count(&self) -> usize {
        Counts::of(&self.items).errors
    }
    /// How many there are, errors and warnings.
    pub fn len(&self) -> usize {
        self.items.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    /// The problems as recorded.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }
    /// Sorted by file, position, then message, without repeats.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        // Errors first (they stop the build), then warnings; each by file and position.
        self.items.sort_by(|a, b| (a.severity, &a.file, a.pos, &a.message).cmp(&(b.severity, &b.file, b.pos, &b.message)));
        self.items.dedup();
        self.items
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, items: I) {
        self.items.extend(items);
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// How many errors and warnings a list holds: the one place they are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Problems that stop a build.
    pub errors: usize,
    /// The rest.
    pub warnings: usize,
}

impl Counts {
    /// Counts `diags`.
    pub fn of<'a>(diags: impl IntoIterator<Item = &'a Diagnostic>) -> Counts {
        diags.into_iter().fold(Counts::default(), |c, d| match d.severity {
            Severity::Error => Counts { errors: c.errors + 1, ..c },
            Severity::Warning => Counts { warnings: c.warnings + 1, ..c },
        })
    }
}

/// Output formats of `scrutiny check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Headline, source snippet and help, for a terminal.
    Human,
    /// GitHub Actions workflow annotations.
    Github,
    /// One JSON array.
    Json,
}

/// Renders diagnostics; `root` is used to read the source lines for snippets.
pub fn render(diags: &[Diagnostic], format: Format, root: &std::path::Path) -> String {
    let mut out = String::new();
    match format {
        Format::Human => {
            let mut cache: Option<(String, Vec<String>)> = None;
            for d in diags {
                out.push_str(&d.headline());
                out.push('\n');
                if d.pos.line > 0 {
                    if cache.as_ref().map(|c| &c.0) != Some(&d.file) {
                        let path = root.join(&d.file);
                        // Never show a line of a file reached through a link out of the site.
                        let inside = crate::site_files::link_out(root, &path).is_none();
                        let text = std::fs::read(&path).ok().filter(|_| inside).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
                        cache = Some((d.file.clone(), text.lines().map(str::to_owned).collect()));
                    }
                    if let Some(line) = cache.as_ref().and_then(|c| c.1.get(d.pos.line as usize - 1)) {
                        out.push_str(&snippet(line, d.pos));
                    }
                }
                if let Some(h) = &d.help {
                    let _ = writeln!(out, "  = help: {h}");
                }
                out.push('\n');
            }
        }
        Format::Github => {
            // Annotations name files from where the workflow runs, so the root as given prefixes them.
            let prefix = match root.to_string_lossy().replace('\\', "/").trim_start_matches("./").trim_end_matches('/') {
                "" | "." => String::new(),
                p => format!("{p}/"),
            };
            for d in diags {
                let kind = if d.severity == Severity::Error { "error" } else { "warning" };
                let mut msg = d.message.clone();
                if let Some(h) = &d.help {
                    msg.push_str(" (");
                    msg.push_str(h);
                    msg.push(')');
                }
                let _ = writeln!(
                    out,
                    "::{kind} file={},line={},col={}::{}",
                    github_escape_property(&format!("{prefix}{}", d.file)),
                    d.pos.line.max(1),
                    d.pos.column.max(1),
                    github_escape_data(&msg)
                );
            }
        }
        Format::Json => {
            out = serde_json::to_string_pretty(diags).expect("diagnostics serialise");
            out.push('\n');
        }
    }
    out
}

/// A source line with a caret under the column; long lines show a window around it.
fn snippet(line: &str, pos: Pos) -> String {
    let num = pos.line.to_string();
    let pad = " ".repeat(num.len());
    let chars: Vec<char> = line.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
    let col = (pos.column.max(1) as usize - 1).min(chars.len());
    const WIDTH: usize = 100;
    let start = if chars.len() <= WIDTH { 0 } else { col.saturating_sub(WIDTH / 2).min(chars.len().saturating_sub(WIDTH)) };
    let end = (start + WIDTH).min(chars.len());
    let (lead, trail) = (if start > 0 { "…" } else { "" }, if end < chars.len() { "…" } else { "" });
    let shown: String = chars[start..end].iter().collect();
    let caret_at = col - start + lead.chars().count();
    format!("{pad} |\n{num} | {lead}{shown}{trail}\n{pad} | {}^\n", " ".repeat(caret_at))
}

fn github_escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn github_escape_property(s: &str) -> String {
    github_escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The nearest of `candidates` to `word`, if near enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(word, c);
        if score >= 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// " (did you mean \"x\"?)" or "".
pub fn suggestion<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(word, candidates).map(|c| format!(" (did you mean \"{c}\"?)")).unwrap_or_default()
}

/// Site-relative path with forward slashes.
pub fn rel(root: &std::path::Path, path: &std::path::Path) -> String {
    let p: PathBuf = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    p.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_matches_spec_format() {
        let d = Diagnostic::error("data/2024-25/q2.yaml", Pos::new(14, 3), "unknown metric \"waitng-list\" (did you mean \"waiting-list\"?)");
        assert_eq!(d.headline(), "error: data/2024-25/q2.yaml:14:3: unknown metric \"waitng-list\" (did you mean \"waiting-list\"?)");
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        assert_eq!(did_you_mean("waitng-list", ["waiting-list", "contacts"]), Some("waiting-list"));
        assert_eq!(did_you_mean("zzz", ["waiting-list", "contacts"]), None);
    }

    #[test]
    fn github_annotations_name_files_from_the_workflow_directory() {
        let d = [Diagnostic::error("data/q.yaml", Pos::new(2, 3), "bad").help("mend")];
        assert_eq!(render(&d, Format::Github, std::path::Path::new(".")), "::error file=data/q.yaml,line=2,col=3::bad (mend)\n");
        assert_eq!(render(&d, Format::Github, std::path::Path::new("site/")), "::error file=site/data/q.yaml,line=2,col=3::bad (mend)\n");
    }

    #[test]
    fn long_lines_show_a_window_around_the_column() {
        let line = format!("{}SAB{}", "x".repeat(287), "y".repeat(100));
        let out = snippet(&line, Pos::new(21, 288));
        let lines: Vec<&str> = out.lines().collect();
        let caret = lines[2].chars().position(|c| c == '^').unwrap();
        let under: String = lines[1].chars().skip(caret).take(3).collect();
        assert_eq!(under, "SAB", "{out}");
    }

    #[test]
    fn the_sink_counts_errors_and_warnings() {
        let mut d = Diagnostics::default();
        assert!(!d.has_errors());
        d.push(Diagnostic::warning("a.yaml", Pos::new(1, 1), "w"));
        assert!(!d.has_errors());
        d.extend([Diagnostic::error("b.yaml", Pos::FILE, "e"), Diagnostic::error("a.yaml", Pos::new(2, 1), "e")]);
        assert_eq!(d.error_count(), 2);
        assert_eq!(Counts::of(d.iter()), Counts { errors: 2, warnings: 1 });
        let sorted: Vec<String> = d.sorted().iter().map(Diagnostic::headline).collect();
        assert_eq!(sorted, ["error: a.yaml:2:1: e", "error: b.yaml: e", "warning: a.yaml:1:1: w"]);
    }

    #[test]
    fn caret_under_column() {
        assert_eq!(snippet("  abc: 1", Pos::new(3, 3)), "  |\n3 |   abc: 1\n  |   ^\n");
    }
}
