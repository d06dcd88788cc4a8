// Business-day arithmetic for the report filters: 'YYYY-MM-DD' strings built from the
// browser's calendar (no time zone shifts: dates are made at local noon), and the presets
// of the date range picker.

/** 'YYYY-MM-DD' of a local date. */
export function isoDay(d: Date): string {
  const m = String(d.getMonth() + 1).padStart(2, '0')
  const day = String(d.getDate()).padStart(2, '0')
  return `${d.getFullYear()}-${m}-${day}`
}

/** The local date of 'YYYY-MM-DD' (at noon), or null when it is not a real date. */
export function parseDay(s: unknown): Date | null {
  if (typeof s !== 'string') return null
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (!m) return null
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12)
  return isoDay(d) === s ? d : null
}

export function addDays(d: Date, n: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n, 12)
}

function today(): Date {
  const now = new Date()
  return new Date(now.getFullYear(), now.getMonth(), now.getDate(), 12)
}

export type PresetName = 'today' | 'last7' | 'last30' | 'thisMonth' | 'lastMonth' | 'thisYear' | 'last12Months'
export const PRESETS: readonly PresetName[] = ['today', 'last7', 'last30', 'thisMonth', 'lastMonth', 'thisYear', 'last12Months']

/** The [from, to] business days of a preset, relative to `now` (today by default). */
export function presetRange(name: PresetName, now: Date = today()): [string, string] {
  const y = now.getFullYear()
  const m = now.getMonth()
  switch (name) {
    case 'today':
      return [isoDay(now), isoDay(now)]
    case 'last7':
      return [isoDay(addDays(now, -6)), isoDay(now)]
    case 'last30':
      return [isoDay(addDays(now, -29)), isoDay(now)]
    case 'thisMonth':
      return [isoDay(new Date(y, m, 1, 12)), isoDay(now)]
    case 'lastMonth':
      return [isoDay(new Date(y, m - 1, 1, 12)), isoDay(new Date(y, m, 0, 12))]
    case 'thisYear':
      return [isoDay(new Date(y, 0, 1, 12)), isoDay(now)]
    case 'last12Months':
      return [isoDay(addDays(new Date(y - 1, m, now.getDate(), 12), 1)), isoDay(now)]
  }
}

/** The range used when the address names none: the last 30 days, as the server's default. */
export function defaultRange(): [string, string] {
  return presetRange('last30')
}
