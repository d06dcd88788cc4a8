// Stores (shops/branches): list, create, update.
import { api, type Page, type RequestOptions } from './client'
import type { IsoTime } from './types'

export interface Store {
  id: number
  code: string
  name: string
  address: string
  phone: string
  timezone: string
  currency: string
  active: boolean
  created_at: IsoTime
  updated_at: IsoTime
}

export type StoreFields = Pick<Store, 'code' | 'name' | 'address' | 'phone' | 'timezone' | 'currency'>
export type StoreChanges = Partial<StoreFields & { active: boolean }>

export const storesApi = {
  list: (query: { limit?: number; cursor?: string | null } = {}, opts?: RequestOptions) =>
    api.get<Page<Store>>('/stores', { ...opts, query: { ...query } }),
  create: (body: StoreFields, opts?: RequestOptions) => api.post<Store>('/stores', body, opts),
  update: (id: number, changes: StoreChanges, opts?: RequestOptions) => api.patch<Store>(`/stores/${id}`, changes, opts),

  /** Every store, following the cursor (a bookstore chain has few; bounded to 20 pages). */
  async listAll(opts?: RequestOptions): Promise<Store[]> {
    const out: Store[] = []
    let cursor: string | null = null
    for (let i = 0; i < 20; i++) {
      const page: Page<Store> = await storesApi.list({ limit: 200, cursor }, opts)
      out.push(...page.items)
      cursor = page.next_cursor
      if (!cursor) break
    }
    return out
  },
}
