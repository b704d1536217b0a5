import { quotaCondition, troubleText } from '../../../alerts/conditions';
import type { EnterpriseStatus } from '../../../services/figures/statusService';
import { quotaStatus } from '../../../services/energy/quota';

describe('troubleText: the overrun and exhaustion date stated in alarm texts (issue 21)', () => {
  it('says the overrun and the date in both languages', () => {
    const t = { overrun: 11_389.4, exhausted: false, exhaustionDate: '2026-12-10' };
    expect(troubleText('zh-CN', t, 'tce', 0)).toBe('，预计超 11,389 tce，约 12月10日用尽');
    expect(troubleText('en', t, 'tce', 0)).toBe(', forecast over by 11,389 tce, runs out about 10 Dec');
  });

  it('says "already used up" once exhausted, and nothing without trouble or figures', () => {
    expect(troubleText('zh-CN', { overrun: 250, exhausted: true, exhaustionDate: null }, 't', 0)).toBe('，已用尽，预计超 250 t');
    expect(troubleText('en', { overrun: 0, exhausted: false, exhaustionDate: null }, 'tce', 0)).toBe('');
    expect(troubleText('en', {}, 'tce', 0)).toBe('');
  });

  it('the quota alarm of the cement plant states it in its message', () => {
    // 98,694.5 of 186,000 tce at f = 0.5: forecast 197,389, overrun 11,389, runs out 10 December (exhaustion.test.ts).
    const q = quotaStatus({
      year: 2026,
      totalTce: 186_000,
      ytdTce: 98_694.5,
      fraction: 0.5,
      thresholds: { paceYellow: 1, paceRed: 1.1, shareYellow: 0.9, shareRed: 1 },
    });
    const s = {
      enterprise: 'cem01',
      at: '2026-07-02T12:00:00.000+08:00',
      timezone: 'Asia/Shanghai',
      quota: { ...q, periodFrom: '2026-01-01T00:00:00.000+08:00', periodTo: '2026-07-02T12:00:00.000+08:00' },
    } as EnterpriseStatus;
    const zh = quotaCondition(s, '测试水泥', 'zh-CN', '当量值');
    expect(zh.severity).toBe('warning');
    expect(zh.message).toContain('全年预测 197,389 tce，预计超 11,389 tce，约 12月10日用尽');
    expect(quotaCondition(s, 'Test Cement', 'en', 'equivalent').message).toContain(
      'year-end forecast 197,389 tce, forecast over by 11,389 tce, runs out about 10 Dec',
    );
  });
});
