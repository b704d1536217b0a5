/**
 * The rules lease fences the rule cycle (issue 17): AlarmManager runs the lease's assertHeld()
 * inside the cycle's transaction before any write, so an instance whose lease was taken over (it
 * was paused past the TTL, or cut off from the database) raises, clears and mails nothing, while
 * the new holder's cycle goes through. Held on SQLite and on PostgreSQL, with real leases.
 */
import { AlarmManager, type AlarmSink } from '../../../alerts/alarmManager';
import type { Condition } from '../../../alerts/conditions';
import { silentLogger } from '../../../services/core/log';
import type { AlarmTransition } from '../../../services/energy/alarm';
import { AlarmStore } from '../../../services/store/state/alarmStore';
import { Lease, LeaseLostError } from '../../../services/store/state/lease';
import { describeStateEngines } from '../../helpers/stateDb';

const quota = (severity: 'warning' | 'critical' | null): Condition => ({
  type: 'quota',
  enterprise: 'cem01',
  meter: null,
  severity,
  value: 0.95,
  threshold: 0.9,
  unit: 'share',
  message: 'quota 95 %',
});

describeStateEngines('rules fencing', (engine) => {
  it('a holder that lost the lease writes and notifies nothing; the new holder carries the same alarm on', async () => {
    const dbA = await engine.fresh();
    const dbB = await engine.reopen(dbA);
    // Host A holds the lease with a short TTL and then stalls (no renewal); host B takes over once it lapses.
    const leaseA = new Lease(dbA, { name: 'rules', holder: 'host-a', ttlMs: 300, renewMs: 100 });
    const leaseB = new Lease(dbB, { name: 'rules', holder: 'host-b', ttlMs: 60_000, renewMs: 10_000 });
    const heard: { host: string; t: AlarmTransition }[] = [];
    const sink = (host: string): AlarmSink => ({ notify: (ts) => ts.forEach((t) => heard.push({ host, t })) });
    const managerA = new AlarmManager({
      alarms: new AlarmStore(dbA),
      sinks: [sink('a')],
      logger: silentLogger(),
      fence: (tx) => leaseA.assertHeld(tx),
    });
    const managerB = new AlarmManager({
      alarms: new AlarmStore(dbB),
      sinks: [sink('b')],
      logger: silentLogger(),
      fence: (tx) => leaseB.assertHeld(tx),
    });

    expect(await leaseA.tryAcquire()).toBe(true);
    expect(await leaseB.tryAcquire()).toBe(false);
    // While A holds it, A's cycle goes through and B's is refused.
    expect((await managerA.apply([quota('warning')], 1000)).map((t) => t.kind)).toEqual(['raised']);
    await expect(managerB.apply([quota('critical')], 1500)).rejects.toBeInstanceOf(LeaseLostError);

    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await leaseB.tryAcquire()).toBe(true);
    // A wakes up: its cycle would escalate and then clear; the fence refuses both, nothing changes.
    await expect(managerA.apply([quota('critical')], 2000)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(managerA.apply([quota(null)], 2100)).rejects.toBeInstanceOf(LeaseLostError);
    const alarms = await new AlarmStore(dbB).list({ state: 'all' });
    expect(alarms.map((a) => [a.severity, a.state])).toEqual([['warning', 'active']]);
    // B's cycle escalates the one open alarm: the same alarm, notified once, by B.
    const escalated = await managerB.apply([quota('critical')], 3000);
    expect(escalated.map((t) => [t.kind, t.alarm.id])).toEqual([['escalated', alarms[0]!.id]]);
    expect(heard.map((h) => `${h.host} ${h.t.kind}`)).toEqual(['a raised', 'b escalated']);
  });
});
