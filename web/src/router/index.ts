// History-mode router (the server falls back to index.html for unknown paths).
// Guards: restore the session once, send signed-out users to /login (keeping
// where they wanted to go), keep signed-in users off /login, enforce meta.roles.
import { createRouter, createWebHistory } from 'vue-router'
import { ElMessage } from 'element-plus'
import { routes } from './routes'
import { useSessionStore } from '@/stores/session'
import { onUnauthenticated } from '@/api/client'
import { i18n } from '@/locales'

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
})

/** Only same-app paths are accepted as a post-login destination. */
export function safeRedirect(raw: unknown): string {
  return typeof raw === 'string' && raw.startsWith('/') && !raw.startsWith('//') && !raw.startsWith('/login') ? raw : '/'
}

router.beforeEach(async (to) => {
  const session = useSessionStore()
  await session.restore()
  if (to.meta.public) {
    return to.name === 'login' && session.signedIn ? safeRedirect(to.query.redirect) : true
  }
  if (!session.signedIn) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (!session.hasRole(to.meta.roles)) {
    ElMessage({ type: 'warning', message: i18n.global.t('errors.code.permission_denied'), grouping: true })
    return { name: 'home' }
  }
  return true
})

// A 401 from any API call means the session is gone (expired, revoked, signed out elsewhere).
onUnauthenticated(() => {
  const session = useSessionStore()
  session.clear()
  const current = router.currentRoute.value
  if (!current.meta.public) {
    void router.replace({ name: 'login', query: { redirect: current.fullPath } })
  }
})
