//! Integration tests: build fixture sites and assert on the parsed output.

use crate::common::{copy_dir, files, fixture};

use scraper::{Html, Selector};
use std::path::{Path, PathBuf};

fn build(root: &Path, drafts: bool, base_url: Option<&str>) -> PathBuf {
    let out = root.join("public");
    let r = scrutiny::build(&scrutiny::BuildOptions {
        root: root.to_path_buf(),
        output: Some(out.clone()),
        drafts,
        base_url: base_url.map(str::to_string),
        records: None,
    });
    if let Err(d) = &r {
        panic!("build failed: {d:#?}");
    }
    out
}

fn page(out: &Path, path: &str) -> Html {
    Html::parse_document(&std::fs::read_to_string(out.join(path)).unwrap_or_else(|e| panic!("{path}: {e}")))
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

#[test]
fn every_url_of_the_spec_exists() {
    let site = fixture();
    let out = build(site.path(), false, None);
    for p in [
        "index.html",
        "2024-25/q2/index.html",
        "2024-25/q2/contacts/index.html",
        "2024-25/q2/safeguarding/index.html",
        "2024-25/q2/print/index.html",
        "2024-25/q2/appendix/index.html",
        "latest/index.html",
        "metrics/waiting-list/index.html",
        "glossary/index.html",
        "accessibility/index.html",
        "data/waiting-list.csv",
        "data/2024-25-q2.csv",
        "data/all.json",
        "sitemap.xml",
        "feed.xml",
        "404.html",
        "style.css",
    ] {
        assert!(out.join(p).is_file(), "{p} missing");
    }
    let latest = page(&out, "latest/index.html");
    let link = latest.select(&sel("main a")).next().unwrap();
    assert_eq!(link.value().attr("href"), Some("../2024-25/q3/"));
    let feed = std::fs::read_to_string(out.join("feed.xml")).unwrap();
    assert_eq!(feed.matches("<entry>").count(), 3);
}

#[test]
fn two_builds_are_byte_identical() {
    let site = fixture();
    let a = files(&build(site.path(), false, None));
    let b = files(&build(site.path(), false, None));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(v == &b[k], "{k} differs between two builds");
    }
}

/// The archive guarantee: adding a newer quarter leaves every older report's content unchanged.
#[test]
fn adding_a_quarter_leaves_older_reports_unchanged() {
    let with = fixture();
    let without = fixture();
    std::fs::remove_dir_all(without.path().join("content/2024-25/q3")).unwrap();
    std::fs::remove_file(without.path().join("data/2024-25/q3.yaml")).unwrap();
    // With the committee PDFs on, so they are held to the guarantee too.
    for site in [&with, &without] {
        let toml = site.path().join("site.toml");
        let s = std::fs::read_to_string(&toml).unwrap();
        std::fs::write(&toml, format!("{s}\n[pdf]\nenabled = true\n")).unwrap();
    }
    let a = build(with.path(), false, None);
    let b = build(without.path(), false, None);
    let mut compared = 0;
    for q in ["2024-25/q1", "2024-25/q2"] {
        for p in ["", "contacts/", "safeguarding/", "print/", "appendix/"] {
            let path = format!("{q}/{p}index.html");
            let report = |out: &Path| page(out, &path).select(&sel("#report")).next().map(|r| r.html()).unwrap_or_else(|| panic!("{path} has no #report"));
            assert_eq!(report(&a), report(&b), "{path}: report content changed when a newer quarter was added");
            compared += 1;
        }
    }
    // Charts and quarter downloads are part of a report too.
    let (fa, fb) = (files(&a), files(&b));
    // A quarter's chart files are named after it (`charts/2024-25-q1-contacts-HASH.svg`).
    let of_old_quarter =
        |k: &str| k.starts_with("charts/2024-25-q1") || k.starts_with("charts/2024-25-q2") || k.starts_with("data/2024-25-q") || k.ends_with("/report.pdf");
    for (k, v) in fb.iter().filter(|(k, _)| of_old_quarter(k)) {
        assert!(fa.get(k) == Some(v), "{k} changed when a newer quarter was added");
        compared += 1;
    }
    assert!(compared > 10);
    assert!(fb.contains_key("2024-25/q1/report.pdf") && fb.contains_key("2024-25/q2/report.pdf"), "the older quarters' PDFs were not compared");
    // The older quarter now says it is archived and points at the newest.
    let old = page(&a, "2024-25/q2/index.html");
    let notice = old.select(&sel(".notice-archived a")).next().expect("archived notice");
    assert_eq!(notice.value().attr("href"), Some("../../2024-25/q3/"));
}

