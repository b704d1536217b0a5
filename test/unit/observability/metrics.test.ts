/** The Prometheus metrics: own registry per instance, fed by the event bus, scrape-time sources and the store wrapper. */
import { EventBus } from '../../../services/events/eventBus';
import { silentLogger } from '../../../services/core/log';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import { bindMetrics, instrumentStore, Metrics, type PipelineCounters } from '../../../services/observability/metrics';

async function value(
  metric: { get(): Promise<MetricObjectWithValues<MetricValue<string>>> },
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const { values } = await metric.get();
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe('Metrics', () => {
  it('keeps a registry per instance and renders every metric of the issue with process metrics under energy_', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.messages(3);
    expect(await value(a.messagesTotal)).toBe(3);
    expect(await value(b.messagesTotal)).toBe(0);
    const text = await a.render();
    for (const name of [
      'energy_readings_received_total',
      'energy_readings_stored_total',
      'energy_readings_duplicate_total',
      'energy_readings_corrected_total',
      'energy_messages_total',
      'energy_quarantine_total',
      'energy_journal_depth',
      'energy_journal_bytes',
      'energy_store_write_seconds_bucket',
      'energy_store_failures_total',
      'energy_active_alarms',
      'energy_mqtt_connected',
      'energy_process_resident_memory_bytes',
      'energy_nodejs_eventloop_lag_seconds',
    ])
      expect(text).toContain(name);
    expect(text).toContain('energy_quarantine_total{reason="too-large"} 0');
    expect(a.contentType).toMatch(/^text\/plain/);
  });

  it('counts what the event bus carries and stops when unbound', async () => {
    const m = new Metrics({ defaultMetrics: false });
    const bus = new EventBus(silentLogger());
    const unbind = bindMetrics(m, bus);
    const item = { topic: 't', payload: 'p', detail: 'd', receivedAt: 0 };
    bus.emit('quarantined', {
      items: [
        { ...item, reason: 'bad-json' },
        { ...item, reason: 'bad-json' },
        { ...item, reason: 'future-ts' },
      ],
    });
    bus.emit('storeFailed', { error: new Error('down'), pending: 3 });
    bus.emit('dataQuality', { events: [{ kind: 'rollover', enterprise: 'e', meter: 'm', ts: 0 }] });
    const reading = { enterprise: 'e', meter: 'm', ts: 0, value: 1, quality: 'good' as const };
    bus.emit('readingsStored', { readings: [reading, reading] });
    expect(await value(m.quarantine, { reason: 'bad-json' })).toBe(2);
    expect(await value(m.quarantine, { reason: 'future-ts' })).toBe(1);
    expect(await value(m.storeFailures)).toBe(1);
    expect(await value(m.dataQuality, { kind: 'rollover' })).toBe(1);
    expect(await value(m.readingsReceived)).toBe(2);
    expect(await value(m.readingsStored)).toBe(0);
    // The proposed extension of readingsStored: the batch's counts.
    bus.emit('readingsStored', Object.assign({ readings: [reading] }, { result: { stored: 1, duplicates: 4, corrections: 1 } }));
    expect([await value(m.readingsStored), await value(m.readingsDuplicate), await value(m.readingsCorrected)]).toEqual([1, 4, 1]);
    unbind();
    bus.emit('storeFailed', { error: new Error('down'), pending: 3 });
    expect(await value(m.storeFailures)).toBe(1);
  });

  it('mirrors the pipeline counters at scrape time, and leaves a family fed directly alone', async () => {
    const m = new Metrics({ defaultMetrics: false });
    const stats: { -readonly [K in keyof PipelineCounters]: number } = { messages: 5, stored: 10, duplicates: 2, corrections: 1 };
    m.setSources({ pipelineStats: () => stats });
    expect(await value(m.messagesTotal)).toBe(5);
    stats.messages = 8;
    stats.stored = 12;
    expect([await value(m.messagesTotal), await value(m.readingsStored), await value(m.readingsDuplicate), await value(m.readingsCorrected)]).toEqual(
      [8, 12, 2, 1],
    );
    m.stored({ stored: 1, duplicates: 0, corrections: 0 });
    stats.stored = 100;
    expect(await value(m.readingsStored)).toBe(13);
  });

  it('reads gauges from their sources: journal, MQTT connection, active alarms by severity', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.setJournal(4, 1024);
    m.setMqttConnected(true);
    expect([await value(m.journalDepth), await value(m.journalBytes), await value(m.mqttConnected)]).toEqual([4, 1024, 1]);
    let alarms: Record<string, number> = { critical: 2, warning: 1 };
    let connected = false;
    m.setSources({ journal: () => ({ depth: 7, bytes: 70 }), mqttConnected: () => connected, activeAlarms: () => Promise.resolve(alarms) });
    expect([await value(m.journalDepth), await value(m.journalBytes), await value(m.mqttConnected)]).toEqual([7, 70, 0]);
    expect(await value(m.activeAlarms, { severity: 'critical' })).toBe(2);
    alarms = { warning: 3 };
    connected = true;
    expect(await value(m.activeAlarms, { severity: 'critical' })).toBeUndefined();
    expect(await value(m.activeAlarms, { severity: 'warning' })).toBe(3);
    expect(await value(m.mqttConnected)).toBe(1);
  });

  it('times every store write, failed or not, and passes everything else through', async () => {
    const m = new Metrics({ defaultMetrics: false });
    class FakeStore {
      readonly kind = 'sqlite' as const;
      private writes = 0;
      async write(batch: { fail: boolean }): Promise<void> {
        this.writes++;
        await new Promise((r) => setTimeout(r, 5));
        if (batch.fail) throw new Error('disk full');
      }
      count(): number {
        return this.writes;
      }
    }
    const store = instrumentStore(new FakeStore(), m);
    await store.write({ fail: false });
    await expect(store.write({ fail: true })).rejects.toThrow('disk full');
    expect(store.kind).toBe('sqlite');
    expect(store.count()).toBe(2);
    const { values } = await m.storeWriteSeconds.get();
    expect(values.find((v) => v.metricName === 'energy_store_write_seconds_count')?.value).toBe(2);
    expect(values.find((v) => v.metricName === 'energy_store_write_seconds_sum')?.value).toBeGreaterThan(0.005);
  });
});
