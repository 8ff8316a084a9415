//! Charts: snapshots of a fixture's SVG and HTML, every kind with every
//! unit, random series (valid XML, no panic), and the honesty rules (gaps
//! are never zeros, suppressed numbers never appear).
//!
//! The snapshots are files in `tests/snapshots/charts/`, compared with snapbox: a chart that
//! differs prints a diff. `SNAPSHOTS=overwrite cargo test --test testsuite charts::fixtures`
//! rewrites them (then read `git diff`); `CHART_SAMPLES=/tmp/dir` also writes each fixture as
//! an HTML page to look at.

use crate::common::assert_snapshots;

use proptest::prelude::*;
use quick_xml::events::Event;
use scrutiny::catalogue::{Polarity, Unit};
use scrutiny::figure::{Figure, Flag, Flags};
use scrutiny::period::{FinancialYear, Month, Period, Quarter};
use scrutiny::render::chart::{sparkline, Category, ChartData, ChartSeries};
use scrutiny::ChartKind;
use std::path::PathBuf;

const MONTHS: [&str; 12] =
    ["Apr 2024", "May 2024", "Jun 2024", "Jul 2024", "Aug 2024", "Sep 2024", "Oct 2024", "Nov 2024", "Dec 2024", "Jan 2025", "Feb 2025", "Mar 2025"];
const QUARTERS: [&str; 8] = ["Q3 2022/23", "Q4 2022/23", "Q1 2023/24", "Q2 2023/24", "Q3 2023/24", "Q4 2023/24", "Q1 2024/25", "Q2 2024/25"];
const MEMBERS: [&str; 23] = [
    "Blackburn with Darwen",
    "Blackpool",
    "Bolton",
    "Bury",
    "Cheshire East",
    "Westmere",
    "Cumberland",
    "Halton",
    "Knowsley",
    "Lancashire",
    "Liverpool",
    "Manchester",
    "Oldham",
    "Rochdale",
    "Salford",
    "Sefton",
    "St Helens",
    "Stockport",
    "Tameside",
    "Trafford",
    "Warrington",
    "Wigan",
    "Wirral & <Wallasey>",
];

fn v(x: f64) -> Figure {
    Figure::Value(x, Flags::NONE)
}
fn flagged(x: f64, f: Flag) -> Figure {
    Figure::Value(x, Flags::NONE.with(f))
}
/// Periods from their labels: "Apr 2024", "Q3 2022/23".
fn periods(s: &[&str]) -> Vec<Category> {
    const NAMES: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    s.iter()
        .map(|label| {
            let (a, b) = label.split_once(' ').unwrap();
            let period = match a.strip_prefix('Q') {
                Some(n) => Period::Quarter(Quarter::new(FinancialYear::new(b[..4].parse().unwrap()), n.parse().unwrap()).unwrap()),
                None => Period::Month(Month::new(b.parse().unwrap(), NAMES.iter().position(|m| *m == a).unwrap() as u8 + 1)),
            };
            assert_eq!(period.short(), *label);
            Category::Period(period)
        })
        .collect()
}

fn names(s: &[&str]) -> Vec<Category> {
    s.iter().map(|s| Category::Name(s.to_string())).collect()
}

fn contacts_line() -> ChartData {
    let p = Flag::Provisional;
    ChartData {
        id: "2024-25-q4-contacts-1".into(),
        kind: ChartKind::Line,
        title: "Number of Adult Social Care contact forms recorded each month".into(),
        unit: Unit::Count,
        decimals: 0,
        polarity: Polarity::Neutral,
        categories: periods(&MONTHS),
        series: vec![ChartSeries {
            name: "Contacts received".into(),
            points: vec![
                v(1210.0),
                v(1302.0),
                Figure::NotAvailable(Flags::NONE),
                v(1250.0),
                v(1380.0),
                flagged(1422.0, Flag::Revised),
                Figure::Suppressed,
                v(1333.0),
                v(1350.0),
                flagged(1400.0, p),
                flagged(1390.0, p),
                flagged(1418.0, p),
            ],
        }],
        target: Some(1500.0),
        target_from: None,
        highlight: None,
        source: String::new(),
    }
}

