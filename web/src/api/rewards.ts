// Rewards: points redemption at the till (retry-safe with an idempotency key), a member's tier
// and progress to the next tier, and the scheduled jobs' runs (owners).
// Money is in minor units (fen); points are whole numbers.
import { api, type RequestOptions } from './client'
import type { Adjustment } from './members'
import type { IsoTime } from './types'

export interface TierBenefits {
  discount_percent: number
  points_percent: number
}

export interface TierChange {
  id: number
  from: string
  to: string
  reason: string
  /** YYYY-MM-DD, business day */
  day: string
  at: IsoTime
}

export interface TierProgress {
  tier: string
  benefits: TierBenefits
  tier_since: IsoTime | null
  last_qualified_on: string | null
  rolling_12_months: { from: string; to: string; spend: number; visits: number; currency: string }
  /** What the window qualifies for today; below `tier` means a downgrade may follow after the grace period. */
  qualifies_for: string
  next: {
    tier: string
    min_spend: number | null
    min_visits: number | null
    /** false: either threshold is enough. */
    need_both: boolean
    missing_spend: number
    missing_visits: number
    benefits: TierBenefits
  } | null
  /** Newest first. */
  history: TierChange[]
  total_spend: number
  total_visits: number
  last_visit_at: IsoTime | null
}

export interface JobRun {
  id: number
  job: 'points-expiry' | 'tier-evaluation' | 'birthday-bonus'
  day: string
  status: 'running' | 'done' | 'failed'
  started_at: IsoTime
  finished_at: IsoTime | null
  members: number
  points: number
  error: string
  trigger: 'scheduler' | 'cli'
}

/** A fresh idempotency key for one redemption attempt (kept across its retries). */
export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID()
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`
}

export const rewardsApi = {
  redeem: (memberId: number, points: number, reason: string, idempotencyKey: string, opts?: RequestOptions) =>
    api.post<Adjustment>(`/members/${memberId}/points/redemptions`, { points, reason }, { ...opts, idempotencyKey }),
  tier: (memberId: number) => api.get<TierProgress>(`/members/${memberId}/tier`),
  jobRuns: (query: { limit?: number; job?: string } = {}) =>
    api.get<{ items: JobRun[] }>('/jobs/runs', { query: { ...query } }),
}
