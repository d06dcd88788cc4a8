// The loyalty program settings screen (owner): change the base rate and a tier's points
// multiplier and watch the live preview of a sample basket follow the draft; save, reload and
// see the saved values; a bad tier threshold shows the server's message beside its field and
// is not saved; a save over someone else's newer version is refused and offers a reload.
// Starts its own server (see harness.mjs for how to run and configure).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launchBrowser, newPage, signIn, chooseOption, failureShot, OWNER } from './harness.mjs'

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

const previewPoints = (page) => page.locator('[data-test="preview-points"]')

/** Waits until the preview shows `points`. */
async function previewShows(page, points) {
  await page.waitForFunction(
    (want) => document.querySelector('[data-test="preview-points"]')?.textContent?.trim() === want,
    String(points),
  )
}

/** Types `value` into an el-input-number found by its data-test, and leaves the field. */
async function setNumber(page, dataTest, value) {
  const input = page.locator(`[data-test="${dataTest}"] input`)
  await input.fill(String(value))
  await input.press('Tab')
}

test('owner edits the program with a live preview, saves, reloads; bad values and conflicts are explained', { timeout: 180_000 }, async () => {
  const { context, page } = await newPage(browser, server.baseURL)
  try {
    await page.goto('/login')
    await signIn(page, OWNER)
    await page.locator('[data-test="welcome-card"]').waitFor()

    // The menu group "loyalty" holds the program settings.
    await page.locator('[data-test="nav-group-loyalty"]').click()
    await page.locator('[data-test="nav-loyalty-program"]').click()
    await page.waitForURL((url) => url.pathname === '/loyalty/program')
    await page.locator('[data-test="program-version"]', { hasText: '系统默认规则' }).waitFor()

    // The sample basket (¥86.50 + ¥56.00) under the default 1 point per ¥1, rounded down.
    await previewShows(page, 142)
    const lines = page.locator('[data-test="preview-lines"] .el-table__row')
    assert.match(await lines.first().innerText(), /基础积分/)

    // 2 points per ¥1: the preview follows the unsaved draft.
    await setNumber(page, 'base-points', 2)
    await previewShows(page, 285)
    await page.locator('[data-test="program-dirty"]').waitFor()

    // A silver member: ×1.2 by default, then ×2 once the tier is changed.
    await chooseOption(page, page.locator('[data-test="basket-tier"]'), 'silver')
    await previewShows(page, 342)
    await setNumber(page, 'tier-multiplier-1', 2)
    await previewShows(page, 570)
    assert.match(await page.locator('[data-test="preview-lines"]').innerText(), /等级 silver/)

    await page.locator('[data-test="program-save"]').click()
    await page.locator('.el-message--success', { hasText: '第 1 版' }).waitFor()
    const saved = await (await page.request.get('/api/v1/loyalty/program')).json()
    assert.equal(saved.version, 1)
    assert.equal(saved.base_rate.points, 2)
    assert.equal(saved.tiers[1].points_percent, 200)
    assert.equal(saved.tiers[2].points_percent, 150, 'other tiers unchanged')

    // After a reload the saved values are on screen.
    await page.reload()
    await page.locator('[data-test="program-version"]', { hasText: '第 1 版' }).waitFor()
    assert.equal(await page.locator('[data-test="base-points"] input').inputValue(), '2')
    assert.equal(await page.locator('[data-test="tier-multiplier-1"] input').inputValue(), '2.00')
    assert.equal(await page.locator('[data-test="tier-min-spend-1"] input').inputValue(), '2000.00', 'money in yuan')
    await previewShows(page, 285)

    // Gold below silver: the server's message appears beside gold's spend, live from the
    // preview and again on save; nothing is saved.
    await setNumber(page, 'tier-min-spend-2', 100)
    const goldSpend = page.locator('[data-test="tier-table"] .el-table__row').nth(2)
      .locator('.el-form-item', { has: page.locator('[data-test="tier-min-spend-2"]') })
    await goldSpend.locator('.el-form-item__error', { hasText: '200000' }).waitFor()
    await page.locator('[data-test="preview-draft-invalid"]').waitFor()
    await page.locator('[data-test="program-save"]').click()
    await page.locator('.el-message--error', { hasText: '请看字段旁的提示' }).waitFor()
    await goldSpend.locator('.el-form-item__error').waitFor()
    assert.equal((await (await page.request.get('/api/v1/loyalty/program')).json()).version, 1)

    // Fixed, the preview comes back.
    await setNumber(page, 'tier-min-spend-2', 6000)
    await goldSpend.locator('.el-form-item__error').waitFor({ state: 'detached' })
    await previewShows(page, 285)

    // Someone else saves meanwhile: the save is refused and a reload shows their version.
    const csrf = (await (await page.request.get('/api/v1/auth/me')).json()).csrf_token
    const theirs = { ...saved, sign_up_bonus: 88 }
    delete theirs.updated_at
    delete theirs.updated_by
    const put = await page.request.put('/api/v1/loyalty/program', { data: theirs, headers: { 'X-CSRF-Token': csrf } })
    assert.equal(put.status(), 200, await put.text())
    await page.locator('[data-test="program-save"]').click()
    const box = page.locator('.el-message-box', { hasText: '已被他人保存' })
    await box.waitFor()
    await box.getByRole('button', { name: '重新加载' }).click()
    await page.locator('[data-test="program-version"]', { hasText: '第 2 版' }).waitFor()
    assert.equal(await page.locator('[data-test="sign-up-bonus"] input').inputValue(), '88')
    assert.equal(await page.locator('[data-test="tier-min-spend-2"] input').inputValue(), '5000.00')
    await page.locator('[data-test="program-dirty"]').waitFor({ state: 'detached' })
    assert.ok(await page.locator('[data-test="program-save"]').isDisabled(), 'nothing to save after the reload')
  } catch (e) {
    await failureShot(page, 'loyalty-program')
    throw e
  } finally {
    await context.close()
  }
})

test('the program settings are for owners only', { timeout: 60_000 }, async () => {
  const { context, page } = await newPage(browser, server.baseURL)
  try {
    await page.goto('/login')
    await signIn(page, OWNER)
    await page.locator('[data-test="welcome-card"]').waitFor()
    const csrf = (await (await page.request.get('/api/v1/auth/me')).json()).csrf_token
    const made = await page.request.post('/api/v1/staff', {
      data: { username: 'mgr1', display_name: '店长', role: 'manager', password: 'manager-pass-2024' },
      headers: { 'X-CSRF-Token': csrf },
    })
    assert.equal(made.status(), 201, await made.text())
    await context.clearCookies()
    await page.goto('/login')
    await signIn(page, { username: 'mgr1', password: 'manager-pass-2024' })
    await page.locator('[data-test="welcome-card"]').waitFor()
    assert.equal(await page.locator('[data-test="nav-loyalty-program"]').count(), 0)
  } catch (e) {
    await failureShot(page, 'loyalty-program-roles')
    throw e
  } finally {
    await context.close()
  }
})
