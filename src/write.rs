//! Write: put the rendered files in the output folder. A first build is written into a folder
//! beside the output and moved into place whole; a rebuild updates the output in place,
//! rewriting only the files that changed (renamed in once every write has succeeded) and
//! removing those the site no longer has. Either way a failed build leaves the previous
//! output as it was, and nothing outside the output is ever deleted.
//!
//! Owns: [`Writer`] (the entry: `begin`, `put` from any thread, `finish` or `abort`), the
//! output's manifest and the checks that the output folder may be written.
//! Must not import: anything but `render`'s [`OutputFile`] and `diagnostic`.

use crate::diagnostic::{Diagnostic, Pos};
use crate::render::OutputFile;
use std::path::{Path, PathBuf};

/// Marks a directory as scrutiny's output, so it may be replaced.
mod record;

const MARKER: &str = ".scrutiny-output";

fn refuse(msg: String, help: &str) -> Diagnostic {
    Diagnostic::error("site.toml", Pos::FILE, msg).help(help)
}

/// Checks the output directory may be replaced: not the site, not above it, not holding content.
fn check_output(root: &Path, output: &Path) -> Result<PathBuf, Diagnostic> {
    let root = std::fs::canonicalize(root).map_err(|e| refuse(format!("cannot open the site directory: {e}"), "check --root"))?;
    let parent = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| refuse(format!("cannot create {}: {e}", parent.display()), "choose an output directory you can write to"))?;
    let parent = std::fs::canonicalize(parent).map_err(|e| refuse(format!("cannot open {}: {e}", parent.display()), "choose another output directory"))?;
    let name = output.file_name().ok_or_else(|| refuse(format!("\"{}\" cannot be the output directory", output.display()), "name a folder, e.g. public"))?;
    let out = parent.join(name);
    let help = "set [build] output in site.toml (or --output) to a folder of its own, such as public";
    if out == root || root.starts_with(&out) {
        return Err(refuse(format!("the output directory {} is the site directory or contains it", out.display()), help));
    }
    for dir in ["content", "data", "themes", "static", "src", ".git"] {
        if out.starts_with(root.join(dir)) {
            return Err(refuse(format!("the output directory {} is inside the site's {dir}/ folder", out.display()), help));
        }
    }
    if out.exists() {
        if !out.is_dir() {
            return Err(refuse(format!("the output {} exists and is not a folder", out.display()), help));
        }
        if out.join("content").exists() || out.join("site.toml").exists() {
            return Err(refuse(format!("the output directory {} holds a site (content/ or site.toml), not a built website", out.display()), help));
        }
        let empty = std::fs::read_dir(&out).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !empty && !out.join(MARKER).exists() {
            return Err(refuse(
                format!("the output directory {} already holds files that scrutiny did not write", out.display()),
                "scrutiny replaces its output folder whole: empty it, or choose another folder",
            ));
        }
    }
    Ok(out)
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriteStats {
    /// Files written (new or changed).
    pub written: usize,
    /// Files left as they were.
    pub unchanged: usize,
    /// Files removed because the site no longer has them.
    pub removed: usize,
    /// Quarters kept as the last build wrote them (their inputs unchanged), not rendered again.
    pub quarters_kept: usize,
}

/// One line of the manifest: a file's size and content hash.
type Manifest = std::collections::HashMap<String, (u64, String)>;

/// Whether a path read from the manifest (which anyone may have edited) names a file inside the
/// output: relative, `/`-separated, with no empty, `.` or `..` part and nothing a platform reads as a root.
fn is_safe_relative(p: &str) -> bool {
    !p.is_empty() && !p.contains(['\\', ':', '\0']) && !Path::new(p).is_absolute() && p.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}

