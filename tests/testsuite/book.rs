//! The book keeps honest: every ```` ```yaml ````, ```` ```toml ```` and ```` ```markdown ````
//! example in `docs/src/*.md` is a file of a site, overlaid on a fixture and checked, and the
//! command reference is clap's own help.
//!
//! The convention (docs/src/examples.md explains it to authors):
//! - ```` ```yaml file=data/metrics.yaml ```` or a comment `<!-- file: data/metrics.yaml -->`
//!   just above the block says which file of the site the example is, whole;
//! - `<!-- expect: error: data/2024-25/q2.yaml:4:3: ... -->` (one comment a diagnostic, in
//!   check's order) says which problems the example brings, exactly: those `check` reports
//!   with it that it did not report before it; otherwise it must bring none. The site the
//!   examples build together must end with no problem at all;
//! - `<!-- example: fragment -->` marks a deliberately partial example, which is counted and
//!   skipped.
//!
//! Chapters are read in SUMMARY.md's order and their examples build one site: a passing
//! example stays for the examples after it (a chapter on figures can use the metrics the
//! chapter before defined); an example expected to fail with an error is taken back out after
//! its check.
//! The fixture is what `scrutiny init` writes for Quarter 2, 2024/25, with its accessibility
//! statement completed.

use crate::common::assert_snapshots;

use std::path::{Component, Path, PathBuf};

/// Languages whose examples must say which file they are (or be fragments).
const CHECKED: &[&str] = &["yaml", "toml", "markdown"];
/// Languages whose examples are overlaid and checked when they say which file they are.
const OVERLAID: &[&str] = &["yaml", "toml", "markdown", "html"];

#[derive(Debug)]
struct Example {
    at: String,
    lang: String,
    file: Option<String>,
    fragment: bool,
    expect: Vec<String>,
    body: String,
}

/// The fenced examples of one chapter, with the annotations just above each.
fn examples(chapter: &Path) -> Vec<Example> {
    let text = std::fs::read_to_string(chapter).unwrap();
    let name = chapter.file_name().unwrap().to_string_lossy().into_owned();
    let mut out = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let trimmed = line.trim();
        if let Some(note) = trimmed.strip_prefix("<!--").and_then(|s| s.strip_suffix("-->")) {
            notes.push(note.trim().to_string());
            continue;
        }
        let ticks = line.len() - line.trim_start_matches('`').len();
        if ticks < 3 {
            if !trimmed.is_empty() {
                notes.clear();
            }
            continue;
        }
        let info = line[ticks..].trim();
        let mut body = String::new();
        for (_, l) in lines.by_ref() {
            let t = l.trim_end();
            if t.len() >= ticks && t.chars().all(|c| c == '`') {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        let mut words = info.split_whitespace();
        let lang = words.next().unwrap_or_default().to_string();
        let taken = std::mem::take(&mut notes);
        if !OVERLAID.contains(&lang.as_str()) {
            continue;
        }
        let mut ex = Example { at: format!("docs/src/{name}:{}", i + 1), lang, file: None, fragment: false, expect: Vec::new(), body };
        for w in words {
            if let Some(f) = w.strip_prefix("file=") {
                ex.file = Some(f.to_string());
            }
        }
        for n in taken {
            if let Some(f) = n.strip_prefix("file:") {
                ex.file = Some(f.trim().to_string());
            } else if let Some(e) = n.strip_prefix("expect:") {
                ex.expect.push(e.trim().to_string());
            } else if n == "example: fragment" {
                ex.fragment = true;
            }
        }
        out.push(ex);
    }
    out
}

/// Chapters in SUMMARY.md's order, then any other chapter.
fn chapters() -> Vec<PathBuf> {
    let src = Path::new("docs/src");
    let summary = std::fs::read_to_string(src.join("SUMMARY.md")).unwrap();
    let mut ordered: Vec<PathBuf> = Vec::new();
    for part in summary.split("](").skip(1) {
        let target = part.split(')').next().unwrap();
        let p = src.join(target);
        assert!(p.is_file(), "SUMMARY.md links {target}, which does not exist");
        if !ordered.contains(&p) {
            ordered.push(p);
        }
    }
    let mut rest: Vec<PathBuf> = std::fs::read_dir(src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("SUMMARY.md") && !ordered.contains(p))
        .collect();
    rest.sort();
    ordered.extend(rest);
    ordered
}

fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let q = scrutiny::period::Quarter::parse("2024-25/q2").unwrap();
    scrutiny::init::init(&site, "Example Council", q).unwrap();
    std::fs::write(
        site.join("content/pages/accessibility.md"),
        "---\ntitle: Accessibility statement\n---\nWe want everyone to be able to read these reports.\n",
    )
    .unwrap();
    dir
}

