//! `scrutiny import ascof` and `scrutiny import figures`: fixtures in, files out, checked by hand;
//! and the malformed-input corpus `tests/import-cases/*.case`.
//!
//! Case format (as tests/bad-input, plus the command):
//! ```text
//! # what the case is about
//! === args                (the import subcommand and its arguments; FILE is relative to the site)
//! === path/to/file        (written into the site, relative to its root)
//! === raw path/to/file    (the same, with \xNN escapes and \r\n kept as bytes)
//! === expected            (every problem's headline, in the order reported)
//! ```
//! Every case runs on the import fixture (tests/fixtures/basic with tests/import/site.toml and
//! metrics.yaml over it). A case with an error must leave data/ exactly as it was.
//! To add a case, write `tests/import-cases/NAME.case` with an empty `=== expected` section
//! (last), run `SNAPSHOTS=overwrite cargo test --test testsuite import::every_import_case` to
//! fill it in, and read what it wrote before committing; the same command updates every case
//! after a message changes. Each case file is a snapbox snapshot of itself, so a case that
//! differs prints as a diff of its file.

use crate::common::{assert_snapshots, case_files, copy_dir, unescape};

use scrutiny::diagnostic::Severity;
use scrutiny::period::{FinancialYear, Quarter};
use std::path::{Path, PathBuf};

/// The basic fixture with ONS codes and bracketed ASCOF codes.
fn import_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("tests/fixtures/basic"), dir.path());
    std::fs::copy("tests/import/site.toml", dir.path().join("site.toml")).unwrap();
    std::fs::copy("tests/import/metrics.yaml", dir.path().join("data/metrics.yaml")).unwrap();
    dir
}

fn release() -> PathBuf {
    std::fs::canonicalize("tests/import/ascof-2023-24.csv").unwrap()
}

fn year() -> FinancialYear {
    FinancialYear::parse("2023-24").unwrap()
}

fn headlines(o: &scrutiny::import::Outcome, root: &Path) -> Vec<String> {
    let prefix = format!("{}/", root.display());
    o.problems
        .iter()
        .map(|p| p.headline().replace(&prefix, "").replace(&format!("{}/", std::fs::canonicalize("tests/import").unwrap().display()), ""))
        .collect()
}

fn view<'a>(site: &'a scrutiny::model::Site, name: &str) -> &'a scrutiny::model::BenchmarkView {
    site.benchmarks.iter().find(|b| b.def.name == name).unwrap_or_else(|| panic!("no benchmark {name}"))
}

