// Amounts typed by staff in yuan ("500", "12.5", "0.05") to minor units (fen), exactly: no
// floating point, at most two decimals. null when the text is not such an amount.
export function parseYuan(raw: string, allowNegative = false): number | null {
  const s = raw.trim()
  const m = /^([+-]?)(\d{1,9})(?:\.(\d{1,2}))?$/.exec(s)
  if (!m) return null
  if (m[1] === '-' && !allowNegative) return null
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0') || '0')
  return m[1] === '-' ? -fen : fen
}
