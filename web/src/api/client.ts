// The one HTTP client of the front end. Every call to the Shuyou server goes
// through request(): it sends and parses JSON, attaches the CSRF token to every
// non-GET request, turns any failure into a typed ApiError, shows the error's
// message once (ElMessage) unless the caller opts out, and reports a 401 to the
// handler registered by the session store (which sends the user to /login).
// The CSRF token lives only in memory; it is re-read from /auth/me on reload.
import { ElMessage } from 'element-plus'
import { i18n } from '@/locales'

export type ErrorCode =
  | 'invalid_argument'
  | 'unauthenticated'
  | 'permission_denied'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'too_many_requests'
  | 'unavailable'
  | 'internal'
  | 'method_not_allowed'

export interface FieldError {
  field: string
  message: string
}

/** A failed request, as described by the server's error body (or by us when there was none). */
export class ApiError extends Error {
  readonly status: number
  readonly code: ErrorCode
  readonly details: FieldError[]
  /** Seconds from a Retry-After header, when the server sent one. */
  readonly retryAfter: number | null

  constructor(status: number, code: ErrorCode, message: string, details: FieldError[] = [], retryAfter: number | null = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
    this.retryAfter = retryAfter
  }

  /** Field-level messages keyed by field name (first message per field wins). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const d of this.details) if (d.field && !(d.field in out)) out[d.field] = d.message
    return out
  }
}

/** A cursor-paginated list, as every list endpoint returns it. */
export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export interface RequestOptions {
  /** Query parameters; undefined, null and '' values are left out. */
  query?: Record<string, string | number | boolean | null | undefined>
  /** JSON body (for POST/PATCH/PUT). */
  body?: unknown
  /** A body that is not JSON (a file upload), sent as is with its content type. */
  raw?: { body: Blob; contentType: string }
  /** Show the error message with ElMessage (default true). Set false when the caller renders it. */
  notify?: boolean
  /** Sent as the Idempotency-Key header: a retry with the same key writes once. */
  idempotencyKey?: string
}

const API_PREFIX = '/api/v1'

let csrfToken: string | null = null
let unauthenticatedHandler: (() => void) | null = null

export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/** Called on a 401 from any endpoint other than the session endpoints themselves. */
export function onUnauthenticated(handler: () => void): void {
  unauthenticatedHandler = handler
}

// A 401 from these is an expected answer, not a lost session.
const SESSION_PATHS = new Set(['/auth/login', '/auth/me', '/auth/logout'])

const ERROR_CODES = new Set<string>([
  'invalid_argument', 'unauthenticated', 'permission_denied', 'not_found', 'conflict',
  'payload_too_large', 'too_many_requests', 'unavailable', 'internal', 'method_not_allowed',
])

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400: case 422: return 'invalid_argument'
    case 401: return 'unauthenticated'
    case 403: return 'permission_denied'
    case 404: return 'not_found'
    case 405: return 'method_not_allowed'
    case 409: return 'conflict'
    case 413: return 'payload_too_large'
    case 429: return 'too_many_requests'
    case 502: case 503: case 504: return 'unavailable'
    default: return 'internal'
  }
}

function buildUrl(path: string, query?: RequestOptions['query']): string {
  let url = API_PREFIX + path
  if (query) {
    const params = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue
      params.set(k, String(v))
    }
    const qs = params.toString()
    if (qs) url += (url.includes('?') ? '&' : '?') + qs
  }
  return url
}

function parseRetryAfter(res: Response): number | null {
  const raw = res.headers.get('Retry-After')
  if (!raw) return null
  const n = Number(raw)
  return Number.isFinite(n) && n >= 0 ? Math.ceil(n) : null
}

