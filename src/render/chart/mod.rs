//! Charts: accessible SVG from the model's figures, drawn with charts-rs.
//!
//! Owns: `ChartData` and `RenderedChart`, the drawing and its words. Called by `render`'s pages
//! (and the PDF); must not import `pages`, `opendata` or `feeds`.
//!
//! [`render`] draws one chart once per build and gives back its drawings and
//! the parts of the figure that pages place with the theme's
//! `blocks/chart.html`:
//! - the wide drawing has the title written above it, so it stands on its
//!   own (`role="img"`, labelled by its `<title>` and a `<desc>` written from
//!   the data in words); the phone drawing is the same, narrower, without them;
//! - pages show the drawings as views of a [`sprite`], one SVG file for the
//!   charts of a commentary, written once however many pages show it (`<img
//!   src="FILE.svg#c0">`, see [`view`]), captioned with the title, the words as
//!   visible text, the figures behind it in a captioned table inside a
//!   `<details>` (gaps say why: `[x] not available`, `[c] suppressed`; flags
//!   are shorthand with their words for screen readers) and a link that opens
//!   the chart's view on its own.
//! - drawings are made smaller without changing what is drawn (`compact`).
//!
//! Drawing (see `draw`): charts-rs draws lines, bars and horizontal bars;
//! gaps are `None` points, the value axis is computed here (from zero, round
//! steps, the target inside it), the target is a dashed orange mark line
//! labelled "Target: …" above the plot, flagged points are ringed (lines) or
//! marked with their shorthand (bars), missing bars are marked "[x]" or
//! "[c]", and rankings show this organisation in dark
//! blue against turquoise *and* with "(this council)" after its name. Colours
//! are the Government Analysis Function palette (dark blue #12436D,
//! turquoise #28A197, dark pink #801650, orange #F46A25 for targets), each at
//! least 3:1 on the white background; text is #0B0C0C and #505A5F. The font
//! stack is [`FONT_STACK`]; charts-rs measures text with its bundled font.
//! Sparklines are a small SVG of our own (`spark`).
//!
//! Output is deterministic: no maps are iterated, numbers are formatted with
//! fixed precision. A suppressed figure's number never reaches the SVG, the
//! table or the description.

mod compact;
mod draw;
mod spark;
mod words;

use crate::catalogue::{Polarity, Unit};
use crate::figure::Figure;
use crate::period::Period;
use crate::render::{escape as esc_attr, escape_text as esc};
use crate::validate::ChartKind;
use std::fmt::Write as _;

/// The font stack written into every chart.
pub const FONT_STACK: &str = "Arial, Helvetica, sans-serif";

/// The name of a series that is a target's planned path, drawn dashed.
pub const PLAN: &str = "Plan";

/// The name of a series that is a target from the period it was set, drawn dashed.
pub const TARGET: &str = "Target";

/// Written after this organisation's name in rankings, so it is marked in text and not by colour alone.
pub const HIGHLIGHT_SUFFIX: &str = " (this council)";

/// Everything needed to draw one chart, already taken from the model.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ChartData {
    /// Unique in a build (the cache's key).
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
    /// The places along the axis: periods, a ranking's members, or named categories.
    pub categories: Vec<Category>,
    /// One or more series, each with one point per category.
    pub series: Vec<ChartSeries>,
    /// A target line, if asked for.
    pub target: Option<f64>,
    /// The first category the target holds for, when it was set inside the chart's window (bar
    /// charts; line charts draw such a target as a dashed path): the line starts there.
    pub target_from: Option<usize>,
    /// Rankings: the category that is this organisation.
    pub highlight: Option<usize>,
    /// Where the figures come from, whose they are and when, written under
    /// the drawing ("Source: ... Westmere Borough Council, Quarter 4, 2024/25."); empty for none.
    pub source: String,
}