#[test]
fn the_release_gives_benchmarks_ranked_as_by_hand() {
    let dir = import_site();
    let o = scrutiny::import::ascof(dir.path(), &release(), year(), false);
    assert!(!o.failed(), "{}", o.render_problems());
    assert_eq!(
        headlines(&o, dir.path()),
        [
            "warning: site.toml: comparator \"cipfa\" names no members by code, so it was skipped",
            "warning: ascof-2023-24.csv: 1 member code of \"nw\" is not in the file: E08000099",
        ]
    );
    assert_eq!(o.summary.last().unwrap(), "6 benchmark files written, 0 unchanged");

    let nw = std::fs::read_to_string(dir.path().join("data/benchmarks/msp-asked-nw-2023-24.yaml")).unwrap();
    // The region's own published figure, not the mean of its members (77.03).
    assert!(nw.contains("\noverall: 77.7\n"), "{nw}");
    assert!(nw.contains("\n  Eskdale Bridge: { value: null, suppressed: true }\n"), "{nw}");
    assert!(nw.contains("\n  Garth Hollow: null\n"), "{nw}");
    assert!(nw.contains("\n  Lunedale, City of: 84\n"), "{nw}");
    assert!(nw.contains("\nself: Testshire\n"), "{nw}");
    assert!(!nw.contains("E08000099"));
    let england = std::fs::read_to_string(dir.path().join("data/benchmarks/msp-asked-england-2023-24.yaml")).unwrap();
    assert!(england.contains("\noverall: 76.4\n"), "{england}");
    assert_eq!(england.matches("\n  ").count(), 30, "every council of the file, no region: {england}");
    let neighbours = std::fs::read_to_string(dir.path().join("data/benchmarks/msp-asked-neighbours-2023-24.yaml")).unwrap();
    assert!(!neighbours.contains("overall"), "a group without a row of its own has no overall: {neighbours}");
    let sat = std::fs::read_to_string(dir.path().join("data/benchmarks/satisfaction-nw-2023-24.yaml")).unwrap();
    assert!(sat.contains("\noverall: 59.9\n"), "{sat}");

    let (site, _warnings) = scrutiny::compile(dir.path(), true, None).unwrap_or_else(|d| panic!("{d:#?}"));
    // North West, 2B(1): 90.1, 88.8, 84.0 (Testshire and Lunedale), 80.5 ... of 10 with a value.
    let b = view(&site, "msp-asked-nw-2023-24");
    let own = b.own().unwrap();
    assert_eq!((own.rank, b.ranked, own.quartile), (Some(3), 10, Some(2)));
    // England: 90.1, 88.8, 86.6, 85.5, then 84.0 twice; 26 of 30 councils have a value.
    let b = view(&site, "msp-asked-england-2023-24");
    let own = b.own().unwrap();
    assert_eq!((own.rank, b.ranked, own.quartile), (Some(5), 26, Some(1)));
    // Neighbours: 90.1, 86.6, 84.0, 52.2; Eskdale Bridge suppressed.
    let b = view(&site, "msp-asked-neighbours-2023-24");
    let own = b.own().unwrap();
    assert_eq!((own.rank, b.ranked, own.quartile), (Some(3), 4, Some(3)));
    // North West, 1C(2A): 70, 66, 65, 62, then 61.5 twice, of 12.
    let b = view(&site, "satisfaction-nw-2023-24");
    let own = b.own().unwrap();
    assert_eq!((own.rank, b.ranked, own.quartile), (Some(5), 12, Some(2)));

    // Again on the same file: nothing changes.
    let again = scrutiny::import::ascof(dir.path(), &release(), year(), false);
    assert!(!again.failed(), "{}", again.render_problems());
    assert_eq!(again.summary.last().unwrap(), "0 benchmark files written, 6 unchanged");
    assert_eq!(std::fs::read_to_string(dir.path().join("data/benchmarks/msp-asked-nw-2023-24.yaml")).unwrap(), nw);
}

#[test]
fn a_changed_benchmark_is_replaced_only_with_force_and_the_change_is_shown() {
    let dir = import_site();
    assert!(!scrutiny::import::ascof(dir.path(), &release(), year(), false).failed());
    let path = dir.path().join("data/benchmarks/msp-asked-nw-2023-24.yaml");
    let edited = std::fs::read_to_string(&path).unwrap().replace("Fellside: 70.2", "Fellside: 71");
    std::fs::write(&path, &edited).unwrap();
    let o = scrutiny::import::ascof(dir.path(), &release(), year(), false);
    assert!(o.failed());
    assert!(
        headlines(&o, dir.path()).contains(&"error: data/benchmarks/msp-asked-nw-2023-24.yaml: the file exists and the release would change it".to_string())
    );
    let diff: Vec<&str> = o.summary.iter().map(|s| s.trim()).filter(|s| s.starts_with('-') || s.starts_with('+')).collect();
    assert_eq!(diff, ["-   Fellside: 71", "+   Fellside: 70.2"]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited, "not overwritten without --force");
    let o = scrutiny::import::ascof(dir.path(), &release(), year(), true);
    assert!(!o.failed(), "{}", o.render_problems());
    assert!(std::fs::read_to_string(&path).unwrap().contains("Fellside: 70.2"));
}

#[test]
fn ten_megabyte_release_is_read_whole() {
    // Speed is measured by examples/import_bench.rs; this checks a release far larger than the fixture imports.
    let dir = import_site();
    let csv = dir.path().join("big.csv");
    std::fs::write(&csv, scrutiny_big_release(2_000)).unwrap();
    let o = scrutiny::import::ascof(dir.path(), &csv, year(), false);
    assert!(!o.failed(), "{}", o.render_problems());
}

