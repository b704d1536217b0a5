/**
 * Alarm transitions to `notify.webhooks` (contract 3; the chat-robot side of contract 7): generic
 * JSON `{kind, alarm, at}` for other systems, and markdown messages for WeCom (企业微信) and
 * DingTalk (钉钉) group robots. Like the mail notifier, notify() only queues; POSTs, retries with
 * backoff and the delivery log run in the background.
 */
import type { Config } from '../../config/schema';
import { redactUrl } from '../../services/core/security';
import type { AlarmTransition, Severity } from '../../services/energy/alarm';
import { AppError, errorMessage } from '../../services/core/errors';
import type { Logger } from '../../services/core/log';
import { DeliveryQueue, scrubSecrets } from '../../services/delivery/deliveryQueue';
import type { NotifierDeps } from './mailNotifier';
import {
  alarmsUrl,
  enterpriseNames,
  highestSeverity,
  nameOf,
  transitionFields,
  transitionRow,
  transitionSubject,
  words,
  type Language,
  type TemplateContext,
} from './mailTemplates';

export type Webhook = Config['notify']['webhooks'][number];

export interface WebhookNotifierOptions {
  readonly webhooks: readonly Webhook[];
  readonly language: Language;
  readonly zone: string;
  readonly dashboardUrl?: string;
  /** Per request, connection to the end of the response body (default 10 s). */
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly stopTimeoutMs?: number;
}

export interface WebhookNotifierDeps extends NotifierDeps {
  readonly fetch?: typeof fetch;
}

export interface WebhookMessage {
  readonly subject: string;
  readonly alarmIds: number[];
  /** The transitions this message reports. */
  readonly transitions: readonly AlarmTransition[];
  readonly body: unknown;
}

/** Rows listed in one robot message; WeCom caps markdown at 4096 bytes. */
const MAX_ROBOT_ROWS = 10;

/**
 * Robot markdown renders `[..](..)`, `*`, `<font>` and headings; names are user data, so those
 * characters become their full-width forms rather than markup.
 */
