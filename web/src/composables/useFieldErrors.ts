// Server-side field validation errors shown beside form fields
// (<el-form-item :error="fieldErrors.username">). Cleared before each submit.
import { ref } from 'vue'
import { ApiError } from '@/api/client'

export function useFieldErrors() {
  const fieldErrors = ref<Record<string, string>>({})

  function clear(): void {
    fieldErrors.value = {}
  }

  /** Takes the field messages of an ApiError; returns true if there were any. */
  function take(err: unknown): boolean {
    if (!(err instanceof ApiError)) return false
    fieldErrors.value = err.fieldErrors()
    return Object.keys(fieldErrors.value).length > 0
  }

  return { fieldErrors, clear, take }
}
