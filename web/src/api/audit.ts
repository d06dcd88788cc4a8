// The audit log: who did what, when, from where (read-only).
import { api, type Page } from './client'
import type { IsoTime } from './types'

export interface AuditEntry {
  id: number
  at: IsoTime
  actor_kind: string
  actor_id: number | null
  actor_name: string | null
  action: string
  target: string | null
  details: Record<string, unknown> | null
  ip: string | null
  request_id: string | null
}

export const auditApi = {
  list: (query: { limit?: number; cursor?: string | null } = {}) => api.get<Page<AuditEntry>>('/audit', { query: { ...query } }),
}
