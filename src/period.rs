//! Financial years, quarters and months: parsed once at the edge, ordered, displayed.
//!
//! Owns: `FinancialYear`, `Quarter`, `Month`, `Period`. Must not import anything of the crate.

use serde::Serialize;
use std::fmt;

/// The calendar years a date, month or financial year may start in: wide enough for any
/// real report, narrow enough that no arithmetic on them (year before, year after) overflows.
const YEARS: std::ops::RangeInclusive<u16> = 1900..=2999;

/// A financial year April–March, named by its first calendar year (`2024-25` is 2024).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FinancialYear(u16);

impl FinancialYear {
    /// The year whose April starts it.
    pub fn new(start: u16) -> Self {
        FinancialYear(start)
    }
    /// Calendar year of its April.
    pub fn start(self) -> u16 {
        self.0
    }
    /// Parses `YYYY-YY` where the second part is the first plus one, mod 100.
    pub fn parse(s: &str) -> Result<Self, String> {
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' || !s[..4].bytes().all(|c| c.is_ascii_digit()) || !s[5..].bytes().all(|c| c.is_ascii_digit()) {
            return Err(format!("\"{s}\" is not a financial year: write it as YYYY-YY, for example 2024-25"));
        }
        let start: u16 = s[..4].parse().map_err(|_| "bad year".to_string())?;
        if !YEARS.contains(&start) {
            return Err(format!("\"{s}\" is not a financial year this report can cover: years run from {} to {}", YEARS.start(), YEARS.end()));
        }
        let end: u16 = s[5..].parse().map_err(|_| "bad year".to_string())?;
        if (start + 1) % 100 != end {
            return Err(format!("\"{s}\" is not a financial year: the second part must be the year after the first (write {start}-{:02})", (start + 1) % 100));
        }
        Ok(FinancialYear(start))
    }
    /// The year before.
    pub fn previous(self) -> Self {
        FinancialYear(self.0 - 1)
    }
    /// Shown to readers: `2024/25`.
    pub fn display(self) -> String {
        format!("{}/{:02}", self.0, (self.0 + 1) % 100)
    }
    /// Its last quarter.
    pub fn q4(self) -> Quarter {
        Quarter { year: self, number: 4 }
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.0, (self.0 + 1) % 100)
    }
}

/// A quarter of a financial year: q1 = Apr–Jun … q4 = Jan–Mar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Quarter {
    /// The financial year.
    pub year: FinancialYear,
    number: u8,
}

impl Quarter {
    /// A quarter; `number` must be 1..=4.
    pub fn new(year: FinancialYear, number: u8) -> Option<Self> {
        (1..=4).contains(&number).then_some(Quarter { year, number })
    }
    /// 1..=4.
    pub fn number(self) -> u8 {
        self.number
    }
    /// Parses the folder name `q1`..`q4`.
    pub fn parse_number(s: &str) -> Result<u8, String> {
        match s {
            "q1" => Ok(1),
            "q2" => Ok(2),
            "q3" => Ok(3),
            "q4" => Ok(4),
            _ if s.len() == 2 && s.starts_with('Q') && (b'1'..=b'4').contains(&s.as_bytes()[1]) => {
                Err(format!("\"{s}\" is not a quarter: write it in lower case, \"{}\"", s.to_lowercase()))
            }
            _ => Err(format!("\"{s}\" is not a quarter: use q1, q2, q3 or q4")),
        }
    }
    /// Parses `YYYY-YY/qN`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let whole = || format!("\"{s}\" is not a quarter: write it as YYYY-YY/qN, for example 2024-25/q2");
        let (y, q) = s.split_once('/').ok_or_else(whole)?;
        // Name the part that is wrong, but quote what was written whole.
        let year = FinancialYear::parse(y).map_err(|e| format!("{} ({e})", whole()))?;
        let n = Quarter::parse_number(q).map_err(|e| format!("{} ({e})", whole()))?;
        Ok(Quarter { year, number: n })
    }
    /// The three months, in order.
    pub fn months(self) -> [Month; 3] {
        let first = self.first_month();
        [first, first.next(), first.next().next()]
    }
    /// First month of the quarter.
    pub fn first_month(self) -> Month {
        let m = 4 + 3 * (self.number as u16 - 1);
        if m > 12 {
            Month::new(self.year.0 + 1, (m - 12) as u8)
        } else {
            Month::new(self.year.0, m as u8)
        }
    }
    /// Last month of the quarter.
    pub fn last_month(self) -> Month {
        self.months()[2]
    }
    /// The quarter before.
    pub fn previous(self) -> Self {
        if self.number == 1 {
            Quarter { year: self.year.previous(), number: 4 }
        } else {
            Quarter { year: self.year, number: self.number - 1 }
        }
    }
    /// "Quarter 2, 2024/25".
    pub fn long(self) -> String {
        format!("Quarter {}, {}", self.number, self.year.display())
    }
    /// "Q2 2024/25".
    pub fn short(self) -> String {
        format!("Q{} {}", self.number, self.year.display())
    }
    /// URL path and folder: `2024-25/q2`.
    pub fn path(self) -> String {
        format!("{}/q{}", self.year, self.number)
    }
    /// Used in file names: `2024-25-q2`.
    pub fn slug(self) -> String {
        format!("{}-q{}", self.year, self.number)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/q{}", self.year, self.number)
    }
}

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Month {
    year: u16,
    month: u8,
}

