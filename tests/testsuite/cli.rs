//! The command line, run as officers and CI run it.

use crate::common::copy_dir;

use std::path::Path;
use std::process::Command;

fn scrutiny(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_scrutiny")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn check_on_the_example_site_prints_only_a_summary() {
    let (code, stdout, stderr) = scrutiny(&["check", "--root", "."]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].starts_with("0 errors, 0 warnings ("), "{stderr}");
}

#[test]
fn check_reports_every_problem_in_each_format_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("tests/fixtures/basic"), dir.path());
    std::fs::write(dir.path().join("data/2024-25/q1.yaml"), "status: final\npublished: 2024-08-07\nvalues:\n  waitng-list: 90\n  msp-asked: 180\n").unwrap();
    let root = dir.path().to_str().unwrap();
    let (code, _, human) = scrutiny(&["check", "--root", root]);
    assert_eq!(code, 1);
    assert!(
        human.contains(
            "error: data/2024-25/q1.yaml:4:3: unknown metric \"waitng-list\" (did you mean \"waiting-list\"?)\n  |\n4 |   waitng-list: 90\n  |   ^\n  = help: "
        ),
        "{human}"
    );
    assert!(human.contains("data/2024-25/q1.yaml:5:14: the value of \"msp-asked\" is 180"), "{human}");
    assert!(human.trim_end().ends_with(&format!("2 errors, 0 warnings ({}", human.trim_end().rsplit('(').next().unwrap())), "{human}");
    let (_, _, github) = scrutiny(&["check", "--root", root, "--format", "github"]);
    let expected = format!("::error file={}/data/2024-25/q1.yaml,line=4,col=3::unknown metric", root.trim_end_matches('/'));
    assert!(github.starts_with(&expected), "{github}");
    let (code, json, _) = scrutiny(&["check", "--root", root, "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["line"], 4);
    assert_eq!(v[0]["severity"], "error");
}

#[test]
fn warnings_fail_only_when_denied() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("tests/fixtures/basic"), dir.path());
    std::fs::write(dir.path().join("content/2024-25/q2/contacts.md"), "The ADASS survey.\n").unwrap();
    let root = dir.path().to_str().unwrap();
    assert_eq!(scrutiny(&["check", "--root", root]).0, 0);
    assert_eq!(scrutiny(&["check", "--root", root, "--deny-warnings"]).0, 1);
}

#[test]
fn new_quarter_scaffolds_from_the_newest_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("tests/fixtures/basic"), dir.path());
    let root = dir.path().to_str().unwrap();
    let (code, _, stderr) = scrutiny(&["new-quarter", "2024-25/q4", "--root", root]);
    assert_eq!(code, 0, "{stderr}");
    for f in ["content/2024-25/q4/_index.md", "content/2024-25/q4/contacts.md", "content/2024-25/q4/safeguarding.md", "data/2024-25/q4.yaml"] {
        assert!(dir.path().join(f).is_file(), "{f} not created: {stderr}");
        assert!(stderr.contains(&format!("created {f}")), "{stderr}");
    }
    // The scaffold is a valid draft: the site still checks without errors.
    let (code, _, out) = scrutiny(&["check", "--root", root]);
    assert_eq!(code, 0, "{out}");
    // Running it again changes nothing.
    std::fs::write(dir.path().join("content/2024-25/q4/contacts.md"), "My own words.\n").unwrap();
    let (code, _, stderr) = scrutiny(&["new-quarter", "2024-25/q4", "--root", root]);
    assert_eq!(code, 1, "nothing to do is an error an officer should see");
    assert_eq!(stderr.trim(), "error: Quarter 4, 2024/25 already exists: nothing was created (its files were left as they were)");
    assert_eq!(std::fs::read_to_string(dir.path().join("content/2024-25/q4/contacts.md")).unwrap(), "My own words.\n");
    assert_ne!(scrutiny(&["new-quarter", "2024-26/q4", "--root", root]).0, 0);
}

