//! Text for charts: escaping, period and number words, the `<desc>` written
//! from the data, and the table of the figures behind a chart.

use super::{ChartData, ChartSeries, HIGHLIGHT_SUFFIX};
use crate::catalogue::{group_thousands, Polarity};
use crate::figure::{marker_words, Figure, Flag};
use crate::model::{ordinal, ordinal_of};
use crate::render::escape_text as esc;
use crate::render::present::{join_and, join_or};
use crate::validate::ChartKind;
use std::fmt::Write as _;

/// Whether a character may appear in an XML 1.0 document (HTML and SVG alike).
/// C1 controls and non-characters are excluded too: HTML calls them parse errors.
fn xml_char(c: char) -> bool {
    crate::dialect::is_xml_char(c)
}

/// The text with characters XML cannot hold dropped (control characters and
/// non-characters); used for every string handed to charts-rs.
pub(crate) fn clean(s: &str) -> String {
    s.chars().filter(|c| xml_char(*c)).collect()
}

/// A figure that can be drawn and stated: a finite number of a sane size
/// (beyond 1e100 formatting with decimals overflows; no real figure is near).
pub(crate) fn drawable(f: Figure) -> Option<f64> {
    f.value().filter(|v| v.is_finite() && v.abs() < 1e100)
}

/// The figure of a series at a category; a series shorter than the
/// categories has no figure there.
pub(crate) fn point(s: &ChartSeries, i: usize) -> Figure {
    s.points.get(i).copied().unwrap_or(Figure::NotAvailable(crate::figure::Flags::NONE))
}

/// A number with the chart's unit: "1,418", "88.0%", "612.4 per 100,000".
pub(crate) fn fmt(d: &ChartData, v: f64) -> String {
    d.unit.format(v, d.decimals)
}

/// A series' name for sentences; an unnamed one is "The series".
pub(crate) fn series_name(s: &ChartSeries) -> &str {
    match s.name.trim() {
        "" => "The series",
        name => name,
    }
}

/// A number without a unit, with as few decimals (up to two) as it needs.
pub(crate) fn plain_number(v: f64) -> String {
    let decimals = (0..=2u8).find(|d| {
        let m = 10f64.powi(*d as i32);
        ((v * m).round() - v * m).abs() < 1e-6
    });
    group_thousands(v, decimals.unwrap_or(2))
}

/// The label of a category as drawn and as a table row: the highlighted
/// ranking member gets a text marker as well as its colour.
pub(crate) fn category_label(d: &ChartData, i: usize) -> String {
    let c = d.categories[i].label();
    if d.highlight == Some(i) && matches!(d.kind, ChartKind::Ranking | ChartKind::HBar) {
        format!("{c}{HIGHLIGHT_SUFFIX}")
    } else {
        c
    }
}

/// Flags shorthand for HTML: `<span class="flag">[r]<span class="visually-hidden"> revised</span></span>`.
fn flags_html(f: Figure, out: &mut String) {
    for flag in f.flags().iter() {
        let _ = write!(out, " <span class=\"flag\">[{}]<span class=\"visually-hidden\"> {}</span></span>", flag.letter(), flag.words());
    }
}

/// One table cell's content: the formatted number with its flags, or why
/// there is none. A suppressed figure says so and nothing else.
pub(crate) fn cell_html(d: &ChartData, f: Figure) -> String {
    let mut out = String::new();
    match f {
        Figure::Value(v, _) if drawable(f).is_some() => {
            out.push_str(&esc(&fmt(d, v)));
            flags_html(f, &mut out);
        }
        Figure::Value(..) | Figure::NotAvailable(_) => {
            out.push_str("[x] not available");
            flags_html(f, &mut out);
        }
        Figure::Suppressed => {
            out.push_str("[c] suppressed<span class=\"visually-hidden\"> to protect confidentiality</span>");
        }
    }
    out
}

