//! What `serve` adds to the HTML it sends, and never to the files `build` writes:
//! the live-reload script, and after a failed build the diagnostics overlay.

use super::Snapshot;
use crate::diagnostic::{self, Diagnostic, Format};
use std::path::Path;

/// The live-reload script, served at [`LIVE_JS_PATH`].
///
/// It listens to [`EVENTS_PATH`] while the tab is visible (closing the stream in
/// hidden tabs keeps browsers under their six-connections-a-host limit), and
/// reloads when the server's build differs from the one the page was served
/// from: on a `reload` event, or on (re)connecting after a build it missed or
/// a restart of the server. Escape also dismisses the error overlay.
pub const LIVE_JS: &str = r#"// Live reload for `scrutiny serve`; never part of a built site.
(function () {
  "use strict";
  var script = document.currentScript;
  var build = script ? script.getAttribute("data-build") : null;
  var source = null;
  function check(event) {
    if (event.data && event.data !== build) {
      disconnect();
      window.location.reload();
    }
  }
  function connect() {
    if (source || !window.EventSource) return;
    source = new EventSource("/__scrutiny/events");
    source.addEventListener("build", check);
    source.addEventListener("reload", check);
  }
  function disconnect() {
    if (source) {
      source.close();
      source = null;
    }
  }
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) disconnect(); else connect();
  });
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", function () {
    if (!document.hidden) connect();
  });
  var overlay = document.getElementById("scrutiny-errors");
  if (overlay) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && overlay.open) overlay.close();
    });
  }
  if (!document.hidden) connect();
})();
"#;

/// Where the live-reload script is served.
pub const LIVE_JS_PATH: &str = "/__scrutiny/live.js";
/// Where the server-sent events are served.
pub const EVENTS_PATH: &str = "/__scrutiny/events";

pub(crate) use crate::render::escape;

/// The diagnostics as `check` prints them (headline, source snippet, help), one
/// `<li>` each, escaped. Rendered when the build fails, while the files are as
/// the build saw them.
pub fn diagnostics_html(diags: &[Diagnostic], root: &Path) -> String {
    let mut out = String::new();
    for d in diags {
        let text = diagnostic::render(std::slice::from_ref(d), Format::Human, root);
        let text = text.trim_end();
        let (headline, rest) = text.split_once('\n').unwrap_or((text, ""));
        out.push_str("<li style=\"margin:0 0 1rem\"><pre style=\"");
        out.push_str(PRE_STYLE);
        out.push_str("\"><strong>");
        out.push_str(&escape(headline));
        out.push_str("</strong>");
        if !rest.is_empty() {
            out.push('\n');
            out.push_str(&escape(rest));
        }
        out.push_str("</pre></li>\n");
    }
    out
}

const PRE_STYLE: &str = "margin:0;padding:.75rem;white-space:pre-wrap;overflow-wrap:anywhere;background:#f3f2f1;color:#0b0c0c;border-left:4px solid #d4351c;font:0.9rem/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace";

const DIALOG_STYLE: &str = "position:fixed;top:1rem;left:1rem;right:1rem;bottom:auto;z-index:2147483647;box-sizing:border-box;width:auto;max-width:60rem;max-height:calc(100vh - 2rem);margin:0 auto;overflow:auto;padding:1rem 1.5rem;background:#fff;color:#0b0c0c;border:5px solid #d4351c;box-shadow:0 .5rem 2rem rgba(0,0,0,.45);font:1rem/1.5 system-ui,-apple-system,'Segoe UI',Arial,sans-serif;text-align:left";

const BUTTON_STYLE: &str =
    "font:inherit;font-weight:600;padding:.45rem 1.1rem;background:#0b0c0c;color:#fff;border:2px solid #0b0c0c;border-radius:0;cursor:pointer";

/// The overlay: a non-modal alert dialog, plain HTML that shows and dismisses
/// (with `<form method="dialog">`) without the script; the script adds Escape.
pub fn overlay(errors: &str, have_last_good: bool) -> String {
    let (title, intro) = if have_last_good {
        ("The site could not be rebuilt", "This page is the last good build. Mend the problem below and save the file: the page reloads by itself.")
    } else {
        ("The site could not be built", "There is no good build to show yet. Mend the problem below and save the file: the page reloads by itself.")
    };
    format!(
        "<dialog open id=\"scrutiny-errors\" role=\"alertdialog\" aria-modal=\"false\" aria-labelledby=\"scrutiny-errors-title\" \
         aria-describedby=\"scrutiny-errors-intro\" lang=\"en-GB\" style=\"{DIALOG_STYLE}\">\n\
         <h2 id=\"scrutiny-errors-title\" style=\"margin:0 0 .5rem;font-size:1.5rem;line-height:1.25;color:#0b0c0c\">{title}</h2>\n\
         <p id=\"scrutiny-errors-intro\" style=\"margin:0 0 1rem\">{intro}</p>\n\
         <ol style=\"margin:0 0 1rem;padding:0;list-style:none\">\n{errors}</ol>\n\
         <form method=\"dialog\" style=\"margin:0\"><button type=\"submit\" autofocus style=\"{BUTTON_STYLE}\">Dismiss</button></form>\n\
         </dialog>\n"
    )
}

