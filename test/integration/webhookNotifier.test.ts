/**
 * The webhook notifier against a local HTTP server: the three formats (generic JSON, WeCom and
 * DingTalk robots), the severities filter, retries with backoff, robot error codes, timeouts.
 */
import http from 'node:http';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { AlarmTransition } from '../../services/energy/alarm';
import { MemoryDeliveryLog } from '../../services/store/state/deliveryLog';
import { WebhookNotifier, type Webhook, type WebhookNotifierOptions } from '../../alerts/notify/webhookNotifier';
import { silentLogger, type Logger } from '../../services/core/log';
import { transitionFactory, TRANSITION_AT, waitFor } from '../helpers/alarms';

interface Captured {
  readonly path: string;
  readonly body: unknown;
  readonly contentType: string | undefined;
}
/** What the server answers to the next requests; the last entry repeats; `hang` never answers. */
type Reply = { status: number; body: string } | 'hang';

interface HttpHarness {
  readonly base: string;
  readonly requests: Captured[];
  replies: Reply[];
  close(): Promise<void>;
}

const OK = { status: 200, body: '{"errcode":0,"errmsg":"ok"}' };

async function startHttp(replies: Reply[] = [OK]): Promise<HttpHarness> {
  const harness = { requests: [] as Captured[], replies };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      harness.requests.push({
        path: req.url ?? '',
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        contentType: req.headers['content-type'],
      });
      const reply = harness.replies.length > 1 ? harness.replies.shift()! : harness.replies[0]!;
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return Object.assign(harness, {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

const NAMES: Record<string, string> = { alu01: '重庆示例铝业有限公司', steel01: '渝北特钢[测试](http://x)有限公司' };
const AT = TRANSITION_AT;

const transition = transitionFactory(100);

describe('WebhookNotifier with a local HTTP server', () => {
  let server: HttpHarness;
  let deliveries: MemoryDeliveryLog;
  let notifier: WebhookNotifier | undefined;

  beforeEach(() => {
    deliveries = new MemoryDeliveryLog();
  });

  afterEach(async () => {
    await notifier?.stop();
    notifier = undefined;
    await server.close();
  });

  function make(webhooks: Webhook[], over: Partial<WebhookNotifierOptions> = {}, logger: Logger = silentLogger()): WebhookNotifier {
    notifier = new WebhookNotifier(
      {
        webhooks,
        language: 'zh-CN',
        zone: 'Asia/Shanghai',
        dashboardUrl: 'https://energy.example.org',
        retryBaseMs: 20,
        retryMaxMs: 80,
        maxAttempts: 4,
        ...over,
      },
      { logger, enterpriseName: (id) => NAMES[id] ?? id, deliveries, random: () => 0.5 },
    );
    return notifier;
  }

  it('posts generic JSON, WeCom and DingTalk markdown, each filtered by severity', async () => {
    server = await startHttp();
    const n = make([
      { url: `${server.base}/json`, format: 'json', severities: ['critical'] },
      { url: `${server.base}/wecom?key=wecom-secret-key`, format: 'wecom' },
      { url: `${server.base}/ding?access_token=ding-secret-token`, format: 'dingtalk', severities: ['critical'] },
    ]);
    await n.start();
    const raise = transition();
    n.notify([raise]);
    await waitFor('three posts', () => server.requests.length === 3);
    const warning = transition({
      enterprise: 'steel01',
      type: 'silence',
      meter: 'gas',
      severity: 'warning',
      value: null,
      threshold: null,
      unit: null,
    });
    n.notify([warning, transition({ severity: 'info', type: 'intensity', value: 1.7, threshold: 1.8, unit: 'tce/10^4 yuan' }, 'cleared')]);
    n.notify([raise]); // a repeat: not posted again
    await n.stop();

    const at = (path: string): unknown[] => server.requests.filter((r) => r.path.startsWith(path)).map((r) => r.body);
    expect(server.requests.every((r) => r.contentType === 'application/json; charset=utf-8')).toBe(true);
    expect(at('/json')).toEqual([{ kind: 'raised', alarm: JSON.parse(JSON.stringify(raise.alarm)), at: AT, enterpriseName: '重庆示例铝业有限公司' }]);
    expect(at('/ding')).toEqual([
      {
        msgtype: 'markdown',
        markdown: {
          title: '[严重] 重庆示例铝业有限公司 能耗总量告警',
          text: [
            '#### [严重] 重庆示例铝业有限公司 能耗总量告警',
            '',
            '> 级别：严重',
            '',
            '> 当前值：52,340.5 tce',
            '',
            '> 阈值：52,000 tce',
            '',
            '> 统计期：2026-01-01 00:00 至 2026-11-28 08:00（Asia/Shanghai）',
            '',
            '> 告警时间：2026-11-28 08:00:00（Asia/Shanghai）',
            '',
            '[企业详情](https://energy.example.org/enterprises/alu01)',
            '',
            '[告警列表](https://energy.example.org/alarms)',
          ].join('\n'),
        },
      },
    ]);
    const wecom = at('/wecom');
    expect(wecom[0]).toEqual({
      msgtype: 'markdown',
      markdown: {
        content: [
          '**<font color="warning">[严重] 重庆示例铝业有限公司 能耗总量告警</font>**',
          '> 级别：严重',
          '> 当前值：52,340.5 tce',
          '> 阈值：52,000 tce',
          '> 统计期：2026-01-01 00:00 至 2026-11-28 08:00（Asia/Shanghai）',
          '> 告警时间：2026-11-28 08:00:00（Asia/Shanghai）',
          '[企业详情](https://energy.example.org/enterprises/alu01)',
          '[告警列表](https://energy.example.org/alarms)',
        ].join('\n'),
      },
    });
    // The batch of two becomes one robot message; markdown in the enterprise name is neutralised.
    expect(wecom[1]).toEqual({
      msgtype: 'markdown',
      markdown: {
        content: [
          '**<font color="warning">[警告] 能耗告警汇总：2 条（渝北特钢［测试］(http://x)有限公司、重庆示例铝业有限公司）</font>**',
          '> [警告] 告警 | 渝北特钢［测试］(http://x)有限公司 gas | 数据中断 — | 2026-11-28 08:00:00',
          '> [提示] 解除 | 重庆示例铝业有限公司 | 能耗强度 1.7 tce/10^4 yuan（阈值 1.8 tce/10^4 yuan） | 2026-11-28 08:00:00',
          '[告警列表](https://energy.example.org/alarms)',
        ].join('\n'),
      },
    });
    expect(wecom).toHaveLength(2);
    const sent = await deliveries.list({ status: 'sent' });
    expect(sent).toHaveLength(4);
    expect(sent.map((d) => d.target).sort()).toEqual([
      `${server.base}/ding?access_token=***`,
      `${server.base}/json`,
      `${server.base}/wecom?key=***`,
      `${server.base}/wecom?key=***`,
    ]);
  });

  it('retries 5xx answers and robot rate limits with backoff, then delivers', async () => {
    server = await startHttp([{ status: 503, body: 'busy' }, { status: 200, body: '{"errcode":45009,"errmsg":"api freq out of limit"}' }, OK]);
    const n = make([{ url: `${server.base}/wecom?key=k-123456`, format: 'wecom' }]);
    await n.start();
    n.notify([transition()]);
    await waitFor('delivery', async () => (await deliveries.list({ status: 'sent' })).length === 1);
    const log = (await deliveries.list()).reverse();
    expect(log.map((d) => [d.status, d.attempts])).toEqual([
      ['retrying', 1],
      ['retrying', 2],
      ['sent', 3],
    ]);
    expect(log[0]!.lastError).toBe('HTTP 503: busy');
    expect(log[1]!.lastError).toBe('robot answered errcode 45009: api freq out of limit');
    expect(server.requests).toHaveLength(3);
  });

  it('gives up at once on a permanent robot error, and after maxAttempts on timeouts; notify() never throws; secrets stay out of logs', async () => {
    server = await startHttp([{ status: 200, body: '{"errcode":93000,"errmsg":"invalid webhook url"}' }, 'hang']);
    const lines: string[] = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _e, cb) {
          lines.push(chunk.toString());
          cb();
        },
      }),
    );
    const n = make([{ url: `${server.base}/ding?access_token=tok-secret-999`, format: 'dingtalk' }], { timeoutMs: 50, maxAttempts: 2 }, logger);
    await n.start();
    expect(n.notify([transition()])).toBeUndefined();
    await waitFor('permanent failure', async () => (await deliveries.list({ status: 'failed' })).length === 1);
    expect((await deliveries.list()).map((d) => [d.status, d.attempts])).toEqual([['failed', 1]]);

    expect(() => n.notify(undefined as unknown as AlarmTransition[])).not.toThrow();
    n.notify([transition({ severity: 'warning' })]);
    await waitFor('timeout failure', async () => (await deliveries.list({ status: 'failed' })).length === 2);
    const [last, retry] = await deliveries.list();
    expect([retry!.status, retry!.attempts, last!.status, last!.attempts]).toEqual(['retrying', 1, 'failed', 2]);
    expect(last!.lastError).toMatch(/timeout|abort/i);
    const everything = lines.join('') + JSON.stringify(await deliveries.list());
    expect(everything).not.toContain('tok-secret-999');
    expect(everything).toContain('access_token=***');
  });
});
