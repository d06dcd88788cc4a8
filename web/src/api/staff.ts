// Staff accounts: list (cursor-paginated, searchable), create, update, revoke sessions.
import { api, type Page, type RequestOptions } from './client'
import type { IsoTime, Role } from './types'

export interface Staff {
  id: number
  username: string
  display_name: string
  role: Role
  home_store_id: number | null
  active: boolean
  created_at: IsoTime
  updated_at: IsoTime
}

export interface StaffQuery {
  limit?: number
  cursor?: string | null
  /** A field name, optionally prefixed with '-' for descending, e.g. "username" or "-created_at". */
  sort?: string
  q?: string
}

export interface NewStaff {
  username: string
  display_name: string
  role: Role
  home_store_id: number | null
  password: string
}

export type StaffChanges = Partial<Pick<Staff, 'display_name' | 'role' | 'home_store_id' | 'active'>> & { password?: string }

export const staffApi = {
  list: (query: StaffQuery = {}) => api.get<Page<Staff>>('/staff', { query: { ...query } }),
  create: (body: NewStaff, opts?: RequestOptions) => api.post<Staff>('/staff', body, opts),
  update: (id: number, changes: StaffChanges, opts?: RequestOptions) => api.patch<Staff>(`/staff/${id}`, changes, opts),
  revokeSessions: (id: number) => api.post<void>(`/staff/${id}/revoke-sessions`),
}
