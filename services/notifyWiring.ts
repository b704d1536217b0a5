/**
 * Composition of the alarm notifiers (contract 7): mail when an SMTP server is configured,
 * webhooks (generic JSON, WeCom, DingTalk) when listed.
 */
import type { Config } from '../config/schema';
import { MailNotifier } from '../alerts/notify/mailNotifier';
import { WebhookNotifier } from '../alerts/notify/webhookNotifier';
import type { Logger } from './core/log';
import type { DeliveryLog } from './store/state/deliveryLog';

export interface NotifyWiring {
  readonly config: Config;
  readonly smtpUrl: string | undefined;
  /** The service's public address, for dashboard links when `notify.dashboardUrl` is not set. */
  readonly publicUrl: string;
  readonly deliveries: DeliveryLog;
  readonly logger: Logger;
  readonly now: () => number;
}

export function composeNotifiers(w: NotifyWiring): { mail: MailNotifier | undefined; hooks: WebhookNotifier | undefined } {
  const { config, deliveries, now } = w;
  const n = config.notify;
  const names = new Map(config.enterprises.map((e) => [e.id, e.name]));
  const notifyDeps = { logger: w.logger.child({ component: 'notify' }), enterpriseName: (id: string) => names.get(id) ?? id, deliveries, now };
  const dashboardUrl = n.dashboardUrl ?? w.publicUrl;
  const mail = w.smtpUrl
    ? new MailNotifier(
        {
          smtpUrl: w.smtpUrl,
          from: n.from,
          language: n.language,
          recipients: n.recipients,
          dashboardUrl,
          zone: config.timezone,
          digestWindowMs: n.digestWindowSeconds * 1000,
          digestThreshold: n.digestThreshold,
        },
        notifyDeps,
      )
    : undefined;
  const hooks =
    n.webhooks.length > 0
      ? new WebhookNotifier({ webhooks: n.webhooks, language: n.language, zone: config.timezone, dashboardUrl }, notifyDeps)
      : undefined;
  return { mail, hooks };
}