#[test]
fn suppressed_figures_appear_nowhere() {
    let site = fixture();
    let out = build(site.path(), false, None);
    for (path, bytes) in files(&out) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("7919") && !text.contains("7,919"), "the suppressed figure leaked into {path}");
    }
    // It is shown as [c] where the month is listed.
    let metric = page(&out, "metrics/small-team-backlog/index.html");
    let row = metric.select(&sel("tbody tr")).find(|r| r.text().collect::<String>().contains("August 2024")).expect("August row");
    assert!(row.text().collect::<String>().contains("[c]"), "{}", row.html());
    let csv = std::fs::read_to_string(out.join("data/small-team-backlog.csv")).unwrap();
    assert!(csv.lines().any(|l| l.starts_with("small-team-backlog,2024-08,month,,c,")), "{csv}");
}

#[test]
fn raw_html_and_javascript_links_are_inert() {
    let site = fixture();
    let out = build(site.path(), false, None);
    for (path, bytes) in files(&out).into_iter().filter(|(p, _)| p.ends_with(".html")) {
        let doc = Html::parse_document(&String::from_utf8_lossy(&bytes));
        assert_eq!(doc.select(&sel("script")).count(), 0, "{path} has a script element");
        for a in doc.select(&sel("[href], [src]")) {
            let url = a.value().attr("href").or(a.value().attr("src")).unwrap().trim().to_ascii_lowercase();
            assert!(!url.starts_with("javascript:") && !url.starts_with("data:") && !url.starts_with("vbscript:"), "{path}: unsafe link {url}");
        }
    }
    let contacts = std::fs::read_to_string(out.join("2024-25/q2/contacts/index.html")).unwrap();
    assert!(contacts.contains("&lt;script&gt;alert"), "the raw HTML should be shown as text");
    let doc = Html::parse_document(&contacts);
    let external: Vec<_> = doc.select(&sel("main a.external")).collect();
    assert!(external.iter().any(|a| a.value().attr("href") == Some("https://www.cqc.org.uk/") && a.text().collect::<String>().contains("external site")));
}

/// Resolves a link found on `page` (a path below the output) to a file, if it is internal.
fn resolve(page: &str, href: &str) -> Option<(String, Option<String>)> {
    if href.contains("://") || href.starts_with("mailto:") || href.starts_with("tel:") {
        return None;
    }
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (href, None),
    };
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    if path.is_empty() {
        return Some((page.to_string(), fragment));
    }
    for seg in path.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                assert!(parts.pop().is_some(), "{href} on {page} climbs above the site root");
            }
            s => parts.push(s),
        }
    }
    let mut target = parts.join("/");
    if path.ends_with('/') || target.is_empty() {
        target = format!("{}index.html", if target.is_empty() { String::new() } else { format!("{target}/") });
    }
    Some((target, fragment))
}

#[test]
fn every_internal_link_resolves_under_a_sub_path() {
    let site = fixture();
    let out = build(site.path(), false, Some("https://www.council.example/deep/asc-reports/"));
    let all = files(&out);
    let mut checked = 0;
    for (path, bytes) in all.iter().filter(|(p, _)| p.ends_with(".html") && *p != "404.html") {
        let doc = Html::parse_document(&String::from_utf8_lossy(bytes));
        for el in doc.select(&sel("a[href], link[href], img[src]")) {
            let href = el.value().attr("href").or(el.value().attr("src")).unwrap();
            assert!(!href.starts_with('/'), "{path}: root-relative link {href} breaks under a sub-path");
            let Some((target, fragment)) = resolve(path, href) else { continue };
            assert!(all.contains_key(&target), "{path}: link {href} -> {target} does not exist");
            if let Some(f) = fragment.filter(|f| !f.is_empty()) {
                let t = Html::parse_document(&String::from_utf8_lossy(&all[&target]));
                let id = sel(&format!("[id=\"{f}\"]"));
                assert!(t.select(&id).next().is_some(), "{path}: fragment #{f} missing in {target}");
            }
            checked += 1;
        }
    }
    assert!(checked > 300, "only {checked} links checked");
    // 404.html is served at any depth, so its links are rooted at the base path.
    let nf = page(&out, "404.html");
    for a in nf.select(&sel("main a")) {
        assert!(a.value().attr("href").unwrap().starts_with("/deep/asc-reports/"));
    }
    let canonical = page(&out, "2024-25/q2/index.html");
    let link = canonical.select(&sel("link[rel=canonical]")).next().unwrap();
    assert_eq!(link.value().attr("href"), Some("https://www.council.example/deep/asc-reports/2024-25/q2/"));
}