fn reviews_line() -> ChartData {
    ChartData {
        id: "2024-25-q2-reviews".into(),
        kind: ChartKind::Line,
        title: "Percentage of people who had a review in the year".into(),
        unit: Unit::Percent,
        decimals: 1,
        polarity: Polarity::Higher,
        categories: periods(&QUARTERS),
        series: vec![
            ChartSeries { name: "Westmere".into(), points: [61.2, 63.0, 60.4, 66.8, 70.1, 72.5, 71.0, 74.9].map(v).to_vec() },
            ChartSeries { name: "North West".into(), points: [58.0, 58.4, 59.1, 60.0, 60.2, 61.0, 61.5, 62.0].map(v).to_vec() },
            ChartSeries { name: "England".into(), points: [55.0, 55.5, 56.1, 56.0, 57.2, 57.9, 58.3, 58.8].map(v).to_vec() },
        ],
        target: Some(75.0),
        target_from: None,
        highlight: None,
        source: String::new(),
    }
}

fn waiting_bar() -> ChartData {
    let mut own: Vec<Figure> = [81.0, 77.0, 92.0, 88.0, 85.0, 79.0, 90.0].map(v).to_vec();
    own.push(flagged(81.0, Flag::Provisional));
    own[2] = Figure::NotAvailable(Flags::NONE);
    ChartData {
        id: "2024-25-q2-waiting".into(),
        kind: ChartKind::Bar,
        title: "People waiting for an assessment at the end of the quarter".into(),
        unit: Unit::Count,
        decimals: 0,
        polarity: Polarity::Lower,
        categories: periods(&QUARTERS),
        series: vec![
            ChartSeries { name: "Westmere".into(), points: own },
            ChartSeries { name: "Comparator average".into(), points: [70.0, 72.0, 75.0, 74.0, 73.0, 71.0, 70.0, 69.0].map(v).to_vec() },
        ],
        target: Some(60.0),
        target_from: None,
        highlight: None,
        source: String::new(),
    }
}

fn msp_hbar() -> ChartData {
    ChartData {
        id: "2024-25-q2-msp".into(),
        kind: ChartKind::HBar,
        title: "Adults asked what outcomes they wanted in a safeguarding enquiry".into(),
        unit: Unit::Percent,
        decimals: 1,
        polarity: Polarity::Higher,
        categories: names(&["Westmere", "North West", "England"]),
        series: vec![ChartSeries { name: "Making Safeguarding Personal".into(), points: vec![flagged(88.0, Flag::Provisional), v(84.1), v(83.0)] }],
        target: Some(90.0),
        target_from: None,
        highlight: Some(0),
        source: String::new(),
    }
}

fn reviews_ranking() -> ChartData {
    let mut points: Vec<Figure> = (0..23).map(|i| v(81.5 - i as f64 * 2.3)).collect();
    points[22] = Figure::NotAvailable(Flags::NONE);
    ChartData {
        id: "benchmark-reviews-nw".into(),
        kind: ChartKind::Ranking,
        title: "Reviews completed, 2023/24: North West councils".into(),
        unit: Unit::Percent,
        decimals: 1,
        polarity: Polarity::Higher,
        // Best first, as the model ranks them; the last has no figure.
        categories: MEMBERS.iter().enumerate().map(|(i, m)| Category::Member { name: m.to_string(), rank: (i < 22).then_some(i as u32 + 1) }).collect(),
        series: vec![ChartSeries { name: "Reviews completed".into(), points }],
        target: None,
        target_from: None,
        highlight: Some(5),
        source: String::new(),
    }
}

fn fixtures() -> Vec<(&'static str, ChartData)> {
    vec![
        ("line-count", contacts_line()),
        ("line-percent-comparators", reviews_line()),
        ("bar-count", waiting_bar()),
        ("hbar-percent", msp_hbar()),
        ("ranking-percent", reviews_ranking()),
    ]
}

/// Parses a document with quick-xml, failing on any error; returns the root's name.
fn assert_well_formed(doc: &str) -> String {
    let mut reader = quick_xml::Reader::from_str(doc);
    reader.config_mut().check_end_names = true;
    let mut depth = 0i32;
    let mut root = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if depth == 0 {
                    assert!(root.is_empty(), "more than one root element");
                    root = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                }
                depth += 1;
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Empty(e)) => {
                if depth == 0 {
                    root = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                }
            }
            Ok(Event::Text(t)) => {
                if depth == 0 {
                    assert!(t.iter().all(|b| b.is_ascii_whitespace()), "text outside the root");
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}\n{doc}", reader.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "unclosed elements");
    root
}

