//! The writer against a hostile or damaged output folder: manifest lines naming files outside
//! it, symlinks inside it, debris of killed builds, concurrent builds and hand edits.

use std::path::{Path, PathBuf};
use std::process::Command;

fn build(root: &Path, out: &Path) -> Result<scrutiny::BuildReport, Vec<scrutiny::diagnostic::Diagnostic>> {
    scrutiny::build(&scrutiny::BuildOptions { root: root.to_path_buf(), output: Some(out.to_path_buf()), drafts: false, base_url: None, records: None })
}

/// A fixture site with its output built once, in `site/public`.
fn built() -> (tempfile::TempDir, PathBuf) {
    let site = crate::common::fixture();
    let out = site.path().join("public");
    build(site.path(), &out).expect("first build");
    (site, out)
}

fn files_below(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn append_manifest(out: &Path, line: &str) {
    let marker = out.join(".scrutiny-output");
    let mut text = std::fs::read_to_string(&marker).unwrap();
    text.push_str(line);
    text.push('\n');
    std::fs::write(marker, text).unwrap();
}

#[test]
fn manifest_lines_outside_the_output_delete_nothing() {
    let (site, out) = built();
    let victim_dir = site.path().join("victims");
    std::fs::create_dir_all(victim_dir.join("deep")).unwrap();
    let victim = victim_dir.join("deep/victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    let hash = blake3::hash(b"keep me").to_hex().to_string();
    append_manifest(&out, &format!("{hash} 7 ../victims/deep/victim.txt"));
    append_manifest(&out, &format!("{hash} 7 {}", victim.display()));
    append_manifest(&out, &format!("{hash} 7 charts/../../victims/deep/victim.txt"));
    build(site.path(), &out).expect("rebuild");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    assert!(victim_dir.join("deep").is_dir(), "the victim's folder stays");
}

#[cfg(unix)]
#[test]
fn writes_never_go_through_a_symlink_inside_the_output() {
    let (site, out) = built();
    let elsewhere = site.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    // A folder of the output replaced by a link to a folder outside it.
    let charts = out.join("charts");
    let chart_files = files_below(&charts);
    assert!(!chart_files.is_empty(), "the fixture draws charts");
    std::fs::remove_dir_all(&charts).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &charts).unwrap();
    // A page replaced by a link to a file outside.
    let outside_file = site.path().join("outside.txt");
    std::fs::write(&outside_file, "untouched").unwrap();
    std::fs::remove_file(out.join("index.html")).unwrap();
    std::os::unix::fs::symlink(&outside_file, out.join("index.html")).unwrap();

    build(site.path(), &out).expect("rebuild");
    assert!(files_below(&elsewhere).is_empty(), "nothing was written outside: {:?}", files_below(&elsewhere));
    assert_eq!(std::fs::read_to_string(&outside_file).unwrap(), "untouched");
    assert!(!std::fs::symlink_metadata(&charts).unwrap().file_type().is_symlink(), "the link is replaced by a real folder");
    assert_eq!(files_below(&charts), chart_files);
    assert!(!std::fs::symlink_metadata(out.join("index.html")).unwrap().file_type().is_symlink());
}

#[cfg(unix)]
#[test]
fn stale_files_are_not_removed_through_a_symlink() {
    let (site, out) = built();
    let elsewhere = site.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("old.svg"), "keep").unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("linked")).unwrap();
    let hash = blake3::hash(b"keep").to_hex().to_string();
    append_manifest(&out, &format!("{hash} 4 linked/old.svg"));
    build(site.path(), &out).expect("rebuild");
    assert_eq!(std::fs::read_to_string(elsewhere.join("old.svg")).unwrap(), "keep");
}

#[test]
fn debris_of_a_killed_build_is_swept_by_the_next() {
    let (site, out) = built();
    // What a build killed mid-write leaves: temporary files inside, staging folders beside.
    std::fs::write(out.join("index.html.scrutiny-99999.tmp"), "half").unwrap();
    std::fs::write(out.join("charts").join("x.svg.scrutiny-4242.tmp"), "half").unwrap();
    std::fs::write(out.join(".scrutiny-output.tmp"), "half").unwrap();
    std::fs::create_dir_all(site.path().join(".public.building-AbC123/charts")).unwrap();
    std::fs::write(site.path().join(".public.building-AbC123/index.html"), "half").unwrap();
    std::fs::create_dir_all(site.path().join(".public.old-777")).unwrap();
    // Not debris: a file whose name only looks alike, and other folders beside the output.
    std::fs::create_dir_all(site.path().join(".publicity.building-x")).unwrap();

    let report = build(site.path(), &out).expect("rebuild");
    assert_eq!(report.written.written, 0, "nothing changed");
    let tmp: Vec<String> = files_below(&out).into_iter().filter(|f| f.ends_with(".tmp")).collect();
    assert!(tmp.is_empty(), "{tmp:?}");
    let beside: Vec<String> =
        std::fs::read_dir(site.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| n.starts_with(".public.")).collect();
    assert!(beside.is_empty(), "{beside:?}");
    assert!(site.path().join(".publicity.building-x").is_dir());
}