/// Every chart is shown from a view of its commentary's one SVG file (a sprite): the wide
/// drawing, and a phone drawing picked below 41.99em on screens. Every view a page names is in
/// the file, sized as the page says; ids are unique in each file; a file holds every chart of
/// its commentary rather than one file a drawing; the figure has a readable anchor its link
/// points at, and a link that opens the drawing alone.
#[test]
fn charts_are_views_in_one_file_a_commentary() {
    use std::collections::{BTreeMap, BTreeSet};
    let site = fixture();
    let out = build(site.path(), false, None);
    let all = files(&out);
    // Each sprite's views, each as [x, y, width, height], and its ids.
    let mut sprites = BTreeMap::new();
    for (path, bytes) in all.iter().filter(|(p, _)| p.starts_with("charts/")) {
        let svg = String::from_utf8_lossy(bytes).to_string();
        let root = &svg[..svg.find('>').unwrap()];
        assert!(root.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{path}");
        // A root with a size or a viewBox makes browsers letterbox a view.
        for a in [" width=", " height=", " viewBox="] {
            assert!(!root.contains(a), "{path}: the root has{a}");
        }
        let ids: Vec<String> = svg.split(" id=\"").skip(1).map(|t| t[..t.find('"').unwrap()].to_string()).collect();
        let views: BTreeMap<String, [f32; 4]> = svg
            .split("<view ")
            .skip(1)
            .map(|t| {
                let a = |n: &str| t.split(&format!("{n}=\"")).nth(1).unwrap().split('"').next().unwrap().to_string();
                let b: Vec<f32> = a("viewBox").split(' ').map(|n| n.parse().unwrap()).collect();
                (a("id"), [b[0], b[1], b[2], b[3]])
            })
            .collect();
        sprites.insert(path.clone(), (views, ids));
    }
    for (path, (_, ids)) in &sprites {
        let unique: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{path}: ids repeat: {ids:?}");
    }
    let mut charts = 0;
    let mut shown: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, bytes) in all.iter().filter(|(p, _)| p.ends_with(".html")) {
        let doc = Html::parse_document(&String::from_utf8_lossy(bytes));
        assert!(doc.select(&sel("figure.chart svg")).next().is_none(), "{path}: a chart is inlined");
        assert!(!bytes.windows(8).any(|w| w == b"<!--scre" || w == b"<!--/scr"), "{path}: a screen-only mark is left");
        let dir = Path::new(path).parent().unwrap();
        for fig in doc.select(&sel("figure.chart")) {
            charts += 1;
            let id = fig.value().attr("id").unwrap();
            assert!(id.starts_with("chart-"), "{path}: {id}");
            let source = fig.select(&sel("picture > source")).next().unwrap_or_else(|| panic!("{path}: {id} has no phone drawing"));
            assert_eq!(source.value().attr("media"), Some("screen and (max-width: 41.99em)"));
            let img = fig.select(&sel("picture > img")).next().unwrap();
            assert!(fig.select(&sel("details.chart-data table")).next().is_some(), "{path}: {id} has no table of its figures");
            // The print page is the report to print: a chart's links to share it and open it alone
            // are on its section page (and the overview), not repeated there.
            let link = fig.select(&sel(".chart-link a")).next();
            let open = fig.select(&sel(".chart-download a")).next();
            if path.ends_with("/print/index.html") {
                assert!(link.is_none() && open.is_none(), "{path}: {id} has screen-only links");
            } else {
                let link = link.unwrap_or_else(|| panic!("{path}: {id} has no link"));
                assert_eq!(link.value().attr("href"), Some(format!("#{id}").as_str()));
                let open = open.unwrap_or_else(|| panic!("{path}: {id} has no link to open it"));
                assert_eq!(open.value().attr("href"), img.value().attr("src"), "{path}: the link opens the wide drawing");
            }
            for (el, href, wide) in [(img, img.value().attr("src").unwrap(), true), (source, source.value().attr("srcset").unwrap(), false)] {
                let (file, view) = href.split_once('#').unwrap_or_else(|| panic!("{path}: {href} names no view"));
                // Short ids, unique in their file: `c0` the first chart's wide drawing, `c0n` its phone one.
                let k = view.strip_prefix('c').unwrap_or_else(|| panic!("{path}: {href}")).trim_end_matches('n');
                assert!(k.parse::<usize>().is_ok() && (wide ^ view.ends_with('n')), "{path}: {href}");
                // The file, as a path below the output.
                let mut parts: Vec<&str> = dir.to_str().unwrap().split('/').filter(|p| !p.is_empty()).collect();
                for p in file.split('/') {
                    if p == ".." {
                        parts.pop();
                    } else {
                        parts.push(p);
                    }
                }
                let file = parts.join("/");
                let (views, _) = sprites.get(&file).unwrap_or_else(|| panic!("{path}: {file} is not a chart file"));
                let b = views.get(view).unwrap_or_else(|| panic!("{path}: {file} has no view {view}"));
                let size = |a: &str| el.value().attr(a).unwrap().parse::<f32>().unwrap();
                assert_eq!((b[2], b[3]), (size("width"), size("height")), "{path}: {href} is not sized as its view");
                shown.entry(file).or_default().insert(view.to_string());
            }
        }
    }
    assert!(charts > 5, "{charts}");
    // Every file is shown, and holds what pages show of it: a commentary's charts, wide and narrow.
    assert_eq!(shown.keys().collect::<Vec<_>>(), sprites.keys().collect::<Vec<_>>());
    for (file, views) in &shown {
        assert_eq!(views.len(), sprites[file].0.len(), "{file}: views no page shows");
    }
    assert!(shown.values().any(|v| v.len() >= 4), "no file holds two charts: {shown:?}");
}