/// A release of `councils` councils in the fixture's shape (the bench makes a 10 MB one the same way).
fn scrutiny_big_release(councils: usize) -> String {
    let mut s = String::from(
        "Geographical Code,Geographical Description,Geographical Level,ONS Code,ASCOF Measure Code,Disaggregation Level,Measure Type,Measure Value\n",
    );
    s.push_str("1,England,England,E92000001,2B(1),Total,Outcome,76.4\n1,England,England,E92000001,1C(2A),Total,Outcome,63.2\n");
    for i in 0..councils {
        let code = if i < 12 { format!("E0800{:04}", i + 1) } else { format!("E0700{:04}", i) };
        for m in ["2B(1)", "1C(2A)", "1A"] {
            s.push_str(&format!("{i},Council {i},Council,{code},{m},Total,Outcome,{}.5\n", 40 + i % 50));
            s.push_str(&format!("{i},Council {i},Council,{code},{m},Female,Outcome,{}.5\n", 40 + i % 50));
        }
    }
    s
}

fn figures(root: &Path, file: &str, quarter: &str, sheet: Option<&str>) -> scrutiny::import::Outcome {
    scrutiny::import::figures(root, &root.join(file), Quarter::parse(quarter).unwrap(), sheet)
}

#[test]
fn an_xlsx_sheet_updates_the_quarter_keeping_comments_and_other_keys() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = import_site();
    let q3 = dir.path().join("data/2024-25/q3.yaml");
    let before = std::fs::read_to_string(&q3)
        .unwrap()
        .replace("values:\n", "# Figures from the monthly return\nvalues:\n  # rank from the regional benchmarking club\n");
    std::fs::write(&q3, &before).unwrap();
    let mut book = Workbook::new();
    book.add_worksheet().set_name("Notes").unwrap().write_string(0, 0, "Read me").unwrap();
    let sheet = book.add_worksheet().set_name("Figures").unwrap();
    let date = Format::new().set_num_format("mmm yyyy");
    let percent = Format::new().set_num_format("0.0%");
    for (c, h) in ["metric", "period", "value", "flags", "note", "suppressed_value"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let month = |y: u16, m: u8| ExcelDateTime::from_ymd(y, m, 1).unwrap();
    sheet.write_string(1, 0, "contacts-received").unwrap();
    sheet.write_datetime_with_format(1, 1, month(2024, 12), &date).unwrap();
    sheet.write_number(1, 2, 1490).unwrap();
    sheet.write_string(2, 0, "contacts-received").unwrap();
    sheet.write_datetime_with_format(2, 1, month(2024, 9), &date).unwrap();
    sheet.write_number(2, 2, 1400).unwrap();
    sheet.write_string(2, 4, "Late returns added").unwrap();
    sheet.write_string(3, 0, "waiting-list").unwrap();
    sheet.write_string(3, 1, "2024-25/q3").unwrap();
    sheet.write_number(3, 2, 77).unwrap();
    sheet.write_string(4, 0, "msp-asked").unwrap();
    sheet.write_string(4, 1, "2024-25/q3").unwrap();
    sheet.write_number_with_format(4, 2, 0.884, &percent).unwrap();
    sheet.write_string(4, 3, "e").unwrap();
    sheet.write_string(5, 0, "small-team-backlog").unwrap();
    sheet.write_string(5, 1, "2024-11").unwrap();
    sheet.write_string(5, 2, "[c]").unwrap();
    sheet.write_number(5, 5, 9).unwrap();
    let path = dir.path().join("figures.xlsx");
    book.save(&path).unwrap();

    let o = figures(dir.path(), "figures.xlsx", "2024-25/q3", Some("Figures"));
    assert!(!o.failed(), "{}", o.render_problems());
    let after = std::fs::read_to_string(&q3).unwrap();
    assert_eq!(
        after,
        "status: provisional\ndata_as_of: 2025-01-10\n# Figures from the monthly return\nvalues:\n  # rank from the regional benchmarking club\n  contacts-received:\n    months: { 2024-09: { value: 1400, note: Late returns added }, 2024-10: 1500, 2024-11: 1470, 2024-12: 1490 }\n  waiting-list:\n    value: 77\n    note: To be confirmed\n  msp-asked:\n    value: 88.4\n    flags: [estimated]\n  small-team-backlog:\n    months: { 2024-11: { value: 9, suppressed: true } }\n"
    );
    // The first sheet is a note, so without --sheet the columns are not found.
    let o = figures(dir.path(), "figures.xlsx", "2024-25/q3", None);
    assert_eq!(headlines(&o, dir.path()), ["error: figures.xlsx:Notes!A1: the first row has no column \"metric\" or \"period\" or \"value\""]);
    // A mistake in a cell is placed at that cell.
    let o = figures(dir.path(), "figures.xlsx", "2024-25/q3", Some("Figure"));
    assert_eq!(headlines(&o, dir.path()), ["error: figures.xlsx: there is no sheet \"Figure\" (did you mean \"Figures\"?)"]);
}

