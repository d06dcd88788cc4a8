// Stored value (top-ups with the program's bonus, spends, adjustments), paid membership clubs
// and stamp cards. Money is in minor units (fen). Top-ups, spends and club payments send an
// Idempotency-Key so that a retry after a timeout never charges twice.
import { api, type RequestOptions } from './client'
import type { StoredValueEntry } from './members'
import type { IsoTime } from './types'

export type TopUpMethod = 'cash' | 'card' | 'mobile'
export const TOP_UP_METHODS: readonly TopUpMethod[] = ['cash', 'card', 'mobile']
export type ClubPaymentMethod = TopUpMethod | 'stored_value'
export const CLUB_PAYMENT_METHODS: readonly ClubPaymentMethod[] = ['cash', 'card', 'mobile', 'stored_value']

export interface StoredValueChange {
  /** In the order written: a top-up, then its bonus. */
  entries: StoredValueEntry[]
  balance: number
}

export interface Club {
  id: number
  name: string
  /** Minor units per period of duration_months. */
  annual_fee: number
  duration_months: number
  discount_percent: number
  /** 150 earns ×1.5 points. */
  points_percent: number
  active: boolean
  created_at: IsoTime
  updated_at: IsoTime
}
export type ClubInput = Partial<Omit<Club, 'id' | 'created_at' | 'updated_at'>>

export interface ClubMembership {
  id: number
  member_id: number
  club: Club
  /** YYYY-MM-DD */
  started_on: string
  /** The last day valid, YYYY-MM-DD. */
  ends_on: string
  status: 'active' | 'expired'
  days_left: number
}

export interface ClubPayment {
  id: number
  kind: 'join' | 'renew'
  at: IsoTime
  amount: number
  payment_method: ClubPaymentMethod
  period_start: string
  period_end: string
  stored_value_ledger_id: number | null
  staff_username: string
}

export interface ClubJoin {
  membership: ClubMembership
  payment: ClubPayment
  stored_value: StoredValueEntry | null
}

export interface StampCard {
  id: number
  name: string
  stamps_needed: number
  reward: string
  /** Only lines of this genre earn stamps; null: every purchase line. */
  genre: string | null
  active: boolean
  created_at: IsoTime
  updated_at: IsoTime
}
export type StampCardInput = Partial<Omit<StampCard, 'id' | 'created_at' | 'updated_at'>>

export interface StampReward {
  id: number
  card_id: number
  card_name: string
  reward: string
  earned_at: IsoTime
  sale_id: number | null
  redeemed_at: IsoTime | null
  redeemed_by: string
  redeemed_sale_id: number | null
}

export interface StampAward {
  card_id: number
  card_name: string
  stamps_added: number
  stamps: number
  stamps_needed: number
  rewards: StampReward[]
}

export interface MemberStamps {
  cards: { card: StampCard; stamps: number }[]
  rewards: StampReward[]
  redeemed: StampReward[]
}

/** A fresh key for one write the user asked for (reused only by retries of that write). */
export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID()
  return `k-${Date.now()}-${Math.random().toString(36).slice(2)}`
}

const keyed = (key: string, opts?: RequestOptions): RequestOptions => ({ ...opts, idempotencyKey: key })

export interface TopUpRule {
  min_top_up: number
  bonus: number
}

export const walletApi = {
  /** The current loyalty program's top-up bonus rules (for the preview beside the amount). */
  topUpRules: async (): Promise<TopUpRule[]> =>
    (await api.get<{ top_up_bonuses: TopUpRule[] }>('/loyalty/program', { notify: false })).top_up_bonuses ?? [],
  topUp: (member: number, body: { amount: number; payment_method: TopUpMethod; reason?: string }, key: string, opts?: RequestOptions) =>
    api.post<StoredValueChange>(`/members/${member}/stored-value/top-ups`, body, keyed(key, opts)),
  spend: (member: number, body: { amount: number; sale_id?: number | null; reason?: string }, key: string, opts?: RequestOptions) =>
    api.post<StoredValueChange>(`/members/${member}/stored-value/spends`, body, keyed(key, opts)),
  adjust: (member: number, amount: number, reason: string, opts?: RequestOptions) =>
    api.post<StoredValueChange>(`/members/${member}/stored-value/adjustments`, { amount, reason }, opts),

  clubs: () => api.get<{ items: Club[] }>('/clubs'),
  createClub: (body: ClubInput, opts?: RequestOptions) => api.post<Club>('/clubs', body, opts),
  updateClub: (id: number, body: ClubInput, opts?: RequestOptions) => api.patch<Club>(`/clubs/${id}`, body, opts),
  deleteClub: (id: number) => api.delete<void>(`/clubs/${id}`),
  memberClubs: (member: number) => api.get<{ items: ClubMembership[]; payments: ClubPayment[] }>(`/members/${member}/clubs`),
  joinClub: (member: number, body: { club_id: number; payment_method: ClubPaymentMethod }, key: string, opts?: RequestOptions) =>
    api.post<ClubJoin>(`/members/${member}/clubs`, body, keyed(key, opts)),

  stampCards: () => api.get<{ items: StampCard[] }>('/stamp-cards'),
  createStampCard: (body: StampCardInput, opts?: RequestOptions) => api.post<StampCard>('/stamp-cards', body, opts),
  updateStampCard: (id: number, body: StampCardInput, opts?: RequestOptions) => api.patch<StampCard>(`/stamp-cards/${id}`, body, opts),
  deleteStampCard: (id: number) => api.delete<void>(`/stamp-cards/${id}`),
  memberStamps: (member: number) => api.get<MemberStamps>(`/members/${member}/stamps`),
  addStamps: (member: number, body: { card_id: number; count: number; reason: string }, opts?: RequestOptions) =>
    api.post<StampAward>(`/members/${member}/stamps`, body, opts),
  redeemReward: (member: number, reward: number) => api.post<StampReward>(`/members/${member}/stamp-rewards/${reward}/redeem`, {}),
}

/** The program's top-up bonus for `amount`: the largest bonus among the rules it meets (ties: the first). */
export function topUpBonusFor(rules: TopUpRule[], amount: number): TopUpRule | null {
  let best: TopUpRule | null = null
  for (const r of rules) if (r.min_top_up <= amount && (!best || r.bonus > best.bonus)) best = r
  return best && best.bonus > 0 ? best : null
}
