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

/// Writes `files` into a fresh directory beside the output, then swaps it in.
pub fn write_site(root: &Path, output: &Path, files: &[OutputFile]) -> Result<(), Diagnostic> {
    let out = check_output(root, output)?;
    let parent = out.parent().expect("checked").to_path_buf();
    let name = out.file_name().expect("checked").to_string_lossy().to_string();
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.building-"))
        .tempdir_in(&parent)
        .map_err(|e| refuse(format!("cannot create a folder beside {}: {e}", out.display()), "check the folder can be written to"))?;
    let io = |e: std::io::Error, what: &Path| {
        refuse(format!("cannot write {}: {e}", what.display()), "check there is free disk space and the folder can be written to")
    };

    let mut dirs: Vec<PathBuf> = files.iter().filter_map(|f| Path::new(&f.path).parent().map(|p| staging.path().join(p))).collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        std::fs::create_dir_all(d).map_err(|e| io(e, d))?;
    }
    files.par_iter().try_for_each(|f| {
        let p = staging.path().join(&f.path);
        std::fs::write(&p, &f.bytes).map_err(|e| io(e, &p))
    })?;
    std::fs::write(staging.path().join(MARKER), "This folder is written by scrutiny build and replaced whole on every build.\n")
        .map_err(|e| io(e, staging.path()))?;

    let staged = staging.keep();
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if out.exists() {
        let _ = std::fs::remove_dir_all(&old);
        std::fs::rename(&out, &old).map_err(|e| io(e, &out))?;
    }
    if let Err(e) = std::fs::rename(&staged, &out) {
        if old.exists() {
            let _ = std::fs::rename(&old, &out);
        }
        let _ = std::fs::remove_dir_all(&staged);
        return Err(io(e, &out));
    }
    if old.exists() {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
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