#[test]
fn a_spreadsheet_cell_is_located_by_sheet_and_cell() {
    use rust_xlsxwriter::Workbook;
    let dir = import_site();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Q3").unwrap();
    for (r, row) in [["metric", "period", "value"], ["waiting-lst", "2024-25/q3", "12"], ["msp-asked", "2024-25/q3", "about 90"]].iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    book.save(dir.path().join("q3.xlsx")).unwrap();
    let before = std::fs::read(dir.path().join("data/2024-25/q3.yaml")).unwrap();
    let o = figures(dir.path(), "q3.xlsx", "2024-25/q3", None);
    assert_eq!(
        headlines(&o, dir.path()),
        [
            "error: q3.xlsx:Q3!A2: unknown metric \"waiting-lst\" (did you mean \"waiting-list\"?)",
            "error: q3.xlsx:Q3!C3: column \"value\": \"about 90\" is not a number",
        ]
    );
    assert_eq!(std::fs::read(dir.path().join("data/2024-25/q3.yaml")).unwrap(), before, "nothing written");
}

/// A minimal OpenDocument spreadsheet: the zip layout LibreOffice writes, one sheet.
fn write_ods(path: &Path, rows: &[&[&str]]) {
    use std::io::Write;
    let mut cells = String::new();
    for row in rows {
        cells.push_str("<table:table-row>");
        for c in *row {
            if let Some(date) = c.strip_prefix("date:") {
                cells
                    .push_str(&format!("<table:table-cell office:value-type=\"date\" office:date-value=\"{date}\"><text:p>{date}</text:p></table:table-cell>"));
            } else if let Ok(v) = c.parse::<f64>() {
                cells.push_str(&format!("<table:table-cell office:value-type=\"float\" office:value=\"{v}\"><text:p>{v}</text:p></table:table-cell>"));
            } else {
                cells.push_str(&format!("<table:table-cell office:value-type=\"string\"><text:p>{c}</text:p></table:table-cell>"));
            }
        }
        cells.push_str("</table:table-row>");
    }
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\"><office:body><office:spreadsheet><table:table table:name=\"Figures\">{cells}</table:table></office:spreadsheet></office:body></office:document-content>"
    );
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\"><manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/><manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/></manifest:manifest>";
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap();
}

#[test]
fn an_ods_sheet_imports_with_dates_as_months() {
    let dir = import_site();
    write_ods(
        &dir.path().join("figures.ods"),
        &[
            &["metric", "period", "value"],
            &["small-team-backlog", "date:2024-10-01", "6"],
            &["small-team-backlog", "date:2024-11-01", "5"],
            &["small-team-backlog", "date:2024-12-01", "4"],
        ],
    );
    let o = figures(dir.path(), "figures.ods", "2024-25/q3", None);
    assert!(!o.failed(), "{}", o.render_problems());
    let after = std::fs::read_to_string(dir.path().join("data/2024-25/q3.yaml")).unwrap();
    assert!(after.ends_with("  msp-asked: 90\n  small-team-backlog:\n    months: { 2024-10: 6, 2024-11: 5, 2024-12: 4 }\n"), "{after}");
    let site = scrutiny::compile(dir.path(), true, None).unwrap().0;
    let q3 = site.quarters.iter().find(|q| q.quarter.path() == "2024-25/q3").unwrap();
    let mi = site.catalogue.metric("small-team-backlog").unwrap();
    assert_eq!(q3.metrics[mi].current.unwrap().figure.value(), Some(4.0));
}