#[test]
fn ids_are_unique_on_every_page() {
    let site = fixture();
    let out = build(site.path(), false, None);
    for (path, bytes) in files(&out).into_iter().filter(|(p, _)| p.ends_with(".html")) {
        let doc = Html::parse_document(&String::from_utf8_lossy(&bytes));
        let mut seen = std::collections::HashSet::new();
        for el in doc.select(&sel("[id]")) {
            let id = el.value().attr("id").unwrap();
            assert!(seen.insert(id.to_string()), "{path}: duplicate id {id}");
        }
    }
}

#[test]
fn figures_and_words_come_from_the_data() {
    let site = fixture();
    let out = build(site.path(), false, None);
    let doc = page(&out, "2024-25/q2/contacts/index.html");
    let prose = doc.select(&sel("main .prose")).next().unwrap().text().collect::<String>();
    // 1450 + 1380 + 1422 this quarter; the previous quarter revised to 1210 + 1300 + 1295.
    assert!(prose.contains("We received 4,252 contacts this quarter, up 447 from 3,805"), "{prose}");
    assert!(prose.contains("The waiting list is improving: 90 last quarter"), "{prose}");
    let safeguarding = page(&out, "2024-25/q2/safeguarding/index.html");
    let text = safeguarding.select(&sel("main .prose")).next().unwrap().text().collect::<String>();
    assert!(text.contains("We asked 88% of people about their outcomes (6th of 23 in the North West)"), "{text}");
    // The provisional quarter marks its figures [p] and says so; the unavailable one is [x], never 0.
    let q3 = page(&out, "2024-25/q3/index.html");
    let t = q3.select(&sel("main")).next().unwrap().text().collect::<String>();
    assert!(t.contains("[x]") && t.contains("not available"), "{t}");
    assert!(q3.select(&sel(".flag-key")).next().is_some(), "a page using shorthand needs its key");
    let status = q3.select(&sel(".quarter-status")).next().unwrap().text().collect::<String>();
    assert!(status.contains("Provisional"), "{status}");
}

