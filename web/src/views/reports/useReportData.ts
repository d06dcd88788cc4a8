// Loads a report whenever its inputs change (the filters in the address, the page's own
// options, the UI language for server-made labels). A newer load wins over an older one
// still in flight; a failed load keeps nothing stale on screen and says so.
import { ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue'
import { useI18n } from 'vue-i18n'

export function useReportData<T>(inputs: () => unknown, load: () => Promise<T>): {
  data: ShallowRef<T | null>
  loading: Ref<boolean>
  failed: Ref<boolean>
  reload: () => Promise<void>
} {
  const { locale } = useI18n()
  const data = shallowRef<T | null>(null)
  const loading = ref(false)
  const failed = ref(false)
  let generation = 0

  async function reload(): Promise<void> {
    const mine = ++generation
    loading.value = true
    failed.value = false
    try {
      const answer = await load()
      if (mine !== generation) return
      data.value = answer
    } catch {
      if (mine !== generation) return
      data.value = null
      failed.value = true
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  watch(() => [inputs(), locale.value], () => void reload(), { immediate: true, deep: true })
  return { data, loading, failed, reload }
}
