//! Generates a large archive site for benchmarks:
//! `cargo run --release --example archive -- DIR [QUARTERS] [--sections N] [--hugo HUGO_DIR] [--hugo-chrome HUGO_DIR]`.
//! `--hugo` writes the prose for Hugo with bare layouts (a title and the text) and no feeds or
//! sitemap; `--hugo-chrome` the same prose with the page chrome every scrutiny page has (header,
//! site links, breadcrumbs, the quarter's links, footer) and Hugo's own outputs left on (a feed
//! per section, a sitemap), a Hugo site closer to the one a council would run.
//! 10 sections by default (N may be more, for scaling runs), 4 metrics a section (every unit and
//! frequency), 3 charts per section, inline references.

use std::fmt::Write as _;
use std::path::Path;

const SECTIONS: [&str; 10] =
    ["contacts", "waiting-lists", "assessments", "reviews", "services", "safeguarding", "complaints", "care-market", "quality", "workforce"];

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

struct M {
    id: String,
    unit: &'static str,
    freq: &'static str,
}

/// Section names: the ten above, then numbered repeats of them.
fn sections(n: usize) -> Vec<String> {
    (0..n).map(|i| if i < SECTIONS.len() { SECTIONS[i].to_string() } else { format!("{}-{}", SECTIONS[i % SECTIONS.len()], i / SECTIONS.len() + 1) }).collect()
}

fn metrics(sections: &[String]) -> Vec<M> {
    let mut v = Vec::new();
    for (si, s) in sections.iter().enumerate() {
        for k in 0..4 {
            let (unit, freq) = match (si + k) % 8 {
                0 => ("count", "monthly"),
                1 => ("percent", "quarterly"),
                2 => ("days", "quarterly"),
                3 => ("count", "monthly"),
                4 => ("rate", "quarterly"),
                5 => ("percent", "annual"),
                6 => ("score", "quarterly"),
                _ => ("currency", "quarterly"),
            };
            v.push(M { id: format!("{s}-m{k}"), unit, freq });
        }
    }
    v
}

/// A deterministic wavy series so charts have shape.
fn value(unit: &str, seed: usize, t: usize) -> f64 {
    let base = (seed % 7 + 3) as f64;
    let wave = ((t as f64 * 0.7 + seed as f64).sin() + 1.0) / 2.0;
    match unit {
        "percent" => (40.0 + 50.0 * wave * 0.9).round(),
        "days" => (10.0 + base * 5.0 * wave).round(),
        "rate" => ((300.0 + 200.0 * wave) * 10.0).round() / 10.0,
        "score" => ((15.0 + 5.0 * wave) * 10.0).round() / 10.0,
        "currency" => (18.0 + 5.0 * wave * 100.0).round() / 100.0 * 100.0,
        _ => (base * 100.0 + 300.0 * wave).round(),
    }
}

const HUGO_BARE: &str = "<!DOCTYPE html><html lang=\"en\"><head><title>{{ .Title }}</title></head><body><nav>{{ range .Site.Sections }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}</nav><main>{{ block \"main\" . }}{{ end }}</main></body></html>\n";

