// Display helpers for the members screens: money from minor units, member names,
// and labels for server enums that fall back to the raw value when unknown.

/** 1230 → "¥12.30", -5 → "-¥0.05". Integer arithmetic only; the shop currency is CNY. */
export function formatMoney(minor: number): string {
  const sign = minor < 0 ? '-' : ''
  const abs = Math.abs(Math.trunc(minor))
  const yuan = Math.floor(abs / 100).toLocaleString('en-US')
  const fen = String(abs % 100).padStart(2, '0')
  return `${sign}¥${yuan}.${fen}`
}

/** Points with an explicit sign for ledger rows: +500, -120. */
export function formatSignedPoints(points: number): string {
  return points > 0 ? `+${points}` : String(points)
}