#[test]
fn fresh_build_sweeps_staging_folders_too() {
    let site = crate::common::fixture();
    let out = site.path().join("public");
    std::fs::create_dir_all(site.path().join(".public.building-zz9")).unwrap();
    build(site.path(), &out).expect("build");
    assert!(!site.path().join(".public.building-zz9").exists());
}

#[test]
fn concurrent_builds_into_one_output_all_succeed_and_agree() {
    let site = crate::common::fixture();
    let out = site.path().join("public");
    let bin = env!("CARGO_BIN_EXE_scrutiny");
    let run =
        |n: usize| (0..n).map(|_| Command::new(bin).args(["build", "--root"]).arg(site.path()).arg("--output").arg(&out).output().unwrap()).collect::<Vec<_>>();
    let spawn_all = |n: usize| {
        let children: Vec<_> = (0..n)
            .map(|_| {
                Command::new(bin)
                    .args(["build", "--root"])
                    .arg(site.path())
                    .arg("--output")
                    .arg(&out)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        children.into_iter().map(|c| c.wait_with_output().unwrap()).collect::<Vec<_>>()
    };
    let reference = {
        let r = tempfile::tempdir().unwrap();
        build(site.path(), &r.path().join("public")).unwrap();
        let files = files_below(&r.path().join("public"));
        let bytes: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(r.path().join("public").join(f)).unwrap()).collect();
        (files, bytes)
    };
    // Fresh builds racing, then rebuilds racing after a change that rewrites pages.
    for round in 0..4 {
        if round > 0 {
            // Every build of the round finds the same damage and races to mend it.
            for f in files_below(&out).iter().filter(|f| f.ends_with(".html") || f.ends_with(".svg")) {
                std::fs::write(out.join(f), format!("tampered {round}")).unwrap();
            }
        }
        for o in spawn_all(8) {
            assert!(o.status.success(), "round {round}: {}", String::from_utf8_lossy(&o.stderr));
        }
        assert_eq!(files_below(&out), reference.0, "round {round}");
        for (f, b) in reference.0.iter().zip(&reference.1) {
            assert_eq!(&std::fs::read(out.join(f)).unwrap(), b, "round {round}: {f}");
        }
        let beside: Vec<String> = std::fs::read_dir(site.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".public."))
            .collect();
        assert!(beside.is_empty(), "round {round}: {beside:?}");
    }
    assert!(run(1)[0].status.success());
}

#[test]
fn a_hand_edit_of_the_same_size_is_put_back() {
    let (site, out) = built();
    let page = out.join("glossary").join("index.html");
    let original = std::fs::read(&page).unwrap();
    let mut edited = original.clone();
    let at = edited.len() / 2;
    edited[at] = if edited[at] == b'x' { b'y' } else { b'x' };
    std::fs::write(&page, &edited).unwrap();
    let report = build(site.path(), &out).expect("rebuild");
    assert_eq!(report.written.written, 1);
    assert_eq!(std::fs::read(&page).unwrap(), original);
}

#[test]
fn the_streamed_build_writes_exactly_what_the_in_memory_build_holds() {
    for root in [Path::new("tests/fixtures/basic"), Path::new(".")] {
        let out = tempfile::tempdir().unwrap();
        let out = out.path().join("public");
        build(root, &out).expect("build");
        let held = scrutiny::build_in_memory(root, false, None).expect("in memory");
        let mut written = files_below(&out);
        written.retain(|f| f != ".scrutiny-output");
        assert_eq!(written, held.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>(), "{}", root.display());
        for f in &held.files {
            assert!(std::fs::read(out.join(&f.path)).unwrap() == f.bytes, "{}: {}", root.display(), f.path);
        }
    }
}
