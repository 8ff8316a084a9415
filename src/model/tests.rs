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
    let mut diags = crate::diagnostic::Diagnostics::default();
    let raw = crate::load::load(dir.path(), &mut diags);
    let defs = crate::validate::validate(&raw, &mut diags).unwrap_or_else(|_| panic!("{diags:#?}"));
    build(defs, false)
}

/// The metric at this place in METRICS.
fn metric_at(i: usize) -> MetricIdx {
    MetricIdx::from(i)
}

/// The comparator group at this place in site.toml.
fn group_at(i: usize) -> GroupIdx {
    GroupIdx::from(i)
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
    let q1 = &s.quarters[0].metrics[metric_at(0)];
    assert_eq!(q1.current.unwrap().figure, Figure::Value(60.0, Flags::NONE));
    let q2 = &s.quarters[1].metrics[metric_at(0)];
    assert_eq!(q2.current.unwrap().figure, Figure::Suppressed);
    assert_eq!(q2.previous.unwrap().figure, Figure::Value(60.0, Flags::NONE));
    let w = &s.quarters[1].metrics[metric_at(1)];
    let c = w.change(&s.catalogue.metrics[metric_at(1)]).unwrap();
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
    assert_eq!(s.quarters[0].metrics[metric_at(0)].current.unwrap().figure, Figure::Value(60.0, Flags::NONE));
    // Q2 sees the revision, flagged, in its previous-quarter figure.
    let prev = s.quarters[1].metrics[metric_at(0)].previous.unwrap().figure;
    assert_eq!(prev.value(), Some(63.0));
    assert!(prev.flags().has(Flag::Revised) && prev.flags().has(Flag::Provisional));
    let cur = s.quarters[1].metrics[metric_at(0)].current.unwrap().figure;
    assert!(cur.flags().has(Flag::Provisional) && !cur.flags().has(Flag::Revised));
    // What June was first published as, kept beside the revision; Q1's own view has none.
    let june = crate::period::Period::Month(crate::period::Month::new(2024, 6));
    assert_eq!(s.quarters[1].metrics[metric_at(0)].first_published.get(&june).and_then(|f| f.value()), Some(30.0));
    assert_eq!(s.quarters[1].metrics[metric_at(0)].first_published.len(), 1);
    assert!(s.quarters[0].metrics[metric_at(0)].first_published.is_empty());
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
    let v = &s.quarters[2].metrics[metric_at(2)];
    assert_eq!(v.current.unwrap().period.to_string(), "2023-24");
    let nw = v.group(group_at(0)).unwrap();
    assert_eq!((nw.rank, nw.of, nw.rank_period.map(|p| p.to_string())), (Some(9), Some(23), Some("2023-24".into())));
    // The same period a year earlier is the year before the figure shown.
    assert_eq!(v.year_ago.unwrap().figure.value(), Some(60.0));
    let c = v.change(&s.catalogue.metrics[metric_at(2)]).unwrap();
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
    assert_eq!(s.quarters[0].metrics[metric_at(1)].current.unwrap().figure, Figure::NotAvailable(Flags::NONE));
    assert!(s.quarters[0].metrics[metric_at(1)].change(&s.catalogue.metrics[metric_at(1)]).is_none());
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
    let prev = s.quarters[1].metrics[metric_at(0)].previous.unwrap().figure;
    assert_eq!(prev, Figure::Value(60.0, Flags::NONE));
}

#[test]
fn one_target_at_a_time_and_plans_by_the_metric_aggregate() {
    let s = site(&[
        ("content/2024-25/q1/_index.md", "x"),
        (
            "data/2024-25/q1.yaml",
            "status: final\npublished: 2024-08-01\nvalues:\n  contacts:\n    months: { 2024-04: 10, 2024-05: 20, 2024-06: 30 }\n  waiting: 90\ntargets:\n  waiting: { value: 60, by: 2024-25/q4, plan: { 2024-25/q1: 95, 2024-25/q2: 80 } }\n  contacts: { value: 50, plan: { 2024-04: 10, 2024-05: 15, 2024-06: 20 } }\n",
        ),
        ("content/2024-25/q2/_index.md", "x"),
        ("data/2024-25/q2.yaml", "status: final\npublished: 2024-11-01\nvalues:\n  waiting: 81\ntargets:\n  waiting: null\n"),
    ]);
    let (w1, c1) = (&s.quarters[0].metrics[metric_at(1)], &s.quarters[0].metrics[metric_at(0)]);
    let (mw, mc) = (&s.catalogue.metrics[metric_at(1)], &s.catalogue.metrics[metric_at(0)]);
    let t = w1.target.as_ref().unwrap();
    assert_eq!(t.words(mw), "60 by Q4 2024/25");
    // Lower is better: 90 against a plan of 95 is ahead.
    assert_eq!(t.status(mw, 90.0, w1.current.unwrap().period), TargetStatus::Plan(PlanStatus::Ahead(5.0)));
    // A monthly sum's quarter plan adds its months.
    assert_eq!(c1.target.as_ref().unwrap().plan_for(mc, c1.current.unwrap().period), Some(45.0));
    // Q2 withdraws the waiting target: no target, and the catalogue's does not come back.
    assert!(s.quarters[1].metrics[metric_at(1)].target.is_none());
    // Q1 keeps its own.
    assert!(s.quarters[0].metrics[metric_at(1)].target.is_some());
}

