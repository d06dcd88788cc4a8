// The signed-in staff member. restore() asks /auth/me once per page load
// (the CSRF token is kept in memory only, so a reload fetches it again);
// the api client learns the token through setCsrfToken().
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { setCsrfToken } from '@/api/client'
import { authApi, type Session } from '@/api/auth'
import type { Staff } from '@/api/staff'
import type { Role } from '@/api/types'

export const useSessionStore = defineStore('session', () => {
  const user = ref<Staff | null>(null)
  const expiresAt = ref<string | null>(null)
  let restoring: Promise<void> | null = null

  const signedIn = computed(() => user.value !== null)

  function apply(s: Session): void {
    user.value = s.user
    expiresAt.value = s.expires_at
    setCsrfToken(s.csrf_token)
  }

  function clear(): void {
    user.value = null
    expiresAt.value = null
    setCsrfToken(null)
  }

  /** Resolves once we know whether a session exists; runs /auth/me at most once. */
  function restore(): Promise<void> {
    if (!restoring) {
      restoring = authApi
        .me()
        .then(apply)
        .catch(() => clear())
    }
    return restoring
  }

  async function login(username: string, password: string): Promise<void> {
    apply(await authApi.login(username, password))
  }

  async function logout(): Promise<void> {
    try {
      await authApi.logout()
    } finally {
      // Even if the server already forgot the session, forget it here too.
      clear()
    }
  }

  function hasRole(roles: readonly Role[] | undefined): boolean {
    if (!roles || roles.length === 0) return true
    return user.value !== null && roles.includes(user.value.role)
  }

  return { user, expiresAt, signedIn, restore, login, logout, clear, hasRole }
})
