//! Write: build the output beside its final place, then swap it in, so a failed build
//! leaves the previous output untouched and nothing outside the output is ever deleted.

use crate::diagnostic::{Diagnostic, Pos};
use crate::render::pages::OutputFile;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Marks a directory as scrutiny's output, so it may be replaced.
pub const MARKER: &str = ".scrutiny-output";

fn refuse(msg: String, help: &str) -> Diagnostic {
    Diagnostic::error("site.toml", Pos::FILE, msg).help(help)
}

/// Checks the output directory may be replaced: not the site, not above it, not holding content.
pub fn check_output(root: &Path, output: &Path) -> Result<PathBuf, Diagnostic> {
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
}

/// One line of the manifest: a file's size and content hash.
type Manifest = std::collections::HashMap<String, (u64, String)>;

fn read_manifest(out: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(out.join(MARKER)).ok()?;
    let mut m = Manifest::new();
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let mut parts = line.splitn(3, ' ');
        let (hash, size, path) = (parts.next()?, parts.next()?.parse().ok()?, parts.next()?);
        m.insert(path.to_string(), (size, hash.to_string()));
    }
    Some(m)
}

fn manifest_text(files: &[OutputFile], hashes: &[String]) -> String {
    let mut text = String::from("# Written by scrutiny build: the site's files with their sizes and hashes.\n# Only files whose content changed are rewritten; the folder is scrutiny's to replace.\n");
    for (f, h) in files.iter().zip(hashes) {
        text.push_str(&format!("{h} {} {}\n", f.bytes.len(), f.path));
    }
    text
}

/// Writes the site. A first build is written into a fresh folder beside the output and
/// swapped in. A rebuild writes only what changed: each changed file goes to a temporary
/// name beside its final one, and only when every write has succeeded are they renamed
/// into place and stale files removed. Either way, a failure leaves the previous output as it was.
pub fn write_site(root: &Path, output: &Path, files: &[OutputFile]) -> Result<WriteStats, Diagnostic> {
    let out = check_output(root, output)?;
    let hashes: Vec<String> = files.par_iter().map(|f| blake3::hash(&f.bytes).to_hex().to_string()).collect();
    match read_manifest(&out) {
        Some(old) if out.is_dir() => update_in_place(&out, files, &hashes, &old),
        _ => write_fresh(&out, files, &hashes),
    }
}

fn io(e: std::io::Error, what: &Path) -> Diagnostic {
    refuse(format!("cannot write {}: {e}", what.display()), "check there is free disk space and the folder can be written to")
}

fn create_dirs(base: &Path, files: &[&OutputFile]) -> Result<(), Diagnostic> {
    let mut dirs: Vec<PathBuf> = files.iter().filter_map(|f| Path::new(&f.path).parent().map(|p| base.join(p))).collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        std::fs::create_dir_all(d).map_err(|e| io(e, d))?;
    }
    Ok(())
}

fn write_fresh(out: &Path, files: &[OutputFile], hashes: &[String]) -> Result<WriteStats, Diagnostic> {
    let parent = out.parent().expect("checked").to_path_buf();
    let name = out.file_name().expect("checked").to_string_lossy().to_string();
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.building-"))
        .tempdir_in(&parent)
        .map_err(|e| refuse(format!("cannot create a folder beside {}: {e}", out.display()), "check the folder can be written to"))?;
    create_dirs(staging.path(), &files.iter().collect::<Vec<_>>())?;
    files.par_iter().try_for_each(|f| {
        let p = staging.path().join(&f.path);
        std::fs::write(&p, &f.bytes).map_err(|e| io(e, &p))
    })?;
    std::fs::write(staging.path().join(MARKER), manifest_text(files, hashes)).map_err(|e| io(e, staging.path()))?;

    let staged = staging.keep();
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if out.exists() {
        let _ = std::fs::remove_dir_all(&old);
        std::fs::rename(out, &old).map_err(|e| io(e, out))?;
    }
    if let Err(e) = std::fs::rename(&staged, out) {
        if old.exists() {
            let _ = std::fs::rename(&old, out);
        }
        let _ = std::fs::remove_dir_all(&staged);
        return Err(io(e, out));
    }
    if old.exists() {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(WriteStats { written: files.len(), unchanged: 0, removed: 0 })
}

fn update_in_place(out: &Path, files: &[OutputFile], hashes: &[String], old: &Manifest) -> Result<WriteStats, Diagnostic> {
    // A file counts as unchanged only if the manifest says so and it is still on disk at that size.
    let changed: Vec<(&OutputFile, &String)> = files
        .par_iter()
        .zip(hashes.par_iter())
        .filter(|(f, h)| match old.get(&f.path) {
            Some((size, hash)) if hash == *h => std::fs::metadata(out.join(&f.path)).map(|m| m.len() != *size || !m.is_file()).unwrap_or(true),
            _ => true,
        })
        .collect();
    if std::env::var_os("SCRUTINY_TIMINGS").is_some() {
        for (f, _) in changed.iter().take(10) {
            eprintln!("timing: rewriting {}", f.path);
        }
    }
    let keep: std::collections::HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut removed: Vec<&String> = old.keys().filter(|p| !keep.contains(p.as_str())).collect();
    removed.sort();

    create_dirs(out, &changed.iter().map(|(f, _)| *f).collect::<Vec<_>>())?;
    let temp = |p: &str| out.join(format!("{p}.scrutiny-{}.tmp", std::process::id()));
    let written: Result<(), Diagnostic> = changed.par_iter().try_for_each(|(f, _)| {
        let t = temp(&f.path);
        std::fs::write(&t, &f.bytes).map_err(|e| io(e, &t))
    });
    if let Err(e) = written {
        for (f, _) in &changed {
            let _ = std::fs::remove_file(temp(&f.path));
        }
        return Err(e);
    }
    // Every write succeeded: move them into place, then tidy what the site no longer has.
    let manifest_tmp = out.join(format!("{MARKER}.tmp"));
    std::fs::write(&manifest_tmp, manifest_text(files, hashes)).map_err(|e| io(e, &manifest_tmp))?;
    for (f, _) in &changed {
        let t = temp(&f.path);
        std::fs::rename(&t, out.join(&f.path)).map_err(|e| io(e, &t))?;
    }
    for p in &removed {
        let path = out.join(p);
        let _ = std::fs::remove_file(&path);
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| *d != out) {
            if std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    std::fs::rename(&manifest_tmp, out.join(MARKER)).map_err(|e| io(e, &manifest_tmp))?;
    Ok(WriteStats { written: changed.len(), unchanged: files.len() - changed.len(), removed: removed.len() })
}

/// Reads a directory tree of static files into memory, skipping editor and system files.
pub fn read_dir_files(from: &Path) -> std::io::Result<Vec<OutputFile>> {
    let mut out = Vec::new();
    if !from.is_dir() {
        return Ok(out);
    }
    for entry in walkdir::WalkDir::new(from)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !crate::load::is_ignorable(&e.file_name().to_string_lossy()))
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
        assert_eq!(again, WriteStats { written: 2, unchanged: 1, removed: 1 });
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
