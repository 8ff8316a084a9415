//! The adversarial suite: inputs written by an attacker or a careless officer, and what
//! must never follow from them (issue 9). Each test builds a hostile site in a temporary
//! folder from `tests/fixtures/basic` and asserts on `check`, `build` and the output.
//!
//! Classes: symlinks in every input folder, theme paths, formula-like text in every CSV
//! column, control and bidirectional characters, extreme numbers, hostile Host headers,
//! a template that loops, template errors in partials, reserved names, future-dated
//! benchmarks, placeholders in a published quarter, and scaling (1x and 4x input).

use crate::common::fixture;

use scrutiny::diagnostic::{Diagnostic, Severity};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let p = root.join(rel);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(p, text.replacen(from, to, 1)).unwrap();
}

fn errors(diags: &[Diagnostic]) -> Vec<String> {
    diags.iter().filter(|d| d.severity == Severity::Error).map(Diagnostic::headline).collect()
}

fn warnings(diags: &[Diagnostic]) -> Vec<String> {
    diags.iter().filter(|d| d.severity == Severity::Warning).map(Diagnostic::headline).collect()
}

fn build(root: &Path) -> Result<PathBuf, Vec<Diagnostic>> {
    let out = root.join("public");
    scrutiny::build(&scrutiny::BuildOptions { root: root.to_path_buf(), output: Some(out.clone()), drafts: false, base_url: None, records: None }).map(|_| out)
}

/// Every file of a built site, as text (lossy), by path.
fn output_text(out: &Path) -> Vec<(String, String)> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(out).unwrap().to_string_lossy().into_owned(), String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned()))
        .collect()
}

// ---------------------------------------------------------------- symlinks

#[cfg(unix)]
mod links {
    use super::*;
    use std::os::unix::fs::symlink;

    const SECRET: &str = "CI_TOKEN=ghp_do_not_publish";

