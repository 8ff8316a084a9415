//! Drawing with charts-rs, and the few touches it cannot make itself.
//!
//! charts-rs draws the axes, grid, bars, lines, legend and the key line
//! below the chart. What it lacks is added here, deterministically, by
//! configuring it or by small edits of its SVG (its output is stable: the
//! snapshots in `tests/snapshots/charts/` pin it):
//! - Gaps: not-available and suppressed points are passed as `None`, which
//!   charts-rs leaves out (a break in a line, an isolated point as a dot, no
//!   bar); the number of a suppressed point never reaches it. A missing bar
//!   is marked "[x]" or "[c]" at the zero line (placed from the spacing of
//!   the bars drawn), and the key below the chart says what they mean.
//! - Axes: the value range and its ticks are computed here ([`scale`]): from
//!   zero (or below, for negative values), to a round maximum that takes in
//!   the target; a configured range stops charts-rs from inventing one.
//!   charts-rs writes axis labels with one decimal, so steps are never finer
//!   than 0.1. Values beyond `f32` (charts-rs's number type) are not drawn.
//! - Target: a charts-rs mark line at the target's value, in orange and
//!   dashed. charts-rs labels it with a bare number inside the plot, where it
//!   can hide points and bars: that label is replaced by a key above the
//!   plot ("- - Target: 90%") for lines and bars, and by "Target: 90%" above
//!   the plot, on the line, for horizontal bars.
//! - Flagged points of a line (provisional, revised, estimated, low
//!   reliability) are ringed by an extra series holding only those points,
//!   named in the legend ("Provisional [p]"; its legend entry is turned into
//!   a ring). Flagged bars get their shorthand ("[p]") written above them;
//!   horizontal bars get their value and shorthand at their end. Both are
//!   placed from the bar rectangles charts-rs draws (found by its `data-*`
//!   attributes, which are then removed: the checker's SVG schema does not
//!   know them).
//! - Horizontal bars: charts-rs draws the first category at the bottom, so
//!   categories go in reversed to read top to bottom as given; it centres
//!   their labels, which are right-aligned here, this organisation's in bold.

use super::compact::find_byte;
use super::words::{category_label, clean, drawable, key_entries, plain_number, point};
use super::{ChartData, FONT_STACK};
use crate::catalogue::Unit;
use crate::figure::Figure;
use crate::render::escape_text as esc;
use crate::validate::ChartKind;
use charts_rs::{
    measure_text_width_family, BarChart, Box as Margin, Color, HorizontalBarChart, LegendCategory, LineChart, MarkLine, MarkLineCategory, Position, Series,
    Symbol, TextConfig, YAxisConfig,
};
use std::fmt::Write as _;

/// Government Analysis Function palette: dark blue, turquoise, dark pink, orange.
pub(crate) const DARK_BLUE: &str = "#12436D";
pub(crate) const TURQUOISE: &str = "#28A197";
pub(crate) const DARK_PINK: &str = "#801650";
pub(crate) const ORANGE: &str = "#F46A25";
/// Text (GOV.UK text colour) and secondary text (7:1 on white).
pub(crate) const TEXT: &str = "#0B0C0C";
pub(crate) const SECONDARY: &str = "#505A5F";
const GRID: &str = "#DDDDDD";
/// Series colours in order; the target line is orange, so series use it last.
pub(super) const SERIES_COLOURS: [&str; 4] = [DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE];

/// Width of every chart; lines and bars are this high.
pub(crate) const WIDTH: f32 = 640.0;
const HEIGHT: f32 = 360.0;
/// The width drawn for phones: a 320 px screen less the page's margins, so
/// that 12 px text stays 12 px there (the wide drawing would shrink to half).
pub(crate) const NARROW_WIDTH: f32 = 288.0;
const NARROW_HEIGHT: f32 = 300.0;

fn height_for(width: f32) -> f32 {
    if width < WIDTH {
        NARROW_HEIGHT
    } else {
        HEIGHT
    }
}

/// A drawn chart: its size and its SVG content without the root element.
pub(crate) struct Drawn {
    pub width: f32,
    pub height: f32,
    pub body: String,
}

/// The value axis: from `min` to `max` in `split` equal steps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scale {
    pub min: f64,
    pub max: f64,
    pub split: usize,
}

/// A round value range that holds every value and zero, in at most six
/// steps of 1, 2, 2.5 or 5 times a power of ten: never finer than 0.1
/// (charts-rs writes axis labels with one decimal, so 0.25 is not used
/// either) and whole for whole units.
pub(crate) fn scale(values: &[f64], unit: Unit) -> Scale {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let lo = finite.clone().fold(0.0_f64, f64::min);
    let mut hi = finite.fold(0.0_f64, f64::max);
    if hi <= lo {
        hi = lo + if unit == Unit::Percent { 100.0 } else { 1.0 };
    }
    let whole = matches!(unit, Unit::Count | Unit::Days | Unit::Currency);
    let smallest = if whole { 1.0 } else { 0.1 };
    let mut magnitude = 10f64.powf(((hi - lo) / 6.0).log10().floor());
    let splits = |step: f64| (hi / step - 1e-9).ceil() - (lo / step + 1e-9).floor();
    let step = loop {
        let found = [1.0, 2.0, 2.5, 5.0]
            .iter()
            .map(|m| m * magnitude)
            .filter(|s| *s >= smallest * (1.0 - 1e-9) && (*s >= 1.0 || (s * 10.0 - (s * 10.0).round()).abs() < 1e-9))
            .find(|s| splits(*s) <= 6.0);
        match found {
            Some(s) => break s,
            None if magnitude.is_finite() && magnitude < f64::MAX / 10.0 => magnitude *= 10.0,
            None => break hi - lo,
        }
    };
    let min = (lo / step + 1e-9).floor() * step;
    let max = (hi / step - 1e-9).ceil() * step;
    let split = (((max - min) / step).round() as usize).clamp(1, 6);
    Scale { min, max, split }
}

