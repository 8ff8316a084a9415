//! Generates a large archive site for benchmarks:
//! `cargo run --release --example archive -- DIR [QUARTERS] [--sections N] [--hugo HUGO_DIR]`.
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

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = Path::new(args.first().expect("usage: archive DIR [QUARTERS] [--sections N] [--hugo HUGO_DIR]"));
    let quarters: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(40);
    let hugo = args.iter().position(|a| a == "--hugo").and_then(|i| args.get(i + 1)).map(Path::new);
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
            if let Some(h) = hugo {
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
        if let Some(h) = hugo {
            write(h, &format!("content/{fy}/q{qn}/_index.md"), &format!("---\ntitle: Quarter {qn} {fy}\n---\nThis quarter the service saw demand rise.\n"));
        }
    }
    if let Some(h) = hugo {
        write(
            h,
            "hugo.toml",
            "baseURL = \"https://bench.example/\"\ntitle = \"Archive benchmark\"\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\"]\n",
        );
        write(h, "layouts/_default/baseof.html", "<!DOCTYPE html><html lang=\"en\"><head><title>{{ .Title }}</title></head><body><nav>{{ range .Site.Sections }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}</nav><main>{{ block \"main\" . }}{{ end }}</main></body></html>\n");
        write(h, "layouts/_default/single.html", "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n");
        write(h, "layouts/_default/list.html", "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}<ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n");
    }
    eprintln!("wrote {quarters} quarters, {} sections, {} metrics to {}", sections.len(), ms.len(), root.display());
}