    /// A folder outside the site holding a secret file, a secret Markdown page, YAML and a template.
    fn outside() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "environ", SECRET);
        write(dir.path(), "secret.md", &format!("---\ntitle: Leak\n---\n{SECRET}\n"));
        write(
            dir.path(),
            "bench.yaml",
            &format!("metric: satisfaction\ngroup: nw\nperiod: 2023-24\nself: Testshire\nvalues:\n  Testshire: 61.5\n  \"{SECRET}\": 1\n"),
        );
        write(dir.path(), "templates/page.html", SECRET);
        write(dir.path(), "static/leak.txt", SECRET);
        write(dir.path(), "q2/_index.md", &format!("---\nsummary: x\n---\n{SECRET}\n"));
        dir
    }

    /// Makes `link` (in the site) point at `target`, checks that `check` and `build` both
    /// fail with an error at `at`, and that no output anywhere holds the secret.
    fn refused(prepare: impl FnOnce(&Path, &Path), at: &str) {
        let site = fixture();
        let out_dir = outside();
        prepare(site.path(), out_dir.path());
        let diags = scrutiny::check(site.path());
        let errs = errors(&diags);
        assert!(errs.iter().any(|e| e.starts_with(&format!("error: {at}: ")) && e.contains("outside the site")), "check, link at {at}: {errs:#?}");
        let rendered = scrutiny::diagnostic::render(&diags, scrutiny::diagnostic::Format::Human, site.path());
        assert!(!rendered.contains("ghp_do_not_publish"), "{rendered}");
        match build(site.path()) {
            Ok(out) => panic!("build through the link at {at} succeeded: {:?}", output_text(&out).iter().find(|(_, t)| t.contains(SECRET))),
            Err(d) => assert!(errors(&d).iter().any(|e| e.starts_with(&format!("error: {at}: "))), "build, link at {at}: {d:#?}"),
        }
    }

    #[test]
    fn a_page_linked_to_a_file_outside() {
        refused(|s, o| symlink(o.join("environ"), s.join("content/pages/env.md")).unwrap(), "content/pages/env.md");
        refused(|s, _| symlink("/proc/self/environ", s.join("content/pages/env.md")).unwrap(), "content/pages/env.md");
    }

    #[test]
    fn content_folders_linked_outside() {
        refused(
            |s, o| {
                symlink(o.join("secret.md"), s.join("content/2024-25/q2/contacts.md")).unwrap_or_else(|_| {
                    std::fs::remove_file(s.join("content/2024-25/q2/contacts.md")).unwrap();
                    symlink(o.join("secret.md"), s.join("content/2024-25/q2/contacts.md")).unwrap();
                })
            },
            "content/2024-25/q2/contacts.md",
        );
        refused(
            |s, o| {
                std::fs::remove_dir_all(s.join("content/pages")).unwrap();
                symlink(o, s.join("content/pages")).unwrap();
            },
            "content/pages",
        );
        refused(
            |s, o| {
                std::fs::rename(s.join("content"), s.join("content-real")).unwrap();
                symlink(o, s.join("content")).unwrap();
            },
            "content",
        );
    }

    #[test]
    fn data_files_and_folders_linked_outside() {
        refused(
            |s, o| {
                std::fs::remove_file(s.join("data/benchmarks/satisfaction-nw.yaml")).unwrap();
                symlink(o.join("bench.yaml"), s.join("data/benchmarks/satisfaction-nw.yaml")).unwrap();
            },
            "data/benchmarks/satisfaction-nw.yaml",
        );
        refused(
            |s, o| {
                std::fs::remove_dir_all(s.join("data/benchmarks")).unwrap();
                symlink(o, s.join("data/benchmarks")).unwrap();
            },
            "data/benchmarks",
        );
        refused(
            |s, o| {
                std::fs::rename(s.join("data"), o.join("data")).unwrap();
                symlink(o.join("data"), s.join("data")).unwrap();
            },
            "data",
        );
    }

    #[test]
    fn site_toml_static_and_theme_linked_outside() {
        refused(
            |s, o| {
                std::fs::rename(s.join("site.toml"), o.join("site.toml")).unwrap();
                symlink(o.join("site.toml"), s.join("site.toml")).unwrap();
            },
            "site.toml",
        );
        refused(|s, o| symlink(o.join("static"), s.join("static")).unwrap(), "static");
        refused(
            |s, o| {
                std::fs::create_dir_all(s.join("static")).unwrap();
                symlink(o.join("environ"), s.join("static/env.txt")).unwrap();
            },
            "static/env.txt",
        );
        refused(
            |s, o| {
                std::fs::create_dir_all(s.join("themes")).unwrap();
                symlink(o, s.join("themes/default")).unwrap();
            },
            "themes/default",
        );
        refused(
            |s, o| {
                crate::common::copy_dir(Path::new("themes/default"), &s.join("themes/default"));
                symlink(o.join("templates/page.html"), s.join("themes/default/templates/leak.html")).unwrap();
            },
            "themes/default/templates/leak.html",
        );
        refused(
            |s, o| {
                crate::common::copy_dir(Path::new("themes/default"), &s.join("themes/default"));
                symlink(o.join("environ"), s.join("themes/default/static/env.txt")).unwrap();
            },
            "themes/default/static/env.txt",
        );
    }

    #[test]
    fn links_that_stay_inside_the_site_are_followed() {
        let site = fixture();
        write(site.path(), "shared/about.md", "---\ntitle: About\n---\nShared words.\n");
        symlink(site.path().join("shared/about.md"), site.path().join("content/pages/about.md")).unwrap();
        let out = build(site.path()).unwrap_or_else(|d| panic!("{d:#?}"));
        assert!(std::fs::read_to_string(out.join("about/index.html")).unwrap().contains("Shared words."));
    }

    #[test]
    fn a_theme_is_a_plain_name_under_themes() {
        let outside = tempfile::tempdir().unwrap();
        crate::common::copy_dir(Path::new("themes/default"), outside.path());
        for theme in [outside.path().to_string_lossy().into_owned(), "../../etc".into(), "default/../../x".into(), ".hidden".into()] {
            let site = fixture();
            edit(site.path(), "site.toml", "description =", &format!("theme = {theme:?}\ndescription ="));
            let errs = errors(&scrutiny::check(site.path()));
            assert!(errs.iter().any(|e| e.starts_with("error: site.toml:4:9: the theme") && e.contains("not a plain folder name")), "{theme}: {errs:#?}");
            assert!(build(site.path()).is_err(), "{theme}");
        }
    }
}

// ---------------------------------------------------------------- CSV, XML, characters, numbers

