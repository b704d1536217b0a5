/**
 * Alert email (contract 7): mails to the matching recipients when an alarm is raised, escalated
 * or cleared; repeats are not re-sent; a burst is grouped into one digest. The alarm manager calls
 * notify() inline, so it only routes and queues: rendering and SMTP happen later, in the background.
 */
import nodemailer from 'nodemailer';
import { redactUrl } from '../../services/core/security';
import type { Transporter } from 'nodemailer';
import type { Config } from '../../config/schema';
import type { AlarmTransition } from '../../services/energy/alarm';
import type { Logger } from '../../services/core/log';
import { errorMessage } from '../../services/core/errors';
import { DeliveryQueue, scrubSecrets } from '../../services/delivery/deliveryQueue';
import { isRetryableSmtpError } from '../../services/delivery/smtp';
import type { DeliveryLog } from '../../services/store/state/deliveryLog';
import { renderDigest, renderTransition, type Language, type RenderedMail, type TemplateContext } from './mailTemplates';

export type Recipient = Config['notify']['recipients'][number];

export interface MailNotifierOptions {
  /** smtp://, smtps://, with credentials if the relay needs them (never logged). */
  readonly smtpUrl: string;
  /** `节能监测 <energy-monitor@example.org>` */
  readonly from: string;
  readonly language: Language;
  readonly recipients: readonly Recipient[];
  readonly dashboardUrl: string;
  /** Site time zone (config `timezone`). */
  readonly zone: string;
  /** How long transitions are collected per recipient before they are sent (default 30 s). */
  readonly digestWindowMs?: number;
  /** From this many transitions in one window a recipient gets one digest (default 3). */
  readonly digestThreshold?: number;
  /** Default 6. */
  readonly maxAttempts?: number;
  /** Default 5 s, doubled per attempt with jitter. */
  readonly retryBaseMs?: number;
  /** Default 10 min. */
  readonly retryMaxMs?: number;
  /** SMTP connection, greeting and socket timeouts (default 30 s). */
  readonly smtpTimeoutMs?: number;
  /** How long stop() waits for pending mails (default 10 s). */
  readonly stopTimeoutMs?: number;
}

export interface NotifierDeps {
  readonly logger: Logger;
  readonly enterpriseName: (id: string) => string;
  readonly deliveries: DeliveryLog;
  readonly now?: () => number;
  /** For the backoff jitter; tests may fix it. */
  readonly random?: () => number;
}

/** The routing rule of `notify.recipients`: severities (if set) and enterprise (if set) must match. */
export function recipientWants(r: Recipient, t: AlarmTransition): boolean {
  // A `cleared` transition carries the alarm as it was, so its severity is the one it had.
  if (r.severities && !r.severities.includes(t.alarm.severity)) return false;
  return r.enterprise === undefined || r.enterprise === t.alarm.enterprise;
}

interface PendingGroup {
  readonly email: string;
  readonly language: Language;
  readonly items: AlarmTransition[];
  readonly keys: string[];
  readonly timer: NodeJS.Timeout;
}

/** Second guard against repeats (the alarm manager is the first); bounded so it cannot grow forever. */
const MAX_REMEMBERED = 50_000;

export class MailNotifier {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly queue: DeliveryQueue;
  private readonly pending = new Map<string, PendingGroup>();
  private readonly remembered = new Set<string>();
  private readonly target: string;
  private transport: Transporter | undefined;
  private stopped = false;

  constructor(
    private readonly options: MailNotifierOptions,
    private readonly deps: NotifierDeps,
  ) {
    this.target = redactUrl(options.smtpUrl);
    this.log = deps.logger.child({ component: 'mail-notifier', smtp: this.target });
    this.now = deps.now ?? Date.now;
    this.queue = new DeliveryQueue(
      {
        maxAttempts: options.maxAttempts ?? 6,
        retryBaseMs: options.retryBaseMs ?? 5000,
        retryMaxMs: options.retryMaxMs ?? 600_000,
      },
      {
        logger: this.log,
        deliveries: deps.deliveries,
        now: this.now,
        random: deps.random ?? Math.random,
        isRetryable: isRetryableSmtpError,
        scrub: (m) => scrubSecrets(m, options.smtpUrl),
      },
    );
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.queue.reopen();
    this.transportOrCreate();
    this.log.info({ recipients: this.options.recipients.length }, 'mail notifier started');
  }