/// A place along a chart's axis, as the model gave it (never a label parsed back).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum Category {
    /// A period of a time axis: drawn "Apr 2024", read out "April 2024".
    Period(Period),
    /// A member of a ranking, with its rank from the model (1 = best; ties share a rank).
    Member {
        /// Council name.
        name: String,
        /// `None`: not ranked.
        rank: Option<u32>,
    },
    /// Anything else: an area beside its comparators, a breakdown's category.
    Name(String),
}

impl Category {
    /// As drawn along the axis and in the table's rows: "Apr 2024", "Q2 2024/25", a name.
    pub fn label(&self) -> String {
        match self {
            Category::Period(p) => p.short(),
            Category::Member { name, .. } | Category::Name(name) => name.clone(),
        }
    }

    /// As read out in sentences: "April 2024", "Quarter 2, 2024/25", a name.
    pub fn words(&self) -> String {
        match self {
            Category::Period(p) => p.long(),
            _ => self.label(),
        }
    }

    /// A ranking member's rank.
    pub fn rank(&self) -> Option<u32> {
        match self {
            Category::Member { rank, .. } => *rank,
            _ => None,
        }
    }
}

/// A named series of figures, one per category.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ChartSeries {
    /// Legend name, e.g. the metric's short name or "North West".
    pub name: String,
    /// One per category; not-available and suppressed figures are gaps.
    pub points: Vec<Figure>,
}

/// A drawn chart: its standalone SVG file and what a page needs to place it (see the theme's
/// `blocks/chart.html`, which references the file rather than inlining the drawing).
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedChart {
    /// The standalone drawing (the committee PDF's; pages show it from a [`sprite`]), its title above it.
    pub svg: String,
    /// The same for phones, drawn narrower so its text stays 12 px, without the title and
    /// description (it shares a [`sprite`] with the wide drawing, whose ids it would repeat).
    pub narrow_svg: String,
    /// The point markers the drawings use (bit `k` for `compact::MARKERS[k]`): a [`sprite`]
    /// defines them once for all its drawings.
    pub markers: u32,
    /// Shape, for the figure's class: line, bar, hbar, ranking.
    pub kind: &'static str,
    /// The title, as text.
    pub title: String,
    /// The chart in words, as text.
    pub description: String,
    /// The standalone file's size in CSS pixels.
    pub width: f32,
    /// See `width`.
    pub height: f32,
    /// The narrow file's size in CSS pixels.
    pub narrow_width: f32,
    /// See `narrow_width`.
    pub narrow_height: f32,
    /// The figures behind the chart: HTML, a captioned table inside a `<details>`.
    pub table: String,
}

fn kind_name(kind: ChartKind) -> &'static str {
    match kind {
        ChartKind::Line => "line",
        ChartKind::Bar => "bar",
        ChartKind::HBar => "hbar",
        ChartKind::Ranking => "ranking",
        ChartKind::Stacked => "stacked",
    }
}

/// Lines of a title wrapped to a width, measured as charts-rs measures: each line takes as many
/// words as fit (at least one). A longer line is never narrower, so the end of a line is found
/// by halving rather than by measuring every longer candidate; the lines are those of adding
/// one word at a time.
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut lines = Vec::new();
    let mut line = String::new();
    let fits = |from: usize, to: usize, line: &mut String| {
        join_words(&words[from..to], line);
        draw::measured_width(size, line) <= width
    };
    let mut start = 0;
    while start < words.len() {
        let mut end = words.len();
        if !fits(start, end, &mut line) {
            // `lo` can end the line (it fits, or it is the first word alone); `hi` is too wide.
            let (mut lo, mut hi) = (start + 1, end);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if fits(start, mid, &mut line) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            end = lo;
        }
        join_words(&words[start..end], &mut line);
        lines.push(line.clone());
        start = end;
    }
    lines
}