const FORMULAS: [&str; 6] = ["=HYPERLINK(\"http://evil.example/\",\"x\")", "+SUM(1,2)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A2)", "\tTAB", "\r=CR"];

#[test]
fn formula_like_text_in_every_csv_column_is_neutralised() {
    let site = fixture();
    // Every text an officer writes that reaches a CSV: metric titles, notes, units' wording.
    for (i, f) in FORMULAS.iter().enumerate() {
        let quoted = serde_json::to_string(f).unwrap();
        match i {
            0 => edit(site.path(), "data/metrics.yaml", "title: People waiting for a needs assessment", &format!("title: {quoted}")),
            1 => edit(site.path(), "data/2024-25/q3.yaml", "note: To be confirmed", &format!("note: {quoted}")),
            2 => edit(site.path(), "data/metrics.yaml", "title: Contacts received each month", &format!("title: {quoted}")),
            _ => {}
        }
    }
    edit(site.path(), "data/2024-25/q2.yaml", "waiting-list: 81", "waiting-list: { value: 81, note: \"@SUM(A1:A2)\" }");
    let out = build(site.path()).unwrap_or_else(|d| panic!("{d:#?}"));
    let mut cells = 0;
    for (path, text) in output_text(&out).into_iter().filter(|(p, _)| p.ends_with(".csv")) {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                cells += 1;
                let dangerous = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
                assert!(!dangerous || cell.parse::<f64>().is_ok(), "{path}: formula-like cell {cell:?}");
            }
        }
    }
    assert!(cells > 100, "the CSVs were read");
    let q2 = std::fs::read_to_string(out.join("data/2024-25-q2.csv")).unwrap();
    assert!(q2.contains("'@SUM(A1:A2)"), "neutralised, not dropped: {q2}");
    assert!(q2.contains("\"'=HYPERLINK("), "{q2}");
}

#[test]
fn control_characters_are_refused_and_every_xml_output_stays_well_formed() {
    for (file, from, to) in [
        ("site.toml", "title = \"Adult Social Care Performance\"", "title = \"Adult Social Care\\u0007 Performance\""),
        ("site.toml", "organisation = \"Testshire Council\"", "organisation = \"Testshire\\u001b Council\""),
        ("data/metrics.yaml", "title: Contacts received each month", "title: \"Contacts\\x0c received\""),
    ] {
        let site = fixture();
        edit(site.path(), file, from, to);
        let errs = errors(&scrutiny::check(site.path()));
        assert!(errs.iter().any(|e| e.starts_with(&format!("error: {file}:")) && e.contains("hidden control character")), "{file}: {errs:#?}");
        assert!(build(site.path()).is_err());
    }
    // What is not refused (commentary prose) is stripped from every XML output.
    let site = fixture();
    edit(site.path(), "content/2024-25/q2/_index.md", "The waiting list", "The \u{7}waiting\u{1b} list");
    let out = build(site.path()).unwrap_or_else(|d| panic!("{d:#?}"));
    for (path, text) in output_text(&out).into_iter().filter(|(p, _)| p.ends_with(".xml") || p.ends_with(".svg")) {
        let mut reader = quick_xml::Reader::from_str(&text);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{path} is not well-formed XML: {e}"),
            }
        }
        assert!(!text.contains(['\u{7}', '\u{1b}']), "{path}");
    }
}

#[test]
fn bidirectional_overrides_in_names_and_titles_are_refused() {
    for (file, from, to) in [
        ("data/metrics.yaml", "title: Contacts received each month", "title: \"Contacts \u{202E}hctam\""),
        ("site.toml", "organisation = \"Testshire Council\"", "organisation = \"Testshire \u{2067}Council\""),
        ("data/benchmarks/satisfaction-nw.yaml", "  Bolton: 63.0", "  \"Bol\u{202D}ton\": 63.0"),
        ("content/2024-25/q2/_index.md", "summary: Waiting lists fell again", "summary: Waiting lists \u{202E}fell"),
    ] {
        let site = fixture();
        edit(site.path(), file, from, to);
        let errs = errors(&scrutiny::check(site.path()));
        assert!(errs.iter().any(|e| e.starts_with(&format!("error: {file}:")) && e.contains("changes the direction of text")), "{file}: {errs:#?}");
    }
}

