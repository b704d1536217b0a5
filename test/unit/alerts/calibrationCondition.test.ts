/**
 * The calibration alarm (contract 8.1): warning in the last 30 valid days of a certificate, critical
 * once it has run out. Every instant below is worked by hand from the rule in calibrationDates:
 * validUntil is the last valid day (site zone), the certificate runs out at the start of the next day,
 * the warning starts 30 calendar days before that.
 */
import { calibrationCondition, calibrationDates } from '../../../alerts/conditions';

const SH = 'Asia/Shanghai';
const ms = (iso: string): number => Date.parse(iso);

function at(iso: string, over: Partial<Parameters<typeof calibrationCondition>[0]> = {}, zone = SH) {
  return calibrationCondition(
    {
      enterprise: 'alu01',
      meter: 'e-main',
      name: '示例铝业',
      validUntil: '2027-10-11',
      certificate: 'JD-2026-0412',
      decommissioned: false,
      now: ms(iso),
      zone,
      ...over,
    },
    'zh-CN',
  );
}

describe('calibrationDates', () => {
  it('runs out at the start of the day after validUntil and warns from 30 calendar days before that', () => {
    // 2027-10-11 is the last valid day -> runs out 2027-10-12T00:00+08:00.
    // 2027-10-12 - 30 days: 12 days back to 2027-09-30 ... 30 days back lands on 2027-09-12 (September has 30 days).
    expect(calibrationDates('2027-10-11', SH)).toEqual({
      warningFrom: ms('2027-09-12T00:00:00+08:00'),
      expiresAt: ms('2027-10-12T00:00:00+08:00'),
    });
  });

  it('counts calendar days in the site zone, not 30 x 24 h, across a daylight-saving change', () => {
    // Europe/Berlin leaves summer time on 2027-10-31 (03:00 CEST -> 02:00 CET).
    // validUntil 2027-10-31 -> runs out 2027-11-01T00:00+01:00; 30 calendar days before: 2027-10-02T00:00+02:00
    // (30 x 24 h would give 2027-10-02T01:00+02:00).
    expect(calibrationDates('2027-10-31', 'Europe/Berlin')).toEqual({
      warningFrom: ms('2027-10-02T00:00:00+02:00'),
      expiresAt: ms('2027-11-01T00:00:00+01:00'),
    });
  });

  it('refuses a date that is not YYYY-MM-DD', () => {
    expect(() => calibrationDates('2027-13-01', SH)).toThrow(RangeError);
  });
});

describe('calibrationCondition', () => {
  it('raises nothing before the last 30 valid days', () => {
    // 2027-09-11 -> 2027-10-12: 19 days to 2027-09-30, then 12 more = 31 days left.
    const c = at('2027-09-11T23:59:59+08:00');
    expect(c).toMatchObject({ type: 'calibration', meter: 'e-main', severity: null, value: 31, threshold: 30 });
  });

  it('warns from the first of the last 30 valid days to the end of the last one', () => {
    expect(at('2027-09-12T00:00:00+08:00')).toMatchObject({ severity: 'warning', value: 30 });
    const last = at('2027-10-11T23:59:59+08:00');
    expect(last).toMatchObject({
      severity: 'warning',
      value: 1,
      periodFrom: '2027-09-12T00:00:00.000+08:00',
      periodTo: '2027-10-12T00:00:00.000+08:00',
    });
    expect(last.message).toBe('示例铝业 计量点 e-main 检定有效期至 2027-10-11（证书 JD-2026-0412），剩余 1 天');
  });

  it('is critical once the certificate has run out', () => {
    expect(at('2027-10-12T00:00:00+08:00')).toMatchObject({ severity: 'critical', value: 0 });
    // 2027-10-12 -> 2027-10-20 is 8 days after the expiry day: value -8.
    expect(at('2027-10-20T10:00:00+08:00')).toMatchObject({ severity: 'critical', value: -8 });
  });

  it('says the same in English', () => {
    const c = calibrationCondition(
      {
        enterprise: 'alu01',
        meter: 'e-main',
        name: 'Alu',
        validUntil: '2027-10-11',
        decommissioned: false,
        now: ms('2027-10-12T08:00:00+08:00'),
        zone: SH,
      },
      'en',
    );
    expect(c.message).toBe('Alu meter e-main: calibration valid until 2027-10-11, expired: recalibrate');
  });

  it('raises nothing for a meter without calibration events or one decommissioned', () => {
    expect(at('2027-10-20T10:00:00+08:00', { validUntil: undefined }).severity).toBeNull();
    expect(at('2027-10-20T10:00:00+08:00', { decommissioned: true }).severity).toBeNull();
  });
});
