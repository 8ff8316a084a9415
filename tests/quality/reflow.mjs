// Reflow and legibility in headless Chromium (WCAG 2.2 1.4.10; charts that
// can be read on a phone), on every kind of page at 320, 375 and 1280 px:
// - the page does not scroll sideways: the document's scrollWidth is no more
//   than the viewport's width (only a data table may scroll, inside its own
//   region); the widest culprits are named;
// - at 320 px, every highlight table's latest figure (the "Latest" column of
//   a table.kpis) lies inside the viewport, without scrolling sideways;
// - the smallest chart text renders at 12 CSS px or more: inline SVG text by
//   its font size times the SVG's scale on screen; a chart drawn as an
//   <img>/<picture> of an SVG file by the smallest font size in that file
//   times the image's rendered width over the file's viewBox width (for a
//   view of a file of several drawings, FILE.svg#ID: in the drawing the view
//   shows, over the view's width).
//   node reflow.mjs SITE_DIR BASE_PATH
import { choosePages, gate, isMain, launchBrowser, MISSING_REL, parseArgs } from './lib.mjs';
import { startServer } from './serve.mjs';

export const REFLOW_WIDTHS = [320, 375, 1280];
export const MIN_TEXT_PX = 12;

// Runs in the page: what overflows, where the latest figures are, and the
// smallest rendered chart text.
async function measure(checkLatest) {
  const vw = document.documentElement.clientWidth;
  const out = { vw, scrollWidth: document.documentElement.scrollWidth, culprits: [], latest: [], smallest: null };
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += `#${el.id}`;
    if (el.classList.length) s += '.' + [...el.classList].join('.');
    return s;
  };
  // Is el inside a box that scrolls sideways on its own (a table region)?
  const inScroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
    }
    return false;
  };
  if (out.scrollWidth > vw) {
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.right <= vw + 0.5) continue;
      // An absolutely placed box escapes a scroller that is not positioned.
      const abs = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
      if (abs || !inScroller(el)) wide.push({ el, right: r.right });
    }
    // The innermost culprits say most: drop those containing another.
    const inner = wide.filter((w) => !wide.some((o) => o !== w && w.el.contains(o.el)));
    inner.sort((a, b) => b.right - a.right);
    out.culprits = inner.slice(0, 4).map((w) => `${name(w.el)} reaches ${Math.round(w.right)} px: "${(w.el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50)}"`);
    if (!out.culprits.length) {
      // Text that does not wrap (a long address, say) overflows its box without a box of its own.
      const over = [...document.body.querySelectorAll('*')].filter(
        (el) => el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && !['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX) && !inScroller(el),
      );
      const deepest = over.filter((el) => !over.some((o) => o !== el && el.contains(o)));
      out.culprits = deepest.slice(0, 4).map((el) => `${name(el)} holds content ${el.scrollWidth} px wide in ${el.clientWidth} px: "${(el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50)}"`);
    }
  }
  if (checkLatest) {
    for (const table of document.querySelectorAll('table.kpis')) {
      const heads = [...table.querySelectorAll('thead th')];
      const col = heads.findIndex((th) => /^\s*latest\b/i.test(th.textContent));
      if (col < 0) {
        out.latest.push({ bad: true, what: `${name(table)} has no "Latest" column header` });
        continue;
      }
      for (const tr of table.querySelectorAll('tbody tr')) {
        // A heading row over a group of measures (one cell across the table) holds no figure.
        if (tr.children.length === 1 && tr.children[0].colSpan > 1) continue;
        const cell = tr.children[col];
        const label = (tr.children[0]?.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
        if (!cell) {
          out.latest.push({ bad: true, what: `row "${label}" has no latest cell` });
          continue;
        }
        const r = cell.getBoundingClientRect();
        const visible = r.width > 0 && r.height > 0 && getComputedStyle(cell).visibility !== 'hidden';
        const inside = r.left >= -0.5 && r.right <= vw + 0.5;
        out.latest.push({ bad: !(visible && inside), what: `row "${label}": latest figure at ${Math.round(r.left)}-${Math.round(r.right)} px` });
      }
    }
  }
  const note = (px, what) => {
    if (out.smallest === null || px < out.smallest.px) out.smallest = { px, what };
  };
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  for (const t of document.querySelectorAll('svg text')) {
    if (!shown(t) || !(t.textContent || '').trim()) continue;
    const m = t.getScreenCTM();
    if (!m) continue;
    const scale = Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
    const px = parseFloat(getComputedStyle(t).fontSize) * scale;
    const svg = t.closest('figure')?.id || t.ownerSVGElement?.id || 'an inline svg';
    note(px, `"${t.textContent.trim().slice(0, 30)}" in ${svg}`);
  }
  // Charts drawn as images of SVG files.
  const fontSize = (el) => {
    for (let e = el; e && e.getAttribute; e = e.parentElement) {
      const st = e.getAttribute('style') || '';
      const m = /font-size\s*:\s*([\d.]+)(px)?/i.exec(st);
      if (m) return parseFloat(m[1]);
      const a = e.getAttribute('font-size');
      if (a && !Number.isNaN(parseFloat(a))) return parseFloat(a);
    }
    return 16;
  };
  for (const img of document.querySelectorAll('img')) {
    const src = img.currentSrc || img.src;
    if (!/\.svg(\?|#|$)/i.test(src) || !shown(img) || img.clientWidth === 0) continue;
    let text;
    try {
      text = await (await fetch(src)).text();
    } catch {
      continue;
    }
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    let root = doc.documentElement;
    if (!root || root.nodeName !== 'svg') continue;
    let vb = (root.getAttribute('viewBox') || '').split(/[\s,]+/).map(Number);
    // A view of a file of several drawings (FILE.svg#ID): its viewBox, and the drawing nested
    // at that place. A view the file lacks is the links gate's to report; here it is a failure too.
    const frag = decodeURIComponent(new URL(src).hash.slice(1));
    if (frag) {
      const view = [...doc.querySelectorAll('view')].find((v) => v.getAttribute('id') === frag);
      vb = (view?.getAttribute('viewBox') || '').split(/[\s,]+/).map(Number);
      const region = view && [...root.children].find((e) => e.nodeName === 'svg'
        && Number(e.getAttribute('x') || 0) === vb[0] && Number(e.getAttribute('y') || 0) === vb[1]);
      if (!region) {
        note(0, `${src.split('/').pop()}: no drawing for the view "${frag}"`);
        continue;
      }
      root = region;
    }
    const w = vb.length === 4 && vb[2] > 0 ? vb[2] : parseFloat(root.getAttribute('width'));
    if (!(w > 0)) continue;
    const scale = img.getBoundingClientRect().width / w;
    for (const t of root.querySelectorAll('text')) {
      if (!(t.textContent || '').trim()) continue;
      note(fontSize(t) * scale, `"${t.textContent.trim().slice(0, 30)}" in ${src.split('/').pop()}`);
    }
  }
  return out;
}

export async function runReflow(browser, { url, pages }) {
  const g = gate('reflow');
  g.note(`widths ${REFLOW_WIDTHS.join(', ')} px; no sideways page scroll; highlight table latest figures on screen at ${REFLOW_WIDTHS[0]} px; chart text >= ${MIN_TEXT_PX} px`);
  for (const width of REFLOW_WIDTHS) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, reducedMotion: 'reduce' });
    const page = await context.newPage();
    for (const p of pages) {
      const target = url + (p.rel ?? MISSING_REL);
      const label = `${String(width).padStart(4)}px ${p.kind.padEnd(16)} ${new URL(target).pathname}`;
      try {
        await page.goto(target, { waitUntil: 'load' });
      } catch (e) {
        g.fail(label, [`could not load the page: ${e.message.split('\n')[0]}`]);
        continue;
      }
      const m = await page.evaluate(measure, width === REFLOW_WIDTHS[0]);
      const details = [];
      // Laid out as blocks on a phone, a highlight table must still be a table to a screen reader.
      const kpis = page.locator('table.kpis');
      let semantics = '';
      if (width < 400 && (await kpis.count()) > 0) {
        const tree = await kpis.first().ariaSnapshot();
        if (!/^- '?table\b/.test(tree) || !/- rowheader\b/.test(tree) || !/- cell\b/.test(tree)) {
          details.push(`the highlight table is not a table with row headers and cells to a screen reader at ${width} px: ${tree.split('\n').slice(0, 3).join(' | ')}`);
        } else semantics = 'highlight table read as a table';
      }
      if (m.scrollWidth > m.vw) {
        details.push(`the page scrolls sideways: it is ${m.scrollWidth} px wide in a ${m.vw} px viewport`);
        for (const c of m.culprits) details.push(`    ${c}`);
      }
      const badLatest = m.latest.filter((l) => l.bad);
      if (badLatest.length) {
        details.push(`${badLatest.length} of ${m.latest.length} highlight table latest figures are off screen at ${width} px`);
        for (const l of badLatest.slice(0, 3)) details.push(`    ${l.what}`);
      }
      if (m.smallest && m.smallest.px < MIN_TEXT_PX - 0.05) {
        details.push(`chart text renders at ${m.smallest.px.toFixed(1)} px, under ${MIN_TEXT_PX} px: ${m.smallest.what}`);
      }
      const facts = [`${m.scrollWidth}/${m.vw} px`];
      if (m.latest.length) facts.push(`${m.latest.length} latest figures on screen`);
      if (m.smallest) facts.push(`smallest chart text ${m.smallest.px.toFixed(1)} px`);
      if (semantics) facts.push(semantics);
      if (details.length) g.fail(label, details);
      else g.ok(`${label} (${facts.join('; ')})`);
    }
    await context.close();
  }
  return g.summary('page views checked');
}

if (isMain(import.meta.url)) {
  const { siteDir, basePath } = parseArgs(process.argv, 'node reflow.mjs SITE_DIR BASE_PATH');
  const server = await startServer(siteDir, basePath);
  const browser = await launchBrowser();
  let code = 1;
  try {
    code = await runReflow(browser, { url: server.url, basePath, ...choosePages(siteDir) });
  } finally {
    await browser.close();
    await server.close();
  }
  process.exit(code);
}