fn headlines(site: &Path) -> Vec<String> {
    scrutiny::check(site).iter().map(|d| d.headline()).collect()
}

#[test]
fn every_example_in_the_book_passes_check_or_fails_as_it_says() {
    let dir = fixture();
    let site = dir.path().join("site");
    assert_eq!(headlines(&site), Vec::<String>::new(), "the book's fixture must be clean");
    let (mut checked, mut failing, mut fragments) = (0, 0, 0);
    let mut failures = Vec::new();
    for chapter in chapters() {
        for ex in examples(&chapter) {
            if ex.fragment {
                fragments += 1;
                continue;
            }
            let Some(file) = &ex.file else {
                if !CHECKED.contains(&ex.lang.as_str()) {
                    continue;
                }
                failures.push(format!(
                    "{}: a ```{} example without a file: say which file it is (```{} file=PATH) or mark it <!-- example: fragment -->",
                    ex.at, ex.lang, ex.lang
                ));
                continue;
            };
            let rel = Path::new(file);
            if rel.is_absolute() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
                failures.push(format!("{}: file={file} must be a path inside the site", ex.at));
                continue;
            }
            let path = site.join(rel);
            let before = std::fs::read(&path).ok();
            let already = headlines(&site);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &ex.body).unwrap();
            // What this example brings: problems that were not there before it.
            let actual: Vec<String> = headlines(&site).into_iter().filter(|h| !already.contains(h)).collect();
            checked += 1;
            let ok = actual == ex.expect;
            if !ok {
                failures.push(format!(
                    "{} ({file}):\n  the text says:\n    {}\n  check says:\n    {}",
                    ex.at,
                    if ex.expect.is_empty() { "(no problems)".to_string() } else { ex.expect.join("\n    ") },
                    if actual.is_empty() { "(no problems)".to_string() } else { actual.join("\n    ") }
                ));
            }
            if !ex.expect.is_empty() {
                failing += 1;
            }
            // An example with errors (expected or not) is taken back out, so the next ones start
            // from a site that builds; one with only the warnings it expects stays.
            if !ok || ex.expect.iter().any(|e| e.starts_with("error:")) {
                match before {
                    Some(b) => std::fs::write(&path, b).unwrap(),
                    None => std::fs::remove_file(&path).unwrap(),
                }
            }
        }
    }
    println!("book examples: {checked} checked ({failing} of them with the problems the text expects), {fragments} declared fragments");
    assert!(failures.is_empty(), "{} examples differ from what the book says:\n{}", failures.len(), failures.join("\n"));
    assert!(checked >= 15, "only {checked} examples were checked");
    assert_eq!(headlines(&site), Vec::<String>::new(), "the site the book's examples build together must end clean");
    assert!(fragments <= 5, "{fragments} fragments: keep them few, give whole files where you can");
    // The site the book's examples build together also builds.
    let out = dir.path().join("out");
    let built = scrutiny::build(&scrutiny::BuildOptions { root: site.clone(), output: Some(out.clone()), drafts: true, base_url: None, records: None });
    assert!(built.is_ok(), "{:?}", built.err());
}

