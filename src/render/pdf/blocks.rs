//! The committee document's building blocks: runs of text, blocks and tables, as
//! `report.typ` reads them. Shared by the document (`doc`) and the commentary (`markdown`),
//! which both make them; imports nothing else of the PDF.

use serde::Serialize;

/// A run of inline text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "k", rename_all = "lowercase")]
pub enum Inline {
    /// Plain text, printed as written.
    T {
        t: String,
    },
    Strong {
        c: Vec<Inline>,
    },
    Em {
        c: Vec<Inline>,
    },
    Strike {
        c: Vec<Inline>,
    },
    Code {
        t: String,
    },
    Link {
        url: String,
        c: Vec<Inline>,
    },
    /// A shorthand marker: `x`, `c`, `p`, `r`, `e` or `u`.
    Flag {
        f: String,
    },
    Br,
    Sup {
        t: String,
    },
    /// A glossary term's first use: its word, linked to its glossary entry, and its meaning
    /// (None when the text just spelled it out).
    Term {
        t: String,
        anchor: String,
        meaning: Option<String>,
    },
}

/// A block of the document.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "k", rename_all = "lowercase")]
pub enum Block {
    H {
        level: u8,
        c: Vec<Inline>,
    },
    P {
        c: Vec<Inline>,
    },
    Lead {
        c: Vec<Inline>,
    },
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
    Quote {
        c: Vec<Block>,
    },
    Code {
        t: String,
    },
    Rule,
    Note {
        label: String,
        c: Vec<Block>,
    },
    Table(Table),
    /// A chart: the SVG file's path in the document's world, its words, and the label of its figures.
    Chart {
        svg: String,
        alt: String,
        figures: String,
    },
    /// One headline figure.
    Figure {
        title: Vec<Inline>,
        value: Vec<Inline>,
        detail: Vec<Inline>,
    },
}

/// A table with header cells; rows may be grouped under titles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub(super) caption: Option<Vec<Inline>>,
    pub(super) columns: Vec<Vec<Inline>>,
    /// 0 = as wide as its content; n = n shares of what is left.
    pub(super) widths: Vec<u8>,
    pub(super) align: Vec<&'static str>,
    /// The first cell of each row heads its row.
    pub(super) row_headers: bool,
    pub(super) rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "k", rename_all = "lowercase")]
pub(super) enum Row {
    Row { c: Vec<Vec<Inline>> },
    Group { c: Vec<Inline> },
}

/// The text of some runs, without markers' words.
pub(super) fn plain(runs: &[Inline]) -> String {
    let mut out = String::new();
    for r in runs {
        match r {
            Inline::T { t } | Inline::Code { t } | Inline::Sup { t } => out.push_str(t),
            Inline::Strong { c } | Inline::Em { c } | Inline::Strike { c } | Inline::Link { c, .. } => out.push_str(&plain(c)),
            Inline::Flag { f } => out.push_str(&format!("[{f}]")),
            Inline::Br => out.push(' '),
            Inline::Term { t, meaning, .. } => {
                out.push_str(t);
                if let Some(m) = meaning {
                    out.push_str(&format!(" ({m})"));
                }
            }
        }
    }
    out
}

/// A Markdown table: its first row heads the columns.
pub(super) fn plain_table(header: Vec<Vec<Inline>>, align: Vec<&'static str>, rows: Vec<Vec<Vec<Inline>>>) -> Block {
    let n = header.len().max(1);
    Block::Table(Table {
        caption: None,
        widths: vec![1; n],
        align,
        columns: header,
        row_headers: false,
        rows: rows
            .into_iter()
            .map(|mut c| {
                c.resize(n, Vec::new());
                Row::Row { c }
            })
            .collect(),
    })
}
