//! The builder: the one thread that builds, so two builds never run at once.
//!
//! It waits for a change, takes every change already pending with it, builds the
//! whole site into memory, compares the output with the last good build, and
//! publishes a new [`Snapshot`] when anything a reader would see changed: the
//! files, or whether the build failed and why.

use super::watch::{Change, Watcher};
use super::{page, Files, Snapshot};
use crate::diagnostic::{self, Diagnostic, Format};
use crate::render::CacheStats;
use crate::BuildCache;
use axum::body::Bytes;
use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::Instant;

/// Serve shows draft quarters: it is where officers preview them.
const DRAFTS: bool = true;

/// Builds the site and keeps what the last builds produced.
pub struct Builder {
    root: PathBuf,
    base_url: String,
    /// Prefix of build ids, different for each run of the server.
    run: String,
    /// Builds so far.
    count: u64,
    /// The snapshot being served.
    current: Arc<Snapshot>,
    /// The warnings of the last good build, printed again only when they change.
    last_warnings: Vec<Diagnostic>,
    /// The diagnostics of the latest build when it failed.
    last_errors: Vec<Diagnostic>,
    /// Quarters' pages and charts kept from earlier builds.
    cache: BuildCache,
}

/// What the first build gave.
pub struct First {
    /// The snapshot to serve.
    pub snapshot: Arc<Snapshot>,
    /// The site's title, when the build succeeded.
    pub title: Option<String>,
}

/// How one build compares with the one before.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Delta {
    /// HTML pages added, changed or removed.
    pub pages: usize,
    /// Other files added, changed or removed.
    pub others: usize,
}

impl Delta {
    /// Compares two builds' files.
    pub fn between(old: &Files, new: &Files) -> Delta {
        let mut d = Delta::default();
        let mut count = |path: &str| {
            if path.ends_with(".html") {
                d.pages += 1;
            } else {
                d.others += 1;
            }
        };
        for (path, bytes) in new {
            if old.get(path) != Some(bytes) {
                count(path);
            }
        }
        for path in old.keys() {
            if !new.contains_key(path) {
                count(path);
            }
        }
        d
    }

    fn is_empty(&self) -> bool {
        self.pages == 0 && self.others == 0
    }
}

impl std::fmt::Display for Delta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: usize, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
        match (self.pages, self.others) {
            (0, 0) => write!(f, "nothing changed"),
            (p, 0) => write!(f, "{} changed", plural(p, "page", "pages")),
            (0, o) => write!(f, "{} changed, no pages", plural(o, "file", "files")),
            (p, o) => write!(f, "{} and {} changed", plural(p, "page", "pages"), plural(o, "other file", "other files")),
        }
    }
}

impl Builder {
    /// A builder for the site at `root` (canonical), served at `base_url`.
    pub fn new(root: PathBuf, base_url: String) -> Builder {
        let started = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
        let current = Arc::new(Snapshot { id: String::new(), files: None, errors: None, language: "en-GB".into() });
        Builder {
            root,
            base_url,
            run: format!("{started:x}"),
            count: 0,
            current,
            last_warnings: Vec::new(),
            last_errors: Vec::new(),
            cache: BuildCache::default(),
        }
    }

    fn next_id(&mut self) -> String {
        self.count += 1;
        format!("{}-{}", self.run, self.count)
    }