#[test]
fn new_quarter_carries_the_report_details_and_format_2_blocks_forward() {
    let dir = tempfile::tempdir().unwrap();
    for d in ["content", "data"] {
        copy_dir(Path::new(d), &dir.path().join(d));
    }
    std::fs::copy("site.toml", dir.path().join("site.toml")).unwrap();
    // An author whose words hold a colon and quotes stays text.
    let q1 = dir.path().join("content/2025-26/q1/_index.md");
    let text = std::fs::read_to_string(&q1).unwrap();
    let text = text.lines().filter(|l| !l.starts_with("author:")).map(|l| format!("{l}\n")).collect::<String>().replacen(
        "---\n",
        "---\nauthor: 'Head of Performance: \"Intelligence\"'\n",
        1,
    );
    std::fs::write(&q1, text).unwrap();
    let root = dir.path().to_str().unwrap();
    let (code, _, stderr) = scrutiny(&["new-quarter", "2025-26/q2", "--root", root]);
    assert_eq!(code, 0, "{stderr}");
    let overview = std::fs::read_to_string(dir.path().join("content/2025-26/q2/_index.md")).unwrap();
    assert!(overview.contains("report_to: \"Health and Adult Social Care Scrutiny Committee\"\n"), "{overview}");
    assert!(overview.contains("author: \"Head of Performance: \\\"Intelligence\\\"\"\n"), "{overview}");
    assert!(overview.contains("contact: \"asc.performance@westmere.example\"\n") && !overview.contains("\nmeeting:"), "{overview}");
    let figures = std::fs::read_to_string(dir.path().join("data/2025-26/q2.yaml")).unwrap();
    assert!(figures.contains("  complaints-outcome:\n    by: { upheld: null, partly-upheld: null, not-upheld: null, withdrawn: null }\n"), "{figures}");
    let safeguarding = std::fs::read_to_string(dir.path().join("content/2025-26/q2/safeguarding.md")).unwrap();
    let before = std::fs::read_to_string(dir.path().join("content/2025-26/q1/safeguarding.md")).unwrap();
    for fence in ["```compare", "```breakdown"] {
        assert_eq!(safeguarding.contains(fence), before.contains(fence), "{fence} not carried forward:\n{safeguarding}");
    }
    let (code, _, out) = scrutiny(&["check", "--root", root]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn build_prints_what_it_did_and_a_failed_build_says_the_output_was_kept() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("tests/fixtures/basic"), dir.path());
    let root = dir.path().to_str().unwrap();
    let (code, _, stderr) = scrutiny(&["build", "--root", root]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.starts_with("built ") && stderr.contains(" pages into "), "{stderr}");
    assert!(dir.path().join("public/index.html").exists());
    std::fs::write(dir.path().join("data/metrics.yaml"), "sections: [\n").unwrap();
    let (code, _, stderr) = scrutiny(&["build", "--root", root]);
    assert_eq!(code, 1);
    assert!(stderr.contains("the previous output was left as it was"), "{stderr}");
    assert!(dir.path().join("public/index.html").exists());
}

#[test]
fn check_catches_template_mistakes_too() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("tests/fixtures/basic"), dir.path());
    copy_dir(Path::new("themes/default"), &dir.path().join("themes/default"));
    let page = dir.path().join("themes/default/templates/page.html");
    std::fs::write(&page, std::fs::read_to_string(&page).unwrap().replace("{{ page.body }}", "{{ page.bdy.x }}")).unwrap();
    let root = dir.path().to_str().unwrap();
    let (code, _, stderr) = scrutiny(&["check", "--root", root]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.starts_with("error: themes/default/templates/page.html:5:1: template error: `page.bdy` is undefined"), "{stderr}");
    assert!(!dir.path().join("public").exists(), "check writes nothing");
}

