//! The theme's templates: one shared minijinja environment for the whole build.
//!
//! Owns: the minijinja environment, the built-in theme, the one markup of a shorthand marker
//! (the flag partial, which pages, charts and the PDF all use) and template errors. Must not import
//! `pages` or any other leaf of render: they all use it.

use crate::diagnostic::{Diagnostic, Pos};
use crate::figure::marker_words;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use std::path::Path;

/// The default theme, built in so a site without a `themes/default/` folder still builds.
const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    ("404.html", include_str!("../../themes/default/templates/404.html")),
    ("appendix.html", include_str!("../../themes/default/templates/appendix.html")),
    ("base.html", include_str!("../../themes/default/templates/base.html")),
    ("blocks/benchmark.html", include_str!("../../themes/default/templates/blocks/benchmark.html")),
    ("blocks/breakdown.html", include_str!("../../themes/default/templates/blocks/breakdown.html")),
    ("blocks/chart.html", include_str!("../../themes/default/templates/blocks/chart.html")),
    ("blocks/compare.html", include_str!("../../themes/default/templates/blocks/compare.html")),
    ("blocks/figure.html", include_str!("../../themes/default/templates/blocks/figure.html")),
    ("blocks/kpis.html", include_str!("../../themes/default/templates/blocks/kpis.html")),
    ("data.html", include_str!("../../themes/default/templates/data.html")),
    ("feed.xml", include_str!("../../themes/default/templates/feed.xml")),
    ("glossary.html", include_str!("../../themes/default/templates/glossary.html")),
    ("home.html", include_str!("../../themes/default/templates/home.html")),
    ("latest.html", include_str!("../../themes/default/templates/latest.html")),
    ("metric.html", include_str!("../../themes/default/templates/metric.html")),
    ("metrics.html", include_str!("../../themes/default/templates/metrics.html")),
    ("page.html", include_str!("../../themes/default/templates/page.html")),
    ("partials/appendix_table.html", include_str!("../../themes/default/templates/partials/appendix_table.html")),
    ("partials/flag_key.html", include_str!("../../themes/default/templates/partials/flag_key.html")),
    ("partials/metric_comparisons.html", include_str!("../../themes/default/templates/partials/metric_comparisons.html")),
    ("partials/quarter_banner.html", include_str!("../../themes/default/templates/partials/quarter_banner.html")),
    ("partials/report_details.html", include_str!("../../themes/default/templates/partials/report_details.html")),
    ("print.html", include_str!("../../themes/default/templates/print.html")),
    ("quarter.html", include_str!("../../themes/default/templates/quarter.html")),
    ("section.html", include_str!("../../themes/default/templates/section.html")),
    ("sitemap.xml", include_str!("../../themes/default/templates/sitemap.xml")),
];

/// Template instructions one page may run. Every page of the example site and of a 40-quarter
/// archive needs under 4,000 (measured); a highlight table costs about 30 a metric, so this
/// allows sites of well over 100,000 metrics, while a runaway loop reaches it within a second.
pub(crate) const FUEL: u64 = 5_000_000;

/// The default theme's stylesheet.
pub(crate) const DEFAULT_CSS: &str = include_str!("../../themes/default/static/style.css");

/// Loads the built-in templates and, over them, every template of `themes/NAME/templates/`.
pub fn environment(root: &Path, theme: &str) -> Result<Environment<'static>, Vec<Diagnostic>> {
    let dir = root.join("themes").join(theme).join("templates");
    let mut env = bare_environment();
    // A shorthand marker, the same markup as every marker in the figures (`partials/flag.html`).
    env.add_function("flag", |letter: &str| Value::from_safe_string(marker_html(letter.chars().next().unwrap_or('x'))));
    // The markers some HTML uses, in key order, for the key to symbols; a second piece of HTML
    // may be given (`banner|flags_used(main)`), so a page's parts need not be joined to be read.
    env.add_filter("flags_used", |html: &str, more: Option<&str>| Value::from(minijinja::value::Serde(flags_used_in(&[html, more.unwrap_or_default()]))));
    // Nothing is read through a link out of the site (a theme's templates are published).
    let mut diags = crate::load::links::links_leaving(root, &root.join("themes").join(theme));
    if !diags.is_empty() {
        return Err(diags);
    }
    // The built-in templates first; a theme's own templates replace them by name, so a theme
    // may hold only the templates it changes.
    for (name, src) in DEFAULT_TEMPLATES {
        if let Err(err) = env.add_template(name, src) {
            diags.push(template_error(&format!("themes/default/templates/{name}"), &err));
        }
    }
    if !dir.is_dir() {
        return if diags.is_empty() { Ok(env) } else { Err(diags) };
    }
    let mut files: Vec<_> = walkdir::WalkDir::new(&dir).sort_by_file_name().into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()).collect();
    files.sort_by(|a, b| a.path().cmp(b.path()));
    for e in files {
        let name = e.path().strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/");
        if crate::site_files::is_ignorable(e.file_name().to_string_lossy().as_ref()) {
            continue;
        }
        let file = crate::diagnostic::rel(root, e.path());
        match std::fs::read_to_string(e.path()) {
            Ok(src) => {
                if let Err(err) = env.add_template_owned(name, src) {
                    diags.push(template_error(&file, &err));
                }
            }
            Err(err) => diags.push(Diagnostic::error(file, Pos::FILE, format!("cannot read the template: {err}"))),
        }
    }
    if diags.is_empty() {
        Ok(env)
    } else {
        Err(diags)
    }
}