#[test]
fn glossary_terms_are_marked_on_first_use_only() {
    let site = fixture();
    let out = build(site.path(), false, None);
    let doc = page(&out, "2024-25/q2/contacts/index.html");
    let terms: Vec<_> = doc.select(&sel("main a.term")).collect();
    assert_eq!(terms.iter().filter(|a| a.text().collect::<String>().starts_with("CQC")).count(), 1);
    let a = terms[0];
    assert_eq!(a.value().attr("href"), Some("../../../glossary/#term-cqc"));
    assert!(a.text().collect::<String>().contains("Care Quality Commission"), "the meaning is readable without a mouse");
    let glossary = page(&out, "glossary/index.html");
    assert!(glossary.select(&sel("#term-cqc")).next().is_some());
    let s42 = glossary.select(&sel("#term-s-42")).next().expect("S.42 entry").text().collect::<String>();
    assert!(s42.contains("S42") && s42.contains("Section 42"), "aliases listed: {s42}");
}

#[test]
fn quarter_switcher_lands_on_the_same_section() {
    let site = fixture();
    let out = build(site.path(), false, None);
    let doc = page(&out, "2024-25/q2/safeguarding/index.html");
    let links: Vec<String> = doc.select(&sel(".quarter-switcher a")).map(|a| a.value().attr("href").unwrap().to_string()).collect();
    assert!(links.contains(&"../../../2024-25/q1/safeguarding/".to_string()), "{links:?}");
    assert!(links.contains(&"../../../2024-25/q3/safeguarding/".to_string()), "{links:?}");
}

#[test]
fn drafts_only_when_asked() {
    let site = fixture();
    std::fs::write(site.path().join("content/2024-25/q3/_index.md"), "---\ndraft: true\n---\nDraft summary.\n").unwrap();
    let out = build(site.path(), false, None);
    assert!(!out.join("2024-25/q3").exists());
    let latest = page(&out, "latest/index.html");
    assert_eq!(latest.select(&sel("main a")).next().unwrap().value().attr("href"), Some("../2024-25/q2/"));
    let out = build(site.path(), true, None);
    let q3 = page(&out, "2024-25/q3/index.html");
    assert!(q3.select(&sel(".notice-draft")).next().is_some());
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = fixture();
    let out = build(site.path(), false, None);
    let before = files(&out);
    std::fs::write(site.path().join("data/2024-25/q2.yaml"), "status: final\nvalues:\n  waitng-list: 3\n").unwrap();
    let r =
        scrutiny::build(&scrutiny::BuildOptions { root: site.path().to_path_buf(), output: Some(out.clone()), drafts: false, base_url: None, records: None });
    assert!(r.is_err());
    assert_eq!(files(&out), before);
}

#[test]
fn refuses_an_output_that_is_the_site_or_holds_content() {
    let site = fixture();
    for bad in [site.path().to_path_buf(), site.path().join("content"), site.path().join("data/out")] {
        let r = scrutiny::build(&scrutiny::BuildOptions {
            root: site.path().to_path_buf(),
            output: Some(bad.clone()),
            drafts: false,
            base_url: None,
            records: None,
        });
        assert!(r.is_err(), "{} was accepted", bad.display());
    }
    assert!(site.path().join("content/_index.md").exists());
    assert!(site.path().join("data/metrics.yaml").exists());
}

