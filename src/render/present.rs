//! Figures in words and HTML: values with units and flags, changes, directions, ranks.
//!
//! Owns: the figures' words and marked-up HTML shared by pages, charts and the PDF. Must not
//! import `pages`, `opendata` or `feeds`.

use super::markdown::escape;
pub use super::templates::marker_html;
use crate::catalogue::Metric;
use crate::figure::Figure;
use crate::index::GroupIdx;
use crate::model::{ordinal_of, percent_words, quartile_words, Comparison, Direction, MetricView, PlanStatus, TargetStatus};
use crate::period::Period;
use crate::validate::Settings;
pub(crate) use crate::words::{join_and, join_or};

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
    let noise = if c.direction == Direction::NoRealChange { " (no real change)" } else { "" };
    format!("{word} {} from {from}{noise}", escape(&metric.unit.format_difference(c.difference, metric.decimals)))
}

/// ", Q1 2024/25" when a rank or group figure is for a period other than the report's own.
pub fn lag(p: Option<Period>, own: Period) -> String {
    match p {
        Some(p) if p != own => format!(", {}", p.short()),
        _ => String::new(),
    }
}

/// The group's figure with its period when that differs: "84.1%", "57.3%, 2023/24", or `[x]`.
pub fn compare_html(metric: &Metric, view: &MetricView, group: GroupIdx, own: Period) -> String {
    match view.group(group) {
        Some(g) if g.value.is_some() => {
            let v = g.value.unwrap_or_default();
            format!("{}{}", escape(&metric.format(v)), escape(&lag(g.value_period, own)))
        }
        _ => marker_html('x'),
    }
}

/// "in the top quarter of the North West" (with the rank's period when it differs), or `[x]`.
pub fn quartile_html(view: &MetricView, group: GroupIdx, settings: &Settings, own: Period) -> String {
    if view.current.is_some_and(|c| c.figure == Figure::Suppressed) {
        return marker_html('c');
    }
    match view.group(group).and_then(|g| g.quartile().map(|q| (q, g.rank_period))) {
        Some((q, p)) => format!("in the {} of the {}{}", quartile_words(q), escape(&settings.comparators[group].name), escape(&lag(p, own))),
        None => marker_html('x'),
    }
}

/// The target in force: "400 by Q3 2025/26", or `[x]`.
pub fn target_html(metric: &Metric, view: &MetricView) -> String {
    view.target.as_ref().map(|t| escape(&t.words(metric))).unwrap_or_else(|| marker_html('x'))
}

/// This period's planned value, or `[x]`.
pub fn plan_html(metric: &Metric, view: &MetricView) -> String {
    match (view.target.as_ref(), view.current) {
        (Some(t), Some(c)) => t.plan_for(metric, c.period).map(|v| escape(&metric.format(v))).unwrap_or_else(|| marker_html('x')),
        _ => marker_html('x'),
    }
}

/// The figure against this period's plan in words ("31 behind plan"), or the shorthand.
pub fn against_plan_html(metric: &Metric, view: &MetricView) -> String {
    let Some(c) = view.current else { return marker_html('x') };
    let Some(v) = c.figure.value() else { return missing_marker(view) };
    match view.target.as_ref().and_then(|t| t.plan_for(metric, c.period)) {
        Some(plan) => escape(&crate::model::target_against(metric, v, plan).words(metric)),
        None => marker_html('x'),
    }
}