/// A value as charts-rs takes it; values beyond `f32` are left out.
fn to_f32(v: f64) -> Option<f32> {
    let f = v as f32;
    f.is_finite().then_some(f)
}

fn colour(hex: &str) -> Color {
    Color::from(hex)
}

/// Series `k`'s points are marked by shape `k % 4` (circle, square, triangle, diamond) in
/// colour `k % 4`, so lines differ by more than colour. charts-rs is asked for no points: they
/// are markers of the line, defined once a file (`compact::MARKERS`), rather than one shape a
/// point.
fn no_points() -> Option<Symbol> {
    Some(Symbol::None)
}

fn y_axis(scale: Scale, title: String) -> YAxisConfig {
    YAxisConfig {
        min: Some(scale.min as f32),
        max: Some(scale.max as f32),
        split_number: scale.split,
        formatter: Some("{t}".into()),
        title: Some(title),
        font: charts_rs::FontConfig { size: 12.0, color: colour(SECONDARY), weight: None },
        stroke_color: colour(SECONDARY),
        name_gap: 6.0,
        ..Default::default()
    }
}

/// Every value drawn, and the target, for the value range.
fn range_values(d: &ChartData) -> Vec<f64> {
    let mut v: Vec<f64> =
        d.series.iter().flat_map(|s| (0..d.categories.len()).filter_map(move |i| drawable(point(s, i)))).filter(|v| to_f32(*v).is_some()).collect();
    v.extend(d.target.filter(|t| to_f32(*t).is_some()));
    // Stacked bars reach the sum of a period's categories.
    if d.kind == ChartKind::Stacked {
        v.extend((0..d.categories.len()).map(|i| d.series.iter().filter_map(|s| drawable(point(s, i))).sum::<f64>()));
    }
    v
}

fn series_values(d: &ChartData, k: usize, order: &[usize]) -> Vec<Option<f32>> {
    order.iter().map(|&i| drawable(point(&d.series[k], i)).and_then(to_f32)).collect()
}

fn target_line(d: &ChartData) -> Vec<MarkLine> {
    d.target
        .and_then(to_f32)
        .map(|t| {
            vec![MarkLine { category: MarkLineCategory::Value(t), color: Some(colour(ORANGE)), stroke_width: Some(2.0), stroke_dash_array: Some("6,4".into()) }]
        })
        .unwrap_or_default()
}

/// Settings shared by every kind.
fn setup(b: &mut charts_rs::ChartBase, d: &ChartData, width: f32, height: f32, legend: bool) {
    b.width = width;
    b.height = height;
    b.font_family = FONT_STACK.into();
    b.background_color = Color::white();
    b.margin = Margin { left: 8.0, top: TOP, right: 18.0, bottom: 8.0 };
    b.series.colors = SERIES_COLOURS.iter().map(|c| colour(c)).collect();
    b.series.stroke_width = 2.0;
    b.series.label.font.color = colour(TEXT);
    b.series.label.font.size = 12.0;
    b.x_axis.font.size = 12.0;
    b.x_axis.font.color = colour(SECONDARY);
    b.x_axis.stroke_color = colour(SECONDARY);
    b.grid.stroke_color = colour(GRID);
    b.legend.show = Some(legend);
    // Filled legend markers, as the points are; rings mean flagged points.
    b.is_light = false;
    b.legend.position = Some(Position::Bottom);
    b.legend.font.size = 13.0;
    b.legend.font.color = colour(TEXT);
    b.title.text = String::new();
    b.sub_title.text = String::new();
    let key = key_entries(d);
    if !key.is_empty() {
        // Wrapped as the source line is, so a phone's drawing does not cut the key off at its edge;
        // each line reserves its band at the bottom, the first line highest.
        let lines = super::wrap(&clean(&format!("Key: {}", key.join("; "))), 12.0, (width - 16.0) * 0.88);
        let n = lines.len();
        for (i, line) in lines.into_iter().enumerate() {
            b.texts.push(TextConfig {
                text: line,
                left: Some(8.0),
                bottom: Some(4.0 + 16.0 * (n - 1 - i) as f32),
                font: charts_rs::FontConfig { size: 12.0, color: colour(SECONDARY), weight: None },
                reserve: true,
                ..Default::default()
            });
        }
    }
    if range_values(d).is_empty() {
        b.texts.push(TextConfig {
            text: "No figures are available to draw".into(),
            font: charts_rs::FontConfig { size: 14.0, color: colour(TEXT), weight: None },
            ..Default::default()
        });
    }
}

/// "Provisional [p]" or, with several series, "North West: revised [r]". In a drawing too
/// narrow for that (a phone's), the first shorter form that fits: the words alone when only one
/// series has flagged points (the ring is that series' colour); the name with the letters
/// alone ("Said we made a difference: [p] or [u]"); the letters alone. The key under the chart
/// says what each letter means, and the table which figures are flagged.
fn flags_legend(d: &ChartData, k: usize, width: f32) -> Option<String> {
    let s = &d.series[k];
    let mut flags = crate::figure::Flags::NONE;
    for i in 0..d.categories.len() {
        let f = point(s, i);
        if drawable(f).is_some() {
            flags = flags.union(f.flags());
        }
    }
    let words = flags.iter().map(|f| format!("{} [{}]", f.words(), f.letter())).collect::<Vec<_>>().join(" or ");
    let letters = flags.iter().map(|f| format!("[{}]", f.letter())).collect::<Vec<_>>().join(" or ");
    let capitalised = |t: &str| {
        let mut cs = t.chars();
        cs.next().map(|c| c.to_uppercase().collect::<String>() + cs.as_str())
    };
    let alone = capitalised(&words)?;
    let several = d.series.len() > 1;
    let name = super::words::series_name(s);
    let flagged = (0..d.series.len()).filter(|&j| (0..d.categories.len()).any(|i| point(&d.series[j], i).flags() != Default::default())).count();
    let mut forms = Vec::new();
    forms.push(if several { format!("{name}: {words}") } else { alone.clone() });
    if several && flagged == 1 {
        forms.push(alone);
    }
    if several {
        forms.push(format!("{name}: {letters}"));
    }
    forms.push(letters);
    // The legend's text is 13 px, and its marker and padding take about 40 px beside it.
    let fits = |t: &str| text_width(t) * 13.0 / 12.0 + 40.0 <= width - 16.0;
    let last = forms.pop().expect("the letters");
    Some(forms.into_iter().find(|t| fits(t)).unwrap_or(last))
}

