//! Rebuilds into the same output keep the quarters whose inputs have not changed (from the
//! record the last build left in the records folder), and always write exactly what a first
//! build would: the kept files are checked byte for byte first.

use crate::common::{append, files, fixture};
use std::path::Path;

/// Builds `root` into `out`, noting what it wrote in `records`; gives the quarters kept.
fn build(root: &Path, out: &Path, records: &Path) -> usize {
    let options = scrutiny::BuildOptions {
        root: root.to_path_buf(),
        output: Some(out.to_path_buf()),
        drafts: false,
        base_url: None,
        records: Some(records.to_path_buf()),
    };
    match scrutiny::build(&options) {
        Ok(report) => report.written.quarters_kept,
        Err(d) => panic!("build failed: {d:#?}"),
    }
}

/// What a first build of `root` writes (into a new folder, with no record).
fn fresh(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    let options = scrutiny::BuildOptions { root: root.to_path_buf(), output: Some(out.clone()), drafts: false, base_url: None, records: None };
    scrutiny::build(&options).unwrap();
    files(&out)
}

/// The fixture, its output folder and records folder (kept apart from the site).
fn setup() -> (tempfile::TempDir, tempfile::TempDir) {
    (fixture(), tempfile::tempdir().unwrap())
}

#[test]
fn a_rebuild_keeps_every_unchanged_quarter_and_writes_what_a_first_build_writes() {
    let (site, work) = setup();
    let (out, records) = (work.path().join("public"), work.path().join("records"));
    // The first build into a folder keeps nothing; the next keeps the three published quarters.
    assert_eq!(build(site.path(), &out, &records), 0);
    assert_eq!(build(site.path(), &out, &records), 3);
    assert_eq!(files(&out), fresh(site.path()));
    // Without records, nothing is kept.
    let options = scrutiny::BuildOptions { root: site.path().to_path_buf(), output: Some(out.clone()), drafts: false, base_url: None, records: None };
    assert_eq!(scrutiny::build(&options).unwrap().written.quarters_kept, 0);
}

#[test]
fn new_words_in_a_quarter_render_that_quarter_and_figures_render_every_later_one() {
    let (site, work) = setup();
    let (out, records) = (work.path().join("public"), work.path().join("records"));
    build(site.path(), &out, &records);
    // Q2's commentary: Q1 and Q3 are kept.
    append(site.path(), "content/2024-25/q2/contacts.md", "\nA new closing paragraph.\n");
    assert_eq!(build(site.path(), &out, &records), 2);
    assert_eq!(files(&out), fresh(site.path()));
    let page = std::fs::read_to_string(out.join("2024-25/q2/contacts/index.html")).unwrap();
    assert!(page.contains("A new closing paragraph."));
    // A figure of Q1 shows in Q2 and Q3 too (their charts' history): nothing is kept.
    let q1 = std::fs::read_to_string(site.path().join("data/2024-25/q1.yaml")).unwrap();
    let revised = q1.replacen("waiting-list: 90", "waiting-list: 91", 1);
    assert_ne!(revised, q1);
    std::fs::write(site.path().join("data/2024-25/q1.yaml"), revised).unwrap();
    assert_eq!(build(site.path(), &out, &records), 0);
    assert_eq!(files(&out), fresh(site.path()));
}

#[test]
fn a_template_change_renders_every_quarter() {
    let (site, work) = setup();
    let (out, records) = (work.path().join("public"), work.path().join("records"));
    build(site.path(), &out, &records);
    let templates = site.path().join("themes/default/templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(templates.join("section.html"), "{% extends \"base.html\" %}{% block main %}<h1>{{ title }}</h1>Changed{% endblock %}").unwrap();
    assert_eq!(build(site.path(), &out, &records), 0);
    assert_eq!(files(&out), fresh(site.path()));
}

#[test]
fn a_kept_file_edited_or_replaced_by_a_link_is_written_again() {
    let (site, work) = setup();
    let (out, records) = (work.path().join("public"), work.path().join("records"));
    build(site.path(), &out, &records);
    let expected = fresh(site.path());
    // The same size, other bytes: the hash tells.
    let page = out.join("2024-25/q1/contacts/index.html");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, text.replacen("<title>", "<titlE>", 1)).unwrap();
    assert_eq!(build(site.path(), &out, &records), 2);
    assert_eq!(files(&out), expected);
    // A link to a file outside with the same bytes: not kept, replaced by a real file.
    let outside = work.path().join("outside.html");
    std::fs::copy(&page, &outside).unwrap();
    std::fs::remove_file(&page).unwrap();
    std::os::unix::fs::symlink(&outside, &page).unwrap();
    assert_eq!(build(site.path(), &out, &records), 2);
    assert!(std::fs::symlink_metadata(&page).unwrap().file_type().is_file());
    assert_eq!(files(&out), expected);
    // A removed file.
    std::fs::remove_file(out.join("2024-25/q2/print/index.html")).unwrap();
    assert_eq!(build(site.path(), &out, &records), 2);
    assert_eq!(files(&out), expected);
}

#[test]
fn a_hostile_record_keeps_nothing_it_names_outside_the_output_or_cannot_verify() {
    let (site, work) = setup();
    let (out, records) = (work.path().join("public"), work.path().join("records"));
    build(site.path(), &out, &records);
    let record = std::fs::read_dir(&records).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(&record).unwrap();
    // Every path of the record pointed outside the output: no quarter is kept, nothing is lost.
    let outside: String = text
        .lines()
        .map(|l| match l.splitn(3, ' ').collect::<Vec<_>>()[..] {
            [hash, size, _] if !l.starts_with('#') && !l.starts_with("quarter ") => format!("{hash} {size} ../outside.html\n"),
            _ => format!("{l}\n"),
        })
        .collect();
    std::fs::write(&record, outside).unwrap();
    assert_eq!(build(site.path(), &out, &records), 0);
    assert_eq!(files(&out), fresh(site.path()));
    // Garbage: the build renders everything and notes a good record again.
    std::fs::write(&record, b"\xff\xfe not a record \x00\n").unwrap();
    assert_eq!(build(site.path(), &out, &records), 0);
    assert_eq!(build(site.path(), &out, &records), 3);
}