/// Every geometry attribute is a finite number (no NaN, no inf).
fn assert_finite_geometry(doc: &str) {
    let mut reader = quick_xml::Reader::from_str(doc);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                for a in e.attributes().flatten() {
                    let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                    if ["x", "y", "x1", "x2", "y1", "y2", "width", "height", "cx", "cy", "r", "d", "viewBox", "transform", "dy", "dx"].contains(&key.as_str()) {
                        let value = String::from_utf8_lossy(&a.value).to_lowercase();
                        assert!(!value.contains("nan") && !value.contains("inf"), "{key}=\"{value}\"");
                    }
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{e}"),
        }
    }
}

fn snapshot(name: &str, actual: &str) -> (PathBuf, String) {
    (PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/charts").join(name), actual.to_string())
}

/// A chart as a page shows it: its drawings (wide, and narrow for phones), and its figure placed
/// with the default theme's partial, showing the drawings as views of the sprite `file`.
#[derive(Debug, PartialEq)]
struct RenderedChart {
    svg: String,
    narrow_svg: String,
    html: String,
}

fn render(data: &ChartData, file: &str) -> RenderedChart {
    let r = scrutiny::render::chart::render(data);
    let (href, narrow) = (format!("{file}#{}", scrutiny::render::chart::view(0)), format!("{file}#{}", scrutiny::render::chart::narrow_view(0)));
    let none = tempfile::tempdir().unwrap();
    let env = scrutiny::render::templates::environment(none.path(), "default").unwrap();
    let html = env
        .get_template("blocks/chart.html")
        .unwrap()
        .render(minijinja::context! {
            desc_id => format!("chart-{}-desc", data.id), id => format!("chart-{}", data.id), kind => r.kind, title => r.title, description => r.description, src => href,
            width => r.width.round() as u32, height => r.height.round() as u32,
            narrow_src => narrow,
            narrow_width => r.narrow_width.round() as u32, narrow_height => r.narrow_height.round() as u32,
            table => minijinja::Value::from_safe_string(r.table),
        })
        .unwrap();
    RenderedChart { svg: r.svg, narrow_svg: r.narrow_svg, html }
}

fn write_samples(name: &str, r: &RenderedChart) {
    if let Some(dir) = std::env::var_os("CHART_SAMPLES") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.svg")), &r.svg).unwrap();
        std::fs::write(dir.join(format!("{name}-narrow.svg")), &r.narrow_svg).unwrap();
        let page = format!(
            "<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>{name}</title><style>body{{font-family:Arial,sans-serif;margin:8px}} .chart svg{{max-width:100%;height:auto}} .visually-hidden,.vh{{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}}</style></head><body>\n{}\n</body></html>\n",
            r.html
        );
        std::fs::write(dir.join(format!("{name}.html")), page).unwrap();
    }
}

#[test]
fn fixtures_match_snapshots() {
    let mut snapshots = Vec::new();
    for (name, data) in fixtures() {
        let r = render(&data, &format!("../charts/{}.svg", data.id));
        write_samples(name, &r);
        assert_eq!(assert_well_formed(&r.svg), "svg");
        assert_eq!(assert_well_formed(&r.narrow_svg), "svg");
        snapshots.push(snapshot(&format!("{name}.svg"), &r.svg));
        snapshots.push(snapshot(&format!("{name}-narrow.svg"), &r.narrow_svg));
        snapshots.push(snapshot(&format!("{name}.html"), &r.html));
    }
    let s = sparkline(
        &[v(90.0), v(88.0), Figure::NotAvailable(Flags::NONE), v(85.5), v(84.0), Figure::Suppressed, v(83.0), v(81.0)],
        "Waiting: trend over Q3 2022/23 to Q2 2024/25",
    );
    snapshots.push(snapshot("sparkline.svg", &s));
    assert_snapshots(&snapshots, Vec::new());
}

