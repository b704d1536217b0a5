import { cellValue, columnOfKey, keyText, templateColumns } from '../../../services/ledger/monthlyColumns';

describe('monthly workbook columns', () => {
  it('lays out identity, scalars, products, carriers (three parts each) and the note, with units in the keys', () => {
    const cols = templateColumns(new Map([['clinker', 't']]), new Map([['raw_coal', 't']]));
    expect(cols.map(keyText)).toEqual([
      'enterprise',
      'name',
      'month',
      'outputValue10kYuan',
      'valueAdded10kYuan',
      'products.clinker.quantity [t]',
      'carriers.raw_coal.purchased [t]',
      'carriers.raw_coal.openingStock [t]',
      'carriers.raw_coal.closingStock [t]',
      'greenCertificatesKwh',
      'processCo2T',
      'note',
    ]);
    expect(cols[6]?.header).toBe('原煤 购进量 (t)');
  });

  it('reads keys back, refusing unknown keys and missing or stray units', () => {
    expect(columnOfKey(' carriers.coke.closingStock [kg] ')).toMatchObject({ kind: 'carrier', carrier: 'coke', part: 'closingStock', unit: 'kg' });
    expect(columnOfKey('products.clinker.quantity [t]')).toMatchObject({ kind: 'product', product: 'clinker', unit: 't' });
    expect(columnOfKey('outputValue10kYuan')).toMatchObject({ kind: 'scalar' });
    expect(columnOfKey('products.clinker.quantity')).toBeUndefined();
    expect(columnOfKey('outputValue10kYuan [t]')).toBeUndefined();
    expect(columnOfKey('carriers.coke.stock [t]')).toBeUndefined();
    expect(columnOfKey('产值')).toBeUndefined();
  });

  it('prefills stored values in the column unit: 2500 kg of coke shows as 2.5 t', () => {
    const [coke] = templateColumns(new Map(), new Map([['coke', 't']])).filter((c) => c.kind === 'carrier');
    if (!coke) throw new Error('no column');
    expect(cellValue(coke, { carriers: { coke: { unit: 'kg', purchased: 2500, openingStock: 0, closingStock: 0 } } })).toBe(2.5);
    expect(cellValue(coke, { carriers: { coke: { unit: 'm3', purchased: 2500, openingStock: 0, closingStock: 0 } } })).toBeUndefined();
  });
});
