// A tiny static server for a built site, under its base path, on 127.0.0.1.
//   node serve.mjs SITE_DIR BASE_PATH [PORT]
// Directory URLs serve index.html; a directory without its trailing slash is
// redirected (301) as static hosts do; anything missing, or outside the base
// path, gets 404.html with status 404.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { isMain, parseArgs } from './lib.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.pdf': 'application/pdf',
};

export function startServer(siteDir, basePath, port = 0) {
  const root = path.resolve(siteDir);
  const notFound = (res, head) => {
    const p = path.join(root, '404.html');
    res.statusCode = 404;
    if (fs.existsSync(p)) {
      res.setHeader('Content-Type', TYPES['.html']);
      res.end(head ? undefined : fs.readFileSync(p));
    } else {
      res.setHeader('Content-Type', TYPES['.txt']);
      res.end(head ? undefined : 'not found\n');
    }
  };
  const server = http.createServer((req, res) => {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.statusCode = 405;
      return res.end();
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    } catch {
      res.statusCode = 400;
      return res.end();
    }
    if (!pathname.startsWith(basePath)) {
      if (pathname + '/' === basePath) {
        res.writeHead(301, { Location: basePath });
        return res.end();
      }
      return notFound(res, head);
    }
    const rel = pathname.slice(basePath.length);
    let file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
    if (file !== root && !file.startsWith(root + path.sep)) return notFound(res, head);
    let st = fs.existsSync(file) ? fs.statSync(file) : null;
    if (st && st.isDirectory()) {
      if (!pathname.endsWith('/')) {
        res.writeHead(301, { Location: pathname + '/' });
        return res.end();
      }
      file = path.join(file, 'index.html');
      st = fs.existsSync(file) ? fs.statSync(file) : null;
    }
    if (!st || !st.isFile()) return notFound(res, head);
    res.statusCode = 200;
    res.setHeader('Content-Type', TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
    res.setHeader('Content-Length', st.size);
    res.setHeader('Cache-Control', 'no-store');
    if (head) return res.end();
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}${basePath}`;
      resolve({ url, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (isMain(import.meta.url)) {
  const { siteDir, basePath } = parseArgs(process.argv, 'node serve.mjs SITE_DIR BASE_PATH [PORT]', 1);
  const port = Number(process.argv[4] ?? 8000);
  const { url } = await startServer(siteDir, basePath, port);
  console.log(`serving ${siteDir} at ${url} (Ctrl-C to stop)`);
}
