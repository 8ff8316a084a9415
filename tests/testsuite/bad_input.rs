//! The bad-input corpus: each case in `tests/bad-input/*.case` overlays files on the
//! `basic` fixture and ends with the exact diagnostics `scrutiny check` must report.
//!
//! Case format:
//! ```text
//! # what the case is about ("warning-only" here allows a case with no error)
//! === path/to/file        (replaced with the lines that follow)
//! === raw path/to/file    (the same, with \xNN escapes turned into bytes)
//! === delete path/to/file
//! === expected            (last: one diagnostic headline a line, in check's order)
//! ```
//!
//! To add a case, write `tests/bad-input/NAME.case` with its head and files and an empty
//! `=== expected` section, then run
//! `SNAPSHOTS=overwrite cargo test --test testsuite bad_input` to fill it in, and read what
//! it wrote (`git diff`, or the new file) before committing. The same command updates every
//! case after a message changes. Each case file is a snapbox snapshot of itself: the test
//! rebuilds it with check's diagnostics as its expected section, so a difference prints as
//! a diff of that case file.

use crate::common::{assert_snapshots, case_files, fixture, unescape};

use std::path::Path;

/// The case file's text up to its expected section, and what `check` reports on the site it
/// describes, one headline a line.
struct Ran {
    before_expected: String,
    warning_only: bool,
    actual: Vec<String>,
}

fn run_case(path: &Path) -> Ran {
    let text = std::fs::read_to_string(path).unwrap();
    let dir = fixture();
    let mut current: Option<(String, bool)> = None;
    let mut body = String::new();
    let flush = |current: &Option<(String, bool)>, body: &str| {
        if let Some((file, raw)) = current {
            let p = dir.path().join(file);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            let bytes = if *raw { unescape(body) } else { body.as_bytes().to_vec() };
            std::fs::write(p, bytes).unwrap();
        }
    };
    let cut = text.find("\n=== expected").map(|at| at + 1).unwrap_or(text.len());
    for line in text[..cut].split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("=== ") {
            flush(&current, &body);
            body.clear();
            current = None;
            let rest = rest.trim();
            if let Some(f) = rest.strip_prefix("delete ") {
                let p = dir.path().join(f);
                if p.is_dir() {
                    std::fs::remove_dir_all(p).unwrap();
                } else {
                    std::fs::remove_file(p).unwrap();
                }
            } else if let Some(f) = rest.strip_prefix("raw ") {
                current = Some((f.to_string(), true));
            } else {
                current = Some((rest.to_string(), false));
            }
            continue;
        }
        if current.is_some() {
            body.push_str(line);
        }
    }
    flush(&current, &body);
    let actual: Vec<String> = scrutiny::check(dir.path()).iter().map(|d| d.headline()).collect();
    // The head (the lines before the first section) may declare the case warning-only.
    let head = if text.starts_with("=== ") { "" } else { &text[..text.find("\n=== ").unwrap_or(text.len())] };
    Ran { warning_only: head.contains("warning-only"), before_expected: text[..cut].to_string(), actual }
}

#[test]
fn every_bad_input_case_reports_its_exact_diagnostics() {
    let cases = case_files("tests/bad-input");
    assert!(cases.len() >= 40, "the corpus should hold at least 40 cases, found {}", cases.len());
    let mut snapshots = Vec::new();
    let mut failures = Vec::new();
    for path in cases {
        let ran = run_case(&path);
        if !ran.actual.iter().any(|a| a.starts_with("error:")) && !ran.warning_only {
            failures.push(format!("{}: no error reported (a case without one says \"warning-only\" in its head)", path.display()));
        }
        snapshots.push((path, format!("{}=== expected\n{}\n", ran.before_expected, ran.actual.join("\n"))));
    }
    assert_snapshots(&snapshots, failures);
}

#[test]
fn the_basic_fixture_is_clean() {
    let d = scrutiny::check(Path::new("tests/fixtures/basic"));
    assert!(d.is_empty(), "{d:#?}");
}

fn site_with(file: &str, content: &[u8]) -> tempfile::TempDir {
    let dir = fixture();
    std::fs::write(dir.path().join(file), content).unwrap();
    dir
}

#[test]
fn alias_bomb_is_a_clean_error_and_fast() {
    let mut s = String::from("status: final\npublished: 2024-11-06\nbomb:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        s.push_str(&format!("  a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n", p = i - 1));
    }
    s.push_str("values: {}\n");
    let dir = site_with("data/2024-25/q2.yaml", s.as_bytes());
    let started = std::time::Instant::now();
    let d = scrutiny::check(dir.path());
    assert!(started.elapsed().as_secs() < 5, "took {:?}", started.elapsed());
    let first = d.iter().find(|d| d.file == "data/2024-25/q2.yaml").expect("an error for the bomb");
    assert!(first.message.contains("aliases") || first.message.contains("too deeply"), "{first:?}");
}

#[test]
fn ten_thousand_deep_nesting_is_a_clean_error_and_fast() {
    let text = format!("status: final\npublished: 2024-11-06\nvalues:\n  waiting-list: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let dir = site_with("data/2024-25/q2.yaml", text.as_bytes());
    let started = std::time::Instant::now();
    let d = scrutiny::check(dir.path());
    assert!(started.elapsed().as_secs() < 5, "took {:?}", started.elapsed());
    let e = d.iter().find(|d| d.file == "data/2024-25/q2.yaml").expect("an error for the nesting");
    assert_eq!(e.pos.line, 4, "{e:?}");
    assert!(e.message.contains("too deeply"), "{e:?}");
}
