// Member import: a CSV or XLSX member list sent as the request body, checked on a dry run or
// imported; both answer the same report.
import { request } from './client'

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

export interface ImportProblem {
  /** CSV: the line the record starts on (the header is line 1); XLSX: the row number. */
  line: number
  /** The column's header as written in the file; '' for the whole row. */
  column: string
  value: string
  message: string
}

export interface ImportReport {
  dry_run: boolean
  encoding: 'utf-8' | 'gb18030' | 'xlsx'
  rows: number
  /** Rows imported (dry run: that would be). */
  valid: number
  imported: number
  /** Rows whose phone is already a member. */
  skipped: number
  invalid: number
  error_count: number
  /** The first 1000 problems, by line. */
  errors: ImportProblem[]
  columns: string[]
  ignored_columns: string[]
}

export function isXlsx(file: File): boolean {
  return file.name.toLowerCase().endsWith('.xlsx') || file.type === XLSX_TYPE
}

export const memberImportApi = {
  run: (file: File, dryRun: boolean) =>
    request<ImportReport>('POST', '/members/import', {
      query: { dry_run: dryRun, file_name: file.name },
      raw: { body: file, contentType: isXlsx(file) ? XLSX_TYPE : 'text/csv' },
      notify: false,
    }),
}
