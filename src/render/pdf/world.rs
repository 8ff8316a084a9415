//! typst, and nothing else of this crate touches it: a small in-memory World (the fixed
//! template, the document's data, its chart SVGs and one embedded font family) and the
//! compile to a tagged PDF/UA-1 file.

use std::sync::LazyLock;
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Feature, Features, Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

/// Atkinson Hyperlegible (SIL Open Font License 1.1, beside the files): designed for readers
/// with low vision, and the only font the document uses, charts included.
const FONTS: [&[u8]; 4] = [
    include_bytes!("../../../assets/fonts/atkinson-hyperlegible/AtkinsonHyperlegible-Regular.ttf"),
    include_bytes!("../../../assets/fonts/atkinson-hyperlegible/AtkinsonHyperlegible-Bold.ttf"),
    include_bytes!("../../../assets/fonts/atkinson-hyperlegible/AtkinsonHyperlegible-Italic.ttf"),
    include_bytes!("../../../assets/fonts/atkinson-hyperlegible/AtkinsonHyperlegible-BoldItalic.ttf"),
];

/// The fixed template; it reads everything it prints from `data.json`.
pub(super) const TEMPLATE: &str = include_str!("report.typ");

struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONTS.iter().flat_map(|b| Font::iter(Bytes::new(*b))).collect();
    let features: Features = [Feature::A11yExtras].into_iter().collect();
    Shared { library: LazyHash::new(Library::builder().with_features(features).build()), book: LazyHash::new(FontBook::from_fonts(&fonts)), fonts }
});

fn id(path: &str) -> FileId {
    RootedPath::new(VirtualRoot::Project, VirtualPath::new(path).expect("a fixed, valid path")).intern()
}

struct ReportWorld {
    main: Source,
    files: Vec<(FileId, Bytes)>,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }
    fn main(&self) -> FileId {
        self.main.id()
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        self.files.iter().find(|(i, _)| *i == id).map(|(_, b)| b.clone()).ok_or_else(|| FileError::NotFound(id.get().vpath().get_without_slash().into()))
    }
    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }
    // Nothing in the document comes from the clock.
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}

/// Compiles the template over `data.json` and the named files into PDF bytes. `ident` fixes
/// the document's identifier, so the same input gives the same bytes.
pub(super) fn compile(data: Vec<u8>, files: &[(String, String)], ident: &str) -> Result<Vec<u8>, String> {
    let main = Source::new(id("report.typ"), TEMPLATE.to_string());
    let mut all = vec![(id("data.json"), Bytes::new(data))];
    for (path, svg) in files {
        let vp = VirtualPath::new(path).map_err(|e| format!("chart file {path}: {e:?}"))?;
        all.push((RootedPath::new(VirtualRoot::Project, vp).intern(), Bytes::from_string(svg.clone())));
    }
    let world = ReportWorld { main, files: all };
    let compiled = typst::compile::<PagedDocument>(&world);
    let document = compiled.output.map_err(|errors| describe(&world, &errors))?;
    let standards = PdfStandards::new(&[PdfStandard::Ua_1]).map_err(|e| e.message().to_string())?;
    let options = PdfOptions { ident: Smart::Custom(ident.to_string()), creator: Smart::Custom(Some("Scrutiny".into())), standards, ..PdfOptions::default() };
    typst_pdf::pdf(&document, &options).map_err(|errors| describe(&world, &errors))
}

/// Typst's errors in one line each, with the template line they point at.
fn describe(world: &ReportWorld, errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .filter(|e| e.severity == Severity::Error)
        .map(|e| {
            let at = e.span.id().filter(|i| *i == world.main.id()).and_then(|_| {
                let range = typst::WorldExt::range(world, e.span)?;
                Some(world.main.lines().byte_to_line(range.start)? + 1)
            });
            match at {
                Some(line) => format!("{} (report.typ line {line})", e.message),
                None => e.message.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}
