//! Figures in words and HTML: values with units and flags, changes, directions, ranks.

use super::markdown::escape;
use crate::catalogue::Metric;
use crate::figure::{marker_words, Figure};
use crate::model::{ordinal_of, Direction, MetricView};
use crate::validate::Settings;

/// A shorthand marker with its words for screen readers; `data-flag` lets the page build its key.
pub fn marker_html(letter: char) -> String {
    format!(
        "<span class=\"flag\" data-flag=\"{letter}\"><span aria-hidden=\"true\">[{letter}]</span><span class=\"visually-hidden\"> {}</span></span>",
        marker_words(letter)
    )
}

/// A figure as HTML: "1,418 [r]" or "[x]".
pub fn figure_html(metric: &Metric, f: Figure) -> String {
    let mut out = match f {
        Figure::Value(v, _) => format!("<span class=\"value\">{}</span>", escape(&metric.format(v))),
        _ => String::new(),
    };
    for m in f.markers() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&marker_html(m));
    }
    out
}

/// A figure with, when it was revised, what was first published: "781 [r] (first published as 769)".
pub fn figure_with_first_html(metric: &Metric, view: &MetricView, p: crate::model::Point) -> String {
    let mut out = figure_html(metric, p.figure);
    if let Some(first) = view.first_published.get(&p.period) {
        out.push_str(&format!(" <span class=\"first-published\">(first published as {})</span>", figure_html(metric, *first)));
    }
    out
}

/// A figure as plain text: "1,418 [r]" or "[x]".
pub fn figure_text(metric: &Metric, f: Figure) -> String {
    let mut parts: Vec<String> = f.value().map(|v| metric.format(v)).into_iter().collect();
    parts.extend(f.markers().into_iter().map(|m| format!("[{m}]")));
    parts.join(" ")
}

/// The shorthand for why there is no comparison: suppressed wins over not available.
fn missing_marker(view: &MetricView) -> String {
    let suppressed = [view.current, view.previous].iter().any(|p| p.is_some_and(|p| p.figure == Figure::Suppressed));
    marker_html(if suppressed { 'c' } else { 'x' })
}

/// Why there is no comparison, in words (short for table cells): a
/// suppressed figure, no figure now, or none before.
fn no_comparison(view: &MetricView, short: bool) -> (&'static str, char) {
    let suppressed = [view.current, view.previous].iter().any(|p| p.is_some_and(|p| p.figure == Figure::Suppressed));
    match (suppressed, view.current.and_then(|p| p.figure.value()).is_none(), short) {
        (true, _, true) => ("not compared", 'c'),
        (true, _, false) => ("not compared: a figure is suppressed", 'c'),
        (false, true, true) => ("no figure", 'x'),
        (false, true, false) => ("no figure to compare", 'x'),
        (false, false, true) => ("no earlier figure", 'x'),
        (false, false, false) => ("no earlier figure to compare with", 'x'),
    }
}

/// Why there is no comparison, for a table cell: "no earlier figure [x]", "not compared [c]".
pub fn no_comparison_html(view: &MetricView) -> String {
    let (words, letter) = no_comparison(view, true);
    format!("{words} {}", marker_html(letter))
}

/// The same as a sentence: "No earlier figure to compare with [x]."
pub fn no_comparison_sentence_html(view: &MetricView) -> String {
    let (words, letter) = no_comparison(view, false);
    let mut cs = words.chars();
    let first = cs.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
    format!("{first}{} {}.", cs.as_str(), marker_html(letter))
}

/// "down 9 from 90", "up 1.2 percentage points from 86.8%", "no change from 35 days".
pub fn change_html(metric: &Metric, view: &MetricView) -> String {
    let Some(c) = view.change(metric) else { return missing_marker(view) };
    let from = escape(&metric.format(c.from));
    if c.difference == 0.0 {
        return format!("no change from {from}");
    }
    let word = if c.difference > 0.0 { "up" } else { "down" };
    format!("{word} {} from {from}", escape(&metric.unit.format_difference(c.difference, metric.decimals)))
}

/// "improving", "worsening", "no change", or for neutral metrics "up"/"down".
pub fn direction_html(metric: &Metric, view: &MetricView) -> String {
    match view.change(metric) {
        Some(c) => c.direction.words().to_string(),
        None => missing_marker(view),
    }
}

/// A direction with an arrow for tables; the words carry the meaning, the arrow is decoration.
pub fn direction_cell(metric: &Metric, view: &MetricView) -> String {
    let Some(c) = view.change(metric) else { return no_comparison_html(view) };
    let (class, arrow) = match c.direction {
        Direction::Improving => ("improving", if c.difference > 0.0 { "▲" } else { "▼" }),
        Direction::Worsening => ("worsening", if c.difference > 0.0 { "▲" } else { "▼" }),
        Direction::NoChange => ("no-change", "▶"),
        Direction::Up => ("neutral", "▲"),
        Direction::Down => ("neutral", "▼"),
    };
    format!("<span class=\"direction {class}\"><span aria-hidden=\"true\">{arrow} </span>{}</span>", c.direction.words())
}

/// "3rd of 10" for a comparator group, or the missing marker.
pub fn rank_html(view: &MetricView, group: usize, settings: &Settings) -> String {
    if view.current.is_some_and(|c| c.figure == Figure::Suppressed) {
        return marker_html('c');
    }
    match (view.rank.iter().find(|(g, _)| *g == group), settings.comparators[group].members) {
        (Some((_, r)), Some(of)) => ordinal_of(*r, of),
        _ => "<span class=\"not-ranked\"><span aria-hidden=\"true\">–</span><span class=\"visually-hidden\">not ranked</span></span>".to_string(),
    }
}

/// The flags used in some HTML, in key order, with their words.
pub fn flags_used(html: &str) -> Vec<(char, &'static str)> {
    ['x', 'c', 'p', 'r', 'e', 'u'].into_iter().filter(|l| html.contains(&format!("data-flag=\"{l}\""))).map(|l| (l, marker_words(l))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figure::Flags;
    use crate::model::Point;
    use crate::period::{FinancialYear, Period};

    fn view(current: Option<Figure>, previous: Option<Figure>) -> MetricView {
        let at = |y: u16, f: Figure| Point { period: Period::Year(FinancialYear::new(y)), figure: f };
        MetricView {
            metric: 0,
            series: Vec::new(),
            current: current.map(|f| at(2024, f)),
            previous: previous.map(|f| at(2023, f)),
            rank: Vec::new(),
            compare: Vec::new(),
            compare_series: Vec::new(),
            note: None,
            first_published: Default::default(),
        }
    }

    #[test]
    fn no_comparison_is_said_in_words_never_a_bare_marker() {
        let v = |x: f64| Figure::Value(x, Flags::NONE);
        let s = no_comparison_sentence_html(&view(Some(v(61.5)), None));
        assert!(s.starts_with("No earlier figure to compare with <span class=\"flag\" data-flag=\"x\">") && s.ends_with("</span>."), "{s}");
        assert!(no_comparison_html(&view(Some(v(61.5)), Some(Figure::Suppressed))).starts_with("not compared <span class=\"flag\" data-flag=\"c\">"));
        assert!(no_comparison_html(&view(Some(Figure::NotAvailable(Flags::NONE)), Some(v(3.0)))).starts_with("no figure <span"));
        assert!(no_comparison_html(&view(Some(v(61.5)), None)).starts_with("no earlier figure <span"));
    }
}
