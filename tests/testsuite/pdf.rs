//! The committee document: build fixture sites with `[pdf] enabled = true` and read the PDFs
//! back with poppler's tools (pdfinfo, pdftotext), as a reader's software would.

use crate::common::{append, fixture};

use std::path::{Path, PathBuf};
use std::process::Command;

fn enable_pdf(root: &Path) {
    let toml = root.join("site.toml");
    let mut s = std::fs::read_to_string(&toml).unwrap();
    s.push_str("\n[pdf]\nenabled = true\n");
    std::fs::write(toml, s).unwrap();
}

fn build(root: &Path, drafts: bool) -> PathBuf {
    let out = root.join("public");
    let r = scrutiny::build(&scrutiny::BuildOptions { root: root.to_path_buf(), output: Some(out.clone()), drafts, base_url: None, records: None });
    if let Err(d) = &r {
        panic!("build failed: {d:#?}");
    }
    out
}

fn run(cmd: &str, args: &[&str], file: &Path) -> String {
    let out = Command::new(cmd)
        .args(args)
        .arg(file)
        .args(if cmd == "pdftotext" { &["-"][..] } else { &[][..] })
        .output()
        .unwrap_or_else(|e| panic!("{cmd} (poppler-utils) is needed: {e}"));
    assert!(out.status.success(), "{cmd} failed on {}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn text(pdf: &Path) -> String {
    run("pdftotext", &["-layout"], pdf)
}

#[test]
fn each_published_quarter_gets_a_tagged_a4_pdf_linked_from_its_pages() {
    let site = fixture();
    enable_pdf(site.path());
    let out = build(site.path(), false);
    for q in ["2024-25/q1", "2024-25/q2", "2024-25/q3"] {
        assert!(out.join(q).join("report.pdf").is_file(), "{q}/report.pdf missing");
        for page in ["index.html", "print/index.html"] {
            let html = std::fs::read_to_string(out.join(q).join(page)).unwrap();
            assert!(
                html.contains("href=\"../report.pdf\"") || html.contains("href=\"report.pdf\"") || html.contains("/report.pdf\""),
                "{q}/{page} does not link its PDF"
            );
        }
    }
    let pdf = out.join("2024-25/q2/report.pdf");
    let info = run("pdfinfo", &[], &pdf);
    assert!(info.lines().any(|l| l.starts_with("Tagged:") && l.ends_with("yes")), "{info}");
    assert!(info.lines().any(|l| l.starts_with("Page size:") && l.contains("595.") && l.contains("841.")), "not A4: {info}");
    assert!(info.lines().any(|l| l.starts_with("Title:") && l.contains("Adult Social Care Performance: Quarter 2, 2024/25")), "{info}");
    assert!(!info.contains("CreationDate") || info.contains("2024"), "a creation date from the clock: {info}");

    let t = text(&pdf);
    for heading in ["Contents", "Executive summary", "Highlights", "Contacts", "Glossary", "Appendix A: Data sources", "Appendix B: Figures behind the charts"]
    {
        assert!(t.contains(heading), "no heading {heading:?} in\n{t}");
    }
    assert!(t.contains("Page 1 of"), "no page numbers in\n{t}");
    // The highlight table's figures, from the data.
    let q2 = std::fs::read_to_string(site.path().join("data/2024-25/q2.yaml")).unwrap();
    assert!(q2.contains("waiting-list: 81") || q2.contains("waiting-list:"), "fixture changed");
    assert!(t.contains("Waiting list") || t.contains("waiting list"), "{t}");
    assert!(t.contains("81"), "the waiting list figure is missing from\n{t}");
    // Terms the report uses, and only those.
    assert!(t.contains("Care Quality Commission"), "{t}");
    // Shorthand keeps its words.
    assert!(t.contains("[c]") && t.contains("suppressed to protect confidentiality"), "{t}");
}

#[test]
fn structure_tree_has_headings_tables_header_cells_and_charts_with_alternative_text() {
    let site = fixture();
    enable_pdf(site.path());
    let out = build(site.path(), false);
    let s = run("pdfinfo", &["-struct-text"], &out.join("2024-25/q2/report.pdf"));
    for tag in ["H1", "H2", "P", "L", "Table", "TH", "TD", "Figure"] {
        assert!(s.lines().any(|l| l.trim_start().starts_with(tag)), "no {tag} in the structure tree:\n{s}");
    }
    // Charts carry their title and worded description as alternative text (pdfinfo does not print /Alt).
    let alts = alt_texts(&std::fs::read(out.join("2024-25/q2/report.pdf")).unwrap());
    let charts = s.lines().filter(|l| l.trim_start().starts_with("Figure")).count();
    assert!(charts > 0 && alts.len() >= charts, "{} figures but alternative texts {alts:?}", charts);
    assert!(alts.iter().any(|a| a.starts_with("Chart: ") && a.contains("Contacts")), "{alts:?}");
}

/// Every /Alt string in the PDF's (deflated) object streams.
fn alt_texts(pdf: &[u8]) -> Vec<String> {
    use std::io::Read;
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(p) = find(&pdf[at..], b"stream\n") {
        let start = at + p + 7;
        let Some(len) = find(&pdf[start..], b"endstream") else { break };
        let mut inflated = Vec::new();
        if flate2::read::ZlibDecoder::new(&pdf[start..start + len]).read_to_end(&mut inflated).is_ok() {
            let text = String::from_utf8_lossy(&inflated);
            for (i, _) in text.match_indices("/Alt") {
                let rest = text[i + 4..].trim_start();
                if let Some(body) = rest.strip_prefix('(') {
                    out.push(body.chars().take_while(|c| *c != ')').collect());
                }
            }
        }
        at = start + len + b"endstream".len();
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn suppressed_figure_appears_nowhere_in_the_pdf() {
    let site = fixture();
    enable_pdf(site.path());
    let out = build(site.path(), false);
    for q in ["2024-25/q2", "2024-25/q3"] {
        let t = text(&out.join(q).join("report.pdf"));
        assert!(!t.contains("7919") && !t.contains("7,919"), "the suppressed figure leaked into {q}/report.pdf");
    }
}

#[test]
fn hostile_text_prints_literally() {
    let site = fixture();
    enable_pdf(site.path());
    let toml = site.path().join("site.toml");
    let s = std::fs::read_to_string(&toml).unwrap().replace("title = \"Adult Social Care Performance\"", "title = \"#set page(width: 3cm) Care\"");
    std::fs::write(&toml, s).unwrap();
    let md = site.path().join("content/2024-25/q2/contacts.md");
    let body = std::fs::read_to_string(&md).unwrap().replace("title: Contacts", "title: \"#set page(paper: \\\"a5\\\") ]*_$x$@ref<lbl>\"");
    let body = format!(
        "{body}\n\nHostile \\* \\_ $ @me <b> \\] \\\\ \\` #sym.alpha end.\n\n\\= at line start\n\n\\- dash at line start\n\n```\n#pagebreak() = heading\n- item\n```\n"
    );
    std::fs::write(&md, body).unwrap();
    let out = build(site.path(), false);
    let pdf = out.join("2024-25/q2/report.pdf");
    let info = run("pdfinfo", &[], &pdf);
    assert!(info.lines().any(|l| l.starts_with("Title:") && l.contains("#set page(width: 3cm) Care: Quarter 2")), "{info}");
    assert!(info.lines().any(|l| l.starts_with("Page size:") && l.contains("595.") && l.contains("841.")), "{info}");
    let t = text(&pdf);
    for literal in [
        "#set page(paper: \"a5\") ]*_$x$@ref<lbl>",
        "Hostile * _ $ @me <b> ] \\ ` #sym.alpha end.",
        "= at line start",
        "- dash at line start",
        "#pagebreak() = heading",
    ] {
        assert!(t.contains(literal), "{literal:?} not printed as written in\n{t}");
    }
}

#[test]
fn drafts_get_a_pdf_only_when_asked_and_say_so() {
    let site = fixture();
    enable_pdf(site.path());
    let idx = site.path().join("content/2024-25/q3/_index.md");
    let s = std::fs::read_to_string(&idx).unwrap();
    let s = if let Some(rest) = s.strip_prefix("---\n") { format!("---\ndraft: true\n{rest}") } else { format!("---\ndraft: true\n---\n{s}") };
    std::fs::write(&idx, s).unwrap();
    let out = build(site.path(), false);
    assert!(!out.join("2024-25/q3/report.pdf").exists());
    let out = build(site.path(), true);
    let t = text(&out.join("2024-25/q3/report.pdf"));
    assert!(t.contains("Draft"), "{t}");
}

#[test]
fn pdfs_are_byte_identical_across_builds_and_off_by_default() {
    let off = fixture();
    let out = build(off.path(), false);
    assert!(!out.join("2024-25/q2/report.pdf").exists(), "PDFs without [pdf] enabled = true");
    let html = std::fs::read_to_string(out.join("2024-25/q2/index.html")).unwrap();
    assert!(!html.contains("report.pdf"), "a link to a PDF that is not made");

    let site = fixture();
    enable_pdf(site.path());
    let a = std::fs::read(build(site.path(), false).join("2024-25/q2/report.pdf")).unwrap();
    let other = fixture();
    enable_pdf(other.path());
    let b = std::fs::read(build(other.path(), false).join("2024-25/q2/report.pdf")).unwrap();
    assert!(a == b, "two builds of the same input made different PDFs");
}

/// pdftotext's reading order with every run of white space as one space.
fn words(pdf: &Path) -> String {
    run("pdftotext", &[], pdf).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text from `from` up to the next `to` after it.
fn between<'a>(t: &'a str, from: &str, to: &str) -> &'a str {
    let start = t.find(from).unwrap_or_else(|| panic!("no {from:?} in\n{t}"));
    let rest = &t[start..];
    &rest[..rest[from.len()..].find(to).map(|i| i + from.len()).unwrap_or(rest.len())]
}

#[test]
fn compare_and_breakdown_blocks_print_their_tables_and_no_suppressed_category() {
    let site = fixture();
    let root = site.path();
    enable_pdf(root);
    append(
        root,
        "data/metrics.yaml",
        "  - id: complaints-outcome\n    title: Complaints decided in the quarter, by outcome\n    section: safeguarding\n    unit: count\n    polarity: neutral\n    frequency: quarterly\n    breakdown:\n      upheld: Upheld\n      partly-upheld: Partly upheld\n      not-upheld: Not upheld\n",
    );
    crate::common::append_suppressed_breakdowns(root);
    let q2 = std::fs::read_to_string(root.join("data/2024-25/q2.yaml")).unwrap().replace(
        "  msp-asked:\n    value: 88\n    rank: { nw: 6 }\n    compare: { nw: 84.1, england: 83.0 }",
        "  msp-asked:\n    value: 88\n    ci: [85.0, 91.0]\n    rank: { nw: 6 }\n    compare: { nw: 84.1, england: { value: 89.5, ci: [88.0, 91.0] } }",
    );
    assert!(q2.contains("ci: [85.0, 91.0]"), "fixture changed");
    std::fs::write(root.join("data/2024-25/q2.yaml"), q2).unwrap();
    for q in ["q1", "q2"] {
        append(
            root,
            &format!("content/2024-25/{q}/safeguarding.md"),
            "\nComplaints: {{ complaints-outcome }}.\n\n```breakdown\nmetric: complaints-outcome\nprevious: true\n```\n\n```compare\nmetrics: [msp-asked]\ngroups: [england, nw]\n```\n",
        );
    }
    let out = build(root, false);
    let q1 = words(&out.join("2024-25/q1/report.pdf"));
    let q2 = words(&out.join("2024-25/q2/report.pdf"));
    for t in [&q1, &q2] {
        assert!(!t.contains("web version"), "a block left out of the PDF:\n{t}");
    }

    // The breakdown, as laid out on the page (rows left to right), without the shorthand's
    // words for screen readers: header cells, categories with figures and shares, the total.
    let laid_out = |q: &str| -> String {
        let t = text(&out.join(q).join("report.pdf")).split_whitespace().collect::<Vec<_>>().join(" ");
        t.replace(" suppressed to protect confidentiality", "").replace(" not available", "")
    };
    let b1 = laid_out("2024-25/q1");
    let b1 = between(&b1, "Complaints decided in the quarter, by outcome: Quarter 1, 2024/25", "Key:");
    assert!(b1.contains("Category Number Share of the total Upheld 1,234 10.8% Partly upheld [c] [c] Not upheld [c] [c] Total 11,464 100%"), "{b1}");
    let b2 = laid_out("2024-25/q2");
    let b2 = between(&b2, "Complaints decided in the quarter, by outcome: Quarter 2, 2024/25", "Key:");
    assert!(
        b2.contains(
            "Category Number Share of the Q1 2024/25 total Upheld 2,221 [c] 1,234 Partly upheld 3,331 [c] [c] Not upheld [c] [c] [c] Total [c] [c] 11,464"
        ),
        "the total withheld, so every share; Q1's figures beside them: {b2}"
    );
    // Neither suppressed figure, nor Q2's total (which with the others would give it), nor any
    // share of that total (2221 / 12159 = 18.3%, 3331 / 12159 = 27.4%) is in the text.
    for (q, t) in [("q1", &q1), ("q2", &q2)] {
        for secret in ["4417", "4,417", "5813", "5,813", "6607", "6,607", "12159", "12,159", "18.3", "27.4", "38.5", "50.7"] {
            assert!(!t.contains(secret), "{secret} leaked into {q}/report.pdf:\n{t}");
        }
    }

    // The comparison: columns in site.toml's order, words for "better than" and quartiles.
    let c = between(&q2, "How Testshire Council compares, Q2 2024/25", "Page");
    assert!(c.contains("Measure Testshire Council North West England"), "{c}");
    assert!(c.contains("95% interval 85% to 91%"), "{c}");
    assert!(c.contains("84% Better than North West Rank: 6th of 23 In the upper middle quarter of the North West"), "{c}");
    assert!(c.contains("90% Similar to England Rank: not ranked Quartile: [x]"), "{c}");
    let s = run("pdfinfo", &["-struct-text"], &out.join("2024-25/q2/report.pdf"));
    assert!(s.contains("\"Share of the") && s.contains("\"How Testshire Council compares"), "tables missing from the structure tree");
    assert!(s.contains("/Scope /Row") && s.contains("/Scope /Column"), "header cells without scope");
}

#[test]
fn the_highlight_table_shows_the_target_in_force_for_its_quarter() {
    let site = fixture();
    let root = site.path();
    enable_pdf(root);
    // Q2 sets a dated target with a plan; Q1 keeps the catalogue's standing target (60).
    append(
        root,
        "data/2024-25/q2.yaml",
        "targets:\n  waiting-list:\n    value: 70\n    by: 2024-25/q4\n    plan: { 2024-25/q2: 84, 2024-25/q3: 77, 2024-25/q4: 70 }\n",
    );
    let out = build(root, false);
    let q2 = words(&out.join("2024-25/q2/report.pdf"));
    // The table is short: it ends on the page it starts on, before that page's footer.
    let table = between(&q2, "Highlights: Quarter 2, 2024/25", "Page ");
    assert!(table.contains("70 by Q4 2024/25 3 ahead of plan"), "Q2's dated target and its plan:\n{table}");
    let q1 = words(&out.join("2024-25/q1/report.pdf"));
    let table = between(&q1, "Highlights: Quarter 1, 2024/25", "Page ");
    assert!(table.contains(" 60 not met"), "Q1's standing target:\n{table}");
    assert!(!q1.contains("70 by Q4"), "a later quarter's target in Q1's PDF:\n{q1}");
}

#[test]
fn every_figure_is_printed_once_in_a_highlight_table_and_not_again_under_its_section() {
    let site = fixture();
    let root = site.path();
    enable_pdf(root);
    // Q1's summary shows one metric: the highlight table after the summary shows them all.
    let index = root.join("content/2024-25/q1/_index.md");
    let s = std::fs::read_to_string(&index).unwrap().replace("```kpis\nall: true\n```", "```kpis\nmetrics: [waiting-list]\n```");
    assert!(s.contains("metrics: [waiting-list]"), "fixture changed");
    std::fs::write(&index, s).unwrap();
    let out = build(root, false);
    let q1 = words(&out.join("2024-25/q1/report.pdf"));
    let table = between(&q1, "Highlights: Quarter 1, 2024/25", "Page ");
    for title in ["Contacts received each month", "People waiting for a needs assessment", "People asked about the outcomes they wanted"] {
        assert!(table.contains(title), "{title:?} missing from the highlight table:\n{table}");
    }
    // Q2's summary holds the whole table itself. Neither PDF repeats its rows under a section:
    // each highlight table (short here, so on one page with one header row) is the only one.
    let q2 = words(&out.join("2024-25/q2/report.pdf"));
    assert!(q2.contains("Highlights: Quarter 2, 2024/25"), "{q2}");
    assert_eq!(q1.matches("Measure Better if Latest").count(), 2, "the summary's table and the highlight table, nothing more:\n{q1}");
    assert_eq!(q2.matches("Measure Better if Latest").count(), 1, "the summary's table, nothing more:\n{q2}");
}

#[test]
fn a_glossary_term_is_explained_at_its_first_use() {
    let site = fixture();
    enable_pdf(site.path());
    let out = build(site.path(), false);
    let t = words(&out.join("2024-25/q2/report.pdf"));
    assert!(t.contains("The CQC (Care Quality Commission) looked at how we handle contacts; the CQC was pleased."), "{t}");
    assert_eq!(t.matches("(Care Quality Commission)").count(), 1, "explained more than once:\n{t}");
    assert!(t.contains("CQC: Care Quality Commission"), "the glossary entry:\n{t}");
}
