//! Format 2 on built output: lagged ranks, targets and plans in the archive, disclosure control
//! of breakdowns, comparisons in words, a year ago and the year to date, and open data columns.

use crate::common::{append, files, fixture};

use scraper::{Html, Selector};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn build(root: &Path) -> PathBuf {
    let out = root.join("public");
    let r = scrutiny::build(&scrutiny::BuildOptions { root: root.to_path_buf(), output: Some(out.clone()), drafts: false, base_url: None, records: None });
    if let Err(d) = &r {
        panic!("build failed: {d:#?}");
    }
    out
}

fn read(out: &Path, path: &str) -> String {
    std::fs::read_to_string(out.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text_of(html: &str, selector: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    doc.select(&sel(selector)).map(|e| e.text().collect::<Vec<_>>().join(" ").split_whitespace().collect::<Vec<_>>().join(" ")).collect()
}

fn write(root: &Path, path: &str, text: &str) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const COMPLAINTS: &str = "  - id: complaints-outcome
    title: Complaints decided in the quarter, by outcome
    short: Complaints by outcome
    section: safeguarding
    unit: count
    polarity: neutral
    frequency: quarterly
    breakdown:
      upheld: Upheld
      partly-upheld: Partly upheld
      not-upheld: Not upheld
";

/// The row of the highlight table (or any table) whose header mentions `title`.
fn row<'a>(rows: &'a [String], title: &str) -> &'a str {
    rows.iter().find(|r| r.contains(title)).unwrap_or_else(|| panic!("no row for {title} in {rows:#?}"))
}

#[test]
fn lagged_ranks_show_their_period_and_plain_ones_do_not() {
    // Bury's pattern: Q2 figures ranked against the region at Q1 and the statistical neighbours at 2022/23.
    let site = fixture();
    let root = site.path();
    append(root, "site.toml", "cipfa = { name = \"CIPFA nearest neighbours\", members = 16 }\n");
    let q2 = read(root, "data/2024-25/q2.yaml").replace(
        "    rank: { nw: 6 }\n    compare: { nw: 84.1, england: 83.0 }",
        "    rank: { nw: { value: 6, of: 24, period: 2024-25/q1 }, cipfa: { value: 8, of: 16, period: 2022-23 } }\n    compare: { nw: { value: 84.1, period: 2024-25/q1 }, england: 83.0 }",
    );
    write(root, "data/2024-25/q2.yaml", &q2);
    append(root, "content/2024-25/q2/safeguarding.md", "\nRanked {{ msp-asked.rank.cipfa }}; the region's figure was {{ msp-asked.compare.nw }}.\n");
    let out = build(root);
    let q2_rows = text_of(&read(&out, "2024-25/q2/index.html"), "table.kpis tbody tr");
    let msp = row(&q2_rows, "People asked about the outcomes");
    assert!(msp.contains("6th of 24, Q1 2024/25"), "{msp}");
    assert!(msp.contains("8th of 16, 2022/23"), "{msp}");
    let words = read(&out, "2024-25/q2/safeguarding/index.html");
    assert!(words.contains("Ranked 8th of 16, 2022/23"), "lagged rank in prose");
    assert!(words.contains("figure was 84%, Q1 2024/25"), "lagged figure in prose");
    // Q1's plain rank is for the figure shown: no period beside it.
    let q1_rows = text_of(&read(&out, "2024-25/q1/index.html"), "table.kpis tbody tr");
    let msp1 = row(&q1_rows, "People asked about the outcomes");
    assert!(msp1.contains("9th of 23") && !msp1.contains("9th of 23,"), "{msp1}");
    // Open data keeps each period in its own column.
    let csv = read(&out, "data/2024-25-q2-comparators.csv");
    assert!(csv.lines().any(|l| l.starts_with("msp-asked,2024-25/q2,88,,,cipfa,CIPFA nearest neighbours,,,,,,8,16,2022-23,")), "{csv}");
    assert!(csv.lines().any(|l| l.starts_with("msp-asked,2024-25/q2,88,,,nw,North West,2024-25/q1,84.1,")), "{csv}");
    // The metric page shows the rank over time, each at its own period.
    let metric = text_of(&read(&out, "metrics/msp-asked/index.html"), "table tbody tr");
    assert!(metric.iter().any(|r| r.contains("CIPFA nearest neighbours 2022/23 8th of 16")), "{metric:#?}");
}