/// What a rebuild reuses: a commentary edit re-renders its quarter only, a data edit that
/// quarter and later ones, a template edit every page but no chart; output equals a fresh build.
#[test]
fn rebuilds_reuse_exactly_what_did_not_change() {
    use scrutiny::BuildCache as RenderCache;
    let site = fixture();
    let root = site.path();
    let cache = RenderCache::default();
    let build = |cache: &RenderCache| scrutiny::build_in_memory_cached(root, false, None, cache).unwrap();
    let first = build(&cache);
    let s = cache.last_stats();
    assert_eq!((s.quarters_reused, s.quarters_rendered), (0, 3));
    let again = build(&cache);
    assert_eq!(cache.last_stats().quarters_reused, 3);
    assert_eq!(first.files, again.files);

    let contacts = root.join("content/2024-25/q2/contacts.md");
    let text = std::fs::read_to_string(&contacts).unwrap();
    std::fs::write(&contacts, text.replace("We received", "This quarter we received")).unwrap();
    let edited = build(&cache);
    let s = cache.last_stats();
    assert_eq!((s.quarters_reused, s.quarters_rendered), (2, 1), "{s:?}");
    assert_eq!(edited.files, scrutiny::build_in_memory(root, false, None).unwrap().files, "cached output differs from a fresh build");

    let q1 = root.join("data/2024-25/q1.yaml");
    std::fs::write(&q1, std::fs::read_to_string(&q1).unwrap().replace("waiting-list: 90", "waiting-list: 92")).unwrap();
    build(&cache);
    let s = cache.last_stats();
    assert_eq!((s.quarters_reused, s.quarters_rendered), (0, 3), "{s:?}");

    let theme = root.join("themes/default/templates");
    std::fs::create_dir_all(&theme).unwrap();
    copy_dir(Path::new("themes/default/templates"), &theme);
    copy_dir(Path::new("themes/default/static"), &root.join("themes/default/static"));
    build(&cache);
    let footer = theme.join("base.html");
    std::fs::write(&footer, std::fs::read_to_string(&footer).unwrap().replace("Published by", "Published for you by")).unwrap();
    let themed = build(&cache);
    let s = cache.last_stats();
    assert_eq!((s.quarters_reused, s.charts_rendered), (0, 0), "{s:?}");
    assert!(s.charts_reused > 0);
    let home = themed.files.iter().find(|f| f.path == "index.html").unwrap();
    assert!(String::from_utf8_lossy(&home.bytes).contains("Published for you by"));
}

#[test]
fn notes_on_figures_reach_readers() {
    let site = fixture();
    let out = build(site.path(), false, None);
    let q3 = page(&out, "2024-25/q3/index.html");
    let row = q3
        .select(&sel("table.kpis tbody tr"))
        .find(|r| r.text().collect::<String>().contains("People waiting for a needs assessment"))
        .expect("waiting list row");
    assert!(row.text().collect::<String>().contains("Note: To be confirmed"), "{}", row.html());
    let csv = std::fs::read_to_string(out.join("data/2024-25-q3.csv")).unwrap();
    assert!(csv.lines().any(|l| l.starts_with("waiting-list,") && l.contains(",To be confirmed,")), "{csv}");
}

#[test]
fn feed_and_sitemap_are_well_formed_and_absolute() {
    let site = fixture();
    let out = build(site.path(), false, Some("https://www.council.example/asc/"));
    for file in ["feed.xml", "sitemap.xml"] {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        let mut reader = quick_xml::Reader::from_str(&text);
        let mut elements = 0;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(quick_xml::events::Event::Start(_)) => elements += 1,
                Ok(_) => {}
                Err(e) => panic!("{file} is not well-formed XML: {e}"),
            }
        }
        assert!(elements > 5, "{file}");
    }
    let feed = std::fs::read_to_string(out.join("feed.xml")).unwrap();
    assert!(feed.contains("<id>https://www.council.example/asc/2024-25/q2/</id>"), "{feed}");
    assert!(feed.contains("<updated>2024-11-06T00:00:00Z</updated>"), "{feed}");
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://www.council.example/asc/2024-25/q2/contacts/</loc>"));
    assert!(!sitemap.contains("latest/") && !sitemap.contains("404"), "redirect and error pages are not listed");
}

#[test]
fn print_report_has_a_cover_a_glossary_and_each_table_once() {
    let site = fixture();
    let out = build(site.path(), false, None);
    let doc = page(&out, "2024-25/q2/print/index.html");
    let cover = doc.select(&sel("dl.cover")).next().expect("a cover block").text().collect::<String>();
    assert!(cover.contains("Status") && cover.contains("Quarter 2, 2024/25"), "{cover}");
    // The running footer names the report.
    let style = doc.select(&sel("head style")).next().expect("print page style").text().collect::<String>();
    assert!(style.contains("@bottom-left") && style.contains("(full report)"), "{style}");
    // The terms used, spelled out at the end.
    let glossary = doc.select(&sel("section[aria-labelledby=glossary] dl.glossary dt")).map(|d| d.text().collect::<String>()).collect::<Vec<_>>();
    assert!(glossary.contains(&"CQC".to_string()), "{glossary:?}");
    // Every section's highlight table once: captions of highlight tables are not repeated within a section.
    for s in doc.select(&sel("section.print-section")) {
        assert!(s.select(&sel("table.kpis")).count() <= 1, "a section prints its highlight table twice");
    }
}

