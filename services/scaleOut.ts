/**
 * Scale-out settings of one instance (README "Scale-out"), resolved once for the composition root:
 * which MQTT topics it subscribes to, which part of each message it keeps (static shards), where
 * its journal lives, and whether, and when, it runs the rules and report jobs (the lease).
 */
import { Counter, Gauge } from 'prom-client';
import type { Connections, Role } from '../config/load';
import type { Config } from '../config/schema';
import type { ShardSpec } from '../config/shardSpec';
import { meterShard, ShardFilter, topicShard } from '../ingest/shard';
import type { QuarantineRecord } from './store/state/stateStore';
import type { Logger } from './core/log';
import type { Metrics } from './observability/metrics';
import { defaultHolder, Lease } from './store/state/lease';
import type { SqlExecutor } from './store/state/db/sqlExecutor';

/** The name of the lease that the rules engine and the report jobs run under. */
export const RULES_LEASE = 'rules';

export class ScaleOut {
  readonly role: Role;
  readonly shard: ShardSpec | undefined;
  readonly sharedGroup: string | undefined;
  /** The MQTT subscription: `$share/<group>/energy/#` in a shared group, else `energy/#`. */
  readonly topics: readonly string[];
  /** Shared subscriptions are MQTT 5 [MQTT-4.8.2]. */
  readonly protocolVersion: 4 | 5;
  readonly journalDir: string;
  /** Names the journal in the quarantine's source references (unset for the default journal: existing refs stay valid). */
  readonly sourceRefPrefix: string | undefined;
  /**
   * No other instance writes readings: an all-in-one instance that is neither a shard nor in a
   * shared subscription group (the store can then skip looking for others' writes).
   */
  get soleWriter(): boolean {
    return this.role === 'all' && (this.shard === undefined || this.shard.count <= 1) && this.sharedGroup === undefined;
  }

  /** Undefined with ROLE=ingest: such an instance never runs rules or report jobs. */
  readonly lease: Lease | undefined;
  /** With `--shard i/N` (N > 1): the ingest pipeline keeps this shard's part of each message with it. */
  readonly shardFilter: ShardFilter | undefined;

  constructor(
    options: { config: Config; connections: Connections; stateDb: SqlExecutor },
    deps: { logger: Logger; metrics: Metrics; now?: () => number },
  ) {
    const { config, connections } = options;
    this.role = connections.role ?? 'all';
    this.shard = connections.shard;
    this.sharedGroup = connections.mqttSharedGroup;
    this.topics = [this.sharedGroup === undefined ? 'energy/#' : `$share/${this.sharedGroup}/energy/#`];
    this.protocolVersion = this.sharedGroup === undefined ? 4 : 5;
    this.journalDir = connections.journalDir ?? 'journal';
    // A quarantine row names its journal position; instances sharing one state must not collide on
    // equal positions: on PostgreSQL (several hosts) each instance's own client id leads it.
    this.sourceRefPrefix =
      connections.databaseUrl !== undefined
        ? `${connections.mqttClientId}/${this.journalDir}:`
        : this.journalDir === 'journal'
          ? undefined
          : `${this.journalDir}:`;
    this.shardFilter =
      this.shard && this.shard.count > 1
        ? new ShardFilter({
            shard: this.shard,
            maxPayloadBytes: config.ingest.maxPayloadBytes,
            enterprises: new Set(config.enterprises.map((e) => e.id)),
          })
        : undefined;
    this.lease =
      this.role === 'all'
        ? new Lease(
            options.stateDb,
            {
              name: RULES_LEASE,
              holder: defaultHolder(connections.mqttClientId),
              ...(connections.leaseTtlMs !== undefined && { ttlMs: connections.leaseTtlMs }),
              ...(connections.leaseRenewMs !== undefined && { renewMs: connections.leaseRenewMs }),
            },
            { logger: deps.logger, ...(deps.now && { now: deps.now }) },
          )
        : undefined;
    this.registerMetrics(deps.metrics);
  }