#[test]
fn a_suppressed_category_cannot_be_recovered_from_anything_published() {
    let site = fixture();
    let root = site.path();
    append(root, "data/metrics.yaml", COMPLAINTS);
    crate::common::append_suppressed_breakdowns(root);
    for q in ["q1", "q2"] {
        append(
            root,
            &format!("content/2024-25/{q}/safeguarding.md"),
            "\nComplaints: {{ complaints-outcome }}, {{ complaints-outcome.change }}, {{ complaints-outcome.change_percent }}.\n\n```breakdown\nmetric: complaints-outcome\nprevious: true\n```\n\n```chart\nmetric: complaints-outcome\nkind: stacked\n```\n\n```chart\nmetric: complaints-outcome\nkind: hbar\n```\n",
        );
    }
    let out = build(root);
    // Neither suppressed figure, nor Q2's total (which with the others would give it), appears anywhere.
    let secrets = ["4417", "4,417", "5813", "5,813", "6607", "6,607", "12159", "12,159"];
    // The writer's manifest lists the output's files with their sizes and hashes, not figures:
    // a file may be 5813 bytes long by chance.
    let published = || files(&out).into_iter().filter(|(p, _)| p != ".scrutiny-output");
    for (path, bytes) in published() {
        let text = String::from_utf8_lossy(&bytes);
        for s in secrets {
            assert!(!text.contains(s), "{s} leaked into {path}");
        }
    }
    // Nor any share of Q2's unpublished total (2221 / 12159 = 18.3%, 3331 / 12159 = 27.4%).
    for (path, bytes) in published() {
        let text = String::from_utf8_lossy(&bytes);
        if path.contains("q2") || path.ends_with(".json") || path.starts_with("metrics/complaints") {
            assert!(!text.contains("18.3") && !text.contains("27.4"), "a share of the suppressed total leaked into {path}");
        }
    }
    // The published category's share of a published total is shown (1234 / 11464 = 10.8%).
    let q1 = text_of(&read(&out, "2024-25/q1/safeguarding/index.html"), "table.breakdown tbody tr");
    assert_eq!(row(&q1, "Upheld"), "Upheld 1,234 10.8%");
    assert!(row(&q1, "Partly upheld").contains("[c]"), "{q1:#?}");
    assert_eq!(row(&q1, "Total"), "Total 11,464 100%");
    let q2 = text_of(&read(&out, "2024-25/q2/safeguarding/index.html"), "table.breakdown tbody tr");
    let upheld = row(&q2, "Upheld");
    assert!(upheld.starts_with("Upheld 2,221 [c]"), "{upheld}");
    assert!(row(&q2, "Total").starts_with("Total [c]"), "{q2:#?}");
    // Stacked bar heights: the published categories only; the chart's table says [c] for the rest.
    let csv = read(&out, "data/2024-25-q2-breakdowns.csv");
    assert!(csv.contains("complaints-outcome,2024-25/q2,not-upheld,Not upheld,,c,"), "{csv}");
    assert!(csv.contains("complaints-outcome,2024-25/q2,upheld,Upheld,2221,,\r\n"), "no share without a published total: {csv}");
    assert!(csv.contains("complaints-outcome,2024-25/q2,total,Total,,c,"), "{csv}");
}