fn read_manifest(out: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(out.join(MARKER)).ok()?;
    let mut m = Manifest::new();
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let mut parts = line.splitn(3, ' ');
        let (hash, size, path) = (parts.next()?, parts.next()?.parse().ok()?, parts.next()?);
        // A hostile line must not make a rebuild delete anything outside the output.
        if is_safe_relative(path) {
            m.insert(path.to_string(), (size, hash.to_string()));
        }
    }
    Some(m)
}

/// Writes a site file by file as it is rendered, so the whole site is never held in memory:
/// [`Writer::put`] from any thread, then [`Writer::finish`] to move it into place (or
/// [`Writer::abort`], which leaves the previous output as it was). The first file put at a path wins.
///
/// One build at a time writes beside a given output: the folder holding it is locked for the
/// write, so concurrent builds take turns. Debris of a build that was killed part-way (its
/// temporary files and folders) is swept by the next one.
pub struct Writer {
    out: PathBuf,
    _lock: Option<std::fs::File>,
    mode: Mode,
    /// Path, size and hash of every file put, and whether it was written (not left as it was).
    put: std::sync::Mutex<Vec<(String, u64, String, bool)>>,
    seen: std::sync::Mutex<std::collections::HashSet<String>>,
    /// Where this output's record is kept, if anywhere (see [`record`]).
    record_at: Option<PathBuf>,
    /// What the last build into this output wrote, by quarter (empty for a first build).
    earlier: record::Record,
    /// The quarters this build wrote or kept, with the paths of their files.
    quarters: std::sync::Mutex<Vec<(blake3::Hash, Vec<String>)>>,
    quarters_kept: std::sync::atomic::AtomicUsize,
    /// Folders of the staging folder this build made (a fresh build's are its own from the
    /// start), so each is checked and made once rather than once a file.
    made: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
}

enum Mode {
    /// Into a new folder beside the output, swapped in at the end.
    Fresh(PathBuf),
    /// Changed files to temporary names inside the output, renamed in at the end.
    Update(Manifest),
}

impl Writer {
    /// Checks and locks the output, sweeps debris, and gets ready to write. With `records`, the
    /// folder where builds note what they wrote, a rebuild may keep quarters (see [`Writer::intact`]).
    pub fn begin(root: &Path, output: &Path, records: Option<&Path>) -> Result<Writer, Diagnostic> {
        let out = check_output(root, output)?;
        let lock = lock_beside(&out);
        sweep_debris(&out);
        let mode = match read_manifest(&out) {
            Some(old) if is_real_dir(&out) => Mode::Update(old),
            _ => {
                let name = out.file_name().expect("checked").to_string_lossy().to_string();
                let staging = tempfile::Builder::new()
                    .prefix(&format!(".{name}.building-"))
                    .tempdir_in(out.parent().expect("checked"))
                    .map_err(|e| refuse(format!("cannot create a folder beside {}: {e}", out.display()), "check the folder can be written to"))?;
                Mode::Fresh(staging.keep())
            }
        };
        let record_at = records.map(|dir| record::path(dir, &out));
        // A first build (a new folder) has nothing to keep.
        let earlier = match (&mode, &record_at) {
            (Mode::Update(_), Some(at)) => record::read(at),
            _ => record::Record::default(),
        };
        Ok(Writer {
            out,
            _lock: lock,
            mode,
            put: Default::default(),
            seen: Default::default(),
            record_at,
            earlier,
            quarters: Default::default(),
            quarters_kept: Default::default(),
            made: Default::default(),
        })
    }

    /// The keys of the quarters the last build wrote whose every file is still in the output
    /// exactly as written: [`Writer::keep`] may keep those instead of writing them again.
    pub fn intact(&self) -> std::collections::HashSet<blake3::Hash> {
        record::intact(&self.earlier, &self.out)
    }

