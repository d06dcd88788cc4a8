// Coupon words for the screens: a one-line summary ("满 ¥100.00 减 ¥20.00") and a worked example
// computed the way the till prices it (core/pricing.h: percent rounds half up, a fixed amount
// never exceeds the basket, spend-X-get-Y takes Y once or for every full X). Integer fen only.
import type { Coupon, CouponKind } from '@/api/coupons'
import { yuanText } from '@/views/catalog/format'

type T = (key: string, values?: Record<string, unknown>) => string

export interface Terms {
  kind: CouponKind
  percent: number
  amount: number | null
  threshold: number | null
  repeat: boolean
}

/** 10 → "9", 15 → "8.5": the Chinese 折 of a percent off. */
function zhe(pct: number): string {
  const tenths = 100 - pct
  return tenths % 10 === 0 ? String(tenths / 10) : (tenths / 10).toFixed(1)
}

/** Yuan without needless decimals for the 满X减Y shorthand: 10000 → "100", 1990 → "19.9". */
function shortYuan(minor: number): string {
  return minor % 100 === 0 ? String(minor / 100) : yuanText(minor).replace(/0$/, '')
}

export function couponSummary(c: Pick<Coupon, 'kind' | 'percent' | 'amount' | 'threshold' | 'repeat'>, t: T): string {
  if (c.kind === 'percent') return t('coupons.summaryPercent', { pct: c.percent, zhe: zhe(c.percent) })
  if (c.kind === 'fixed') return t('coupons.summaryFixed', { amount: yuanText(c.amount) })
  return t(c.repeat ? 'coupons.summarySpendRepeat' : 'coupons.summarySpendOnce', { x: yuanText(c.threshold), y: yuanText(c.amount) })
}

/** A sentence with numbers showing what the coupon takes off, or the hint to fill in the amounts. */
export function couponExample(c: Terms, t: T): string {
  if (c.kind === 'percent') {
    if (!(c.percent >= 1 && c.percent <= 100)) return t('coupons.exampleIncomplete')
    const basket = 10000
    const off = Math.floor((basket * c.percent + 50) / 100)
    return t('coupons.examplePercent', { basket: yuanText(basket), pct: c.percent, off: yuanText(off), zhe: zhe(c.percent) })
  }
  if (c.kind === 'fixed') {
    if (!c.amount || c.amount < 1) return t('coupons.exampleIncomplete')
    const basket = Math.max(10000, c.amount * 3)
    const small = Math.max(1, Math.floor(c.amount / 2))
    return t('coupons.exampleFixed', { basket: yuanText(basket), off: yuanText(c.amount), small: yuanText(small) })
  }
  const x = c.threshold ?? 0
  const y = c.amount ?? 0
  if (x < 1 || y < 1 || y >= x) return t('coupons.exampleIncomplete')
  // 2.3 × X: two full X with some over, so "every X" and "once" differ.
  const basket = x * 2 + Math.floor((x * 3) / 10)
  if (c.repeat) {
    const times = Math.floor(basket / x)
    return t('coupons.exampleSpendRepeat', { x: shortYuan(x), y: shortYuan(y), basket: yuanText(basket), off: yuanText(times * y), times })
  }
  return t('coupons.exampleSpendOnce', { x: shortYuan(x), y: shortYuan(y), basket: yuanText(basket), off: yuanText(y), below: yuanText(x - 1) })
}