#[test]
fn older_quarters_keep_the_target_and_plan_they_were_judged_against() {
    let site = fixture();
    let root = site.path();
    append(
        root,
        "data/2024-25/q1.yaml",
        "targets:\n  waiting-list:\n    value: 70\n    by: 2024-25/q4\n    plan: { 2024-25/q1: 92, 2024-25/q2: 84, 2024-25/q3: 77, 2024-25/q4: 70 }\n",
    );
    for q in ["q1", "q2"] {
        append(
            root,
            &format!("content/2024-25/{q}/contacts.md"),
            "\nTarget {{ waiting-list.target }}, plan {{ waiting-list.plan }}, {{ waiting-list.against_plan }}.\n\n```chart\nmetric: waiting-list\nkind: line\ntarget: true\n```\n",
        );
    }
    let out = build(root);
    let q2 = read(&out, "2024-25/q2/contacts/index.html");
    assert!(q2.contains("Target 70 by Q4 2024/25, plan 84, 3 ahead of plan."), "Q2 judged against the Q1 plan");
    let q1_before: BTreeMap<String, Vec<u8>> =
        files(&out).into_iter().filter(|(p, _)| p.starts_with("2024-25/q1/") || p.starts_with("charts/2024-25-q1") || p == "data/2024-25-q1.csv").collect();
    assert!(String::from_utf8_lossy(&q1_before["2024-25/q1/contacts/index.html"]).contains("Target 70 by Q4 2024/25, plan 92, 2 ahead of plan."));
    // The chart is in the sprite of the commentary that shows it (a file named after the commentary).
    let svg = q1_before
        .iter()
        .find(|(p, _)| p.starts_with("charts/2024-25-q1-contacts-"))
        .map(|(_, b)| String::from_utf8_lossy(b).to_string())
        .unwrap_or_else(|| panic!("no chart file shows the waiting list: {:?}", q1_before.keys()));
    assert!(svg.contains("Plan") && svg.contains("stroke-dasharray=\"6,4\""), "the plan is a dashed path labelled Plan");
    assert!(!svg.contains("Plan has no figure"), "a plan's periods before it was set are not gaps");

    // Q2 revises the target and its plan; Q1's report, charts and CSV must not move.
    append(
        root,
        "data/2024-25/q2.yaml",
        "targets:\n  waiting-list:\n    value: 60\n    by: 2025-26/q1\n    plan: { 2024-25/q2: 80, 2024-25/q3: 72, 2024-25/q4: 66, 2025-26/q1: 60 }\n",
    );
    let out = build(root);
    let q1_after: BTreeMap<String, Vec<u8>> =
        files(&out).into_iter().filter(|(p, _)| p.starts_with("2024-25/q1/") || p.starts_with("charts/2024-25-q1") || p == "data/2024-25-q1.csv").collect();
    assert_eq!(q1_before.keys().collect::<Vec<_>>(), q1_after.keys().collect::<Vec<_>>());
    for (p, b) in &q1_before {
        assert!(q1_after[p] == *b, "{p} changed when a later quarter changed the target");
    }
    let q2 = read(&out, "2024-25/q2/contacts/index.html");
    assert!(q2.contains("Target 60 by Q1 2025/26, plan 80, 1 behind plan."), "Q2 now judged against its own plan");
    let csv = read(&out, "data/2024-25-q2.csv");
    assert!(csv.lines().any(|l| l.starts_with("waiting-list,") && l.contains(",60,2025-26/q1,80,1 behind plan,")), "{csv}");
}

#[test]
fn comparisons_changes_and_years_to_date_read_in_words() {
    let site = fixture();
    let root = site.path();
    let q2 = read(root, "data/2024-25/q2.yaml").replace(
        "  msp-asked:\n    value: 88\n    rank: { nw: 6 }\n    compare: { nw: 84.1, england: 83.0 }",
        "  msp-asked:\n    value: 88\n    ci: [85.0, 91.0]\n    rank: { nw: 6 }\n    compare: { nw: 84.1, england: { value: 89.5, ci: [88.0, 91.0] } }",
    );
    write(root, "data/2024-25/q2.yaml", &q2);
    append(
        root,
        "content/2024-25/q2/safeguarding.md",
        "\n```compare\nmetrics: [msp-asked]\ngroups: [england, nw]\n```\n\nAsked: {{ msp-asked.quartile.nw }}; {{ msp-asked.change }}.\n",
    );
    append(
        root,
        "content/2024-25/q2/contacts.md",
        "\nSo far this year {{ contacts-received.ytd }}; {{ contacts-received.change_percent }} on last quarter; a year ago {{ contacts-received.year_ago }}.\n",
    );
    let out = build(root);
    let safe = read(&out, "2024-25/q2/safeguarding/index.html");
    let cells = text_of(&safe, "table.compare tbody td");
    // Columns in site.toml's order, whatever the block's order: North West first.
    assert!(cells[1].contains("84%") && cells[1].contains("Better than North West"), "{cells:#?}");
    assert!(cells[2].contains("90%") && cells[2].contains("Similar to England"), "{cells:#?}");
    assert!(cells[1].contains("6th of 23") && cells[1].contains("upper middle quarter"), "{cells:#?}");
    assert!(cells[2].contains("not ranked") && cells[2].contains("[x]"), "{cells:#?}");
    assert!(safe.contains("Asked: in the upper middle quarter of the North West;"), "quartile in words");
    // 84 to 88 lies... the earlier figure (84) is outside [85, 91]: a real change.
    assert!(safe.contains("up 4 percentage points from 84%.") && !safe.contains("up 4 percentage points from 84% (no real change)"));
    let contacts = read(&out, "2024-25/q2/contacts/index.html");
    // April to September as known now, June revised: 1210 + 1300 + 1295 + 1450 + 1380 + 1422.
    // The revised June marks the total as revised.
    assert!(contacts.contains("So far this year <span class=\"value\">8,057</span> <span class=\"flag\" data-flag=\"r\">"), "year to date");
    // 4,252 against 3,805: up 11.7%, shown without decimals from 10% up.
    assert!(contacts.contains("up 12% on last quarter"), "change in percent");
    assert!(contacts.contains("a year ago <span class=\"flag\" data-flag=\"x\">"), "no figure a year earlier is [x]");
}