/// A sprite holds each chart's two drawings, one below the other, each named by a view of its
/// region; its root has no size (browsers would letterbox a view), its ids do not repeat, and
/// each drawing is the chart's own, nested at its place.
#[test]
fn a_sprite_names_each_drawing_by_a_view() {
    let drawn: Vec<_> = fixtures().iter().map(|(_, d)| scrutiny::render::chart::render(d)).collect();
    let sprite = scrutiny::render::chart::sprite(&drawn);
    assert_eq!(assert_well_formed(&sprite), "svg");
    assert_snapshots(&[snapshot("sprite.svg", &sprite)], Vec::new());
    let root = &sprite[..sprite.find('>').unwrap()];
    assert!(!root.contains("width=") && !root.contains("height=") && !root.contains("viewBox="), "{root}");
    let ids: Vec<&str> = sprite.split(" id=\"").skip(1).map(|t| &t[..t.find('"').unwrap()]).collect();
    assert_eq!(ids.iter().collect::<std::collections::BTreeSet<_>>().len(), ids.len(), "{ids:?}");
    let mut y = 0.0;
    for (k, c) in drawn.iter().enumerate() {
        for (view, w, h, svg) in [
            (scrutiny::render::chart::view(k), c.width, c.height, &c.svg),
            (scrutiny::render::chart::narrow_view(k), c.narrow_width, c.narrow_height, &c.narrow_svg),
        ] {
            assert!(sprite.contains(&format!("<view id=\"{view}\" viewBox=\"0 {y} {w} {h}\"/>")), "{view} at {y}");
            // The drawing itself, moved to its region, its markers defined once in the sprite.
            let at = if y == 0.0 { String::new() } else { format!(" y=\"{y}\"") };
            assert!(sprite.contains(&format!("<svg{at} width=\"{w}\" height=\"{h}\"")), "{view}");
            let body = &svg[svg.find("\n<text").unwrap()..svg.rfind("</svg>\n").unwrap()];
            let body = body.split("\n<defs>").next().unwrap();
            assert!(sprite.contains(body), "{view}: the drawing is not nested whole");
            y += h;
        }
        // Only the wide drawing has the title and description, so their ids are once in the file.
        assert!(!c.narrow_svg.contains("<title") && !c.narrow_svg.contains("<desc"));
        assert!(sprite.contains(&format!("aria-labelledby=\"c{k}t c{k}d\"")) && sprite.contains(&format!("<title id=\"c{k}t\">")));
    }
    // Every marker a drawing uses is defined once, before the drawings; none is left undefined.
    let defined: Vec<&str> = sprite.split("<marker id=\"").skip(1).map(|t| &t[..t.find('"').unwrap()]).collect();
    assert!(!defined.is_empty() && sprite.find("<marker").unwrap() < sprite.find("<view").unwrap());
    for used in sprite.split("url(#").skip(1).map(|t| &t[..t.find(')').unwrap()]) {
        assert!(defined.contains(&used), "{used} is not defined");
    }
}

#[test]
fn rendering_is_deterministic() {
    for (_, data) in fixtures() {
        assert_eq!(render(&data, "a.svg"), render(&data, "a.svg"));
    }
}

#[test]
fn html_has_the_accessible_parts() {
    let r = render(&contacts_line(), "../charts/x.svg");
    let doc = scraper::Html::parse_fragment(&r.html);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let fig = doc.select(&sel("figure.chart#chart-2024-25-q4-contacts-1")).next().expect("figure with id");
    let img = fig.select(&sel("img")).next().expect("img");
    assert_eq!(img.value().attr("src"), Some("../charts/x.svg#c0"));
    let source = fig.select(&sel("source")).next().expect("source");
    assert_eq!(source.value().attr("srcset"), Some("../charts/x.svg#c0n"));
    assert_eq!(img.value().attr("alt"), fig.select(&sel("figcaption")).next().map(|c| c.text().collect::<String>()).as_deref());
    let described = img.value().attr("aria-describedby").unwrap();
    assert_eq!(doc.select(&sel(&format!("p#{described}"))).count(), 1, "{described} once");
    // The file names its title and description for whoever opens it on its own.
    let file = scraper::Html::parse_fragment(&r.svg);
    let svg = file.select(&sel("svg[role=img]")).next().expect("svg role=img");
    let labelled = svg.value().attr("aria-labelledby").unwrap();
    assert_eq!(labelled, "t d");
    for id in labelled.split(' ') {
        assert_eq!(file.select(&sel(&format!("#{id}"))).count(), 1, "{id} once");
    }
    assert!(svg.value().attr("viewBox").is_some() && svg.value().attr("width").is_some());
    let shown = doc.select(&sel(&format!("p#{described}"))).next().unwrap().text().collect::<String>();
    let desc = file.select(&sel("desc")).next().unwrap().text().collect::<String>();
    assert_eq!(shown, desc, "the words in the page are the file's description");
    assert!(desc.starts_with("Contacts received rose from 1,210 in April 2024 to 1,418 in March 2025"), "{desc}");
    assert!(desc.contains("June 2024 (not available)") && desc.contains("October 2024 (suppressed)"), "{desc}");
    assert!(desc.contains("are provisional") && desc.contains("September 2024 is revised"), "{desc}");
    let table = fig.select(&sel("details > table")).next().expect("table in details");
    assert!(table.select(&sel("caption")).next().is_some());
    assert_eq!(table.select(&sel("thead th[scope=col]")).count(), 2);
    assert_eq!(table.select(&sel("tbody th[scope=row]")).count(), 12);
    let cells: Vec<String> = table.select(&sel("tbody td")).map(|c| c.text().collect()).collect();
    assert_eq!(cells[2], "[x] not available");
    assert_eq!(cells[6], "[c] suppressed to protect confidentiality");
    assert_eq!(cells[5], "1,422 [r] revised");
    assert_eq!(cells[11], "1,418 [p] provisional");
    // The link opens the chart's view: a download would save every chart of the file.
    let link = fig.select(&sel("p.chart-download a")).next().unwrap();
    assert_eq!(link.value().attr("href"), Some("../charts/x.svg#c0"));
    assert!(link.value().attr("download").is_none());
    assert!(link.text().collect::<String>().starts_with("Open this chart on its own (SVG)"));
    assert!(!r.html.contains(" style="), "no inline styles");
    assert!(!r.html.contains("<svg"), "the drawing is the file's, not inlined");
}

