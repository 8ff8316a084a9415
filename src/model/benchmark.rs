//! Ranks and quartiles from a benchmark file.

use crate::catalogue::{Catalogue, Polarity};
use crate::validate::Benchmark;

/// A member of a comparator group, ranked.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Council name.
    pub name: String,
    /// Its value, if known.
    pub value: Option<f64>,
    /// 1 = best; ties share a rank.
    pub rank: Option<u32>,
    /// 1 = best quarter of the group.
    pub quartile: Option<u8>,
    /// Whether this is the publishing organisation.
    pub is_self: bool,
}

/// A benchmark, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchmarkView {
    /// The file as read.
    pub def: Benchmark,
    /// Members best first; unknown values last.
    pub members: Vec<Member>,
    /// How many members have a value (the "of" in "3rd of 23").
    pub ranked: u32,
}

impl BenchmarkView {
    /// This organisation's entry.
    pub fn own(&self) -> Option<&Member> {
        self.members.iter().find(|m| m.is_self)
    }
}

/// Orders members best first by the metric's polarity (neutral: highest first).
pub fn rank_benchmark(b: Benchmark, cat: &Catalogue) -> BenchmarkView {
    let polarity = cat.metrics[b.metric].polarity;
    let mut members: Vec<Member> =
        b.values.iter().map(|(name, value)| Member { name: name.clone(), value: *value, rank: None, quartile: None, is_self: *name == b.self_name }).collect();
    members.sort_by(|a, c| match (a.value, c.value) {
        (Some(x), Some(y)) => {
            let ord = x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal);
            let ord = if polarity == Polarity::Lower { ord } else { ord.reverse() };
            ord.then_with(|| a.name.cmp(&c.name))
        }
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.name.cmp(&c.name),
    });
    let ranked = members.iter().filter(|m| m.value.is_some()).count() as u32;
    let mut prev: Option<(f64, u32)> = None;
    for (i, m) in members.iter_mut().enumerate() {
        let Some(v) = m.value else { continue };
        let rank = match prev {
            Some((pv, pr)) if pv == v => pr,
            _ => i as u32 + 1,
        };
        prev = Some((v, rank));
        m.rank = Some(rank);
        m.quartile = Some(quartile(rank, ranked));
    }
    BenchmarkView { def: b, members, ranked }
}

/// 1 (best) to 4 from a rank among `n`.
pub fn quartile(rank: u32, n: u32) -> u8 {
    if n == 0 {
        return 4;
    }
    (((rank as f64) * 4.0 / n as f64).ceil() as u8).clamp(1, 4)
}

/// "3rd of 10".
pub fn ordinal_of(rank: u32, of: u32) -> String {
    format!("{} of {of}", ordinal(rank))
}

/// "1st", "2nd", "3rd", "11th", "22nd".
pub fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals() {
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(2), "2nd");
        assert_eq!(ordinal(3), "3rd");
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(22), "22nd");
        assert_eq!(ordinal_of(3, 23), "3rd of 23");
    }

    #[test]
    fn quartiles() {
        assert_eq!(quartile(1, 23), 1);
        assert_eq!(quartile(6, 23), 2);
        assert_eq!(quartile(23, 23), 4);
    }
}
