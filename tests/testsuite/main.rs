//! Scrutiny's integration tests: one test binary, as mdBook's `tests/testsuite/`, with one
//! module a subject. One binary links once, where a binary a subject each linked the whole
//! program (typst included) again.
//!
//! Run one module or one test with a filter on its path:
//! `cargo test --test testsuite bad_input`, `cargo test --test testsuite build::drafts`.
//!
//! The data the modules read stay beside them under `tests/`: the `basic` fixture site
//! (`tests/fixtures/basic`), the bad-input corpus (`tests/bad-input/*.case`), the import
//! fixture and corpus (`tests/import/`, `tests/import-cases/*.case`) and the chart snapshots
//! (`tests/snapshots/charts/`). Snapshots and corpora are compared with snapbox, which prints
//! a diff when they differ; `SNAPSHOTS=overwrite cargo test --test testsuite` rewrites them
//! (then read `git diff` before committing). The browser quality gates are not Rust tests:
//! they live in `tests/quality/` and `tests/all.sh` runs them.

mod common;

mod adversarial;
mod adversarial_write;
mod bad_input;
mod book;
mod build;
mod charts;
mod cli;
mod format2;
mod fuzz_loaders;
mod import;
mod pdf;
mod publishing;
mod rebuild;
mod serve;
mod themes;