#[test]
fn extreme_numbers_are_refused_and_minus_zero_is_zero() {
    let site = fixture();
    edit(
        site.path(),
        "data/2024-25/q2.yaml",
        "months: { 2024-06: 1295, 2024-07: 1450, 2024-08: 1380, 2024-09: 1422 }",
        "months: { 2024-07: 1e308, 2024-08: 1e308, 2024-09: 1e308 }",
    );
    let errs = errors(&scrutiny::check(site.path()));
    assert_eq!(errs.iter().filter(|e| e.contains("too large for a figure")).count(), 3, "{errs:#?}");
    let site = fixture();
    edit(site.path(), "data/2024-25/q2.yaml", "waiting-list: 81", "waiting-list: -0.0");
    let out = build(site.path()).unwrap_or_else(|d| panic!("{d:#?}"));
    for (path, text) in output_text(&out) {
        assert!(!text.contains(">-0<") && !text.contains(",-0,") && !text.contains("\"-0\""), "{path}");
    }
}

#[test]
fn a_year_before_the_calendar_does_not_panic() {
    let site = fixture();
    edit(site.path(), "data/2024-25/q2.yaml", "year: 2023-24", "year: 0000-01");
    let errs = errors(&scrutiny::check(site.path()));
    assert!(errs.iter().any(|e| e.starts_with("error: data/2024-25/q2.yaml:") && e.contains("years run from")), "{errs:#?}");
}

// ---------------------------------------------------------------- templates

fn with_theme(site: &Path, file: &str, text: &str) {
    crate::common::copy_dir(Path::new("themes/default"), &site.join("themes/default"));
    write(site, &format!("themes/default/templates/{file}"), text);
}

#[test]
fn a_template_that_never_ends_is_stopped_with_a_located_error() {
    let site = fixture();
    let page = std::fs::read_to_string("themes/default/templates/page.html").unwrap();
    let looping =
        page.replacen("{% block main %}", "{% block main %}\n{% for a in range(100000) %}{% for b in range(100000) %}{{ a }}{% endfor %}{% endfor %}", 1);
    assert_ne!(page, looping, "page.html has a content block");
    let line = looping.lines().position(|l| l.contains("range(100000)")).unwrap() + 1;
    with_theme(site.path(), "page.html", &looping);
    let started = Instant::now();
    let errs = errors(&scrutiny::check(site.path()));
    let took = started.elapsed();
    println!("a looping template stopped after {took:?}");
    assert!(errs.iter().any(|e| e.starts_with(&format!("error: themes/default/templates/page.html:{line}:")) && e.contains("too much work")), "{errs:#?}");
    assert!(build(site.path()).is_err());
    // In a template another includes: the error is at the loop, in the file it is in.
    let site = fixture();
    let banner = std::fs::read_to_string("themes/default/templates/partials/quarter_banner.html").unwrap();
    with_theme(
        site.path(),
        "partials/quarter_banner.html",
        &format!("{{% for a in range(100000) %}}{{% for b in range(100000) %}}{{% endfor %}}{{% endfor %}}\n{banner}"),
    );
    let errs = errors(&scrutiny::check(site.path()));
    assert!(errs.iter().any(|e| e.starts_with("error: themes/default/templates/partials/quarter_banner.html:1:") && e.contains("too much work")), "{errs:#?}");
}

#[test]
fn template_errors_in_partials_fail_the_build_never_the_page() {
    for file in ["blocks/kpis.html", "blocks/figure.html", "blocks/benchmark.html", "partials/flag_key.html"] {
        let site = fixture();
        let text = std::fs::read_to_string(format!("themes/default/templates/{file}")).unwrap();
        with_theme(site.path(), file, &format!("{{{{ no_such_thing.field }}}}\n{text}"));
        let errs = errors(&scrutiny::check(site.path()));
        assert!(errs.iter().any(|e| e.starts_with(&format!("error: themes/default/templates/{file}:1:")) && e.contains("template error")), "{file}: {errs:#?}");
        match build(site.path()) {
            Ok(out) => panic!("{file}: built, with {:?}", output_text(&out).iter().find(|(_, t)| t.contains("class=\"error\"")).map(|f| &f.0)),
            Err(d) => assert!(errors(&d).iter().any(|e| e.contains(file)), "{d:#?}"),
        }
    }
}

