// Privacy on the member page: the consent history grows when consent changes in the profile;
// "export data" downloads a JSON file holding the member's phone; erasing (reason and the typed
// confirmation word) leaves the member unfindable by phone in the member search.
// Starts its own server (see harness.mjs for how to run and configure).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { startServer, launchBrowser, newPage, signIn, failureShot, OWNER } from './harness.mjs'

let server
let browser

before(async () => {
  server = await startServer()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

const MEMBER = { phone: '13712345678', e164: '+8613712345678', name: '欧阳修' }

const consentRows = (page) => page.locator('[data-test="consent-table"] .el-table__body .el-table__row')

test('owner sees consent history, exports a member and erases them', { timeout: 180_000 }, async () => {
  const { context, page } = await newPage(browser, server.baseURL, { acceptDownloads: true })
  try {
    await page.goto('/login')
    await signIn(page, OWNER)
    await page.locator('[data-test="welcome-card"]').waitFor()
    const csrf = (await (await page.request.get('/api/v1/auth/me')).json()).csrf_token
    const made = await page.request.post('/api/v1/members', {
      data: { phone: MEMBER.phone, name: MEMBER.name, consent_email: true, consent_note: '纸质登记表' },
      headers: { 'X-CSRF-Token': csrf },
    })
    assert.equal(made.status(), 201, await made.text())
    const id = (await made.json()).id

    await page.goto(`/members/${id}`)
    await page.locator('[data-test="privacy-panel"]').waitFor()
    await consentRows(page).first().waitFor()
    assert.equal(await consentRows(page).count(), 1)
    assert.match(await consentRows(page).first().innerText(), /邮件\s+已同意\s+员工 owner\s+纸质登记表/)

    // SMS consent given in the profile: a new row on top.
    await page.locator('[data-test="member-consent-sms"]').click()
    await page.locator('[data-test="member-save"]').click()
    await page.locator('.el-message--success').first().waitFor()
    await page.waitForFunction(() => document.querySelectorAll('[data-test="consent-table"] .el-table__body .el-table__row').length === 2)
    assert.match(await consentRows(page).first().innerText(), /短信\s+已同意/)

    // Export: a JSON download with the member's data.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="privacy-export"]').click()])
    assert.equal(download.suggestedFilename(), `member-${id}-export.json`)
    const doc = JSON.parse(fs.readFileSync(await download.path(), 'utf8'))
    assert.equal(doc.format, 'shuyou.member-export')
    assert.equal(doc.profile.phone, MEMBER.e164)
    assert.equal(doc.profile.name, MEMBER.name)
    assert.equal(doc.consents.length, 2)

    // Erase: the button stays disabled until the reason and the confirmation word are typed.
    await page.locator('[data-test="privacy-erase"]').click()
    const dialog = page.locator('.el-dialog:visible')
    await dialog.locator('textarea[name="erase-reason"]').fill('会员来电要求删除')
    const confirm = dialog.locator('[data-test="erase-confirm"]')
    assert.ok(await confirm.isDisabled())
    await dialog.locator('input[name="erase-confirm"]').fill('删')
    assert.ok(await confirm.isDisabled())
    await dialog.locator('input[name="erase-confirm"]').fill('删除')
    await confirm.click()
    await page.locator('.el-message--success', { hasText: '个人信息已删除' }).waitFor()
    await page.locator('[data-test="privacy-erased"]').waitFor()
    await page.locator('[data-test="member-name"]', { hasText: '未填姓名' }).waitFor()
    assert.doesNotMatch(await page.locator('[data-test="member-summary"]').innerText(), /13712345678|欧阳修/)
    assert.equal(await page.locator('[data-test="privacy-export"]').count(), 0)
    assert.equal(await page.locator('[data-test="member-save"]').count(), 0, 'an erased profile cannot be edited')
    // Both consents were given: both withdrawals are on record, newest first.
    await page.waitForFunction(() => document.querySelectorAll('[data-test="consent-table"] .el-table__body .el-table__row').length === 4)
    assert.match(await consentRows(page).nth(0).innerText(), /短信\s+已撤回\s+员工 owner/)
    assert.match(await consentRows(page).nth(1).innerText(), /邮件\s+已撤回\s+员工 owner/)

    // The member search no longer finds them by phone, last 4 digits or name.
    await page.locator('[data-test="member-back"]').click()
    await page.waitForURL((url) => url.pathname === '/members')
    for (const q of [MEMBER.phone, '5678', MEMBER.name]) {
      const answered = page.waitForResponse((r) => r.url().includes('/api/v1/members?') && r.url().includes('q='))
      await page.locator('input[data-test="member-search"]').fill(q)
      await answered
      await page.locator('[data-test="member-table"] .el-table__empty-text').waitFor()
      assert.equal(await page.locator('[data-test="member-table"] .el-table__body .el-table__row').count(), 0, q)
    }
    const api = await (await page.request.get(`/api/v1/members?q=${MEMBER.phone}`)).json()
    assert.equal(api.items.length, 0)
  } catch (e) {
    await failureShot(page, 'privacy')
    throw e
  } finally {
    await context.close()
  }
})
