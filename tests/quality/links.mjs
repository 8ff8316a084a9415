// Every internal link and fragment of the built site resolves.
//   node links.mjs SITE_DIR BASE   (BASE: /asc-performance/ or the full base URL)
// Reads every .html, .svg and .css file, and sitemap.xml and feed.xml, with
// no dependencies: a tokenizer over tags and attributes that skips comments
// and the text of <script>/<style> (whose url()s it reads). A link is internal
// when it is relative, root-relative, or absolute on the site's own origin
// (given in BASE, or else read from the <loc>s of sitemap.xml). Internal links
// must stay under the base path, resolve to a file (a URL ending in "/" means
// its index.html; a directory without the slash is an error, since it works
// only through a redirect) and their #fragment must be an id in the target.
// 404.html is served at any missing URL, so its links must not be relative.
import fs from 'node:fs';
import path from 'node:path';
import { gate, isMain, parseArgs, walk } from './lib.mjs';

const PLACEHOLDER_ORIGIN = 'http://site.invalid';

// Attributes that hold a URL, by element (* = any element).
const URL_ATTRS = {
  a: ['href'], area: ['href'], link: ['href'], base: ['href'],
  img: ['src', 'srcset'], source: ['src', 'srcset'], script: ['src'], iframe: ['src'],
  track: ['src'], audio: ['src'], video: ['src', 'poster'], embed: ['src'], input: ['src', 'formaction'],
  button: ['formaction'], object: ['data'], form: ['action'], blockquote: ['cite'], q: ['cite'],
  del: ['cite'], ins: ['cite'], use: ['href', 'xlink:href'], image: ['href', 'xlink:href'],
  feimage: ['href', 'xlink:href'], textpath: ['href', 'xlink:href'],
};
const SVG_A_ATTRS = ['href', 'xlink:href'];

