// The loyalty program (one versioned configuration; owners replace it whole) and the preview
// of what a sample basket would earn under the current program or an unsaved draft.
// Amounts are minor units of the program's currency; percents are whole numbers (100 = ×1).
import { api, request, type RequestOptions } from './client'
import type { IsoTime } from './types'

export type Rounding = 'down' | 'half_up' | 'half_even' | 'up'
export const ROUNDINGS: readonly Rounding[] = ['down', 'half_up', 'half_even', 'up']
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun'
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
export const CURRENCIES = ['CNY', 'HKD', 'TWD', 'USD', 'EUR', 'GBP', 'JPY', 'KRW'] as const

export interface Tier {
  name: string
  /** Rolling 12-month spend in minor units; null for the entry tier or when not a criterion. */
  min_spend: number | null
  min_visits: number | null
  need_both: boolean
  discount_percent: number
  points_percent: number
}

export interface BonusEvent {
  name: string
  /** YYYY-MM-DD */
  first: string
  last: string
  weekday: Weekday | null
  percent: number
}

export interface Program {
  base_rate: { points: number; per_amount: number; currency: string }
  rounding: Rounding
  genres: { genre: string; percent: number }[]
  tiers: Tier[]
  events: BonusEvent[]
  birthday_month_percent: number
  sign_up_bonus: number
  first_purchase_bonus: number
  points_expiry_months: number
  tier_downgrade_grace_days: number
  top_up_bonuses: { min_top_up: number; bonus: number }[]
}

export interface StoredProgram extends Program {
  version: number
  updated_at: IsoTime | null
  updated_by: string
}

export interface PreviewRequest {
  lines: { genre: string; amount: number }[]
  member?: { tier?: string; birthday?: string | null; first_purchase?: boolean }
  /** YYYY-MM-DD */
  date: string
  program?: Program
}

export interface PreviewResult {
  points: number
  explanation: { rule: string; detail: string; points: number }[]
  program_version: number | null
}

export const programApi = {
  program: () => api.get<StoredProgram>('/loyalty/program'),
  /** With `version`, 409 when someone else saved meanwhile. */
  saveProgram: (program: Program & { version?: number }, opts?: RequestOptions) =>
    request<StoredProgram>('PUT', '/loyalty/program', { ...opts, body: program }),
  preview: (body: PreviewRequest, opts?: RequestOptions) => api.post<PreviewResult>('/loyalty/preview', body, opts),
}
