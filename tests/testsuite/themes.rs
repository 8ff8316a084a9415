//! Themes: a partial theme falls back to the built-in templates and stylesheet; an empty
//! glossary has no page and no link.

fn page<'a>(built: &'a scrutiny::BuiltSite, path: &str) -> &'a str {
    let f = built.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path} not built"));
    std::str::from_utf8(&f.bytes).unwrap()
}

/// Sets the fixture's theme to "council", with a templates folder of its own (empty); gives the folder.
fn council_theme(root: &std::path::Path) -> std::path::PathBuf {
    let toml = std::fs::read_to_string(root.join("site.toml")).unwrap();
    std::fs::write(root.join("site.toml"), format!("theme = \"council\"\n{toml}")).unwrap();
    let templates = root.join("themes/council/templates");
    std::fs::create_dir_all(&templates).unwrap();
    templates
}

#[test]
fn a_theme_with_one_template_uses_the_built_in_ones_for_the_rest() {
    let dir = crate::common::fixture();
    let root = dir.path();
    let templates = council_theme(root);
    std::fs::write(templates.join("404.html"), "{% extends \"base.html\" %}{% block main %}<h1>Not here</h1><p>Council 404</p>{% endblock %}").unwrap();
    assert_eq!(scrutiny::check(root), Vec::new());
    let built = scrutiny::build_in_memory(root, false, None).unwrap();
    assert!(page(&built, "404.html").contains("Council 404"), "the theme's own template is used");
    let home = page(&built, "index.html");
    assert!(home.contains("<main id=\"main\""), "the built-in templates stand in for the others");
    assert_eq!(page(&built, "style.css"), std::fs::read_to_string("themes/default/static/style.css").unwrap(), "and the built-in stylesheet");

    // A theme's own stylesheet replaces the built-in one.
    std::fs::create_dir_all(root.join("themes/council/static")).unwrap();
    std::fs::write(root.join("themes/council/static/style.css"), "body { color: black }\n").unwrap();
    let built = scrutiny::build_in_memory(root, false, None).unwrap();
    assert_eq!(page(&built, "style.css"), "body { color: black }\n");
}

#[test]
fn a_mistake_in_a_partial_theme_points_at_its_template() {
    let dir = crate::common::fixture();
    let root = dir.path();
    let templates = council_theme(root);
    std::fs::write(templates.join("page.html"), "{% extends \"base.html\" %}\n{% block main %}\n{{ page.nothing.here }}\n{% endblock %}\n").unwrap();
    let d = scrutiny::check(root);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].headline().starts_with("error: themes/council/templates/page.html:3:1: template error:"), "{}", d[0].headline());
}

#[test]
fn an_empty_glossary_has_no_page_and_no_link() {
    let dir = crate::common::fixture();
    let root = dir.path();
    std::fs::write(root.join("data/glossary.yaml"), "{}\n").unwrap();
    // The fixture's commentary uses acronyms; without a glossary they are only warnings.
    let built = scrutiny::build_in_memory(root, false, None).unwrap();
    assert!(!built.files.iter().any(|f| f.path.starts_with("glossary/")), "no glossary page");
    for f in built.files.iter().filter(|f| f.path.ends_with(".html") || f.path.ends_with(".xml")) {
        let text = std::str::from_utf8(&f.bytes).unwrap();
        assert!(!text.contains("glossary/"), "{} links to the glossary", f.path);
    }
    // With terms, the page and its links are back.
    let dir = crate::common::fixture();
    let built = scrutiny::build_in_memory(dir.path(), false, None).unwrap();
    assert!(page(&built, "glossary/index.html").contains("Care Quality Commission"));
    assert!(page(&built, "index.html").contains("glossary/\">Glossary</a>"));
}

#[test]
fn a_site_with_no_published_quarter_still_has_the_latest_page_every_page_links_to() {
    let dir = tempfile::tempdir().unwrap();
    let q = scrutiny::period::Quarter::parse("2024-25/q2").unwrap();
    scrutiny::init::init(dir.path(), "Example Council", q).unwrap();
    let built = scrutiny::build_in_memory(dir.path(), false, None).unwrap();
    assert!(built.site.latest.is_none(), "init's quarter is a draft");
    let latest = page(&built, "latest/index.html");
    assert!(latest.contains("No report has been published yet"), "{latest}");
    assert!(!latest.contains("http-equiv=\"refresh\""), "{latest}");
    assert!(page(&built, "index.html").contains("href=\"latest/\""));
}
