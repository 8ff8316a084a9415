//! Charts: accessible SVG from the model's figures, drawn with charts-rs.
//! (Interface fixed; drawing to be implemented.)

use crate::catalogue::{Polarity, Unit};
use crate::figure::Figure;
use crate::validate::ChartKind;

/// Everything needed to draw one chart, already taken from the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartData {
    /// Unique in a build; the standalone file is `charts/{id}.svg`.
    pub id: String,
    /// Shape.
    pub kind: ChartKind,
    /// Title shown above the chart and in the SVG `<title>`.
    pub title: String,
    /// Unit of the values (axis label and number formatting).
    pub unit: Unit,
    /// Display precision.
    pub decimals: u8,
    /// Which way is better (orders rankings, words the description).
    pub polarity: Polarity,
    /// Category labels along the axis: "Apr 2024", "Q2 2024/25", "2023/24", or member names.
    pub categories: Vec<String>,
    /// One or more series, each with one point per category.
    pub series: Vec<ChartSeries>,
    /// A target line, if asked for.
    pub target: Option<f64>,
    /// Rankings: the category that is this organisation.
    pub highlight: Option<usize>,
}

/// A named series of figures, one per category.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSeries {
    /// Legend name, e.g. the metric's short name or "North West".
    pub name: String,
    /// One per category; not-available and suppressed figures are gaps.
    pub points: Vec<Figure>,
}

/// A drawn chart.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedChart {
    /// HTML to place in the page: a figure with the inline SVG, its figures table and a download link.
    pub html: String,
    /// The standalone SVG file's content.
    pub svg: String,
}

/// Draws a chart; `download_href` is the link to its standalone SVG from the page.
pub fn render(data: &ChartData, download_href: &str) -> RenderedChart {
    let _ = download_href;
    RenderedChart { html: format!("<p>{}</p>", data.title), svg: String::new() }
}

/// A tiny inline line for the highlight table; gaps for missing figures.
pub fn sparkline(points: &[Figure], label: &str) -> String {
    let _ = (points, label);
    String::new()
}
