//! Typed indices: a metric's place in the catalogue, a section's, a comparator group's in
//! site.toml and a benchmark file's, each its own type so one cannot index another's list.
//!
//! Lists indexed by them are [`IndexVec`]s (`typed-index-collections`' `TiVec`), whose `[]`
//! takes only their own index type. Owns nothing else; imports nothing of ours.

/// A list indexed by a typed index, e.g. `IndexVec<MetricIdx, Metric>`.
pub type IndexVec<I, T> = typed_index_collections::TiVec<I, T>;

/// Defines a `usize` newtype that serialises (and prints in templates) as the bare number.
macro_rules! typed_index {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(usize);

        impl $name {
            /// The bare position, for what is not a typed list (an HTML id, a slot in a plain array).
            pub fn get(self) -> usize {
                self.0
            }
        }
        impl From<usize> for $name {
            fn from(i: usize) -> Self {
                $name(i)
            }
        }
        impl From<$name> for usize {
            fn from(i: $name) -> usize {
                i.0
            }
        }
        // As the bare number, so messages and hashes made before the type existed read the same.
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(&self.0, f)
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

typed_index!(
    /// A metric's place in `Catalogue::metrics` (and in a quarter's `metrics` views).
    MetricIdx
);
typed_index!(
    /// A section's place in `Catalogue::sections`.
    SectionIdx
);
typed_index!(
    /// A comparator group's place in `Settings::comparators` (site.toml's order).
    GroupIdx
);
typed_index!(
    /// A benchmark file's place in the definitions' benchmarks (and the model's ranked views).
    BenchmarkIdx
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_indexed_by_its_own_index_and_reads_as_the_bare_number() {
        let mut names: IndexVec<MetricIdx, &str> = IndexVec::new();
        let a = names.push_and_get_key("contacts");
        let b = names.push_and_get_key("reviews");
        assert_eq!((names[a], names[b]), ("contacts", "reviews"));
        assert_eq!(names.iter_enumerated().map(|(i, _)| i.get()).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(format!("{b:?} {b}"), "1 1");
        assert_eq!(serde_json::to_string(&vec![a, b]).unwrap(), "[0,1]");
        assert_eq!(serde_json::to_string(&names).unwrap(), r#"["contacts","reviews"]"#);
    }
}
