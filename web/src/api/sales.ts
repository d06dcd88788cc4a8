// The till: price a basket (quote), check out a sale (with an Idempotency-Key so a retry never
// sells twice), find a sale by receipt number, return part or all of it, and the cashier's shift
// (open with a float, close with the counted cash for the Z-report). Money is in minor units.
import { api, type Page, type RequestOptions } from './client'
import type { IsoTime } from './types'

export type PaymentMethod = 'cash' | 'card' | 'mobile' | 'stored_value'
export const PAYMENT_METHODS: readonly PaymentMethod[] = ['cash', 'card', 'mobile', 'stored_value']

export interface SaleLineRequest {
  product_id?: number
  /** A scanned code: EAN/UPC or an ISBN in any form. */
  barcode?: string
  /** 1–9999 */
  quantity: number
}

export interface PaymentRequest {
  method: PaymentMethod
  /** Handed over; cash may exceed what is due (change). */
  amount: number
  reference?: string
}

export interface SaleRequest {
  store_id: number
  member_id?: number | null
  shift_id?: number | null
  lines: SaleLineRequest[]
  coupon_codes?: string[]
  points_to_redeem?: number
  payments?: PaymentRequest[]
  note?: string
}

export interface SaleLine {
  /** Absent in a quote. */
  id?: number
  line_no: number
  product_id: number
  quantity: number
  unit_price: number
  tax_rate_bp: number
  gross: number
  member_discount: number
  coupon_discount: number
  net: number
  points_share: number
  paid: number
  tax: number
  returned_qty: number
  barcode: string
  title: string
  genre: string
}

export interface SaleDiscount {
  /** "tier:gold", "club:<name>", "coupon:<code>" */
  rule: string
  detail: string
  amount: number
  /** false for one listed but not given. */
  applied: boolean
  coupon_id: number | null
}

export interface SalePayment {
  id: number
  method: PaymentMethod
  /** Kept (cash: tendered − change). */
  amount: number
  tendered: number
  reference: string
  refunded: number
}

export interface SaleReturn {
  id: number
  sale_id: number
  store_id: number
  shift_id: number | null
  staff_id: number | null
  at: IsoTime
  business_day: string
  kind: 'return' | 'void'
  reason: string
  refund_total: number
  points_taken_back: number
  points_given_back: number
  lines: { sale_line_id: number; quantity: number; refund: number; points_share: number }[]
  payments: { sale_payment_id: number; method: PaymentMethod; amount: number }[]
  /** Stamps the returned lines had earned, taken back per card. */
  stamps_taken_back: { card_id: number; card_name: string; stamps: number; rewards_cancelled: number; shortfall: number }[]
}

export type SaleStatus = 'completed' | 'partly_returned' | 'returned' | 'voided'

export interface Sale {
  id: number
  receipt_number: string
  store_id: number
  shift_id: number | null
  staff_id: number | null
  staff_name: string
  member_id: number | null
  at: IsoTime
  business_day: string
  source: 'till' | 'import'
  currency: string
  status: SaleStatus
  note: string
  /** Σ line gross */
  subtotal: number
  discount_total: number
  /** subtotal − discounts: the receipt total */
  total: number
  points_redeemed: number
  /** Paid with points. */
  points_value: number
  /** total − points_value: paid with money. */
  due: number
  tax_total: number
  tendered: number
  change_due: number
  points_earned: number
  refunded_total: number
  /** Left out of lists. */
  lines?: SaleLine[]
  discounts?: SaleDiscount[]
  payments?: SalePayment[]
  returns?: SaleReturn[]
}

export interface PointsExplained {
  points: number
  lines: { rule: string; detail: string; points: number }[]
}

export interface SaleQuote extends Omit<Sale, 'id' | 'receipt_number'> {
  lines: SaleLine[]
  discounts: SaleDiscount[]
  points_to_earn: number
  points_explained: PointsExplained
  points_balance: number | null
  stored_value_balance: number | null
  /** What the program's limit and the balance allow on this basket. */
  max_points_to_redeem: number
}

export interface CheckoutResult extends Sale {
  lines: SaleLine[]
  discounts: SaleDiscount[]
  payments: SalePayment[]
  points_explained: PointsExplained
  /** After the sale, when a member is attached. */
  points_balance: number | null
  stored_value_balance: number | null
  tier_change: { from: string; to: string; reason: string } | null
}

export interface ReturnLineRequest {
  sale_line_id: number
  quantity: number
}

