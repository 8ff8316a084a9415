//! Commentary Markdown to HTML, with report blocks, figure references and glossary terms.
//!
//! Owns: the website's reading of the dialect (`crate::dialect`) into HTML. Must not import
//! `load` (the dialect is shared, not load's), `pages` or `write`.

use crate::dialect::{self, with_reference_placeholders, BlockKind, REFERENCE_CLOSE as CLOSE, REFERENCE_OPEN as OPEN};
use crate::validate::Term;
use pulldown_cmark::{html, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};
use std::collections::HashSet;

/// What one page has used so far: glossary terms already expanded, heading ids taken.
#[derive(Debug, Default)]
pub struct PageState {
    terms_seen: HashSet<usize>,
    ids: HashSet<String>,
}

impl PageState {
    /// The glossary terms expanded on this page so far, in glossary order.
    pub fn terms_used(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self.terms_seen.iter().copied().collect();
        v.sort_unstable();
        v
    }

    /// Reserves an id on the page, returning a unique variant of it.
    pub fn unique_id(&mut self, base: &str) -> String {
        let mut id = base.to_string();
        let mut n = 2;
        while !self.ids.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }
}

/// Glossary words (terms and aliases), longest first, for matching in prose, with one
/// automaton over all of them so a text is searched once however many terms there are.
#[derive(Debug, Default)]
pub struct GlossaryIndex {
    words: Vec<(String, usize)>,
    matcher: Option<aho_corasick::AhoCorasick>,
}

impl GlossaryIndex {
    /// Indexes the glossary.
    pub fn new(terms: &[Term]) -> Self {
        let mut words: Vec<(String, usize)> =
            terms.iter().enumerate().flat_map(|(i, t)| std::iter::once((t.name.clone(), i)).chain(t.aliases.iter().map(move |a| (a.clone(), i)))).collect();
        words.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        words.retain(|w| !w.0.is_empty());
        let matcher = aho_corasick::AhoCorasick::new(words.iter().map(|w| w.0.as_str())).ok();
        GlossaryIndex { words, matcher }
    }

    /// Every whole-word occurrence in `t` as (start, index into words), by start, then by
    /// the order of words (longest first), so the first usable one at a place is the longest.
    fn occurrences(&self, t: &str) -> Vec<(usize, usize)> {
        let Some(matcher) = &self.matcher else { return Vec::new() };
        let mut found: Vec<(usize, usize)> = matcher
            .find_overlapping_iter(t)
            .filter(|m| {
                let before = t[..m.start()].chars().next_back();
                let after = t[m.end()..].chars().next();
                before.is_none_or(|ch| !ch.is_alphanumeric()) && after.is_none_or(|ch| !ch.is_alphanumeric())
            })
            .map(|m| (m.start(), m.pattern().as_usize()))
            .collect();
        found.sort_unstable();
        found
    }

    /// The first use in `t` of each term not yet in `seen`, in order, as (start, end, index
    /// into the glossary); marks them seen. Uses do not overlap: the longest word wins.
    pub(crate) fn first_uses(&self, t: &str, seen: &mut HashSet<usize>) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        let mut done = 0;
        for (at, wi) in self.occurrences(t) {
            let (word, ti) = (&self.words[wi].0, self.words[wi].1);
            if at < done || seen.contains(&ti) {
                continue;
            }
            seen.insert(ti);
            done = at + word.len();
            out.push((at, done, ti));
        }
        out
    }
}

/// Whether the text before a term already spells it out, as in "Care Quality Commission (CQC)",
/// so its meaning is not given again.
pub(crate) fn spelled_out_before(term: &Term, before: &str) -> bool {
    let head = term.meaning.split(',').next().unwrap_or_default().trim();
    !head.is_empty() && before.trim_end_matches([' ', '(']).to_lowercase().ends_with(&head.to_lowercase())
}