/// A CSVW table's schema: its own (given in place, or by a URL beside the metadata in `data`),
/// or else the group's (CSVW's inherited default).
fn schema_of(data: &Path, meta: &serde_json::Value, table: &serde_json::Value) -> serde_json::Value {
    match table.get("tableSchema") {
        Some(serde_json::Value::String(url)) => {
            let schema: serde_json::Value = serde_json::from_slice(&std::fs::read(data.join(url)).unwrap_or_else(|e| panic!("{url}: {e}"))).unwrap();
            assert_eq!(schema["@context"], "http://www.w3.org/ns/csvw", "{url}");
            schema
        }
        Some(schema) => schema.clone(),
        None => meta["tableSchema"].clone(),
    }
}

#[test]
fn open_data_says_what_it_is_and_how_big() {
    let site = fixture();
    let out = build(site.path(), false, None);
    let csv = std::fs::read_to_string(out.join("data/contacts-received.csv")).unwrap();
    assert!(csv.starts_with("metric_id,period,period_type,value,flags,unit,metric,source\r\n"), "{csv}");
    let meta: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("data/csv-metadata.json")).unwrap()).unwrap();
    let tables = meta["tables"].as_array().unwrap();
    let contacts = tables.iter().find(|t| t["url"] == "contacts-received.csv").expect("contacts-received.csv described");
    let schema = schema_of(&out.join("data"), &meta, contacts);
    let columns = schema["columns"].as_array().unwrap();
    let names: Vec<&str> = columns.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["metric_id", "period", "period_type", "value", "flags", "unit", "metric", "source"]);
    assert!(columns.iter().all(|c| !c["dc:description"].as_str().unwrap().is_empty()));
    let doc = page(&out, "data/index.html");
    let text = doc.select(&sel("main")).next().unwrap().text().collect::<String>();
    assert!(text.contains("Open Government Licence v3.0") && text.contains("Next update"), "{text}");
    let size = std::fs::metadata(out.join("data/contacts-received.csv")).unwrap().len();
    let item = doc.select(&sel("#by-measure + p + ul li")).map(|l| l.text().collect::<String>()).find(|t| t.contains("(CSV)")).unwrap();
    assert!(item.contains("bytes") || item.contains("KB"), "{item} ({size} bytes)");
}

#[test]
fn every_csv_download_is_described_and_the_data_page_names_its_contact_and_next_update() {
    let site = fixture();
    let overview = site.path().join("content/2024-25/q3/_index.md");
    let text = std::fs::read_to_string(&overview).unwrap().replacen("---\n", "---\ncontact: performance@testshire.example\n", 1);
    std::fs::write(&overview, text).unwrap();
    let figures = site.path().join("data/2024-25/q3.yaml");
    let text = std::fs::read_to_string(&figures).unwrap().replacen("status: provisional\n", "status: provisional\nnext_update: 2025-04-30\n", 1);
    std::fs::write(&figures, text).unwrap();
    let out = build(site.path(), false, None);
    let meta: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("data/csv-metadata.json")).unwrap()).unwrap();
    let tables = meta["tables"].as_array().unwrap();
    // Each schema is written once (the group's, or a file the tables name), not once a quarter.
    assert!(tables.iter().all(|t| t.get("tableSchema").is_none_or(|s| s.is_string())), "a table repeats its schema in place");
    let csvs: Vec<String> = files(&out.join("data")).into_keys().filter(|f| f.ends_with(".csv")).collect();
    assert!(csvs.iter().any(|f| f.ends_with("-comparators.csv")) && csvs.iter().any(|f| f.ends_with("-breakdowns.csv")), "{csvs:?}");
    for csv in &csvs {
        let table = tables.iter().find(|t| t["url"] == csv.as_str()).unwrap_or_else(|| panic!("{csv} is not described in csv-metadata.json"));
        let header = std::fs::read_to_string(out.join("data").join(csv)).unwrap().lines().next().unwrap().to_string();
        let schema = schema_of(&out.join("data"), &meta, table);
        let names: Vec<&str> = schema["columns"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(names.join(","), header, "{csv}");
    }
    let doc = page(&out, "data/index.html");
    let text = doc.select(&sel("main dl")).next().unwrap().text().collect::<String>();
    assert!(text.contains("performance@testshire.example") && text.contains("30 April 2025"), "{text}");
}

