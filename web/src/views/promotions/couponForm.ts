// The editable terms shared by the coupon dialog and the batch dialog: money as yuan text in the
// form, turned into fen for the API (with the field errors the server would give for bad text).
import type { Coupon, CouponFields, CouponKind } from '@/api/coupons'
import { parseYuan, yuanText } from '@/views/catalog/format'

export interface TermsForm {
  name: string
  kind: CouponKind
  percent: number
  amount: string
  threshold: string
  repeat: boolean
  min_spend: string
  genres: string[]
  exclusive: boolean
  valid_from: string | null
  valid_to: string | null
  members_only: boolean
  store_id: number | null
}

export function emptyTerms(): TermsForm {
  return {
    name: '', kind: 'spend_get', percent: 10, amount: '', threshold: '', repeat: false, min_spend: '', genres: [],
    exclusive: false, valid_from: null, valid_to: null, members_only: false, store_id: null,
  }
}

export function termsOf(c: Coupon): TermsForm {
  return {
    name: c.name, kind: c.kind, percent: c.kind === 'percent' ? c.percent : 10,
    amount: c.amount ? yuanText(c.amount) : '', threshold: c.threshold ? yuanText(c.threshold) : '', repeat: c.repeat,
    min_spend: c.min_spend === null ? '' : yuanText(c.min_spend), genres: [...c.genres], exclusive: c.exclusive,
    valid_from: c.valid_from, valid_to: c.valid_to, members_only: c.members_only, store_id: c.store_id,
  }
}

/** Fen of a yuan text ('' → null), or undefined when the text is not an amount. */
function money(text: string): number | null | undefined {
  if (!text.trim()) return null
  return parseYuan(text) ?? undefined
}

/** The amounts in fen as far as they parse (for the live example). */
export function termsAmounts(f: TermsForm): { amount: number | null; threshold: number | null } {
  return { amount: money(f.amount) ?? null, threshold: money(f.threshold) ?? null }
}

/** The request fields of the form, or the fields whose text is not an amount. */
export function termsBody(f: TermsForm, invalidMessage: string): { body: CouponFields } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  const body: CouponFields = {
    name: f.name.trim(), kind: f.kind, genres: f.genres, exclusive: f.exclusive,
    valid_from: f.valid_from || null, valid_to: f.valid_to || null, members_only: f.members_only, store_id: f.store_id,
  }
  if (f.kind === 'percent') body.percent = f.percent
  if (f.kind !== 'percent') {
    const amount = money(f.amount)
    if (amount === undefined) errors.amount = invalidMessage
    else body.amount = amount ?? 0
  }
  if (f.kind === 'spend_get') {
    const threshold = money(f.threshold)
    if (threshold === undefined) errors.threshold = invalidMessage
    else body.threshold = threshold ?? 0
    body.repeat = f.repeat
  }
  const min = money(f.min_spend)
  if (min === undefined) errors.min_spend = invalidMessage
  else body.min_spend = min
  return Object.keys(errors).length ? { errors } : { body }
}
