//! The command line, run as officers and CI run it.

mod common;
use common::copy_dir;

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
