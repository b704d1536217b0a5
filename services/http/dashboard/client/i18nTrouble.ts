/** Stated trouble and the lights' legend (issue 21): zh-CN and English, spread into i18n.ts's two dictionaries. */
export const troubleZh = {
  overrun: '预计超额',
  overrunBy: '预计超 {x}',
  noOverrun: '预计不超',
  runsOut: '约 {date}用尽',
  usedUp: '已用尽',
  dayMonth: '{m}月{d}日',
  legendTitle: '指示灯说明',
  legendShare: '占比 < {sy} 且进度 ≤ {py}',
  legendShareYellow: '占比 ≥ {sy} 或进度 > {py}',
  legendShareRed: '占比 ≥ {sr} 或进度 > {pr}',
  legendRatio: '强度 ÷ 限额 ≤ {y}',
  legendRatioYellow: '强度 ÷ 限额 > {y}',
  legendRatioRed: '强度 ÷ 限额 > {r}',
  legendNote:
    '占比 = 年累计 ÷ 年度目标；进度 = 年累计 ÷（年度目标 × 已过年度比例）。灯色只按上述阈值；预计超额和用尽日期按当前进度推算全年，另行列出。',
  legendCarbon: '碳排放总量',
};

export const troubleEn: Record<keyof typeof troubleZh, string> = {
  overrun: 'Forecast overrun',
  overrunBy: 'forecast over by {x}',
  noOverrun: 'within',
  runsOut: 'runs out about {date}',
  usedUp: 'already used up',
  dayMonth: '{d} {mon}',
  legendTitle: 'What the lights mean',
  legendShare: 'share < {sy} and pace ≤ {py}',
  legendShareYellow: 'share ≥ {sy} or pace > {py}',
  legendShareRed: 'share ≥ {sr} or pace > {pr}',
  legendRatio: 'intensity ÷ limit ≤ {y}',
  legendRatioYellow: 'intensity ÷ limit > {y}',
  legendRatioRed: 'intensity ÷ limit > {r}',
  legendNote:
    'share = year to date ÷ annual target; pace = year to date ÷ (target × elapsed part of the year). The light follows these thresholds only; the forecast overrun and the run-out date project the year at the current pace and are stated beside it.',
  legendCarbon: 'CO₂ budget',
};
