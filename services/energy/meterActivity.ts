/**
 * When a meter is expected to report (contract 8.1): a decommissioned meter is not, from its
 * decommission instant on, so completeness and silence stop there. Pure.
 */

/** What this needs of a meter's timeline (MeterTimeline, services/energy/meterTimeline.ts). */
export interface ActivityTimeline {
  readonly decommissionedAt: number | undefined;
}

/**
 * The part of [from, to) in which the meter is in service: [from, min(to, decommissionedAt)), or
 * undefined when none is left (decommissioned at or before `from`, or an empty period). Use its
 * length as the period of completeness (contract 4): a meter decommissioned mid-month that
 * reported every interval until then is complete, not short by the rest of the month.
 */
export function activeWindow(timeline: ActivityTimeline, from: number, to: number): { from: number; to: number } | undefined {
  const end = timeline.decommissionedAt === undefined ? to : Math.min(to, timeline.decommissionedAt);
  return end > from ? { from, to: end } : undefined;
}

/** The meter is out of service at `at` (decommissioned at or before it): no silence alarm, no calibration alarm. */
export function isDecommissioned(timeline: ActivityTimeline, at: number): boolean {
  return timeline.decommissionedAt !== undefined && timeline.decommissionedAt <= at;
}
