//! Times `import ascof` on a generated 10 MB release: `cargo run --release --example import_bench [-- MEGABYTES]`.
//! The release has the national file's shape: 153 councils, 9 regions and England; 30 measures,
//! each with a Total and six breakdowns, as Outcome, Numerator and Denominator rows.

use std::fmt::Write as _;
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
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

fn release(target_bytes: usize) -> String {
    let mut areas = vec![("999".to_string(), "England".to_string(), "England", "E92000001".to_string())];
    for r in 1..=9 {
        areas.push((format!("R{r}"), format!("Region {r}"), "Region", format!("E1200000{r}")));
    }
    for c in 1..=153 {
        areas.push((format!("{c}"), format!("Council number {c}, City of"), "Council", format!("E0800{c:04}")));
    }
    let mut measures = vec!["2B(1)".to_string(), "1C(2A)".to_string()];
    // About 1 MB a three measures, so 30 measures make the national file's 10 MB.
    let count = (target_bytes * 3).div_ceil(1024 * 1024).max(3);
    measures.extend((0..count - 2).map(|i| format!("{}{}({})", 5 + i % 4, (b'A' + (i / 4 % 26) as u8) as char, 1 + i / 104)));
    let disaggregations = ["Total", "Male", "Female", "18-64", "65 and over", "Learning disability", "Mental health"];
    let types = ["Outcome", "Numerator", "Denominator"];
    let mut s = String::from("\u{feff}Geographical Code,Geographical Description,Geographical Level,ONS Code,ASCOF Measure Code,Measure Group Description,Disaggregation Level,Measure Type,Measure Value\r\n");
    let mut n = 0u64;
    for (code, name, level, ons) in &areas {
        for m in &measures {
            for d in disaggregations {
                for t in types {
                    n += 1;
                    let v = if n.is_multiple_of(97) { "[c]".to_string() } else { format!("{}.{}", 40 + n % 50, n % 10) };
                    let _ = write!(s, "{code},\"{name}\",{level},{ons},{m},\"Proportion of people, by group\",{d},{t},{v}\r\n");
                }
            }
        }
    }
    s
}

fn main() {
    let mb: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("tests/fixtures/basic"), dir.path());
    let mut site = std::fs::read_to_string("tests/import/site.toml").unwrap();
    // The national release's codes: the fixture's groups over its 153 councils.
    site = site.replace("E08000099", "E08000013");
    std::fs::write(dir.path().join("site.toml"), site).unwrap();
    std::fs::copy("tests/import/metrics.yaml", dir.path().join("data/metrics.yaml")).unwrap();
    let csv = dir.path().join("ascof.csv");
    let text = release(mb * 1024 * 1024);
    std::fs::write(&csv, &text).unwrap();
    println!("release: {:.1} MB, {} lines", text.len() as f64 / 1_048_576.0, text.lines().count());
    let year = scrutiny::period::FinancialYear::parse("2023-24").unwrap();
    let mut times = Vec::new();
    for run in 0..5 {
        let started = std::time::Instant::now();
        let o = scrutiny::import::ascof(dir.path(), &csv, year, true);
        let took = started.elapsed();
        assert!(!o.failed(), "{}", o.render_problems());
        if run == 0 {
            println!("{}", o.summary.last().unwrap());
        }
        times.push(took.as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("import ascof, 5 runs: min {:.0} ms, median {:.0} ms, max {:.0} ms", times[0], times[2], times[4]);
}
