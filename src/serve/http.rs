//! The HTTP side: the latest snapshot served from memory, GET and HEAD only, plus
//! the live-reload script and event stream under `/__scrutiny/`.
//!
//! Nothing is read from disk: a URL can only name a file of the last good build,
//! so there are no directory listings and nothing from outside the output.

use super::page::{self, EVENTS_PATH, LIVE_JS_PATH};
use super::{Files, Snapshot};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Clone)]
struct App {
    snapshot: watch::Receiver<Arc<Snapshot>>,
    shutdown: watch::Receiver<bool>,
}

/// A connection that sends and receives nothing for this long is closed: a half-open or
/// idle connection cannot hold the server. Longer than the event stream's keep-alive.
pub(crate) const IDLE: Duration = Duration::from_secs(30);

/// A request must be whole (so the server starts answering) this long after its first byte:
/// a client that drips a byte now and then cannot hold a connection either.
pub(crate) const REQUEST: Duration = Duration::from_secs(10);

/// Serves until Ctrl-C (or SIGTERM), then closes the event streams and stops.
pub async fn run(listener: std::net::TcpListener, snapshot: watch::Sender<Arc<Snapshot>>) -> Result<(), String> {
    let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| format!("cannot listen: {e}"))?;
    let bound = listener.local_addr().map_err(|e| format!("cannot listen: {e}"))?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let app = App { snapshot: snapshot.subscribe(), shutdown: stop_rx.clone() };
    let router = router(app).layer(axum::middleware::from_fn_with_state(Arc::new(Hosts(bound)), only_this_host));
    let mut stopping = stop_rx;
    let server = axum::serve(IdleClosing { listener, idle: IDLE }, router).with_graceful_shutdown(async move {
        let _ = stopping.wait_for(|stop| *stop).await;
    });
    let mut server = tokio::spawn(async move { server.await });
    tokio::select! {
        ended = &mut server => {
            return match ended {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(format!("the server stopped: {e}")),
                Err(e) => Err(format!("the server stopped: {e}")),
            };
        }
        () = stop_signal() => {}
    }
    eprintln!("stopping");
    let _ = stop_tx.send(true);
    // Open connections get a moment to finish; the event streams end at once.
    let _ = tokio::time::timeout(Duration::from_secs(2), server).await;
    Ok(())
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The Host values this server answers: the address it is bound to, `localhost` and
/// `127.0.0.1` (and `[::1]` when bound there), with its port. Anything else is another
/// site's name pointed at this machine (DNS rebinding), which must not read drafts.
struct Hosts(std::net::SocketAddr);

impl Hosts {
    fn accepts(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let (name, port) = match host.rsplit_once(':') {
            Some((n, p)) if !p.contains(']') => (n.to_string(), p.parse::<u16>().ok()),
            _ => (host.clone(), Some(80)),
        };
        if port != Some(self.0.port()) {
            return false;
        }
        let ip = self.0.ip();
        let named_ip = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(&name).parse::<std::net::IpAddr>().ok();
        match named_ip {
            // Bound to every address: any address of this machine is fine; a name is not.
            Some(_) if ip.is_unspecified() => true,
            Some(n) => n == ip || n == std::net::IpAddr::from([127, 0, 0, 1]),
            None => name == "localhost",
        }
    }
}

async fn only_this_host(State(hosts): State<Arc<Hosts>>, request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).or_else(|| request.uri().authority().map(|a| a.as_str()));
    if host.is_some_and(|h| hosts.accepts(h)) {
        next.run(request).await
    } else {
        plain(StatusCode::MISDIRECTED_REQUEST, "421 Misdirected Request: open the address scrutiny serve printed\n")
    }
}

/// The listener, handing out connections that close when idle.
struct IdleClosing {
    listener: tokio::net::TcpListener,
    idle: Duration,
}

