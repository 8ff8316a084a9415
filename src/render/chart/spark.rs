//! Sparklines: a tiny line of our own (charts-rs has no chart this small
//! without axes), with gaps where a figure is missing.

use super::draw::{spark_number, DARK_BLUE};
use super::words::drawable;
use crate::figure::Figure;
use crate::render::escape as esc_attr;
use std::fmt::Write as _;

const W: f64 = 120.0;
const H: f64 = 32.0;
const PAD: f64 = 4.0;

/// A sparkline worked out, for whoever writes its markup: its accessible name, and the
/// line to draw in a `0 0 120 32` box, or `None` when too few figures make a trend.
pub(crate) struct Spark {
    /// What it shows, with the first and last figures and any gaps.
    pub(crate) name: String,
    pub(crate) line: Option<SparkLine>,
}

/// The points of a sparkline: runs of consecutive figures, each a piece of the path, and dots
/// for lone figures and the latest one.
pub(crate) struct SparkLine {
    pub(crate) runs: Vec<Vec<(f64, f64)>>,
    pub(crate) dots: Vec<(f64, f64)>,
}

/// The width and height of a sparkline's box.
pub(crate) const SIZE: (f64, f64) = (W, H);

/// Works out a sparkline; `label` says what it shows, and the first and last figures are added
/// to it for the accessible name.
pub(crate) fn spark(points: &[Figure], label: &str) -> Spark {
    let values: Vec<Option<f64>> = points.iter().map(|f| drawable(*f).filter(|v| v.abs() < 1e300)).collect();
    let known: Vec<(usize, f64)> = values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i, v))).collect();
    let label = label.trim();
    let gaps = values.len() - known.len();
    let mut name = match known.as_slice() {
        [] => format!("{label}, no figures available"),
        [(_, v)] => format!("{label}, {} (one figure)", spark_number(*v)),
        [(_, a), .., (_, b)] => format!("{label}, from {} to {}", spark_number(*a), spark_number(*b)),
    };
    if gaps == 1 && !known.is_empty() {
        name.push_str(", 1 period without a figure");
    } else if gaps > 1 && !known.is_empty() {
        let _ = write!(name, ", {gaps} periods without a figure");
    }
    // Fewer than three figures make no trend: a lone dot or a single stroke would suggest one.
    if known.len() < 3 {
        return Spark { name, line: None };
    }
    let lo = known.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = known.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let n = values.len();
    let x = |i: usize| if n <= 1 { W / 2.0 } else { PAD + (W - 2.0 * PAD) * i as f64 / (n - 1) as f64 };
    let y = |v: f64| {
        let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
        let t = if t.is_finite() { t } else { 0.5 };
        H - PAD - (H - 2.0 * PAD) * t
    };
    // Runs of consecutive known points become path pieces; a lone point a dot.
    let mut runs = Vec::new();
    let mut dots = Vec::new();
    let mut i = 0;
    while i < n {
        if values[i].is_none() {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && values[i].is_some() {
            i += 1;
        }
        if i - start == 1 {
            dots.push(start);
        } else {
            runs.push((start..i).map(|j| (x(j), y(values[j].unwrap_or(0.0)))).collect());
        }
    }
    if let Some((last, _)) = known.last() {
        if !dots.contains(last) {
            dots.push(*last);
        }
    }
    let dots = dots.into_iter().map(|j| (x(j), y(values[j].unwrap_or(0.0)))).collect();
    Spark { name, line: Some(SparkLine { runs, dots }) }
}

/// A tiny standalone line (an SVG file's worth); pages mark up [`spark`] with their stylesheet.
pub(crate) fn sparkline(points: &[Figure], label: &str) -> String {
    let Spark { name, line } = spark(points, label);
    let Some(line) = line else {
        return format!(
            "<span class=\"no-trend\"><span aria-hidden=\"true\">–</span><span class=\"visually-hidden\">{}: too few figures for a trend</span></span>",
            crate::render::escape_text(&name)
        );
    };
    let mut out = String::with_capacity(400);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sparkline\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\">",
        esc_attr(&name)
    );
    let mut d = String::new();
    for run in &line.runs {
        for (k, (x, y)) in run.iter().enumerate() {
            let _ = write!(d, "{}{x:.1} {y:.1}", if k == 0 { "M" } else { "L" });
        }
    }
    if !d.is_empty() {
        let _ = write!(out, "<path d=\"{d}\" fill=\"none\" stroke=\"{DARK_BLUE}\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\"/>");
    }
    for (x, y) in &line.dots {
        let _ = write!(out, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\" fill=\"{DARK_BLUE}\"/>");
    }
    out.push_str("</svg>");
    out
}
