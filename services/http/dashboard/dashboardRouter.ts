/**
 * The dashboard's files: one HTML page, its scripts and styles, and Apache ECharts from the
 * installed package, all from this server. Office networks of government sites often have no
 * internet, so the page loads nothing from anywhere else (the CSP enforces it).
 */
import express, { Router } from 'express';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../config/paths';
import { clientBundle } from './clientBundle';

export const DASHBOARD_DIR = path.join(PROJECT_ROOT, 'services', 'http', 'dashboard', 'public');

function echartsFile(): string {
  const require = createRequire(__filename);
  return path.join(path.dirname(require.resolve('echarts/package.json')), 'dist', 'echarts.min.js');
}

export function dashboardRouter(): Router {
  const router = Router();
  const noCache = { 'Cache-Control': 'no-cache' };
  router.get('/', (_req, res) => {
    res.set(noCache).sendFile(path.join(DASHBOARD_DIR, 'index.html'));
  });
  // Links in alert mails and webhooks (alerts/notify/mailTemplates.ts) name pages by path.
  router.get('/enterprises/:id', (req, res) => res.redirect(302, `/#/enterprise/${encodeURIComponent(req.params.id)}`));
  for (const page of ['carbon', 'benchmark', 'alarms', 'reports', 'data']) router.get(`/${page}`, (_req, res) => res.redirect(302, `/#/${page}`));
  const vendor = echartsFile();
  router.get('/static/vendor/echarts.min.js', (_req, res) => {
    res.set({ 'Cache-Control': 'public, max-age=86400' }).sendFile(vendor);
  });
  router.get('/static/app.js', async (_req, res) => {
    const js = await clientBundle();
    res.set({ ...noCache, 'Content-Type': 'text/javascript; charset=utf-8' }).send(js);
  });
  // Revalidated on each load (ETag): a new release is picked up without a stale mix of files.
  router.use('/static', express.static(DASHBOARD_DIR, { index: false, fallthrough: true, setHeaders: (res) => res.set(noCache) }));
  return router;
}
