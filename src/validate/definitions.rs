//! What validation hands on: the site's checked definitions, and [`Validated`], the proof
//! that they came from files holding no error.

use super::catalogue::Term;
use super::commentary::Commentary;
use super::figures::QuarterFile;
use super::settings::Settings;
use crate::catalogue::Catalogue;
use crate::index::{BenchmarkIdx, GroupIdx, IndexVec, MetricIdx, SectionIdx};
use crate::period::{Period, Quarter};
use serde::Serialize;

/// A quarter's checked files.
#[derive(Debug, Clone)]
pub struct QuarterDef {
    /// Which quarter.
    pub quarter: Quarter,
    /// Its figures.
    pub data: QuarterFile,
    /// `draft: true` in its overview.
    pub draft: bool,
    /// The executive summary.
    pub overview: Commentary,
    /// Section commentary, by section, in report order.
    pub sections: Vec<(SectionIdx, Commentary)>,
}

/// A benchmark file: one metric's values for every member of a comparator group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Benchmark {
    /// File stem.
    pub name: String,
    /// The metric.
    pub metric: MetricIdx,
    /// The comparator group.
    pub group: GroupIdx,
    /// A year or a quarter.
    pub period: Period,
    /// Which member is this organisation.
    pub self_name: String,
    /// Members and values (`None`: not available), in file order.
    pub values: Vec<(String, Option<f64>)>,
    /// Members' confidence intervals, where given.
    pub cis: Vec<(String, (f64, f64))>,
    /// The published figure for the group as a whole, with its interval.
    pub overall: Option<(f64, Option<(f64, f64)>)>,
}

/// A whole site, checked.
#[derive(Debug, Clone)]
pub struct Definitions {
    /// site.toml.
    pub settings: Settings,
    /// Sections and metrics.
    pub catalogue: Catalogue,
    /// Glossary terms, sorted.
    pub glossary: Vec<Term>,
    /// Quarters in order, drafts included.
    pub quarters: Vec<QuarterDef>,
    /// Benchmark files, by name.
    pub benchmarks: IndexVec<BenchmarkIdx, Benchmark>,
    /// Home page introduction.
    pub home: Option<Commentary>,
    /// Standalone pages, by name.
    pub pages: Vec<(String, Commentary)>,
}

/// Definitions read from files that hold no error (warnings allowed). Only [`super::validate`]
/// makes one, so neither the model nor `new-quarter` can be handed a site `check` refuses.
#[derive(Debug, Clone)]
pub struct Validated(Definitions);

impl Validated {
    /// Only for `validate`, once the sink holds no error.
    pub(super) fn new(defs: Definitions) -> Self {
        Validated(defs)
    }
    /// Replaces the base URL (from `--base-url`).
    pub fn set_base_url(&mut self, url: &str) -> Result<(), String> {
        self.0.settings.set_base_url(url)
    }
    /// The definitions, for the model to take apart.
    pub(crate) fn into_definitions(self) -> Definitions {
        self.0
    }
}

impl std::ops::Deref for Validated {
    type Target = Definitions;
    fn deref(&self) -> &Definitions {
        &self.0
    }
}

/// A site whose files hold errors (they are in the sink): what could still be read of it,
/// for a tool that needs only some files sound (`import` reads site.toml, the catalogue and
/// the figures files). It cannot be modelled or rendered.
#[derive(Debug)]
pub struct Rejected {
    /// What could be read; `None` when site.toml could not be.
    pub readable: Option<Box<Definitions>>,
}
