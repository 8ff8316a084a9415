// Keyboard check in the system's headless Chromium:
// - on the home page, a section page and a metric page: the first Tab from the
//   top reaches a skip link whose target exists, and following it moves the
//   keyboard to the target; then Tab through every focusable element (at most
//   MAX_TABS presses): each must be on screen and show a visible change when
//   focused (outline, box-shadow, border, background, colour, underline, on
//   the element, its ::before/::after or its parent);
// - on every kind of page: each <details> (charts keep their figures table in
//   one) opens when its <summary> is focused and Enter is pressed.
//   node keyboard.mjs SITE_DIR BASE_PATH
import { choosePages, gate, isMain, launchBrowser, parseArgs } from './lib.mjs';
import { startServer } from './serve.mjs';

const MAX_TABS = 400;

// Runs in the page: helpers kept on window.__q.
export function installHelpers() {
  // Only what can be seen counts: an outline whose style is none or whose
  // colour is transparent, or the offset of an outline that is not drawn, is
  // not a focus indicator.
  const transparent = (c) => !c || c === 'transparent' || /^rgba\(.*,\s*0\)$/.test(c);
  const outline = (cs) =>
    cs.outlineStyle === 'none' || parseFloat(cs.outlineWidth) === 0 || (cs.outlineStyle !== 'auto' && transparent(cs.outlineColor))
      ? 'none'
      : `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor} offset ${cs.outlineOffset}`;
  const border = (cs, side) => {
    const w = cs[`border${side}Width`];
    const st = cs[`border${side}Style`];
    const c = cs[`border${side}Color`];
    return st === 'none' || st === 'hidden' || parseFloat(w) === 0 || transparent(c) ? 'none' : `${w} ${st} ${c}`;
  };
  const background = (cs) => `${transparent(cs.backgroundColor) ? 'transparent' : cs.backgroundColor} ${cs.backgroundImage}`;
  const decoration = (cs) =>
    cs.textDecorationLine === 'none' ? 'none' : `${cs.textDecorationLine} ${cs.textDecorationStyle} ${cs.textDecorationColor} ${cs.textDecorationThickness} ${cs.textUnderlineOffset}`;
  const visual = (out, prefix, cs) => {
    out[prefix + 'outline'] = outline(cs);
    out[prefix + 'box-shadow'] = cs.boxShadow;
    for (const side of ['Top', 'Right', 'Bottom', 'Left']) out[`${prefix}border-${side.toLowerCase()}`] = border(cs, side);
    out[prefix + 'background'] = background(cs);
    out[prefix + 'opacity'] = cs.opacity;
    out[prefix + 'transform'] = cs.transform;
    out[prefix + 'filter'] = cs.filter;
  };
  // What can show focus, keyed "outline", "color", "::after background", "parent box-shadow", ...
  const snap = (el) => {
    const out = {};
    const cs = getComputedStyle(el);
    visual(out, '', cs);
    out.color = cs.color;
    out['text-decoration'] = decoration(cs);
    out['font-weight'] = cs.fontWeight;
    if (el instanceof SVGElement) {
      out.fill = cs.fill;
      out.stroke = `${cs.stroke} ${cs.strokeWidth}`;
    }
    for (const pseudo of ['::before', '::after']) {
      const ps = getComputedStyle(el, pseudo);
      if (ps.content === 'none' || ps.content === 'normal' || ps.display === 'none') out[pseudo] = 'absent';
      else {
        out[pseudo] = `${ps.content} ${ps.color}`;
        visual(out, pseudo + ' ', ps);
      }
    }
    if (el.parentElement) {
      const pcs = getComputedStyle(el.parentElement);
      out['parent outline'] = outline(pcs);
      out['parent box-shadow'] = pcs.boxShadow;
      out['parent background'] = background(pcs);
      out['parent border-bottom'] = border(pcs, 'Bottom');
    }
    return out;
  };
  const describe = (el) => {
    if (!el || el === document.body || el === document.documentElement) return '(nothing: focus is on the page itself)';
    let s = el.tagName.toLowerCase();
    if (el.id) s += `#${el.id}`;
    const cls = typeof el.className === 'string' ? el.className.trim().split(/\s+/).filter(Boolean) : [];
    if (cls.length) s += '.' + cls.join('.');
    const href = el.getAttribute('href');
    if (href !== null) s += `[href="${href}"]`;
    const text = (el.getAttribute('aria-label') || el.textContent || '').replace(/\s+/g, ' ').trim();
    if (text) s += ` "${text.length > 50 ? text.slice(0, 47) + '...' : text}"`;
    return s;
  };
  const FOCUSABLE = 'a[href], area[href], button, input, select, textarea, summary, iframe, [tabindex], [contenteditable]';
  const els = [...document.querySelectorAll(FOCUSABLE)];
  const before = new Map(els.map((el) => [el, snap(el)]));
  window.__q = {
    describe,
    // What changed between the unfocused snapshot and now, on the active element.
    focusState() {
      const el = document.activeElement;
      if (!el || el === document.body || el === document.documentElement) return { none: true };
      const desc = describe(el);
      const base = before.get(el);
      const now = snap(el);
      const changed = base ? Object.keys(now).filter((k) => now[k] !== base[k]) : ['(no unfocused baseline)'];
      const cs = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      const onScreen =
        r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 &&
        r.top < innerHeight && r.left < innerWidth && cs.visibility !== 'hidden' && Number(cs.opacity) > 0;
      return { desc, changed, onScreen, rect: [r.x, r.y, r.width, r.height].map(Math.round).join(',') };
    },
    skipLink() {
      const el = document.activeElement;
      const desc = describe(el);
      if (!el || el.tagName !== 'A') return { ok: false, desc, why: 'it is not a link' };
      const href = el.getAttribute('href') || '';
      if (!href.startsWith('#') || href.length < 2) return { ok: false, desc, why: 'its href is not a fragment such as "#main"' };
      const id = decodeURIComponent(href.slice(1));
      if (!document.getElementById(id)) return { ok: false, desc, why: `no element has id "${id}"` };
      return { ok: true, desc, id };
    },
    // After following the skip link and pressing Tab: is focus at or after the target?
    afterSkip(id) {
      const t = document.getElementById(id);
      const a = document.activeElement;
      if (!a || a === document.body) return { ok: false, desc: describe(a) };
      const ok = a === t || t.contains(a) || !!(t.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING);
      return { ok, desc: describe(a) };
    },
    remember() {
      (window.__qSeen ||= []).push(document.activeElement);
      return window.__qSeen.length - 1;
    },
    seenIndex() {
      return (window.__qSeen || []).indexOf(document.activeElement);
    },
  };
}