/// The value axis's title, written across above the axis (not turned on
/// its side), where it is read first.
fn axis_title_above(b: &mut charts_rs::ChartBase, d: &ChartData) {
    b.texts.push(TextConfig {
        text: clean(&d.unit.axis_label()),
        left: Some(8.0),
        top: Some(4.0),
        font: charts_rs::FontConfig { size: 12.0, color: colour(SECONDARY), weight: None },
        reserve: true,
        ..Default::default()
    });
}

/// Room above the plot for the target's label, which goes above its line.
fn room_for_target(b: &mut charts_rs::ChartBase, d: &ChartData) {
    if d.target.and_then(to_f32).is_some() && !d.series.is_empty() {
        b.margin.top = TOP_WITH_TARGET;
    }
}

/// The top margin of every chart, and of lines and bars with a target,
/// whose key ("- - Target: 90%") is written above the plot's right end.
const TOP: f32 = 14.0;
const TOP_WITH_TARGET: f32 = 34.0;

/// One place for a bar: series `k` at category `i`, drawn or a gap.
struct Slot {
    k: usize,
    /// Index in the order handed to charts-rs.
    pos: usize,
    /// Written by the bar: its shorthand (vertical) or value and shorthand (horizontal).
    mark: String,
    /// Written at the zero line where there is no bar: "[x]" or "[c]".
    gap: Option<&'static str>,
    negative: bool,
}

/// What a kind hands back for finishing.
struct Raw {
    svg: String,
    slots: Vec<Slot>,
    /// Names of the ring series, whose legend entries become rings.
    rings: Vec<String>,
    horizontal: bool,
    /// Lines of a few series labelled at their ends (wrapped names, one per series); empty for a legend.
    direct: Vec<Vec<String>>,
    /// Where the plot ends on the right, for those labels.
    plot_right: f32,
}

/// Names for labelling two or three lines at their ends, wrapped to fit
/// beside the plot; `None` where they would not fit (a legend is used).
fn direct_labels(d: &ChartData, width: f32) -> Option<Vec<Vec<String>>> {
    if !(2..=3).contains(&d.series.len()) {
        return None;
    }
    let room = if width < WIDTH { 84.0 } else { 150.0 };
    let labels: Vec<Vec<String>> = d.series.iter().map(|s| super::wrap(&clean(super::words::series_name(s)), 12.0, room * 0.88)).collect();
    labels.iter().all(|l| (1..=2).contains(&l.len())).then_some(labels)
}

/// Writes the direct labels at the right of the plot, each beside the end of
/// its line (found from charts-rs's path for the series), moved apart so
/// they never overlap; a short stroke in the series' colour marks each.
fn label_line_ends(out: &mut String, labels: &[Vec<String>], plot_right: f32) {
    let mut ends: Vec<(usize, f32)> = Vec::new();
    for (k, _) in labels.iter().enumerate() {
        let stroke = format!("fill=\"none\" stroke=\"{}\"", SERIES_COLOURS[k % SERIES_COLOURS.len()]);
        let last = out.lines().rfind(|l| l.starts_with("<path d=\"M") && l.contains(&stroke) && !l.contains("dasharray"));
        let y = last.and_then(|l| attr_str(l, "d")).and_then(|d| d.split_whitespace().next_back()).and_then(|y| y.parse::<f32>().ok());
        if let Some(y) = y {
            ends.push((k, y));
        }
    }
    ends.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut next_free = f32::MIN;
    for (k, y) in ends {
        let y = y.max(next_free);
        let x = plot_right + 6.0;
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{}\" stroke-width=\"3\"/>",
            x + 8.0,
            SERIES_COLOURS[k % SERIES_COLOURS.len()]
        );
        for (j, line) in labels[k].iter().enumerate() {
            text_el(out, x + 11.0, y + 4.0 + 14.0 * j as f32, "start", line, TEXT);
        }
        next_free = y + 14.0 * labels[k].len() as f32 + 4.0;
    }
}

fn line(d: &ChartData, width: f32) -> Result<Raw, String> {
    let n = d.categories.len();
    let order: Vec<usize> = (0..n).collect();
    let mut list = Vec::new();
    for k in 0..d.series.len() {
        let mut s = Series::new_nullable(clean(&d.series[k].name), series_values(d, k, &order));
        s.index = Some(k);
        s.symbol = no_points();
        // A plan or a target is a dashed path, so it reads apart from figures without colour.
        if d.series[k].name == super::PLAN || d.series[k].name == super::TARGET {
            s.stroke_dash_array = Some("6,4".into());
        }
        list.push(s);
    }
    // Rings around flagged points: a series of those points alone, on top,
    // its line dashed to nothing (it would lie on the series' own line).
    let mut rings = Vec::new();
    for k in 0..d.series.len() {
        let Some(name) = flags_legend(d, k, width) else { continue };
        let data: Vec<Option<f32>> =
            (0..n).map(|i| point(&d.series[k], i)).map(|f| if f.flags() == Default::default() { None } else { drawable(f).and_then(to_f32) }).collect();
        let name = clean(&name);
        let mut s = Series::new_nullable(name.clone(), data);
        s.index = Some(k);
        s.symbol = no_points();
        s.stroke_dash_array = Some(super::compact::RING_DASH.into());
        list.push(s);
        rings.push(name);
    }
    if let Some(first) = list.first_mut() {
        first.mark_lines = target_line(d);
    }
    // Two or three lines are named at their ends; the legend stays only to explain rings.
    let direct = direct_labels(d, width).unwrap_or_default();
    let legend = if direct.is_empty() { list.len() > 1 } else { !rings.is_empty() };
    let cats = (0..n).map(|i| clean(&category_label(d, i))).collect();
    let mut c = LineChart::new(list, cats);
    setup(&mut c.base, d, width, height_for(width), legend);
    if !direct.is_empty() {
        let widest = direct.iter().flatten().map(|l| text_width(l)).fold(0.0, f32::max);
        c.base.margin.right = (widest + 14.0 + 11.0).round();
    }
    let plot_right = width - c.base.margin.right;
    c.y_axis_configs = vec![y_axis(scale(&range_values(d), d.unit), String::new())];
    c.y_axis_configs[0].title = None;
    axis_title_above(&mut c.base, d);
    room_for_target(&mut c.base, d);
    let svg = c.svg().map_err(|e| e.to_string())?;
    Ok(Raw { svg, slots: Vec::new(), rings, horizontal: false, direct, plot_right })
}