#[test]
fn highlighted_member_is_named_in_text() {
    let r = render(&reviews_ranking(), "x.svg");
    assert!(r.svg.contains("Westmere (this council)"));
    assert!(r.html.contains("<tr class=\"highlight\"><th scope=\"row\">Westmere (this council)<td>6th<"));
    assert!(r.html.contains("Westmere is ranked 6th of 22, with 70.0%."), "{}", r.html);
    // Escaped in both.
    assert!(r.svg.contains("Wirral &amp; &lt;Wallasey&gt;") && !r.svg.contains("<Wallasey>"));
    assert!(r.html.contains("Wirral &amp; &lt;Wallasey&gt;") && !r.html.contains("<Wallasey>"));
    // Best first: the first member is drawn above the last.
    let y = |name: &str| {
        let at = r.svg.find(&format!(">{name}</text>")).unwrap_or_else(|| panic!("{name} label")) + 1;
        let tag = &r.svg[r.svg[..at].rfind("<text").unwrap()..at];
        let s = tag.find(" y=\"").unwrap() + 4;
        tag[s..s + tag[s..].find('"').unwrap()].parse::<f32>().unwrap()
    };
    assert!(y("Blackburn with Darwen") < y("Westmere (this council)"));
    assert!(y("Westmere (this council)") < y("Wigan"));
}

#[test]
fn target_is_labelled() {
    let r = render(&contacts_line(), "x.svg");
    assert!(r.svg.contains("Target: 1,500"), "target label");
    let r = render(&msp_hbar(), "x.svg");
    assert!(r.svg.contains("Target: 90.0%"), "target label");
    assert!(r.svg.contains(">88.0% [p]</text>"), "value and flag by the bar");
}

#[test]
fn a_target_set_inside_a_bar_charts_window_starts_where_it_was_set() {
    // The orange dashed target line's start, in the wide and the phone drawing.
    fn target_x1(svg: &str) -> f32 {
        // A line drawn as a path of one segment, `M x1 y1 H x2`.
        let tag = svg.split('<').find(|t| t.starts_with("path ") && t.contains("stroke=\"#F46A25\"") && t.contains("stroke-dasharray")).expect("a target line");
        let x1 = tag.split("d=\"M").nth(1).unwrap().split(' ').next().unwrap();
        x1.parse().unwrap()
    }
    let standing = scrutiny::render::chart::render(&waiting_bar());
    let mut set_later = waiting_bar();
    set_later.target_from = Some(4);
    let later = scrutiny::render::chart::render(&set_later);
    for (a, b) in [(&standing.svg, &later.svg), (&standing.narrow_svg, &later.narrow_svg)] {
        let (from_start, from_set) = (target_x1(a), target_x1(b));
        assert!(from_set > from_start + 20.0, "the line should start at the fifth of eight quarters: {from_start} vs {from_set}");
    }
    assert!(later.svg.contains("The target, from Quarter 3, 2023/24, is 60;"), "{}", later.svg);
    assert!(!standing.svg.contains("The target, from "));
}

fn all_units() -> Vec<Unit> {
    vec![Unit::Count, Unit::Percent, Unit::Days, Unit::Rate { per: 1000 }, Unit::Rate { per: 100_000 }, Unit::Score, Unit::Currency]
}

