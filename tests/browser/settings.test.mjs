// Settings as the owner uses it: the store list (with the demo store), creating
// and editing a store, the audit log, and API keys whose secret is shown once.
// Starts its own server (see harness.mjs).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launchBrowser, newPage, signIn, chooseOption, shotOnFailure, OWNER } from './harness.mjs'

let server
let browser
let context
let page

before(async () => {
  server = await startServer()
  browser = await launchBrowser()
  ;({ context, page } = await newPage(browser, server.baseURL))
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseURL })
  await page.goto('/login')
  await signIn(page, OWNER)
  await page.locator('[data-test="welcome-card"]').waitFor()
})

after(async () => {
  await context?.close()
  await browser?.close()
  await server?.stop()
})

test('stores: the demo store is listed; a new store can be created and edited', { timeout: 90_000 }, shotOnFailure(() => page, 'settings-stores', async () => {
  await page.locator('[data-test="nav-settings"]').click()
  await page.waitForURL((url) => url.pathname === '/settings')
  const table = page.locator('[data-test="stores-table"]')

  const seeded = (await (await page.request.get('/api/v1/stores')).json()).items
  assert.equal(seeded.length, 1, 'the demo seeds one store')
  const demoRow = table.locator('.el-table__row', { hasText: seeded[0].code })
  await demoRow.waitFor()
  assert.ok((await demoRow.innerText()).includes(seeded[0].name), `row shows ${seeded[0].name}`)

  await page.locator('[data-test="store-new"]').click()
  const dialog = page.locator('.el-dialog:visible')
  await dialog.locator('input[name="code"]').fill('SH01')
  await dialog.locator('input[name="name"]').fill('上海书友店')
  await dialog.locator('input[name="address"]').fill('上海市黄浦区南京东路 100 号')
  await dialog.locator('input[name="phone"]').fill('021-55550100')
  await dialog.locator('[data-test="store-save"]').click()
  await dialog.waitFor({ state: 'hidden' })

  const row = table.locator('.el-table__row', { hasText: 'SH01' })
  await row.waitFor()
  assert.match(await row.innerText(), /上海书友店/)

  const created = (await (await page.request.get('/api/v1/stores')).json()).items.find((s) => s.code === 'SH01')
  assert.ok(created, 'the server has the new store')
  assert.equal(created.name, '上海书友店')
  assert.equal(created.address, '上海市黄浦区南京东路 100 号')
  assert.equal(created.phone, '021-55550100')
  assert.equal(created.timezone, 'Asia/Shanghai')
  assert.equal(created.currency, 'CNY')

  // A second store with the same code is refused, and the reason is shown.
  await page.locator('[data-test="store-new"]').click()
  await dialog.locator('input[name="code"]').fill('SH01')
  await dialog.locator('input[name="name"]').fill('重复编码')
  await dialog.locator('[data-test="store-save"]').click()
  await page.locator('.el-message--error').waitFor()
  assert.ok(await dialog.isVisible(), 'the dialog stays open on a refused save')
  await dialog.getByRole('button', { name: '取消' }).click()
  await dialog.waitFor({ state: 'hidden' })

  // Edit: rename.
  await row.locator('[data-test="store-edit"]').click()
  await dialog.locator('input[name="name"]').fill('上海南京路店')
  await dialog.locator('[data-test="store-save"]').click()
  await dialog.waitFor({ state: 'hidden' })
  await table.locator('.el-table__row', { hasText: '上海南京路店' }).waitFor()
  const renamed = (await (await page.request.get('/api/v1/stores')).json()).items.find((s) => s.code === 'SH01')
  assert.equal(renamed.name, '上海南京路店')
}))

test('audit log lists what happened', { timeout: 60_000 }, shotOnFailure(() => page, 'settings-audit', async () => {
  await page.goto('/settings?tab=audit')
  const table = page.locator('[data-test="audit-table"]')
  const entries = (await (await page.request.get('/api/v1/audit?limit=50')).json()).items
  assert.ok(entries.length > 0, 'the store changes above were audited')
  await table.locator('.el-table__row').first().waitFor()
  const firstRow = await table.locator('.el-table__row').first().innerText()
  assert.ok(firstRow.includes(entries[0].action), `first row "${firstRow}" shows action ${entries[0].action}`)
  assert.equal(await table.locator('.el-table__row').count(), entries.length)
}))

test('API keys: create shows the key once, copy works, revoke', { timeout: 90_000 }, shotOnFailure(() => page, 'settings-api-keys', async () => {
  await page.goto('/settings?tab=api-keys')
  const table = page.locator('[data-test="api-keys-table"]')
  await table.waitFor()

  await page.locator('[data-test="api-key-new"]').click()
  const form = page.locator('.el-dialog:visible')
  await form.locator('input[name="name"]').fill('网店同步')
  await chooseOption(page, form.locator('[data-test="api-key-role"]'), '营销专员')
  await form.locator('[data-test="api-key-save"]').click()

  const keyInput = page.locator('input[data-test="api-key-value"]')
  await keyInput.waitFor()
  const key = await keyInput.inputValue()
  assert.match(key, /^sy_./)

  await page.locator('[data-test="api-key-copy"]').click()
  await page.getByText('已复制到剪贴板').waitFor()
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key)

  await page.locator('[data-test="api-key-done"]').click()
  await keyInput.waitFor({ state: 'hidden' })
  assert.ok(!(await page.content()).includes(key), 'the key is gone from the page once closed')

  const row = table.locator('.el-table__row', { hasText: '网店同步' })
  await row.waitFor()
  const listed = await (await page.request.get('/api/v1/api-keys')).json()
  const item = (Array.isArray(listed) ? listed : listed.items).find((k) => k.name === '网店同步')
  assert.ok(item, 'the server lists the key')
  assert.equal(item.role, 'marketer')
  assert.ok(!('key' in item) || !item.key, 'the list never carries the secret')
  assert.ok(key.startsWith(item.prefix), `key starts with its prefix ${item.prefix}`)
  assert.ok((await row.innerText()).includes(item.prefix), `row shows prefix ${item.prefix}`)

  await row.locator('[data-test="api-key-revoke"]').click()
  await page.locator('.el-message-box').getByRole('button', { name: '吊销' }).click()
  await row.getByText(/已于 .* 吊销/).waitFor()
  const after = await (await page.request.get('/api/v1/api-keys')).json()
  assert.ok((Array.isArray(after) ? after : after.items).find((k) => k.id === item.id).revoked_at)
}))