const MONTH_NAMES: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

impl Month {
    /// A month; `month` must be 1..=12.
    pub fn new(year: u16, month: u8) -> Self {
        debug_assert!((1..=12).contains(&month));
        Month { year, month }
    }
    /// Parses `YYYY-MM`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let b = s.as_bytes();
        let err = || format!("\"{s}\" is not a month: write it as YYYY-MM, for example 2024-07");
        if b.len() != 7 || b[4] != b'-' || !s[..4].bytes().all(|c| c.is_ascii_digit()) || !s[5..].bytes().all(|c| c.is_ascii_digit()) {
            return Err(err());
        }
        let year: u16 = s[..4].parse().map_err(|_| err())?;
        let month: u8 = s[5..].parse().map_err(|_| err())?;
        // A month's quarter may lie in the year before (January to March), so the first year is one later.
        if !(YEARS.start() + 1..=*YEARS.end()).contains(&year) {
            return Err(format!("\"{s}\" is not a month this report can cover: years run from {} to {}", YEARS.start() + 1, YEARS.end()));
        }
        if !(1..=12).contains(&month) {
            return Err(format!("\"{s}\" is not a month: the month part must be 01 to 12"));
        }
        Ok(Month { year, month })
    }
    /// The month after.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Month { year: self.year + 1, month: 1 }
        } else {
            Month { year: self.year, month: self.month + 1 }
        }
    }
    /// The quarter it falls in.
    pub fn quarter(self) -> Quarter {
        let (fy, n) = match self.month {
            4..=6 => (self.year, 1),
            7..=9 => (self.year, 2),
            10..=12 => (self.year, 3),
            _ => (self.year - 1, 4),
        };
        Quarter { year: FinancialYear(fy), number: n }
    }
    /// "Apr 2024".
    pub fn short(self) -> String {
        format!("{} {}", &MONTH_NAMES[self.month as usize - 1][..3], self.year)
    }
    /// "April 2024".
    pub fn long(self) -> String {
        format!("{} {}", MONTH_NAMES[self.month as usize - 1], self.year)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.year, self.month)
    }
}

