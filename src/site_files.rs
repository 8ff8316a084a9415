//! The site folder's files as every stage must see them: which names are never part of a site
//! (editors' and systems' leftovers), and which paths would be read through a symbolic link
//! leading out of the site folder.
//!
//! Owns: [`is_ignorable`] and [`link_out`], shared by load, render (the theme), write, serve
//! and `diagnostic` (which shows source lines). Must not import anything of the crate: it sits
//! below `diagnostic`, so the words of the error a link out gets are `load::links`'s.

use std::path::{Path, PathBuf};

/// Files editors and systems leave behind, which are never part of a site.
pub(crate) fn is_ignorable(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
        || name.starts_with("~$")
}

/// A symbolic link leading out of the site folder: the link, and where it leads when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkOut {
    /// The link (or `path` itself, when it is not below the site folder at all).
    pub link: PathBuf,
    /// Where it leads.
    pub target: Option<PathBuf>,
}

/// The link out of the site that reading `path` (inside `root`) would go through, if any;
/// links that stay inside the site are followed as usual.
pub(crate) fn link_out(root: &Path, path: &Path) -> Option<LinkOut> {
    let site = std::fs::canonicalize(root).ok()?;
    let Ok(below) = path.strip_prefix(root) else {
        // Not below the site folder at all (only the site's own paths are ever asked about).
        return Some(LinkOut { link: path.to_path_buf(), target: None });
    };
    let mut at = root.to_path_buf();
    for part in below.components() {
        at.push(part);
        let meta = std::fs::symlink_metadata(&at).ok()?;
        if !meta.file_type().is_symlink() {
            continue;
        }
        match std::fs::canonicalize(&at) {
            Ok(target) if target.starts_with(&site) => {}
            Ok(target) => return Some(LinkOut { link: at, target: Some(target) }),
            // A dangling link reads nothing; the read itself reports the missing file.
            Err(_) => return None,
        }
    }
    None
}
