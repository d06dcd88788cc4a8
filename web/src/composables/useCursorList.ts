// State for a cursor-paginated list shown with a "load more" button:
// reload() starts over (e.g. after a new search), loadMore() appends the next page.
// A reload that overtakes an older in-flight request wins; stale answers are dropped.
import { ref, shallowRef } from 'vue'
import type { Page } from '@/api/client'

export function useCursorList<T>(fetchPage: (cursor: string | null) => Promise<Page<T>>) {
  const items = shallowRef<T[]>([])
  const nextCursor = ref<string | null>(null)
  const loading = ref(false)
  const loaded = ref(false)
  let generation = 0

  async function load(cursor: string | null, append: boolean): Promise<void> {
    const mine = ++generation
    loading.value = true
    try {
      const page = await fetchPage(cursor)
      if (mine !== generation) return
      items.value = append ? [...items.value, ...page.items] : page.items
      nextCursor.value = page.next_cursor
      loaded.value = true
    } catch {
      // The api client has already shown the error; keep what is on screen.
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  return {
    items,
    nextCursor,
    loading,
    loaded,
    reload: () => load(null, false),
    loadMore: () => (nextCursor.value ? load(nextCursor.value, true) : Promise.resolve()),
    /** Replace one item in place (after an edit) without reloading. */
    replace(match: (item: T) => boolean, next: T) {
      items.value = items.value.map((it) => (match(it) ? next : it))
    },
  }
}