    /// Keeps a quarter's files as the last build wrote them (`key` is one [`Writer::intact`]
    /// gave); returns their paths.
    pub fn keep(&self, key: &blake3::Hash) -> Vec<String> {
        let Some(files) = self.earlier.quarters.get(key) else { return Vec::new() };
        let mut seen = self.seen.lock().expect("writer lock");
        let mut put = self.put.lock().expect("writer lock");
        let mut paths = Vec::with_capacity(files.len());
        for (p, size, hash) in files.iter().filter(|(p, _, _)| seen.insert(p.clone())) {
            put.push((p.clone(), *size, hash.clone(), false));
            paths.push(p.clone());
        }
        self.quarters.lock().expect("writer lock").push((*key, paths.clone()));
        self.quarters_kept.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        paths
    }

    /// Writes a quarter's files (see [`Writer::put`]) and notes them under its key, so that the
    /// next build may keep them.
    pub fn put_quarter(&self, key: &blake3::Hash, files: &[OutputFile]) -> Result<(), Diagnostic> {
        for f in files {
            self.put(f)?;
        }
        self.quarters.lock().expect("writer lock").push((*key, files.iter().map(|f| f.path.clone()).collect()));
        Ok(())
    }

    fn temp(&self, p: &str) -> PathBuf {
        self.out.join(format!("{p}.scrutiny-{}.tmp", std::process::id()))
    }

    /// Writes one file (to the staging folder, or beside its final name if it changed).
    pub fn put(&self, f: &OutputFile) -> Result<(), Diagnostic> {
        if !self.seen.lock().expect("writer lock").insert(f.path.clone()) {
            return Ok(());
        }
        let hash = blake3::hash(&f.bytes).to_hex().to_string();
        let parent = Path::new(&f.path).parent().filter(|p| !p.as_os_str().is_empty());
        let written = match &self.mode {
            Mode::Fresh(staging) => {
                if let Some(d) = parent {
                    let mut made = self.made.lock().expect("writer lock");
                    if !made.contains(d) {
                        real_dir(staging, d, Some(&made))?;
                        made.extend(d.ancestors().filter(|a| !a.as_os_str().is_empty()).map(Path::to_path_buf));
                    }
                }
                let p = staging.join(&f.path);
                std::fs::write(&p, &f.bytes).map_err(|e| io(e, &p))?;
                true
            }
            Mode::Update(old) => {
                // Unchanged only if the manifest says so and the file still holds those bytes,
                // read through real folders only.
                let unchanged =
                    old.get(&f.path).is_some_and(|(_, h)| *h == hash) && inside_real_dirs(&self.out, &f.path) && holds(&self.out.join(&f.path), &f.bytes);
                if !unchanged {
                    if let Some(d) = parent {
                        real_dir(&self.out, d, None)?;
                    }
                    let t = self.temp(&f.path);
                    create_new(&t, &f.bytes).map_err(|e| io(e, &t))?;
                }
                !unchanged
            }
        };
        self.put.lock().expect("writer lock").push((f.path.clone(), f.bytes.len() as u64, hash, written));
        Ok(())
    }

    /// Leaves the previous output as it was and removes what was written.
    pub fn abort(self) {
        match &self.mode {
            Mode::Fresh(staging) => {
                let _ = std::fs::remove_dir_all(staging);
            }
            Mode::Update(_) => {
                for (p, _, _, written) in self.put.lock().expect("writer lock").iter() {
                    if *written {
                        let _ = std::fs::remove_file(self.temp(p));
                    }
                }
            }
        }
    }

