// Member interests: a member's favourite genres by spend (GET /members/{id}/interests),
// with shares, the category names in both languages and a one-line summary for the till.
// Money is in minor units (fen).
import { api } from './client'

export interface GenreInterest {
  /** As recorded with the purchase: a category code such as "fiction.scifi". */
  genre: string
  /** The category's Chinese name, or the code when no category has it. */
  name: string
  /** The category's English name; else its Chinese name; else the code. */
  name_en: string
  in_catalog: boolean
  /** Net of returns, > 0. */
  spend: number
  /** Percent of total_spend, one decimal. */
  share_percent: number
  purchases: number
  /** YYYY-MM-DD business day of the latest purchase; null for older spend. */
  last_purchased_on: string | null
}

export interface MemberInterests {
  member_id: number
  currency: string
  total_spend: number
  /** Genres with positive spend, listed or not. */
  genre_count: number
  genres: GenreInterest[]
  /** The genres beyond the limit, together; null when all are listed. */
  others: { genre_count: number; spend: number; share_percent: number } | null
  /** One line for the cashier in each language; "" when nothing was bought. */
  summary: { 'zh-CN': string; en: string }
}

export const INTERESTS_MAX_LIMIT = 20

export const memberInterestsApi = {
  get: (memberId: number, limit?: number) =>
    api.get<MemberInterests>(`/members/${memberId}/interests`, { query: limit ? { limit } : {} }),
}