export interface ReturnRequest {
  /** Empty: everything not yet returned. */
  lines: ReturnLineRequest[]
  reason?: string
  shift_id?: number | null
}

export interface ReturnResult extends SaleReturn {
  sale: Sale
}

export interface ShiftReport {
  kind: 'X' | 'Z'
  sales_count: number
  sales_total: number
  discount_total: number
  points_value: number
  tax_total: number
  returns_count: number
  refund_total: number
  taken_by_method: Partial<Record<PaymentMethod, number>>
  refunded_by_method: Partial<Record<PaymentMethod, number>>
  expected_cash: number
}

export interface Shift {
  id: number
  store_id: number
  till: string
  staff_id: number | null
  staff_name: string
  opened_at: IsoTime
  opening_float: number
  closed_at: IsoTime | null
  closed_by: number | null
  counted_cash: number | null
  expected_cash: number | null
  difference: number | null
  note: string
  open: boolean
  /** X while open, Z once closed; left out of lists. */
  report?: ShiftReport
}

export const salesApi = {
  /** Prices the basket as checkout would, writing nothing. */
  quote: (body: SaleRequest, opts?: RequestOptions) => api.post<SaleQuote>('/sales/quote', body, opts),
  /** One key per payment attempt: a retry with the same key answers the first sale. */
  checkout: (body: SaleRequest, idempotencyKey: string, opts?: RequestOptions) =>
    api.post<CheckoutResult>('/sales', body, { ...opts, idempotencyKey }),
  get: (id: number, opts?: RequestOptions) => api.get<Sale>(`/sales/${id}`, opts),
  /** Newest first, one page; lines and payments are left out (get has them). */
  list: (query: { member_id?: number; store_id?: number; shift_id?: number; returnable_product_id?: number; from?: string; to?: string; limit?: number; cursor?: string | null }, opts?: RequestOptions) =>
    api.get<Page<Sale>>('/sales', { ...opts, query: { ...query, cursor: query.cursor ?? undefined } }),
  /** The sale with this printed receipt number, or null. */
  async findByReceipt(receiptNumber: string, opts?: RequestOptions): Promise<Sale | null> {
    const page = await api.get<Page<Sale>>('/sales', { ...opts, query: { receipt_number: receiptNumber } })
    return page.items[0] ?? null
  },
  returnSale: (id: number, body: ReturnRequest, idempotencyKey: string, opts?: RequestOptions) =>
    api.post<ReturnResult>(`/sales/${id}/returns`, body, { ...opts, idempotencyKey }),
  /** A manager's return of a whole sale that has had no return yet. */
  voidSale: (id: number, reason: string, idempotencyKey: string, opts?: RequestOptions) =>
    api.post<ReturnResult>(`/sales/${id}/void`, { reason }, { ...opts, idempotencyKey }),
  /** Queues the receipt for e-mail: to `email`, else to the member's address. */
  emailReceipt: (id: number, body: { email?: string; lang: string }, idempotencyKey: string, opts?: RequestOptions) =>
    api.post<{ id: number; recipient: string; status: string }>(`/sales/${id}/receipt/email`, body, { ...opts, idempotencyKey }),
  /** The receipt as a PDF download. */
  receiptPdfUrl: (id: number, lang: string) => `/api/v1/sales/${id}/receipt?format=pdf&lang=${encodeURIComponent(lang)}`,
  /** The printable receipt page (opened in a new window). */
  receiptUrl: (id: number, lang: string) => `/api/v1/sales/${id}/receipt?format=html&lang=${encodeURIComponent(lang)}`,
}

export const shiftsApi = {
  /** The till's open shift; rejects with not_found when there is none. */
  current: (storeId: number, till: string, opts?: RequestOptions) =>
    api.get<Shift>('/shifts/current', { ...opts, query: { store_id: storeId, till } }),
  get: (id: number, opts?: RequestOptions) => api.get<Shift>(`/shifts/${id}`, opts),
  open: (body: { store_id: number; till: string; opening_float: number }, opts?: RequestOptions) =>
    api.post<Shift>('/shifts', body, opts),
  close: (id: number, body: { counted_cash: number; note?: string }, opts?: RequestOptions) =>
    api.post<Shift>(`/shifts/${id}/close`, body, opts),
}

/** A fresh Idempotency-Key (one per payment or return attempt). */
export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  // crypto.randomUUID needs a secure context; plain-HTTP tills on a LAN fall back to getRandomValues.
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}