    /// Every file is written: move them into place and tidy what the site no longer has.
    pub fn finish(self) -> Result<WriteStats, Diagnostic> {
        let mut put = std::mem::take(&mut *self.put.lock().expect("writer lock"));
        put.sort();
        let mut manifest = String::from("# Written by scrutiny build: the site's files with their sizes and hashes.\n# Only files whose content changed are rewritten; the folder is scrutiny's to replace.\n");
        for (p, size, hash, _) in &put {
            manifest.push_str(&format!("{hash} {size} {p}\n"));
        }
        let written = put.iter().filter(|f| f.3).count();
        let quarters_kept = self.quarters_kept.load(std::sync::atomic::Ordering::Relaxed);
        let stats = match &self.mode {
            Mode::Fresh(staging) => {
                let m = staging.join(MARKER);
                if let Err(e) = std::fs::write(&m, manifest) {
                    let _ = std::fs::remove_dir_all(staging);
                    return Err(io(e, &m));
                }
                swap_in(&self.out, staging)?;
                WriteStats { written, unchanged: 0, removed: 0, quarters_kept }
            }
            Mode::Update(old) => {
                let manifest_tmp = self.temp(MARKER);
                if let Err(e) = create_new(&manifest_tmp, manifest.as_bytes()) {
                    for (p, _, _, w) in &put {
                        if *w {
                            let _ = std::fs::remove_file(self.temp(p));
                        }
                    }
                    return Err(io(e, &manifest_tmp));
                }
                let out = &self.out;
                // Every write succeeded: move them into place (a rename replaces a link, never follows it).
                for (p, _, _, _) in put.iter().filter(|f| f.3) {
                    let t = self.temp(p);
                    std::fs::rename(&t, out.join(p)).map_err(|e| io(e, &t))?;
                }
                let keep: std::collections::HashSet<&str> = put.iter().map(|f| f.0.as_str()).collect();
                let mut removed: Vec<&String> = old.keys().filter(|p| !keep.contains(p.as_str())).collect();
                removed.sort();
                for p in removed.iter().filter(|p| inside_real_dirs(out, p)) {
                    let path = out.join(p);
                    if is_real_dir(&path) {
                        continue;
                    }
                    let _ = std::fs::remove_file(&path);
                    let mut dir = path.parent();
                    while let Some(d) = dir.filter(|d| *d != out.as_path()) {
                        if std::fs::remove_dir(d).is_err() {
                            break;
                        }
                        dir = d.parent();
                    }
                }
                std::fs::rename(&manifest_tmp, out.join(MARKER)).map_err(|e| io(e, &manifest_tmp))?;
                WriteStats { written, unchanged: put.len() - written, removed: removed.len(), quarters_kept }
            }
        };
        if let Some(at) = &self.record_at {
            let by_path: std::collections::HashMap<&str, (u64, &str)> = put.iter().map(|(p, size, hash, _)| (p.as_str(), (*size, hash.as_str()))).collect();
            let mut quarters: Vec<(blake3::Hash, Vec<record::FileLine>)> = std::mem::take(&mut *self.quarters.lock().expect("writer lock"))
                .into_iter()
                .map(|(key, paths)| {
                    let files = paths.into_iter().filter_map(|p| by_path.get(p.as_str()).map(|(size, hash)| (p.clone(), *size, hash.to_string()))).collect();
                    (key, files)
                })
                .collect();
            quarters.sort_by(|a, b| a.1.cmp(&b.1));
            record::write(at, &self.out, &quarters);
        }
        Ok(stats)
    }
}

/// Creates a file afresh (never opened through an existing link) with these bytes.
fn create_new(t: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let _ = std::fs::remove_file(t);
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(t)?;
    std::io::Write::write_all(&mut f, bytes)
}

/// Puts the staged folder where the output is, keeping the old one until the new one is in.
fn swap_in(out: &Path, staged: &Path) -> Result<(), Diagnostic> {
    let parent = out.parent().expect("checked");
    let name = out.file_name().expect("checked").to_string_lossy().to_string();
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let existed = std::fs::symlink_metadata(out).is_ok();
    if existed {
        if let Err(e) = std::fs::rename(out, &old) {
            let _ = std::fs::remove_dir_all(staged);
            return Err(io(e, out));
        }
    }
    if let Err(e) = std::fs::rename(staged, out) {
        if existed {
            let _ = std::fs::rename(&old, out);
        }
        let _ = std::fs::remove_dir_all(staged);
        return Err(io(e, out));
    }
    if existed {
        let _ = if is_real_dir(&old) { std::fs::remove_dir_all(&old) } else { std::fs::remove_file(&old) };
    }
    Ok(())
}