async function errorFromResponse(res: Response): Promise<ApiError> {
  const t = i18n.global.t
  const retryAfter = parseRetryAfter(res)
  let code = codeForStatus(res.status)
  let message = ''
  let details: FieldError[] = []
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; details?: FieldError[] } }
    if (body && body.error) {
      if (body.error.code && ERROR_CODES.has(body.error.code)) code = body.error.code as ErrorCode
      message = body.error.message ?? ''
      if (Array.isArray(body.error.details)) details = body.error.details.filter((d) => d && typeof d.field === 'string')
    }
  } catch {
    // Not JSON (e.g. a proxy's error page): fall back to a message for the status.
  }
  if (code === 'too_many_requests') {
    // The server's text may not be in the user's language; this one must be clear.
    if (retryAfter === null || retryAfter === 0) message = t('errors.throttled')
    else if (retryAfter < 120) message = t('errors.throttledWait', { seconds: retryAfter })
    else message = t('errors.throttledWaitMinutes', { minutes: Math.ceil(retryAfter / 60) })
  }
  if (!message) message = t(`errors.code.${code}`)
  return new ApiError(res.status, code, message, details, retryAfter)
}

/**
 * Sends one request to /api/v1{path}. Resolves with the parsed JSON body
 * (undefined for 204), rejects with ApiError.
 */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const init: RequestInit = { method, headers, credentials: 'same-origin' }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(opts.body)
  } else if (opts.raw) {
    headers['Content-Type'] = opts.raw.contentType
    init.body = opts.raw.body
  }

  let res: Response | null = null
  try {
    res = await fetch(buildUrl(path, opts.query), init)
  } catch {
    // The server could not be reached at all; handled below.
  }
  let err: ApiError
  if (!res) {
    err = new ApiError(0, 'unavailable', i18n.global.t('errors.network'))
  } else if (res.ok) {
    if (res.status === 204) return undefined as T
    const text = await res.text()
    try {
      return (text ? JSON.parse(text) : undefined) as T
    } catch {
      err = new ApiError(res.status, 'internal', i18n.global.t('errors.badResponse'))
    }
  } else {
    err = await errorFromResponse(res)
  }

  const sessionPath = SESSION_PATHS.has(path)
  if (err.status === 401 && !sessionPath) {
    err = new ApiError(401, 'unauthenticated', i18n.global.t('errors.sessionExpired'))
    unauthenticatedHandler?.()
  }
  const quiet = opts.notify === false || (err.status === 401 && sessionPath)
  if (!quiet) ElMessage({ type: 'error', message: err.message, grouping: true, showClose: true })
  throw err
}

/** A downloaded file: its bytes and the name the server gave it (Content-Disposition). */
export interface DownloadedFile {
  blob: Blob
  filename: string
}

function filenameOf(res: Response, fallback: string): string {
  const cd = res.headers.get('Content-Disposition') ?? ''
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(cd)
  if (star) {
    try {
      return decodeURIComponent(star[1].trim())
    } catch {
      // Badly encoded; try the plain form.
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(cd)
  return plain ? plain[1].trim() : fallback
}

/**
 * GETs /api/v1{path} as a file (an export). Errors are handled as request() does:
 * an ApiError, shown once unless opts.notify is false, a 401 ends the session.
 */
export async function requestFile(path: string, fallbackName: string, opts: RequestOptions = {}): Promise<DownloadedFile> {
  let res: Response | null = null
  try {
    res = await fetch(buildUrl(path, opts.query), { method: 'GET', credentials: 'same-origin' })
  } catch {
    // Unreachable; handled below.
  }
  let err: ApiError
  if (!res) err = new ApiError(0, 'unavailable', i18n.global.t('errors.network'))
  else if (res.ok) return { blob: await res.blob(), filename: filenameOf(res, fallbackName) }
  else err = await errorFromResponse(res)
  if (err.status === 401) {
    err = new ApiError(401, 'unauthenticated', i18n.global.t('errors.sessionExpired'))
    unauthenticatedHandler?.()
  }
  if (opts.notify !== false) ElMessage({ type: 'error', message: err.message, grouping: true, showClose: true })
  throw err
}

/** Hands a downloaded file to the browser as a download. */
export function saveFile(file: DownloadedFile): void {
  const url = URL.createObjectURL(file.blob)
  const a = document.createElement('a')
  a.href = url
  a.download = file.filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, { ...opts, body }),
  delete: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),
}