/// The live-reload script tag for a page served from build `id`.
pub fn script_tag(id: &str) -> String {
    format!("<script src=\"{LIVE_JS_PATH}\" data-build=\"{}\" defer></script>", escape(id))
}

/// Adds the script, and the overlay when the latest build failed, to a served page.
pub fn inject(html: &[u8], snapshot: &Snapshot) -> Vec<u8> {
    let script = script_tag(&snapshot.id);
    let overlay = snapshot.errors.as_deref().map(|e| overlay(e, snapshot.files.is_some()));
    let mut out = Vec::with_capacity(html.len() + script.len() + overlay.as_ref().map_or(0, String::len));
    // The overlay goes first in the body, so it is the first thing read.
    let body_open = overlay.as_ref().and_then(|_| body_content_start(html)).unwrap_or(0);
    let body_close = find_last_ignore_case(html, b"</body").filter(|&i| i >= body_open).unwrap_or(html.len());
    out.extend_from_slice(&html[..body_open]);
    if let Some(o) = &overlay {
        out.extend_from_slice(o.as_bytes());
    }
    out.extend_from_slice(&html[body_open..body_close]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[body_close..]);
    out
}

/// The page served on every path until the first build succeeds.
pub fn failure_page(snapshot: &Snapshot) -> Vec<u8> {
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>The site could not be built</title>\n</head>\n<body>\n<main>\n<h1>The site could not be built</h1>\n\
         <p>The problems are listed in the box above, and in the terminal running <code>scrutiny serve</code>.</p>\n</main>\n</body>\n</html>\n",
        escape(&snapshot.language)
    );
    inject(page.as_bytes(), snapshot)
}

/// The index just after `<body ...>`.
fn body_content_start(html: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = find_ignore_case(&html[from..], b"<body").map(|i| i + from) {
        let next = html.get(i + 5).copied();
        if matches!(next, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/')) {
            return html[i..].iter().position(|&b| b == b'>').map(|j| i + j + 1);
        }
        from = i + 5;
    }
    None
}

fn find_ignore_case(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle))
}

fn find_last_ignore_case(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn snapshot(errors: Option<&str>) -> Snapshot {
        Snapshot { id: "a-1".into(), files: Some(Arc::default()), errors: errors.map(Into::into), language: "en-GB".into() }
    }

    #[test]
    fn the_script_goes_before_the_end_of_the_body() {
        let out = inject(b"<html><BODY class=\"x\"><p>Hi</p></Body></html>", &snapshot(None));
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out, "<html><BODY class=\"x\"><p>Hi</p><script src=\"/__scrutiny/live.js\" data-build=\"a-1\" defer></script></Body></html>");
        // A fragment without a body still gets it, at the end.
        assert!(String::from_utf8(inject(b"<p>x</p>", &snapshot(None))).unwrap().ends_with("defer></script>"));
    }

    #[test]
    fn the_overlay_goes_first_in_the_body() {
        let out = inject(b"<html><head><title>t</title></head><body>\n<p>Hi</p></body></html>", &snapshot(Some("<li>E</li>")));
        let out = String::from_utf8(out).unwrap();
        let dialog = out.find("<dialog open id=\"scrutiny-errors\" role=\"alertdialog\"").unwrap();
        assert!(out.find("<body>").unwrap() < dialog && dialog < out.find("<p>Hi</p>").unwrap());
        assert!(out.contains("The site could not be rebuilt"));
        assert!(out.contains("<button type=\"submit\" autofocus"));
        // `<bodyx>` is not a body.
        assert!(body_content_start(b"<bodyx><body>").is_some_and(|i| i == 13));
    }

    #[test]
    fn diagnostics_are_escaped_with_their_place() {
        let d = Diagnostic::error("data/2024-25/q2.yaml", diagnostic::Pos::new(3, 5), "unknown metric \"<x>\"").help("did you mean & so on");
        let html = diagnostics_html(&[d], Path::new("/nonexistent"));
        assert!(html.contains("<strong>error: data/2024-25/q2.yaml:3:5: unknown metric &quot;&lt;x&gt;&quot;</strong>"), "{html}");
        assert!(html.contains("= help: did you mean &amp; so on"), "{html}");
    }
}
