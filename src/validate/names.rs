//! The ids files refer to each other by, and which were declared but could not be read.
//!
//! A reference to something declared in a broken file is not reported again: the officer
//! sees the one real mistake, not a cascade of "unknown" errors that follow from it.

use super::definitions::Benchmark;
use super::fields::Report;
use super::settings::Settings;
use crate::catalogue::Catalogue;
use crate::diagnostic::{suggestion, Pos};
use crate::index::{BenchmarkIdx, GroupIdx, MetricIdx, SectionIdx};
use std::collections::HashSet;
use typed_index_collections::TiSlice;

/// What references can resolve to.
pub struct Names<'a> {
    /// The metrics that validated.
    pub catalogue: &'a Catalogue,
    /// Every metric id declared; `None` when data/metrics.yaml could not be read at all.
    pub declared_metrics: Option<HashSet<String>>,
    /// Settings, when site.toml validated.
    pub settings: Option<&'a Settings>,
    /// Every comparator id declared; `None` when site.toml could not be read at all.
    pub declared_groups: Option<HashSet<String>>,
    /// Benchmark files that validated.
    pub benchmarks: &'a TiSlice<BenchmarkIdx, Benchmark>,
    /// Every benchmark file name, readable or not.
    pub declared_benchmarks: HashSet<String>,
    /// Metric index by id, so a reference is found in constant time however many there are.
    pub metric_index: std::collections::HashMap<String, MetricIdx>,
    /// Section index by id, likewise (sites may have thousands).
    pub section_index: std::collections::HashMap<String, SectionIdx>,
}

impl Names<'_> {
    /// A metric by id; reports it unknown only when that is the real mistake.
    pub fn metric(&self, r: &mut Report, pos: Pos, id: &str, context: &str) -> Option<MetricIdx> {
        if let Some(&i) = self.metric_index.get(id) {
            return Some(i);
        }
        let declared = self.declared_metrics.as_ref()?;
        if !declared.contains(id) {
            let ids = self.catalogue.metrics.iter().map(|m| m.id.as_str());
            r.error(
                pos,
                format!("unknown metric \"{id}\"{context}{}", suggestion(id, ids)),
                "use an id defined in data/metrics.yaml, or add the metric there first",
            );
        }
        None
    }

    /// A comparator group by id.
    pub fn group(&self, r: &mut Report, pos: Pos, id: &str, context: &str) -> Option<GroupIdx> {
        if let Some(i) = self.settings.and_then(|s| s.comparator(id)) {
            return Some(i);
        }
        let declared = self.declared_groups.as_ref()?;
        if self.settings.is_some() && !declared.contains(id) {
            let groups: Vec<&str> = self.settings.map(|s| s.comparators.iter().map(|c| c.id.as_str()).collect()).unwrap_or_default();
            let help = if groups.is_empty() {
                "define comparator groups in site.toml under [comparators]".to_string()
            } else {
                format!("use a comparator of site.toml: {}", groups.join(", "))
            };
            r.error(pos, format!("unknown comparator \"{id}\"{context}{}", suggestion(id, groups.iter().copied())), help);
        }
        None
    }

    /// A benchmark file by name.
    pub fn benchmark(&self, r: &mut Report, pos: Pos, name: &str) -> Option<BenchmarkIdx> {
        if let Some(i) = self.benchmarks.position(|b| b.name == name) {
            return Some(i);
        }
        if !self.declared_benchmarks.contains(name) {
            r.error(
                pos,
                format!("there is no benchmark \"{name}\"{}", suggestion(name, self.declared_benchmarks.iter().map(String::as_str))),
                format!("name a file of data/benchmarks/ without .yaml, or create data/benchmarks/{name}.yaml"),
            );
        }
        None
    }

    /// Comparator ids, for help texts.
    pub fn group_list(&self) -> String {
        self.settings.map(|s| s.comparators.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", ")).unwrap_or_default()
    }
}