#[test]
fn the_quarter_download_imported_into_an_empty_quarter_builds_the_same_report() {
    let dir = import_site();
    // Ranks and comparator figures are not in the quarter's download (they come from benchmarks).
    let q2 = dir.path().join("data/2024-25/q2.yaml");
    let text: String =
        std::fs::read_to_string(&q2).unwrap().lines().filter(|l| !l.contains("rank:") && !l.contains("compare:")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&q2, &text).unwrap();
    let q1 = dir.path().join("data/2024-25/q1.yaml");
    let text1: String =
        std::fs::read_to_string(&q1).unwrap().lines().filter(|l| !l.contains("rank:") && !l.contains("compare:")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&q1, &text1).unwrap();
    let original = scrutiny::build_in_memory(dir.path(), false, None).unwrap_or_else(|d| panic!("{d:#?}"));
    let csv = original.files.iter().find(|f| f.path == "data/2024-25-q2.csv").unwrap().bytes.clone();
    assert!(String::from_utf8_lossy(&csv).starts_with("metric_id,metric,"));

    // The same quarter with its header only: status, dates and revisions notes, no values.
    let head: String = text.split("values:").next().unwrap().to_string();
    std::fs::write(&q2, format!("{head}values: {{}}\n")).unwrap();
    std::fs::write(dir.path().join("q2.csv"), &csv).unwrap();
    let o = figures(dir.path(), "q2.csv", "2024-25/q2", None);
    assert!(!o.failed(), "{}\n{}", o.render_problems(), std::fs::read_to_string(&q2).unwrap());
    let rebuilt = scrutiny::build_in_memory(dir.path(), false, None).unwrap_or_else(|d| panic!("{d:#?}"));
    let pages = |b: &scrutiny::BuiltSite| -> Vec<(String, Vec<u8>)> {
        b.files.iter().filter(|f| f.path.starts_with("2024-25/q2/") || f.path == "data/2024-25-q2.csv").map(|f| (f.path.clone(), f.bytes.clone())).collect()
    };
    let (a, b) = (pages(&original), pages(&rebuilt));
    assert!(!a.is_empty());
    for ((pa, ba), (pb, bb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{pa} differs after the round trip:\n{}\n---\n{}", String::from_utf8_lossy(ba), String::from_utf8_lossy(bb));
    }
    assert_eq!(a.len(), b.len());
}

#[test]
fn a_blank_template_for_officers_is_in_the_book() {
    // docs/src/import-template.csv is what the book offers; it must import as it stands.
    let dir = import_site();
    std::fs::copy("docs/src/import-template.csv", dir.path().join("template.csv")).unwrap();
    let o = figures(dir.path(), "template.csv", "2024-25/q3", None);
    assert!(!o.failed(), "{}", o.render_problems());
}

#[test]
fn the_xlsx_template_matches_the_csv_template() {
    // docs/src/import-template.xlsx is written here from the CSV and checked against it, so the
    // two never drift apart.
    use rust_xlsxwriter::Workbook;
    let csv = std::fs::read_to_string("docs/src/import-template.csv").unwrap();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Figures").unwrap();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (r, line) in csv.lines().enumerate() {
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes());
        let rec = rdr.records().next().unwrap().unwrap();
        for (c, v) in rec.iter().enumerate() {
            match (r, v.parse::<f64>()) {
                (0, _) => sheet.write_string_with_format(0, c as u16, v, &bold).map(|_| ()),
                (_, Ok(n)) if c == 2 => sheet.write_number(r as u32, c as u16, n).map(|_| ()),
                _ => sheet.write_string(r as u32, c as u16, v).map(|_| ()),
            }
            .unwrap();
        }
    }
    sheet.set_column_width(0, 24).unwrap();
    sheet.set_column_width(4, 40).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let written = dir.path().join("t.xlsx");
    book.save(&written).unwrap();
    let site = import_site();
    let o = figures(site.path(), written.to_str().unwrap(), "2024-25/q3", None);
    assert!(!o.failed(), "{}", o.render_problems());
    let in_book = Path::new("docs/src/import-template.xlsx");
    if std::env::var("SNAPSHOTS").is_ok_and(|v| v == "overwrite") || !in_book.exists() {
        std::fs::copy(&written, in_book).unwrap();
    }
    // The book's copy (its bytes carry the time it was made) imports to the same figures.
    let book_site = import_site();
    let o = figures(book_site.path(), std::fs::canonicalize(in_book).unwrap().to_str().unwrap(), "2024-25/q3", None);
    assert!(!o.failed(), "{}", o.render_problems());
    let q3 = |site: &Path| std::fs::read_to_string(site.join("data/2024-25/q3.yaml")).unwrap();
    assert!(q3(book_site.path()) == q3(site.path()), "{} differs from the CSV template: SNAPSHOTS=overwrite rewrites it", in_book.display());
}

