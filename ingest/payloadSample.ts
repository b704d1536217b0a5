/**
 * What the quarantine keeps of a payload it cannot keep whole (over ingest.maxPayloadBytes, or refused
 * by the broker and never replayable): the first characters, marked as cut. One rule for every place
 * that samples, so the quarantine reads the same whichever refused the message.
 */

/** Characters kept. */
export const PAYLOAD_SAMPLE_CHARS = 1024;

/** A payload as the quarantine keeps it when it cannot be kept whole: the first characters, marked. */
export function payloadSample(payload: Buffer | string, maxChars = PAYLOAD_SAMPLE_CHARS): string {
  const text = typeof payload === 'string' ? payload : payload.subarray(0, maxChars * 4).toString('utf8');
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}
