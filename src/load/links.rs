//! Symlinks: nothing is read through a link that leads outside the site folder, so a link
//! committed by mistake (or on purpose) cannot publish the build machine's files.
//!
//! Owns: the errors a link out of the site gets; which links lead out is `site_files`'s.

use crate::diagnostic::{rel, Diagnostic, Pos};
use crate::site_files::link_out;
use std::path::{Path, PathBuf};

/// An error at the link if reading `path` (inside `root`) would go through a symlink that
/// leads outside the site (see [`link_out`]).
pub(crate) fn check_inside(root: &Path, path: &Path) -> Result<(), Diagnostic> {
    match link_out(root, path) {
        Some(out) => Err(leaves(root, &out.link, out.target)),
        None => Ok(()),
    }
}

/// Every link in `dir` (the folder itself included) that leads outside the site, as errors.
pub(crate) fn links_leaving(root: &Path, dir: &Path) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if std::fs::symlink_metadata(dir).is_err() {
        return out;
    }
    if let Err(d) = check_inside(root, dir) {
        out.push(d);
        return out;
    }
    for e in walkdir::WalkDir::new(dir).follow_links(false).follow_root_links(false).min_depth(1).sort_by_file_name().into_iter().filter_map(Result::ok) {
        if e.path_is_symlink() {
            if let Err(d) = check_inside(root, e.path()) {
                out.push(d);
            }
        }
    }
    out
}

fn leaves(root: &Path, link: &Path, target: Option<PathBuf>) -> Diagnostic {
    let to = target.map(|t| format!(" ({})", t.display())).unwrap_or_default();
    Diagnostic::error(rel(root, link), Pos::FILE, format!("this is a link to something outside the site folder{to}, so it is not read or published"))
        .help("copy the file into the site folder instead of linking to it (links may only point inside the site)")
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_inside_are_followed_and_links_out_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "TOKEN").unwrap();
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        std::fs::create_dir_all(root.join("content/pages")).unwrap();
        std::fs::write(root.join("content/pages/a.md"), "a").unwrap();
        symlink(root.join("content/pages/a.md"), root.join("content/pages/b.md")).unwrap();
        symlink(outside.path().join("secret"), root.join("content/pages/env.md")).unwrap();
        symlink(outside.path(), root.join("static")).unwrap();
        assert!(check_inside(root, &root.join("content/pages/b.md")).is_ok());
        let d = check_inside(root, &root.join("content/pages/env.md")).unwrap_err();
        assert_eq!(d.file, "content/pages/env.md");
        // A file below a linked folder is reported at the folder, the link.
        assert_eq!(check_inside(root, &root.join("static/secret")).unwrap_err().file, "static");
        let all: Vec<String> = links_leaving(root, &root.join("content")).into_iter().map(|d| d.file).collect();
        assert_eq!(all, ["content/pages/env.md"]);
        let all: Vec<String> = links_leaving(root, &root.join("static")).into_iter().map(|d| d.file).collect();
        assert_eq!(all, ["static"]);
    }
}