// ---------------------------------------------------------------- reserved names

#[test]
fn reserved_section_ids_and_quarter_shaped_metric_ids_are_refused() {
    for id in ["print", "appendix"] {
        let site = fixture();
        edit(site.path(), "data/metrics.yaml", "metrics:\n", &format!("  - id: {id}\n    title: A section\nmetrics:\n"));
        let errs = errors(&scrutiny::check(site.path()));
        assert!(errs.iter().any(|e| e.starts_with("error: data/metrics.yaml:") && e.contains(&format!("section id \"{id}\" is taken"))), "{id}: {errs:#?}");
    }
    let site = fixture();
    write(
        site.path(),
        "data/metrics.yaml",
        &(std::fs::read_to_string(site.path().join("data/metrics.yaml")).unwrap()
            + "  - id: 2024-25-q2\n    title: T\n    section: contacts\n    unit: count\n    polarity: neutral\n    frequency: quarterly\n"),
    );
    let errs = errors(&scrutiny::check(site.path()));
    assert!(errs.iter().any(|e| e.contains("\"2024-25-q2\" is shaped like a quarter")), "{errs:#?}");
    let site = fixture();
    write(site.path(), "content/pages/charts.md", "A page\n");
    assert!(errors(&scrutiny::check(site.path())).iter().any(|e| e.contains("content/pages/charts.md")));
}

#[test]
fn static_files_may_not_replace_generated_ones_and_shadowing_warns() {
    for path in ["index.html", "data/all.json", "feed.xml", "2024-25/q2/index.html", "data/2024-25-q2.csv"] {
        let site = fixture();
        write(site.path(), &format!("static/{path}"), "hand-made");
        let errs = errors(&scrutiny::check(site.path()));
        assert!(errs.iter().any(|e| e.starts_with(&format!("error: static/{path}: this file would take the place of {path}"))), "{path}: {errs:#?}");
        assert!(build(site.path()).is_err(), "{path}");
    }
    let site = fixture();
    write(site.path(), "static/style.css", "body { color: black }");
    write(site.path(), "static/robots.txt", "User-agent: *");
    let diags = scrutiny::check(site.path());
    assert!(errors(&diags).is_empty(), "{diags:#?}");
    assert!(warnings(&diags).iter().any(|w| w.starts_with("warning: static/style.css: this file replaces the built-in theme's style.css")), "{diags:#?}");
    let out = build(site.path()).unwrap();
    assert_eq!(std::fs::read_to_string(out.join("style.css")).unwrap(), "body { color: black }");
    assert!(out.join("robots.txt").is_file());
}

// ---------------------------------------------------------------- the archive guarantee

#[test]
fn a_benchmark_dated_after_a_quarter_is_not_in_its_report() {
    let site = fixture();
    edit(site.path(), "data/benchmarks/satisfaction-nw.yaml", "period: 2023-24", "period: 2026-27");
    let diags = scrutiny::check(site.path());
    let warns = warnings(&diags);
    assert!(
        warns.iter().any(|w| w.starts_with("warning: content/2024-25/q2/safeguarding.md:")
            && w.contains("\"satisfaction-nw\" is for 2026/27, which ends after Quarter 2, 2024/25")),
        "{warns:#?}"
    );
    assert!(warns.iter().any(|w| w.starts_with("warning: content/2024-25/q2/safeguarding.md:") && w.contains("only benchmarks to rank")), "{warns:#?}");
    let out = build(site.path()).unwrap_or_else(|d| panic!("{d:#?}"));
    for page in ["2024-25/q2/safeguarding/index.html", "2024-25/q2/print/index.html"] {
        let html = std::fs::read_to_string(out.join(page)).unwrap();
        assert!(!html.contains("Blackburn with Darwen") && !html.contains("2026/27"), "{page} shows the future benchmark");
    }
}

// ---------------------------------------------------------------- unfinished quarters

