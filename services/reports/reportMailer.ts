/**
 * Mails a finalised monthly report (PDF and XLSX attached) to `reports.recipients`, in the
 * background with the notifiers' retry queue: a failing SMTP server is retried with backoff and
 * every attempt is in the delivery log (GET /api/notifications).
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { redactUrl } from '../core/security';
import { DeliveryQueue, scrubSecrets } from '../delivery/deliveryQueue';
import { isRetryableSmtpError } from '../delivery/smtp';
import type { DeliveryLog } from '../store/state/deliveryLog';
import type { Logger } from '../core/log';
import { isDraft, type MonthlyReport } from './reportModel';
import { DRAFT_WORDS, reasonName } from './render/labels';
import type { ReportSink } from './reportService';
import type { RenderReport } from './reportFormats';

/** The mail's text: which revision, final or draft, why it was made (contract 8.4) and what changed. */
export function mailText(report: MonthlyReport, language: 'zh-CN' | 'en'): string {
  const zh = language === 'zh-CN';
  const status = isDraft(report)
    ? `${DRAFT_WORDS}${zh ? `，数据截至 ${report.dataUntil ?? '—'}` : `, data until ${report.dataUntil ?? '—'}`}`
    : zh
      ? '定稿'
      : 'final';
  const reasons = (report.reasons ?? []).map((r) => reasonName(r, language)).join(zh ? '；' : '; ');
  const lines = zh
    ? [
        `${report.month}（${report.timezone}）能耗月报第 ${report.revision} 版（${status}），SHA-256 ${report.sha256}。`,
        reasons && `修订原因：${reasons}`,
      ]
    : [
        `Monthly report ${report.month} (${report.timezone}), revision ${report.revision} (${status}), SHA-256 ${report.sha256}.`,
        reasons && `Revised for: ${reasons}`,
      ];
  return [...lines, report.revisionNote ?? ''].filter((l) => l !== '').join('\n');
}

export class ReportMailer implements ReportSink {
  private transport: Transporter | undefined;
  private readonly queue: DeliveryQueue;

  constructor(
    private readonly options: { smtpUrl: string; from: string; recipients: readonly string[]; language: 'zh-CN' | 'en' },
    private readonly deps: { render: RenderReport; deliveries: DeliveryLog; logger: Logger; now: () => number },
  ) {
    this.queue = new DeliveryQueue(
      { maxAttempts: 6, retryBaseMs: 5000, retryMaxMs: 600_000 },
      {
        logger: deps.logger,
        deliveries: deps.deliveries,
        now: deps.now,
        random: Math.random,
        isRetryable: isRetryableSmtpError,
        scrub: (m) => scrubSecrets(m, options.smtpUrl),
      },
    );
  }

  async start(): Promise<void> {
    this.transport = nodemailer.createTransport(this.options.smtpUrl);
    this.queue.reopen();
  }

  async stop(): Promise<void> {
    await this.queue.drain(10_000);
    this.transport?.close();
    this.transport = undefined;
  }

  finalised(report: MonthlyReport): void {
    if (this.options.recipients.length === 0) return;
    const zh = this.options.language === 'zh-CN';
    const subject = zh
      ? `${report.month} 重点用能单位能耗月报（第 ${report.revision} 版）`
      : `Energy consumption report ${report.month} (revision ${report.revision})`;
    this.queue.enqueue({
      channel: 'email',
      target: this.options.recipients.join(', '),
      subject,
      alarmIds: [],
      send: async () => {
        if (!this.transport) throw new Error('report mailer is not started');
        const [pdf, xlsx] = await Promise.all([
          this.deps.render(report, 'pdf', this.options.language),
          this.deps.render(report, 'xlsx', this.options.language),
        ]);
        const name = `energy-report-${report.month}-r${report.revision}`;
        await this.transport.sendMail({
          from: this.options.from,
          to: [...this.options.recipients],
          subject,
          text: mailText(report, this.options.language),
          attachments: [
            { filename: `${name}.pdf`, content: pdf.body, contentType: pdf.contentType },
            { filename: `${name}.xlsx`, content: xlsx.body, contentType: xlsx.contentType },
          ],
        });
      },
    });
    this.deps.logger.info(
      { month: report.month, revision: report.revision, smtp: redactUrl(this.options.smtpUrl) },
      'monthly report queued for mail',
    );
  }
}