/// The `<details>` with the captioned table of the figures behind a chart.
pub(crate) fn table_html(d: &ChartData, out: &mut String) {
    let n = d.categories.len();
    let first = match d.kind {
        ChartKind::Line | ChartKind::Bar | ChartKind::Stacked => "Period",
        ChartKind::HBar if d.highlight.is_none() => "Category",
        ChartKind::HBar => "Area",
        ChartKind::Ranking => "Council",
    };
    out.push_str("<details class=\"chart-data\"><summary>Show the figures behind this chart</summary>");
    out.push_str("<table class=\"chart-table\"><caption>");
    out.push_str(&esc(&d.title));
    if let Some(t) = d.target.filter(|t| t.is_finite()) {
        let _ = write!(out, ". Target: {}", esc(&fmt(d, t)));
    }
    // Cells and rows end where the next begins: HTML closes them (`</th>`, `</td>`, `</tr>` are
    // optional), five bytes a cell in a table every chart of every page carries.
    let _ = write!(out, "</caption><thead><tr><th scope=\"col\">{first}");
    if d.kind == ChartKind::Ranking {
        out.push_str("<th scope=\"col\">Rank");
    }
    for s in &d.series {
        let _ = write!(out, "<th scope=\"col\">{}", esc(&s.name));
    }
    out.push_str("</thead><tbody>");
    for i in 0..n {
        if d.highlight == Some(i) && matches!(d.kind, ChartKind::Ranking | ChartKind::HBar) {
            out.push_str("<tr class=\"highlight\">");
        } else {
            out.push_str("<tr>");
        }
        let _ = write!(out, "<th scope=\"row\">{}", esc(&category_label(d, i)));
        if d.kind == ChartKind::Ranking {
            match d.categories[i].rank() {
                Some(r) => {
                    let _ = write!(out, "<td>{}", ordinal(r));
                }
                None => out.push_str("<td>not ranked"),
            }
        }
        for s in &d.series {
            let _ = write!(out, "<td>{}", cell_html(d, point(s, i)));
        }
    }
    out.push_str("</tbody></table>");
    let key = key_entries(d);
    if !key.is_empty() {
        let _ = write!(out, "<p class=\"chart-key\">Key: {}.</p>", esc(&key.join("; ")));
    }
    out.push_str("</details>");
}

/// The shorthand markers a chart's figures use, in key order: "[p] provisional".
pub(crate) fn key_entries(d: &ChartData) -> Vec<String> {
    let mut letters: Vec<char> = Vec::new();
    // A plan or a target simply does not cover every period: no shorthand for it.
    for s in d.series.iter().filter(|s| !is_plan_or_target(s)) {
        for i in 0..d.categories.len() {
            let f = point(s, i);
            let f = if matches!(f, Figure::Value(..)) && drawable(f).is_none() { Figure::NotAvailable(f.flags()) } else { f };
            for m in f.markers() {
                if !letters.contains(&m) {
                    letters.push(m);
                }
            }
        }
    }
    ['x', 'c', 'p', 'r', 'e', 'u']
        .iter()
        .filter(|c| letters.contains(c))
        .map(|c| {
            let w = if *c == 'c' { "suppressed" } else { marker_words(*c) };
            format!("[{c}] {w}")
        })
        .collect()
}

/// The figures of a series that can be stated, with their category index.
fn values_of(d: &ChartData, s: &ChartSeries) -> Vec<(usize, f64)> {
    (0..d.categories.len()).filter_map(|i| drawable(point(s, i)).map(|v| (i, v))).collect()
}

/// "Contacts rose from 1,210 in April 2024 to 1,418 in March 2025, the highest in the period."
fn trend_sentence(d: &ChartData, s: &ChartSeries, extremes: bool) -> String {
    let name = series_name(s);
    let vals = values_of(d, s);
    let at = |i: usize| d.categories[i].words();
    match vals.as_slice() {
        [] => format!("There are no figures for {name} in this period."),
        [(i, v)] => format!("{name} was {} in {}, the only figure in the period.", fmt(d, *v), at(*i)),
        [(i0, v0), .., (i1, v1)] => {
            let (a, b) = (fmt(d, *v0), fmt(d, *v1));
            let mut out = if a == b {
                format!("{name} was {a} in {} and the same in {}", at(*i0), at(*i1))
            } else {
                let verb = if v1 > v0 { "rose" } else { "fell" };
                format!("{name} {verb} from {a} in {} to {b} in {}", at(*i0), at(*i1))
            };
            if extremes && vals.len() >= 3 {
                let max = vals.iter().map(|p| p.1).fold(f64::MIN, f64::max);
                let min = vals.iter().map(|p| p.1).fold(f64::MAX, f64::min);
                let count = |x: f64| vals.iter().filter(|p| p.1 == x).count();
                if *v1 == max && count(max) == 1 {
                    out.push_str(", the highest in the period.");
                } else if *v1 == min && count(min) == 1 {
                    out.push_str(", the lowest in the period.");
                } else if max > min {
                    let imax = vals.iter().find(|p| p.1 == max).map(|p| p.0).unwrap_or(0);
                    let imin = vals.iter().find(|p| p.1 == min).map(|p| p.0).unwrap_or(0);
                    let _ = write!(out, ". The highest was {} in {} and the lowest {} in {}.", fmt(d, max), at(imax), fmt(d, min), at(imin));
                } else {
                    out.push('.');
                }
            } else {
                out.push('.');
            }
            out
        }
    }
}