/// The command reference (docs/src/commands.md) holds each command's `--help` output between
/// `<!-- help: COMMAND -->` and the end of the next text block. The chapter is a snapshot: the
/// test rebuilds it with the program's help, a difference prints as a diff, and
/// `SNAPSHOTS=overwrite cargo test --test testsuite book::the_command_reference` rewrites it.
#[test]
fn the_command_reference_is_the_commands_own_help() {
    let path = Path::new("docs/src/commands.md");
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = String::new();
    let mut rest = text.as_str();
    let mut seen = Vec::new();
    while let Some(at) = rest.find("<!-- help: ") {
        let (before, marker) = rest.split_at(at);
        out.push_str(before);
        let end_marker = marker.find("-->").unwrap() + 3;
        let command = marker["<!-- help: ".len()..end_marker - 3].trim().to_string();
        let after = &marker[end_marker..];
        let open = after.find("```text\n").expect("a ```text block after the help marker") + "```text\n".len();
        // Help text holds no backticks, so the block ends at the next ones.
        let close = open + after[open..].find("```").expect("the help block's end");
        let mut args: Vec<&str> = if command == "scrutiny" { vec![] } else { command.split(' ').collect() };
        args.push("--help");
        let help = std::process::Command::new(env!("CARGO_BIN_EXE_scrutiny")).args(&args).output().unwrap();
        assert!(help.status.success());
        let help = String::from_utf8(help.stdout).unwrap();
        out.push_str(&marker[..end_marker]);
        out.push_str(&after[..open]);
        out.push_str(&help);
        rest = &after[close..];
        seen.push(command);
    }
    out.push_str(rest);
    let missing: Vec<String> = ["scrutiny", "init", "check", "serve", "build", "new-quarter", "import", "import ascof", "import figures"]
        .into_iter()
        .filter(|c| !seen.iter().any(|s| s == c))
        .map(|c| format!("docs/src/commands.md has no help for {c}"))
        .collect();
    assert_snapshots(&[(path.to_path_buf(), out)], missing);
}

#[test]
fn fenced_examples_are_found_with_their_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.md");
    std::fs::write(
        &p,
        "Text\n\n<!-- expect: error: a -->\n<!-- expect: warning: b -->\n```yaml file=data/x.yaml\na: 1\n```\n\n<!-- example: fragment -->\n````markdown\n```chart\nmetric: x\n```\n````\n\n```sh\nls\n```\n",
    )
    .unwrap();
    let ex = examples(&p);
    assert_eq!(ex.len(), 2, "{ex:?}");
    assert_eq!(ex[0].file.as_deref(), Some("data/x.yaml"));
    assert_eq!(ex[0].expect, ["error: a", "warning: b"]);
    assert_eq!(ex[0].body, "a: 1\n");
    assert!(ex[1].fragment && ex[1].file.is_none());
    assert_eq!(ex[1].body, "```chart\nmetric: x\n```\n");
}

/// The statement warnings the book shows are what `check` says on a fresh
/// `scrutiny init DIR --organisation "Westmere Borough Council"`, as the book runs it.
#[test]
fn the_statement_warnings_the_book_shows_are_those_of_a_fresh_init() {
    let dir = tempfile::tempdir().unwrap();
    let q = scrutiny::period::Quarter::parse("2026-27/q3").unwrap();
    scrutiny::init::init(dir.path(), "Westmere Borough Council", q).unwrap();
    let actual = headlines(dir.path());
    let mut shown = 0;
    for chapter in chapters() {
        for line in std::fs::read_to_string(&chapter).unwrap().lines() {
            if line.starts_with("warning: content/pages/accessibility.md:") {
                assert!(actual.iter().any(|a| a == line), "{}: {line}\nis not among:\n{}", chapter.display(), actual.join("\n"));
                shown += 1;
            }
        }
    }
    assert!(shown >= 2, "the book shows {shown} of them");
}
