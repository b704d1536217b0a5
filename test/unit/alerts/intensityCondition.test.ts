/** The intensity alarm names the months its energy and output cover (contract 4, issue 19 item 4). */
import { intensityCondition } from '../../../alerts/conditions';
import type { EnterpriseStatus } from '../../../services/figures/statusService';

function status(months: string[]): EnterpriseStatus {
  return {
    enterprise: 'alu01',
    at: '2026-02-14T10:00:00.000+08:00',
    timezone: 'Asia/Shanghai',
    electricityBasis: 'equivalent',
    quota: null,
    // 100 tce over January / 1,000 x 10^4 yuan = 0.1 tce per 10^4 yuan; 0.1 / 0.12 = 0.8333 -> 83.3 %.
    intensity: { intensity: 0.1, limit: 0.12, ratio: 0.1 / 0.12, level: 'green', output10kYuan: 1000, months },
    tariff: null,
    ytdByCarrier: [],
  };
}

describe('intensityCondition', () => {
  it('names the months in zh-CN and English, and its period is theirs', () => {
    const zh = intensityCondition(status(['2026-01']), '示例铝业', 'zh-CN', 'basis');
    expect(zh.message).toBe('示例铝业 万元产值能耗 0.1 tce/万元（统计月份 2026-01），限额 0.12，比值 83.3 %');
    expect(zh).toMatchObject({ periodFrom: '2026-01-01T00:00:00.000+08:00', periodTo: '2026-02-01T00:00:00.000+08:00', severity: null });
    const en = intensityCondition(status(['2026-02', '2026-01']), 'Alu', 'en', 'basis');
    expect(en.message).toBe('Alu: intensity 0.1 tce per 10^4 yuan over 2026-01, 2026-02 against a limit of 0.12 (83.3 %)');
    expect(en).toMatchObject({ periodFrom: '2026-01-01T00:00:00.000+08:00', periodTo: '2026-03-01T00:00:00.000+08:00' });
  });
});