/// `words` joined by single spaces into `out`.
fn join_words(words: &[&str], out: &mut String) {
    out.clear();
    for (k, w) in words.iter().enumerate() {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
}

/// The drawing with its source line below it, wrapped to its width.
fn with_source(mut drawn: draw::Drawn, source: &str) -> draw::Drawn {
    // Browsers may use a wider font than charts-rs measures with: leave room.
    let lines = wrap(source.trim(), 12.0, (drawn.width - 16.0) * 0.88);
    for line in &lines {
        drawn.height += 16.0;
        let _ = write!(
            drawn.body,
            "\n<text x=\"8\" y=\"{:.1}\" font-size=\"12\" font-family=\"{}\" fill=\"{}\">{}</text>",
            drawn.height - 4.0,
            esc_attr(FONT_STACK),
            draw::SECONDARY,
            esc(line)
        );
    }
    if !lines.is_empty() {
        drawn.height += 6.0;
    }
    drawn
}

/// A standalone SVG file of a drawing: the title above it, so the file stands on its own.
/// `head` is the `<title>`/`<desc>` and `labelled_by` their ids, or both empty (the phone
/// drawing, which shares a sprite with the wide one and so cannot repeat its ids).
/// Gives the file, its size in CSS pixels and the markers it defines (see [`sprite`]).
fn standalone(data: &ChartData, drawn: &draw::Drawn, head: &str, labelled_by: &str, titled: bool) -> (String, f32, f32, u32) {
    let (w, h) = (drawn.width, drawn.height);
    // Every text of the drawing names the same fonts: say it once, on the root, where it is inherited.
    let font_family = esc_attr(FONT_STACK);

    // The title above the drawing, which is nested as it is. Browsers may draw it in a wider
    // font than charts-rs measures with, and it is bold: leave room.
    let lines = if titled { wrap(data.title.trim(), 16.0, (w - 24.0) * 0.8) } else { Vec::new() };
    let top = if titled { 16.0 + 22.0 * lines.len() as f32 } else { 0.0 };
    let total = h + top;
    let mut svg = String::with_capacity(drawn.body.len() + head.len() + 512);
    let _ = write!(svg, "{SVG_OPEN} width=\"{w}\" height=\"{total}\" viewBox=\"0 0 {w} {total}\"");
    if !labelled_by.is_empty() {
        let _ = write!(svg, " role=\"img\" aria-labelledby=\"{labelled_by}\"");
    }
    let _ = write!(svg, " font-family=\"{font_family}\"{}>\n{head}", compact::ROOT_FONT_SIZE);
    for (k, line) in lines.iter().enumerate() {
        let _ =
            writeln!(svg, "<text x=\"12\" y=\"{}\" font-size=\"16\" font-weight=\"bold\" fill=\"{}\">{}</text>", 26.0 + 22.0 * k as f32, draw::TEXT, esc(line));
    }
    // Nested below the title, in its own viewport: the same units, so no viewBox. Untitled,
    // the drawing is the root's whole viewport already.
    if titled {
        let _ = writeln!(svg, "<svg y=\"{top}\" width=\"{w}\" height=\"{h}\">");
    }
    let markers = compact::compact_into(&mut svg, &drawn.body, w, h, &font_family, data.kind == ChartKind::Line);
    svg.push('\n');
    if titled {
        svg.push_str("</svg>\n");
    }
    // Last, so that a sprite can leave them out and define them once for all its drawings.
    compact::marker_defs(markers, &mut svg);
    svg.push_str("</svg>\n");
    (svg, w, total, markers)
}

/// How every standalone drawing opens; [`sprite`] nests them by swapping it.
const SVG_OPEN: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\"";

/// The ids of a standalone drawing's title and description (a [`sprite`] gives them the view's id before them).
const TITLE_ID: &str = "t";
const DESC_ID: &str = "d";

/// Draws a chart once: its two standalone SVGs (wide, and narrow for phones) and the parts of its figure.
pub fn render(data: &ChartData) -> RenderedChart {
    let description = words::describe(data);
    let title = esc(data.title.trim());
    let head = format!("<title id=\"{TITLE_ID}\">{title}</title>\n<desc id=\"{DESC_ID}\">{}</desc>\n", esc(&description));
    let (svg, width, height, wide_markers) = standalone(data, &with_source(draw::draw(data), &data.source), &head, &format!("{TITLE_ID} {DESC_ID}"), true);
    // Phones get a drawing of their own, so its text is not shrunk below 12 px; the page's
    // <picture> picks it on narrow screens. It goes in the same file as the wide one, so it
    // carries no title or description of its own (their ids would repeat): the page gives
    // both drawings their name and words. Nor does it draw the title: it is only ever shown
    // under the figure's caption, which is the title, and a phone's screen is short.
    let (narrow_svg, narrow_width, narrow_height, narrow_markers) =
        standalone(data, &with_source(draw::draw_at(data, draw::NARROW_WIDTH), &data.source), "", "", false);

    let mut table = String::with_capacity(2048);
    words::table_html(data, &mut table);
    RenderedChart {
        svg,
        narrow_svg,
        markers: wide_markers | narrow_markers,
        kind: kind_name(data.kind),
        title: data.title.trim().to_string(),
        description,
        width,
        height,
        narrow_width,
        narrow_height,
        table,
    }
}

/// The view of the wide drawing of a sprite's `k`th chart (from 0): `c0`, short, as it is
/// written in every page that shows the chart; the sprite's file name says whose charts they are.
pub fn view(k: usize) -> String {
    format!("c{k}")
}

/// The view of the phone drawing of a sprite's `k`th chart: `c0n`.
pub fn narrow_view(k: usize) -> String {
    format!("c{k}n")
}

/// One SVG file holding the drawings of several charts (a page's, see `blocks/chart.html`),
/// stacked one below the other, each named by a `<view>` of its region: `FILE.svg#c0` shows
/// the first chart's wide drawing alone, `#c0n` its phone one ([`view`], [`narrow_view`]). The
/// root has no size and no viewBox, so a view fills an `<img>` sized as the drawing (with them,
/// Chromium would letterbox it). One file instead of two a chart: on slow disks creating a file
/// costs far more than its bytes. The drawings' point markers are defined once, at the top.
pub fn sprite<'a>(charts: impl IntoIterator<Item = &'a RenderedChart>) -> String {
    let mut out = format!("{SVG_OPEN} font-family=\"{}\"{}>\n", esc_attr(FONT_STACK), compact::ROOT_FONT_SIZE);
    let defs_at = out.len();
    let mut used = 0;
    let mut y = 0.0_f32;
    for (k, c) in charts.into_iter().enumerate() {
        used |= c.markers;
        for (view, svg, w, h, wide) in [(view(k), &c.svg, c.width, c.height, true), (narrow_view(k), &c.narrow_svg, c.narrow_width, c.narrow_height, false)] {
            let _ = writeln!(out, "<view id=\"{view}\" viewBox=\"0 {y} {w} {h}\"/>");
            nest(&mut out, svg, &view, y, wide);
            y += h;
        }
    }
    let mut defs = String::new();
    compact::marker_defs(used, &mut defs);
    out.insert_str(defs_at, &defs);
    out.push_str("</svg>\n");
    out
}

