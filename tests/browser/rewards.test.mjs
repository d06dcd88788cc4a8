// Rewards on the member page: the tier-progress panel shows the tier, its benefits, the
// rolling 12 months and what is missing for the next tier; a cashier redeems points in the
// dialog and sees the new ledger row on top and the balance follow; a redemption larger than
// what another till left is refused by the server with its reason beside the field.
// Starts its own server (see harness.mjs for how to run and configure).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
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

const CASHIER = { username: 'till7', display: '收银员小周', password: 'till-pass-2024' }

async function signedInPage(account) {
  const { context, page } = await newPage(browser, server.baseURL)
  await page.goto('/login')
  await signIn(page, account)
  await page.locator('[data-test="welcome-card"]').waitFor()
  return { context, page }
}

async function csrf(page) {
  return (await (await page.request.get('/api/v1/auth/me')).json()).csrf_token
}

test('a cashier sees tier progress, redeems points and sees the ledger row and balance', { timeout: 180_000 }, async () => {
  // Set up as the owner: a cashier account and a member with 500 points.
  const owner = await signedInPage(OWNER)
  let memberId
  try {
    const token = await csrf(owner.page)
    const post = async (url, data) => {
      const res = await owner.page.request.post(url, { headers: { 'X-CSRF-Token': token }, data })
      assert.ok(res.ok(), `${url}: ${res.status()} ${await res.text()}`)
      return res.json()
    }
    await post('/api/v1/staff', { username: CASHIER.username, display_name: CASHIER.display, role: 'cashier', password: CASHIER.password })
    const member = await post('/api/v1/members', { phone: '139 8888 0007', name: '周读者' })
    memberId = member.id
    await post(`/api/v1/members/${memberId}/points/adjustments`, { points: 500, reason: '迁移积分' })
  } finally {
    await owner.context.close()
  }

  const { context, page } = await signedInPage(CASHIER)
  try {
    await page.goto(`/members/${memberId}`)
    const panel = page.locator('[data-test="tier-progress"]')
    await panel.locator('[data-test="tier-current"]', { hasText: '普通会员' }).waitFor()
    assert.match(await panel.locator('[data-test="tier-benefits"]').innerText(), /无折扣/)
    assert.equal((await panel.locator('[data-test="tier-spend"]').innerText()).trim(), '¥0.00')
    // The default program: silver at ¥2,000 or 10 visits in 12 months.
    const missing = (await panel.locator('[data-test="tier-missing"]').innerText()).trim()
    assert.match(missing, /再消费 ¥2,000\.00 或再到店 10 次/)
    const tier = await (await page.request.get(`/api/v1/members/${memberId}/tier`)).json()
    assert.equal(tier.next.missing_spend, 200000)
    assert.match(await panel.locator('[data-test="tier-window"]').innerText(), new RegExp(tier.rolling_12_months.from))

    const points = page.locator('[data-test="member-points"] .stat-value')
    assert.equal((await points.innerText()).trim(), '500')
    const redeem = async (n, reason) => {
      await page.locator('[data-test="member-redeem"]').click()
      const d = page.locator('.el-dialog:visible', { has: page.locator('input[name="redeem-points"]') })
      await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'redeem-points')
      await d.locator('input[name="redeem-points"]').fill(n)
      await d.locator('input[name="redeem-reason"]').fill(reason)
      await d.locator('input[name="redeem-reason"]').press('Enter')
      return d
    }
    await (await redeem('120', '抵扣 ¥12.00')).waitFor({ state: 'hidden' })
    await page.locator('.el-message--success', { hasText: '已兑换 120 积分，余额 380' }).waitFor()
    assert.equal((await points.innerText()).trim(), '380')
    const top = (await page.locator('[data-test="points-table"] .el-table__body .el-table__row').first().innerText()).replace(/\s+/g, ' ')
    assert.match(top, /-120 380 抵扣 ¥12\.00 till7/)

    // More than the balance never leaves the browser.
    const tooMuch = await redeem('381', '测试')
    await tooMuch.getByText('请输入 1 至余额之间的整数').waitFor()
    await tooMuch.getByRole('button', { name: '取消' }).click()
    await tooMuch.waitFor({ state: 'hidden' })

    // Another till takes 300 meanwhile: the server refuses 100 of the 80 left, at the field.
    const token = await csrf(page)
    const other = await page.request.post(`/api/v1/members/${memberId}/points/redemptions`, {
      headers: { 'X-CSRF-Token': token, 'Idempotency-Key': 'other-till-1' },
      data: { points: 300, reason: '另一台收银' },
    })
    assert.equal(other.status(), 201)
    const refused = await redeem('100', '抵扣')
    await refused.locator('.el-form-item__error', { hasText: /80/ }).waitFor()
    await refused.getByRole('button', { name: '取消' }).click()

    // After a reload everything comes from the server: two redemptions, balance 80.
    await page.reload()
    await page.locator('[data-test="points-table"] .el-table__row', { hasText: '另一台收银' }).waitFor()
    assert.equal((await points.innerText()).trim(), '80')
    const ledger = await (await page.request.get(`/api/v1/members/${memberId}/points`)).json()
    assert.equal(ledger.balance, 80)
    assert.deepEqual(ledger.entries.map((e) => [e.kind, e.points]), [['redeem', -300], ['redeem', -120], ['adjust', 500]])
  } catch (e) {
    await failureShot(page, 'rewards-main')
    throw e
  } finally {
    await context.close()
  }
})
