/**
 * GB/T 4754-2017 industry names for the codes an industrial district typically reports, with the
 * division (2-digit) names as the fallback for any other code.
 */
const CLASSES: Readonly<Record<string, string>> = {
  '2511': '原油加工及石油制品制造',
  '2521': '炼焦',
  '2614': '有机化学原料制造',
  '2619': '其他基础化学原料制造',
  '2621': '氮肥制造',
  '2651': '初级形态塑料及合成树脂制造',
  '2710': '化学药品原料药制造',
  '2720': '化学药品制剂制造',
  '3011': '水泥制造',
  '3041': '平板玻璃制造',
  '3110': '炼铁',
  '3120': '炼钢',
  '3130': '钢压延加工',
  '3140': '铁合金冶炼',
  '3211': '铜冶炼',
  '3212': '铅锌冶炼',
  '3216': '铝冶炼',
  '4411': '火力发电',
  '4430': '热力生产和供应',
};

const DIVISIONS: Readonly<Record<string, string>> = {
  '13': '农副食品加工业',
  '17': '纺织业',
  '22': '造纸和纸制品业',
  '25': '石油、煤炭及其他燃料加工业',
  '26': '化学原料和化学制品制造业',
  '27': '医药制造业',
  '28': '化学纤维制造业',
  '29': '橡胶和塑料制品业',
  '30': '非金属矿物制品业',
  '31': '黑色金属冶炼和压延加工业',
  '32': '有色金属冶炼和压延加工业',
  '33': '金属制品业',
  '36': '汽车制造业',
  '38': '电气机械和器材制造业',
  '39': '计算机、通信和其他电子设备制造业',
  '44': '电力、热力生产和供应业',
};

/** The English names of the same codes (GB/T 4754-2017's English edition wording), for the English dashboard. */
const CLASSES_EN: Readonly<Record<string, string>> = {
  '2511': 'Crude oil processing and petroleum products',
  '2521': 'Coking',
  '2614': 'Organic chemical raw materials',
  '2619': 'Other basic chemical raw materials',
  '2621': 'Nitrogen fertilisers',
  '2651': 'Primary plastics and synthetic resins',
  '2710': 'Chemical APIs (bulk pharmaceuticals)',
  '2720': 'Chemical drug preparations',
  '3011': 'Cement',
  '3041': 'Flat glass',
  '3110': 'Ironmaking',
  '3120': 'Steelmaking',
  '3130': 'Steel rolling',
  '3140': 'Ferroalloy smelting',
  '3211': 'Copper smelting',
  '3212': 'Lead and zinc smelting',
  '3216': 'Aluminium smelting',
  '4411': 'Thermal power generation',
  '4430': 'Heat production and supply',
};

const DIVISIONS_EN: Readonly<Record<string, string>> = {
  '13': 'Agricultural and sideline food processing',
  '17': 'Textiles',
  '22': 'Paper and paper products',
  '25': 'Petroleum, coal and other fuel processing',
  '26': 'Chemical raw materials and chemical products',
  '27': 'Pharmaceuticals',
  '28': 'Chemical fibres',
  '29': 'Rubber and plastic products',
  '30': 'Non-metallic mineral products',
  '31': 'Ferrous metal smelting and rolling',
  '32': 'Non-ferrous metal smelting and rolling',
  '33': 'Metal products',
  '36': 'Motor vehicles',
  '38': 'Electrical machinery and equipment',
  '39': 'Computers, communication and other electronic equipment',
  '44': 'Electricity and heat production and supply',
};

export function industryName(code: string): string {
  return CLASSES[code] ?? DIVISIONS[code.slice(0, 2)] ?? `GB/T 4754 ${code}`;
}

/** English name of a GB/T 4754 code; the reports keep the Chinese industryName(). */
export function industryNameEn(code: string): string {
  return CLASSES_EN[code] ?? DIVISIONS_EN[code.slice(0, 2)] ?? `GB/T 4754 ${code}`;
}