// ---- the malformed-input corpus ----

fn data_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir.join("data"))
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect();
    v.sort();
    v
}

/// Runs a case: its text up to its expected section, every problem's headline, and whether it
/// failed with an error and left data/ as it was.
fn run_case(path: &Path) -> (String, Vec<String>, bool) {
    let text = std::fs::read_to_string(path).unwrap();
    let dir = import_site();
    let cut = text.find("\n=== expected").map(|at| at + 1).unwrap_or(text.len());
    let mut args = String::new();
    let mut section: Option<String> = None;
    let mut body = String::new();
    let flush = |section: &Option<String>, body: &str, args: &mut String| match section.as_deref() {
        None => {}
        Some("args") => *args = body.trim().to_string(),
        Some(f) => {
            let (f, raw) = f.strip_prefix("raw ").map(|r| (r, true)).unwrap_or((f, false));
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, if raw { unescape(&body.replace('\n', "")) } else { body.as_bytes().to_vec() }).unwrap();
        }
    };
    for line in text[..cut].split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("=== ") {
            flush(&section, &body, &mut args);
            body.clear();
            section = Some(rest.trim().to_string());
        } else if section.is_some() {
            body.push_str(line);
        }
    }
    flush(&section, &body, &mut args);
    let before = data_files(dir.path());
    let words: Vec<&str> = args.split_whitespace().collect();
    let opt = |name: &str| words.iter().position(|w| *w == name).map(|i| words[i + 1]);
    let file = dir.path().join(words[1]);
    let outcome = match words[0] {
        "ascof" => scrutiny::import::ascof(dir.path(), &file, FinancialYear::parse(opt("--year").unwrap()).unwrap(), words.contains(&"--force")),
        "figures" => scrutiny::import::figures(dir.path(), &file, Quarter::parse(opt("--quarter").unwrap()).unwrap(), opt("--sheet")),
        other => panic!("{}: unknown command {other}", path.display()),
    };
    let unchanged = !outcome.failed() || data_files(dir.path()) == before;
    let has_error = outcome.problems.iter().any(|p| p.severity == Severity::Error);
    let actual = headlines(&outcome, dir.path());
    (text[..cut].to_string(), actual, unchanged && has_error)
}

#[test]
fn every_import_case_reports_its_exact_diagnostics_and_writes_nothing() {
    let cases = case_files("tests/import-cases");
    assert!(cases.len() >= 15, "the corpus should hold at least 15 cases, found {}", cases.len());
    let mut snapshots = Vec::new();
    let mut failures = Vec::new();
    for path in cases {
        let (before_expected, actual, failed_cleanly) = run_case(&path);
        if !failed_cleanly {
            failures.push(format!("{}: no error, or data/ changed although it failed", path.display()));
        }
        snapshots.push((path, format!("{before_expected}=== expected\n{}\n", actual.join("\n"))));
    }
    assert_snapshots(&snapshots, failures);
}

