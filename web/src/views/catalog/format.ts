// Catalog helpers for the screens: ISBN validation as the server does it (so a typo is caught
// before saving), yuan ↔ fen without floating point, and category labels in the UI language.
import type { Category } from '@/api/catalog'

/** Digits (and a final X) of a typed ISBN; spaces and hyphens dropped. */
function isbnChars(typed: string): string {
  return typed.replace(/[\s-]/g, '').toUpperCase()
}

/** The ISBN-13 of a valid ISBN-10 or ISBN-13, or null. */
export function normalizeIsbn(typed: string): string | null {
  const s = isbnChars(typed)
  if (/^\d{13}$/.test(s)) {
    if (!s.startsWith('978') && !s.startsWith('979')) return null
    let sum = 0
    for (let i = 0; i < 12; i++) sum += Number(s[i]) * (i % 2 ? 3 : 1)
    return (10 - (sum % 10)) % 10 === Number(s[12]) ? s : null
  }
  if (/^\d{9}[\dX]$/.test(s)) {
    let sum = 0
    for (let i = 0; i < 10; i++) sum += (s[i] === 'X' ? 10 : Number(s[i])) * (10 - i)
    if (sum % 11 !== 0) return null
    const body = '978' + s.slice(0, 9)
    let s13 = 0
    for (let i = 0; i < 12; i++) s13 += Number(body[i]) * (i % 2 ? 3 : 1)
    return body + String((10 - (s13 % 10)) % 10)
  }
  return null
}

/** "59.9" → 5990; null when not an amount with at most two decimals. */
export function parseYuan(text: string): number | null {
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.trim())
  if (!m) return null
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
}

/** 5990 → "59.90" (for inputs). */
export function yuanText(minor: number): string {
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`
}

export function categoryLabel(c: Category, locale: string): string {
  return locale === 'en' && c.name_en ? c.name_en : c.name
}

/** Categories (parents first, as the server lists them) with their depth, for indented lists. */
export function withDepth(categories: Category[]): { category: Category; depth: number }[] {
  const depth = new Map<number, number>()
  return categories.map((c) => {
    const d = c.parent_id === null ? 0 : (depth.get(c.parent_id) ?? 0) + 1
    depth.set(c.id, d)
    return { category: c, depth: d }
  })
}