async function fresh(page, url) {
  const resp = await page.goto(url, { waitUntil: 'load' });
  await page.evaluate(installHelpers);
  return resp;
}

async function tabWalk(page, url, g, label) {
  const details = [];
  const walkNotes = [];
  await fresh(page, url);
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => window.__q.skipLink());
  if (!skip.ok) details.push(`the first Tab from the top reaches ${skip.desc}, not a skip link: ${skip.why}`);
  let count = 0;
  let invisible = 0;
  const shownBy = new Map();
  for (let i = 0; i < MAX_TABS; i++) {
    if (i > 0) await page.keyboard.press('Tab');
    const seen = await page.evaluate(() => window.__q.seenIndex());
    if (seen === 0) break; // back to the first element: a full cycle
    const st = await page.evaluate(() => window.__q.focusState());
    if (st.none) {
      if (i === 0) details.push('Tab from the top focuses nothing');
      break;
    }
    await page.evaluate(() => window.__q.remember());
    count++;
    for (const k of st.changed) shownBy.set(k, (shownBy.get(k) ?? 0) + 1);
    const problems = [];
    if (!st.onScreen) problems.push(`is not visible on screen when focused (box ${st.rect})`);
    if (!st.changed.length) problems.push('shows no visible focus: nothing about it changes when focused (outline, box-shadow, border, background, colour, underline, font weight, its ::before/::after, its parent)');
    if (problems.length) {
      invisible++;
      details.push(`Tab ${i + 1}: ${st.desc} ${problems.join('; ')}`);
    }
    if (i === MAX_TABS - 1) walkNotes.push(`stopped after ${MAX_TABS} Tab presses`);
  }
  // Following the skip link moves the keyboard to the main content.
  if (skip.ok) {
    await fresh(page, url);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const hash = await page.evaluate(() => decodeURIComponent(location.hash.slice(1)));
    await page.keyboard.press('Tab');
    const after = await page.evaluate((id) => window.__q.afterSkip(id), skip.id);
    if (hash !== skip.id) details.push(`pressing Enter on the skip link did not go to #${skip.id} (location hash is "${hash}")`);
    else if (!after.ok) details.push(`after following the skip link, Tab goes to ${after.desc}, which is before #${skip.id}`);
  }
  const top = [...shownBy.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, n]) => `${k} ${n}`).join(', ');
  const line = `${label}: skip link ${skip.ok ? `${skip.desc} -> #${skip.id}` : 'MISSING'}; ${count} focusable elements tabbed through, ${invisible} without a visible focus${top ? ` (focus shown by ${top})` : ''}${walkNotes.length ? '; ' + walkNotes.join('; ') : ''}`;
  return { line, details };
}

