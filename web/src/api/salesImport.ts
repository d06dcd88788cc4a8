// Sales history import: a store's past sales (CSV or XLSX, one row per receipt line) sent as the
// request body, checked on a dry run or imported; both answer the same report.
import { request } from './client'
import { XLSX_TYPE, isXlsx, type ImportProblem } from './memberImport'

export interface SalesImportReport {
  dry_run: boolean
  encoding: 'utf-8' | 'gb18030' | 'xlsx'
  rows: number
  /** Rows imported (dry run: that would be). */
  valid: number
  /** Rows not imported: their own problem or another row's of the same receipt. */
  invalid: number
  receipts: number
  /** Receipts imported before: left alone. */
  receipts_skipped: number
  rows_skipped: number
  sales: number
  lines: number
  returns: number
  return_lines: number
  /** Minor units. */
  net_total: number
  refund_total: number
  members_created: number
  products_created: number
  points_earned: number
  tier_changes: number
  first_day: string | null
  last_day: string | null
  store_id: number | null
  error_count: number
  errors: ImportProblem[]
  columns: string[]
  ignored_columns: string[]
}

export interface SalesImportOptions {
  storeId: number | null
  /** "交易号=receipt,售出时间=date" */
  map: string
  earnPoints: boolean
}

export const salesImportApi = {
  run: (file: File, dryRun: boolean, o: SalesImportOptions) =>
    request<SalesImportReport>('POST', '/sales/import', {
      query: {
        dry_run: dryRun,
        file_name: file.name,
        store_id: o.storeId ?? undefined,
        map: o.map.trim() || undefined,
        earn_points: o.earnPoints || undefined,
      },
      raw: { body: file, contentType: isXlsx(file) ? XLSX_TYPE : 'text/csv' },
      notify: false,
    }),
}