/// A standalone drawing nested in a sprite at `y`: its root without the namespace, the font
/// and its size (the sprite's root names them) and the viewBox (a nested viewport of the same units), its
/// title's and description's ids after `view`'s, its markers' definitions left to the sprite.
fn nest(out: &mut String, svg: &str, view: &str, y: f32, wide: bool) {
    let Some(open_end) = compact::find_byte(svg, b'>') else { return };
    let open = &svg[..open_end];
    let attr = |name: &str| open.split(&format!(" {name}=\"")).nth(1).and_then(|v| v.split('"').next()).unwrap_or_default();
    out.push_str("<svg");
    if y != 0.0 {
        let _ = write!(out, " y=\"{y}\"");
    }
    let _ = write!(out, " width=\"{}\" height=\"{}\"", attr("width"), attr("height"));
    let labelled = wide && open.contains(" aria-labelledby=");
    if labelled {
        let _ = write!(out, " role=\"img\" aria-labelledby=\"{view}{TITLE_ID} {view}{DESC_ID}\"");
    }
    let mut rest = &svg[open_end..];
    if labelled {
        for (element, id) in [("title", TITLE_ID), ("desc", DESC_ID)] {
            let from = format!("<{element} id=\"{id}\">");
            if let Some(at) = rest.find(&from) {
                out.push_str(&rest[..at]);
                let _ = write!(out, "<{element} id=\"{view}{id}\">");
                rest = &rest[at + from.len()..];
            }
        }
    }
    // The definitions end the drawing, just before its root closes.
    match rest.rfind("\n<defs>") {
        Some(at) => {
            out.push_str(&rest[..at + 1]);
            out.push_str("</svg>\n");
        }
        None => out.push_str(rest),
    }
}

