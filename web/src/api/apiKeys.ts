// API keys for integrations. The plaintext key exists only in the answer to create().
import { api, type Page, type RequestOptions } from './client'
import type { IsoTime, Role } from './types'

export interface ApiKey {
  id: number
  name: string
  prefix: string
  role: Role
  created_at: IsoTime
  last_used_at: IsoTime | null
  revoked_at: IsoTime | null
}

export interface CreatedApiKey extends ApiKey {
  /** The full secret ("sy_…"); shown once, never retrievable again. */
  key: string
}

export const apiKeysApi = {
  async list(): Promise<ApiKey[]> {
    // The contract says "a list": accept the usual {items} page as well as a bare array.
    const res = await api.get<Page<ApiKey> | ApiKey[]>('/api-keys')
    return Array.isArray(res) ? res : res.items
  },
  create: (body: { name: string; role: Role }, opts?: RequestOptions) => api.post<CreatedApiKey>('/api-keys', body, opts),
  revoke: (id: number) => api.delete<void>(`/api-keys/${id}`),
}