/// What rendering a commentary needs from the page.
pub struct Commentary<'a> {
    /// HTML for each inline reference, in document order.
    pub refs: &'a [String],
    /// HTML for each report block, in document order.
    pub blocks: &'a [String],
    /// Prefix for footnote ids, unique on the page.
    pub id_prefix: &'a str,
    /// Pass raw HTML through (site.toml `raw_html = "allow"`).
    pub allow_raw_html: bool,
    /// Glossary terms and their index.
    pub glossary: &'a [Term],
    /// Index of glossary words.
    pub glossary_index: &'a GlossaryIndex,
    /// Link to the glossary page from this page, ending in `/`.
    pub glossary_href: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkKind {
    Internal,
    External,
    Dropped,
}

/// Renders one commentary body.
pub fn render(body: &str, c: &Commentary, state: &mut PageState) -> String {
    // Swap references for private-use placeholders so smart punctuation cannot touch them.
    let text = with_reference_placeholders(body);
    let mut r = Renderer {
        c,
        state,
        out: Vec::new(),
        block_no: 0,
        skipping_block: false,
        heading: None,
        links: Vec::new(),
        in_code: false,
        pending_text: String::new(),
        last_heading: None,
        last_text: String::new(),
        in_table: false,
    };
    let mut events = Parser::new_ext(&text, dialect::options()).peekable();
    while let Some(ev) = events.next() {
        if r.skipping_block {
            if matches!(ev, Event::End(TagEnd::CodeBlock)) {
                r.skipping_block = false;
            }
            continue;
        }
        // Join runs of text so references and terms are seen whole.
        if let Event::Text(t) = &ev {
            r.pending_text.push_str(t);
            if matches!(events.peek(), Some(Event::Text(_))) {
                continue;
            }
        }
        let produced = r.event(ev);
        match &mut r.heading {
            Some((_, _, inner)) => inner.extend(produced),
            None => r.out.extend(produced),
        }
    }
    let mut html_out = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut html_out, r.out.into_iter());
    html_out
}

/// A heading being read: its level, its `{#id}` if written, and the events inside it.
type OpenHeading<'e> = (HeadingLevel, Option<String>, Vec<Event<'e>>);

/// One commentary being rendered: pulldown-cmark's events in, the page's events out. The few
/// tags written here replace single events (headings, links, footnotes, table wrappers), so
/// they stay beside the events they replace rather than in templates.
struct Renderer<'e, 'c, 's> {
    c: &'c Commentary<'c>,
    state: &'s mut PageState,
    out: Vec<Event<'e>>,
    /// Report blocks met so far (their HTML is `c.blocks`, in order).
    block_no: usize,
    /// Inside a report block's fence, whose YAML is never shown.
    skipping_block: bool,
    heading: Option<OpenHeading<'e>>,
    links: Vec<LinkKind>,
    in_code: bool,
    pending_text: String,
    // What names a Markdown table: the heading before it, or else the text before it.
    last_heading: Option<String>,
    last_text: String,
    in_table: bool,
}

