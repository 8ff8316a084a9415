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

/// A tiny inline line; `label` says what it shows, and the first and last
/// figures are added to it for the accessible name.
pub(crate) fn sparkline(points: &[Figure], label: &str) -> String {
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
        return format!(
            "<span class=\"no-trend\"><span aria-hidden=\"true\">–</span><span class=\"visually-hidden\">{}: too few figures for a trend</span></span>",
            crate::render::escape_text(&name)
        );
    }
    let mut out = String::with_capacity(400);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sparkline\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\">",
        esc_attr(&name)
    );
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
    let mut d = String::new();
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
            for (k, j) in (start..i).enumerate() {
                let _ = write!(d, "{}{:.1} {:.1}", if k == 0 { "M" } else { "L" }, x(j), y(values[j].unwrap_or(0.0)));
            }
        }
    }
    if !d.is_empty() {
        let _ = write!(out, "<path d=\"{d}\" fill=\"none\" stroke=\"{DARK_BLUE}\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\"/>");
    }
    if let Some((last, _)) = known.last() {
        if !dots.contains(last) {
            dots.push(*last);
        }
    }
    for j in dots {
        let _ = write!(out, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{DARK_BLUE}\"/>", x(j), y(values[j].unwrap_or(0.0)));
    }
    out.push_str("</svg>");
    out
}
