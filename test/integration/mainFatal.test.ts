/**
 * services/main.ts: an unhandled rejection or uncaught exception is logged as fatal through the
 * logger and goes through the same bounded shutdown as a signal (the app is stopped, exit 1).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_CONFIG_PATH } from '../../config/load';
import { startServiceProcess } from '../helpers/serviceProcess';

describe('main: fatal errors', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'main-fatal-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it.each([
    ['unhandled rejection', 'void Promise.reject(new Error("boom-rejection"))', 'boom-rejection'],
    ['uncaught exception', 'setImmediate(() => { throw new Error("boom-exception"); })', 'boom-exception'],
  ])('%s: logs fatal, stops the app, exits 1', async (msg, trigger, text) => {
    // A preload that causes the failure on SIGUSR2, once the service is up.
    const preload = path.join(work, 'trigger.js');
    writeFileSync(preload, `process.once('SIGUSR2', () => { ${trigger}; });\n`);
    const logFile = path.join(work, 'service.log');
    const svc = await startServiceProcess({
      configFile: DEMO_CONFIG_PATH,
      dataDir: path.join(work, 'data'),
      logFile,
      env: { NODE_OPTIONS: `--require ${preload}`, MQTT_URL: '', MQTT_PORT: '0', INFLUX_URL: '' },
    });
    const code = await svc.kill('SIGUSR2');
    expect(code).toBe(1);
    const lines = svc
      .logText()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string; err?: { message?: string } });
    const fatalAt = lines.findIndex((l) => l.level === 60 && l.msg === msg);
    expect(fatalAt).toBeGreaterThanOrEqual(0);
    expect(lines[fatalAt]!.err?.message).toBe(text);
    expect(lines.slice(fatalAt).some((l) => l.msg === 'stopping')).toBe(true);
  });
});