const TAG_RE = /<([a-zA-Z][a-zA-Z0-9:-]*)((?:\s+[^\s"'>\/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
const ATTR_RE = /([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
const CSS_URL_RE = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')/g;

function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi, (m, e) => {
    const l = e.toLowerCase();
    if (l[0] === '#') return String.fromCodePoint(l[1] === 'x' ? parseInt(l.slice(2), 16) : parseInt(l.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[l];
  });
}

const blank = (s) => s.replace(/[^\n]/g, ' ');

function lineOf(starts, index) {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function cssUrls(text, offset, out, lineStarts) {
  for (const m of text.matchAll(CSS_URL_RE)) {
    const v = m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? '';
    if (v) out.push({ attr: 'url()', value: v.trim(), line: lineOf(lineStarts, offset + m.index) });
  }
}

// Parse an HTML or SVG document: its ids, its links (with lines) and <base href>.
export function parseMarkup(src) {
  const lineStarts = [0];
  for (let i = 0; i < src.length; i++) if (src[i] === '\n') lineStarts.push(i + 1);
  const links = [];
  let text = src.replace(/<!--[\s\S]*?-->/g, blank).replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, blank);
  text = text.replace(/(<(script|style|textarea|title)\b[^>]*>)([\s\S]*?)(<\/\2\s*>)/gi, (m, open, name, body, close, offset) => {
    if (name.toLowerCase() === 'style') cssUrls(body, offset + open.length, links, lineStarts);
    return open + blank(body) + close;
  });
  const ids = new Set();
  const dupIds = new Set();
  let base = null;
  for (const m of text.matchAll(TAG_RE)) {
    const tag = m[1].toLowerCase();
    const attrs = new Map();
    for (const a of (m[2] ?? '').matchAll(ATTR_RE)) {
      const name = a[1].toLowerCase();
      if (!attrs.has(name)) attrs.set(name, decodeEntities(a[2] ?? a[3] ?? a[4] ?? ''));
    }
    const line = lineOf(lineStarts, m.index);
    const id = attrs.get('id');
    if (id !== undefined && id !== '') {
      if (ids.has(id)) dupIds.add(id);
      ids.add(id);
    }
    if (tag === 'a' && attrs.has('name')) ids.add(attrs.get('name'));
    if (tag === 'base' && attrs.has('href')) base = attrs.get('href');
    const names = URL_ATTRS[tag] ?? [];
    for (const name of tag === 'a' ? [...names, ...SVG_A_ATTRS.slice(1)] : names) {
      if (!attrs.has(name)) continue;
      const v = attrs.get(name).trim();
      if (name === 'srcset') {
        for (const cand of v.split(/,\s+/)) {
          const u = cand.trim().split(/\s+/)[0];
          if (u) links.push({ attr: 'srcset', value: u, line });
        }
      } else if (!(tag === 'base' && name === 'href')) {
        links.push({ attr: name, value: v, line });
      }
    }
    if (tag === 'meta' && (attrs.get('http-equiv') ?? '').toLowerCase() === 'refresh') {
      const mm = /url\s*=\s*['"]?([^'"]+)/i.exec(attrs.get('content') ?? '');
      if (mm) links.push({ attr: 'meta refresh', value: mm[1].trim(), line });
    }
    if (attrs.has('style')) cssUrls(attrs.get('style'), m.index, links, lineStarts);
  }
  return { ids, dupIds, links, base };
}

// Links of sitemap.xml (<loc>) and an Atom feed (<link href>).
function parseXml(src) {
  const lineStarts = [0];
  for (let i = 0; i < src.length; i++) if (src[i] === '\n') lineStarts.push(i + 1);
  const links = [];
  for (const m of src.matchAll(/<loc>\s*([^<\s]+)\s*<\/loc>/g)) links.push({ attr: 'loc', value: decodeEntities(m[1]), line: lineOf(lineStarts, m.index) });
  for (const m of src.matchAll(/<link\b[^>]*\bhref\s*=\s*("([^"]*)"|'([^']*)')[^>]*>/g)) {
    links.push({ attr: 'link href', value: decodeEntities(m[2] ?? m[3]), line: lineOf(lineStarts, m.index) });
  }
  return links;
}

function inferOrigin(siteDir, basePath) {
  const counts = new Map();
  for (const f of ['sitemap.xml', 'feed.xml']) {
    const p = path.join(siteDir, f);
    if (!fs.existsSync(p)) continue;
    for (const l of parseXml(fs.readFileSync(p, 'utf8'))) {
      try {
        const u = new URL(l.value);
        if (/^https?:$/.test(u.protocol) && u.pathname.startsWith(basePath)) counts.set(u.origin, (counts.get(u.origin) ?? 0) + 1);
      } catch {}
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

// The URL at which a file is served: a/b/index.html -> BASE a/b/.
function urlPathOf(rel, basePath) {
  if (rel === 'index.html') return basePath;
  if (rel.endsWith('/index.html')) return basePath + rel.slice(0, -'index.html'.length);
  return basePath + rel;
}

export function checkLinks(siteDir, basePath, givenOrigin) {
  const g = gate('links');
  const origin = givenOrigin ?? inferOrigin(siteDir, basePath);
  const siteOrigin = origin ?? PLACEHOLDER_ORIGIN;
  g.note(
    `base path ${basePath}; site origin ${origin ?? '(unknown: absolute URLs are all treated as external; pass the full base URL to check them)'}${givenOrigin ? '' : origin ? ' (read from sitemap.xml/feed.xml)' : ''}`,
  );
  const files = walk(siteDir);
  const fileSet = new Set(files);
  const parsed = new Map();
  const parse = (rel) => {
    if (!parsed.has(rel)) {
      const src = fs.readFileSync(path.join(siteDir, rel), 'utf8');
      parsed.set(rel, /\.(html?|svg)$/i.test(rel) ? parseMarkup(src) : { ids: new Set(), links: [] });
    }
    return parsed.get(rel);
  };
  const isDirRel = (rel) => {
    const p = path.join(siteDir, rel);
    return fs.existsSync(p) && fs.statSync(p).isDirectory();
  };
  let totalInternal = 0;
  let totalExternal = 0;
  const toCheck = files.filter((f) => /\.(html?|svg|css)$/i.test(f) || f === 'sitemap.xml' || f === 'feed.xml');
  for (const rel of toCheck) {
    const isCss = /\.css$/i.test(rel);
    const isXml = /\.xml$/i.test(rel);
    let links;
    let base = null;
    if (isCss) {
      const src = fs.readFileSync(path.join(siteDir, rel), 'utf8');
      const lineStarts = [0];
      for (let i = 0; i < src.length; i++) if (src[i] === '\n') lineStarts.push(i + 1);
      links = [];
      cssUrls(src.replace(/\/\*[\s\S]*?\*\//g, blank), 0, links, lineStarts);
    } else if (isXml) {
      links = parseXml(fs.readFileSync(path.join(siteDir, rel), 'utf8'));
    } else {
      const p = parse(rel);
      links = p.links;
      base = p.base;
    }
    const is404 = rel === '404.html';
    const pageUrl = new URL(urlPathOf(rel, basePath), siteOrigin);
    let baseUrl = pageUrl;
    if (base !== null) {
      try {
        baseUrl = new URL(base, pageUrl);
      } catch {}
    }
    const problems = [];
    let internal = 0;
    let external = 0;
    for (const l of links) {
      const where = `line ${l.line}: ${l.attr}="${l.value}"`;
      const v = l.value;
      if (v === '') {
        if (l.attr === 'href' || l.attr === 'src') problems.push(`${where}: empty URL`);
        continue;
      }
      const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(v)?.[1]?.toLowerCase();
      if (scheme && scheme !== 'http' && scheme !== 'https') {
        external++;
        continue; // mailto:, tel:, data:, ...
      }
      let u;
      try {
        u = new URL(v, baseUrl);
      } catch {
        problems.push(`${where}: not a valid URL`);
        continue;
      }
      if (u.origin !== siteOrigin) {
        external++;
        continue;
      }
      internal++;
      if (is404 && !scheme && !v.startsWith('/') && !v.startsWith('#')) {
        problems.push(`${where}: a relative link on 404.html, which is served at any missing URL and so breaks on a deeper one; make it root-relative (${u.pathname})`);
        continue;
      }
      let pathname;
      try {
        pathname = decodeURIComponent(u.pathname);
      } catch {
        problems.push(`${where}: bad percent-encoding`);
        continue;
      }
      if (!pathname.startsWith(basePath)) {
        problems.push(
          pathname + '/' === basePath
            ? `${where}: -> ${pathname}, the base path without its trailing slash (link to ${basePath})`
            : `${where}: -> ${pathname}, which escapes the base path ${basePath}`,
        );
        continue;
      }
      let target = pathname.slice(basePath.length);
      if (target === '' || target.endsWith('/')) target += 'index.html';
      if (!fileSet.has(target)) {
        if (isDirRel(target)) problems.push(`${where}: -> ${pathname}, a directory without its trailing slash (link to ${pathname}/)`);
        else problems.push(`${where}: -> ${pathname}: no such file (looked for ${target})`);
        continue;
      }
      if (u.hash && u.hash !== '#') {
        let frag;
        try {
          frag = decodeURIComponent(u.hash.slice(1));
        } catch {
          problems.push(`${where}: bad percent-encoding in the fragment`);
          continue;
        }
        if (/\.(html?|svg)$/i.test(target)) {
          const t = parse(target);
          if (!t.ids.has(frag) && frag.toLowerCase() !== 'top') {
            problems.push(`${where}: -> ${pathname}#${frag}: ${target === rel ? 'this page' : target} has no element with id "${frag}"`);
          }
        }
      }
    }
    totalInternal += internal;
    totalExternal += external;
    const line = `${rel} (${internal} internal link${internal === 1 ? '' : 's'}${external ? `, ${external} external skipped` : ''})`;
    if (problems.length) g.fail(`${rel}: ${problems.length} broken link${problems.length === 1 ? '' : 's'}`, problems);
    else g.ok(line);
  }
  g.note(`${totalInternal} internal link${totalInternal === 1 ? '' : 's'} checked, ${totalExternal} external skipped`);
  return g.summary('files checked');
}

if (isMain(import.meta.url)) {
  const { siteDir, basePath, origin } = parseArgs(process.argv, 'node links.mjs SITE_DIR BASE_PATH_OR_BASE_URL');
  process.exit(checkLinks(siteDir, basePath, origin));
}
