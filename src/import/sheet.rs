//! Spreadsheets and CSV as one table of typed cells, each with a place an officer can find.
//! calamine reads .xlsx and .ods; the csv crate reads .csv.

use calamine::{Data, Reader};
use std::path::Path;

/// A cell as the spreadsheet holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing in it.
    Empty,
    /// Text, trimmed.
    Text(String),
    /// A number; `percent` when the cell is formatted as a percentage (Excel stores 88% as 0.88).
    Number { value: f64, percent: bool },
    /// A date, as `YYYY-MM-DD` (from an Excel serial or an ODS date).
    Date(String),
}

/// The rows under the header.
pub struct Table {
    /// Header names, trimmed.
    pub header: Vec<String>,
    /// The header's row (1-based): the first row that is not empty.
    pub header_row: u64,
    /// Rows below the header: the row's number in the file (1-based) and its cells.
    pub rows: Vec<(u64, Vec<Cell>)>,
    /// The sheet, for spreadsheets; `None` for CSV.
    pub sheet: Option<String>,
    /// The file as the officer named it.
    pub file: String,
}

impl Table {
    /// Title rows above the header are common: when the first row is not the header, the
    /// first of the next ten rows that `is_header` accepts becomes it, and the rows above go.
    pub fn find_header(&mut self, is_header: impl Fn(&[String]) -> bool) {
        if is_header(&self.header) {
            return;
        }
        let texts = |cells: &[Cell]| -> Vec<String> { cells.iter().map(|c| if let Cell::Text(t) = c { t.clone() } else { String::new() }).collect() };
        if let Some(i) = self.rows.iter().take(10).position(|(_, cells)| is_header(&texts(cells))) {
            let (row, cells) = self.rows[i].clone();
            self.header = texts(&cells);
            self.header_row = row;
            self.rows.drain(..=i);
        }
    }

    /// `FILE:LINE` for CSV, `FILE:SHEET!B12` for a spreadsheet cell.
    pub fn place(&self, row: u64, col: usize) -> String {
        match &self.sheet {
            None => format!("{}:{row}", self.file),
            Some(s) => format!("{}:{s}!{}{row}", self.file, column_letters(col)),
        }
    }
}

/// `0` is `A`, `26` is `AA`.
pub fn column_letters(mut col: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

/// Reads the first sheet (or `sheet`) of a spreadsheet, or a CSV file.
pub fn read(path: &Path, shown: &str, sheet: Option<&str>) -> Result<Table, (String, String, String)> {
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "csv" => read_csv(path, shown),
        "xlsx" | "xlsm" | "ods" => read_book(path, shown, sheet),
        "xls" => Err((shown.into(), "old .xls workbooks are not read".into(), "save it from Excel as .xlsx (Excel Workbook) and import that".into())),
        _ => Err((shown.into(), format!("\"{shown}\" is not a spreadsheet scrutiny reads"), "save it as .xlsx, .ods or .csv and import that".into())),
    }
}

fn read_csv(path: &Path, shown: &str) -> Result<Table, (String, String, String)> {
    let bytes = std::fs::read(path).map_err(|e| (shown.to_string(), format!("cannot read the file: {e}"), "check the file name".to_string()))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut header = None;
    let mut header_row = 1;
    let mut rows = Vec::new();
    for rec in reader.byte_records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            (format!("{shown}:{line}"), format!("the line cannot be read: {e}"), "save the file as CSV again from the spreadsheet".to_string())
        })?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let cells: Vec<String> = rec.iter().map(|b| String::from_utf8_lossy(b).trim().to_string()).collect();
        if header.is_none() {
            header = Some(cells);
            header_row = line;
            continue;
        }
        rows.push((line, cells.into_iter().map(|c| if c.is_empty() { Cell::Empty } else { Cell::Text(c) }).collect()));
    }
    let header =
        header.ok_or_else(|| (shown.to_string(), "the file is empty".to_string(), "the first line names the columns: metric,period,value".to_string()))?;
    Ok(Table { header, header_row, rows, sheet: None, file: shown.to_string() })
}

fn read_book(path: &Path, shown: &str, sheet: Option<&str>) -> Result<Table, (String, String, String)> {
    let fail =
        |e: calamine::Error| (shown.to_string(), format!("cannot read the spreadsheet: {e}"), "open it in Excel or LibreOffice and save it again".to_string());
    let mut book = calamine::open_workbook_auto(path).map_err(fail)?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names.iter().find(|n| n.as_str() == s).cloned().ok_or_else(|| {
            (
                shown.to_string(),
                format!("there is no sheet \"{s}\"{}", crate::diagnostic::suggestion(s, names.iter().map(String::as_str))),
                format!("the sheets are: {}", names.join(", ")),
            )
        })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| (shown.to_string(), "the workbook has no sheets".to_string(), "save the figures in its first sheet".to_string()))?,
    };
    let range = book.worksheet_range(&name).map_err(fail)?;
    // Number formats come with the styles (xlsx only): a percentage format says 0.884 means 88.4%.
    let styles = book.worksheet_style(&name).unwrap_or_else(|_| calamine::StyleRange::empty());
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut header = None;
    let mut header_row = 1;
    let mut rows = Vec::new();
    for (ri, row) in range.rows().enumerate() {
        let abs_row = r0 + ri as u32;
        let cells: Vec<Cell> = row
            .iter()
            .enumerate()
            .map(|(ci, d)| {
                let abs = (abs_row, c0 + ci as u32);
                let percent = styles.get(abs).and_then(|s| s.number_format.as_ref()).is_some_and(|f| f.format_code.contains('%'));
                cell(d, percent)
            })
            .collect();
        // Columns left of the range are empty; keep cell indexes as sheet columns.
        let mut full = vec![Cell::Empty; c0 as usize];
        full.extend(cells);
        if header.is_none() {
            if full.iter().all(|c| *c == Cell::Empty) {
                continue;
            }
            header = Some(full.iter().map(|c| if let Cell::Text(t) = c { t.clone() } else { String::new() }).collect());
            header_row = abs_row as u64 + 1;
            continue;
        }
        rows.push((abs_row as u64 + 1, full));
    }
    let header = header
        .ok_or_else(|| (format!("{shown}:{name}"), "the sheet is empty".to_string(), "the first row names the columns: metric, period, value".to_string()))?;
    Ok(Table { header, header_row, rows, sheet: Some(name), file: shown.to_string() })
}

fn cell(d: &Data, percent: bool) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::Int(i) => Cell::Number { value: *i as f64, percent },
        Data::Float(f) => Cell::Number { value: *f, percent },
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.trim().to_string()),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(dt) => serial_date(dt.as_f64()).map(Cell::Date).unwrap_or_else(|| Cell::Number { value: dt.as_f64(), percent: false }),
        Data::DateTimeIso(s) => Cell::Date(s.chars().take(10).collect()),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
    }
}

/// An Excel date serial (days since 1899-12-30) as `YYYY-MM-DD`.
pub fn serial_date(serial: f64) -> Option<String> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    // Days since 1970-01-01, then the civil-from-days algorithm (Howard Hinnant's).
    let z = serial.floor() as i64 - 25_569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(1), "B");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
    }

    #[test]
    fn serials() {
        assert_eq!(serial_date(45566.0).as_deref(), Some("2024-10-01"));
        assert_eq!(serial_date(45658.0).as_deref(), Some("2025-01-01"));
        assert_eq!(serial_date(25569.0).as_deref(), Some("1970-01-01"));
    }
}
