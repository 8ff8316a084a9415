//! Integration tests of `scrutiny serve`: the compiled binary on an ephemeral port
//! over a temporary copy of the fixture, spoken to over plain HTTP/1.1.
//!
//! Every wait is bounded, and the server is killed when a test ends, passing or not.

use crate::common::fixture;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);
const START: Duration = Duration::from_secs(60);

/// A running `scrutiny serve`, killed on drop.
struct Server {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
    lines: Receiver<String>,
    site: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(site: &Path, extra: &[&str]) -> (Child, Arc<Mutex<String>>, Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scrutiny"))
        .arg("serve")
        .arg("--root")
        .arg(site)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start scrutiny serve");
    let stderr = child.stderr.take().unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = mpsc::channel();
    let log2 = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            log2.lock().unwrap().push_str(&format!("{line}\n"));
            let _ = tx.send(line);
        }
    });
    (child, log, rx)
}

impl Server {
    fn start(site: tempfile::TempDir) -> Server {
        Server::start_with(site, &[])
    }

    fn start_with(site: tempfile::TempDir, args: &[&str]) -> Server {
        let (child, log, lines) = spawn(site.path(), &[&["--port", "0"], args].concat());
        let mut server = Server { child, port: 0, log, lines, site };
        let deadline = Instant::now() + START;
        while server.port == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = server.lines.recv_timeout(left).unwrap_or_else(|_| panic!("no URL printed; output:\n{}", server.log()));
            if let Some(rest) = line.strip_prefix("Serving ") {
                let url = rest.split(" at ").nth(1).and_then(|s| s.split_whitespace().next()).expect("URL in the Serving line");
                let port = url.trim_start_matches("http://127.0.0.1:").trim_end_matches('/');
                server.port = port.parse().unwrap_or_else(|_| panic!("cannot read the port in {line}"));
            }
        }
        server
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits until the output so far passes `test` (the output is read on
    /// another thread, so it may lag behind the events).
    fn log_shows(&self, test: impl Fn(&str) -> bool) -> bool {
        let deadline = Instant::now() + WAIT;
        loop {
            if test(&self.log()) {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.site.path().join(rel)
    }

    fn get(&self, path: &str) -> Response {
        self.request("GET", path)
    }

    fn request(&self, method: &str, path: &str) -> Response {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(WAIT)).unwrap();
        s.set_write_timeout(Some(WAIT)).unwrap();
        write!(s, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", self.port).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        Response::parse(&raw)
    }

    /// Opens the event stream and waits for its first event, so that any build
    /// after this returns is announced on it.
    fn events(&self) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        write!(s, "GET /__scrutiny/events HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: text/event-stream\r\n\r\n", self.port).unwrap();
        let mut events = Events { stream: s, seen: String::new(), read_to: 0 };
        let build = events.next("build").unwrap_or_else(|| panic!("no build event; output:\n{}", self.log()));
        assert!(!build.is_empty());
        events
    }
}

struct Response {
    status: u16,
    head: String,
    body: String,
}

impl Response {
    fn parse(raw: &[u8]) -> Response {
        let text = String::from_utf8_lossy(raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP response");
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        Response { status, head: head.to_string(), body: body.to_string() }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// A server-sent event stream, read with a deadline.
struct Events {
    stream: TcpStream,
    seen: String,
    read_to: usize,
}

impl Events {
    /// The data of the next event of this kind, or None after [`WAIT`].
    fn next(&mut self, kind: &str) -> Option<String> {
        self.next_within(kind, WAIT)
    }

    fn next_within(&mut self, kind: &str, wait: Duration) -> Option<String> {
        let deadline = Instant::now() + wait;
        let marker = format!("event: {kind}\n");
        loop {
            if let Some(at) = self.seen[self.read_to..].find(&marker) {
                let start = self.read_to + at;
                // The event is complete once its blank line has arrived.
                if let Some(end) = self.seen[start..].find("\n\n") {
                    let block = &self.seen[start..start + end];
                    self.read_to = start + end + 2;
                    return Some(block.lines().find_map(|l| l.strip_prefix("data: ")).unwrap_or_default().to_string());
                }
            }
            if Instant::now() >= deadline {
                return None;
            }
            let mut buf = [0u8; 4096];
            match self.stream.read(&mut buf) {
                Ok(0) => return None,
                Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buf[..n]).replace("\r\n", "\n")),
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(e) => panic!("event stream: {e}"),
            }
        }
    }
}

fn reload(server: &Server, events: &mut Events) -> String {
    events.next("reload").unwrap_or_else(|| panic!("no reload event within {WAIT:?}; output:\n{}", server.log()))
}

/// Saves the way vim and VS Code do: a new file renamed over the old one.
fn save_by_rename(path: &Path, text: &str) {
    let tmp = path.with_file_name(format!(".{}.tmp", path.file_name().unwrap().to_string_lossy()));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// `file:line:col` for this file anywhere in the text.
fn has_place(text: &str, file: &str) -> bool {
    text.match_indices(&format!("{file}:")).any(|(i, m)| {
        let rest = &text[i + m.len()..];
        let mut parts = rest.splitn(3, ':');
        let line = parts.next().unwrap_or("");
        let col = parts.next().unwrap_or("");
        !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) && !col.is_empty() && col.bytes().all(|b| b.is_ascii_digit())
    })
}

const CONTACTS: &str = "content/2024-25/q2/contacts.md";
const Q2: &str = "data/2024-25/q2.yaml";

#[test]
fn serves_pages_from_memory_and_nothing_else() {
    let server = Server::start(fixture());

    let home = server.get("/");
    assert_eq!(home.status, 200, "{}", server.log());
    assert_eq!(home.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(home.header("cache-control"), Some("no-store"));
    assert!(home.body.contains("Adult Social Care Performance"));

    let page = server.get("/2024-25/q2/contacts/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("We received"));

    // A folder without its slash is redirected; the query is kept.
    let folder = server.get("/2024-25/q2?x=1");
    assert_eq!(folder.status, 308);
    assert_eq!(folder.header("location"), Some("/2024-25/q2/?x=1"));

    let css = server.get("/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(!css.body.contains("__scrutiny"));

    // HEAD: the headers of GET, no body.
    let head = server.request("HEAD", "/style.css");
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some(css.body.len().to_string().as_str()));
    assert!(head.body.is_empty());

    // Unknown paths get the site's 404 page with status 404.
    let missing = server.get("/no-such-page/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("<html"), "{}", missing.body);

    // Only GET and HEAD.
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let r = server.request(method, "/");
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("allow"), Some("GET, HEAD"), "{method}");
    }
    assert_eq!(server.request("POST", "/__scrutiny/events").status, 405);

    // No traversal, no listings, nothing from outside the output.
    for path in ["/../site.toml", "/../../../../etc/passwd", "/%2e%2e/site.toml", "/2024-25/%2e%2e/%2e%2e/site.toml", "/a%5c..%5csite.toml", "/style.css%00"] {
        let r = server.get(path);
        assert!(r.status == 400 || r.status == 404, "{path}: {}", r.status);
        assert!(!r.body.contains("base_url"), "{path}");
    }
    for path in ["/site.toml", "/content/2024-25/q2/contacts.md", "/data/2024-25/q2.yaml", "/2024-25/", "/charts/"] {
        let r = server.get(path);
        assert_eq!(r.status, 404, "{path}");
        assert!(!r.body.contains("Index of"), "{path}");
    }
}

#[test]
fn the_reload_script_is_served_but_never_built() {
    let site = fixture();
    let out = site.path().join("out");
    let built = Command::new(env!("CARGO_BIN_EXE_scrutiny")).args(["build", "--root"]).arg(site.path()).arg("--output").arg(&out).output().unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let mut html = 0;
    for e in walkdir::WalkDir::new(&out).into_iter().map(Result::unwrap).filter(|e| e.file_type().is_file()) {
        let bytes = std::fs::read(e.path()).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("__scrutiny"), "{} has the live-reload script", e.path().display());
        html += usize::from(e.path().extension().is_some_and(|x| x == "html"));
    }
    assert!(html > 10);
    std::fs::remove_dir_all(&out).unwrap();

    let server = Server::start(site);
    for path in ["/", "/2024-25/q2/", "/2024-25/q2/contacts/", "/no-such-page/"] {
        let body = server.get(path).body;
        let script = body.find("<script src=\"/__scrutiny/live.js\"").unwrap_or_else(|| panic!("{path}: no script"));
        assert!(script < body.rfind("</body>").unwrap(), "{path}: script after </body>");
        assert!(!body.contains("scrutiny-errors"), "{path}: an overlay without errors");
    }
    let js = server.get("/__scrutiny/live.js");
    assert_eq!(js.status, 200);
    assert_eq!(js.header("content-type"), Some("text/javascript; charset=utf-8"));
    assert!(js.body.contains("EventSource(\"/__scrutiny/events\")"));
    // Non-HTML files are served as built.
    assert!(!server.get("/data/all.json").body.contains("__scrutiny"));
}

#[test]
fn a_commentary_edit_reloads_the_page() {
    let server = Server::start(fixture());
    let mut events = server.events();
    let before = server.get("/2024-25/q2/contacts/").body;
    assert!(!before.contains("Edited while serving"));

    let path = server.path(CONTACTS);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("We received", "Edited while serving, we received")).unwrap();
    let id = reload(&server, &mut events);

    let after = server.get("/2024-25/q2/contacts/");
    assert_eq!(after.status, 200);
    assert!(after.body.contains("Edited while serving"), "{}", server.log());
    assert!(after.body.contains(&format!("data-build=\"{id}\"")), "the page is from the announced build");
    // Another quarter's page does not show the commentary.
    assert!(!server.get("/2024-25/q1/contacts/").body.contains("Edited while serving"));
    assert!(server.log_shows(|log| log.contains(&format!("{CONTACTS}: rebuilt in "))), "{}", server.log());
}

#[test]
fn a_broken_data_file_shows_the_overlay_over_the_last_good_page_until_mended() {
    let server = Server::start(fixture());
    let mut events = server.events();
    let path = server.path(Q2);
    let good = std::fs::read_to_string(&path).unwrap();
    assert!(good.contains("  waiting-list: 81\n"));

    std::fs::write(&path, good.replace("  waiting-list: 81\n", "  waiting-lst: 81\n")).unwrap();
    reload(&server, &mut events);
    for page in ["/2024-25/q2/contacts/", "/", "/no-such-page/"] {
        let r = server.get(page);
        let body = &r.body;
        assert!(body.contains("role=\"alertdialog\""), "{page}: no overlay");
        assert!(body.contains("The site could not be rebuilt"), "{page}");
        assert!(has_place(body, Q2), "{page}: no file:line:col in the overlay");
        assert!(body.contains("waiting-lst"), "{page}: no snippet");
        assert!(body.contains(">Dismiss</button>"), "{page}");
    }
    // The last good build is still served underneath.
    let page = server.get("/2024-25/q2/contacts/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("We received"));
    // The terminal says the same as `check`.
    assert!(server.log_shows(|log| has_place(log, Q2) && log.contains("still serving the last good build")), "{}", server.log());
    // Non-HTML files are untouched.
    assert!(!server.get("/style.css").body.contains("alertdialog"));

    std::fs::write(&path, &good).unwrap();
    reload(&server, &mut events);
    let page = server.get("/2024-25/q2/contacts/");
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("scrutiny-errors"), "the overlay stayed after the fix");
    assert!(page.body.contains("We received"));
}

#[test]
fn saving_by_rename_works_every_time() {
    let server = Server::start(fixture());
    let mut events = server.events();
    let path = server.path(CONTACTS);
    let text = std::fs::read_to_string(&path).unwrap();
    for word in ["First rename save", "Second rename save", "Third rename save"] {
        save_by_rename(&path, &text.replace("We received", &format!("{word}: we received")));
        reload(&server, &mut events);
        let body = server.get("/2024-25/q2/contacts/").body;
        assert!(body.contains(word), "{word} not shown; output:\n{}", server.log());
    }
    // A data file too.
    let q2 = server.path(Q2);
    let data = std::fs::read_to_string(&q2).unwrap();
    save_by_rename(&q2, &data.replace("  waiting-list: 81\n", "  waiting-lst: 81\n"));
    reload(&server, &mut events);
    assert!(server.get("/").body.contains("scrutiny-errors"));
    save_by_rename(&q2, &data);
    reload(&server, &mut events);
    assert!(!server.get("/").body.contains("scrutiny-errors"));
}

#[test]
fn polling_sees_saves_too() {
    let server = Server::start_with(fixture(), &["--poll"]);
    let mut events = server.events();
    let path = server.path(CONTACTS);
    let text = std::fs::read_to_string(&path).unwrap();
    for word in ["Polled once", "Polled twice"] {
        save_by_rename(&path, &text.replace("We received", &format!("{word}, we received")));
        reload(&server, &mut events);
        assert!(server.get("/2024-25/q2/contacts/").body.contains(word), "{}", server.log());
    }
}

#[test]
fn editor_temporary_files_do_not_rebuild() {
    let server = Server::start(fixture());
    let mut events = server.events();
    let dir = server.path("content/2024-25/q2");
    for name in [".contacts.md.swp", "contacts.md~", "4913", ".#contacts.md"] {
        std::fs::write(dir.join(name), "junk {{ nonsense").unwrap();
    }
    assert_eq!(events.next_within("reload", Duration::from_millis(600)), None, "{}", server.log());
    assert!(!server.log().contains("rebuilt"), "{}", server.log());
    // A real save is still seen.
    let path = server.path(CONTACTS);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("We received", "After temp files, we received")).unwrap();
    reload(&server, &mut events);
    assert!(server.get("/2024-25/q2/contacts/").body.contains("After temp files"));
}

#[test]
fn a_folder_made_after_starting_is_watched() {
    let server = Server::start(fixture());
    let mut events = server.events();
    assert_eq!(server.get("/extra.txt").status, 404);
    std::fs::create_dir(server.path("static")).unwrap();
    std::fs::write(server.path("static/extra.txt"), "one").unwrap();
    reload(&server, &mut events);
    let r = server.get("/extra.txt");
    assert_eq!((r.status, r.body.as_str()), (200, "one"), "{}", server.log());
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    // Edits inside the new folder are seen too.
    std::fs::write(server.path("static/extra.txt"), "two").unwrap();
    reload(&server, &mut events);
    assert_eq!(server.get("/extra.txt").body, "two");
}

#[test]
fn a_first_build_that_fails_shows_the_errors_until_mended() {
    let site = fixture();
    let q2 = site.path().join(Q2);
    let good = std::fs::read_to_string(&q2).unwrap();
    std::fs::write(&q2, good.replace("  waiting-list: 81\n", "  waiting-lst: 81\n")).unwrap();
    let server = Server::start(site);
    for path in ["/", "/2024-25/q2/contacts/", "/style.css"] {
        let r = server.get(path);
        assert_eq!(r.status, 503, "{path}");
        assert!(r.body.contains("The site could not be built"), "{path}");
        assert!(has_place(&r.body, Q2), "{path}");
        assert!(r.body.contains("/__scrutiny/live.js"), "{path}");
    }
    let mut events = server.events();
    std::fs::write(&q2, &good).unwrap();
    reload(&server, &mut events);
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert!(!home.body.contains("scrutiny-errors"));
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let site = fixture();
    let (mut child, log, _lines) = spawn(site.path(), &["--port", &port]);
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve kept running on a port in use");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(1));
    // The reader thread may still be draining the pipe.
    let deadline = Instant::now() + WAIT;
    while !log.lock().unwrap().contains('\n') && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let text = log.lock().unwrap().clone();
    assert_eq!(text.trim(), format!("error: port {port} on 127.0.0.1 is in use: stop the other server, or choose another port with --port"));
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly_with_pages_open() {
    let mut server = Server::start(fixture());
    // An open page holds an event stream that never ends by itself.
    let _events = server.events();
    let interrupted = Command::new("kill").arg("-INT").arg(server.child.id().to_string()).status().unwrap();
    assert!(interrupted.success());
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not stop on Ctrl-C; output:\n{}", server.log());
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}; output:\n{}", server.log());
    assert!(server.log_shows(|log| log.contains("stopped")), "{}", server.log());
}

#[test]
fn a_changed_pdf_is_made_after_the_page_reloads_and_reloads_nothing() {
    let site = fixture();
    crate::common::append(site.path(), "site.toml", "\n[pdf]\nenabled = true\n");
    let server = Server::start(site);
    let mut events = server.events();
    let before = server.get("/2024-25/q2/report.pdf");
    assert_eq!(before.status, 200, "{}", server.log());

    let path = server.path(CONTACTS);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("We received", "Edited while serving, we received")).unwrap();
    let id = reload(&server, &mut events);
    assert!(server.get("/2024-25/q2/contacts/").body.contains("Edited while serving"));
    // The PDF follows once made, in the same build: open pages do not reload for it.
    assert!(server.log_shows(|log| log.contains("and its PDF in")), "{}", server.log());
    let after = server.get("/2024-25/q2/report.pdf");
    assert_eq!(after.status, 200);
    assert_ne!(after.body, before.body, "the PDF was made again from the edited commentary");
    assert_eq!(events.next_within("reload", Duration::from_millis(500)), None, "{}", server.log());
    assert!(server.get("/2024-25/q2/contacts/").body.contains(&format!("data-build=\"{id}\"")));
    // Another quarter's PDF was not made again.
    assert!(!server.log().contains("2 PDFs"), "{}", server.log());
}
