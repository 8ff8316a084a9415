//! Save-to-reload latency of `scrutiny serve`: the time from writing a commentary
//! file to the server-sent `reload` event, over a number of edits.
//!
//! `cargo run --release --example serve_latency -- [SITE_DIR] [--edits N] [--file REL] [--bin PATH]`
//!
//! The site is copied to a temporary folder first (the original is never touched).
//! By default it edits the first section's commentary in the newest quarter and
//! runs `target/release/scrutiny`. Prints min, median and max of the latency, of
//! the rebuild time the server reports, and of fetching the changed page after
//! the event. `benches/serve_latency.sh` runs it on the example site and on a
//! 40-quarter archive.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

/// Kills the server when the benchmark ends, however it ends.
struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let mut site = PathBuf::from(".");
    let mut edits = 20usize;
    let mut file: Option<String> = None;
    let mut bin = PathBuf::from("target/release/scrutiny");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--edits" => edits = args.next().and_then(|n| n.parse().ok()).expect("--edits N"),
            "--file" => file = args.next(),
            "--bin" => bin = args.next().map(PathBuf::from).expect("--bin PATH"),
            _ if a.starts_with("--") => panic!("unknown option {a}"),
            _ => site = PathBuf::from(a),
        }
    }

    let tmp = tempfile::tempdir().expect("temporary folder");
    let root = tmp.path().join("site");
    std::fs::create_dir_all(&root).unwrap();
    for part in ["site.toml", "content", "data", "themes", "static"] {
        let from = site.join(part);
        if from.exists() {
            copy(&from, &root.join(part));
        }
    }
    let file = file.unwrap_or_else(|| newest_section(&root));
    let path = root.join(&file);
    let original = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let page = page_of(&file);

    let mut child = Command::new(&bin)
        .args(["serve", "--port", "0", "--root"])
        .arg(&root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e} (build it with cargo build --release)", bin.display()));
    let stderr = child.stderr.take().expect("stderr");
    let server = Kill(child);
    let lines = lines(stderr);
    let port = wait_for_port(&lines);
    let mut events = Events::open(port);

    eprintln!("site: {} ({} source files); editing {file}, shown at {page}; {edits} edits", site.display(), count_files(&root));
    let mut latency = Vec::new();
    let mut rebuild = Vec::new();
    let mut fetch = Vec::new();
    for i in 0..edits {
        // Let the previous edit's events settle, as between two saves by hand.
        std::thread::sleep(Duration::from_millis(300));
        drain(&lines);
        let marker = format!("Latency probe number {i}.");
        let text = format!("{}\n\n{marker}\n", original.trim_end());
        let started = Instant::now();
        std::fs::write(&path, text).unwrap();
        if !events.next_reload() {
            panic!("no reload event within {WAIT:?} after edit {i}");
        }
        latency.push(started.elapsed());
        let fetched = Instant::now();
        let body = get(port, &page);
        fetch.push(fetched.elapsed());
        assert!(body.contains(&marker), "{page} does not show edit {i}");
        if let Some(ms) = rebuilt_ms(&lines) {
            rebuild.push(Duration::from_millis(ms));
        }
    }
    std::fs::write(&path, original).unwrap();
    drop(server);

    report("save to reload event", &mut latency);
    report("rebuild (as the server reports it)", &mut rebuild);
    report("fetch of the changed page", &mut fetch);
}

fn report(label: &str, v: &mut [Duration]) {
    if v.is_empty() {
        println!("{label:<36} no samples");
        return;
    }
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("{label:<36} min {:6.1} ms  median {:6.1} ms  max {:6.1} ms  ({} samples)", ms(v[0]), ms(v[v.len() / 2]), ms(v[v.len() - 1]), v.len());
}

fn copy(from: &Path, to: &Path) {
    if from.is_file() {
        std::fs::copy(from, to).unwrap();
        return;
    }
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

fn count_files(root: &Path) -> usize {
    walkdir::WalkDir::new(root).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()).count()
}

/// `content/YYYY-YY/qN/SECTION.md` of the newest quarter, first section by name.
fn newest_section(root: &Path) -> String {
    let mut quarters: Vec<PathBuf> = walkdir::WalkDir::new(root.join("content"))
        .min_depth(2)
        .max_depth(2)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_dir() && e.path().join("_index.md").is_file())
        .map(|e| e.into_path())
        .collect();
    quarters.sort();
    let newest = quarters.last().expect("a quarter under content/");
    let mut sections: Vec<PathBuf> = std::fs::read_dir(newest)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md") && p.file_name().is_some_and(|n| n != "_index.md"))
        .collect();
    sections.sort();
    let section = sections.first().expect("a section file in the newest quarter");
    section.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/")
}

/// `content/2024-25/q2/contacts.md` is shown at `/2024-25/q2/contacts/`.
fn page_of(file: &str) -> String {
    let rel = file.trim_start_matches("content/").trim_end_matches(".md");
    format!("/{rel}/")
}

fn lines(stderr: std::process::ChildStderr) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_for_port(lines: &Receiver<String>) -> u16 {
    let deadline = Instant::now() + WAIT;
    loop {
        let line = lines.recv_timeout(deadline.saturating_duration_since(Instant::now())).expect("the server printed no URL");
        eprintln!("server: {line}");
        if let Some(url) = line.strip_prefix("Serving ").and_then(|r| r.split(" at http://127.0.0.1:").nth(1)) {
            return url.split('/').next().and_then(|p| p.parse().ok()).expect("a port in the URL");
        }
    }
}

fn drain(lines: &Receiver<String>) {
    while lines.try_recv().is_ok() {}
}

/// The build time in the server's `...: rebuilt in 23 ms: ...` line.
fn rebuilt_ms(lines: &Receiver<String>) -> Option<u64> {
    let deadline = Instant::now() + Duration::from_secs(2);
    while let Ok(line) = lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        if let Some(rest) = line.split(": rebuilt in ").nth(1) {
            return rest.split(" ms").next().and_then(|n| n.parse().ok());
        }
    }
    None
}

fn get(port: u16, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    String::from_utf8_lossy(&raw).into_owned()
}

/// The server-sent event stream.
struct Events {
    stream: TcpStream,
    seen: String,
    read_to: usize,
}

impl Events {
    fn open(port: u16) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
        write!(stream, "GET /__scrutiny/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").unwrap();
        let mut events = Events { stream, seen: String::new(), read_to: 0 };
        assert!(events.next("event: build\n"), "no build event");
        events
    }

    fn next_reload(&mut self) -> bool {
        self.next("event: reload\n")
    }

    fn next(&mut self, marker: &str) -> bool {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(at) = self.seen[self.read_to..].find(marker) {
                self.read_to += at + marker.len();
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            let mut buf = [0u8; 4096];
            match self.stream.read(&mut buf) {
                Ok(0) => return false,
                Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buf[..n]).replace("\r\n", "\n")),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(e) => panic!("event stream: {e}"),
            }
        }
    }
}
