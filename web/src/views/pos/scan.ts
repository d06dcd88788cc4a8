// What the scan field understands: a code (a scanner types it and Enter), "3*9787…" for three of
// a code, and "*3" to set the last line's quantity to 3. null for a quantity outside 1–9999.
export interface Scan {
  /** null: set the last line's quantity. */
  code: string | null
  quantity: number
}

export function parseScan(text: string): Scan | null {
  const s = text.trim()
  const only = /^[*×xX]\s*(\d{1,5})$/.exec(s)
  if (only) return quantityOk(Number(only[1])) ? { code: null, quantity: Number(only[1]) } : null
  const times = /^(\d{1,5})\s*[*×]\s*(\S.*)$/.exec(s)
  if (times) return quantityOk(Number(times[1])) ? { code: times[2].trim(), quantity: Number(times[1]) } : null
  return { code: s, quantity: 1 }
}

function quantityOk(q: number): boolean {
  return Number.isInteger(q) && q >= 1 && q <= 9999
}
