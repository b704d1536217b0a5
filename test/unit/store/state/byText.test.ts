/** Text keys sort by bytes on both engines (PostgreSQL's en_US collation would put plant1 before plant-2). */
import { byText } from '../../../../services/store/state/db/sqlExecutor';

test('byText orders by code units, key by key', () => {
  const rows = [
    { enterprise: 'plant1', month: '2026-02' },
    { enterprise: 'plant-2', month: '2026-01' },
    { enterprise: 'plant_3', month: '2026-01' },
    { enterprise: 'plant-2', month: '2025-12' },
  ];
  // '-' is 0x2d, '1' 0x31, '_' 0x5f.
  expect(
    rows
      .sort(
        byText(
          (r) => r.enterprise,
          (r) => r.month,
        ),
      )
      .map((r) => `${r.enterprise} ${r.month}`),
  ).toEqual(['plant-2 2025-12', 'plant-2 2026-01', 'plant1 2026-02', 'plant_3 2026-01']);
  expect(byText<{ n: number }>((r) => r.n)({ n: 2 }, { n: 10 })).toBeLessThan(0);
});
