//! Watching the site for saves: notify with notify-debouncer-full, or a polling
//! watcher for network drives and WSL mounts.
//!
//! Directories are watched, never single files: a watch on a file is lost when an
//! editor saves by writing a new file and renaming it over the old one (vim, VS
//! Code). The site root is watched on its own (not recursively) for `site.toml`
//! and for the four folders appearing or being replaced, which re-adds their
//! watches. Editor temporary files, dot-folders, the output folder and read
//! accesses (including the builder's own) are filtered out here.

use super::DEBOUNCE;
use notify::event::EventKind;
use notify::{PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer_opt, DebounceEventResult, Debouncer, NoCache, RecommendedCache};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

/// The folders of a site that are watched recursively.
pub const FOLDERS: [&str; 4] = ["content", "data", "themes", "static"];

/// What the watcher tells the builder.
#[derive(Debug)]
pub enum Change {
    /// Files that changed, relative to the site root; `resync` when one of the
    /// watched folders itself appeared, went or was replaced.
    Files { paths: Vec<String>, resync: bool },
    /// The server is stopping.
    Stop,
}

enum Inner {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, NoCache>),
}

impl Inner {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Inner::Native(d) => d.watch(path, mode),
            Inner::Poll(d) => d.watch(path, mode),
        }
    }
    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        match self {
            Inner::Native(d) => d.unwatch(path),
            Inner::Poll(d) => d.unwatch(path),
        }
    }
}

/// The running watcher; cheap to clone, shared with the builder for re-syncing.
#[derive(Clone)]
pub struct Watcher {
    inner: Arc<Mutex<Option<Inner>>>,
    root: PathBuf,
}

impl Watcher {
    /// Starts watching `root` (canonical), sending filtered changes to `tx`.
    pub fn start(root: &Path, poll: bool, tx: Sender<Change>) -> Result<Watcher, String> {
        let filter_root = root.to_path_buf();
        let handler = move |result: DebounceEventResult| match result {
            Ok(events) => {
                let mut paths = Vec::new();
                let mut resync = false;
                for event in &events {
                    if matches!(event.kind, EventKind::Access(_)) {
                        continue;
                    }
                    for path in &event.paths {
                        match relevant(&filter_root, path) {
                            Relevance::Ignore => {}
                            Relevance::File(p) => paths.push(p),
                            Relevance::Folder(p) => {
                                resync = true;
                                paths.push(p);
                            }
                        }
                    }
                }
                if !paths.is_empty() {
                    paths.sort();
                    paths.dedup();
                    let _ = tx.send(Change::Files { paths, resync });
                }
            }
            Err(errors) => {
                for e in errors {
                    eprintln!("warning: watching for changes: {e}");
                }
            }
        };
        let inner = if poll {
            // notify's poller compares modification times in whole seconds: a second
            // save within the same second would be missed without comparing contents.
            let config = notify::Config::default().with_poll_interval(super::POLL_INTERVAL).with_compare_contents(true);
            Inner::Poll(new_debouncer_opt(DEBOUNCE, None, handler, NoCache, config).map_err(|e| format!("cannot watch for changes: {e}"))?)
        } else {
            let config = notify::Config::default();
            Inner::Native(
                new_debouncer_opt(DEBOUNCE, None, handler, RecommendedCache::new(), config)
                    .map_err(|e| format!("cannot watch for changes: {e}: try --poll (for network drives and WSL), or raise the limit on watched folders"))?,
            )
        };
        let watcher = Watcher { inner: Arc::new(Mutex::new(Some(inner))), root: root.to_path_buf() };
        {
            let mut guard = watcher.inner.lock().unwrap_or_else(|p| p.into_inner());
            let inner = guard.as_mut().expect("just made");
            inner.watch(root, RecursiveMode::NonRecursive).map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
            for folder in FOLDERS {
                let dir = root.join(folder);
                if dir.is_dir() {
                    inner
                        .watch(&dir, RecursiveMode::Recursive)
                        .map_err(|e| format!("cannot watch {folder}/: {e}: try --poll, or raise the limit on watched folders"))?;
                }
            }
        }
        Ok(watcher)
    }

    /// Watches the folders afresh after one of them appeared, went or was replaced.
    pub fn resync(&self) {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let Some(inner) = guard.as_mut() else { return };
        for folder in FOLDERS {
            let dir = self.root.join(folder);
            let _ = inner.unwatch(&dir);
            if dir.is_dir() {
                if let Err(e) = inner.watch(&dir, RecursiveMode::Recursive) {
                    eprintln!("warning: cannot watch {folder}/: {e}");
                }
            }
        }
    }

    /// Stops watching and waits for the debouncer's thread.
    pub fn stop(&self) {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
        match inner {
            Some(Inner::Native(d)) => d.stop(),
            Some(Inner::Poll(d)) => d.stop(),
            None => {}
        }
    }
}

/// Whether a changed path matters to the build.
#[derive(Debug, PartialEq, Eq)]
enum Relevance {
    Ignore,
    /// A file (or folder) inside a watched folder, or `site.toml`.
    File(String),
    /// One of the watched folders itself.
    Folder(String),
}

fn relevant(root: &Path, path: &Path) -> Relevance {
    let Ok(rel) = path.strip_prefix(root) else { return Relevance::Ignore };
    let mut names = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(n) => {
                let n = n.to_string_lossy();
                if crate::site_files::is_ignorable(&n) {
                    return Relevance::Ignore;
                }
                names.push(n.into_owned());
            }
            _ => return Relevance::Ignore,
        }
    }
    match names.as_slice() {
        [] => Relevance::Ignore,
        [one] if one == "site.toml" => Relevance::File(one.clone()),
        [one] if FOLDERS.contains(&one.as_str()) => Relevance::Folder(one.clone()),
        [_] => Relevance::Ignore,
        [first, ..] if FOLDERS.contains(&first.as_str()) => Relevance::File(names.join("/")),
        _ => Relevance::Ignore,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_triggers_a_rebuild() {
        let root = Path::new("/site");
        let r = |p: &str| relevant(root, Path::new(p));
        assert_eq!(r("/site/content/2024-25/q2/contacts.md"), Relevance::File("content/2024-25/q2/contacts.md".into()));
        assert_eq!(r("/site/data/2024-25/q2.yaml"), Relevance::File("data/2024-25/q2.yaml".into()));
        assert_eq!(r("/site/themes/default/templates/page.html"), Relevance::File("themes/default/templates/page.html".into()));
        assert_eq!(r("/site/static/logo.svg"), Relevance::File("static/logo.svg".into()));
        assert_eq!(r("/site/site.toml"), Relevance::File("site.toml".into()));
        assert_eq!(r("/site/content"), Relevance::Folder("content".into()));
        // Editor temporary files, dot-folders, the output and anything else at the root.
        for p in [
            "/site/content/2024-25/q2/.contacts.md.swp",
            "/site/content/2024-25/q2/contacts.md~",
            "/site/content/2024-25/q2/4913",
            "/site/content/2024-25/q2/.#contacts.md",
            "/site/data/~$q2.yaml",
            "/site/content/.git/index",
            "/site/public/index.html",
            "/site/public",
            "/site/.site.toml.swp",
            "/site/README.md",
            "/site",
            "/elsewhere/content/x.md",
        ] {
            assert_eq!(r(p), Relevance::Ignore, "{p}");
        }
    }
}
