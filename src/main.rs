//! The `scrutiny` command: parses the command line, calls the library (`src/lib.rs` wires the
//! pipeline stages) and prints what it says. Must not reach past the library's public face.

use clap::{Parser, Subcommand, ValueEnum};
use scrutiny::diagnostic::{self, Format};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "scrutiny", version, about = "Quarterly performance reports as a static website")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Human,
    Github,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Start a new site for a council in a new or empty folder.
    Init {
        /// The folder to create the site in.
        dir: PathBuf,
        /// The council's name, as readers should see it.
        #[arg(long, default_value = scrutiny::init::DEFAULT_ORGANISATION)]
        organisation: String,
    },
    /// Build the website into the output directory.
    Build {
        /// The site directory.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the website (default: site.toml's [build] output).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Include quarters marked draft.
        #[arg(long)]
        drafts: bool,
        /// Publish under this address instead of site.toml's base_url.
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Check the site for every problem: validates it and renders it in memory, writing nothing.
    Check {
        /// The site directory.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// How to print problems.
        #[arg(long, value_enum, default_value = "human")]
        format: FormatArg,
        /// Fail on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Build, serve on this machine, and rebuild and reload on every save.
    Serve {
        /// The site directory.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Port to listen on.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Poll for changes instead of using file system events (network drives, WSL).
        #[arg(long)]
        poll: bool,
        /// Open the site in the web browser once it is served.
        #[arg(long)]
        open: bool,
    },
    /// Bring figures in: the national ASCOF release, or an officer's spreadsheet.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Start a new quarter from the newest one; never overwrites a file.
    NewQuarter {
        /// The quarter, e.g. 2025-26/q1.
        quarter: String,
        /// The site directory.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Write data/benchmarks/ files from the national ASCOF release's long CSV.
    Ascof {
        /// The release's CSV file.
        file: PathBuf,
        /// The financial year the release is for, e.g. 2023-24.
        #[arg(long)]
        year: String,
        /// The site directory.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Replace benchmark files the release would change.
        #[arg(long)]
        force: bool,
    },
    /// Write a quarter's figures from a spreadsheet (.xlsx, .ods or .csv) in long form.
    Figures {
        /// The spreadsheet.
        file: PathBuf,
        /// The quarter, e.g. 2024-25/q3.
        #[arg(long)]
        quarter: String,
        /// The sheet to read (default: the first).
        #[arg(long)]
        sheet: Option<String>,
        /// The site directory.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

fn run_import(cmd: ImportCommand) -> ExitCode {
    let outcome = match cmd {
        ImportCommand::Ascof { file, year, root, force } => match scrutiny::period::FinancialYear::parse(&year) {
            Ok(y) => scrutiny::import::ascof(&root, &file, y, force),
            Err(e) => {
                eprintln!("error: --year: {e}");
                return ExitCode::FAILURE;
            }
        },
        ImportCommand::Figures { file, quarter, sheet, root } => match scrutiny::period::Quarter::parse(&quarter) {
            Ok(q) => scrutiny::import::figures(&root, &file, q, sheet.as_deref()),
            Err(e) => {
                eprintln!("error: --quarter: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    eprint!("{}", outcome.render_problems());
    for line in &outcome.summary {
        eprintln!("{line}");
    }
    if outcome.failed() {
        eprintln!("nothing was written");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { root, format, deny_warnings } => run_check(&root, format, deny_warnings),
        Command::Build { root, output, drafts, base_url } => run_build(root, output, drafts, base_url),
        Command::Serve { root, port, bind, poll, open } => match scrutiny::serve::serve(&root, &bind, port, poll, open) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Init { dir, organisation } => run_init(&dir, &organisation),
        Command::Import(cmd) => run_import(cmd),
        Command::NewQuarter { quarter, root } => match scrutiny::new_quarter(&root, &quarter) {
            Ok(created) => {
                for f in created {
                    eprintln!("created {f}");
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

fn run_check(root: &std::path::Path, format: FormatArg, deny_warnings: bool) -> ExitCode {
    let format = match format {
        FormatArg::Human => Format::Human,
        FormatArg::Github => Format::Github,
        FormatArg::Json => Format::Json,
    };
    let started = std::time::Instant::now();
    let diags = scrutiny::check(root);
    let (errors, warnings) = count(&diags);
    let shown = diagnostic::render(&diags, format, root);
    if format == Format::Json {
        print!("{shown}");
    } else {
        eprint!("{shown}");
    }
    if format == Format::Human {
        eprintln!("{}", summary(errors, warnings, started.elapsed()));
    }
    if errors > 0 || (deny_warnings && warnings > 0) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn run_build(root: PathBuf, output: Option<PathBuf>, drafts: bool, base_url: Option<String>) -> ExitCode {
    let started = std::time::Instant::now();
    let options = scrutiny::BuildOptions { root: root.clone(), output, drafts, base_url, records: scrutiny::default_records_folder() };
    match scrutiny::build(&options) {
        Ok(report) => {
            let warnings = report.diagnostics.len();
            eprint!("{}", diagnostic::render(&report.diagnostics, Format::Human, &root));
            let w = report.written;
            eprintln!(
                "built {} pages into {} in {} ms ({} files written, {} unchanged, {} removed{}){}",
                report.pages,
                report.output.display(),
                started.elapsed().as_millis(),
                w.written,
                w.unchanged,
                w.removed,
                match w.quarters_kept {
                    0 => String::new(),
                    1 => "; 1 quarter kept as the last build wrote it".to_string(),
                    n => format!("; {n} quarters kept as the last build wrote them"),
                },
                if warnings > 0 { format!("; {warnings} warnings") } else { String::new() }
            );
            ExitCode::SUCCESS
        }
        Err(diags) => {
            let (errors, warnings) = count(&diags);
            eprint!("{}", diagnostic::render(&diags, Format::Human, &root));
            eprintln!("{}; the previous output was left as it was", summary(errors, warnings, started.elapsed()));
            ExitCode::FAILURE
        }
    }
}

fn run_init(dir: &std::path::Path, organisation: &str) -> ExitCode {
    let quarter = scrutiny::init::Date::today().quarter();
    match scrutiny::init::init(dir, organisation, quarter) {
        Ok(created) => {
            for f in created {
                eprintln!("created {}", dir.join(f).display());
            }
            eprintln!(
                "A new site for {} with {} as a draft. Next: fill in the parts of content/pages/accessibility.md marked [to complete: ...], then run  scrutiny serve --root {}",
                organisation.trim(),
                quarter.long(),
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn count(diags: &[diagnostic::Diagnostic]) -> (usize, usize) {
    let c = diagnostic::Counts::of(diags);
    (c.errors, c.warnings)
}

fn summary(errors: usize, warnings: usize, took: std::time::Duration) -> String {
    let plural = |n: usize, w: &str| if n == 1 { format!("1 {w}") } else { format!("{n} {w}s") };
    format!("{}, {} ({} ms)", plural(errors, "error"), plural(warnings, "warning"), took.as_millis())
}