impl<'e> Renderer<'e, '_, '_> {
    /// The events that stand for one event of the Markdown.
    fn event(&mut self, ev: Event<'e>) -> Vec<Event<'e>> {
        match ev {
            Event::Text(_) => self.text(),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) if BlockKind::from_info(&lang).is_some() => {
                self.skipping_block = true;
                let html = self.c.blocks.get(self.block_no).cloned().unwrap_or_default();
                self.block_no += 1;
                vec![Event::Html(format!("{html}\n").into())]
            }
            Event::Start(Tag::CodeBlock(k)) => {
                self.in_code = true;
                vec![Event::Start(Tag::CodeBlock(k))]
            }
            Event::End(TagEnd::CodeBlock) => {
                self.in_code = false;
                vec![Event::End(TagEnd::CodeBlock)]
            }
            Event::Html(h) | Event::InlineHtml(h) if !self.c.allow_raw_html => vec![Event::Text(h)],
            Event::Start(Tag::Heading { level, id, .. }) => {
                self.heading = Some((level, id.map(|i| i.to_string()), Vec::new()));
                Vec::new()
            }
            Event::End(TagEnd::Heading(_)) => self.heading_end(),
            Event::Start(Tag::Link { link_type, dest_url, title, .. }) => self.link_start(link_type, &dest_url, &title),
            Event::End(TagEnd::Link) => match self.links.pop() {
                Some(LinkKind::Dropped) | None => Vec::new(),
                Some(LinkKind::External) => vec![Event::Html("<span class=\"vh\"> (external site)</span></a>".into())],
                Some(LinkKind::Internal) => vec![Event::Html("</a>".into())],
            },
            Event::Start(Tag::Image { dest_url, title, id, link_type }) => {
                if safe_url(&dest_url) {
                    vec![Event::Start(Tag::Image { dest_url, title, id, link_type })]
                } else {
                    vec![Event::Start(Tag::Image { dest_url: CowStr::from(""), title, id, link_type })]
                }
            }
            Event::FootnoteReference(label) => {
                let id = format!("{}fn-{}", self.c.id_prefix, crate::validate::slug(&label));
                vec![Event::Html(format!("<sup class=\"footnote-ref\"><a href=\"#{id}\" id=\"{id}-ref\">[{}]</a></sup>", escape(&label)).into())]
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let id = format!("{}fn-{}", self.c.id_prefix, crate::validate::slug(&label));
                self.state.ids.insert(id.clone());
                vec![Event::Html(
                    format!("<div class=\"footnote\" id=\"{id}\"><p class=\"footnote-label\">[{}] <a href=\"#{id}-ref\">Back to text</a></p>", escape(&label))
                        .into(),
                )]
            }
            Event::End(TagEnd::FootnoteDefinition) => vec![Event::Html("</div>\n".into())],
            Event::Start(Tag::Table(align)) => self.table_start(align),
            Event::End(TagEnd::Table) => {
                self.in_table = false;
                vec![Event::End(TagEnd::Table), Event::Html("</div>\n".into())]
            }
            other => vec![other],
        }
    }

    /// A run of text: code as it is, prose with its references and first-use terms.
    fn text(&mut self) -> Vec<Event<'e>> {
        let t = std::mem::take(&mut self.pending_text);
        if !self.in_table && self.heading.is_none() && !self.in_code {
            self.last_text = t.trim().trim_end_matches(':').trim().to_string();
        }
        if self.in_code {
            vec![Event::Text(t.into())]
        } else {
            let no_terms = self.links.iter().any(|l| *l != LinkKind::Dropped) || self.heading.is_some();
            vec![Event::Html(prose(&t, self.c, self.state, no_terms).into())]
        }
    }

    /// A heading, with an id unique on the page; the page title is the only h1, so a
    /// commentary's top-level headings become h2.
    fn heading_end(&mut self) -> Vec<Event<'e>> {
        let (level, id, inner) = self.heading.take().expect("heading open");
        let mut plain = String::new();
        for e in &inner {
            if let Event::Html(h) | Event::Text(h) = e {
                plain.push_str(&strip_tags(h));
            }
        }
        self.last_heading = Some(plain.trim().to_string());
        let id = self.state.unique_id(&id.unwrap_or_else(|| crate::validate::slug(&plain)));
        let lvl = (level as usize).max(2);
        let mut inner_html = String::new();
        html::push_html(&mut inner_html, inner.into_iter());
        vec![Event::Html(format!("<h{lvl} id=\"{}\">{inner_html}</h{lvl}>\n", escape(&id)).into())]
    }

    /// A link's opening tag, marked when it leaves the site; an unsafe one is dropped (its text stays).
    fn link_start(&mut self, link_type: LinkType, dest_url: &str, title: &str) -> Vec<Event<'e>> {
        if !safe_url(dest_url) {
            self.links.push(LinkKind::Dropped);
            return Vec::new();
        }
        let external = is_external(dest_url) && link_type != LinkType::Email;
        self.links.push(if external { LinkKind::External } else { LinkKind::Internal });
        let mut a = format!("<a href=\"{}\"", escape(dest_url));
        if !title.is_empty() {
            a.push_str(&format!(" title=\"{}\"", escape(title)));
        }
        if external {
            a.push_str(" class=\"external\" rel=\"external\"");
        }
        a.push('>');
        vec![Event::Html(a.into())]
    }

    /// A table scrolls in its own labelled region (never the page) and is captioned.
    fn table_start(&mut self, align: Vec<pulldown_cmark::Alignment>) -> Vec<Event<'e>> {
        self.in_table = true;
        let caption = self.last_heading.clone().filter(|h| !h.is_empty()).unwrap_or_else(|| self.last_text.clone());
        let caption = if caption.is_empty() { "Table".to_string() } else { caption };
        vec![
            Event::Html(format!("<div class=\"table-wrap\" role=\"region\" aria-label=\"{0}\" tabindex=\"0\">\n", escape(&caption)).into()),
            Event::Start(Tag::Table(align)),
            Event::Html(format!("<caption>{}</caption>\n", escape(&caption)).into()),
        ]
    }
}

