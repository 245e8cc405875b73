import express, { type RequestHandler } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The web console: Vite's build of web/ (dist/web, made by `npm run build:web`, and by
 * `npm run dev` / `npm test` when it is missing or stale), served by the API's own process.
 * Its pages are one HTML file; the browser router draws the page the path names. Paths that
 * are not console pages keep their JSON 404.
 */
export const CONSOLE_DIST = path.resolve(__dirname, '..', 'dist', 'web');

/** First path segments the console draws; `/flows/<slug>` is also where the completion redirect leads. */
const CONSOLE_PAGES = new Set(['', 'login', 'users', 'lockdowns', 'events', 'notifications', 'settings', 'configuration', 'flows', 'recovery']);

// The console's scripts and styles come from this origin only; prompt HTML is sanitised in the browser too.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

export function serveConsole(dist = CONSOLE_DIST): RequestHandler {
  const assets = express.static(dist, { index: false, immutable: true, maxAge: '1y', fallthrough: true });
  const indexFile = path.join(dist, 'index.html');
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path.startsWith('/assets/')) return assets(req, res, next);
    if (!CONSOLE_PAGES.has(req.path.split('/')[1] ?? '')) return next();
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('Cache-Control', 'no-cache');
    if (!existsSync(indexFile)) {
      res.status(503).type('text/plain').send('The web console is not built. Run `npm run build:web` (npm run dev and npm test build it when needed).\n');
      return;
    }
    res.sendFile(indexFile);
  };
}