/// A calendar date `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`, checking the day exists.
    pub fn parse(s: &str) -> Result<Self, String> {
        let err = || format!("\"{s}\" is not a date: write it as YYYY-MM-DD, for example 2025-01-08");
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(err());
        }
        let m = Month::parse(&s[..7]).map_err(|_| err())?;
        let day: u8 = s[8..].parse().map_err(|_| err())?;
        let leap = (m.year % 4 == 0 && m.year % 100 != 0) || m.year % 400 == 0;
        let days = match m.month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if day == 0 || day > days {
            return Err(format!("\"{s}\" is not a date: {} has {days} days", m.long()));
        }
        Ok(Date { year: m.year, month: m.month, day })
    }
    /// "8 January 2025".
    pub fn long(self) -> String {
        format!("{} {}", self.day, Month::new(self.year, self.month).long())
    }
    /// The month it falls in.
    pub fn month(self) -> Month {
        Month::new(self.year, self.month)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The period one figure is for. Periods are ordered by when they end (a month before the
/// quarter and the year it closes), so "newer" means what a reader would call newer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Period {
    /// A month of a monthly metric.
    Month(Month),
    /// A quarter.
    Quarter(Quarter),
    /// A financial year of an annual metric.
    Year(FinancialYear),
}

impl Period {
    /// Short label for axes and tables: "Apr 2024", "Q2 2024/25", "2024/25".
    pub fn short(self) -> String {
        match self {
            Period::Month(m) => m.short(),
            Period::Quarter(q) => q.short(),
            Period::Year(y) => y.display(),
        }
    }
    /// Long label for prose: "April 2024", "Quarter 2, 2024/25", "2024/25".
    pub fn long(self) -> String {
        match self {
            Period::Month(m) => m.long(),
            Period::Quarter(q) => q.long(),
            Period::Year(y) => y.display(),
        }
    }
    /// The last month the period covers, for windows on a time axis.
    pub fn last_month(self) -> Month {
        match self {
            Period::Month(m) => m,
            Period::Quarter(q) => q.last_month(),
            Period::Year(y) => y.q4().last_month(),
        }
    }
}

impl Period {
    /// Among periods ending in the same month, the shorter first.
    fn length_rank(self) -> u8 {
        match self {
            Period::Month(_) => 0,
            Period::Quarter(_) => 1,
            Period::Year(_) => 2,
        }
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.last_month(), self.length_rank()).cmp(&(other.last_month(), other.length_rank()))
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Month(m) => m.fmt(f),
            Period::Quarter(q) => q.fmt(f),
            Period::Year(y) => y.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn financial_year_parses_and_rejects() {
        assert_eq!(FinancialYear::parse("2024-25").unwrap().start(), 2024);
        assert_eq!(FinancialYear::parse("1999-00").unwrap().start(), 1999);
        assert!(FinancialYear::parse("2024-26").unwrap_err().contains("2024-25"));
        assert!(FinancialYear::parse("2024/25").is_err());
        assert!(FinancialYear::parse("24-25").is_err());
    }

    #[test]
    fn quarter_months_and_labels() {
        let q4 = Quarter::parse("2024-25/q4").unwrap();
        assert_eq!(q4.months().map(|m| m.to_string()), ["2025-01", "2025-02", "2025-03"]);
        assert_eq!(q4.long(), "Quarter 4, 2024/25");
        assert_eq!(q4.short(), "Q4 2024/25");
        let q1 = Quarter::parse("2024-25/q1").unwrap();
        assert_eq!(q1.previous(), Quarter::parse("2023-24/q4").unwrap());
        assert_eq!(Month::parse("2025-02").unwrap().quarter(), q4);
        assert_eq!(Month::parse("2024-07").unwrap().quarter(), Quarter::parse("2024-25/q2").unwrap());
        assert!(Quarter::parse_number("Q2").unwrap_err().contains("\"q2\""));
        assert!(Quarter::parse_number("q5").is_err());
        assert!(q1 < q4);
    }

    #[test]
    fn periods_order_by_when_they_end() {
        let month = |s| Period::Month(Month::parse(s).unwrap());
        let quarter = |s| Period::Quarter(Quarter::parse(s).unwrap());
        let year = |s| Period::Year(FinancialYear::parse(s).unwrap());
        // A newer quarter is newer than an older year, and a newer month than an older quarter.
        assert!(quarter("2024-25/q3") > year("2023-24"));
        assert!(month("2024-11") > quarter("2024-25/q2"));
        assert!(month("2024-04") < quarter("2024-25/q1"));
        assert!(month("2025-04") > year("2024-25"));
        assert!(year("2023-24") < quarter("2024-25/q1"));
        // Ending together: the shorter first.
        assert!(month("2025-03") < quarter("2024-25/q4"));
        assert!(quarter("2024-25/q4") < year("2024-25"));
        let newest = [year("2023-24"), quarter("2024-25/q2"), month("2024-08")].into_iter().max();
        assert_eq!(newest, Some(quarter("2024-25/q2")));
    }

    #[test]
    fn years_out_of_range_are_refused_not_panics() {
        assert!(Month::parse("0000-01").unwrap_err().contains("years run from"));
        assert!(FinancialYear::parse("0000-01").unwrap_err().contains("years run from"));
        assert!(Date::parse("0000-01-05").is_err());
        assert!(Month::parse("1901-01").unwrap().quarter() < Quarter::parse("2024-25/q1").unwrap());
        assert!(FinancialYear::parse("2999-00").unwrap().q4().last_month().next() > Month::parse("2999-12").unwrap());
    }

    #[test]
    fn months_and_dates() {
        assert!(Month::parse("2024-13").is_err());
        assert!(Month::parse("2024-7").is_err());
        assert_eq!(Month::parse("2024-04").unwrap().short(), "Apr 2024");
        assert!(Date::parse("2025-02-29").is_err());
        assert!(Date::parse("2024-02-29").is_ok());
        assert_eq!(Date::parse("2025-01-08").unwrap().long(), "8 January 2025");
    }
}