#[test]
fn init_writes_a_site_that_checks_and_builds_and_warns_only_about_the_statement() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("asc");
    let root = site.to_str().unwrap();
    let (code, _, stderr) = scrutiny(&["init", root, "--organisation", "Westmere Borough Council"]);
    assert_eq!(code, 0, "{stderr}");
    // The quarter containing today, by the clock (UTC), as a draft.
    #[cfg(unix)]
    {
        let ym = String::from_utf8(Command::new("date").args(["-u", "+%Y %m"]).output().unwrap().stdout).unwrap();
        let (y, m) = ym.trim().split_once(' ').unwrap();
        let (y, m): (u16, u8) = (y.parse().unwrap(), m.parse().unwrap());
        let (start, q) = match m {
            1..=3 => (y - 1, 4),
            4..=6 => (y, 1),
            7..=9 => (y, 2),
            _ => (y, 3),
        };
        let quarter = format!("{start}-{:02}/q{q}", (start + 1) % 100);
        let overview = std::fs::read_to_string(site.join(format!("content/{quarter}/_index.md"))).unwrap();
        assert!(overview.contains("draft: true"), "{overview}");
        assert!(site.join(format!("data/{quarter}.yaml")).is_file());
    }
    assert!(std::fs::read_to_string(site.join("site.toml")).unwrap().contains("organisation = \"Westmere Borough Council\""));

    // check: no error; every warning is a part of the statement still to complete, one for each mark.
    let statement = std::fs::read_to_string(site.join("content/pages/accessibility.md")).unwrap();
    let marks = statement.matches("[to complete:").count();
    assert!(marks >= 8, "{statement}");
    let (code, json, _) = scrutiny(&["check", "--root", root, "--format", "json"]);
    assert_eq!(code, 0, "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let diags = v.as_array().unwrap();
    assert_eq!(diags.len(), marks, "{json}");
    for d in diags {
        assert_eq!(d["severity"], "warning", "{d}");
        assert_eq!(d["file"], "content/pages/accessibility.md", "{d}");
        assert!(d["message"].as_str().unwrap().starts_with("a part still to complete: "), "{d}");
    }
    assert_eq!(scrutiny(&["check", "--root", root, "--deny-warnings"]).0, 1);

    // build, without and with the draft quarter.
    let out = dir.path().join("out");
    let (code, _, stderr) = scrutiny(&["build", "--root", root, "--output", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    for page in ["index.html", "accessibility/index.html", "glossary/index.html", "metrics/contacts-received/index.html", "404.html"] {
        assert!(out.join(page).is_file(), "{page} not built");
    }
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains("Westmere Borough Council"), "{home}");
    let drafts = dir.path().join("drafts");
    let (code, _, stderr) = scrutiny(&["build", "--root", root, "--drafts", "--output", drafts.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let quarters = std::fs::read_dir(&drafts).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().contains("-")).count();
    assert!(quarters >= 1, "the draft quarter is built with --drafts");

    // Once every marked part is written, the site is clean even with warnings denied.
    let mut filled = String::new();
    let mut rest = statement.as_str();
    while let Some(at) = rest.find("[to complete:") {
        filled.push_str(&rest[..at]);
        filled.push_str("our own words");
        rest = &rest[at + rest[at..].find(']').unwrap() + 1..];
    }
    filled.push_str(rest);
    std::fs::write(site.join("content/pages/accessibility.md"), filled).unwrap();
    let (code, _, stderr) = scrutiny(&["check", "--root", root, "--deny-warnings"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.starts_with("0 errors, 0 warnings"), "{stderr}");
}

#[test]
fn init_names_the_example_council_by_default_and_refuses_a_folder_with_anything_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("new");
    assert_eq!(scrutiny(&["init", site.to_str().unwrap()]).0, 0);
    assert!(std::fs::read_to_string(site.join("site.toml")).unwrap().contains("organisation = \"Example Council\""));

    let taken = dir.path().join("taken");
    std::fs::create_dir(&taken).unwrap();
    std::fs::write(taken.join(".keep"), "mine").unwrap();
    let (code, _, stderr) = scrutiny(&["init", taken.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.starts_with("error: ") && stderr.contains("is not empty"), "{stderr}");
    assert_eq!(std::fs::read_dir(&taken).unwrap().count(), 1, "nothing written");
    assert_eq!(std::fs::read_to_string(taken.join(".keep")).unwrap(), "mine");

    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let (code, _, stderr) = scrutiny(&["init", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("is not a folder"), "{stderr}");

    let (code, _, stderr) = scrutiny(&["init", dir.path().join("bad").to_str().unwrap(), "--organisation", "Two\nlines"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("one line of text"), "{stderr}");
    assert!(!dir.path().join("bad").exists());
}

#[cfg(unix)]
#[test]
fn serve_open_opens_the_served_address_in_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("tests/fixtures/basic"), &dir.path().join("site"));
    let opened = dir.path().join("opened");
    let browser = dir.path().join("browser.sh");
    std::fs::write(&browser, format!("#!/bin/sh\necho \"$1\" > '{}'\n", opened.display())).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_scrutiny"))
        .args(["serve", "--root", dir.path().join("site").to_str().unwrap(), "--port", "0", "--open"])
        .env("SCRUTINY_BROWSER", &browser)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let mut url = String::new();
    while started.elapsed() < std::time::Duration::from_secs(20) {
        url = std::fs::read_to_string(&opened).unwrap_or_default();
        if url.ends_with('\n') {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    let url = url.trim();
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with('/'), "the browser was given {url:?}");
    let port: u16 = url.trim_start_matches("http://127.0.0.1:").trim_end_matches('/').parse().unwrap();
    assert_ne!(port, 0, "the address has the port actually listened on");
}

#[test]
fn help_for_check_says_it_renders_without_writing() {
    let (code, out, _) = scrutiny(&["check", "--help"]);
    assert_eq!(code, 0);
    assert!(!out.contains("without building"), "{out}");
    assert!(out.contains("renders it in memory, writing nothing"), "{out}");
}

#[test]
fn imports_exit_0_on_success_and_1_with_every_problem_and_the_mend() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("tests/fixtures/basic"), dir.path());
    std::fs::copy("tests/import/site.toml", dir.path().join("site.toml")).unwrap();
    std::fs::copy("tests/import/metrics.yaml", dir.path().join("data/metrics.yaml")).unwrap();
    let root = dir.path().to_str().unwrap();
    let (code, _, stderr) = scrutiny(&["import", "ascof", "tests/import/ascof-2023-24.csv", "--year", "2023-24", "--root", root]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("wrote data/benchmarks/msp-asked-nw-2023-24.yaml (12 councils, overall 77.7)\n"), "{stderr}");
    let (code, _, stderr) = scrutiny(&["import", "ascof", "tests/import/ascof-2023-24.csv", "--year", "2023-25", "--root", root]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.starts_with("error: --year: \"2023-25\" is not a financial year"), "{stderr}");
    let csv = dir.path().join("q3.csv");
    std::fs::write(&csv, "metric,period,value\nwaitng-list,2024-25/q3,77\nmsp-asked,2024-25/q3,lots\n").unwrap();
    let before = std::fs::read(dir.path().join("data/2024-25/q3.yaml")).unwrap();
    let (code, _, stderr) = scrutiny(&["import", "figures", csv.to_str().unwrap(), "--quarter", "2024-25/q3", "--root", root]);
    assert_eq!(code, 1, "{stderr}");
    let shown = csv.to_str().unwrap();
    assert_eq!(
        stderr,
        format!(
            "error: {shown}:2: unknown metric \"waitng-list\" (did you mean \"waiting-list\"?)\n  = help: use an id defined in data/metrics.yaml, or add the metric there first\nerror: {shown}:3: column \"value\": \"lots\" is not a number\n  = help: give a number, or leave it blank (not available), or write [x] or [c]\nnothing was written\n"
        )
    );
    assert_eq!(std::fs::read(dir.path().join("data/2024-25/q3.yaml")).unwrap(), before);
}