/// Escapes text and swaps in references and first-use glossary terms.
fn prose(t: &str, c: &Commentary, state: &mut PageState, no_terms: bool) -> String {
    let mut out = String::with_capacity(t.len() + 16);
    let mut rest = t;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&terms(&rest[..i], c, state, no_terms));
        let after = &rest[i + OPEN.len_utf8()..];
        let end = after.find(CLOSE).unwrap_or(after.len());
        if let Ok(n) = after[..end].parse::<usize>() {
            out.push_str(c.refs.get(n).map(String::as_str).unwrap_or(""));
        }
        rest = after.get(end + CLOSE.len_utf8()..).unwrap_or("");
    }
    out.push_str(&terms(rest, c, state, no_terms));
    out
}

fn terms(t: &str, c: &Commentary, state: &mut PageState, no_terms: bool) -> String {
    if no_terms || c.glossary.is_empty() {
        return escape(t);
    }
    // The earliest whole-word use of a term not yet expanded on this page, then the next one
    // after it, and so on: one search of the text, however many terms the glossary has.
    let mut out = String::new();
    let mut done = 0;
    for (at, end, ti) in c.glossary_index.first_uses(t, &mut state.terms_seen) {
        let term = &c.glossary[ti];
        out.push_str(&escape(&t[done..at]));
        let meaning =
            if spelled_out_before(term, &t[..at]) { String::new() } else { format!("<span class=\"term-meaning\"> ({})</span>", escape(&term.meaning)) };
        out.push_str(&format!(
            "<a class=\"term\" href=\"{}#{}\"><abbr title=\"{}\">{}</abbr>{meaning}</a>",
            c.glossary_href,
            term.anchor,
            escape(&term.meaning),
            escape(&t[at..end]),
        ));
        done = end;
    }
    out.push_str(&escape(&t[done..]));
    out
}

/// Link schemes that are safe to publish; anything else (javascript:, data:, vbscript:) is dropped.
pub fn safe_url(url: &str) -> bool {
    let u: String = url.trim().chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect::<String>().to_ascii_lowercase();
    match u.find(':') {
        None => true,
        Some(i) => {
            // A colon after a path or query character is not a scheme.
            if u[..i].contains(['/', '?', '#']) {
                return true;
            }
            matches!(&u[..i], "http" | "https" | "mailto" | "tel")
        }
    }
}

fn is_external(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    u.starts_with("http://") || u.starts_with("https://") || u.starts_with("//")
}

/// The text of some HTML, its tags dropped (the website's and the PDF's one rule).
pub(crate) fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in s.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
}

pub(crate) use super::escape;

#[cfg(test)]
mod tests {
    use super::*;

    fn term(name: &str, meaning: &str) -> Term {
        Term { name: name.into(), meaning: meaning.into(), aliases: vec![], anchor: format!("term-{}", name.to_lowercase()) }
    }

    fn md(body: &str, refs: &[String], blocks: &[String], allow: bool) -> String {
        let g = vec![term("CQC", "Care Quality Commission")];
        let gi = GlossaryIndex::new(&g);
        let c = Commentary { refs, blocks, id_prefix: "s-", allow_raw_html: allow, glossary: &g, glossary_index: &gi, glossary_href: "../glossary/" };
        render(body, &c, &mut PageState::default())
    }