/// Locks the folder that holds the output until the guard is dropped. Where the platform cannot
/// lock a folder the build goes on unlocked: its temporary names are its own anyway.
fn lock_beside(out: &Path) -> Option<std::fs::File> {
    let dir = std::fs::File::open(out.parent()?).ok()?;
    dir.lock().ok()?;
    Some(dir)
}

fn is_real_dir(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir())
}

/// A temporary file of ours: `NAME.scrutiny-PID.tmp`.
fn is_our_temp(name: &str) -> bool {
    name.strip_suffix(".tmp").and_then(|n| n.rsplit_once(".scrutiny-")).is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        || name == ".scrutiny-output.tmp"
}

/// Removes what builds killed part-way left: staging and old folders beside the output and
/// temporary files inside it. Called with the lock held, so none of it belongs to a live build.
fn sweep_debris(out: &Path) {
    let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else { return };
    let name = name.to_string_lossy();
    let (building, old) = (format!(".{name}.building-"), format!(".{name}.old-"));
    for entry in std::fs::read_dir(parent).into_iter().flatten().flatten() {
        let n = entry.file_name().to_string_lossy().to_string();
        if n.starts_with(&building) || n.starts_with(&old) {
            let p = entry.path();
            // remove_dir_all removes a symlink itself, never what it points to.
            let _ = if is_real_dir(&p) { std::fs::remove_dir_all(&p) } else { std::fs::remove_file(&p) };
        }
    }
    if is_real_dir(out) && out.join(MARKER).exists() {
        for entry in walkdir::WalkDir::new(out).follow_links(false).into_iter().flatten() {
            if !entry.file_type().is_dir() && is_our_temp(&entry.file_name().to_string_lossy()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

fn io(e: std::io::Error, what: &Path) -> Diagnostic {
    refuse(format!("cannot write {}: {e}", what.display()), "check there is free disk space and the folder can be written to")
}

/// Makes `base/rel` a real folder, replacing any symlink or file on the way, so that nothing
/// is ever written through a link someone put inside the output. In this build's own staging
/// folder (`made`: the folders it has made there so far, taken as they are) most folders are
/// yet to be made; in the output most are already there.
fn real_dir(base: &Path, rel: &Path, made: Option<&std::collections::HashSet<PathBuf>>) -> Result<(), Diagnostic> {
    let mut at = base.to_path_buf();
    let mut below = PathBuf::new();
    for part in rel.components() {
        at.push(part);
        below.push(part);
        if let Some(made) = made {
            // Making it first costs one call where it is new (mkdir never follows a link in
            // the last place); only where something is already there is it looked at.
            if made.contains(&below) || std::fs::create_dir(&at).is_ok() {
                continue;
            }
        }
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.is_dir() => continue,
            Ok(_) => {
                let _ = std::fs::remove_file(&at);
            }
            Err(_) => {}
        }
        // Another thread of this build may have made it meanwhile.
        if let Err(e) = std::fs::create_dir(&at) {
            if !is_real_dir(&at) {
                return Err(io(e, &at));
            }
        }
    }
    Ok(())
}

/// Whether every folder from `base` down to `rel`'s parent is a real folder (no symlink).
fn inside_real_dirs(base: &Path, rel: &str) -> bool {
    let mut at = base.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    parts[..parts.len() - 1].iter().all(|part| {
        at.push(part);
        is_real_dir(&at)
    })
}

/// Whether the file on disk already holds exactly these bytes (a real file, not a link).
/// Contents are compared, not sizes, so a hand edit that keeps the size is put back too.
fn holds(path: &Path, bytes: &[u8]) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => std::fs::read(path).is_ok_and(|on_disk| on_disk == bytes),
        _ => false,
    }
}

/// Reads a directory tree of static files into memory, skipping editor and system files.
pub(crate) fn read_dir_files(from: &Path) -> std::io::Result<Vec<OutputFile>> {
    let mut out = Vec::new();
    if !from.is_dir() {
        return Ok(out);
    }
    for entry in walkdir::WalkDir::new(from)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !crate::site_files::is_ignorable(&e.file_name().to_string_lossy()))
    {
        let entry = entry.map_err(std::io::Error::other)?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(from).expect("below from").to_string_lossy().replace('\\', "/");
            out.push(OutputFile { path: rel, bytes: std::fs::read(entry.path())? });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    use rayon::prelude::*;

    /// Writes the whole site at once, as a build does file by file.
    fn write_site(root: &Path, output: &Path, files: &[OutputFile]) -> Result<WriteStats, Diagnostic> {
        let writer = Writer::begin(root, output, None)?;
        let put: Result<(), Diagnostic> = files.par_iter().try_for_each(|f| writer.put(f));
        match put {
            Ok(()) => writer.finish(),
            Err(e) => {
                writer.abort();
                Err(e)
            }
        }
    }

    #[test]
    fn refuses_dangerous_outputs() {
        let site = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(site.path().join("content")).unwrap();
        assert!(check_output(site.path(), site.path()).is_err());
        assert!(check_output(site.path(), &site.path().join("content/out")).is_err());
        let other = site.path().join("docs");
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(other.join("keep.txt"), "x").unwrap();
        assert!(check_output(site.path(), &other).is_err());
        assert!(check_output(site.path(), &site.path().join("public")).is_ok());
    }

    #[test]
    fn rewrites_only_what_changed_and_mends_tampering() {
        let site = tempfile::tempdir().unwrap();
        let out = site.path().join("public");
        let file = |p: &str, b: &str| OutputFile { path: p.into(), bytes: b.as_bytes().to_vec() };
        let first = write_site(site.path(), &out, &[file("a/index.html", "1"), file("b.html", "2"), file("c/d/e.html", "3")]).unwrap();
        assert_eq!(first.written, 3);
        let again = write_site(site.path(), &out, &[file("a/index.html", "1"), file("b.html", "two"), file("f.html", "4")]).unwrap();
        assert_eq!(again, WriteStats { written: 2, unchanged: 1, removed: 1, quarters_kept: 0 });
        assert_eq!(std::fs::read_to_string(out.join("b.html")).unwrap(), "two");
        assert!(!out.join("c").exists(), "emptied folders are removed");
        std::fs::write(out.join("a/index.html"), "edited by hand").unwrap();
        let mended = write_site(site.path(), &out, &[file("a/index.html", "1"), file("b.html", "two"), file("f.html", "4")]).unwrap();
        assert_eq!(mended.written, 1);
        assert_eq!(std::fs::read_to_string(out.join("a/index.html")).unwrap(), "1");
        let stray: Vec<_> =
            walkdir::WalkDir::new(&out).into_iter().filter_map(Result::ok).filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).collect();
        assert!(stray.is_empty());
    }

    #[test]
    fn swaps_in_and_keeps_nothing_stale() {
        let site = tempfile::tempdir().unwrap();
        let out = site.path().join("public");
        write_site(site.path(), &out, &[OutputFile { path: "a/index.html".into(), bytes: b"1".to_vec() }]).unwrap();
        write_site(site.path(), &out, &[OutputFile { path: "b.html".into(), bytes: b"2".to_vec() }]).unwrap();
        assert!(!out.join("a").exists());
        assert_eq!(std::fs::read(out.join("b.html")).unwrap(), b"2");
        let leftovers: Vec<_> = std::fs::read_dir(site.path()).unwrap().filter_map(Result::ok).map(|e| e.file_name()).collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    }
}
