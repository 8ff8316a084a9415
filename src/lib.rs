//! Scrutiny: quarterly performance reports as a static website.
//!
//! The pipeline, one module a stage: [`load`] (files to raw nodes with positions),
//! [`validate`] (every diagnostic at once, typed definitions out), [`model`] (quarters,
//! series, derived ranks and directions), [`render`] (Markdown, charts, templates) and
//! [`write`] (atomic swap of the output).

pub mod diagnostic;
pub mod load;
pub mod period;
