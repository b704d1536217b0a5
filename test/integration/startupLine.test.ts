/**
 * services/main.ts as a person starts it: once up, one human line (two in a demo run) on stdout
 * besides the JSON logs; a port that is taken ends with one line naming the variable to set and
 * exit code 2, never a raw EADDRINUSE stack.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DEMO_CONFIG_PATH } from '../../config/load';
import { PROJECT_ROOT } from '../../config/paths';
import { freePort } from '../helpers/mosquitto';
import { startServiceProcess } from '../helpers/serviceProcess';

/** The lines a person reads: everything on the console that is not a JSON log line. */
const humanLines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'));

/** Runs main.ts until it exits by itself; its exit code, stdout and stderr. */
function runToExit(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(PROJECT_ROOT, 'services', 'main.ts')], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, SIMULATOR: 'off', LOG_LEVEL: 'info', SMTP_URL: '', MQTT_URL: '', INFLUX_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`main did not exit:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Holds a port on loopback, as another program would. */
async function occupy(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('main: the start-up line and port clashes', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'startup-line-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('a demo run prints the dashboard, the broker, mail off and the demo tokens', async () => {
    const httpPort = await freePort();
    const mqttPort = await freePort();
    const svc = await startServiceProcess({
      configFile: DEMO_CONFIG_PATH,
      dataDir: path.join(work, 'data'),
      logFile: path.join(work, 'service.log'),
      httpPort,
      env: { MQTT_URL: '', MQTT_PORT: String(mqttPort), INFLUX_URL: '', SMTP_URL: '', PUBLIC_URL: '' },
    });
    // The line follows the last component (HTTP) by a moment: /healthz may answer before it is written.
    for (let i = 0; i < 50 && humanLines(svc.logText()).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    await svc.kill('SIGTERM');
    expect(humanLines(svc.logText())).toEqual([
      `节能监测已启动 / energy monitor running: 看板 dashboard http://127.0.0.1:${httpPort}/ · MQTT mqtt://127.0.0.1:${mqttPort} · 邮件关闭 mail off (SMTP_URL not set)`,
      '演示令牌（仅演示）/ demo tokens (demo only): admin=demo-admin, officer=demo-officer, auditor=demo-auditor, alu01=demo-alu01',
    ]);
  });

  it('a configuration that is not the demo prints no token, and mail on with the host only', async () => {
    // The demo's file under another name: the same tokens, but not a demo run, so none is printed.
    const configFile = path.join(work, 'plant.yaml');
    copyFileSync(DEMO_CONFIG_PATH, configFile);
    const httpPort = await freePort();
    const svc = await startServiceProcess({
      configFile,
      dataDir: path.join(work, 'data'),
      logFile: path.join(work, 'service.log'),
      httpPort,
      env: { MQTT_URL: '', MQTT_PORT: '0', INFLUX_URL: '', SMTP_URL: 'smtp://mailer:s3cret-pw@mail.example.test:2525', PUBLIC_URL: '' },
    });
    for (let i = 0; i < 50 && humanLines(svc.logText()).length < 1; i++) await new Promise((r) => setTimeout(r, 100));
    await svc.kill('SIGTERM');
    const lines = humanLines(svc.logText());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^节能监测已启动 / energy monitor running: 看板 dashboard http://127\\.0\\.0\\.1:${httpPort}/ · MQTT mqtt://127\\.0\\.0\\.1:\\d+ · 邮件开启 mail on \\(mail\\.example\\.test:2525\\)$`,
      ),
    );
    expect(svc.logText()).not.toMatch(/demo-(admin|officer|auditor|alu01)|s3cret-pw/);
  });

  it.each([
    ['HTTP_PORT', 'HTTP'],
    ['MQTT_PORT', 'MQTT (embedded broker)'],
  ])('a taken %s ends with one line naming it and exit 2', async (variable, what) => {
    const taken = await occupy();
    try {
      const other = String(await freePort());
      const ports =
        variable === 'HTTP_PORT' ? { HTTP_PORT: String(taken.port), MQTT_PORT: other } : { HTTP_PORT: other, MQTT_PORT: String(taken.port) };
      const run = await runToExit({ ENERGY_CONFIG: DEMO_CONFIG_PATH, DATA_DIR: path.join(work, 'data'), ...ports });
      expect(run.code).toBe(2);
      expect(humanLines(run.stderr)).toEqual([
        `端口 ${taken.port} 已被占用（${what}，127.0.0.1）：请设置 ${variable} 为空闲端口 / port ${taken.port} on 127.0.0.1 is already in use (${what}): set ${variable} to a free port`,
      ]);
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/EADDRINUSE|^\s+at /m);
      expect(humanLines(run.stdout)).toEqual([]);
    } finally {
      await taken.close();
    }
  });
});
