// A discount's or a points line's rule ("tier:gold", "club:书友会", "coupon:MAN100JIAN20") as the
// cashier reads it: the kind in the UI language, then the rule as the server names it.
type Translate = (key: string, named?: Record<string, unknown>) => string

const KINDS = new Set(['tier', 'club', 'coupon'])

export function ruleLabel(t: Translate, rule: string): string {
  const i = rule.indexOf(':')
  const kind = i > 0 ? rule.slice(0, i) : ''
  if (!KINDS.has(kind)) return rule
  return `${t(`pos.rule.${kind}`)} ${rule}`
}