/// A tiny inline line for the highlight table; gaps for missing figures.
/// `label` says what it shows ("Contacts: trend over Q3 2022/23 to Q2 2024/25");
/// the first and last figures are added to it for the accessible name.
pub fn sparkline(points: &[Figure], label: &str) -> String {
    spark::sparkline(points, label)
}

/// A sparkline worked out, for the highlight table's template to mark up.
pub(crate) use spark::{spark, SIZE as SPARK_SIZE};

/// The words that describe a chart (its SVG `<desc>`), for documents that carry it as alternative text.
pub fn description(data: &ChartData) -> String {
    words::describe(data)
}

/// The figures behind a chart as plain text, for documents other than web pages (the committee PDF).
#[derive(Debug, Clone, PartialEq)]
pub struct FiguresTable {
    /// "Period", then "Rank" for rankings, then each series' name.
    pub columns: Vec<String>,
    /// Each category's label with one cell per column after the first.
    pub rows: Vec<(String, Vec<FigureCell>)>,
}

/// One cell of a [`FiguresTable`]: the formatted number (empty when there is none) and its shorthand letters.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureCell {
    /// "1,418", "88.0%", "3rd", or empty.
    pub text: String,
    /// Shorthand letters to show after it: `x` not available, `c` suppressed, flags.
    pub markers: Vec<char>,
}

/// The figures behind a chart, as its web table shows them; a suppressed figure's number never appears.
pub fn figures_table(d: &ChartData) -> FiguresTable {
    let first = match d.kind {
        ChartKind::HBar => "Area",
        ChartKind::Ranking => "Council",
        _ => "Period",
    };
    let mut columns = vec![first.to_string()];
    if d.kind == ChartKind::Ranking {
        columns.push("Rank".into());
    }
    columns.extend(d.series.iter().map(|s| s.name.clone()));
    let rows = (0..d.categories.len())
        .map(|i| {
            let mut cells = Vec::new();
            if d.kind == ChartKind::Ranking {
                let text = d.categories[i].rank().map(crate::model::ordinal).unwrap_or_else(|| "not ranked".into());
                cells.push(FigureCell { text, markers: Vec::new() });
            }
            for s in &d.series {
                let f = words::point(s, i);
                cells.push(match f {
                    Figure::Value(v, flags) if words::drawable(f).is_some() => {
                        FigureCell { text: words::fmt(d, v), markers: flags.iter().map(|x| x.letter()).collect() }
                    }
                    Figure::Value(_, flags) | Figure::NotAvailable(flags) => {
                        FigureCell { text: String::new(), markers: std::iter::once('x').chain(flags.iter().map(|x| x.letter())).collect() }
                    }
                    Figure::Suppressed => FigureCell { text: String::new(), markers: vec!['c'] },
                });
            }
            (words::category_label(d, i), cells)
        })
        .collect();
    FiguresTable { columns, rows }
}