export function markdownSafe(s: string): string {
  return s.replace(/[[\]*_`<>#]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
}

/** WeCom markdown knows three colours: warning (orange-red), info (green), comment (grey). */
function wecomColour(severity: Severity, cleared: boolean): string {
  return cleared ? 'info' : severity === 'info' ? 'comment' : 'warning';
}

interface RobotLines {
  readonly title: string;
  readonly rows: string[];
  readonly links: { readonly text: string; readonly href: string }[];
}

/** One transition: its fields as in the mail; several: one row each, as in a digest. */
function robotLines(transitions: readonly AlarmTransition[], ctx: TemplateContext): RobotLines {
  const w = words(ctx.language);
  if (transitions.length === 1) {
    const fields = transitionFields(transitions[0]!, ctx);
    return {
      title: transitionSubject(transitions[0]!, ctx),
      rows: fields.filter(([, , href]) => !href).map(([label, value]) => `> ${label}${w.colon}${markdownSafe(value)}`),
      links: fields.flatMap(([label, , href]) => (href ? [{ text: label, href }] : [])),
    };
  }
  const title = `[${w.severity[highestSeverity(transitions)]}] ${w.digestSubject(transitions.length, enterpriseNames(transitions, ctx))}`;
  const rows = transitions.slice(0, MAX_ROBOT_ROWS).map((t) => `> ${transitionRow(t, ctx)}`);
  const more = transitions.length - MAX_ROBOT_ROWS;
  if (more > 0) rows.push(ctx.language === 'en' ? `> … and ${more} more` : `> …… 及其他 ${more} 条`);
  const href = alarmsUrl(ctx.dashboardUrl);
  return { title, rows, links: href ? [{ text: w.labels.alarmsLink, href }] : [] };
}

/** The messages one batch of transitions makes for one webhook (pure; exported for tests). */
export function webhookMessages(hook: Webhook, transitions: readonly AlarmTransition[], ctx: TemplateContext): WebhookMessage[] {
  const wanted = transitions.filter((t) => !hook.severities || hook.severities.includes(t.alarm.severity));
  if (wanted.length === 0) return [];
  if (hook.format === 'json') {
    // One POST per transition, the alarm as the API shows it (contract 5), plus the name for display.
    return wanted.map((t) => ({
      subject: transitionSubject(t, ctx),
      alarmIds: [t.alarm.id],
      transitions: [t],
      body: {
        kind: t.kind,
        alarm: t.alarm,
        at: t.at,
        ...(t.previousSeverity && { previousSeverity: t.previousSeverity }),
        enterpriseName: nameOf(t.alarm.enterprise, ctx.enterpriseName),
      },
    }));
  }
  // Robots limit messages per minute (WeCom 20/min), so a batch becomes one message.
  const mdCtx: TemplateContext = { ...ctx, enterpriseName: (id) => markdownSafe(nameOf(id, ctx.enterpriseName)) };
  const { title, rows, links } = robotLines(wanted, mdCtx);
  const linkLines = links.map((l) => `[${l.text}](${l.href})`);
  const alarmIds = [...new Set(wanted.map((t) => t.alarm.id))];
  if (hook.format === 'wecom') {
    const colour = wecomColour(
      highestSeverity(wanted),
      wanted.every((t) => t.kind === 'cleared'),
    );
    const content = [`**<font color="${colour}">${title}</font>**`, ...rows, ...linkLines].join('\n');
    return [{ subject: title, alarmIds, transitions: wanted, body: { msgtype: 'markdown', markdown: { content } } }];
  }
  // DingTalk needs blank lines between paragraphs; `title` is what the notification banner shows.
  const text = [`#### ${title}`, '', ...rows.flatMap((r) => [r, '']), ...linkLines.flatMap((l) => [l, ''])].join('\n').trimEnd();
  return [{ subject: title, alarmIds, transitions: wanted, body: { msgtype: 'markdown', markdown: { title, text } } }];
}

/** WeCom 45009 and DingTalk 130101 are rate limits, -1 is "system busy": worth retrying. */
const RETRYABLE_ROBOT_CODES = new Set([-1, 45009, 130101]);

class WebhookError extends AppError {
  constructor(message: string, retryable: boolean, context: Record<string, unknown> = {}) {
    super('webhook-failed', message, { retryable, context });
  }
}

/** Robots answer HTTP 200 with `{"errcode": n, "errmsg": ...}`; a non-zero code is a failure. */
function robotError(text: string): WebhookError | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { errcode, errmsg } = (parsed ?? {}) as { errcode?: unknown; errmsg?: unknown };
  if (typeof errcode !== 'number' || errcode === 0) return undefined;
  return new WebhookError(`robot answered errcode ${errcode}: ${String(errmsg ?? '')}`.slice(0, 300), RETRYABLE_ROBOT_CODES.has(errcode), {
    errcode,
  });
}

const MAX_REMEMBERED = 50_000;

export class WebhookNotifier {
  private readonly log: Logger;
  private readonly queues = new Map<string, DeliveryQueue>();
  private readonly remembered = new Set<string>();
  private readonly fetchImpl: typeof fetch;
  private stopped = false;

  constructor(
    private readonly options: WebhookNotifierOptions,
    private readonly deps: WebhookNotifierDeps,
  ) {
    this.log = deps.logger.child({ component: 'webhook-notifier' });
    this.fetchImpl = deps.fetch ?? fetch;
    // One queue per URL, so that each scrubs its own secrets from errors.
    for (const hook of options.webhooks) {
      if (this.queues.has(hook.url)) continue;
      this.queues.set(
        hook.url,
        new DeliveryQueue(
          {
            maxAttempts: options.maxAttempts ?? 6,
            retryBaseMs: options.retryBaseMs ?? 5000,
            retryMaxMs: options.retryMaxMs ?? 600_000,
            concurrency: 2,
          },
          {
            logger: this.log,
            deliveries: deps.deliveries,
            now: deps.now ?? Date.now,
            random: deps.random ?? Math.random,
            isRetryable: (err) => !(err instanceof AppError) || err.retryable,
            scrub: (m) => scrubSecrets(m, hook.url),
          },
        ),
      );
    }
  }

  async start(): Promise<void> {
    this.stopped = false;
    for (const q of this.queues.values()) q.reopen();
    this.log.info({ webhooks: this.options.webhooks.map((h) => ({ url: redactUrl(h.url), format: h.format })) }, 'webhook notifier started');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.queues.values()].map((q) => q.drain(this.options.stopTimeoutMs ?? 10_000)));
  }

  /** Never throws, never waits (the alarm manager calls this inline). */
  notify(transitions: readonly AlarmTransition[]): void {
    try {
      if (this.stopped || this.options.webhooks.length === 0) return;
      const ctx: TemplateContext = {
        language: this.options.language,
        zone: this.options.zone,
        enterpriseName: this.deps.enterpriseName,
        ...(this.options.dashboardUrl !== undefined && { dashboardUrl: this.options.dashboardUrl }),
      };
      for (const hook of this.options.webhooks) {
        // Second guard against repeats, per URL (the alarm manager is the first).
        const seen = new Set<string>();
        const fresh = transitions.filter((t) => {
          const k = this.key(hook, t);
          if (this.remembered.has(k) || seen.has(k)) return false;
          seen.add(k);
          return true;
        });
        for (const message of webhookMessages(hook, fresh, ctx)) this.enqueue(hook, message);
      }
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'could not queue webhook notifications');
    }
  }

  private key(hook: Webhook, t: AlarmTransition): string {
    return `${hook.url}|${t.alarm.id}|${t.kind}|${t.alarm.severity}`;
  }

  private enqueue(hook: Webhook, message: WebhookMessage): void {
    const keys = message.transitions.map((t) => this.key(hook, t));
    for (const k of keys) {
      this.remembered.add(k);
      if (this.remembered.size > MAX_REMEMBERED) this.remembered.delete(this.remembered.values().next().value!);
    }
    this.queues.get(hook.url)!.enqueue({
      channel: 'webhook',
      target: redactUrl(hook.url),
      subject: message.subject,
      alarmIds: message.alarmIds,
      send: () => this.post(hook, message.body),
      onGiveUp: () => {
        for (const k of keys) this.remembered.delete(k);
      },
    });
  }

  private async post(hook: Webhook, body: unknown): Promise<void> {
    const res = await this.fetchImpl(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
      // A redirect would re-send the alarm somewhere the operator did not configure.
      redirect: 'error',
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    if (!res.ok) {
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
      throw new WebhookError(`HTTP ${res.status}: ${text.slice(0, 200)}`, retryable, { status: res.status });
    }
    if (hook.format !== 'json') {
      const err = robotError(text);
      if (err) throw err;
    }
  }
}
