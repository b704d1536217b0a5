/**
 * The output value (工业总产值, 10^4 yuan) is now one field of the versioned monthly statistics
 * (monthlyStatisticsStore.ts). This name stays for callers written before the ledger (tests, bench):
 * setOutput is a versioned put of `outputValue10kYuan` alone.
 */
import { MonthlyStatisticsStore } from './monthlyStatisticsStore';

export type { OutputValue } from './monthlyStatisticsStore';

export class OutputStore extends MonthlyStatisticsStore {
  setOutput(enterprise: string, month: string, value10kYuan: number, by: string, at: number): void {
    this.put(enterprise, month, { outputValue10kYuan: value10kYuan }, by, at);
  }
}