  /** Sends what is collected now, then waits for the queue up to stopTimeoutMs. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const email of [...this.pending.keys()]) this.flush(email);
    await this.queue.drain(this.options.stopTimeoutMs ?? 10_000);
    this.transport?.close();
    this.transport = undefined;
  }

  /** Never throws, never waits: routing and queueing only (the alarm manager calls this inline). */
  notify(transitions: readonly AlarmTransition[]): void {
    try {
      if (this.stopped) {
        this.log.warn({ alarmIds: transitions.map((t) => t.alarm.id) }, 'mail notifier stopped; transitions not mailed');
        return;
      }
      for (const t of transitions) this.route(t);
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'could not queue alert mails');
    }
  }

  private route(t: AlarmTransition): void {
    const taken = new Set<string>();
    for (const r of this.options.recipients) {
      const email = r.email.toLowerCase();
      // The same address may be listed twice (once per enterprise, once per severity): one mail.
      if (taken.has(email) || !recipientWants(r, t)) continue;
      taken.add(email);
      const key = `${email}|${t.alarm.id}|${t.kind}|${t.alarm.severity}`;
      if (this.remembered.has(key)) {
        this.log.debug({ alarmId: t.alarm.id, kind: t.kind, to: r.email }, 'repeat transition not mailed again');
        continue;
      }
      this.remember(key);
      const group = this.groupFor(r, email);
      group.items.push(t);
      group.keys.push(key);
    }
  }

  private groupFor(r: Recipient, email: string): PendingGroup {
    const existing = this.pending.get(email);
    if (existing) return existing;
    const timer = setTimeout(() => this.flush(email), this.options.digestWindowMs ?? 30_000);
    timer.unref();
    const group: PendingGroup = { email: r.email, language: r.language ?? this.options.language, items: [], keys: [], timer };
    this.pending.set(email, group);
    return group;
  }

  private remember(key: string): void {
    this.remembered.add(key);
    if (this.remembered.size > MAX_REMEMBERED) this.remembered.delete(this.remembered.values().next().value!);
  }

  /** End of a recipient's window: one digest from digestThreshold transitions on, else one mail each. */
  private flush(emailKey: string): void {
    const group = this.pending.get(emailKey);
    if (!group) return;
    this.pending.delete(emailKey);
    clearTimeout(group.timer);
    try {
      const ctx: TemplateContext = {
        language: group.language,
        zone: this.options.zone,
        dashboardUrl: this.options.dashboardUrl,
        enterpriseName: this.deps.enterpriseName,
      };
      if (group.items.length >= (this.options.digestThreshold ?? 3)) {
        this.enqueue(group.email, renderDigest(group.items, ctx), group.items, group.keys);
      } else {
        group.items.forEach((t, i) => this.enqueue(group.email, renderTransition(t, ctx), [t], [group.keys[i]!]));
      }
    } catch (err) {
      this.log.error({ err: errorMessage(err), to: group.email }, 'could not render alert mail');
      for (const k of group.keys) this.remembered.delete(k);
    }
  }

  private enqueue(to: string, mail: RenderedMail, items: readonly AlarmTransition[], keys: readonly string[]): void {
    const alarmIds = [...new Set(items.map((t) => t.alarm.id))];
    this.queue.enqueue({
      channel: 'email',
      target: to,
      subject: mail.subject,
      alarmIds,
      send: async () => {
        await this.transportOrCreate().sendMail({
          from: this.options.from,
          to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          // RFC 3834: tells out-of-office responders not to answer an automatic alert.
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Energy-Alarm-Ids': alarmIds.join(',') },
        });
      },
      // Never delivered: a later identical transition (e.g. after an operator fixed SMTP) may go out.
      onGiveUp: () => {
        for (const k of keys) this.remembered.delete(k);
      },
    });
  }

  private transportOrCreate(): Transporter {
    if (!this.transport) {
      const timeout = this.options.smtpTimeoutMs ?? 30_000;
      this.transport = nodemailer.createTransport({
        url: this.options.smtpUrl,
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
      });
    }
    return this.transport;
  }
}
