//! The publishing templates in docs/publishing/ are tested as far as this machine allows:
//! each workflow is parsed with the project's own YAML reader, its keys are checked, and every
//! `scrutiny` command it runs is run, as written, against a copy of the example site.

use scrutiny::load::{Node, Value};
use std::collections::HashMap;
use std::path::Path;

fn parse(path: &str) -> Node {
    let text = std::fs::read_to_string(path).unwrap();
    scrutiny::load::yaml::parse(&text).unwrap_or_else(|e| panic!("{path}:{}:{}: {}", e.pos.line, e.pos.column, e.message))
}

fn get<'n>(n: &'n Node, key: &str) -> Option<&'n Node> {
    match &n.value {
        Value::Map(entries) => entries.iter().find(|(k, _)| k.as_key().as_deref() == Some(key)).map(|(_, v)| v),
        _ => None,
    }
}

/// The node at a path of keys, e.g. `at(doc, "jobs.check.steps")`.
fn at<'n>(n: &'n Node, path: &str) -> &'n Node {
    path.split('.').fold(n, |n, k| get(n, k).unwrap_or_else(|| panic!("no {path} (missing {k})")))
}

fn text(n: &Node) -> String {
    n.as_key().unwrap_or_else(|| panic!("not text: {n:?}"))
}

fn items(n: &Node) -> &[Node] {
    match &n.value {
        Value::Seq(items) => items,
        _ => panic!("not a list: {n:?}"),
    }
}

fn keys(n: &Node) -> Vec<String> {
    match &n.value {
        Value::Map(entries) => entries.iter().map(|(k, _)| text(k)).collect(),
        _ => panic!("not a mapping: {n:?}"),
    }
}

/// Every shell line a GitHub job runs, and every action it uses.
fn github_steps(job: &Node) -> (Vec<String>, Vec<String>) {
    let (mut runs, mut uses) = (Vec::new(), Vec::new());
    for step in items(at(job, "steps")) {
        if let Some(r) = get(step, "run") {
            runs.extend(text(r).lines().map(str::to_string));
        }
        if let Some(u) = get(step, "uses") {
            uses.push(text(u));
        }
    }
    (runs, uses)
}

/// Splits a shell line into words (double quotes only), expanding `$NAME` from `vars`.
fn words(line: &str, vars: &HashMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '$' => {
                let mut name = String::new();
                while let Some(&n) = chars.peek().filter(|n| n.is_ascii_alphanumeric() || **n == '_') {
                    name.push(n);
                    chars.next();
                }
                word.push_str(vars.get(&name).unwrap_or_else(|| panic!("${name} in {line:?} is not set by the workflow")));
            }
            ' ' if !quoted => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            _ => word.push(c),
        }
    }
    assert!(!quoted, "unclosed quote in {line:?}");
    if !word.is_empty() {
        out.push(word);
    }
    out
}

fn vars(n: &Node) -> HashMap<String, String> {
    match &n.value {
        Value::Map(entries) => entries.iter().map(|(k, v)| (text(k), text(v))).collect(),
        _ => panic!("not a mapping"),
    }
}

/// A copy of the example site (the repository root), as a council's repository would hold it.
fn example_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for d in ["content", "data", "themes", "static"] {
        if Path::new(d).is_dir() {
            crate::common::copy_dir(Path::new(d), &dir.path().join(d));
        }
    }
    std::fs::copy("site.toml", dir.path().join("site.toml")).unwrap();
    dir
}

