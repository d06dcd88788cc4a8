// Number formatting for the reports: money (¥ from minor units, as everywhere in the back
// office), counts with thousands separators, percentages, and the change against the
// previous period.
import { currentLocale } from '@/locales'
export { formatMoney } from '@/views/members/format'

export function formatCount(n: number): string {
  return new Intl.NumberFormat(currentLocale()).format(n)
}

/** 12.345 → "12.3%". */
export function formatPercent(p: number | null | undefined, digits = 1): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—'
  return `${p.toFixed(digits)}%`
}

/** A share (0..1) as a percentage: 0.1234 → "12.3%". */
export function formatShare(s: number | null | undefined, digits = 1): string {
  return s === null || s === undefined ? '—' : formatPercent(s * 100, digits)
}

/** Money in yuan for chart axes (a float is fine for drawing, never for sums). */
export function yuan(minor: number): number {
  return minor / 100
}

/** Short axis label for money in yuan: 12,345 → "1.2万" / "12.3k". */
export function compactYuan(v: number): string {
  return new Intl.NumberFormat(currentLocale(), { notation: 'compact', maximumFractionDigits: 1 }).format(v)
}
