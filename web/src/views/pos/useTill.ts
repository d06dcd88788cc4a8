// Which till this browser is: the store (the signed-in staff's home store, else the first store)
// and the till name (default "1", chosen once and kept in localStorage), and the till's open
// shift (null when none: the screen asks for the opening float before selling).
import { computed, ref } from 'vue'
import { ApiError } from '@/api/client'
import { storesApi, type Store } from '@/api/stores'
import { shiftsApi, type Shift } from '@/api/sales'
import { useSessionStore } from '@/stores/session'

const TILL_KEY = 'shuyou.pos.till'

export function savedTill(): string {
  try {
    const t = localStorage.getItem(TILL_KEY)
    if (t && /^[A-Za-z0-9_-]{1,20}$/.test(t)) return t
  } catch {
    // Storage unavailable: the default till.
  }
  return '1'
}

export function saveTill(till: string): void {
  try {
    localStorage.setItem(TILL_KEY, till)
  } catch {
    // Not persisted; this page still uses it.
  }
}

export function useTill() {
  const session = useSessionStore()
  const stores = ref<Store[]>([])
  const storeId = ref<number | null>(null)
  const till = ref(savedTill())
  const shift = ref<Shift | null>(null)
  const loading = ref(true)
  const error = ref('')

  const store = computed(() => stores.value.find((s) => s.id === storeId.value) ?? null)

  /** Finds the store and the till's open shift; shift stays null when the till is closed. */
  async function load(): Promise<void> {
    loading.value = true
    error.value = ''
    try {
      stores.value = await storesApi.listAll({ notify: false })
      const home = session.user?.home_store_id ?? null
      storeId.value = home ?? stores.value.find((s) => s.active)?.id ?? stores.value[0]?.id ?? null
      if (storeId.value === null) return
      await loadShift()
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
    } finally {
      loading.value = false
    }
  }

  async function loadShift(): Promise<void> {
    if (storeId.value === null) return
    try {
      shift.value = await shiftsApi.current(storeId.value, till.value, { notify: false })
    } catch (e) {
      if (e instanceof ApiError && e.code === 'not_found') shift.value = null
      else throw e
    }
  }

  function setTill(t: string): void {
    till.value = t
    saveTill(t)
  }

  return { stores, storeId, store, till, shift, loading, error, load, loadShift, setTill }
}
