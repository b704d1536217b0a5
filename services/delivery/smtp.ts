/** What the mail senders (alert mail, report mail) share about SMTP. */

/** SMTP replies 4xx and connection trouble are temporary (RFC 5321 4.2.1); a 5xx reply is permanent. */
export function isRetryableSmtpError(err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return !(typeof code === 'number' && code >= 500 && code < 600);
}