/// The slots of every series in the order charts-rs draws bars: series by
/// series, categories in `order`.
fn slots(d: &ChartData, order: &[usize], horizontal: bool) -> Vec<Slot> {
    let mut out = Vec::new();
    for (k, s) in d.series.iter().enumerate() {
        for (pos, &i) in order.iter().enumerate() {
            let f = point(s, i);
            let v = drawable(f).filter(|v| to_f32(*v).is_some());
            let mark = match v {
                Some(v) if horizontal => bar_label(d, v, f),
                Some(_) => shorthand(f),
                None => String::new(),
            };
            let gap = match (v, f) {
                (Some(_), _) => None,
                (None, Figure::Suppressed) => Some("[c]"),
                (None, _) => Some("[x]"),
            };
            out.push(Slot { k, pos, mark, gap, negative: v.is_some_and(|v| v < 0.0) });
        }
    }
    out
}

fn bar(d: &ChartData, width: f32) -> Result<Raw, String> {
    let n = d.categories.len();
    let order: Vec<usize> = (0..n).collect();
    let mut list = Vec::new();
    for k in 0..d.series.len() {
        let mut s = Series::new_nullable(clean(&d.series[k].name), series_values(d, k, &order));
        s.index = Some(k);
        if d.kind == ChartKind::Stacked {
            s.stack = Some("categories".into());
        }
        list.push(s);
    }
    if let Some(first) = list.first_mut() {
        first.mark_lines = target_line(d);
    }
    let legend = list.len() > 1;
    let cats = (0..n).map(|i| clean(&category_label(d, i))).collect();
    let mut c = BarChart::new(list, cats);
    setup(&mut c.base, d, width, height_for(width), legend);
    c.base.legend.category = LegendCategory::Rect;
    c.y_axis_configs = vec![y_axis(scale(&range_values(d), d.unit), String::new())];
    c.y_axis_configs[0].title = None;
    axis_title_above(&mut c.base, d);
    room_for_target(&mut c.base, d);
    let svg = c.svg().map_err(|e| e.to_string())?;
    Ok(Raw { svg, slots: slots(d, &order, false), rings: Vec::new(), horizontal: false, direct: Vec::new(), plot_right: 0.0 })
}

/// "[p] [r]" for a figure's flags; empty without.
fn shorthand(f: Figure) -> String {
    f.flags().iter().map(|f| format!("[{}]", f.letter())).collect::<Vec<_>>().join(" ")
}

/// The value label of a horizontal bar: short units, then the shorthand.
fn bar_label(d: &ChartData, v: f64, f: Figure) -> String {
    let n = match d.unit {
        Unit::Percent | Unit::Currency => d.unit.format(v, d.decimals),
        _ => crate::catalogue::group_thousands(v, d.decimals),
    };
    let flags = shorthand(f);
    if flags.is_empty() {
        n
    } else {
        format!("{n} {flags}")
    }
}

const ROW: f32 = 26.0;

fn text_width(text: &str) -> f32 {
    measured_width(12.0, text)
}

fn hbar(d: &ChartData, width: f32) -> Result<Raw, String> {
    let n = d.categories.len();
    // charts-rs draws the first category at the bottom: reverse.
    let order: Vec<usize> = (0..n).rev().collect();
    let highlight = d.highlight.filter(|h| *h < n && d.series.len() == 1);
    let slots = slots(d, &order, true);
    let widest = slots.iter().map(|s| text_width(&s.mark)).fold(0.0, f32::max);
    let mut list = Vec::new();
    for k in 0..d.series.len() {
        let mut s = Series::new_nullable(clean(&d.series[k].name), series_values(d, k, &order));
        s.index = Some(k);
        if let Some(h) = highlight {
            s.colors = Some(order.iter().map(|&i| Some(colour(if i == h { DARK_BLUE } else { TURQUOISE }))).collect());
        }
        list.push(s);
    }
    let target = target_line(d);
    let has_target = !target.is_empty() && !list.is_empty();
    if let Some(first) = list.first_mut() {
        first.mark_lines = target;
    }
    let legend = list.len() > 1;
    let cats = order.iter().map(|&i| clean(&category_label(d, i))).collect();
    let mut c = HorizontalBarChart::new(list, cats);
    let rows = n.max(1) as f32 * (d.series.len().max(1) as f32).sqrt();
    let extra = if legend { 30.0 } else { 0.0 } + if key_entries(d).is_empty() { 0.0 } else { 20.0 } + if has_target { 18.0 } else { 0.0 };
    let height = (ROW * rows + 84.0 + extra).round();
    setup(&mut c.base, d, width, height, legend);
    c.base.legend.category = LegendCategory::Rect;
    c.base.margin.right = (widest + 14.0).clamp(24.0, 200.0).round();
    if let Some(h) = d.highlight.filter(|h| *h < n) {
        // Its label is bold, which is wider than charts-rs measures.
        c.base.margin.left += (text_width(&category_label(d, h)) * 0.12).round();
    }
    if has_target {
        // Room above the plot for the target's label.
        c.base.margin.top += 18.0;
    }
    c.base.x_axis.title = clean(&d.unit.axis_label());
    c.y_axis_configs = vec![y_axis(scale(&range_values(d), d.unit), String::new())];
    c.y_axis_configs[0].title = None;
    let svg = c.svg().map_err(|e| e.to_string())?;
    Ok(Raw { svg, slots, rings: Vec::new(), horizontal: true, direct: Vec::new(), plot_right: 0.0 })
}

