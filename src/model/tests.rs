use super::*;
use crate::figure::Flag;
use crate::period::Quarter;

const METRICS: &str = "sections:\n  - id: contacts\n    title: Contacts\nmetrics:\n  - id: contacts\n    title: Contacts received\n    section: contacts\n    unit: count\n    polarity: neutral\n    frequency: monthly\n    aggregate: sum\n  - id: waiting\n    title: People waiting\n    section: contacts\n    unit: count\n    polarity: lower\n    frequency: quarterly\n  - id: satisfied\n    title: Satisfied\n    section: contacts\n    unit: percent\n    polarity: higher\n    frequency: annual\n";

fn site(files: &[(&str, &str)]) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let mut all = vec![
        (
            "site.toml",
            "title = \"T\"\norganisation = \"Org\"\nbase_url = \"https://x.example/\"\n[comparators]\nnw = { name = \"North West\", members = 23 }\n",
        ),
        ("data/metrics.yaml", METRICS),
    ];
    all.extend_from_slice(files);
    for (path, text) in all {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let mut diags = Vec::new();
    let raw = crate::load::load(dir.path(), &mut diags);
    let defs = crate::validate::validate(&raw, &mut diags).unwrap();
    assert!(!diags.iter().any(|d| d.severity == crate::diagnostic::Severity::Error), "{diags:#?}");
    build(defs, false)
}

fn q(s: &str) -> Quarter {
    Quarter::parse(s).unwrap()
}

#[test]
fn sums_months_and_spreads_suppression() {
    let s = site(&[
        ("content/2024-25/q1/_index.md", "x"),
        ("data/2024-25/q1.yaml", "status: final\npublished: 2024-08-01\nvalues:\n  contacts:\n    months: { 2024-04: 10, 2024-05: 20, 2024-06: 30 }\n  waiting: 90\n"),
        ("content/2024-25/q2/_index.md", "x"),
        ("data/2024-25/q2.yaml", "status: final\npublished: 2024-11-01\nvalues:\n  contacts:\n    months: { 2024-07: 5, 2024-08: { value: 3, suppressed: true }, 2024-09: 7 }\n  waiting: 81\n"),
    ]);
    let q1 = &s.quarters[0].metrics[0];
    assert_eq!(q1.current.unwrap().figure, Figure::Value(60.0, Flags::NONE));
    let q2 = &s.quarters[1].metrics[0];
    assert_eq!(q2.current.unwrap().figure, Figure::Suppressed);
    assert_eq!(q2.previous.unwrap().figure, Figure::Value(60.0, Flags::NONE));
    let w = &s.quarters[1].metrics[1];
    let c = w.change(&s.catalogue.metrics[1]).unwrap();
    assert_eq!(c.difference, -9.0);
    assert_eq!(c.direction, Direction::Improving);
}

#[test]
fn later_quarter_revises_earlier_month_without_touching_the_archive() {
    let s = site(&[
        ("content/2024-25/q1/_index.md", "x"),
        ("data/2024-25/q1.yaml", "status: final\npublished: 2024-08-01\nvalues:\n  contacts:\n    months: { 2024-04: 10, 2024-05: 20, 2024-06: 30 }\n"),
        ("content/2024-25/q2/_index.md", "x"),
        ("data/2024-25/q2.yaml", "status: provisional\nvalues:\n  contacts:\n    months: { 2024-06: 33, 2024-07: 1, 2024-08: 2, 2024-09: 3 }\n"),
    ]);
    // Q1's own report keeps the figure it published.
    assert_eq!(s.quarters[0].metrics[0].current.unwrap().figure, Figure::Value(60.0, Flags::NONE));
    // Q2 sees the revision, flagged, in its previous-quarter figure.
    let prev = s.quarters[1].metrics[0].previous.unwrap().figure;
    assert_eq!(prev.value(), Some(63.0));
    assert!(prev.flags().has(Flag::Revised) && prev.flags().has(Flag::Provisional));
    let cur = s.quarters[1].metrics[0].current.unwrap().figure;
    assert!(cur.flags().has(Flag::Provisional) && !cur.flags().has(Flag::Revised));
}

#[test]
fn annual_values_carry_forward_and_compare_with_the_year_before() {
    let s = site(&[
        ("content/2023-24/q2/_index.md", "x"),
        ("data/2023-24/q2.yaml", "status: final\npublished: 2023-11-01\nvalues:\n  satisfied: { value: 60, year: 2022-23, rank: { nw: 4 } }\n"),
        ("content/2024-25/q2/_index.md", "x"),
        ("data/2024-25/q2.yaml", "status: final\npublished: 2024-11-01\nvalues:\n  satisfied: { value: 58.5, year: 2023-24, rank: { nw: 9 } }\n"),
        ("content/2024-25/q3/_index.md", "x"),
        ("data/2024-25/q3.yaml", "status: final\npublished: 2025-02-01\nvalues:\n  waiting: 3\n"),
    ]);
    let v = &s.quarters[2].metrics[2];
    assert_eq!(v.current.unwrap().period.to_string(), "2023-24");
    assert_eq!(v.rank, vec![(0, 9)]);
    let c = v.change(&s.catalogue.metrics[2]).unwrap();
    assert_eq!(c.direction, Direction::Worsening);
    assert_eq!(s.latest, Some(2));
    assert_eq!(s.quarters[2].quarter, q("2024-25/q3"));
}

#[test]
fn unavailable_is_never_zero_and_drafts_are_left_out() {
    let s = site(&[
        ("content/2024-25/q1/_index.md", "x"),
        (
            "data/2024-25/q1.yaml",
            "status: final\npublished: 2024-08-01\nvalues:\n  contacts:\n    months: { 2024-04: 10, 2024-05: 20, 2024-06: 30 }\n  waiting: { value: null }\n",
        ),
        ("content/2024-25/q2/_index.md", "---\ndraft: true\n---\nx"),
        ("data/2024-25/q2.yaml", "status: provisional\nvalues:\n  waiting: 3\n"),
    ]);
    assert_eq!(s.quarters.len(), 1);
    assert_eq!(s.quarters[0].metrics[1].current.unwrap().figure, Figure::NotAvailable(Flags::NONE));
    assert!(s.quarters[0].metrics[1].change(&s.catalogue.metrics[1]).is_none());
}

#[test]
fn restating_a_month_unchanged_is_not_a_revision() {
    let s = site(&[
        ("content/2024-25/q1/_index.md", "x"),
        ("data/2024-25/q1.yaml", "status: final\npublished: 2024-08-01\nvalues:\n  contacts:\n    months: { 2024-04: 10, 2024-05: 20, 2024-06: 30 }\n"),
        ("content/2024-25/q2/_index.md", "x"),
        (
            "data/2024-25/q2.yaml",
            "status: final\npublished: 2024-11-01\nvalues:\n  contacts:\n    months: { 2024-06: 30, 2024-07: 1, 2024-08: 2, 2024-09: 3 }\n",
        ),
    ]);
    let prev = s.quarters[1].metrics[0].previous.unwrap().figure;
    assert_eq!(prev, Figure::Value(60.0, Flags::NONE));
}
