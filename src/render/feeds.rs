//! sitemap.xml and the Atom feed of published quarters, from the theme's `sitemap.xml` and
//! `feed.xml` templates (escaped by the environment, like every page).

use super::pages::OutputFile;
use super::templates::template_error;
use crate::diagnostic::Diagnostic;
use crate::model::{QuarterReport, Site};
use crate::validate::Status;
use minijinja::{context, value::Serde, Environment, Value};
use serde::Serialize;

/// One published quarter in the feed.
#[derive(Serialize)]
struct Entry {
    title: String,
    url: String,
    /// `YYYY-MM-DD`.
    updated: String,
    summary: String,
}

/// The sitemap and the feed.
pub fn files(site: &Site, env: &Environment<'static>) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let s = &site.settings;
    let base = &s.base_url;
    let urls: Vec<String> = page_paths(site).into_iter().map(|u| format!("{base}{u}")).collect();
    let published: Vec<&QuarterReport> = site.quarters.iter().filter(|q| !q.draft).collect();
    let updated = published.iter().map(|q| updated_of(q)).max().unwrap_or_else(|| "2000-01-01".into());
    let entries: Vec<Entry> = published
        .iter()
        .rev()
        .map(|q| {
            let status = if q.status == Status::Final { "Final figures" } else { "Provisional figures" };
            Entry {
                title: format!("{}: {}", s.title, q.quarter.long()),
                url: format!("{base}{}/", q.quarter.path()),
                updated: updated_of(q),
                summary: q.overview.summary.as_ref().map(|sum| format!("{status}. {sum}")).unwrap_or_else(|| status.to_string()),
            }
        })
        .collect();
    let feed = context! {
        language => &s.language,
        title => &s.title,
        base_url => base,
        updated => updated,
        organisation => &s.organisation,
        entries => Value::from(Serde(entries)),
    };
    Ok(vec![render(env, &s.theme, "sitemap.xml", context! { urls => urls })?, render(env, &s.theme, "feed.xml", feed)?])
}

/// Every page's path below the site's root, sorted (`""` is the home page).
fn page_paths(site: &Site) -> Vec<String> {
    let mut urls: Vec<String> = vec![String::new(), "metrics/".into(), "data/".into()];
    if !site.glossary.is_empty() {
        urls.push("glossary/".into());
    }
    for q in &site.quarters {
        let p = format!("{}/", q.quarter.path());
        urls.push(p.clone());
        urls.push(format!("{p}print/"));
        urls.push(format!("{p}appendix/"));
        for si in q.section_ids(&site.catalogue) {
            urls.push(format!("{p}{}/", site.catalogue.sections[si].id));
        }
    }
    urls.extend(site.catalogue.metrics.iter().map(|m| format!("metrics/{}/", m.id)));
    urls.extend(site.pages.iter().map(|(n, _)| format!("{n}/")));
    urls.sort();
    urls
}

/// When a quarter's report last changed: published, else data as at, else its last month.
fn updated_of(q: &QuarterReport) -> String {
    q.published.or(q.data_as_of).map(|d| d.to_string()).unwrap_or_else(|| format!("{}-28", q.quarter.last_month()))
}

/// One XML file from its template (a theme without it gets the built-in one).
fn render(env: &Environment<'static>, theme: &str, template: &str, ctx: Value) -> Result<OutputFile, Vec<Diagnostic>> {
    let err = |e: minijinja::Error| vec![template_error(&format!("themes/{theme}/templates/{template}"), &e)];
    let text = env.get_template(template).and_then(|t| t.render(ctx)).map_err(err)?;
    Ok(OutputFile { path: template.into(), bytes: text.into_bytes() })
}
