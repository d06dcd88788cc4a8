// Privacy: a member's consent history (newest first), the download of everything held about
// them (JSON, owners and managers) and the erasure of their personal data (owners only).
import { api, request, type Page, type RequestOptions } from './client'
import type { IsoTime } from './types'

export interface ConsentChange {
  id: number
  member_id: number
  channel: 'email' | 'sms'
  /** true: given; false: declined or withdrawn. */
  granted: boolean
  at: IsoTime
  /** "staff:<username>", "api_key:<name>", "import:<file>", "portal" or "system". */
  source: string
  note: string
}

export interface Erasure {
  member_id: number
  erased_at: IsoTime
  consents_withdrawn: number
  rows_scrubbed: number
}

/** The export document: sections of stored rows (see docs/api.md "Privacy"). */
export type MemberExport = Record<string, unknown> & { format: string; member_id: number }

export const privacyApi = {
  consents: (memberId: number, query?: { limit?: number; cursor?: string | null }) =>
    api.get<Page<ConsentChange>>(`/members/${memberId}/consents`, { query }),
  exportData: (memberId: number, opts?: RequestOptions) =>
    request<MemberExport>('GET', `/members/${memberId}/export`, opts),
  erase: (memberId: number, reason: string, opts?: RequestOptions) =>
    api.post<Erasure>(`/members/${memberId}/erase`, { reason }, opts),
}
