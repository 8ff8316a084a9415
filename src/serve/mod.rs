//! `scrutiny serve`: build the site into memory, serve it on this machine, and
//! rebuild and reload the open pages on every save.
//!
//! Owns: the dev server. Builds only through the library's entry (`build_in_memory_cached`);
//! must not import load, validate, model or write.
//!
//! Four parts, one a submodule:
//! - [`watch`]: notify with a debouncer over `content/`, `data/`, `themes/`,
//!   `static/` and the site root, filtered, feeding one channel;
//! - [`builder`]: the only thread that builds; it coalesces pending changes, calls
//!   [`crate::build_in_memory_cached`] (which reuses unchanged quarters and
//!   charts), compares the output with the last build and publishes a new
//!   [`Snapshot`];
//! - [`http`]: axum handlers serving the latest snapshot from memory, GET and HEAD
//!   only, with the live-reload event stream;
//! - [`page`]: what is injected into served HTML (never into `build` output): the
//!   live-reload script and, after a failed rebuild, the diagnostics overlay.

mod browser;
mod builder;
mod http;
mod page;
mod watch;

use axum::body::Bytes;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How long the debouncer waits after a file system event before reporting it.
/// Editors finish a save (truncate and write, or write and rename) well within it.
pub(crate) const DEBOUNCE: Duration = Duration::from_millis(30);

/// How often `--poll` looks at the files.
pub(crate) const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Every file of a good build, by output path (`2024-25/q2/index.html`).
pub(crate) type Files = HashMap<String, Bytes>;

/// What is being served: the last good build and, when the latest build failed,
/// its diagnostics. Replaced whole after each build.
#[derive(Debug)]
pub(crate) struct Snapshot {
    /// Identifies the build, unique across restarts of the server, so that a page
    /// can tell whether it is stale.
    pub id: String,
    /// The last good build's files; `None` until a build succeeds.
    pub files: Option<Arc<Files>>,
    /// The latest build's diagnostics as an HTML list, when it failed.
    pub errors: Option<Arc<str>>,
    /// The site's language, for the page shown before any build succeeded.
    pub language: String,
}

/// Builds, serves on `bind:port` (port 0 picks a free one), and rebuilds on every
/// change until Ctrl-C; with `open`, opens the site in the browser once it is served.
pub fn serve(root: &Path, bind: &str, port: u16, poll: bool, open: bool) -> Result<(), String> {
    let root = root.canonicalize().map_err(|e| format!("cannot open the site folder {}: {e}", root.display()))?;
    if !root.join("site.toml").is_file() {
        return Err(format!("there is no site.toml in {}: run `scrutiny serve` in the site folder, or give it with --root DIR", root.display()));
    }
    let listener = listen(bind, port)?;
    let addr = listener.local_addr().map_err(|e| format!("cannot listen on {bind}:{port}: {e}"))?;
    let url = url_for(addr);

    // Watch before the first build, so that a save made while it runs is not lost.
    let (changes_tx, changes_rx) = std::sync::mpsc::channel();
    let watcher = watch::Watcher::start(&root, poll, changes_tx.clone())?;

    let mut builder = builder::Builder::new(root.clone(), url.clone());
    let first = builder.first_build();
    let title = first.title.clone().unwrap_or_else(|| "the site".to_string());
    eprintln!("Serving {title} at {url} (Ctrl-C to stop)");
    if poll {
        eprintln!("watching for changes by polling every {} ms", POLL_INTERVAL.as_millis());
    }
    let snapshot = tokio::sync::watch::Sender::new(first.snapshot);
    let builder = builder.spawn(snapshot.clone(), changes_rx, watcher.clone());
    if open {
        // The socket is already listening, so the browser's first request waits for the server.
        if let Err(e) = browser::open(&url) {
            eprintln!("could not open a browser ({e}): open {url} yourself");
        }
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("scrutiny-serve")
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let served = runtime.block_on(http::run(listener, snapshot));

    // Stop the builder (it finishes a build in progress), then the watcher. A build that does
    // not finish in time (a theme that loops) is abandoned: a signal always stops the server.
    let _ = changes_tx.send(watch::Change::Stop);
    let (joined_tx, joined_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = builder.join();
        let _ = joined_tx.send(());
    });
    if joined_rx.recv_timeout(Duration::from_secs(5)).is_err() {
        eprintln!("the build in progress did not finish; stopping without it");
    }
    watcher.stop();
    runtime.shutdown_timeout(Duration::from_secs(1));
    served?;
    eprintln!("stopped");
    Ok(())
}

/// Binds the listening socket, turning the common failures into advice.
fn listen(bind: &str, port: u16) -> Result<std::net::TcpListener, String> {
    let shown = match bind.parse::<IpAddr>() {
        Ok(IpAddr::V6(_)) => format!("[{bind}]"),
        _ => bind.to_string(),
    };
    let listener = std::net::TcpListener::bind((bind, port)).map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            format!("port {port} on {bind} is in use: stop the other server, or choose another port with --port")
        }
        std::io::ErrorKind::PermissionDenied => {
            format!("not allowed to listen on port {port} of {bind}: choose a port above 1023 with --port")
        }
        std::io::ErrorKind::AddrNotAvailable => {
            format!("{shown} is not an address of this machine: use --bind 127.0.0.1 (the default)")
        }
        _ => format!("cannot listen on {shown}:{port}: {e}: check --bind and --port"),
    })?;
    listener.set_nonblocking(true).map_err(|e| format!("cannot listen on {shown}:{port}: {e}"))?;
    Ok(listener)
}

/// The address to open in a browser; a wildcard bind is shown as loopback.
fn url_for(addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => format!("http://127.0.0.1:{}/", addr.port()),
        IpAddr::V4(ip) => format!("http://{ip}:{}/", addr.port()),
        IpAddr::V6(ip) if ip.is_unspecified() => format!("http://[::1]:{}/", addr.port()),
        IpAddr::V6(ip) => format!("http://[{ip}]:{}/", addr.port()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_for_addresses() {
        assert_eq!(url_for("127.0.0.1:1111".parse().unwrap()), "http://127.0.0.1:1111/");
        assert_eq!(url_for("0.0.0.0:8080".parse().unwrap()), "http://127.0.0.1:8080/");
        assert_eq!(url_for("[::1]:1111".parse().unwrap()), "http://[::1]:1111/");
        assert_eq!(url_for("[::]:1111".parse().unwrap()), "http://[::1]:1111/");
    }

    #[test]
    fn a_port_in_use_says_how_to_mend_it() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let e = listen("127.0.0.1", port).unwrap_err();
        assert_eq!(e, format!("port {port} on 127.0.0.1 is in use: stop the other server, or choose another port with --port"));
    }
}
