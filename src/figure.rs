//! One figure as readers see it: a number with flags, or why there is none.
//!
//! Owns: `Figure`, `Flag` and their words. Must not import any pipeline stage: every stage speaks in them.

use serde::Serialize;

/// A marker from the government statistics shorthand; `[x]` and `[c]` are [`Figure`] states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    /// `[p]` every figure of a provisional quarter.
    Provisional,
    /// `[r]` changed since first published.
    Revised,
    /// `[e]` estimated.
    Estimated,
    /// `[u]` low reliability.
    LowReliability,
}

impl Flag {
    /// The shorthand letter.
    pub fn letter(self) -> char {
        match self {
            Flag::Provisional => 'p',
            Flag::Revised => 'r',
            Flag::Estimated => 'e',
            Flag::LowReliability => 'u',
        }
    }
    /// In words, for screen readers and the key.
    pub fn words(self) -> &'static str {
        match self {
            Flag::Provisional => "provisional",
            Flag::Revised => "revised",
            Flag::Estimated => "estimated",
            Flag::LowReliability => "low reliability",
        }
    }
    /// From the data file's word (`estimated`, `low-reliability`).
    pub fn from_data(word: &str) -> Option<Flag> {
        match word {
            "estimated" => Some(Flag::Estimated),
            "low-reliability" => Some(Flag::LowReliability),
            _ => None,
        }
    }
    /// Every flag, in key order.
    pub const ALL: [Flag; 4] = [Flag::Provisional, Flag::Revised, Flag::Estimated, Flag::LowReliability];
}

/// A small set of flags, kept in a fixed order so output is deterministic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize)]
pub struct Flags(u8);

impl Flags {
    /// No flags.
    pub const NONE: Flags = Flags(0);
    fn bit(f: Flag) -> u8 {
        1 << (f as u8)
    }
    /// With one more flag.
    pub fn with(self, f: Flag) -> Flags {
        Flags(self.0 | Self::bit(f))
    }
    /// Both sets.
    pub fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }
    /// Whether the flag is set.
    pub fn has(self, f: Flag) -> bool {
        self.0 & Self::bit(f) != 0
    }
    /// The flags set, in key order.
    pub fn iter(self) -> impl Iterator<Item = Flag> {
        Flag::ALL.into_iter().filter(move |f| self.has(*f))
    }
    /// Letters for CSV: "p r".
    pub fn letters(self) -> String {
        self.iter().map(|f| f.letter().to_string()).collect::<Vec<_>>().join(" ")
    }
}

/// What a reader is told about one period of one metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Figure {
    /// A number, with its flags.
    Value(f64, Flags),
    /// `[x]` not available (never shown as 0).
    NotAvailable(Flags),
    /// `[c]` suppressed for disclosure control: the number never leaves the model.
    Suppressed,
}

impl Figure {
    /// The number, if it may be published.
    pub fn value(self) -> Option<f64> {
        match self {
            Figure::Value(v, _) => Some(v),
            _ => None,
        }
    }
    /// Its flags (none for suppressed).
    pub fn flags(self) -> Flags {
        match self {
            Figure::Value(_, f) | Figure::NotAvailable(f) => f,
            Figure::Suppressed => Flags::NONE,
        }
    }
    /// With an extra flag (suppressed stays bare).
    pub fn flagged(self, f: Flag) -> Figure {
        match self {
            Figure::Value(v, fl) => Figure::Value(v, fl.with(f)),
            Figure::NotAvailable(fl) => Figure::NotAvailable(fl.with(f)),
            Figure::Suppressed => Figure::Suppressed,
        }
    }
    /// The shorthand markers, e.g. `["p", "r"]`, `["x"]`, `["c"]`.
    pub fn markers(self) -> Vec<char> {
        match self {
            Figure::Suppressed => vec!['c'],
            Figure::NotAvailable(f) => std::iter::once('x').chain(f.iter().map(Flag::letter)).collect(),
            Figure::Value(_, f) => f.iter().map(Flag::letter).collect(),
        }
    }
}

/// The words for a shorthand letter, for screen readers and keys.
pub fn marker_words(letter: char) -> &'static str {
    match letter {
        'x' => "not available",
        'c' => "suppressed to protect confidentiality",
        'p' => "provisional",
        'r' => "revised",
        'e' => "estimated",
        'u' => "low reliability",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppressed_carries_nothing() {
        let f = Figure::Suppressed.flagged(Flag::Revised);
        assert_eq!(f, Figure::Suppressed);
        assert_eq!(f.value(), None);
        assert_eq!(f.markers(), vec!['c']);
    }

    #[test]
    fn flags_keep_key_order() {
        let f = Flags::NONE.with(Flag::Estimated).with(Flag::Provisional);
        assert_eq!(f.letters(), "p e");
        assert_eq!(Figure::NotAvailable(f).markers(), vec!['x', 'p', 'e']);
    }
}