/// Runs the `scrutiny` lines of a pipeline, in order, in the site's folder; each must succeed.
fn run_scrutiny_lines(lines: &[String], vars: &HashMap<String, String>, site: &Path) -> usize {
    let mut ran = 0;
    for line in lines {
        let w = words(line.trim().trim_start_matches("- "), vars);
        if w.first().map(String::as_str) != Some("scrutiny") {
            continue;
        }
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_scrutiny")).args(&w[1..]).current_dir(site).output().unwrap();
        assert!(out.status.success(), "`{line}` failed on the example site:\n{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        ran += 1;
    }
    ran
}

#[test]
fn the_github_workflow_checks_pull_requests_and_publishes_main() {
    let doc = parse("docs/publishing/github/report-site.yml");
    let on = keys(at(&doc, "on"));
    assert!(on.contains(&"pull_request".into()) && on.contains(&"push".into()), "{on:?}");
    assert_eq!(items(at(&doc, "on.push.branches")).iter().map(text).collect::<Vec<_>>(), ["main"]);
    let env = vars(at(&doc, "env"));
    assert!(env["BASE_URL"].starts_with("https://"), "{env:?}");
    assert_eq!(keys(at(&doc, "jobs")), ["check", "build", "deploy"]);

    let (check_runs, check_uses) = github_steps(at(&doc, "jobs.check"));
    assert!(text(at(&doc, "jobs.check.if")).contains("pull_request"));
    assert!(check_runs.iter().any(|r| r.starts_with("scrutiny check --format github")), "{check_runs:?}");
    assert!(check_runs.iter().any(|r| r.starts_with("scrutiny build --drafts")), "a preview with drafts: {check_runs:?}");
    assert!(check_uses.iter().any(|u| u.starts_with("actions/upload-artifact@")), "the preview is an artefact: {check_uses:?}");
    assert!(check_uses.iter().any(|u| u.starts_with("actions/cache@")), "the cargo build is cached: {check_uses:?}");

    let (build_runs, build_uses) = github_steps(at(&doc, "jobs.build"));
    assert!(build_runs.iter().any(|r| r.contains("--base-url \"$BASE_URL\"")), "{build_runs:?}");
    assert!(build_runs.iter().any(|r| r.starts_with("cargo install --locked")), "{build_runs:?}");
    assert!(build_uses.iter().any(|u| u.starts_with("actions/upload-pages-artifact@")), "{build_uses:?}");
    let (_, deploy_uses) = github_steps(at(&doc, "jobs.deploy"));
    assert!(deploy_uses.iter().any(|u| u.starts_with("actions/deploy-pages@")), "{deploy_uses:?}");
    assert_eq!(text(at(&doc, "jobs.deploy.permissions.pages")), "write");
    assert_eq!(text(at(&doc, "jobs.deploy.permissions.id-token")), "write");
    for u in check_uses.iter().chain(&build_uses).chain(&deploy_uses) {
        assert!(u.contains("@v"), "pin actions to a version: {u}");
    }

    // The same commands, against the example site.
    let site = example_site();
    assert_eq!(run_scrutiny_lines(&check_runs, &env, site.path()), 2);
    assert_eq!(run_scrutiny_lines(&build_runs, &env, site.path()), 2);
    let home = std::fs::read_to_string(site.path().join("public/index.html")).unwrap();
    assert!(home.contains(&format!("<link rel=\"canonical\" href=\"{}\">", env["BASE_URL"])), "built for the production address");
    let preview = std::fs::read_to_string(site.path().join("preview/index.html")).unwrap();
    assert!(preview.contains("http://127.0.0.1:8000/"), "the preview is built for its own address");
    assert!(site.path().join("public/404.html").is_file());
}

#[test]
fn the_gitlab_pipeline_checks_merge_requests_and_publishes_pages() {
    let doc = parse("docs/publishing/gitlab/.gitlab-ci.yml");
    let variables = vars(at(&doc, "variables"));
    let mut env = variables.clone();
    env.insert("CI_PROJECT_DIR".into(), "/builds/site".into());
    let check = at(&doc, "check");
    assert!(text(at(&items(at(check, "rules"))[0], "if")).contains("merge_request_event"));
    assert!(text(at(&items(at(&doc, "pages.rules"))[0], "if")).contains("CI_DEFAULT_BRANCH"));
    assert_eq!(items(at(check, "artifacts.paths")).iter().map(text).collect::<Vec<_>>(), ["preview/"]);
    let pages = at(&doc, "pages");
    assert_eq!(items(at(pages, "artifacts.paths")).iter().map(text).collect::<Vec<_>>(), ["public/"], "GitLab Pages publishes public/");
    let script = |job: &Node| items(at(job, "script")).iter().map(text).collect::<Vec<_>>();
    let before = items(at(&doc, "default.before_script")).iter().map(text).collect::<Vec<_>>();
    assert!(before.iter().any(|l| l.contains("cargo install --locked")), "{before:?}");
    assert_eq!(items(at(&doc, "default.cache.paths")).iter().map(text).collect::<Vec<_>>(), [".cargo/bin/"]);

    let site = example_site();
    assert_eq!(run_scrutiny_lines(&script(check), &env, site.path()), 2);
    assert_eq!(run_scrutiny_lines(&script(pages), &env, site.path()), 2);
    let home = std::fs::read_to_string(site.path().join("public/index.html")).unwrap();
    assert!(home.contains(&format!("<link rel=\"canonical\" href=\"{}\">", variables["BASE_URL"])));
}

#[test]
fn the_release_workflow_builds_for_windows_linux_and_macos_on_tags() {
    let doc = parse("docs/publishing/github/release.yml");
    assert!(items(at(&doc, "on.push.tags")).iter().any(|t| text(t).starts_with('v')));
    let targets: Vec<String> = items(at(&doc, "jobs.upload-assets.strategy.matrix.include")).iter().map(|i| text(at(i, "target"))).collect();
    for want in ["x86_64-pc-windows-msvc", "x86_64-unknown-linux-gnu", "aarch64-apple-darwin"] {
        assert!(targets.iter().any(|t| t == want), "{want} missing from {targets:?}");
    }
    let step = items(at(&doc, "jobs.upload-assets.steps"))
        .iter()
        .find(|s| get(s, "uses").is_some_and(|u| text(u).starts_with("taiki-e/upload-rust-binary-action@")))
        .expect("the upload action");
    assert_eq!(text(at(step, "with.bin")), "scrutiny");
    assert_eq!(text(at(step, "with.locked")), "true");
    assert_eq!(text(at(step, "with.zip")), "windows");
    // The binary it names is the one Cargo.toml builds.
    let cargo = std::fs::read_to_string("Cargo.toml").unwrap();
    assert!(cargo.contains("name = \"scrutiny\""));
}

#[test]
fn the_web_server_settings_serve_index_pages_404_and_cache_charts() {
    let iis = std::fs::read_to_string("docs/publishing/servers/iis-web.config").unwrap();
    let mut reader = quick_xml::Reader::from_str(&iis);
    let mut names = Vec::new();
    loop {
        match reader.read_event().expect("web.config is well-formed XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => names.push(String::from_utf8_lossy(e.name().as_ref()).into_owned()),
            _ => {}
        }
    }
    for want in ["defaultDocument", "httpErrors", "mimeMap", "location"] {
        assert!(names.iter().any(|n| n == want), "web.config has no <{want}>");
    }
    for (file, wants) in [
        ("docs/publishing/servers/iis-web.config", ["index.html", "404.html", "immutable"]),
        ("docs/publishing/servers/nginx.conf", ["index index.html", "error_page 404", "immutable"]),
        ("docs/publishing/servers/apache.htaccess", ["DirectoryIndex index.html", "ErrorDocument 404", "immutable"]),
    ] {
        let text = std::fs::read_to_string(file).unwrap();
        for w in wants {
            assert!(text.contains(w), "{file} lacks {w}");
        }
    }
    // The cache rules rely on chart names ending in a ten-digit hash: check the build still names them so.
    let built = scrutiny::build_in_memory(Path::new("."), false, None).unwrap();
    // (Charts drawn inside pages, if any, need no rule.)
    let charts: Vec<&str> = built.files.iter().filter_map(|f| f.path.strip_prefix("charts/")).collect();
    for c in charts {
        let stem = c.strip_suffix(".svg").unwrap_or_else(|| panic!("{c}"));
        let hash = stem.rsplit('-').next().unwrap();
        assert!(hash.len() == 10 && hash.bytes().all(|b| b.is_ascii_hexdigit()), "chart name {c} does not end in a hash");
    }
}

#[test]
fn shell_words_expand_variables_and_keep_quoted_spaces() {
    let vars: HashMap<String, String> = [("BASE_URL".to_string(), "https://x.example/a b/".to_string())].into();
    assert_eq!(
        words("scrutiny build --base-url \"$BASE_URL\" --output public", &vars),
        ["scrutiny", "build", "--base-url", "https://x.example/a b/", "--output", "public"]
    );
}