#[test]
fn a_change_inside_the_threshold_is_no_real_change() {
    let site = fixture();
    let root = site.path();
    let m = read(root, "data/metrics.yaml").replace("    target: 60\n", "    target: 60\n    threshold: 10\n");
    write(root, "data/metrics.yaml", &m);
    let out = build(root);
    // 90 to 81 is a fall of 9, below the threshold of 10.
    let rows = text_of(&read(&out, "2024-25/q2/index.html"), "table.kpis tbody tr");
    let w = row(&rows, "People waiting for a needs assessment");
    assert!(w.contains("no real change") && !w.contains("improving"), "{w}");
    assert!(read(&out, "2024-25/q2/index.html").contains("down 9 from 90 (no real change)"));
}

#[test]
fn priorities_group_the_highlight_table_and_report_details_are_shown() {
    let site = fixture();
    let root = site.path();
    append(
        root,
        "data/metrics.yaml",
        "priorities:\n  - id: safe\n    title: People are safe and heard\n    metrics: [msp-asked]\n  - id: wait-less\n    title: People wait less\n    metrics: [waiting-list]\n",
    );
    let idx = read(root, "content/2024-25/q2/_index.md").replace(
        "summary: Waiting lists fell again\n",
        "summary: Waiting lists fell again\nreport_to: Adult Social Care Scrutiny Committee\nmeeting: 2025-01-22\nauthor: Head of Performance\ncontact: performance@testshire.example\n",
    );
    write(root, "content/2024-25/q2/_index.md", &idx);
    let q2 = read(root, "data/2024-25/q2.yaml").replace("published: 2024-11-06\n", "published: 2024-11-06\nnext_update: 2025-02-12\n");
    write(root, "data/2024-25/q2.yaml", &q2);
    let out = build(root);
    let overview = read(&out, "2024-25/q2/index.html");
    let groups = text_of(&overview, "table.kpis tr.kpi-group-title");
    assert_eq!(groups, ["People are safe and heard", "People wait less", "Other measures: Contacts", "Other measures: Safeguarding"]);
    let details = text_of(&overview, ".report-details dl div");
    assert_eq!(
        details,
        [
            "Report to Adult Social Care Scrutiny Committee",
            "Meeting date 22 January 2025",
            "Report author Head of Performance",
            "Contact performance@testshire.example",
            "Next report due 12 February 2025"
        ]
    );
    let print = read(&out, "2024-25/q2/print/index.html");
    assert!(print.contains("Adult Social Care Scrutiny Committee") && print.contains("People are safe and heard"));
    // next_update is on the quarter's pages (archived too) and, while it is the latest, not on the home page.
    assert!(read(&out, "2024-25/q2/contacts/index.html").contains("Next report due"));
    assert!(!read(&out, "index.html").contains("12 February 2025"), "Q3 is the latest; Q2's next_update is not the home page's");
}

#[test]
fn a_bar_chart_draws_a_target_from_the_quarter_it_was_set() {
    // The Q3 bar chart covers Q1 to Q3: a target set in Q1 spans it, one set in Q2 starts there.
    let chart = |set_in: &str| -> String {
        let site = fixture();
        let root = site.path();
        append(root, &format!("data/2024-25/{set_in}.yaml"), "targets:\n  waiting-list: 70\n");
        append(root, "content/2024-25/q3/contacts.md", "\n```chart\nmetric: waiting-list\nkind: bar\ntarget: true\n```\n");
        let out = build(root);
        files(&out)
            .into_iter()
            .find(|(p, _)| p.starts_with("charts/2024-25-q3-contacts-"))
            .map(|(_, b)| String::from_utf8(b).unwrap())
            .expect("the bar chart's file")
    };
    let x1 = |svg: &str| -> f32 {
        // The line is drawn as a path of one segment, `M x1 y1 H x2`.
        let line =
            svg.split('<').find(|t| t.starts_with("path ") && t.contains("stroke=\"#F46A25\"") && t.contains("stroke-dasharray")).expect("a target line");
        line.split("d=\"M").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap()
    };
    let (whole, from_q2) = (chart("q1"), chart("q2"));
    assert!(whole.contains("The target is 70;"), "{whole}");
    assert!(from_q2.contains("The target, from Quarter 2, 2024/25, is 70;"), "{from_q2}");
    assert!(x1(&from_q2) > x1(&whole) + 100.0, "the line starts at Q2, a third of the way along: {} vs {}", x1(&from_q2), x1(&whole));
}
