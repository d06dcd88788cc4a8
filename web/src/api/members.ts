// Members: registration and lookup at the till, profile changes, and the points and
// stored-value ledgers (newest first) with manager point adjustments.
// Money is in minor units (fen); points are whole numbers.
import { api, type Page, type RequestOptions } from './client'
import type { IsoTime } from './types'

export type Gender = 'female' | 'male' | 'other'
export const GENDERS: readonly Gender[] = ['female', 'male', 'other']

export interface Member {
  id: number
  /** The card_prefix setting (default "8601") + id in 8 digits + a Luhn check digit. */
  card_number: string
  /** E.164, e.g. "+8613800138000". */
  phone: string
  name: string
  email: string | null
  /** YYYY-MM-DD */
  birthday: string | null
  gender: Gender | null
  home_store_id: number | null
  tier: string
  points_balance: number
  /** Minor units. */
  stored_value_balance: number
  consent_email: boolean
  consent_sms: boolean
  consent_updated_at: IsoTime | null
  consent_source: string
  notes: string
  created_at: IsoTime
  updated_at: IsoTime
  created_by: string
  /** Set when the member's personal data was erased (api/privacy.ts). */
  erased_at?: IsoTime | null
}

export interface NewMember {
  /** Any accepted form ("138 0013 8000", "+1 415 555 0100"); the only required field. */
  phone: string
  name?: string
  email?: string | null
  birthday?: string | null
  gender?: Gender | null
  home_store_id?: number | null
  consent_email?: boolean
  consent_sms?: boolean
  notes?: string
}

/** Only the fields present change; null or '' clears email, birthday, gender, home_store_id. */
export type MemberChanges = Partial<Omit<NewMember, 'phone'>> & { phone?: string }

export type PointsKind = 'earn' | 'redeem' | 'adjust' | 'expire' | 'reverse'

export interface PointsEntry {
  id: number
  at: IsoTime
  kind: PointsKind
  /** Signed. */
  points: number
  balance_after: number
  reason: string
  staff_id: number | null
  /** '' when an API key or the system made the row. */
  staff_username: string
  sale_id: number | null
  expires_on: string | null
}

export interface StoredValueEntry {
  id: number
  at: IsoTime
  kind: 'topup' | 'bonus' | 'spend' | 'refund' | 'adjust'
  /** Signed, minor units. */
  amount: number
  balance_after: number
  reason: string
  staff_id: number | null
  staff_username: string
  /** The sale paid or refunded. */
  sale_id?: number | null
  /** How a top-up was paid. */
  payment_method?: 'cash' | 'card' | 'mobile' | null
}

/** A ledger page: the current balance and entries newest first. */
export interface Ledger<T> {
  balance: number
  entries: T[]
  next_cursor: string | null
}

export interface Adjustment {
  entry: PointsEntry
  balance: number
}

export interface MemberQuery {
  /** Full phone (any form), last 4 digits, card number, or part of a name. */
  q?: string
  limit?: number
  cursor?: string | null
  /** name (default), id, created_at; '-' prefix for descending. */
  sort?: string
}

export const membersApi = {
  search: (query: MemberQuery = {}) => api.get<Page<Member>>('/members', { query: { ...query } }),
  get: (id: number) => api.get<Member>(`/members/${id}`),
  register: (body: NewMember, opts?: RequestOptions) => api.post<Member>('/members', body, opts),
  update: (id: number, changes: MemberChanges, opts?: RequestOptions) => api.patch<Member>(`/members/${id}`, changes, opts),
  points: (id: number, query: { limit?: number; cursor?: string | null } = {}) =>
    api.get<Ledger<PointsEntry>>(`/members/${id}/points`, { query: { ...query } }),
  adjustPoints: (id: number, points: number, reason: string, opts?: RequestOptions) =>
    api.post<Adjustment>(`/members/${id}/points/adjustments`, { points, reason }, opts),
  storedValue: (id: number, query: { limit?: number; cursor?: string | null } = {}) =>
    api.get<Ledger<StoredValueEntry>>(`/members/${id}/stored-value`, { query: { ...query } }),
}
