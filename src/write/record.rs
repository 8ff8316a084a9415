//! The record a build leaves of what it wrote, quarter by quarter, so that the next build into
//! the same output can keep a quarter whose inputs have not changed instead of rendering it again.
//!
//! The record is kept outside the output (in the user's cache folder), because anything inside
//! the output may have been edited by anyone: only a file whose bytes still hash to what this
//! record says is ever kept. One record per output folder, named by a hash of its path.

use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A file as written: its path below the output, size and content hash.
pub(super) type FileLine = (String, u64, String);

/// Each quarter's key (see `render`) and the files the build wrote for it.
#[derive(Debug, Default)]
pub(super) struct Record {
    pub(super) quarters: HashMap<blake3::Hash, Vec<FileLine>>,
}

const HEADER: &str = "# scrutiny: the files the last build wrote into OUTPUT, by quarter, so the next can keep those whose inputs are unchanged.";

/// Records kept at most; the oldest go first (each is some tens of KB).
const MOST: usize = 64;

/// Where the record for an output is kept inside `dir`.
pub(super) fn path(dir: &Path, out: &Path) -> PathBuf {
    let name = blake3::hash(out.as_os_str().as_encoded_bytes()).to_hex();
    dir.join(format!("{}.record", &name[..32]))
}

/// Reads a record; anything malformed is left out (a quarter with a bad line is left out whole).
pub(super) fn read(at: &Path) -> Record {
    let Ok(text) = std::fs::read_to_string(at) else { return Record::default() };
    let mut record = Record::default();
    let mut current: Option<(blake3::Hash, Vec<FileLine>)> = None;
    let mut bad = false;
    let mut close = |current: &mut Option<(blake3::Hash, Vec<FileLine>)>, bad: &mut bool| {
        if let Some((key, files)) = current.take() {
            if !*bad && !files.is_empty() {
                record.quarters.insert(key, files);
            }
        }
        *bad = false;
    };
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        if let Some(key) = line.strip_prefix("quarter ") {
            close(&mut current, &mut bad);
            match blake3::Hash::from_hex(key) {
                Ok(key) => current = Some((key, Vec::new())),
                Err(_) => bad = true,
            }
            continue;
        }
        let mut parts = line.splitn(3, ' ');
        let parsed = (|| {
            let (hash, size, p) = (parts.next()?, parts.next()?.parse().ok()?, parts.next()?);
            (blake3::Hash::from_hex(hash).is_ok() && super::is_safe_relative(p)).then(|| (p.to_string(), size, hash.to_string()))
        })();
        match (parsed, current.as_mut()) {
            (Some(f), Some((_, files))) => files.push(f),
            _ => bad = true,
        }
    }
    close(&mut current, &mut bad);
    record
}

/// The quarters of `record` whose every file is still in `out` as written: a real file (reached
/// through real folders only) of that size whose bytes hash to what the record says.
pub(super) fn intact(record: &Record, out: &Path) -> HashSet<blake3::Hash> {
    record.quarters.par_iter().filter(|(_, files)| files.iter().all(|(p, size, hash)| holds_hash(out, p, *size, hash))).map(|(key, _)| *key).collect()
}

fn holds_hash(out: &Path, p: &str, size: u64, hash: &str) -> bool {
    let path = out.join(p);
    super::inside_real_dirs(out, p)
        && std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file() && m.len() == size)
        && std::fs::read(&path).is_ok_and(|bytes| blake3::hash(&bytes).to_hex().as_str() == hash)
}

/// Writes the record whole (a temporary file renamed into place), then trims the folder to the
/// newest [`MOST`] records. Failing to write only costs the next build the reuse.
pub(super) fn write(at: &Path, out: &Path, quarters: &[(blake3::Hash, Vec<FileLine>)]) {
    let Some(dir) = at.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let mut text = HEADER.replace("OUTPUT", &out.display().to_string().replace('\n', " "));
    text.push('\n');
    for (key, files) in quarters {
        text.push_str(&format!("quarter {}\n", key.to_hex()));
        for (p, size, hash) in files {
            text.push_str(&format!("{hash} {size} {p}\n"));
        }
    }
    let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir) else { return };
    if std::io::Write::write_all(&mut tmp, text.as_bytes()).is_err() || tmp.persist(at).is_err() {
        return;
    }
    trim(dir);
}

fn trim(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut records: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".record"))
        .filter_map(|e| Some((e.metadata().ok().filter(|m| m.is_file())?.modified().ok()?, e.path())))
        .collect();
    if records.len() > MOST {
        records.sort();
        for (_, p) in &records[..records.len() - MOST] {
            let _ = std::fs::remove_file(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_it_writes_and_drops_what_it_cannot_trust() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(out.join("2024-25/q1")).unwrap();
        std::fs::write(out.join("2024-25/q1/index.html"), "page").unwrap();
        let (k1, k2) = (blake3::hash(b"q1"), blake3::hash(b"q2"));
        let line = |p: &str, bytes: &[u8]| (p.to_string(), bytes.len() as u64, blake3::hash(bytes).to_hex().to_string());
        let at = path(&dir.path().join("cache"), &out);
        write(&at, &out, &[(k1, vec![line("2024-25/q1/index.html", b"page")]), (k2, vec![line("2024-25/q2/index.html", b"gone")])]);
        let record = read(&at);
        assert_eq!(record.quarters.len(), 2);
        // Q2's file is not there: only Q1 is intact.
        assert_eq!(intact(&record, &out), HashSet::from([k1]));
        // An edit that keeps the size is caught by the hash.
        std::fs::write(out.join("2024-25/q1/index.html"), "PAGE").unwrap();
        assert!(intact(&record, &out).is_empty());
        // A hostile line leaves its quarter out whole; the others stay.
        let text = std::fs::read_to_string(&at).unwrap();
        let hostile = text.replace("2024-25/q2/index.html", "../../etc/passwd");
        std::fs::write(&at, hostile).unwrap();
        assert_eq!(read(&at).quarters.keys().collect::<Vec<_>>(), [&k1]);
        std::fs::write(&at, "quarter not-a-hash\nabc 1 x\n").unwrap();
        assert!(read(&at).quarters.is_empty());
    }
}
