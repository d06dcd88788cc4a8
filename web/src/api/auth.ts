// Session endpoints: sign in, restore the session on reload, sign out.
import { api } from './client'
import type { IsoTime } from './types'
import type { Staff } from './staff'

export interface Session {
  user: Staff
  csrf_token: string
  expires_at: IsoTime
}

export const authApi = {
  /** The caller renders the error itself (wrong password, throttling). */
  login: (username: string, password: string) =>
    api.post<Session>('/auth/login', { username, password }, { notify: false }),
  /** 401 when there is no session; never shown to the user. */
  me: () => api.get<Session>('/auth/me', { notify: false }),
  logout: () => api.post<void>('/auth/logout', undefined, { notify: false }),
}
