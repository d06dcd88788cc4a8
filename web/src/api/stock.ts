// Stock per store: levels (with the low-stock filter), deliveries, adjustments, transfers,
// counts, reorder points and the movements history (newest first).
import { api, type Page, type RequestOptions } from './client'
import type { IsoTime } from './types'

export type MovementKind = 'receive' | 'adjust' | 'transfer_out' | 'transfer_in' | 'count' | 'sale' | 'return'

export interface StockLevel {
  store_id: number
  product_id: number
  barcode: string
  title: string
  list_price: number
  on_hand: number
  reorder_point: number
  /** on_hand <= reorder_point */
  low: boolean
  updated_at: IsoTime
}

export interface StockPage extends Page<StockLevel> {
  store_id: number
  allow_negative_stock: boolean
}

export interface StockMovement {
  id: number
  store_id: number
  product_id: number
  product_title: string
  at: IsoTime
  kind: MovementKind
  /** Signed change of on_hand. */
  quantity: number
  on_hand_after: number
  reason: string
  staff_id: number | null
  staff_username: string
  sale_id: number | null
  transfer_id: number | null
  receipt_id: number | null
}

/** A line names its product by id or by a scanned code (barcode or ISBN in any form). */
export interface StockLine {
  product_id?: number
  barcode?: string
  quantity: number
}

export interface CountLine {
  product_id?: number
  barcode?: string
  counted: number
}

export const stockApi = {
  list: (query: { store_id: number; low?: boolean; q?: string; sort?: string; limit?: number; cursor?: string | null }) =>
    api.get<StockPage>('/stock', { query: { ...query } }),
  movements: (query: { store_id?: number; product_id?: number; limit?: number; cursor?: string | null }) =>
    api.get<Page<StockMovement>>('/stock/movements', { query: { ...query } }),
  receive: (body: { store_id: number; supplier_reference?: string; note?: string; lines: StockLine[] }, opts?: RequestOptions) =>
    api.post<{ id: number; movements: StockMovement[] }>('/stock/receipts', body, opts),
  adjust: (body: { store_id: number; product_id?: number; barcode?: string; quantity: number; reason: string }, opts?: RequestOptions) =>
    api.post<StockMovement>('/stock/adjustments', body, opts),
  transfer: (body: { from_store_id: number; to_store_id: number; note?: string; lines: StockLine[] }, opts?: RequestOptions) =>
    api.post<{ id: number; movements: StockMovement[] }>('/stock/transfers', body, opts),
  count: (body: { store_id: number; reason?: string; lines: CountLine[] }, opts?: RequestOptions) =>
    api.post<{ movements: StockMovement[] }>('/stock/counts', body, opts),
  setReorderPoint: (body: { store_id: number; product_id: number; reorder_point: number }, opts?: RequestOptions) =>
    api.patch<StockLevel>('/stock/levels', body, opts),
  setSettings: (body: { store_id: number; allow_negative_stock: boolean }, opts?: RequestOptions) =>
    api.patch<{ store_id: number; allow_negative_stock: boolean }>('/stock/settings', body, opts),
}
