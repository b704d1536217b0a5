/**
 * A page that follows the live readings by fetching its figures again (the meter and industry pages,
 * issue 21). Readings arrive in bursts (a gateway sends its meters together, several gateways report
 * on the quarter hour), so one burst makes one request: the update waits QUIET_MS after the first
 * matching reading and never starts sooner than MIN_GAP_MS after the previous one, nor while one is
 * still running. While the reader types or picks in a field the update waits, so that nothing moves
 * under the cursor; it runs once the field is left.
 */
import type { PageContext } from './context';
import type { LiveReading } from './types';

export const QUIET_MS = 1000;
export const MIN_GAP_MS = 5000;
const RETRY_MS = 1000;

/** Focus in a text field, a select or an editable element: the reader is typing or choosing. */
export function readerIsTyping(): boolean {
  const el = document.activeElement;
  return !!el && el.matches('input, textarea, select, [contenteditable="true"]');
}

export function followReadings(ctx: PageContext, wanted: (r: LiveReading) => boolean, update: () => Promise<void>): void {
  let timer: number | undefined;
  let running = false;
  let again = false;
  let lastStart = 0;
  let left = false;
  const arm = (ms: number) => {
    if (timer === undefined && !left) timer = window.setTimeout(fire, ms);
  };
  const fire = () => {
    timer = undefined;
    if (readerIsTyping()) return arm(RETRY_MS);
    const wait = lastStart + MIN_GAP_MS - performance.now();
    if (wait > 0) return arm(wait);
    running = true;
    lastStart = performance.now();
    // A failed update keeps the page as it was; the header's live dot shows a lost connection.
    update()
      .catch(() => undefined)
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          arm(QUIET_MS);
        }
      });
  };
  ctx.onLeave(
    ctx.live.on('readings', (readings) => {
      if (!readings.some((r) => r.quality !== 'bad' && wanted(r))) return;
      if (running) again = true;
      else arm(QUIET_MS);
    }),
  );
  ctx.onLeave(() => {
    left = true;
    window.clearTimeout(timer);
  });
}
