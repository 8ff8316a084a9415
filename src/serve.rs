//! Serve (to come).
/// Serves the site.
pub fn serve(_root: &std::path::Path, _bind: &str, _port: u16, _poll: bool) -> Result<(), String> { Err("not yet".into()) }