/// "No figure is shown for June 2024 (not available) or October 2024 (suppressed)."
/// A target's or plan's path, which starts when it was set.
fn is_plan_or_target(s: &ChartSeries) -> bool {
    s.name == super::PLAN || s.name == super::TARGET
}

fn gaps_sentence(d: &ChartData, s: &ChartSeries, named: bool) -> Option<String> {
    if is_plan_or_target(s) {
        return None;
    }
    let gaps: Vec<String> = (0..d.categories.len())
        .filter_map(|i| match point(s, i) {
            Figure::Suppressed => Some(format!("{} (suppressed)", d.categories[i].words())),
            f if drawable(f).is_none() => Some(format!("{} (not available)", d.categories[i].words())),
            _ => None,
        })
        .collect();
    if gaps.is_empty() || gaps.len() == d.categories.len() {
        return None;
    }
    let list = join_or(&gaps);
    Some(if named { format!("{} has no figure for {list}.", series_name(s)) } else { format!("No figure is shown for {list}.") })
}

/// "The figures for January 2025 and February 2025 are provisional."
fn flag_sentences(d: &ChartData, s: &ChartSeries, named: bool, out: &mut Vec<String>) {
    for flag in Flag::ALL {
        let cats: Vec<String> =
            (0..d.categories.len()).filter(|i| drawable(point(s, *i)).is_some() && point(s, *i).flags().has(flag)).map(|i| d.categories[i].words()).collect();
        if cats.is_empty() {
            continue;
        }
        let whose = if named { format!("{} figure", series_name(s)) } else { "figure".into() };
        let words = flag.words();
        out.push(match cats.as_slice() {
            [one] => format!("The {whose} for {one} is {words}."),
            _ => format!("The {whose}s for {} are {words}.", join_and(&cats)),
        });
    }
}

/// The sentence about the target, judged with the polarity where it has one.
fn target_sentence(d: &ChartData) -> Option<String> {
    let t = d.target.filter(|t| t.is_finite())?;
    let mut out = match d.target_from.and_then(|i| d.categories.get(i)) {
        Some(from) => format!("The target, from {}, is {}", from.words(), fmt(d, t)),
        None => format!("The target is {}", fmt(d, t)),
    };
    let latest = d.series.first().and_then(|s| values_of(d, s).last().copied());
    if let Some((i, v)) = latest {
        let met = match d.polarity {
            Polarity::Higher => Some(v >= t),
            Polarity::Lower => Some(v <= t),
            Polarity::Neutral => None,
        };
        if let Some(met) = met {
            let verb = if met { "meets it" } else { "does not meet it" };
            let _ = write!(out, "; the latest figure, {} in {}, {verb}", fmt(d, v), d.categories[i].words());
        }
    }
    out.push('.');
    Some(out)
}

