// Coupons: codes a cashier types or scans for money off a sale (percent, a fixed amount, or spend
// X get Y off, 满减), batches of single-use codes for printed vouchers, and the till's check.
// Money is in minor units (fen); dates are business days 'YYYY-MM-DD'.
import { api, type Page, type RequestOptions } from './client'
import type { IsoTime } from './types'

export type CouponKind = 'percent' | 'fixed' | 'spend_get'
/** On today's business day, by dates and uses; whether the coupon is active is separate. */
export type CouponStatus = 'valid' | 'scheduled' | 'expired' | 'used_up'

export interface Coupon {
  id: number
  /** Upper case: A–Z, 0–9, '-', '_'. */
  code: string
  name: string
  kind: CouponKind
  /** percent: 1–100. */
  percent: number
  /** fixed: the amount off; spend_get: Y, off every X. */
  amount: number
  /** spend_get: X. */
  threshold: number
  /** spend_get: Y for every full X, not just once. */
  repeat: boolean
  min_spend: number | null
  /** Category codes; empty: every discountable line. */
  genres: string[]
  exclusive: boolean
  valid_from: string | null
  valid_to: string | null
  max_uses: number | null
  per_member_limit: number | null
  members_only: boolean
  member_id: number | null
  store_id: number | null
  uses: number
  active: boolean
  status: CouponStatus
  created_at: IsoTime
  updated_at: IsoTime
}

export interface CouponUsage {
  uses: number
  discount: number
  given_back: number
  days: { day: string; uses: number; discount: number }[]
}

export type CouponDetail = Coupon & { usage: CouponUsage }

export interface CouponFields {
  code?: string
  name?: string
  kind?: CouponKind
  percent?: number
  amount?: number
  threshold?: number
  repeat?: boolean
  min_spend?: number | null
  genres?: string[]
  exclusive?: boolean
  valid_from?: string | null
  valid_to?: string | null
  max_uses?: number | null
  per_member_limit?: number | null
  members_only?: boolean
  member_id?: number | null
  store_id?: number | null
  active?: boolean
}

export type CouponBatchFields = Omit<CouponFields, 'code' | 'max_uses' | 'per_member_limit'> & {
  prefix?: string
  count: number
}

export interface CouponBatch {
  prefix: string
  count: number
  items: { id: number; code: string }[]
  /** The first coupon of the batch: the template as stored. */
  coupon: Coupon
}

export interface CouponCheck {
  code: string
  valid: boolean
  reason: string | null
  coupon: Coupon | null
}

export interface CouponQuery {
  q?: string
  active?: boolean
  status?: CouponStatus
  sort?: string
  limit?: number
  cursor?: string | null
}

export const couponsApi = {
  list: (query: CouponQuery = {}) => api.get<Page<Coupon>>('/coupons', { query: { ...query } }),
  get: (id: number) => api.get<CouponDetail>(`/coupons/${id}`),
  create: (body: CouponFields, opts?: RequestOptions) => api.post<Coupon>('/coupons', body, opts),
  update: (id: number, changes: CouponFields, opts?: RequestOptions) => api.patch<Coupon>(`/coupons/${id}`, changes, opts),
  issueBatch: (body: CouponBatchFields, opts?: RequestOptions) => api.post<CouponBatch>('/coupons/batches', body, opts),
  check: (code: string, storeId?: number, memberId?: number, opts?: RequestOptions) =>
    api.get<CouponCheck>('/coupons/check', { ...opts, query: { code, store_id: storeId, member_id: memberId } }),
}
