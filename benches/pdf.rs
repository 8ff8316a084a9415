//! What the committee PDFs cost: the example site built in memory with `[pdf] enabled = true`
//! and without, each in a fresh process (so nothing typst memoised is reused), CPU time summed
//! over every thread. Prints figures; asserts nothing. `cargo bench --bench pdf`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// User + system CPU seconds of this process so far (Linux: /proc/self/stat, in clock ticks).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn once(root: &Path) {
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    let built = scrutiny::build_in_memory(root, false, None).unwrap_or_else(|d| panic!("{d:#?}"));
    let wall = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu0).map(|(a, b)| a - b).unwrap_or(f64::NAN);
    let pdfs: Vec<_> = built.files.iter().filter(|f| f.path.ends_with(".pdf")).collect();
    let bytes: usize = pdfs.iter().map(|f| f.bytes.len()).sum();
    println!("{cpu} {wall} {} {bytes}", pdfs.len());
}

fn copy_site(from: &Path, to: &Path, pdf: bool) {
    for dir in ["content", "data", "themes", "static"] {
        let src = from.join(dir);
        if !src.is_dir() {
            continue;
        }
        for e in walkdir::WalkDir::new(&src) {
            let e = e.unwrap();
            let target = to.join(e.path().strip_prefix(from).unwrap());
            if e.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(e.path(), &target).unwrap();
            }
        }
    }
    let toml = std::fs::read_to_string(from.join("site.toml")).unwrap();
    let toml = match toml.find("[pdf]") {
        Some(i) if !pdf => toml[..i].to_string(),
        Some(_) => toml,
        None if pdf => format!("{toml}\n[pdf]\nenabled = true\n"),
        None => toml,
    };
    std::fs::write(to.join("site.toml"), toml).unwrap();
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--once") {
        once(Path::new(&args[i + 1]));
        return;
    }
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let runs = 5;
    let mut figures = Vec::new();
    for pdf in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        copy_site(&example, dir.path(), pdf);
        let mut cpu = Vec::new();
        let mut wall = Vec::new();
        let mut last = String::new();
        for _ in 0..runs {
            let out = Command::new(std::env::current_exe().unwrap()).arg("--once").arg(dir.path()).output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            last = String::from_utf8(out.stdout).unwrap();
            let f: Vec<f64> = last.split_whitespace().map(|x| x.parse().unwrap_or(f64::NAN)).collect();
            cpu.push(f[0]);
            wall.push(f[1]);
        }
        let f: Vec<&str> = last.split_whitespace().collect();
        println!(
            "example site, build in memory, PDFs {}: median of {runs} fresh processes: {:.0} ms CPU, {:.0} ms wall ({} PDFs, {} KiB)",
            if pdf { "on " } else { "off" },
            median(cpu.clone()) * 1000.0,
            median(wall.clone()) * 1000.0,
            f[2],
            f[3].parse::<usize>().unwrap_or(0) / 1024
        );
        figures.push(median(cpu));
    }
    println!("the PDFs' share: {:.0} ms CPU for the whole example site", (figures[1] - figures[0]) * 1000.0);
}