/// An environment with the build's rules (strict, fuelled, escaping as pages need) and no templates.
pub(crate) fn bare_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_debug(true);
    // A theme's loop that never ends (or loops nested too deep) stops with a located error.
    env.set_fuel(Some(FUEL));
    env.set_auto_escape_callback(
        |name| if name.ends_with(".html") || name.ends_with(".svg") || name.ends_with(".xml") { AutoEscape::Html } else { AutoEscape::None },
    );
    // The stock HTML escaper also escapes "/", which bloats every URL; escape what HTML needs.
    env.set_formatter(|out, state, value| {
        if *state.auto_escape() == AutoEscape::None || value.is_safe() {
            return minijinja::escape_formatter(out, state, value);
        }
        match value.as_str() {
            // Most values (titles, figures, links) need no escaping: written as they are, not copied.
            Some(s) if needs_no_escaping(s) => out.write_str(s).map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write failed")),
            Some(s) => out.write_str(&super::markdown::escape(s)).map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write failed")),
            None if value.is_none() || value.is_undefined() => Ok(()),
            None => out
                .write_str(&super::markdown::escape(&value.to_string()))
                .map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write failed")),
        }
    });
    env
}

/// Whether [`escape`](super::escape) would give `s` back unchanged: printable ASCII and line
/// breaks only, none of `& < > " '`.
fn needs_no_escaping(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b'\t' | b'\n' | b'\r' | b' '..=b'~') && !matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
}

/// A hash of the theme's templates, so cached pages are dropped when a template changes.
pub(crate) fn fingerprint(root: &Path, theme: &str) -> blake3::Hash {
    let dir = root.join("themes").join(theme).join("templates");
    let mut h = blake3::Hasher::new();
    if theme == "default" && !dir.is_dir() {
        for (name, src) in DEFAULT_TEMPLATES {
            h.update(name.as_bytes());
            h.update(src.as_bytes());
        }
        return h.finalize();
    }
    let mut files: Vec<_> = walkdir::WalkDir::new(&dir).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()).map(|e| e.into_path()).collect();
    files.sort();
    for f in files {
        h.update(f.to_string_lossy().as_bytes());
        h.update(&std::fs::read(&f).unwrap_or_default());
    }
    h.finalize()
}

/// A template problem as a diagnostic pointing at the template's line.
pub(crate) fn template_error(file: &str, err: &minijinja::Error) -> Diagnostic {
    // An error in an included template (a partial): point at its line, in the file it is in.
    let mut err = err;
    while let Some(inner) = std::error::Error::source(err).and_then(|s| s.downcast_ref::<minijinja::Error>()).filter(|e| e.name().is_some()) {
        err = inner;
    }
    let line = err.line().unwrap_or(0) as u32;
    let mut msg = err.detail().map(str::to_string).unwrap_or_else(|| err.kind().to_string());
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        msg.push_str(&format!(": {s}"));
        source = s.source();
    }
    let file = err
        .name()
        .map(|n| format!("{}{n}", file.rsplit_once("templates/").map(|(a, _)| format!("{a}templates/")).unwrap_or_default()))
        .unwrap_or_else(|| file.to_string());
    // Out of fuel in an included template: point at the loop, in the file it is in.
    let mut deepest = Some(err);
    let mut cause: Option<&minijinja::Error> = None;
    while let Some(e) = deepest {
        if e.kind() == minijinja::ErrorKind::OutOfFuel {
            cause = Some(e);
        }
        deepest = std::error::Error::source(e).and_then(|s| s.downcast_ref::<minijinja::Error>());
    }
    if let Some(e) = cause {
        let line = e.line().unwrap_or(0) as u32;
        let file =
            e.name().map(|n| format!("{}{n}", file.rsplit_once("templates/").map(|(a, _)| format!("{a}templates/")).unwrap_or_default())).unwrap_or(file);
        return Diagnostic::error(
            file,
            Pos::new(line, if line > 0 { 1 } else { 0 }),
            "template error: the template does too much work and was stopped (a loop that never ends, or loops nested too deep)",
        )
        .help("look at the loops at this line: loop over the report's data, not over large ranges");
    }
    Diagnostic::error(file, Pos::new(line, if line > 0 { 1 } else { 0 }), format!("template error: {msg}"))
        .help("fix the template at this line (theme templates use minijinja, a Jinja2 dialect)")
}