    /// One build; a panic in it becomes an error on the page rather than a builder
    /// that silently stopped, and the cache it may have left half-written is dropped.
    fn build(&mut self) -> Result<crate::BuiltSite, Vec<Diagnostic>> {
        let (root, base_url, cache) = (&self.root, &self.base_url, &self.cache);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| crate::build_in_memory_cached(root, DRAFTS, Some(base_url), cache)));
        result.unwrap_or_else(|panic| {
            self.cache = BuildCache::default();
            let what = panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned()).unwrap_or_default();
            Err(vec![Diagnostic::error("site.toml", diagnostic::Pos::FILE, format!("scrutiny failed while building this site: {what}"))
                .help("this is a bug in scrutiny: please report it with the files you changed last; saving again retries")])
        })
    }

    /// Builds once before serving, printing what it found.
    pub fn first_build(&mut self) -> First {
        let started = Instant::now();
        let result = self.build();
        let took = started.elapsed().as_millis();
        let id = self.next_id();
        let (snapshot, title) = match result {
            Ok(built) => {
                eprint!("{}", diagnostic::render(&built.warnings, Format::Human, &self.root));
                let drafts: Vec<String> = built.site.quarters.iter().filter(|q| q.draft).map(|q| q.quarter.short()).collect();
                eprintln!(
                    "built {} pages in {took} ms{}{}",
                    built.pages,
                    warnings_note(&built.warnings),
                    if drafts.is_empty() { String::new() } else { format!(", showing drafts: {}", drafts.join(", ")) }
                );
                let language = built.site.settings.language.clone();
                let title = built.site.settings.title.clone();
                self.last_warnings = built.warnings;
                let files: Files = built.files.into_iter().map(|f| (f.path, Bytes::from(f.bytes))).collect();
                (Snapshot { id, files: Some(Arc::new(files)), errors: None, language }, Some(title))
            }
            Err(diags) => {
                eprint!("{}", diagnostic::render(&diags, Format::Human, &self.root));
                eprintln!("the site could not be built ({}, {took} ms): the page shows why; save a fix and it rebuilds", errors_note(&diags));
                let errors = page::diagnostics_html(&diags, &self.root);
                self.last_errors = diags;
                (Snapshot { id, files: None, errors: Some(errors.into()), language: "en-GB".into() }, None)
            }
        };
        self.current = Arc::new(snapshot);
        // Every PDF is made by now; from here on a changed one is made after its pages are shown.
        self.cache.defer_pdfs();
        First { snapshot: self.current.clone(), title }
    }

    /// Makes the PDFs the last rebuild left to make, and returns the snapshot with them in place
    /// under the same build id (the pages did not change, so open pages need not reload), or with
    /// the errors under a new id; `None` when there were none to make.
    pub fn finish_pdfs(&mut self) -> Option<Arc<Snapshot>> {
        let started = Instant::now();
        let made = self.cache.make_deferred_pdfs();
        let took = started.elapsed().as_millis();
        // PDFs of a build that failed are kept for later builds, never mixed into the last good one.
        if self.current.errors.is_some() {
            return None;
        }
        match made {
            Ok(pdfs) if pdfs.is_empty() => None,
            Ok(pdfs) => {
                let mut files: Files = self.current.files.as_deref().cloned().unwrap_or_default();
                let n = pdfs.len();
                for f in pdfs {
                    files.insert(f.path, Bytes::from(f.bytes));
                }
                eprintln!("  and {} in {took} ms", if n == 1 { "its PDF".to_string() } else { format!("{n} PDFs") });
                let current = &self.current;
                self.current = Arc::new(Snapshot {
                    id: current.id.clone(),
                    files: Some(Arc::new(files)),
                    errors: current.errors.clone(),
                    language: current.language.clone(),
                });
                Some(self.current.clone())
            }
            Err(diags) => {
                eprint!("{}", diagnostic::render(&diags, Format::Human, &self.root));
                let errors = page::diagnostics_html(&diags, &self.root);
                self.last_errors = diags;
                let id = self.next_id();
                let current = &self.current;
                self.current = Arc::new(Snapshot { id, files: current.files.clone(), errors: Some(errors.into()), language: current.language.clone() });
                Some(self.current.clone())
            }
        }
    }

    /// Rebuilds after a change; publishes and returns the new snapshot when a
    /// reader would see a difference.
    pub fn rebuild(&mut self, changed: &[String]) -> Option<Arc<Snapshot>> {
        let started = Instant::now();
        let result = self.build();
        let took = started.elapsed().as_millis();
        let what = match changed {
            [one] => one.clone(),
            [first, rest @ ..] => format!("{first} and {} more", rest.len()),
            [] => "a change".into(),
        };
        match result {
            Ok(built) => {
                let files: Files = built.files.into_iter().map(|f| (f.path, Bytes::from(f.bytes))).collect();
                let delta = match &self.current.files {
                    Some(old) => Delta::between(old, &files),
                    None => Delta { pages: built.pages, others: files.len() - built.pages },
                };
                let was_failing = self.current.errors.is_some();
                if built.warnings != self.last_warnings {
                    eprint!("{}", diagnostic::render(&built.warnings, Format::Human, &self.root));
                }
                self.last_warnings = built.warnings;
                self.last_errors.clear();
                eprintln!(
                    "{what}: rebuilt in {took} ms: {delta}{}{}",
                    reuse_note(self.cache.last_stats()),
                    if was_failing { "; the errors are mended" } else { "" }
                );
                if delta.is_empty() && !was_failing {
                    return None;
                }
                let language = built.site.settings.language.clone();
                let id = self.next_id();
                self.current = Arc::new(Snapshot { id, files: Some(Arc::new(files)), errors: None, language });
            }
            Err(diags) => {
                let same = self.current.errors.is_some() && diags == self.last_errors;
                eprint!("{}", diagnostic::render(&diags, Format::Human, &self.root));
                eprintln!(
                    "{what}: the site could not be rebuilt ({}, {took} ms): {}",
                    errors_note(&diags),
                    if self.current.files.is_some() { "still serving the last good build" } else { "nothing to serve yet" }
                );
                if same {
                    return None;
                }
                let errors = page::diagnostics_html(&diags, &self.root);
                self.last_errors = diags;
                let id = self.next_id();
                let language = self.current.language.clone();
                self.current = Arc::new(Snapshot { id, files: self.current.files.clone(), errors: Some(errors.into()), language });
            }
        }
        Some(self.current.clone())
    }

    /// Runs the builder on its own thread until told to stop.
    pub fn spawn(mut self, publish: tokio::sync::watch::Sender<Arc<Snapshot>>, changes: Receiver<Change>, watcher: Watcher) -> std::thread::JoinHandle<()> {
        std::thread::Builder::new()
            .name("scrutiny-builder".into())
            .spawn(move || {
                while let Ok(change) = changes.recv() {
                    let (mut paths, mut resync) = match change {
                        Change::Files { paths, resync } => (paths, resync),
                        Change::Stop => return,
                    };
                    // Coalesce whatever else is already waiting into this build.
                    while let Ok(more) = changes.try_recv() {
                        match more {
                            Change::Files { paths: p, resync: r } => {
                                paths.extend(p);
                                resync |= r;
                            }
                            Change::Stop => return,
                        }
                    }
                    paths.sort();
                    paths.dedup();
                    if resync {
                        watcher.resync();
                    }
                    if let Some(snapshot) = self.rebuild(&paths) {
                        publish.send_replace(snapshot);
                    }
                    if let Some(snapshot) = self.finish_pdfs() {
                        publish.send_replace(snapshot);
                    }
                }
            })
            .expect("cannot start the builder thread")
    }
}

