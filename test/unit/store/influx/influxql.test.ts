import { DependencyError } from '../../../../services/core/errors';
import { parseQueryResponse } from '../../../../services/store/influx/influxql';

describe('parseQueryResponse', () => {
  it('gives rows per statement with tags and columns', () => {
    const body = {
      results: [
        {
          statement_id: 0,
          series: [
            {
              name: 'reading',
              tags: { meter: 'm1' },
              columns: ['time', 'value'],
              values: [
                [1, 2.5],
                [2, 3],
              ],
            },
          ],
        },
        { statement_id: 1 },
      ],
    };
    expect(parseQueryResponse(body)).toEqual([
      [
        { measurement: 'reading', tags: { meter: 'm1' }, columns: { time: 1, value: 2.5 } },
        { measurement: 'reading', tags: { meter: 'm1' }, columns: { time: 2, value: 3 } },
      ],
      [],
    ]);
  });

  it('refuses an answer the server cut short (max-row-limit), rather than sum part of it', () => {
    const body = {
      results: [{ statement_id: 0, partial: true, series: [{ name: 'consumption_monthly', columns: ['time', 'quantity'], values: [[1, 2]] }] }],
    };
    expect(() => parseQueryResponse(body)).toThrow(DependencyError);
    expect(() => parseQueryResponse(body)).toThrow(/cut short/);
  });
});