/// The one markup of a shorthand marker, for every page, table, chart block and the PDF (which
/// reads `data-flag` back, as does the key to symbols). Built in: a theme cannot change it.
const FLAG_PARTIAL: &str = include_str!("../../themes/default/templates/partials/flag.html");

/// The shorthand letters, in the order the key to symbols lists them.
const KEY_ORDER: [char; 6] = ['x', 'c', 'p', 'r', 'e', 'u'];

/// Each marker of [`KEY_ORDER`], made once from the partial.
static MARKERS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| KEY_ORDER.iter().map(|l| render_marker(*l)).collect());

fn render_marker(letter: char) -> String {
    let mut env = bare_environment();
    env.add_template("partials/flag.html", FLAG_PARTIAL)
        .and_then(|()| env.get_template("partials/flag.html"))
        .and_then(|t| t.render(minijinja::context! { letter => letter, words => marker_words(letter) }))
        .expect("the built-in flag partial renders")
}

/// A shorthand marker with its words for screen readers; `data-flag` lets the page build its key.
pub fn marker_html(letter: char) -> String {
    match KEY_ORDER.iter().position(|l| *l == letter) {
        Some(i) => MARKERS[i].clone(),
        None => render_marker(letter),
    }
}

/// A shorthand marker a page uses, for its key to symbols.
#[derive(Debug, serde::Serialize, PartialEq)]
pub struct FlagUse {
    /// "x", "c"...
    pub letter: char,
    /// "not available"...
    pub words: &'static str,
}

/// The flags used in some HTML, in key order, with their words.
pub fn flags_used(html: &str) -> Vec<FlagUse> {
    flags_used_in(&[html])
}

/// The flags used in some pieces of HTML. A page may be long and most use no marker, so each
/// piece is first searched for any marker at all (`contains` is the fast search of the standard
/// library), and only then for each letter.
fn flags_used_in(pieces: &[&str]) -> Vec<FlagUse> {
    let mut used = [false; KEY_ORDER.len()];
    for html in pieces.iter().filter(|h| h.contains("data-flag=\"")) {
        for (l, u) in KEY_ORDER.iter().zip(used.iter_mut()).filter(|(_, u)| !**u) {
            *u = html.contains(&format!("data-flag=\"{l}\""));
        }
    }
    KEY_ORDER.into_iter().zip(used).filter(|(_, u)| *u).map(|(letter, _)| FlagUse { letter, words: marker_words(letter) }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_needing_no_escaping_are_exactly_those_escape_leaves_alone() {
        for s in ["", "Quarter 2, 2024/25", "../../metrics/a-b/", "1,418\tdays\n", "a&b", "<b>", "\"x\"", "it's", "£62", "é", "\u{7f}", "\u{1}", "\u{E005}"] {
            let plain = needs_no_escaping(s);
            assert!(!plain || super::super::escape(s) == s, "{s:?} is written as it is but escape changes it");
            assert_eq!(plain, s.is_ascii() && super::super::escape(s) == s, "{s:?}");
        }
    }

    #[test]
    fn the_key_reads_markers_in_either_piece_in_key_order() {
        let (r, x) = (marker_html('r'), marker_html('x'));
        let used: Vec<char> = flags_used_in(&[&r, &format!("<p>{x}</p>")]).into_iter().map(|f| f.letter).collect();
        assert_eq!(used, ['x', 'r']);
        assert!(flags_used_in(&["<p>no markers</p>", ""]).is_empty());
    }
}