    #[test]
    fn a_term_spelled_out_just_before_is_not_expanded_again() {
        let h = md("Rated by the Care Quality Commission (CQC) last year.", &[], &[], false);
        assert!(h.contains("<abbr title=\"Care Quality Commission\">CQC</abbr></a>"), "{h}");
        assert!(!h.contains("term-meaning"), "{h}");
        let h = md("Rated by the CQC last year.", &[], &[], false);
        assert!(h.contains("<span class=\"term-meaning\"> (Care Quality Commission)</span>"), "{h}");
    }

    #[test]
    fn tables_are_captioned_from_the_heading_or_text_before_them() {
        let h = md("## Symbols\n\nThe symbols we use:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", &[], &[], false);
        assert!(h.contains("<div class=\"table-wrap\" role=\"region\" aria-label=\"Symbols\" tabindex=\"0\">"), "{h}");
        assert!(h.contains("<table><caption>Symbols</caption>"), "{h}");
        let h = md("The symbols we use:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", &[], &[], false);
        assert!(h.contains("<caption>The symbols we use</caption>"), "{h}");
    }

    #[test]
    fn references_survive_smart_punctuation() {
        let h = md("It's \"{{ a }}\" now.", &["<b>81</b>".into()], &[], false);
        assert!(h.contains("\u{201c}<b>81</b>\u{201d}"), "{h}");
    }

    #[test]
    fn raw_html_escaped_and_javascript_links_dropped() {
        let h = md("<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1)) [ok](https://a.example/)", &[], &[], false);
        assert!(!h.contains("<script>"), "{h}");
        assert!(!h.to_lowercase().contains("javascript:"), "{h}");
        assert!(h.contains("class=\"external\""), "{h}");
    }

    #[test]
    fn blocks_replace_fences_and_code_stays_code() {
        let h = md("```chart\nmetric: a\n```\n\n```yaml\n{{ a }}\n```\n", &[], &["<figure>C</figure>".into()], false);
        assert!(h.contains("<figure>C</figure>"), "{h}");
        assert!(h.contains("{{ a }}"), "{h}");
    }

    #[test]
    fn first_use_of_a_term_only() {
        let h = md("The CQC visits. The CQC again.", &[], &[], false);
        assert_eq!(h.matches("<abbr").count(), 1, "{h}");
    }

    #[test]
    fn longest_term_first_and_whole_words_only() {
        let g = vec![term("care", "Support"), term("care home", "A home"), term("CQC", "Care Quality Commission")];
        let gi = GlossaryIndex::new(&g);
        let c = Commentary { refs: &[], blocks: &[], id_prefix: "s-", allow_raw_html: false, glossary: &g, glossary_index: &gi, glossary_href: "g/" };
        let h = render("The CQCs and a care home; then care and CQC.", &c, &mut PageState::default());
        assert!(h.contains("<abbr title=\"A home\">care home</abbr>"), "{h}");
        assert!(h.contains("then <a class=\"term\" href=\"g/#term-care\"><abbr title=\"Support\">care</abbr>"), "{h}");
        assert!(h.contains("and <a class=\"term\" href=\"g/#term-cqc\">"), "the first whole-word CQC: {h}");
        assert_eq!(h.matches("<abbr").count(), 3, "{h}");
    }

    #[test]
    fn headings_shift_and_get_unique_ids() {
        let h = md("# Waiting\n\n## Waiting\n", &[], &[], false);
        assert!(h.contains("<h2 id=\"waiting\">"), "{h}");
        assert!(h.contains("<h2 id=\"waiting-2\">"), "{h}");
    }

    #[test]
    fn footnotes_are_prefixed() {
        let h = md("Text[^1].\n\n[^1]: Note.\n", &[], &[], false);
        assert!(h.contains("id=\"s-fn-1\""), "{h}");
        assert!(!h.contains("id=\"1\""), "{h}");
    }
}
