//! Shared by the test modules: fixture sites in temporary directories, the corpora's case
//! files, and snapshots (the one place that uses snapbox).

use std::path::{Path, PathBuf};

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let target = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of `tests/fixtures/basic`.
pub fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("tests/fixtures/basic"), dir.path());
    dir
}

/// Adds `text` at the end of the site's file at `path`.
pub fn append(root: &Path, path: &str, text: &str) {
    let mut s = std::fs::read_to_string(root.join(path)).unwrap();
    s.push_str(text);
    std::fs::write(root.join(path), s).unwrap();
}

/// The fixture's complaints-by-outcome breakdown in Q1 and Q2 2024/25, with suppressed
/// categories (the metric `complaints-outcome` must be defined by the caller).
/// Q1 publishes the total, so two categories are suppressed (secondary suppression); Q2 has one
/// category suppressed and no total, so the total is [c], and so are the shares.
pub fn append_suppressed_breakdowns(root: &Path) {
    append(
        root,
        "data/2024-25/q1.yaml",
        "  complaints-outcome:\n    by: { upheld: 1234, partly-upheld: { value: 4417, suppressed: true }, not-upheld: { value: 5813, suppressed: true } }\n    value: 11464\n",
    );
    append(
        root,
        "data/2024-25/q2.yaml",
        "  complaints-outcome:\n    by: { upheld: 2221, partly-upheld: 3331, not-upheld: { value: 6607, suppressed: true } }\n",
    );
}

/// Turns `\xNN` escapes in a case file into bytes (for files that are not valid UTF-8).
pub fn unescape(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 3 < b.len() && b[i + 1] == b'x' {
            out.push(u8::from_str_radix(&s[i + 2..i + 4], 16).unwrap());
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Every file under `dir`, by its path relative to it (with `/`), and its bytes.
pub fn files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"), std::fs::read(e.path()).unwrap()))
        .collect()
}

/// The `*.case` files of a corpus folder, in name order.
pub fn case_files(dir: &str) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "case")).collect();
    cases.sort();
    cases
}

/// Compares each file with what it should hold, exactly: snapbox's wildcards (`[..]`, `...`)
/// are not honoured, so a snapshot cannot loosen itself. Every difference is shown as a diff,
/// with the other `failures`, in one panic. With `SNAPSHOTS=overwrite` the files are
/// rewritten instead (then read `git diff` before committing).
pub fn assert_snapshots(snapshots: &[(PathBuf, String)], mut failures: Vec<String>) {
    // Only "overwrite" is honoured: snapbox's "skip" and "ignore" would let a test pass unchecked.
    let overwrite = std::env::var("SNAPSHOTS").is_ok_and(|v| v == "overwrite");
    let assert = snapbox::Assert::new().action(if overwrite { snapbox::assert::Action::Overwrite } else { snapbox::assert::Action::Verify });
    let mut differ = 0;
    for (path, actual) in snapshots {
        let expected = snapbox::Data::read_from(path, None).raw();
        if let Err(e) = assert.try_eq(Some(&"this run"), snapbox::Data::text(actual.clone()), expected) {
            differ += 1;
            failures.push(e.to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "{differ} of {} snapshots differ (SNAPSHOTS=overwrite rewrites them; then read git diff):\n{}",
        snapshots.len(),
        failures.join("\n")
    );
}
