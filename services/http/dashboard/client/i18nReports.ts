/** The reports page's labels (issue 21 item 8): zh-CN and English, spread into i18n.ts's two dictionaries. */
export const reportsZh = {
  reportPreview: '预览',
  reportPreviewTitle: '{month} 月报预览（HTML）',
  reportFormats: '下载',
  finaliseMonth: '定稿 {month}',
  finaliseConfirmTitle: '确认定稿 {month} 月报？',
  finaliseConfirmText:
    '定稿后将保存 {month} 的当前数字为新版本并计算 SHA-256，此操作不可撤销；之后补录或更正的数据只会生成新的修订版本，已定稿版本保持不变、仍可下载。',
  finaliseConfirm: '确认定稿',
  finaliseCancel: '取消',
  monthNotEnded: '{month} 尚未结束（{endsAt} 结束），不能定稿',
  monthRevisions: '已有 {count} 个定稿版本',
  revisionReasons: '修订原因',
  // Why a revision was made (reportModel.ts RevisionReason), the words the report renderers use (labels.ts).
  revisionReason_readings: '读数补录或更正',
  'revisionReason_meter-event': '计量器具事件（换表、倍率变更、拆除）',
  'revisionReason_monthly-statistics': '月度统计数据',
  revisionReason_parameters: '参数（系数、排放因子、阈值）',
  revisionReason_recheck: '复核发现（无记录的变更）',
  firstRevision: '首次定稿',
};

export const reportsEn: Record<keyof typeof reportsZh, string> = {
  reportPreview: 'Preview',
  reportPreviewTitle: '{month} report preview (HTML)',
  reportFormats: 'Download',
  finaliseMonth: 'Finalise {month}',
  finaliseConfirmTitle: 'Finalise the {month} report?',
  finaliseConfirmText:
    'The figures of {month} as they are now will be stored as a new revision with its SHA-256. This cannot be undone: data that arrives or is corrected later only makes a new revision, and the finalised one stays as it is and downloadable.',
  finaliseConfirm: 'Finalise',
  finaliseCancel: 'Cancel',
  monthNotEnded: '{month} has not ended (it ends {endsAt}): it cannot be finalised yet',
  monthRevisions: '{count} finalised revision(s) so far',
  revisionReasons: 'Revised for',
  revisionReason_readings: 'late or corrected readings',
  'revisionReason_meter-event': 'meter event (replacement, multiplier, decommission)',
  'revisionReason_monthly-statistics': 'monthly statistics',
  revisionReason_parameters: 'parameters (coefficients, emission factors, thresholds)',
  revisionReason_recheck: 'found at a recheck (no recorded change)',
  firstRevision: 'first finalised revision',
};