/// `(reused 3 of 5 quarters, 40 of 42 charts)`.
fn reuse_note(stats: CacheStats) -> String {
    let quarters = stats.quarters_reused + stats.quarters_rendered;
    let charts = stats.charts_reused + stats.charts_rendered;
    if quarters == 0 && charts == 0 {
        return String::new();
    }
    format!(" (reused {} of {quarters} quarters, {} of {charts} charts)", stats.quarters_reused, stats.charts_reused)
}

fn warnings_note(warnings: &[Diagnostic]) -> String {
    match warnings.len() {
        0 => String::new(),
        1 => " (1 warning)".into(),
        n => format!(" ({n} warnings)"),
    }
}

fn errors_note(diags: &[Diagnostic]) -> String {
    let n = crate::diagnostic::Counts::of(diags).errors;
    if n == 1 {
        "1 error".into()
    } else {
        format!("{n} errors")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Files {
        list.iter().map(|(p, b)| (p.to_string(), Bytes::from(b.to_string()))).collect()
    }

    #[test]
    fn counts_changed_added_and_removed_files() {
        let old = files(&[("index.html", "a"), ("2024-25/q2/index.html", "b"), ("style.css", "c"), ("gone.html", "x")]);
        let new = files(&[("index.html", "a"), ("2024-25/q2/index.html", "B"), ("style.css", "C"), ("new.json", "{}")]);
        let d = Delta::between(&old, &new);
        assert_eq!(d, Delta { pages: 2, others: 2 });
        assert_eq!(d.to_string(), "2 pages and 2 other files changed");
        assert_eq!(Delta::between(&old, &old).to_string(), "nothing changed");
        assert_eq!(Delta { pages: 1, others: 0 }.to_string(), "1 page changed");
        assert_eq!(Delta { pages: 0, others: 1 }.to_string(), "1 file changed, no pages");
    }
}
