// The zh-CN and en message trees must match: same files, same keys, no empty
// strings, and the same {placeholders} in both. Needs no server or browser.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const localesDir = fileURLToPath(new URL('../../web/src/locales', import.meta.url))
const LANGS = ['zh-CN', 'en']

function leaves(tree, prefix = '') {
  const out = new Map()
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'string') out.set(key, v)
    else if (v && typeof v === 'object' && !Array.isArray(v)) for (const [kk, vv] of leaves(v, key)) out.set(kk, vv)
    else out.set(key, v)
  }
  return out
}

function load(lang) {
  const dir = path.join(localesDir, lang)
  const all = new Map()
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const tree = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))
    for (const [k, v] of leaves(tree, path.basename(file, '.json'))) all.set(k, v)
  }
  return all
}

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

test('every locale has the same files', () => {
  const files = LANGS.map((l) => fs.readdirSync(path.join(localesDir, l)).filter((f) => f.endsWith('.json')).sort())
  assert.deepEqual(files[0], files[1])
})

test('zh-CN and en have the same keys, all non-empty strings with the same placeholders', () => {
  const [zh, en] = LANGS.map(load)
  assert.ok(zh.size > 50, `only ${zh.size} messages found`)
  const missingInEn = [...zh.keys()].filter((k) => !en.has(k))
  const missingInZh = [...en.keys()].filter((k) => !zh.has(k))
  assert.deepEqual({ missingInEn, missingInZh }, { missingInEn: [], missingInZh: [] })
  for (const [lang, messages] of [['zh-CN', zh], ['en', en]]) {
    for (const [k, v] of messages) {
      assert.equal(typeof v, 'string', `${lang}: ${k} is not a string`)
      assert.ok(v.trim().length > 0, `${lang}: ${k} is empty`)
      // vue-i18n reserves these characters for its message syntax.
      assert.ok(!/[@|$]/.test(v), `${lang}: ${k} contains @, | or $ (vue-i18n syntax): ${v}`)
    }
  }
  for (const [k, v] of zh) assert.deepEqual(placeholders(v), placeholders(en.get(k)), `placeholders differ for ${k}`)
})