  /** The lease's fencing check for a transaction that must only commit on the holder (undefined with ROLE=ingest). */
  get fence(): ((tx: SqlExecutor) => Promise<void>) | undefined {
    const lease = this.lease;
    return lease && ((tx: SqlExecutor) => lease.assertHeld(tx));
  }

  /** Whether this instance writes the meter's hours: its ingest shard (every meter when not sharded). */
  ownsMeter(key: { enterprise: string; meter: string }): boolean {
    const shard = this.shard;
    return !shard || shard.count <= 1 || meterShard(key.enterprise, key.meter, shard.count) === shard.index;
  }

  /**
   * Quarantined records this shard may replay: those it quarantined itself (same attribution as
   * the shard filter: the record's meter, else its topic). Replaying another shard's meter here
   * would write it past that shard's in-memory meter state; such records are left open, with a
   * note naming the owner.
   */
  splitReplay(records: readonly QuarantineRecord[]): { mine: QuarantineRecord[]; others: { id: number; reason: string; detail: string }[] } {
    const shard = this.shard;
    if (!shard || shard.count === 1) return { mine: [...records], others: [] };
    const mine: QuarantineRecord[] = [];
    const others: { id: number; reason: string; detail: string }[] = [];
    for (const r of records) {
      const owner =
        r.enterprise !== undefined && r.meter !== undefined ? meterShard(r.enterprise, r.meter, shard.count) : topicShard(r.topic, shard.count);
      if (owner === shard.index) mine.push(r);
      else
        others.push({
          id: r.id,
          reason: r.reason,
          detail: `not replayed: belongs to shard ${owner}/${shard.count}; send the replay to that instance`,
        });
    }
    return { mine, others };
  }

  /** Whether the rules engine and report jobs run here now. */
  active(): boolean {
    return this.lease?.held === true;
  }

  /** The /healthz entry; a standby is healthy. */
  health(): { ok: boolean; [k: string]: unknown } {
    const lease = this.lease?.state();
    return {
      ok: true,
      role: this.role,
      ...(this.shard && { shard: `${this.shard.index}/${this.shard.count}`, shardIndex: this.shard.index, shardCount: this.shard.count }),
      ...(this.shardFilter && { shardFilter: { ...this.shardFilter.stats } }),
      ...(this.sharedGroup !== undefined && { sharedGroup: this.sharedGroup }),
      rulesActive: this.active(),
      ...(lease && {
        lease: {
          name: lease.name,
          held: lease.held,
          holder: lease.holder,
          ...(lease.currentHolder !== undefined && { currentHolder: lease.currentHolder, expiresAt: new Date(lease.expiresAt ?? 0).toISOString() }),
        },
      }),
    };
  }

  private registerMetrics(metrics: Metrics): void {
    const registers = [metrics.registry];
    const shard = this.shard;
    if (shard) {
      const info = new Gauge({
        name: 'energy_ingest_shard_info',
        help: "This instance's static ingest shard (--shard i/N): always 1, the shard in the labels.",
        labelNames: ['shard', 'shards'] as const,
        registers,
      });
      info.set({ shard: String(shard.index), shards: String(shard.count) }, 1);
      const filter = this.shardFilter;
      if (filter) {
        const foreign: Counter = new Counter({
          name: 'energy_ingest_shard_foreign_messages_total',
          help: 'MQTT messages left entirely to other shards (acknowledged, not journaled).',
          registers,
          collect: (): void => {
            foreign.reset();
            foreign.inc(filter.stats.foreign);
          },
        });
        const split: Counter = new Counter({
          name: 'energy_ingest_shard_split_messages_total',
          help: 'Multi-meter arrays of which this shard kept some elements only.',
          registers,
          collect: (): void => {
            split.reset();
            split.inc(filter.stats.split);
          },
        });
      }
    }
    const active: Gauge = new Gauge({
      name: 'energy_rules_active',
      help: 'Whether this instance runs the rules engine and report jobs now (holds the lease): 0/1.',
      registers,
      collect: (): void => active.set(this.active() ? 1 : 0),
    });
  }
}
