// The open report tells the shared filter bar which extra parameters its export needs (the
// sales grouping, the books list shown, …), so a download holds what is on screen.
import { inject, onBeforeUnmount, provide, ref, watchEffect, type InjectionKey, type Ref } from 'vue'

export type ExportParams = Record<string, string | number | null | undefined>

const KEY: InjectionKey<Ref<ExportParams>> = Symbol('report-export-params')

/** In the Reports layout: the parameters the open report asked for. */
export function provideExportParams(): Ref<ExportParams> {
  const params = ref<ExportParams>({})
  provide(KEY, params)
  return params
}

/** In a report page: keeps the export parameters in step with `compute` while the page is open. */
export function useExportParams(compute: () => ExportParams): void {
  const params = inject(KEY, null)
  if (!params) return
  const stop = watchEffect(() => {
    params.value = compute()
  })
  onBeforeUnmount(() => {
    stop()
    params.value = {}
  })
}
