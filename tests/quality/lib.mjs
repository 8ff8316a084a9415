// Shared helpers for the quality gates: arguments, walking the built site,
// choosing the pages to check, launching the system Chromium.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = path.dirname(fileURLToPath(import.meta.url));

// `SITE_DIR BASE` where BASE is a path (/asc-performance/) or the full base
// URL (https://www.example.gov.uk/asc-performance/). Returns
// { siteDir, basePath, origin } with basePath always starting and ending in "/".
export function parseArgs(argv, usage, extra = 0) {
  const args = argv.slice(2).filter((a) => !a.startsWith('--'));
  const flags = new Set(argv.slice(2).filter((a) => a.startsWith('--')));
  if (args.length < 1 || args.length > 2 + extra) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  const siteDir = path.resolve(args[0]);
  if (!fs.existsSync(path.join(siteDir, 'index.html'))) {
    console.error(`error: ${args[0]} is not a built site (no index.html in it)`);
    process.exit(2);
  }
  let base = args[1] ?? '/';
  let origin = null;
  if (/^https?:\/\//i.test(base)) {
    const u = new URL(base);
    origin = u.origin;
    base = u.pathname;
  }
  if (!base.startsWith('/')) base = '/' + base;
  if (!base.endsWith('/')) base += '/';
  return { siteDir, basePath: base, origin, flags };
}

// Every file under dir, as paths relative to dir with "/" separators, sorted.
export function walk(dir) {
  const out = [];
  const rec = (rel) => {
    const abs = path.join(dir, rel);
    for (const ent of fs.readdirSync(abs, { withFileTypes: true })) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) rec(r);
      else if (ent.isFile()) out.push(r);
    }
  };
  rec('');
  return out.sort();
}

const YEAR = /^\d{4}-\d{2}$/;
const QUARTER = /^q[1-4]$/;
const RESERVED_TOP = new Set(['metrics', 'glossary', 'latest', 'data']);
const QUARTER_SPECIAL = new Set(['print', 'appendix']);

const isDir = (p) => fs.existsSync(p) && fs.statSync(p).isDirectory();
const hasIndex = (p) => fs.existsSync(path.join(p, 'index.html'));
const subdirs = (p) =>
  isDir(p)
    ? fs.readdirSync(p, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()
    : [];

// The kinds of page to check, each { kind, rel } with rel the site-relative
// URL path ("" for home, "2024-25/q2/" ...). The 404 page has rel null: it is
// requested at a URL that does not exist.
export function choosePages(siteDir) {
  const pages = [{ kind: 'home', rel: '' }];
  const quarters = [];
  for (const y of subdirs(siteDir).filter((d) => YEAR.test(d))) {
    for (const q of subdirs(path.join(siteDir, y)).filter((d) => QUARTER.test(d))) {
      if (hasIndex(path.join(siteDir, y, q))) quarters.push(`${y}/${q}`);
    }
  }
  quarters.sort(); // "2024-25/q4" < "2025-26/q1": string order is period order
  const newest = quarters.at(-1);
  if (newest) {
    pages.push({ kind: 'quarter overview', rel: `${newest}/` });
    const qdir = path.join(siteDir, newest);
    for (const s of subdirs(qdir)) {
      if (!QUARTER_SPECIAL.has(s) && hasIndex(path.join(qdir, s))) pages.push({ kind: 'section', rel: `${newest}/${s}/` });
    }
    for (const s of ['print', 'appendix']) {
      if (hasIndex(path.join(qdir, s))) pages.push({ kind: s, rel: `${newest}/${s}/` });
    }
  }
  const metric = subdirs(path.join(siteDir, 'metrics')).find((m) => hasIndex(path.join(siteDir, 'metrics', m)));
  if (metric) pages.push({ kind: 'metric', rel: `metrics/${metric}/` });
  if (hasIndex(path.join(siteDir, 'metrics'))) pages.push({ kind: 'metrics index', rel: 'metrics/' });
  if (hasIndex(path.join(siteDir, 'data'))) pages.push({ kind: 'data index', rel: 'data/' });
  if (hasIndex(path.join(siteDir, 'glossary'))) pages.push({ kind: 'glossary', rel: 'glossary/' });
  for (const d of subdirs(siteDir)) {
    if (YEAR.test(d) || RESERVED_TOP.has(d) || !hasIndex(path.join(siteDir, d))) continue;
    pages.push({ kind: 'standalone', rel: `${d}/` });
  }
  if (fs.existsSync(path.join(siteDir, '404.html'))) pages.push({ kind: '404', rel: null });
  return { pages, newestQuarter: newest ?? null };
}

// The URL path at which the 404 page is requested.
export const MISSING_REL = 'quality-check/no-such-page/';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run tests/quality/install.sh (it installs Debian's chromium)`);
  }
  // Playwright gives every launch a fresh temporary --user-data-dir of its
  // own (passing one in args is refused), so each run starts clean.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// Make a tally that a gate uses to report: one line per item, a summary.
export function gate(name) {
  const problems = [];
  let checked = 0;
  return {
    name,
    ok(line) {
      checked++;
      console.log(`${name}: ok    ${line}`);
    },
    fail(line, details = []) {
      checked++;
      problems.push(line);
      console.log(`${name}: FAIL  ${line}`);
      for (const d of details) console.log(`${name}:         ${d}`);
    },
    note(line) {
      console.log(`${name}: ${line}`);
    },
    get failed() {
      return problems.length;
    },
    summary(what) {
      const verdict = problems.length ? 'FAILED' : 'passed';
      console.log(`${name}: ${verdict}: ${checked} ${what}, ${problems.length} with problems`);
      return problems.length ? 1 : 0;
    },
  };
}

export const isMain = (metaUrl) => process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(metaUrl);