#[test]
fn years_to_date_and_a_year_ago_as_known_now() {
    let s = site(&[
        ("content/2023-24/q2/_index.md", "x"),
        ("data/2023-24/q2.yaml", "status: final\npublished: 2023-11-01\nvalues:\n  contacts:\n    months: { 2023-07: 1, 2023-08: 2, 2023-09: 3 }\n"),
        ("content/2024-25/q2/_index.md", "x"),
        (
            "data/2024-25/q2.yaml",
            "status: final\npublished: 2024-11-01\nvalues:\n  contacts:\n    months: { 2023-09: 4, 2024-04: 10, 2024-05: 20, 2024-06: 30, 2024-07: 5, 2024-08: 6, 2024-09: 7 }\n",
        ),
    ]);
    let v = &s.quarters[1].metrics[metric_at(0)];
    assert_eq!(v.ytd.unwrap().value(), Some(78.0));
    // Q2 2023/24 as known now: September revised to 4.
    let ya = v.year_ago.unwrap();
    assert_eq!(ya.figure.value(), Some(7.0));
    assert!(ya.figure.flags().has(Flag::Revised));
    let s = site(&[
        ("content/2024-25/q2/_index.md", "x"),
        ("data/2024-25/q2.yaml", "status: final\npublished: 2024-11-01\nvalues:\n  contacts:\n    months: { 2024-04: { value: 1, suppressed: true }, 2024-07: 5, 2024-08: 6, 2024-09: 7 }\n"),
    ]);
    assert_eq!(s.quarters[0].metrics[metric_at(0)].ytd, Some(Figure::Suppressed));
    assert!(s.quarters[0].metrics[metric_at(0)].year_ago.is_none());
}

#[test]
fn a_lagged_rank_restating_a_period_keeps_the_later_statement() {
    let s = site(&[
        ("content/2024-25/q1/_index.md", "x"),
        ("data/2024-25/q1.yaml", "status: final\npublished: 2024-08-01\nvalues:\n  waiting: { value: 90, rank: { nw: 7 }, compare: { nw: 80 } }\n"),
        ("content/2024-25/q2/_index.md", "x"),
        (
            "data/2024-25/q2.yaml",
            "status: final\npublished: 2024-11-01\nvalues:\n  waiting: { value: 81, rank: { nw: { value: 6, period: 2024-25/q1 } }, compare: { nw: { value: 79, period: 2024-25/q1 } } }\n",
        ),
    ]);
    let v = &s.quarters[1].metrics[metric_at(1)];
    assert_eq!(v.rank_series.iter().map(|r| (r.period.to_string(), r.rank)).collect::<Vec<_>>(), [("2024-25/q1".to_string(), 6)]);
    assert_eq!(v.compare_series.iter().map(|c| (c.period.to_string(), c.value)).collect::<Vec<_>>(), [("2024-25/q1".to_string(), Some(79.0))]);
    // Q2's own rank is the lagged one, shown with its period.
    let g = v.group(group_at(0)).unwrap();
    assert_eq!((g.rank, g.rank_period.map(|p| p.to_string())), (Some(6), Some("2024-25/q1".into())));
    // Q1's report keeps what it said.
    assert_eq!(s.quarters[0].metrics[metric_at(1)].group(group_at(0)).unwrap().rank, Some(7));
}

#[test]
fn input_keys_follow_a_quarters_inputs_and_nothing_else() {
    let keys_with_page = |q1_value: &str, q2_words: &str, page: Option<&str>| -> Vec<blake3::Hash> {
        let q1 = format!("status: final\npublished: 2024-08-01\nvalues:\n  waiting: {q1_value}\n");
        let mut files = vec![("content/2024-25/q1/_index.md", "x")];
        if let Some(page) = page {
            files.push(("content/pages/about.md", page));
        }
        let s = site(
            &[
                files.as_slice(),
                &[
                    ("data/2024-25/q1.yaml", &q1),
                    ("content/2024-25/q2/_index.md", q2_words),
                    ("data/2024-25/q2.yaml", "status: final\npublished: 2024-11-01\nvalues:\n  waiting: 81\n"),
                ],
            ]
            .concat(),
        );
        s.quarters.iter().map(|q| q.input_key).collect()
    };
    let keys = |q1_value: &str, q2_words: &str| keys_with_page(q1_value, q2_words, None);
    let first = keys("90", "x");
    // The same files (in another folder, another run) give the same keys.
    assert_eq!(first, keys("90", "x"));
    // New words in Q2 change Q2's key only; a figure of Q1 changes both (Q2 shows Q1 as its previous).
    let words = keys("90", "y");
    assert_eq!((words[0] == first[0], words[1] == first[1]), (true, false));
    let figure = keys("91", "x");
    assert_eq!((figure[0] == first[0], figure[1] == first[1]), (false, false));
    // Every page's footer links the standalone pages: a new page, or a new title, changes every key;
    // its words alone change none.
    let page = keys_with_page("90", "x", Some("---\ntitle: About\n---\nWords."));
    assert_eq!((page[0] == first[0], page[1] == first[1]), (false, false));
    let retitled = keys_with_page("90", "x", Some("---\ntitle: About us\n---\nWords."));
    assert_eq!((retitled[0] == page[0], retitled[1] == page[1]), (false, false));
    let reworded = keys_with_page("90", "x", Some("---\ntitle: About\n---\nOther words."));
    assert_eq!(reworded, page);
}