async function detailsCheck(page, url) {
  await fresh(page, url);
  const n = await page.evaluate(() => document.querySelectorAll('details').length);
  const details = [];
  let opened = 0;
  let tables = 0;
  for (let i = 0; i < n; i++) {
    const info = await page.evaluate((i) => {
      const d = document.querySelectorAll('details')[i];
      d.open = false;
      // Open any closed details around it, so that its summary can take focus.
      for (let p = d.parentElement?.closest('details'); p; p = p.parentElement?.closest('details')) p.open = true;
      const s = d.querySelector(':scope > summary');
      const desc = window.__q.describe(s ?? d);
      if (!s) return { desc, why: 'has no <summary>' };
      s.focus();
      if (document.activeElement !== s) return { desc, why: 'its summary cannot take focus' };
      if (s.tabIndex < 0) return { desc, why: `its summary has tabindex ${s.tabIndex}, so Tab never reaches it` };
      return { desc, hasTable: !!d.querySelector('table') };
    }, i);
    if (info.why) {
      details.push(`details ${i + 1} ${info.desc}: ${info.why}`);
      continue;
    }
    await page.keyboard.press('Enter');
    const res = await page.evaluate((i) => {
      const d = document.querySelectorAll('details')[i];
      const t = d.querySelector('table');
      const r = t?.getBoundingClientRect();
      return { open: d.open, tableShown: !t || (r.width > 0 && r.height > 0) };
    }, i);
    if (!res.open) details.push(`details ${i + 1} ${info.desc}: Enter on its summary does not open it`);
    else if (!res.tableShown) details.push(`details ${i + 1} ${info.desc}: opened, but its table is not shown`);
    else {
      opened++;
      if (info.hasTable) tables++;
    }
  }
  const charts = await page.evaluate(
    () => [...document.querySelectorAll('figure svg')].filter((s) => !s.closest('table')).length,
  );
  const chartless = await page.evaluate(() =>
    [...document.querySelectorAll('figure')]
      .filter((f) => f.querySelector('svg') && !f.closest('table') && !f.querySelector('table'))
      .map((f) => window.__q.describe(f)),
  );
  for (const c of chartless) details.push(`chart ${c} has no figures table`);
  return { n, opened, tables, charts, details };
}

export async function runKeyboard(browser, { url, pages }) {
  const g = gate('keyboard');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const walkKinds = new Set();
  const walked = [];
  for (const p of pages) {
    if (p.rel === null) continue;
    if (['home', 'section', 'metric'].includes(p.kind) && !walkKinds.has(p.kind)) {
      walkKinds.add(p.kind);
      walked.push(p);
    }
  }
  g.note(`Tab walk on ${walked.map((p) => p.kind).join(', ')}; details/summary on every kind of page`);
  for (const p of walked) {
    const target = url + p.rel;
    const label = `tab walk  ${p.kind.padEnd(16)} ${new URL(target).pathname}`;
    const { line, details } = await tabWalk(page, target, g, label);
    if (details.length) g.fail(line, details);
    else g.ok(line);
  }
  for (const p of pages) {
    if (p.rel === null) continue;
    const target = url + p.rel;
    const label = `details   ${p.kind.padEnd(16)} ${new URL(target).pathname}`;
    const r = await detailsCheck(page, target);
    const line = r.n
      ? `${label}: ${r.opened} of ${r.n} details opened with Enter on their summary (${r.tables} with a table; ${r.charts} chart${r.charts === 1 ? '' : 's'})`
      : `${label}: no details${r.charts ? `; ${r.charts} chart${r.charts === 1 ? '' : 's'}` : ''}`;
    if (r.details.length) g.fail(line, r.details);
    else g.ok(line);
  }
  await context.close();
  return g.summary('page checks run');
}

if (isMain(import.meta.url)) {
  const { siteDir, basePath } = parseArgs(process.argv, 'node keyboard.mjs SITE_DIR BASE_PATH');
  const server = await startServer(siteDir, basePath);
  const browser = await launchBrowser();
  let code = 1;
  try {
    code = await runKeyboard(browser, { url: server.url, basePath, ...choosePages(siteDir) });
  } finally {
    await browser.close();
    await server.close();
  }
  process.exit(code);
}