#[test]
fn every_kind_and_unit_renders() {
    for kind in [ChartKind::Line, ChartKind::Bar, ChartKind::HBar, ChartKind::Ranking] {
        for unit in all_units() {
            for (_, mut data) in fixtures() {
                data.kind = kind;
                data.unit = unit;
                let r = render(&data, "x.svg");
                assert_eq!(assert_well_formed(&r.svg), "svg");
                let doc = scraper::Html::parse_fragment(&r.html);
                assert!(doc.errors.is_empty(), "{kind:?} {unit:?}: {:?}", doc.errors);
                assert!(r.svg.contains("<desc id="));
                assert!(r.svg.contains(&format!("font-family=\"{}\"", scrutiny::render::chart::FONT_STACK)));
            }
        }
    }
}

#[test]
fn suppressed_and_missing_are_gaps_not_zeros() {
    // A count whose only figures are suppressed or missing: no zero bar, no zero point, no number.
    for kind in [ChartKind::Line, ChartKind::Bar, ChartKind::HBar, ChartKind::Ranking] {
        let data = ChartData {
            id: "gaps".into(),
            kind,
            title: "Gaps".into(),
            unit: Unit::Count,
            decimals: 0,
            polarity: Polarity::Lower,
            categories: periods(&["Q1 2024/25", "Q2 2024/25", "Q3 2024/25"]),
            series: vec![ChartSeries { name: "Small team".into(), points: vec![Figure::Suppressed, Figure::NotAvailable(Flags::NONE), v(7777.0)] }],
            target: None,
            target_from: None,
            highlight: None,
            source: String::new(),
        };
        let r = render(&data, "x.svg");
        // Exactly one data mark: the one real value.
        let bars = bars_drawn(&r.svg);
        match kind {
            ChartKind::Line => assert_eq!(r.svg.matches("<circle").count(), 1, "one point: {}", r.svg),
            _ => assert_eq!(bars, 1, "{kind:?}: {}", r.svg),
        }
        assert!(r.html.contains("[c] suppressed") && r.html.contains("[x] not available"));
    }
}

#[test]
fn suppressed_numbers_never_leave_the_model() {
    // Suppressed figures carry no number, so check the neighbours' absence of
    // invented zeros instead: a series of suppressed points draws nothing.
    let data = ChartData {
        id: "s".into(),
        kind: ChartKind::Bar,
        title: "All suppressed".into(),
        unit: Unit::Count,
        decimals: 0,
        polarity: Polarity::Neutral,
        categories: periods(&QUARTERS),
        series: vec![ChartSeries { name: "Team".into(), points: vec![Figure::Suppressed; 8] }],
        target: None,
        target_from: None,
        highlight: None,
        source: String::new(),
    };
    let r = render(&data, "x.svg");
    assert_eq!(bars_drawn(&r.svg), 0);
    assert!(r.svg.contains("No figures are available to draw"));
    assert_eq!(r.html.matches("<td>[c] suppressed").count(), 8);
}

/// The bars a drawing shows: coloured rectangles, and the rectangles (`z`) or wide strokes (one
/// a move) of the paths that draw a run of bars as one.
fn bars_drawn(svg: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut n = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let get = |k: &str| e.attributes().flatten().find(|a| a.key.as_ref() == k.as_bytes()).map(|a| String::from_utf8_lossy(&a.value).into_owned());
                let fill = get("fill").unwrap_or_default();
                match e.name().as_ref() {
                    b"rect" if fill.starts_with('#') && fill != "#FFFFFF" => n += 1,
                    b"path" if fill.starts_with('#') => n += get("d").unwrap_or_default().matches('z').count(),
                    b"path" if get("stroke-width").and_then(|w| w.parse::<f32>().ok()).is_some_and(|w| w > 3.0) => {
                        n += get("d").unwrap_or_default().matches('M').count()
                    }
                    _ => {}
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{e}"),
        }
    }
    n
}

fn figure_strategy() -> impl Strategy<Value = Figure> {
    let value = prop_oneof![
        -1e6..1e6f64,
        0.0..1.0f64,
        -1e-6..1e-6f64,
        prop_oneof![Just(0.0), Just(1e15), Just(-1e15), Just(1e-12), Just(f64::MAX), Just(f64::MIN_POSITIVE), Just(f64::NAN), Just(f64::INFINITY)],
    ];
    let flags = (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(p, r, e, u)| {
        let mut f = Flags::NONE;
        for (on, flag) in [(p, Flag::Provisional), (r, Flag::Revised), (e, Flag::Estimated), (u, Flag::LowReliability)] {
            if on {
                f = f.with(flag);
            }
        }
        f
    });
    prop_oneof![
        6 => (value, flags.clone()).prop_map(|(v, f)| Figure::Value(v, f)),
        1 => flags.prop_map(Figure::NotAvailable),
        1 => Just(Figure::Suppressed),
    ]
}

