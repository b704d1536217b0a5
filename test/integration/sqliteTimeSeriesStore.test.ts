import { SqliteTimeSeriesStore } from '../../services/store/sqliteTimeSeriesStore';
import { timeSeriesStoreContract } from './timeSeriesStore.contract';

// The same contract suite as InfluxDB (test/integration/influxTimeSeriesStore.test.ts).
timeSeriesStoreContract('SqliteTimeSeriesStore', async () => {
  const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: 'Asia/Shanghai' });
  await store.start();
  return { store, cleanup: () => store.stop() };
});