#[test]
fn a_published_quarter_with_placeholders_is_an_error_naming_every_file() {
    let site = fixture();
    edit(site.path(), "content/2024-25/q2/_index.md", "The waiting list", "(to be written) The waiting list");
    edit(site.path(), "content/2024-25/q2/contacts.md", "We received", "(to be written) We received");
    let diags = scrutiny::check(site.path());
    let errs = errors(&diags);
    for file in ["content/2024-25/q2/_index.md", "content/2024-25/q2/contacts.md"] {
        assert!(errs.iter().any(|e| e.starts_with(&format!("error: {file}:")) && e.contains("(to be written)")), "{file}: {errs:#?}");
    }
    assert!(build(site.path()).is_err());
}

#[test]
fn a_published_quarter_with_only_blank_figures_is_an_error() {
    let site = fixture();
    write(site.path(), "data/2024-25/q3.yaml", "status: provisional\nvalues:\n  waiting-list: null\n  msp-asked: null\n");
    let errs = errors(&scrutiny::check(site.path()));
    assert!(errs.iter().any(|e| e.starts_with("error: data/2024-25/q3.yaml:") && e.contains("blank")), "{errs:#?}");
    assert!(build(site.path()).is_err());
}

// ---------------------------------------------------------------- serve

#[cfg(unix)]
mod serve {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};

    struct Served {
        child: std::process::Child,
        port: u16,
        _site: tempfile::TempDir,
    }

    impl Drop for Served {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn serve(site: tempfile::TempDir) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_scrutiny"))
            .args(["serve", "--port", "0", "--root"])
            .arg(site.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let port = loop {
            let line = lines.next().expect("serve printed its address").unwrap();
            if let Some(i) = line.find("http://127.0.0.1:") {
                break line[i + 17..].trim_end_matches(|c: char| !c.is_ascii_digit()).split('/').next().unwrap().parse().unwrap();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Served { child, port, _site: site }
    }

    fn status(port: u16, host: Option<&str>) -> String {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
        write!(s, "GET /2024-25/q3/ HTTP/1.1\r\n{host}Connection: close\r\n\r\n").unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out.lines().next().unwrap_or_default().to_string()
    }

    #[test]
    fn only_host_headers_naming_this_server_are_answered() {
        let server = serve(fixture());
        let port = server.port;
        for ok in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
            assert_eq!(status(port, Some(&ok)), "HTTP/1.1 200 OK", "{ok}");
        }
        for bad in [format!("evil.example:{port}"), format!("127.0.0.1.nip.io:{port}"), "127.0.0.1:1".into(), format!("localhost.evil.example:{port}")] {
            assert_eq!(status(port, Some(&bad)), "HTTP/1.1 421 Misdirected Request", "{bad}");
        }
        assert!(!status(port, None).contains("200"), "no Host at all");
    }

    #[test]
    fn serve_stops_on_sigterm_even_with_a_template_that_loops() {
        let site = fixture();
        let page = std::fs::read_to_string("themes/default/templates/page.html").unwrap();
        let server = serve(site);
        // The first build was good; now a save makes every rebuild loop.
        with_theme(
            server._site.path(),
            "page.html",
            &page.replacen("{% block main %}", "{% block main %}{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", 1),
        );
        std::thread::sleep(Duration::from_millis(500));
        let mut server = server;
        let pid = server.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = server.child.try_wait().unwrap() {
                println!("serve stopped: {status}");
                break;
            }
            assert!(Instant::now() < deadline, "serve still running 20 s after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

// ---------------------------------------------------------------- scaling

/// A site with `n` sections, `n` metrics (one a section), `n` glossary terms each used once,
/// and one quarter referring to every metric.
fn generated(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "site.toml", "title = \"Scale\"\norganisation = \"Scale Council\"\nbase_url = \"https://scale.example/\"\n");
    let mut metrics = String::from("sections:\n");
    for i in 0..n {
        metrics.push_str(&format!("  - {{ id: section-{i}, title: Section {i} }}\n"));
    }
    metrics.push_str("metrics:\n");
    for i in 0..n {
        metrics.push_str(&format!("  - {{ id: metric-{i}, title: Metric {i}, section: section-{i}, unit: count, polarity: neutral, frequency: quarterly }}\n"));
    }
    write(root, "data/metrics.yaml", &metrics);
    let words = |i: usize| -> String { format!("term{}", (0..4).map(|k| (b'a' + ((i / 26usize.pow(k)) % 26) as u8) as char).collect::<String>()) };
    let glossary: String = (0..n).map(|i| format!("{}: meaning {i}\n", words(i))).collect();
    write(root, "data/glossary.yaml", &glossary);
    let values: String = (0..n).map(|i| format!("  metric-{i}: {i}\n")).collect();
    write(root, "data/2024-25/q1.yaml", &format!("status: final\npublished: 2024-08-01\nvalues:\n{values}"));
    let prose: String = (0..n).map(|i| format!("We looked at {} and ", words(i))).collect();
    write(root, "content/_index.md", "Home\n");
    write(root, "content/2024-25/q1/_index.md", &format!("---\nsummary: Scale\n---\n{prose}more.\n"));
    for i in 0..n {
        write(root, &format!("content/2024-25/q1/section-{i}.md"), &format!("The figure is {{{{ metric-{i} }}}}.\n"));
    }
    dir
}

fn check_time(n: usize) -> Duration {
    let site = generated(n);
    let started = Instant::now();
    let diags = scrutiny::check(site.path());
    let took = started.elapsed();
    assert!(errors(&diags).is_empty(), "{:#?}", &errors(&diags)[..errors(&diags).len().min(5)]);
    took
}

#[test]
fn check_time_grows_roughly_linearly_with_the_site() {
    let n = 120;
    check_time(n / 4); // warm up
    let one = check_time(n);
    let four = check_time(4 * n);
    let ratio = four.as_secs_f64() / one.as_secs_f64();
    println!("check with {n} sections, metrics and glossary terms: {one:?}; with {}: {four:?}; ratio {ratio:.1} (linear: 4, quadratic: 16)", 4 * n);
    assert!(ratio < 8.0, "4x the input took {ratio:.1}x the time ({one:?} then {four:?})");
}

#[test]
fn a_ranking_uses_the_newest_benchmark_by_when_its_period_ends() {
    let site = fixture();
    let annual = std::fs::read_to_string(site.path().join("data/benchmarks/satisfaction-nw.yaml")).unwrap();
    write(site.path(), "data/benchmarks/satisfaction-nw-q1.yaml", &annual.replace("period: 2023-24", "period: 2024-25/q1"));
    let out = build(site.path()).unwrap_or_else(|d| panic!("{d:#?}"));
    let q2 = std::fs::read_to_string(out.join("2024-25/q2/safeguarding/index.html")).unwrap();
    assert!(q2.contains("People satisfied with their care and support: North West (Q1 2024/25)"), "the quarterly benchmark ended later than the annual one");
    assert!(!q2.contains("People satisfied with their care and support: North West (2023/24)"));
}

#[cfg(unix)]
#[test]
fn new_quarter_never_writes_through_a_link_out_of_the_site() {
    let site = fixture();
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), site.path().join("content/2025-26")).unwrap();
    let e = scrutiny::new_quarter(site.path(), "2025-26/q1").unwrap_err();
    assert!(e.starts_with("content/2025-26: this is a link to something outside the site folder"), "{e}");
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0, "nothing was written outside");
}