#[test]
fn a_bare_fraction_for_a_percentage_is_imported_with_checks_warning() {
    let dir = import_site();
    std::fs::write(dir.path().join("f.csv"), "metric,period,value\r\nmsp-asked,2024-25/q3,0.884\r\n").unwrap();
    let o = figures(dir.path(), "f.csv", "2024-25/q3", None);
    assert!(!o.failed(), "{}", o.render_problems());
    assert_eq!(
        headlines(&o, dir.path()),
        ["warning: data/2024-25/q3.yaml:8:12: the value of \"msp-asked\" is 0.884%, which looks like a fraction copied from a spreadsheet"]
    );
    assert!(std::fs::read_to_string(dir.path().join("data/2024-25/q3.yaml")).unwrap().contains("  msp-asked:\n    value: 0.884\n"));
}

#[test]
fn title_rows_above_the_header_are_passed_over() {
    let dir = import_site();
    std::fs::write(
        dir.path().join("f.csv"),
        "Testshire: figures for Q3 2024/25,,\n,,\nMetric,Period,Value\nwaiting-list,2024-25/q3,77\nwaiting-lst,2024-25/q3,78\n",
    )
    .unwrap();
    let o = figures(dir.path(), "f.csv", "2024-25/q3", None);
    assert_eq!(headlines(&o, dir.path()), ["error: f.csv:5: unknown metric \"waiting-lst\" (did you mean \"waiting-list\"?)"]);
}

/// The example site (content, data, site.toml), whose catalogue has breakdowns.
fn example_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("content"), &dir.path().join("content"));
    copy_dir(Path::new("data"), &dir.path().join("data"));
    std::fs::copy("site.toml", dir.path().join("site.toml")).unwrap();
    dir
}

#[test]
fn category_rows_fill_a_breakdown_and_keep_the_other_categories() {
    let dir = example_site();
    std::fs::write(dir.path().join("c.csv"), "metric,period,category,value\ncomplaints-outcome,2024-25/q4,upheld,12\ncomplaints-outcome,2024-25/q4,withdrawn,[c]\ncomplaints-outcome,2024-25/q4,not-upheld,[c]\n")
        .unwrap();
    let o = figures(dir.path(), "c.csv", "2024-25/q4", None);
    assert!(!o.failed(), "{}", o.render_problems());
    let text = std::fs::read_to_string(dir.path().join("data/2024-25/q4.yaml")).unwrap();
    assert!(
        text.contains("  complaints-outcome:\n    by: { upheld: 12, partly-upheld: 7, not-upheld: { value: null, suppressed: true }, withdrawn: { value: null, suppressed: true } }\n"),
        "{text}"
    );
    assert!(scrutiny::check(dir.path()).iter().all(|d| d.severity != Severity::Error));
}

#[test]
fn a_category_row_that_would_reveal_a_suppressed_category_is_refused_and_nothing_is_written() {
    let dir = example_site();
    let before = std::fs::read_to_string(dir.path().join("data/2024-25/q4.yaml")).unwrap();
    // One suppressed category beside a published total could be worked out by subtraction.
    std::fs::write(dir.path().join("c.csv"), "metric,period,category,value\ncomplaints-outcome,2024-25/q4,withdrawn,[c]\ncomplaints-outcome,2024-25/q4,,31\n")
        .unwrap();
    let o = figures(dir.path(), "c.csv", "2024-25/q4", None);
    assert!(o.failed(), "{}", o.render_problems());
    assert!(
        headlines(&o, dir.path()).contains(&"error: data/2024-25/q4.yaml:50:5: one category of \"complaints-outcome\" is suppressed but the total is published, so it could be worked out by subtraction".to_string()),
        "{}",
        o.render_problems()
    );
    assert_eq!(std::fs::read_to_string(dir.path().join("data/2024-25/q4.yaml")).unwrap(), before);
}
