// The report filters (date range and store) live in the address (?from=&to=&store_id=), so
// every report tab shows the same period, a reload keeps it and a link can be shared. A missing
// or broken value falls back to the last 30 days / all stores.
import { computed } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import type { ReportFilter } from '@/api/reports'
import { defaultRange, parseDay } from './dates'

export function useReportFilter() {
  const route = useRoute()
  const router = useRouter()

  const filter = computed<ReportFilter>(() => {
    const from = parseDay(route.query.from) ? String(route.query.from) : null
    const to = parseDay(route.query.to) ? String(route.query.to) : null
    const [df, dt] = defaultRange()
    const store = Number(route.query.store_id)
    return {
      from: from && to ? from : df,
      to: from && to ? to : dt,
      store_id: Number.isInteger(store) && store > 0 ? store : null,
    }
  })

  function update(changes: Partial<ReportFilter>): void {
    const next = { ...filter.value, ...changes }
    const query: Record<string, string> = { ...(route.query as Record<string, string>), from: next.from, to: next.to }
    if (next.store_id) query.store_id = String(next.store_id)
    else delete query.store_id
    void router.replace({ query })
  }

  return { filter, update }
}
