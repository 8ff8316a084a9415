//! sitemap.xml and the Atom feed of published quarters.
//!
//! Owns: the sitemap and the feed. Called by `render` (its parent), whose `OutputFile` and
//! `escape` it uses; must not import `pages` or `opendata`.

// XML text is escaped, and loses the characters XML cannot hold (a control character in a
// title would make the whole feed unreadable to feed readers), by the one escape function.
use super::{escape, OutputFile};
use crate::model::Site;
use crate::validate::Status;

/// The sitemap and the feed.
pub fn files(site: &Site) -> Vec<OutputFile> {
    let base = &site.settings.base_url;
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
    let mut sitemap = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for u in urls {
        sitemap.push_str(&format!("  <url><loc>{}</loc></url>\n", escape(format!("{base}{u}").as_str())));
    }
    sitemap.push_str("</urlset>\n");

    let published: Vec<_> = site.quarters.iter().filter(|q| !q.draft).collect();
    let updated_of =
        |q: &crate::model::QuarterReport| q.published.or(q.data_as_of).map(|d| d.to_string()).unwrap_or_else(|| format!("{}-28", q.quarter.last_month()));
    let updated = published.iter().map(|q| updated_of(q)).max().unwrap_or_else(|| "2000-01-01".into());
    let mut feed = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n  <id>{}</id>\n  <link rel=\"alternate\" href=\"{}\"/>\n  <link rel=\"self\" href=\"{}feed.xml\"/>\n  <updated>{}T00:00:00Z</updated>\n  <author><name>{}</name></author>\n",
        escape(site.settings.language.as_str()),
        escape(site.settings.title.as_str()),
        escape(base.as_str()),
        escape(base.as_str()),
        escape(base.as_str()),
        updated,
        escape(site.settings.organisation.as_str())
    );
    for q in published.iter().rev() {
        let url = format!("{base}{}/", q.quarter.path());
        let status = if q.status == Status::Final { "Final figures" } else { "Provisional figures" };
        let summary = q.overview.summary.clone().map(|s| format!("{status}. {s}")).unwrap_or_else(|| status.to_string());
        feed.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link rel=\"alternate\" href=\"{}\"/>\n    <updated>{}T00:00:00Z</updated>\n    <summary>{}</summary>\n  </entry>\n",
            escape(format!("{}: {}", site.settings.title, q.quarter.long()).as_str()),
            escape(url.as_str()),
            escape(url.as_str()),
            updated_of(q),
            escape(summary.as_str())
        ));
    }
    feed.push_str("</feed>\n");
    vec![OutputFile { path: "sitemap.xml".into(), bytes: sitemap.into_bytes() }, OutputFile { path: "feed.xml".into(), bytes: feed.into_bytes() }]
}