/// A bar as charts-rs drew it.
#[derive(Debug, Clone, Copy, Default)]
struct BarBox {
    x: f32,
    y: f32,
    w: f32,
    h: f32,
}

fn attr_str<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    // The first ` name="`, found without building it: this runs for every tag of every drawing.
    let (b, n) = (tag.as_bytes(), name.as_bytes());
    let at = (0..b.len()).find(|&i| b[i] == b' ' && b[i + 1..].starts_with(n) && b[i + 1 + n.len()..].starts_with(b"=\""))?;
    let start = at + n.len() + 3;
    let end = find_byte(&tag[start..], b'"')? + start;
    Some(&tag[start..end])
}

/// Whether `needle` is in `tag`: a byte search, quicker than `str::contains` on short tags.
fn has(tag: &str, needle: &str) -> bool {
    let n = needle.as_bytes();
    tag.as_bytes().windows(n.len()).any(|w| w[0] == n[0] && w == n)
}

fn attr(tag: &str, name: &str) -> Option<f32> {
    attr_str(tag, name)?.parse().ok()
}

/// Removes charts-rs's `data-*` attributes from a tag.
fn strip_data(tag: &str) -> String {
    let mut out = String::with_capacity(tag.len());
    let mut rest = tag;
    while let Some(at) = rest.find(" data-") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let end = after.find("=\"").and_then(|q| after[q + 2..].find('"').map(|e| q + 2 + e + 1)).unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Walks the tags of charts-rs's SVG body: strips `data-*` attributes,
/// collects the bars, writes the target line's label ("Target: 90%") on a
/// white ground where charts-rs wrote a bare number, and turns the legend
/// entries of ring series into rings without a line, and gives a line series' legend entry
/// the shape its points have (`lines`: the line series' names, in order; none for bars).
// Long: one pass over the tags, each rewrite a few lines of the same loop; split, they would share all its state.
fn post_process(body: &str, target_label: Option<&str>, target_from: Option<(usize, usize)>, rings: &[String], lines: &[String]) -> (String, Vec<BarBox>) {
    let mut out = String::with_capacity(body.len() + 256);
    let mut bars = Vec::new();
    let mut rest = body;
    // The target line's ends, once seen: its label is the next text.
    let mut target_line: Option<(f32, f32, f32, f32)> = None;
    let target_stroke = format!("stroke=\"{ORANGE}\"");
    let ring_texts: Vec<String> = rings.iter().map(|r| format!("\n{}\n</text>", esc(r))).collect();
    let line_texts: Vec<String> = lines.iter().map(|r| format!("\n{}\n</text>", esc(r))).collect();
    // Where the current group starts in `out`, to rework a legend entry.
    let mut group_start: Option<usize> = None;
    while let Some(lt) = find_byte(rest, b'<') {
        out.push_str(&rest[..lt]);
        let gt = find_byte(&rest[lt..], b'>').map(|g| lt + g + 1).unwrap_or(rest.len());
        let tag = &rest[lt..gt];
        rest = &rest[gt..];
        if tag == "<g>" {
            group_start = Some(out.len());
        }
        if has(tag, " data-") {
            if tag.starts_with("<rect ") {
                bars.push(BarBox {
                    x: attr(tag, "x").unwrap_or(0.0),
                    y: attr(tag, "y").unwrap_or(0.0),
                    w: attr(tag, "width").unwrap_or(0.0),
                    h: attr(tag, "height").unwrap_or(0.0),
                });
            }
            out.push_str(&strip_data(tag));
            continue;
        }
        if let (Some(label), true) = (target_label, target_line.is_none()) {
            if tag.starts_with("<line ") && has(tag, &target_stroke) && has(tag, "stroke-dasharray") {
                target_line =
                    Some((attr(tag, "x1").unwrap_or(0.0), attr(tag, "y1").unwrap_or(0.0), attr(tag, "x2").unwrap_or(0.0), attr(tag, "y2").unwrap_or(0.0)));
                match (target_from, target_line) {
                    // A target set inside the window starts at the category it was set in: the
                    // categories share the plot's width evenly.
                    (Some((i, n)), Some((x1, _, x2, _))) if n > 0 && i > 0 && i < n => {
                        let start = x1 + (x2 - x1) * i as f32 / n as f32;
                        let old = format!("x1=\"{}\"", attr_str(tag, "x1").unwrap_or_default());
                        out.push_str(&tag.replacen(&old, &format!("x1=\"{start:.1}\""), 1));
                    }
                    _ => out.push_str(tag),
                }
                // The label follows the line (after its dot and arrow).
                if let Some(text_at) = rest.find("<text ") {
                    let text_tag_end = rest[text_at..].find('>').map(|e| text_at + e + 1).unwrap_or(rest.len());
                    if let Some(close) = rest[text_tag_end..].find("</text>") {
                        let (x1, y1, x2, _) = target_line.unwrap_or_default();
                        let between = &rest[..text_at];
                        out.push_str(between);
                        if (x1 - x2).abs() < 0.01 {
                            // Vertical (horizontal bars): above the plot, centred on the line.
                            label_el(&mut out, x1, y1 - 10.0, "middle", label, TEXT);
                        } else {
                            // Horizontal: a key above the plot's right end, clear of
                            // every bar, point and mark in the plot.
                            let (x, y) = (x2 + 10.0, TOP_WITH_TARGET - 12.0);
                            let w = text_width(label);
                            let _ = writeln!(
                                out,
                                "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{ORANGE}\" stroke-width=\"2\" stroke-dasharray=\"6,4\"/>",
                                x - w - 30.0,
                                y - 4.0,
                                x - w - 6.0,
                                y - 4.0
                            );
                            text_el(&mut out, x, y, "end", label, TEXT);
                        }
                        rest = &rest[text_tag_end + close + "</text>".len()..];
                    }
                }
                continue;
            }
        }
        out.push_str(tag);
        if tag == "</g>" {
            if let Some(start) = group_start.take() {
                if ring_texts.iter().any(|t| out[start..].contains(t.as_str())) {
                    let group = ring_legend(&out[start..]);
                    out.truncate(start);
                    out.push_str(&group);
                } else if let Some(k) = line_texts.iter().position(|t| out[start..].contains(t.as_str())) {
                    let group = shaped_legend(&out[start..], k);
                    out.truncate(start);
                    out.push_str(&group);
                }
            }
        }
    }
    out.push_str(rest);
    (out, bars)
}

/// Right-aligns the category labels of horizontal bars (charts-rs centres
/// them in their column), at the right edge of the widest; the label of
/// `bold` (this organisation) is bold and in the text colour.
fn right_align_labels(body: &str, labels: &[String], bold: Option<usize>) -> String {
    let escaped: Vec<String> = labels.iter().map(|l| esc(l)).collect();
    // Where the tag of every category label starts and ends, and its index.
    let mut found: Vec<(usize, usize, usize)> = Vec::new();
    let mut right: f32 = 0.0;
    let mut at = 0;
    while let Some(rel) = body[at..].find("<text ") {
        let start = at + rel;
        let Some(end) = body[start..].find('>').map(|e| start + e + 1) else { break };
        at = end;
        let tag = &body[start..end];
        let Some(close) = body[end..].find("</text>") else { break };
        let content = body[end..end + close].trim_matches('\n');
        if has(tag, "transform") || has(tag, "text-anchor") {
            continue;
        }
        if let (Some(k), Some(x)) = (escaped.iter().position(|e| e == content), attr(tag, "x")) {
            right = right.max(x + text_width(&labels[k]));
            found.push((start, end, k));
        }
    }
    if found.is_empty() {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len() + found.len() * 20);
    let mut last = 0;
    for (start, end, k) in found {
        out.push_str(&body[last..start]);
        let tag = &body[start..end];
        let old_x = format!(" x=\"{}\"", attr_str(tag, "x").unwrap_or_default());
        let mut tag = tag.replacen(&old_x, &format!(" x=\"{right:.1}\" text-anchor=\"end\""), 1);
        if Some(k) == bold {
            if let Some(fill) = attr_str(&tag, "fill").map(str::to_string) {
                // Bold is wider than the room charts-rs measured for the label (in its regular
                // weight): held to that width, it is not cut off at the drawing's left edge.
                let room = text_width(&labels[k]).round();
                tag = tag.replacen(
                    &format!(" fill=\"{fill}\""),
                    &format!(" font-weight=\"bold\" textLength=\"{room}\" lengthAdjust=\"spacingAndGlyphs\" fill=\"{TEXT}\""),
                    1,
                );
            }
        }
        out.push_str(&tag);
        last = end;
    }
    out.push_str(&body[last..]);
    out
}

/// A line series' legend entry with its dot swapped for the shape of the series' points (the
/// first series' is a dot), a little larger than on the line, as charts-rs's dot is.
fn shaped_legend(group: &str, k: usize) -> String {
    let mut out = String::with_capacity(group.len() + 64);
    for line in group.split_inclusive('\n') {
        if let (true, Some(cx), Some(cy)) = (line.starts_with("<circle ") && !k.is_multiple_of(SERIES_COLOURS.len()), attr(line, "cx"), attr(line, "cy")) {
            let _ = writeln!(out, "<g transform=\"translate({} {}) scale(1.5)\">{}</g>", cx.round(), cy.round(), super::compact::series_shape(k));
            continue;
        }
        out.push_str(line);
    }
    out
}

/// A legend entry drawn as a ring alone: its line removed, its dot hollow.
fn ring_legend(group: &str) -> String {
    let mut out = String::with_capacity(group.len());
    for line in group.split_inclusive('\n') {
        if line.starts_with("<line ") {
            continue;
        }
        if line.starts_with("<circle ") {
            if let Some(fill) = attr_str(line, "fill") {
                out.push_str(&line.replacen(&format!(" fill=\"{fill}\""), " fill=\"#FFFFFF\"", 1));
                continue;
            }
        }
        out.push_str(line);
    }
    out
}

fn text_el(out: &mut String, x: f32, y: f32, anchor: &str, text: &str, fill: &str) {
    let _ = writeln!(
        out,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" font-size=\"12\" font-family=\"{}\" fill=\"{fill}\">{}</text>",
        FONT_STACK,
        esc(text)
    );
}

/// A label on a white ground, so lines and bars behind it do not hide it.
fn label_el(out: &mut String, x: f32, y: f32, anchor: &str, text: &str, fill: &str) {
    let w = text_width(text);
    let left = match anchor {
        "end" => x - w,
        "middle" => x - w / 2.0,
        _ => x,
    };
    let _ =
        writeln!(out, "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"15\" fill=\"#FFFFFF\" fill-opacity=\"0.85\"/>", left - 2.0, y - 11.5, w + 4.0);
    text_el(out, x, y, anchor, text, fill);
}

/// Writes the bar marks: shorthand above flagged bars, values by horizontal
/// bars, and "[x]" / "[c]" at the zero line where a bar is missing. Bars are
/// matched to slots in charts-rs's drawing order; where the counts disagree
/// nothing is written. Missing bars are placed from the spacing of drawn ones.
fn mark_bars(out: &mut String, slots: &[Slot], bars: &[BarBox], horizontal: bool) {
    let drawn: Vec<(&Slot, &BarBox)> = slots.iter().filter(|s| s.gap.is_none()).zip(bars).collect();
    if drawn.len() != bars.len() || drawn.len() != slots.iter().filter(|s| s.gap.is_none()).count() {
        return;
    }
    for (s, b) in &drawn {
        if s.mark.is_empty() {
            continue;
        }
        match (horizontal, s.negative) {
            (true, false) => label_el(out, b.x + b.w + 4.0, b.y + b.h / 2.0 + 4.0, "start", &s.mark, TEXT),
            (true, true) => label_el(out, b.x - 4.0, b.y + b.h / 2.0 + 4.0, "end", &s.mark, TEXT),
            (false, false) => label_el(out, b.x + b.w / 2.0, b.y - 5.0, "middle", &s.mark, TEXT),
            (false, true) => label_el(out, b.x + b.w / 2.0, b.y + b.h + 14.0, "middle", &s.mark, TEXT),
        }
    }
    // Spacing along the category axis from two bars of one series.
    let along = |b: &BarBox| if horizontal { b.y } else { b.x };
    let step = drawn.iter().enumerate().find_map(|(a, (sa, ba))| {
        drawn[a + 1..].iter().find(|(sb, _)| sb.k == sa.k && sb.pos != sa.pos).map(|(sb, bb)| (along(bb) - along(ba)) / (sb.pos as f32 - sa.pos as f32))
    });
    let Some((first, fb)) = drawn.first() else { return };
    let zero = match (horizontal, first.negative) {
        (true, false) => fb.x,
        (true, true) => fb.x + fb.w,
        (false, false) => fb.y + fb.h,
        (false, true) => fb.y,
    };
    for s in slots {
        let Some(gap) = s.gap else { continue };
        let Some((known, kb)) = drawn.iter().find(|(o, _)| o.k == s.k) else { continue };
        let offset = s.pos as f32 - known.pos as f32;
        let Some(start) = (if offset == 0.0 { Some(along(kb)) } else { step.map(|st| along(kb) + st * offset) }) else { continue };
        if horizontal {
            let words = if gap == "[c]" { "[c] suppressed" } else { "[x] not available" };
            text_el(out, zero + 4.0, start + kb.h / 2.0 + 4.0, "start", words, SECONDARY);
        } else {
            text_el(out, start + kb.w / 2.0, zero - 4.0, "middle", gap, SECONDARY);
        }
    }
}

/// Splits charts-rs's SVG into its size and its body.
fn split_root(svg: &str) -> Option<(f32, f32, &str)> {
    let open_end = svg.find('>')? + 1;
    let open = &svg[..open_end];
    let body = svg[open_end..].trim_end().strip_suffix("</svg>")?;
    Some((attr(open, "width")?, attr(open, "height")?, body.trim_matches('\n')))
}

/// Draws a chart's SVG body with charts-rs.
pub(crate) fn draw(d: &ChartData) -> Drawn {
    draw_at(d, WIDTH)
}

/// Draws a chart's SVG body `width` wide.
pub(crate) fn draw_at(d: &ChartData, width: f32) -> Drawn {
    let target_label = d.target.filter(|t| to_f32(*t).is_some()).map(|t| format!("Target: {}", d.unit.format(t, d.decimals)));
    if width < WIDTH && matches!(d.kind, ChartKind::HBar | ChartKind::Ranking) && !range_values(d).is_empty() {
        return narrow_hbar(d, width);
    }
    let raw = match d.kind {
        ChartKind::Line => line(d, width),
        ChartKind::Bar | ChartKind::Stacked => bar(d, width),
        ChartKind::HBar | ChartKind::Ranking => hbar(d, width),
    };
    let drawn = raw.ok().and_then(|raw| {
        let (width, height, body) = split_root(&raw.svg)?;
        let aligned;
        let body = if raw.horizontal {
            let labels: Vec<String> = (0..d.categories.len()).map(|i| clean(&category_label(d, i))).collect();
            aligned = right_align_labels(body, &labels, d.highlight);
            aligned.as_str()
        } else {
            body
        };
        let from = d.target_from.filter(|_| !raw.horizontal).map(|i| (i, d.categories.len()));
        let lines: Vec<String> = if d.kind == ChartKind::Line { d.series.iter().map(|s| clean(&s.name)).collect() } else { Vec::new() };
        let (mut body, bars) = post_process(body, target_label.as_deref(), from, &raw.rings, &lines);
        body.push('\n');
        mark_bars(&mut body, &raw.slots, &bars, raw.horizontal);
        if !raw.direct.is_empty() {
            label_line_ends(&mut body, &raw.direct, raw.plot_right);
        }
        Some(Drawn { width, height, body: body.trim_end().to_string() })
    });
    drawn.unwrap_or_else(|| {
        let mut body = format!("<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"80\" fill=\"#FFFFFF\"/>\n");
        text_el(&mut body, 12.0, 40.0, "start", "This chart could not be drawn: its figures are in the table.", TEXT);
        Drawn { width, height: 80.0, body }
    })
}

/// Horizontal bars for a phone: each name on a line of its own above its
/// bar(s), so long council names do not squeeze the bars; values at the
/// bars' ends, the target a dashed line labelled at the top, gaps in words.
// Long: a straight sequence of drawing steps sharing one layout (slots, scale, cursor).
fn narrow_hbar(d: &ChartData, width: f32) -> Drawn {
    const PAD: f32 = 4.0;
    const BAR: f32 = 14.0;
    let sc = scale(&range_values(d), d.unit);
    let slots = slots(d, &(0..d.categories.len()).collect::<Vec<_>>(), true);
    let room = slots.iter().map(|s| text_width(&s.mark)).fold(0.0, f32::max) + 8.0;
    let plot = (width - 2.0 * PAD - room).max(40.0);
    let (lo, hi) = (sc.min as f32, sc.max as f32);
    let x = |v: f32| PAD + plot * ((v - lo) / (hi - lo).max(f32::EPSILON)).clamp(0.0, 1.0);
    let mut body = String::new();
    let mut y = 8.0;
    let target = d.target.and_then(to_f32).filter(|t| *t >= lo && *t <= hi);
    if let Some(t) = target {
        y += 14.0;
        let label = format!("Target: {}", d.unit.format(f64::from(t), d.decimals));
        let anchor = if x(t) > width / 2.0 { "end" } else { "start" };
        text_el(&mut body, x(t), y, anchor, &label, TEXT);
        y += 6.0;
    }
    if d.series.len() > 1 {
        for (k, s) in d.series.iter().enumerate() {
            y += 16.0;
            let _ =
                writeln!(body, "<rect x=\"{PAD}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/>", y - 10.0, SERIES_COLOURS[k % SERIES_COLOURS.len()]);
            text_el(&mut body, PAD + 18.0, y, "start", &clean(super::words::series_name(s)), TEXT);
        }
        y += 6.0;
    }
    let top = y;
    for i in 0..d.categories.len() {
        y += 16.0;
        let label = clean(&category_label(d, i));
        let bold = d.highlight == Some(i);
        for (k, line) in super::wrap(&label, 12.0, width - 2.0 * PAD).iter().enumerate() {
            if k > 0 {
                y += 15.0;
            }
            let _ = writeln!(
                body,
                "<text x=\"{PAD}\" y=\"{y:.1}\" font-size=\"12\" font-family=\"{}\" fill=\"{TEXT}\"{}>{}</text>",
                FONT_STACK,
                if bold { " font-weight=\"bold\"" } else { "" },
                esc(line)
            );
        }
        y += 4.0;
        for (k, _) in d.series.iter().enumerate() {
            let Some(slot) = slots.iter().find(|s| s.k == k && s.pos == i) else { continue };
            let f = point(&d.series[k], i);
            match drawable(f).and_then(to_f32) {
                Some(v) => {
                    let (a, b) = (x(v.min(0.0).max(lo)), x(v.max(0.0).min(hi)));
                    let fill = if d.series.len() == 1 && d.highlight.is_some() && !bold { TURQUOISE } else { SERIES_COLOURS[k % SERIES_COLOURS.len()] };
                    let _ = writeln!(body, "<rect x=\"{a:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{BAR}\" fill=\"{fill}\"/>", (b - a).max(1.0));
                    text_el(&mut body, b + 4.0, y + BAR - 3.0, "start", &slot.mark, TEXT);
                }
                None => {
                    let words = if slot.gap == Some("[c]") { "[c] suppressed" } else { "[x] not available" };
                    text_el(&mut body, x(0.0_f32.max(lo)) + 2.0, y + BAR - 3.0, "start", words, SECONDARY);
                }
            }
            y += BAR + 2.0;
        }
        y += 4.0;
    }
    if let Some(t) = target {
        let _ = writeln!(
            body,
            "<line x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{0:.1}\" y2=\"{2:.1}\" stroke=\"{ORANGE}\" stroke-width=\"2\" stroke-dasharray=\"6,4\"/>",
            x(t),
            top - 2.0,
            y
        );
    }
    let key = key_entries(d);
    let axis = clean(&d.unit.axis_label());
    for line in
        std::iter::once(axis).chain(super::wrap(&clean(&format!("Key: {}", key.join("; "))), 12.0, width - 2.0 * PAD).into_iter().filter(|_| !key.is_empty()))
    {
        y += 16.0;
        text_el(&mut body, PAD, y, "start", &line, SECONDARY);
    }
    let height = (y + 8.0).round();
    let body = format!("<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#FFFFFF\"/>\n{}", body.trim_end());
    Drawn { width, height, body }
}

/// A number for a sparkline's label, without a unit.
pub(crate) fn spark_number(v: f64) -> String {
    plain_number(v)
}

/// The width of a line of text as charts-rs measures it (with a rough fallback).
pub(super) fn measured_width(size: f32, text: &str) -> f32 {
    measure_text_width_family(FONT_STACK, size, text).map(|b| b.width()).unwrap_or(text.len() as f32 * size * 0.58)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_are_round_and_start_at_zero() {
        assert_eq!(scale(&[1210.0, 1418.0], Unit::Count), Scale { min: 0.0, max: 1500.0, split: 6 });
        assert_eq!(scale(&[96.0], Unit::Percent), Scale { min: 0.0, max: 100.0, split: 5 });
        assert_eq!(scale(&[0.45], Unit::Score), Scale { min: 0.0, max: 0.5, split: 5 });
        assert_eq!(scale(&[1e12], Unit::Count), Scale { min: 0.0, max: 1e12, split: 5 });
        assert_eq!(scale(&[88.0, 84.1], Unit::Percent), Scale { min: 0.0, max: 100.0, split: 5 });
        assert_eq!(scale(&[], Unit::Count), Scale { min: 0.0, max: 1.0, split: 1 });
        assert_eq!(scale(&[-3.2, 4.0], Unit::Rate { per: 1000 }), Scale { min: -4.0, max: 4.0, split: 4 });
        assert_eq!(scale(&[0.003], Unit::Score), Scale { min: 0.0, max: 0.1, split: 1 });
        assert_eq!(scale(&[3.0], Unit::Count), Scale { min: 0.0, max: 3.0, split: 3 });
    }

    #[test]
    fn the_font_stack_is_written_as_it_is() {
        // Texts write it unescaped, to save escaping it for every one.
        assert_eq!(crate::render::escape(FONT_STACK), FONT_STACK);
    }

    #[test]
    fn finds_attributes_by_their_whole_name() {
        let tag = "<text data-x=\"1\" x=\"2\" fill=\"#000\">";
        assert_eq!(attr_str(tag, "x"), Some("2"));
        assert_eq!(attr_str(tag, "fill"), Some("#000"));
        assert_eq!(attr_str(tag, "y"), None);
        assert_eq!(attr_str("<a x=\"1>", "x"), None);
        assert!(has(tag, "data-") && !has(tag, "stroke"));
    }

    #[test]
    fn strips_data_attributes_only() {
        assert_eq!(strip_data("<rect x=\"1\" data-series=\"a b\" data-value=\"3\"/>"), "<rect x=\"1\"/>");
    }
}