/// The chart's description in words, from its data.
pub(crate) fn describe(d: &ChartData) -> String {
    let mut parts: Vec<String> = Vec::new();
    match d.kind {
        ChartKind::Line | ChartKind::Bar | ChartKind::Stacked => {
            if d.kind == ChartKind::Stacked {
                parts.push("Each bar stacks the categories of one period; a suppressed or missing category is left out of its bar.".into());
            }
            let named = d.series.len() > 1;
            for (k, s) in d.series.iter().enumerate() {
                parts.push(trend_sentence(d, s, k == 0));
                parts.extend(gaps_sentence(d, s, named || k > 0));
                flag_sentences(d, s, named, &mut parts);
            }
            if d.series.is_empty() || d.categories.is_empty() {
                parts.push("There are no figures to show.".into());
            }
        }
        ChartKind::HBar => {
            for s in &d.series {
                let items: Vec<String> = (0..d.categories.len())
                    .map(|i| {
                        let f = point(s, i);
                        let label = category_label(d, i);
                        match (f, drawable(f)) {
                            (Figure::Suppressed, _) => format!("{label} suppressed"),
                            (_, None) => format!("{label} not available"),
                            (_, Some(v)) => {
                                let flags: Vec<&str> = f.flags().iter().map(Flag::words).collect();
                                if flags.is_empty() {
                                    format!("{label} {}", fmt(d, v))
                                } else {
                                    format!("{label} {} ({})", fmt(d, v), flags.join(", "))
                                }
                            }
                        }
                    })
                    .collect();
                if items.is_empty() {
                    parts.push(format!("There are no figures for {}.", series_name(s)));
                } else {
                    parts.push(format!("{}: {}.", series_name(s), join_and(&items)));
                }
            }
            if d.series.is_empty() {
                parts.push("There are no figures to show.".into());
            }
        }
        ChartKind::Ranking => parts.extend(ranking_sentences(d)),
    }
    parts.extend(target_sentence(d));
    if d.polarity != Polarity::Neutral && !parts.is_empty() {
        parts.push(format!("{}.", d.polarity.words()));
    }
    parts.join(" ")
}

fn ranking_sentences(d: &ChartData) -> Vec<String> {
    let mut parts = Vec::new();
    let Some(s) = d.series.first() else {
        return vec!["There are no figures to show.".into()];
    };
    let ranked: Vec<(usize, f64)> = values_of(d, s);
    let total = ranked.len();
    let order = if d.polarity == Polarity::Neutral { "in the order given" } else { "best first" };
    parts.push(format!("{} members, {order}.", d.categories.len()));
    if let Some(h) = d.highlight.filter(|h| *h < d.categories.len()) {
        let name = d.categories[h].label();
        match (point(s, h), d.categories[h].rank(), drawable(point(s, h))) {
            (Figure::Suppressed, ..) => parts.push(format!("{name}'s figure is suppressed, so it is not ranked.")),
            (_, Some(r), Some(v)) => parts.push(format!("{name} is ranked {}, with {}.", ordinal_of(r, total as u32), fmt(d, v))),
            _ => parts.push(format!("{name} has no figure, so it is not ranked.")),
        }
    }
    if let (Some(best), Some(worst)) = (ranked.first(), ranked.last()) {
        if total > 1 {
            parts.push(format!(
                "The first is {} with {} and the last {} with {}.",
                d.categories[best.0].label(),
                fmt(d, best.1),
                d.categories[worst.0].label(),
                fmt(d, worst.1)
            ));
        }
    } else {
        parts.push("There are no figures to rank.".into());
    }
    let missing = d.categories.len() - total;
    if missing == 1 {
        parts.push("1 member has no figure.".into());
    } else if missing > 1 {
        parts.push(format!("{missing} members have no figure."));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_and_attributes() {
        assert_eq!(crate::render::escape_text("a < b & \"c\" > 'd'"), "a &lt; b &amp; \"c\" &gt; 'd'");
        assert_eq!(crate::render::escape("a<b&\"c\"'"), "a&lt;b&amp;&quot;c&quot;&#39;");
        assert_eq!(crate::render::escape_text("bell\u{7}ok\u{FFFF}"), "bellok");
        assert_eq!(clean("x\u{0}y"), "xy");
    }

    #[test]
    fn reads_periods_from_the_model() {
        use crate::period::{FinancialYear, Month, Period, Quarter};
        let month = super::super::Category::Period(Period::Month(Month::new(2024, 4)));
        assert_eq!((month.label(), month.words()), ("Apr 2024".into(), "April 2024".into()));
        let quarter = super::super::Category::Period(Period::Quarter(Quarter::new(FinancialYear::new(2024), 2).unwrap()));
        assert_eq!((quarter.label(), quarter.words()), ("Q2 2024/25".into(), "Quarter 2, 2024/25".into()));
        let year = super::super::Category::Period(Period::Year(FinancialYear::new(2023)));
        assert_eq!((year.label(), year.words()), ("2023/24".into(), "2023/24".into()));
        // A name that looks like a period is read as it is.
        assert_eq!(super::super::Category::Name("May Hill 2024".into()).words(), "May Hill 2024");
    }

    #[test]
    fn words_for_numbers() {
        assert_eq!(plain_number(1210.0), "1,210");
        assert_eq!(plain_number(84.1), "84.1");
        assert_eq!(plain_number(0.125), "0.13");
    }
}
