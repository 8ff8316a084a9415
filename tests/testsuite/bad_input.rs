//! The bad-input corpus: each case in `tests/bad-input/*.case` overlays files on the
//! `basic` fixture and lists the exact diagnostics `scrutiny check` must report.
//!
//! Case format:
//! ```text
//! # what the case is about
//! === path/to/file        (replaced with the lines that follow)
//! === raw path/to/file    (the same, with \xNN escapes turned into bytes)
//! === delete path/to/file
//! === expected            (one diagnostic headline a line, in check's order)
//! ```
//! Run with `UPDATE_EXPECTED=1` to rewrite the expected sections (then read the diff!).

mod common;
use common::{copy_dir, unescape};

use std::path::{Path, PathBuf};

struct Case {
    path: PathBuf,
    head: String,
    expected: Vec<String>,
}

fn run_case(path: &Path) -> (Case, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("tests/fixtures/basic"), dir.path());
    let mut head = String::new();
    let mut expected = Vec::new();
    let mut current: Option<(String, bool)> = None;
    let mut body = String::new();
    let mut in_expected = false;
    let flush = |current: &Option<(String, bool)>, body: &str| {
        if let Some((file, raw)) = current {
            let p = dir.path().join(file);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            let bytes = if *raw { unescape(body) } else { body.as_bytes().to_vec() };
            std::fs::write(p, bytes).unwrap();
        }
    };
    let mut before_first = true;
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("=== ") {
            before_first = false;
            flush(&current, &body);
            body.clear();
            current = None;
            let rest = rest.trim();
            if rest == "expected" {
                in_expected = true;
            } else if let Some(f) = rest.strip_prefix("delete ") {
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
        if before_first {
            head.push_str(line);
        } else if in_expected {
            if !line.trim().is_empty() {
                expected.push(line.trim_end().to_string());
            }
        } else {
            body.push_str(line);
        }
    }
    flush(&current, &body);
    let actual: Vec<String> = scrutiny::check(dir.path()).iter().map(|d| d.headline()).collect();
    (Case { path: path.to_path_buf(), head, expected }, actual)
}

#[test]
fn every_bad_input_case_reports_its_exact_diagnostics() {
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir("tests/bad-input").unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "case")).collect();
    cases.sort();
    assert!(cases.len() >= 40, "the corpus should hold at least 40 cases, found {}", cases.len());
    let update = std::env::var_os("UPDATE_EXPECTED").is_some();
    let mut failures = Vec::new();
    for path in &cases {
        let (case, actual) = run_case(path);
        if update {
            let text = std::fs::read_to_string(&case.path).unwrap();
            let cut = text.find("=== expected").unwrap_or(text.len());
            std::fs::write(&case.path, format!("{}=== expected\n{}\n", &text[..cut], actual.join("\n"))).unwrap();
            continue;
        }
        if !actual.iter().any(|a| a.starts_with("error:")) && !case.head.contains("warning-only") {
            failures.push(format!("{}: no error reported", case.path.display()));
        }
        if actual != case.expected {
            failures.push(format!("{}:\n  expected:\n    {}\n  actual:\n    {}", case.path.display(), case.expected.join("\n    "), actual.join("\n    ")));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn the_basic_fixture_is_clean() {
    let d = scrutiny::check(Path::new("tests/fixtures/basic"));
    assert!(d.is_empty(), "{d:#?}");
}

fn site_with(file: &str, content: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("tests/fixtures/basic"), dir.path());
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