#[test]
fn characters_scrutiny_uses_as_marks_stay_text_in_commentary_titles_and_figures_files() {
    let site = fixture();
    let marks = "\u{E000}0\u{E001} \u{E003}chart\u{E003} \u{E004} \u{E005}";
    edit(site.path(), "content/2024-25/q2/contacts.md", "We received", &format!("Marked {marks} we received"));
    edit(site.path(), "data/metrics.yaml", "title: Contacts received each month", "title: \"Contacts \\uE004 received each month\"");
    let out = build(site.path()).expect("warnings only");
    let metric = std::fs::read_to_string(out.join("metrics/contacts-received/index.html")).unwrap();
    assert!(metric.contains("Contacts \u{FFFD} received each month"), "{metric}");
    let page = std::fs::read_to_string(out.join("2024-25/q2/contacts/index.html")).unwrap();
    // Not the first reference's figure, not a chart anchor, sprite name or root path: the text, each mark as U+FFFD.
    assert!(page.contains("Marked \u{FFFD}0\u{FFFD} \u{FFFD}chart\u{FFFD} \u{FFFD} \u{FFFD} we received"), "{page}");
    for (path, text) in output_text(&out) {
        assert!(!text.chars().any(|c| ('\u{E000}'..='\u{E00F}').contains(&c)), "{path} holds a mark");
    }
}