#[test]
fn benchmark_tables_give_quartiles_in_words_never_as_numbers() {
    let site = fixture();
    let out = build(site.path(), false, None);
    let doc = page(&out, "2024-25/q2/safeguarding/index.html");
    let cells: Vec<String> = doc.select(&sel("table.ranking tbody td:last-child")).map(|c| c.text().collect::<String>()).filter(|t| !t.is_empty()).collect();
    assert!(!cells.is_empty());
    let words = ["top quarter", "upper middle quarter", "lower middle quarter", "bottom quarter"];
    assert!(cells.iter().all(|c| words.contains(&c.as_str())), "{cells:?}");
    let summary = doc.select(&sel(".benchmark-summary")).next().map(|p| p.text().collect::<String>()).unwrap_or_default();
    assert!(!summary.contains("second quarter") && !summary.contains("third quarter"), "{summary}");
}

#[test]
fn benchmarks_of_mixed_periods_rank_with_the_newest_that_ended_by_the_quarter() {
    // One metric and group, three benchmark files: the year 2023/24, its last quarter (which
    // ends the same month) and Quarter 2, 2024/25. Check accepts them; each report's ranking
    // uses the newest benchmark that had ended by its quarter's end, and of two that end the
    // same month, the longer period.
    let site = fixture();
    let root = site.path();
    let year = std::fs::read_to_string(root.join("data/benchmarks/satisfaction-nw.yaml")).unwrap();
    for (name, period, own) in [("satisfaction-nw-q4", "2023-24/q4", "70.0"), ("satisfaction-nw-q2", "2024-25/q2", "50.0")] {
        let text = year.replace("period: 2023-24\n", &format!("period: {period}\n")).replace("  Testshire: 61.5\n", &format!("  Testshire: {own}\n"));
        assert!(text.contains(period) && text.contains(own), "the fixture's benchmark file changed: {year}");
        std::fs::write(root.join(format!("data/benchmarks/{name}.yaml")), text).unwrap();
    }
    for q in ["q1", "q3"] {
        let page = root.join(format!("content/2024-25/{q}/safeguarding.md"));
        let text = std::fs::read_to_string(&page).unwrap();
        std::fs::write(page, format!("{text}\n```chart\nmetric: satisfaction\nkind: ranking\n```\n")).unwrap();
    }
    assert_eq!(scrutiny::check(root).iter().map(|d| d.headline()).collect::<Vec<_>>(), Vec::<String>::new());
    let out = build(root, false, None);
    // The ranking chart's title names the benchmark's period; its table, this council's rank.
    let ranking = |q: &str| -> (String, String) {
        let doc = page(&out, &format!("2024-25/{q}/safeguarding/index.html"));
        let fig = doc
            .select(&sel("figure.chart"))
            .find(|f| f.select(&sel("figcaption")).any(|c| c.text().collect::<String>().contains("North West (")))
            .expect("a ranking chart");
        let title = fig.select(&sel("figcaption")).next().unwrap().text().collect::<String>().trim().to_string();
        let own = fig.select(&sel("tr.highlight td")).next().expect("this council's row").text().collect::<String>();
        (title, own)
    };
    let title = |period: &str| format!("People satisfied with their care and support: North West ({period})");
    // Quarter 1 ends in June 2024: the year and its last quarter have ended, the year is longer.
    assert_eq!(ranking("q1"), (title("2023/24"), "10th".to_string()));
    // From Quarter 2 on, the quarterly benchmark for Quarter 2, 2024/25 is the newest.
    assert_eq!(ranking("q2"), (title("Q2 2024/25"), "23rd".to_string()));
    assert_eq!(ranking("q3"), (title("Q2 2024/25"), "23rd".to_string()));
}
