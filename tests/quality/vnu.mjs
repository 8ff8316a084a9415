// The Nu HTML Checker over every .html file and every .svg file of the site,
// in one Java run; errors only.
//   node vnu.mjs SITE_DIR
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gate, isMain, walk } from './lib.mjs';

const require = createRequire(import.meta.url);
const VNU_JAR = path.join(path.dirname(require.resolve('vnu-jar/package.json')), 'build', 'dist', 'vnu.jar');
const JAVA = process.env.JAVA || 'java';

export function runVnu(siteDir) {
  const g = gate('vnu');
  const files = walk(siteDir).filter((f) => /\.(html|svg)$/i.test(f));
  const version = require('vnu-jar/package.json').version;
  g.note(`Nu HTML Checker ${version}: ${files.filter((f) => f.endsWith('.html')).length} HTML and ${files.filter((f) => f.endsWith('.svg')).length} SVG files`);
  if (!files.length) {
    g.fail('no .html or .svg files found');
    return g.summary('files checked');
  }
  // --also-check-svg checks the .svg files as SVG in the same run as the HTML
  // ones (as --svg would, but without a second start of the JVM).
  const args = ['-Xss4m', '-jar', VNU_JAR, '--errors-only', '--skip-non-html', '--also-check-svg', '--format', 'json', '--stdout', ...files];
  const r = spawnSync(JAVA, args, { cwd: siteDir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) {
    g.fail(`could not run ${JAVA}: ${r.error.message}`);
    return g.summary('files checked');
  }
  let messages;
  try {
    messages = JSON.parse(r.stdout).messages;
  } catch {
    g.fail(`vnu exited ${r.status} without a JSON report`, (r.stdout + r.stderr).trim().split('\n').slice(0, 20));
    return g.summary('files checked');
  }
  const byFile = new Map(files.map((f) => [f, []]));
  const other = [];
  for (const m of messages) {
    if (m.type !== 'error' && !(m.type === 'non-document-error')) continue;
    const f = m.url ? decodeURIComponent(new URL(m.url).pathname).slice(path.resolve(siteDir).length + 1) : null;
    const where = m.lastLine ? `line ${m.firstLine ?? m.lastLine}${m.firstColumn ? `:${m.firstColumn}` : m.lastColumn ? `:${m.lastColumn}` : ''}` : 'file';
    const extract = m.extract ? `  [${m.extract.replace(/\s+/g, ' ').trim().slice(0, 100)}]` : '';
    const text = `${where}: ${m.type === 'error' ? 'error' : m.type}: ${m.message}${extract}`;
    if (f && byFile.has(f)) byFile.get(f).push(text);
    else other.push(`${f ?? m.url ?? '(no file)'}: ${text}`);
  }
  for (const [f, errs] of byFile) {
    if (errs.length) g.fail(`${f}: ${errs.length} error${errs.length === 1 ? '' : 's'}`, errs);
    else g.ok(f);
  }
  if (other.length) g.fail('messages not tied to a file', other);
  return g.summary('files checked');
}

if (isMain(import.meta.url)) {
  if (process.argv.length !== 3) {
    console.error('usage: node vnu.mjs SITE_DIR');
    process.exit(2);
  }
  process.exit(runVnu(path.resolve(process.argv[2])));
}
