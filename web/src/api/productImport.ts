// Product import: a catalog list (CSV or XLSX) sent as the request body, checked on a dry run or
// imported, with opening stock going to a store; both answer the same report.
import { request } from './client'
import { XLSX_TYPE, isXlsx, type ImportProblem } from './memberImport'

export interface ProductImportReport {
  dry_run: boolean
  encoding: 'utf-8' | 'gb18030' | 'xlsx'
  rows: number
  /** created + updated + unchanged */
  valid: number
  created: number
  updated: number
  unchanged: number
  invalid: number
  stock_rows: number
  stock_units: number
  /** Rows whose stock was not applied: the product already has stock movements in that store. */
  stock_kept: number
  reorder_points: number
  store_id: number | null
  receipt_ids: number[]
  /** Paths of categories created (dry run: that would be), e.g. "文学/科幻". */
  new_categories: string[]
  error_count: number
  errors: ImportProblem[]
  columns: string[]
  ignored_columns: string[]
}

export const productImportApi = {
  run: (file: File, dryRun: boolean, storeId: number | null) =>
    request<ProductImportReport>('POST', '/products/import', {
      query: { dry_run: dryRun, file_name: file.name, store_id: storeId ?? undefined },
      raw: { body: file, contentType: isXlsx(file) ? XLSX_TYPE : 'text/csv' },
      notify: false,
    }),
}
