//! Opening the served site in the reader's browser (`serve --open`), behind one function.

/// Opens `url` in the default browser. `SCRUTINY_BROWSER`, when set, names the program to
/// run with the address instead (tests use it so that no browser is launched).
pub fn open(url: &str) -> Result<(), String> {
    match std::env::var_os("SCRUTINY_BROWSER") {
        Some(program) => std::process::Command::new(&program).arg(url).spawn().map(drop).map_err(|e| format!("cannot run {}: {e}", program.to_string_lossy())),
        None => opener::open_browser(url).map_err(|e| e.to_string()),
    }
}
