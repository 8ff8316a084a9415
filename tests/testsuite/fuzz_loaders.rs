//! Arbitrary input to every loader: never a panic, always a diagnostic with a position.

use crate::common::fixture;

use proptest::prelude::*;
use std::path::Path;

const FILES: &[&str] = &[
    "site.toml",
    "data/metrics.yaml",
    "data/glossary.yaml",
    "data/2024-25/q2.yaml",
    "data/benchmarks/satisfaction-nw.yaml",
    "content/2024-25/q2/contacts.md",
    "content/2024-25/q2/_index.md",
    "content/_index.md",
];

/// Text that looks like our files: keys, ids, numbers, YAML and Markdown punctuation.
fn yamlish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("\n".to_string()),
        Just("  ".to_string()),
        Just(": ".to_string()),
        Just("- ".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("---\n".to_string()),
        Just("```chart\n".to_string()),
        Just("```\n".to_string()),
        Just("{{ ".to_string()),
        Just(" }}".to_string()),
        Just("&a ".to_string()),
        Just("*a".to_string()),
        Just("null".to_string()),
        Just("\t".to_string()),
        prop_oneof![
            Just("values"),
            Just("months"),
            Just("value"),
            Just("metric"),
            Just("waiting-list"),
            Just("contacts-received"),
            Just("2024-07"),
            Just("rank"),
            Just("nw"),
            Just("status"),
            Just("sections"),
            Just("metrics"),
            Just("id"),
            Just("unit"),
            Just("title")
        ]
        .prop_map(str::to_string),
        any::<i32>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| n.to_string()),
        "[ -~]{0,8}",
    ];
    prop::collection::vec(token, 0..60).prop_map(|v| v.concat())
}

fn check_never_panics(file: &str, bytes: &[u8]) {
    let dir = fixture();
    std::fs::write(dir.path().join(file), bytes).unwrap();
    let diags = scrutiny::check(dir.path());
    for d in &diags {
        assert!(!d.message.is_empty());
        assert!(!d.file.is_empty());
    }
    // And the full pipeline, when the input happens to be valid.
    if !diags.iter().any(|d| d.severity == scrutiny::diagnostic::Severity::Error) {
        let out = dir.path().join("public");
        let r = scrutiny::build(&scrutiny::BuildOptions { root: dir.path().to_path_buf(), output: Some(out), drafts: true, base_url: None, records: None });
        assert!(r.is_ok(), "{r:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_in_any_file(index in 0..FILES.len(), bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check_never_panics(FILES[index], &bytes);
    }

    #[test]
    fn file_shaped_text_in_any_file(index in 0..FILES.len(), text in yamlish()) {
        check_never_panics(FILES[index], text.as_bytes());
    }

    #[test]
    fn the_yaml_parser_alone(text in yamlish()) {
        let _ = scrutiny::load::yaml::parse(&text);
    }

    #[test]
    fn commentary_scanning_alone(text in "(\\PC|\n){0,300}") {
        let mut d = Vec::new();
        let _ = scrutiny::load::commentary::parse("x.md", &text, &mut d);
    }
}

#[test]
fn every_loader_is_exercised() {
    for f in FILES {
        assert!(Path::new("tests/fixtures/basic").join(f).exists(), "{f} missing from the fixture");
    }
}