/// For tables: the target, and how the figure stands, in words with a symbol.
pub fn target_cell(metric: &Metric, view: &MetricView) -> Option<String> {
    let t = view.target.as_ref()?;
    let mut out = format!("<span class=\"target-value\">{}</span>", escape(&t.words(metric)));
    let status = view.current.and_then(|c| c.figure.value().map(|v| t.status(metric, v, c.period)));
    // The symbol (tick, cross, dot, up, down) is decoration the stylesheet draws from the
    // second class, unread (`.target-status.tick::before` in style.css).
    let (class, symbol, words) = match status {
        Some(TargetStatus::Met) => ("met", " tick", "met".to_string()),
        Some(TargetStatus::NotMet) => ("not-met", " cross", "not met".to_string()),
        Some(TargetStatus::Plan(p)) => {
            let symbol = match p {
                PlanStatus::On => " dot",
                PlanStatus::Ahead(_) | PlanStatus::Above(_) => " up",
                PlanStatus::Behind(_) | PlanStatus::Below(_) => " down",
            };
            let class = match p {
                PlanStatus::Ahead(_) => "ahead",
                PlanStatus::Behind(_) => "behind",
                _ => "on-plan",
            };
            (class, symbol, p.words(metric))
        }
        Some(TargetStatus::NoPlan) => ("no-plan", "", "no plan for this period".to_string()),
        Some(TargetStatus::NotJudged) | None => return Some(out),
    };
    out.push_str(&format!("<br><span class=\"target-status {class}{symbol}\">{}</span>", escape(&words)));
    Some(out)
}

/// The same period a year earlier, or `[x]`.
pub fn year_ago_html(metric: &Metric, view: &MetricView) -> String {
    view.year_ago.map(|p| figure_html(metric, p.figure)).unwrap_or_else(|| marker_html('x'))
}

/// "up 20 (12%) from Q2 2023/24"; percentages in percentage points.
pub fn change_year_html(metric: &Metric, view: &MetricView) -> String {
    let Some(ya) = view.year_ago else { return marker_html('x') };
    let Some(c) = view.change_year(metric) else {
        let suppressed = [view.current.map(|p| p.figure), Some(ya.figure)].contains(&Some(Figure::Suppressed));
        return marker_html(if suppressed { 'c' } else { 'x' });
    };
    let when = escape(&ya.period.short());
    if c.difference == 0.0 {
        return format!("no change from {when}");
    }
    let word = if c.difference > 0.0 { "up" } else { "down" };
    let size = escape(&metric.unit.format_difference(c.difference, metric.decimals));
    let pct = if metric.unit == crate::catalogue::Unit::Percent || c.from == 0.0 {
        String::new()
    } else {
        format!(" ({})", percent_words(c.difference / c.from * 100.0))
    };
    let noise = if c.direction == Direction::NoRealChange { " (no real change)" } else { "" };
    format!("{word} {size}{pct} from {when}{noise}")
}

/// "up 4.5%" on the previous period; `[x]` from zero.
pub fn change_percent_html(metric: &Metric, view: &MetricView) -> String {
    let Some(c) = view.change(metric) else { return missing_marker(view) };
    if c.from == 0.0 {
        return marker_html('x');
    }
    if c.difference == 0.0 {
        return "no change".into();
    }
    format!("{} {}", if c.difference > 0.0 { "up" } else { "down" }, percent_words(c.difference / c.from * 100.0))
}

/// The year to date, or its shorthand.
pub fn ytd_html(metric: &Metric, view: &MetricView) -> String {
    view.ytd.map(|f| figure_html(metric, f)).unwrap_or_else(|| marker_html('x'))
}

/// "similar to", "better than"... our figure against a group's.
pub fn comparison_words(metric: &Metric, view: &MetricView, group: GroupIdx) -> Option<&'static str> {
    let ours = view.current?.figure.value()?;
    let g = view.group(group)?;
    Some(Comparison::of(metric, ours, view.ci, g.value?, g.ci).words())
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
    let (class, arrow) = direction_classes(c.direction, c.difference);
    format!("<span class=\"direction {class} {arrow}\">{}</span>", c.direction.words())
}

/// A direction's class (its colour) and its arrow's: up, down, level, about the same. The arrow
/// is drawn by the stylesheet (`.direction.up::before`), unread: a class is shorter than the
/// arrow's markup in every row of every highlight table.
fn direction_classes(direction: Direction, difference: f64) -> (&'static str, &'static str) {
    let sign = if difference > 0.0 { "up" } else { "down" };
    match direction {
        Direction::Improving => ("improving", sign),
        Direction::Worsening => ("worsening", sign),
        Direction::NoChange => ("no-change", "level"),
        Direction::NoRealChange => ("no-change", "about"),
        Direction::Up => ("neutral", "up"),
        Direction::Down => ("neutral", "down"),
    }
}