impl axum::serve::Listener for IdleClosing {
    type Io = Idle<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.listener.accept().await {
                Ok((stream, addr)) => return (Idle::new(stream, self.idle).with_request_limit(REQUEST), addr),
                // Out of file descriptors and the like: wait, rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}

/// A stream that fails with `TimedOut` once nothing has been read or written for `limit`, or,
/// with a request limit, when a request has been arriving for longer than that without an answer.
pub(crate) struct Idle<T> {
    io: T,
    limit: Duration,
    deadline: std::pin::Pin<Box<tokio::time::Sleep>>,
    request_limit: Option<Duration>,
    /// Set by the first byte of a request, cleared when the answer starts.
    request_deadline: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl<T> Idle<T> {
    pub(crate) fn new(io: T, limit: Duration) -> Self {
        Idle { io, limit, deadline: Box::pin(tokio::time::sleep(limit)), request_limit: None, request_deadline: None }
    }

    pub(crate) fn with_request_limit(mut self, limit: Duration) -> Self {
        self.request_limit = Some(limit);
        self
    }

    fn request_overdue(&mut self, cx: &mut std::task::Context<'_>) -> bool {
        use std::future::Future;
        self.request_deadline.as_mut().is_some_and(|d| d.as_mut().poll(cx).is_ready())
    }

    fn progress<R>(&mut self, cx: &mut std::task::Context<'_>, polled: std::task::Poll<std::io::Result<R>>) -> std::task::Poll<std::io::Result<R>> {
        use std::future::Future;
        use std::task::Poll;
        match polled {
            Poll::Ready(r) => {
                self.deadline.as_mut().reset(tokio::time::Instant::now() + self.limit);
                Poll::Ready(r)
            }
            Poll::Pending if self.deadline.as_mut().poll(cx).is_ready() => {
                Poll::Ready(Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "the connection was idle too long")))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Idle<T> {
    fn poll_read(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>, buf: &mut tokio::io::ReadBuf<'_>) -> std::task::Poll<std::io::Result<()>> {
        use std::task::Poll;
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = std::pin::Pin::new(&mut this.io).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before && this.request_deadline.is_none() {
            if let Some(limit) = this.request_limit {
                this.request_deadline = Some(Box::pin(tokio::time::sleep(limit)));
            }
        }
        if polled.is_pending() && this.request_overdue(cx) {
            return Poll::Ready(Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "the request took too long to arrive")));
        }
        this.progress(cx, polled)
    }
}

impl<T: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for Idle<T> {
    fn poll_write(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>, buf: &[u8]) -> std::task::Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let polled = std::pin::Pin::new(&mut this.io).poll_write(cx, buf);
        if matches!(polled, std::task::Poll::Ready(Ok(n)) if n > 0) {
            // The answer has started: the next request gets its own time.
            this.request_deadline = None;
        }
        this.progress(cx, polled)
    }
    fn poll_flush(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }
    fn poll_shutdown(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

fn router(app: App) -> Router {
    Router::new().route(EVENTS_PATH, get(events)).route(LIVE_JS_PATH, get(live_js)).fallback(site).with_state(app)
}

/// Headers every response from `serve` carries.
fn common(response: &mut Response) {
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut r = (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response();
    common(&mut r);
    r
}

async fn live_js() -> Response {
    let mut r = ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], page::LIVE_JS).into_response();
    common(&mut r);
    r
}

/// `event: build` with the current build at once, then `event: reload` after each
/// build that changed what a reader sees; ends when the server stops.
async fn events(State(app): State<App>) -> impl IntoResponse {
    let mut snapshot = app.snapshot.clone();
    let first = snapshot.borrow_and_update().id.clone();
    // The last id sent, and whether it is still to be sent (as `build`, the first time).
    let state = (snapshot, app.shutdown.clone(), first, true);
    let stream = futures_util::stream::unfold(state, |(mut snapshot, mut shutdown, last, first)| async move {
        if first {
            let event = Event::default().event("build").retry(Duration::from_millis(1000)).data(last.clone());
            return Some((Ok::<_, Infallible>(event), (snapshot, shutdown, last, false)));
        }
        loop {
            let rebuilt = tokio::select! {
                changed = snapshot.changed() => changed.is_ok(),
                _ = shutdown.wait_for(|stop| *stop) => false,
            };
            if !rebuilt {
                return None;
            }
            let id = snapshot.borrow_and_update().id.clone();
            // The same build with files added (a PDF made after its pages): nothing to reload.
            if id == last {
                continue;
            }
            let event = Event::default().event("reload").id(id.clone()).data(id.clone());
            return Some((Ok(event), (snapshot, shutdown, id, false)));
        }
    });
    let mut r = Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response();
    common(&mut r);
    r
}

/// Any other path: a file of the last good build.
async fn site(State(app): State<App>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed: this server only reads (GET and HEAD)\n");
        r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let snapshot = app.snapshot.borrow().clone();
    let Some(files) = snapshot.files.clone() else {
        return html(StatusCode::SERVICE_UNAVAILABLE, page::failure_page(&snapshot));
    };
    let Some(path) = decode_path(uri.path()) else {
        return plain(StatusCode::BAD_REQUEST, "400 Bad Request: this path cannot name a file of the site\n");
    };
    match lookup(&files, &path) {
        Lookup::File(key) => {
            let bytes = files[&key].clone();
            file_response(StatusCode::OK, &key, bytes, &snapshot)
        }
        Lookup::Redirect(to) => {
            let mut location = format!("/{to}");
            if let Some(q) = uri.query() {
                location.push('?');
                location.push_str(q);
            }
            let mut r = plain(StatusCode::PERMANENT_REDIRECT, "308 Permanent Redirect\n");
            if let Ok(v) = HeaderValue::from_str(&encode_path(&location)) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Lookup::NotFound => match files.get("404.html") {
            Some(bytes) => file_response(StatusCode::NOT_FOUND, "404.html", bytes.clone(), &snapshot),
            None => plain(StatusCode::NOT_FOUND, "404 Not Found\n"),
        },
    }
}

fn file_response(status: StatusCode, key: &str, bytes: Bytes, snapshot: &Snapshot) -> Response {
    let kind = content_type(key);
    if kind.starts_with("text/html") {
        return html(status, page::inject(&bytes, snapshot));
    }
    let mut r = (status, [(header::CONTENT_TYPE, kind)], Body::from(bytes)).into_response();
    common(&mut r);
    r
}

fn html(status: StatusCode, body: Vec<u8>) -> Response {
    let mut r = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
    common(&mut r);
    r
}

/// What a URL path names.
#[derive(Debug, PartialEq, Eq)]
enum Lookup {
    /// This file.
    File(String),
    /// A folder named without its trailing slash: go to `folder/`.
    Redirect(String),
    NotFound,
}

fn lookup(files: &Files, path: &str) -> Lookup {
    if path.is_empty() || path.ends_with('/') {
        let index = format!("{path}index.html");
        return if files.contains_key(&index) { Lookup::File(index) } else { Lookup::NotFound };
    }
    if files.contains_key(path) {
        return Lookup::File(path.to_string());
    }
    if files.contains_key(&format!("{path}/index.html")) {
        return Lookup::Redirect(format!("{path}/"));
    }
    Lookup::NotFound
}

/// The URL path as a key into the files: without the leading `/`, percent-decoded;
/// `None` for anything that could climb out (`..`, `.`), backslashes, NUL, or
/// bytes that are not UTF-8.
fn decode_path(path: &str) -> Option<String> {
    let raw = path.strip_prefix('/')?;
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |b: u8| (b as char).to_digit(16);
            let hi = bytes.get(i + 1).copied().and_then(hex)?;
            let lo = bytes.get(i + 2).copied().and_then(hex)?;
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let decoded = String::from_utf8(out).ok()?;
    if decoded.contains(['\\', '\0']) || decoded.split('/').any(|s| s == ".." || s == ".") {
        return None;
    }
    Some(decoded)
}

/// Percent-encodes what cannot go into a `Location` header as it is.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_graphic() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The Content-Type for a file, by its extension.
fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "atom" => "application/atom+xml; charset=utf-8",
        "rss" => "application/rss+xml; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "zip" => "application/zip",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_decode_and_refuse_to_climb() {
        assert_eq!(decode_path("/").as_deref(), Some(""));
        assert_eq!(decode_path("/2024-25/q2/").as_deref(), Some("2024-25/q2/"));
        assert_eq!(decode_path("/charts/a%20b.svg").as_deref(), Some("charts/a b.svg"));
        assert_eq!(decode_path("/caf%C3%A9/").as_deref(), Some("café/"));
        for bad in ["/../etc/passwd", "/a/../../b", "/%2e%2e/x", "/a%2f..%2f..%2fb", "/a\\b", "/a%5cb", "/a%00", "/./x", "/%zz", "/%4", "/%ff", "nope"] {
            assert_eq!(decode_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn folders_serve_their_index_and_redirect_without_a_slash() {
        let files: Files = ["index.html", "2024-25/q2/index.html", "style.css", "404.html"].into_iter().map(|p| (p.to_string(), Bytes::new())).collect();
        assert_eq!(lookup(&files, ""), Lookup::File("index.html".into()));
        assert_eq!(lookup(&files, "2024-25/q2/"), Lookup::File("2024-25/q2/index.html".into()));
        assert_eq!(lookup(&files, "2024-25/q2"), Lookup::Redirect("2024-25/q2/".into()));
        assert_eq!(lookup(&files, "style.css"), Lookup::File("style.css".into()));
        assert_eq!(lookup(&files, "style.css/"), Lookup::NotFound);
        assert_eq!(lookup(&files, "2024-25/"), Lookup::NotFound);
        assert_eq!(lookup(&files, "nothing"), Lookup::NotFound);
    }

    #[test]
    fn only_hosts_naming_this_server_are_answered() {
        let loopback = Hosts("127.0.0.1:1111".parse().unwrap());
        for ok in ["127.0.0.1:1111", "localhost:1111", "LOCALHOST:1111"] {
            assert!(loopback.accepts(ok), "{ok}");
        }
        for bad in [
            "evil.example:1111",
            "127.0.0.1:2222",
            "localhost",
            "127.0.0.1",
            "127.0.0.1.nip.io:1111",
            "localhost.evil.example:1111",
            "",
            "[::1]:1111",
            "10.0.0.5:1111",
        ] {
            assert!(!loopback.accepts(bad), "{bad}");
        }
        let v6 = Hosts("[::1]:1111".parse().unwrap());
        assert!(v6.accepts("[::1]:1111") && v6.accepts("localhost:1111") && v6.accepts("127.0.0.1:1111"));
        assert!(!v6.accepts("evil.example:1111"));
        let everywhere = Hosts("0.0.0.0:8080".parse().unwrap());
        assert!(everywhere.accepts("192.168.1.20:8080") && everywhere.accepts("localhost:8080"));
        assert!(!everywhere.accepts("rebind.evil.example:8080"));
        let port80 = Hosts("127.0.0.1:80".parse().unwrap());
        assert!(port80.accepts("localhost") && port80.accepts("127.0.0.1:80"));
    }

    #[tokio::test]
    async fn idle_connections_time_out() {
        use tokio::io::AsyncRead;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let far = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (near, _) = listener.accept().await.unwrap();
        let mut idle = Idle::new(near, Duration::from_millis(150));
        std::io::Write::write_all(&mut &far, b"GET / HTTP/1.1\r\n").unwrap();
        async fn read(idle: &mut Idle<tokio::net::TcpStream>) -> std::io::Result<usize> {
            let mut buf = [0u8; 64];
            std::future::poll_fn(|cx| {
                let mut rb = tokio::io::ReadBuf::new(&mut buf);
                std::pin::Pin::new(&mut *idle).poll_read(cx, &mut rb).map(|r| r.map(|()| rb.filled().len()))
            })
            .await
        }
        assert_eq!(read(&mut idle).await.unwrap(), 16);
        // Then the client says nothing more: half-open, the read fails instead of waiting for ever.
        let started = std::time::Instant::now();
        let e = read(&mut idle).await.unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(5));
        drop(far);
    }

    #[tokio::test]
    async fn a_request_dripped_a_byte_at_a_time_is_cut_off() {
        use tokio::io::AsyncRead;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let far = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (near, _) = listener.accept().await.unwrap();
        // Idle after 1 s, but the request must be whole within 300 ms.
        let mut conn = Idle::new(near, Duration::from_secs(1)).with_request_limit(Duration::from_millis(300));
        let started = std::time::Instant::now();
        let mut far_w = far.try_clone().unwrap();
        let drip = std::thread::spawn(move || {
            for b in b"GET / HTTP/1.1\r\nHost: x\r\n" {
                if std::io::Write::write_all(&mut far_w, &[*b]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        let e = loop {
            let mut buf = [0u8; 64];
            let r = std::future::poll_fn(|cx| {
                let mut rb = tokio::io::ReadBuf::new(&mut buf);
                std::pin::Pin::new(&mut conn).poll_read(cx, &mut rb).map(|r| r.map(|()| rb.filled().len()))
            })
            .await;
            match r {
                Ok(0) => panic!("the client closed first"),
                Ok(_) => continue,
                Err(e) => break e,
            }
        };
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
        assert!(e.to_string().contains("request took too long"), "{e}");
        // Cut off by the request limit, long before the drip (27 bytes, 50 ms apart) ends.
        assert!(started.elapsed() < Duration::from_millis(1200), "{:?}", started.elapsed());
        drop(far);
        drip.join().unwrap();
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("charts/x.svg"), "image/svg+xml");
        assert_eq!(content_type("data/all.csv"), "text/csv; charset=utf-8");
        assert_eq!(content_type("a/index.HTML"), "text/html; charset=utf-8");
        assert_eq!(content_type("fonts/x.woff2"), "font/woff2");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }
}