fn unit_strategy() -> impl Strategy<Value = Unit> {
    prop::sample::select(all_units())
}

fn kind_strategy() -> impl Strategy<Value = ChartKind> {
    prop::sample::select(vec![ChartKind::Line, ChartKind::Bar, ChartKind::HBar, ChartKind::Ranking])
}

fn polarity_strategy() -> impl Strategy<Value = Polarity> {
    prop::sample::select(vec![Polarity::Higher, Polarity::Lower, Polarity::Neutral])
}

prop_compose! {
    fn chart_strategy()(
        n in 0usize..30,
        series_count in 0usize..5,
    )(
        kind in kind_strategy(),
        unit in unit_strategy(),
        polarity in polarity_strategy(),
        decimals in 0u8..4,
        categories in prop::collection::vec("[A-Za-z0-9 &<>\"'/\\u{7f}-\\u{a0}\\u{0}-\\u{1f}]{0,24}", n),
        series in prop::collection::vec(("[ -~]{0,20}", prop::collection::vec(figure_strategy(), 0..(n + 2))), series_count),
        target in prop::option::of(prop_oneof![-1e6..1e6f64, Just(f64::NAN), Just(1e40)]),
        highlight in prop::option::of(0usize..32),
        target_from in prop::option::of(0usize..32),
        id in "[a-z0-9 -/]{1,12}",
        title in ".{0,60}",
    ) -> ChartData {
        ChartData {
            id,
            kind,
            title,
            unit,
            decimals,
            polarity,
            categories: categories.into_iter().map(Category::Name).collect(),
            series: series.into_iter().map(|(name, points)| ChartSeries { name, points }).collect(),
            target,
            target_from,
            highlight,
            source: String::new(),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_series_give_valid_svg(data in chart_strategy()) {
        let r = render(&data, "../charts/a b.svg");
        prop_assert_eq!(assert_well_formed(&r.svg), "svg");
        let doc = scraper::Html::parse_fragment(&r.html);
        prop_assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        assert_finite_geometry(&r.svg);
    }

    #[test]
    fn random_sparklines_are_valid(points in prop::collection::vec(figure_strategy(), 0..12), label in ".{0,40}") {
        let s = sparkline(&points, &label);
        let known = points.iter().filter(|f| f.value().is_some_and(|v| v.is_finite() && v.abs() < 1e100)).count();
        if known < 3 {
            // Too few figures for a trend: a dash, with words for screen readers.
            prop_assert_eq!(assert_well_formed(&s), "span");
            prop_assert!(s.contains("too few figures for a trend") && !s.contains("<svg"));
        } else {
            prop_assert_eq!(assert_well_formed(&s), "svg");
            prop_assert!(s.contains("role=\"img\"") && s.contains("aria-label="));
            assert_finite_geometry(&s);
        }
    }

    #[test]
    fn missing_points_are_never_zero(values in prop::collection::vec(prop::option::of(1000.0..9000.0f64), 1..12)) {
        // A count: real values are 1,000+; a gap must not turn into a 0 anywhere but the axis.
        let points: Vec<Figure> = values.iter().enumerate().map(|(i, v)| match v {
            Some(v) => Figure::Value(v.round(), Flags::NONE),
            None if i % 2 == 0 => Figure::Suppressed,
            None => Figure::NotAvailable(Flags::NONE),
        }).collect();
        let data = ChartData {
            id: "p".into(), kind: ChartKind::Bar, title: "P".into(), unit: Unit::Count, decimals: 0, polarity: Polarity::Neutral,
            categories: (0..values.len()).map(|i| Category::Period(Period::Quarter(Quarter::new(FinancialYear::new(2024), i as u8 % 4 + 1).unwrap()))).collect(),
            series: vec![ChartSeries { name: "S".into(), points }], target: None, target_from: None, highlight: None, source: String::new(),
        };
        let r = render(&data, "x.svg");
        let drawn = bars_drawn(&r.svg);
        prop_assert_eq!(drawn, values.iter().flatten().count());
        for (i, v) in values.iter().enumerate() {
            if v.is_none() {
                let cell_zero = format!("<th scope=\"row\">{}<td>0<", data.categories[i].label());
                prop_assert!(!r.html.contains(&cell_zero));
            }
        }
        prop_assert!(!r.html.contains("<td>0<"));
    }
}

#[test]
fn no_text_of_a_drawing_runs_past_its_right_edge() {
    // Widths estimated at half the font size a character (Arial's average), for text placed by
    // its start; the key of flags once ran off the phone drawing's edge.
    let size_of = |tag: &str| attr(tag, "font-size").and_then(|s| s.parse::<f32>().ok()).unwrap_or(12.0);
    // A council's long name beside comparators, its newest figure provisional: the ring's legend
    // entry once ran off the phone drawing's edge ("Westmere Borough Council: provisiona").
    let mut long_name = reviews_line();
    long_name.series[0].name = "Westmere Borough Council".into();
    long_name.series[0].points[7] = flagged(74.9, Flag::Provisional);
    // Two series flagged, with long names and two flags: "Said we made a difference: provisional
    // [p] or low reliability [u]" ran 110 px off the phone drawing.
    let mut two_flagged = long_name.clone();
    two_flagged.series[1].name = "Said we made a difference".into();
    two_flagged.series[1].points[6] = flagged(61.5, Flag::LowReliability);
    two_flagged.series[1].points[7] = flagged(62.0, Flag::Provisional);
    for (name, data) in fixtures().into_iter().chain([("line-long-name-flagged", long_name), ("line-two-flagged", two_flagged)]) {
        let r = render(&data, &format!("../charts/{}.svg", data.id));
        for svg in [&r.svg, &r.narrow_svg] {
            let width: f32 = attr(svg, "width").unwrap().parse().unwrap();
            for (tag, text) in svg.split("<text").skip(1).filter_map(|t| t.split_once('>')).map(|(tag, rest)| (tag, rest.split("</text>").next().unwrap_or("")))
            {
                if tag.contains("text-anchor") {
                    continue;
                }
                let x: f32 = attr(tag, "x").and_then(|s| s.parse().ok()).unwrap_or(0.0);
                let reach = x + text.chars().count() as f32 * size_of(tag) * 0.5;
                assert!(reach <= width, "{name}: \"{text}\" reaches {reach} px in a drawing {width} px wide");
            }
        }
    }
}

/// An attribute's value in the first tag of `s`.
fn attr<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    let at = s.find(&format!(" {name}=\""))? + name.len() + 3;
    s[at..].split('"').next()
}

#[test]
fn a_legend_shows_each_line_with_the_shape_of_its_points() {
    // Shapes tell lines apart without colour: the legend must show the same ones as the lines.
    let mut data = reviews_line();
    data.series[0].name = "Westmere Borough Council".into();
    let r = render(&data, "../charts/x.svg");
    let entry = |svg: &str, name: &str| -> String {
        let at = svg.find(&format!(">{name}</text>")).unwrap_or_else(|| panic!("no legend entry for {name}"));
        let start = svg[..at].rfind("<g>").unwrap();
        svg[start..at].to_string()
    };
    // The phone drawing has a legend (the names do not fit at the lines' ends).
    let svg = &r.narrow_svg;
    assert!(entry(svg, "Westmere Borough Council").contains("<circle"), "{svg}");
    assert!(entry(svg, "North West").contains("<rect"), "{}", entry(svg, "North West"));
    assert!(entry(svg, "England").contains("<polygon"), "{}", entry(svg, "England"));
    // And so do the lines: North West's points are squares, England's triangles.
    assert!(svg.contains("<marker id=\"p11\"") && svg.contains("<marker id=\"p22\""), "{svg}");
}

#[test]
fn this_councils_bold_label_is_held_to_the_room_measured_for_it() {
    // Bold is wider than the regular weight charts-rs lays the labels out for; unheld, the
    // label "Westmere Borough Council (this council)" lost its first letter at the left edge.
    for (name, data) in fixtures().into_iter().filter(|(_, d)| d.highlight.is_some() && matches!(d.kind, ChartKind::HBar | ChartKind::Ranking)) {
        let r = render(&data, "../charts/x.svg");
        let bold = r
            .svg
            .split("<text")
            .find(|t| t.contains("font-weight=\"bold\"") && !t.contains("font-size=\"16\""))
            .unwrap_or_else(|| panic!("{name}: no bold label"));
        assert!(bold.contains("textLength=\"") && bold.contains("lengthAdjust=\"spacingAndGlyphs\""), "{name}: {bold}");
    }
}