/// The chrome of a scrutiny section page (base.html and partials/quarter_banner.html), in Hugo's words.
const HUGO_CHROME: &str = r##"<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} - {{ .Site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" title="{{ $.Site.Title }}" href="{{ .RelPermalink }}">{{ end }}
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header"><div class="width">
<p class="site-title"><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></p>
<p class="site-org">Bench Council</p>
</div></header>
<nav class="site-nav" aria-label="Site"><ul class="width">
<li><a href="{{ "/" | relURL }}">Home</a>
<li><a href="{{ "/latest/" | relURL }}">Latest report</a>
<li><a href="{{ "/metrics/" | relURL }}">Metrics</a>
<li><a href="{{ "/glossary/" | relURL }}">Glossary</a>
<li><a href="{{ "/data/" | relURL }}">Open data</a>
</ul></nav>
<div class="width">
<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>
{{ range .Ancestors.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}<li aria-current="page">{{ .Title }}</li>
</ol></nav>
{{ with .CurrentSection }}<section class="quarter-banner" aria-label="About this report">
<p class="quarter-title">{{ .Title }}</p>
<nav class="quarter-links" aria-label="This quarter"><ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
{{ end }}</ul></nav>
</section>{{ end }}
<main id="main" tabindex="-1">
{{ block "main" . }}{{ end }}
</main>
</div>
<footer class="site-footer"><div class="width">
<ul><li><a href="{{ "/data/" | relURL }}">Open data downloads</a>
<li><a href="{{ "/glossary/" | relURL }}">Glossary</a>
<li><a href="{{ "/index.xml" | relURL }}">Subscribe to new reports (RSS feed)</a>
</ul>
<p>Published by Bench Council.</p>
</div></footer>
</body>
</html>
"##;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = Path::new(args.first().expect("usage: archive DIR [QUARTERS] [--sections N] [--hugo HUGO_DIR] [--hugo-chrome HUGO_DIR]"));
    let quarters: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(40);
    let flag = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(Path::new);
    let hugos: Vec<(&Path, bool)> = [flag("--hugo").map(|h| (h, false)), flag("--hugo-chrome").map(|h| (h, true))].into_iter().flatten().collect();
    let n_sections: usize = args.iter().position(|a| a == "--sections").and_then(|i| args.get(i + 1)).and_then(|n| n.parse().ok()).unwrap_or(10);
    let sections = sections(n_sections);
    let ms = metrics(&sections);
    write(root, "site.toml", "title = \"Archive benchmark\"\norganisation = \"Bench Council\"\nbase_url = \"https://bench.example/asc/\"\n[comparators]\nnw = { name = \"North West\", members = 23 }\nengland = { name = \"England\" }\n");
    let mut cat = String::from("sections:\n");
    for s in &sections {
        let _ = writeln!(cat, "  - id: {s}\n    title: {} section", s.replace('-', " "));
    }
    cat.push_str("metrics:\n");
    for (i, m) in ms.iter().enumerate() {
        let section = &m.id[..m.id.rfind("-m").unwrap()];
        let _ = write!(cat, "  - id: {}\n    title: Measure {} of the {} section\n    section: {section}\n    unit: {}\n    polarity: {}\n    frequency: {}\n    source: Case management system\n    good: Higher or lower as the polarity says\n", m.id, i, section, m.unit, ["higher", "lower", "neutral"][i % 3], m.freq);
        if m.unit == "rate" {
            cat.push_str("    per: 100000\n");
        }
        if m.freq == "monthly" {
            cat.push_str("    aggregate: sum\n");
        }
        if i % 4 == 0 {
            let _ = writeln!(cat, "    target: {}", value(m.unit, i, 0));
        }
    }
    write(root, "data/metrics.yaml", &cat);
    write(root, "data/glossary.yaml", "CQC: Care Quality Commission\nASC: Adult Social Care\nNHS: National Health Service\n");
    let first_year = 2025 - quarters.div_ceil(4);
    let mut q_list = Vec::new();
    for n in 0..quarters {
        let year = first_year + n / 4;
        q_list.push((format!("{}-{:02}", year, (year + 1) % 100), n % 4 + 1, year));
    }
    for (t, (fy, qn, year)) in q_list.iter().enumerate() {
        // Published about six weeks after the quarter ends.
        let (pub_year, pub_month) = match qn {
            1 => (*year, 8),
            2 => (*year, 11),
            3 => (year + 1, 2),
            _ => (year + 1, 5),
        };
        let mut data = format!("status: final\npublished: {pub_year}-{pub_month:02}-15\nvalues:\n");
        for (i, m) in ms.iter().enumerate() {
            match m.freq {
                "monthly" => {
                    let first = 4 + 3 * (qn - 1);
                    let months: Vec<String> = (0..3)
                        .map(|k| {
                            let mo = first + k;
                            let (y, mo) = if mo > 12 { (year + 1, mo - 12) } else { (*year, mo) };
                            format!("{y}-{mo:02}: {}", value(m.unit, i, t * 3 + k))
                        })
                        .collect();
                    let _ = writeln!(data, "  {}:\n    months: {{ {} }}", m.id, months.join(", "));
                }
                "annual" if *qn == 2 => {
                    let _ = writeln!(
                        data,
                        "  {}: {{ value: {}, year: {}-{:02}, rank: {{ nw: {} }}, compare: {{ nw: 61.0, england: 60.5 }} }}",
                        m.id,
                        value(m.unit, i, t),
                        year - 1,
                        year % 100,
                        i % 23 + 1
                    );
                }
                "annual" => {}
                _ => {
                    let _ = writeln!(
                        data,
                        "  {}: {{ value: {}, rank: {{ nw: {} }}, compare: {{ nw: {}, england: {} }} }}",
                        m.id,
                        value(m.unit, i, t),
                        (t + i) % 23 + 1,
                        value(m.unit, i + 1, t),
                        value(m.unit, i + 2, t)
                    );
                }
            }
        }
        write(root, &format!("data/{fy}/q{qn}.yaml"), &data);
        write(root, &format!("content/{fy}/q{qn}/_index.md"), &format!("---\nsummary: Quarter {qn} of {fy} in brief\n---\nThis quarter the ASC service saw demand rise. The waiting list stands at {{{{ {} }}}}, {{{{ {}.change }}}}.\n\n```kpis\nall: true\n```\n", ms[0].id, ms[0].id));
        for (si, s) in sections.iter().enumerate() {
            let sm = &ms[si * 4..si * 4 + 4];
            let mut body = format!("---\ntitle: {s}\nsummary: What happened in {s}\n---\n");
            for p in 0..4 {
                let _ = writeln!(body, "Paragraph {p} about {s}: the figure was {{{{ {} }}}}, {{{{ {}.change }}}}, which is {{{{ {}.direction }}}}. The CQC and the NHS work with us on this; performance officers review the numbers every month and compare them with neighbouring councils before the report goes to committee.\n", sm[p % 4].id, sm[p % 4].id, sm[p % 4].id);
            }
            for c in 0..3 {
                let m = &sm[c];
                let kind = if m.freq == "annual" { "bar" } else { ["line", "bar", "line"][c] };
                let _ = write!(
                    body,
                    "```chart\nmetric: {}\nkind: {kind}\nmonths: 24\n{}```\n\n",
                    m.id,
                    if m.freq == "quarterly" { "compare: [nw, england]\n" } else { "" }
                );
            }
            write(root, &format!("content/{fy}/q{qn}/{s}.md"), &body);
            for (h, _) in &hugos {
                let prose: String = body
                    .lines()
                    .filter(|l| !l.starts_with("```") && !l.contains(':') || l.starts_with("Paragraph"))
                    .collect::<Vec<_>>()
                    .join("\n")
                    .replace("{{", "")
                    .replace("}}", "");
                write(h, &format!("content/{fy}/q{qn}/{s}.md"), &format!("---\ntitle: {s}\n---\n{prose}\n"));
            }
        }
        for (h, _) in &hugos {
            write(h, &format!("content/{fy}/q{qn}/_index.md"), &format!("---\ntitle: Quarter {qn} {fy}\n---\nThis quarter the service saw demand rise.\n"));
        }
    }
    for (h, chrome) in &hugos {
        // As scrutiny's site, served from a sub-path; the bare one as it always was.
        let (config, base) = if *chrome {
            ("baseURL = \"https://bench.example/asc/\"\n", HUGO_CHROME)
        } else {
            ("baseURL = \"https://bench.example/\"\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\"]\n", HUGO_BARE)
        };
        write(h, "hugo.toml", &format!("{config}title = \"Archive benchmark\"\n"));
        write(h, "layouts/_default/baseof.html", base);
        write(h, "layouts/_default/single.html", "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n");
        write(h, "layouts/_default/list.html", "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}<ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n");
    }
    eprintln!("wrote {quarters} quarters, {} sections, {} metrics to {}", sections.len(), ms.len(), root.display());
}
