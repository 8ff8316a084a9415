//! The theme's templates: one shared minijinja environment for the whole build.

use crate::diagnostic::{Diagnostic, Pos};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use std::path::Path;

/// Loads every template of `themes/NAME/templates/` once.
pub fn environment(root: &Path, theme: &str) -> Result<Environment<'static>, Vec<Diagnostic>> {
    let dir = root.join("themes").join(theme).join("templates");
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_debug(true);
    env.set_auto_escape_callback(|name| if name.ends_with(".html") || name.ends_with(".svg") || name.ends_with(".xml") { AutoEscape::Html } else { AutoEscape::None });
    let mut diags = Vec::new();
    let mut files: Vec<_> = walkdir::WalkDir::new(&dir).sort_by_file_name().into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()).collect();
    files.sort_by(|a, b| a.path().cmp(b.path()));
    if files.is_empty() {
        diags.push(Diagnostic::error("site.toml", Pos::new(1, 1), format!("the theme \"{theme}\" has no templates (themes/{theme}/templates/)")).help("set theme to a folder under themes/, or add the theme"));
    }
    for e in files {
        let name = e.path().strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/");
        if crate::load::is_ignorable(e.file_name().to_string_lossy().as_ref()) {
            continue;
        }
        let file = crate::diagnostic::rel(root, e.path());
        match std::fs::read_to_string(e.path()) {
            Ok(src) => {
                if let Err(err) = env.add_template_owned(name, src) {
                    diags.push(template_error(&file, &err));
                }
            }
            Err(err) => diags.push(Diagnostic::error(file, Pos::FILE, format!("cannot read the template: {err}"))),
        }
    }
    if diags.is_empty() {
        Ok(env)
    } else {
        Err(diags)
    }
}

/// A template problem as a diagnostic pointing at the template's line.
pub fn template_error(file: &str, err: &minijinja::Error) -> Diagnostic {
    let line = err.line().unwrap_or(0) as u32;
    let mut msg = err.detail().map(str::to_string).unwrap_or_else(|| err.kind().to_string());
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        msg.push_str(&format!(": {s}"));
        source = s.source();
    }
    let file = err.name().map(|n| format!("{}{n}", file.rsplit_once("templates/").map(|(a, _)| format!("{a}templates/")).unwrap_or_default())).unwrap_or_else(|| file.to_string());
    Diagnostic::error(file, Pos::new(line, if line > 0 { 1 } else { 0 }), format!("template error: {msg}")).help("fix the template at this line (theme templates use minijinja, a Jinja2 dialect)")
}