/// "3rd of 10" for a comparator group (", Q1 2024/25" when the rank is for another period), or the missing marker.
pub fn rank_html(view: &MetricView, group: GroupIdx, own: Period) -> String {
    if view.current.is_some_and(|c| c.figure == Figure::Suppressed) {
        return marker_html('c');
    }
    match view.group(group).and_then(|g| Some((g.rank?, g.of?, g.rank_period))) {
        Some((r, of, p)) => format!("{}{}", ordinal_of(r, of), escape(&lag(p, own))),
        // The dash readers see is the stylesheet's (`.not-ranked::before`), unread.
        _ => "<span class=\"not-ranked\"><span class=\"vh\">not ranked</span></span>".to_string(),
    }
}

/// A breakdown category's share of the total, to one decimal place ("10.8%"), or `[c]`/`[x]`
/// unless both it and the total are published, so no share turns back into a suppressed figure.
pub fn share_html(category: Figure, total: Figure) -> String {
    match (category, total) {
        (Figure::Value(v, _), Figure::Value(t, _)) if t > 0.0 => escape(&format!("{}%", crate::catalogue::group_thousands(v / t * 100.0, 1))),
        _ => marker_html(if category == Figure::Suppressed || total == Figure::Suppressed { 'c' } else { 'x' }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figure::Flags;
    use crate::model::Point;
    use crate::period::{FinancialYear, Period};
    use crate::render::templates::{flags_used, FlagUse};

    fn view(current: Option<Figure>, previous: Option<Figure>) -> MetricView {
        let at = |y: u16, f: Figure| Point { period: Period::Year(FinancialYear::new(y)), figure: f };
        MetricView {
            metric: 0.into(),
            series: Vec::new(),
            current: current.map(|f| at(2024, f)),
            previous: previous.map(|f| at(2023, f)),
            groups: Vec::new(),
            compare_series: Vec::new(),
            rank_series: Vec::new(),
            note: None,
            ci: None,
            target: None,
            year_ago: None,
            ytd: None,
            breakdowns: Vec::new(),
            first_published: Default::default(),
        }
    }

    #[test]
    fn every_symbol_a_class_names_is_drawn_by_the_stylesheet_and_unread() {
        let css = include_str!("../../themes/default/static/style.css");
        let drawn = |selector: String| {
            let rule = css.lines().find(|l| l.contains(&selector)).unwrap_or_else(|| panic!("no rule for {selector}"));
            // A declaration gives the symbol empty alternative text; beside a visible word there
            // is no fallback without it, which browsers lacking the syntax would read out.
            let fallback_allowed = selector.starts_with(".not-ranked") || selector.starts_with(".no-trend");
            assert!(rule.contains("/ \"\"") && (fallback_allowed || rule.matches("content:").count() == 1), "{selector} is read out: {rule}");
        };
        let all = [Direction::Improving, Direction::Worsening, Direction::NoChange, Direction::NoRealChange, Direction::Up, Direction::Down];
        for d in all {
            for difference in [-1.0, 1.0] {
                drawn(format!(".direction.{}::before", direction_classes(d, difference).1));
            }
        }
        for symbol in ["tick", "cross", "dot", "up", "down"] {
            drawn(format!(".target-status.{symbol}::before"));
        }
        drawn(".not-ranked::before".into());
        drawn(".no-trend::before".into());
    }

    #[test]
    fn lists_in_words() {
        let items = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(join_and(&items(&["a", "b", "c"])), "a, b and c");
        assert_eq!(join_or(&items(&["a", "b"])), "a or b");
        assert_eq!(join_or(&items(&["a"])), "a");
        assert_eq!(join_and(&[]), "");
    }

    #[test]
    fn markers_come_from_the_flag_partial() {
        assert_eq!(marker_html('p'), "<span class=\"flag\" data-flag=\"p\"><span aria-hidden=\"true\">[p]</span><span class=\"vh\"> provisional</span></span>");
        assert_eq!(
            flags_used(&(marker_html('r') + &marker_html('x'))),
            vec![FlagUse { letter: 'x', words: "not available" }, FlagUse { letter: 'r', words: "revised" }]
        );
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
