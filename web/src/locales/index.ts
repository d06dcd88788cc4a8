// Internationalisation. Messages live in locales/<lang>/<module>.json and are
// addressed as "<module>.<key>" (e.g. "staff.title"). zh-CN is the default;
// the choice is kept in localStorage. Both trees must have the same keys
// (checked by tests/browser/i18n_keys.test.mjs).
import { createI18n } from 'vue-i18n'
import { computed } from 'vue'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import en from 'element-plus/es/locale/lang/en'

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'zh-CN'
const STORAGE_KEY = 'shuyou.locale'

type Tree = { [key: string]: string | Tree }

function loadMessages(): Record<Locale, Tree> {
  const files = import.meta.glob<Tree>('./*/*.json', { eager: true, import: 'default' })
  const out = { 'zh-CN': {}, en: {} } as Record<Locale, Tree>
  for (const [path, tree] of Object.entries(files)) {
    const m = /^\.\/([^/]+)\/([^/]+)\.json$/.exec(path)
    if (!m) continue
    const lang = m[1] as Locale
    if (lang in out) out[lang][m[2]] = tree
  }
  return out
}

function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v)
}

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY)
    if (isLocale(saved)) return saved
  } catch {
    // Storage may be unavailable (privacy mode); use the default.
  }
  return DEFAULT_LOCALE
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'en',
  messages: loadMessages(),
})

document.documentElement.lang = i18n.global.locale.value

export function currentLocale(): Locale {
  return i18n.global.locale.value as Locale
}

export function setLocale(lang: Locale): void {
  i18n.global.locale.value = lang
  document.documentElement.lang = lang
  try {
    localStorage.setItem(STORAGE_KEY, lang)
  } catch {
    // Not persisted; the switch still applies to this page.
  }
}

/** Element Plus's own strings (pagination, dialogs, date pickers) follow the app locale. */
export const elementLocale = computed(() => (i18n.global.locale.value === 'en' ? en : zhCn))
