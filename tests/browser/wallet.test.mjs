// Stored value, paid clubs and stamp cards in the back office: the owner defines a club and a
// stamp card, tops a member up (the program's bonus shows before and lands as its own row),
// pays the club fee from stored value, stamps the card until a reward appears and redeems it;
// the panels follow the switch to English. Starts its own server (see harness.mjs).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launchBrowser, newPage, signIn, failureShot, chooseOption, OWNER } from './harness.mjs'

let server
let browser
let memberId = null

before(async () => {
  server = await startServer()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

async function signedInPage(account) {
  const { context, page } = await newPage(browser, server.baseURL)
  await page.goto('/login')
  await signIn(page, account)
  await page.locator('[data-test="welcome-card"]').waitFor()
  return { context, page }
}

// Clubs and stamp cards sit in the "loyalty" sub-menu: open it unless it is open already.
async function openLoyaltyNav(page, name) {
  const item = page.locator(`[data-test="nav-${name}"]`)
  if (!(await item.isVisible())) await page.locator('[data-test="nav-group-loyalty"]').click()
  await item.click()
}

async function csrf(page) {
  return (await (await page.request.get('/api/v1/auth/me')).json()).csrf_token
}

const rowsOf = async (page, table) =>
  (await page.locator(`[data-test="${table}"] .el-table__body .el-table__row`).allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim())

test('owner defines a club and a stamp card, tops up, joins, stamps and redeems', { timeout: 240_000 }, async () => {
  const { context, page } = await signedInPage(OWNER)
  try {
    // The program gives ¥50 on a ¥500 top-up; a member to work with.
    const token = await csrf(page)
    const program = await (await page.request.get('/api/v1/loyalty/program')).json()
    program.top_up_bonuses = [{ min_top_up: 50000, bonus: 5000 }]
    const put = await page.request.put('/api/v1/loyalty/program', { data: program, headers: { 'X-CSRF-Token': token } })
    assert.equal(put.status(), 200, await put.text())
    const reg = await page.request.post('/api/v1/members', { data: { phone: '13912340007', name: '周读书' }, headers: { 'X-CSRF-Token': token } })
    assert.equal(reg.status(), 201)
    memberId = (await reg.json()).id

    // A club, through its back-office page.
    await openLoyaltyNav(page, 'clubs')
    await page.waitForURL((url) => url.pathname === '/loyalty/clubs')
    await page.locator('[data-test="club-new"]').click()
    let dialog = page.locator('.el-dialog:visible')
    await dialog.locator('input[name="club-name"]').fill('书友会年卡')
    await dialog.locator('input[name="club-fee"]').fill('199')
    await dialog.locator('[data-test="club-discount"] input').fill('8')
    await dialog.locator('input[name="club-name"]').click()
    await dialog.locator('[data-test="club-save"]').click()
    await dialog.waitFor({ state: 'hidden' })
    const clubRow = page.locator('[data-test="clubs-table"] .el-table__row', { hasText: '书友会年卡' })
    await clubRow.waitFor()
    assert.match((await clubRow.innerText()).replace(/\s+/g, ' '), /¥199\.00 12 减 8%，积分 ×1/)

    // A stamp card: three books, one free.
    await openLoyaltyNav(page, 'stamp-cards')
    await page.waitForURL((url) => url.pathname === '/loyalty/stamp-cards')
    await page.locator('[data-test="stamp-card-new"]').click()
    dialog = page.locator('.el-dialog:visible')
    await dialog.locator('input[name="stamp-card-name"]').fill('买三送一')
    await dialog.locator('[data-test="stamp-card-needed"] input').fill('3')
    await dialog.locator('input[name="stamp-card-reward"]').fill('任选一本 ¥50 以内的书')
    await dialog.locator('[data-test="stamp-card-save"]').click()
    await dialog.waitFor({ state: 'hidden' })
    await page.locator('[data-test="stamp-cards-table"] .el-table__row', { hasText: '买三送一' }).waitFor()

    // Top up ¥500 in cash: the bonus is previewed, then written as its own row.
    await page.goto(`/members/${memberId}`)
    const balance = page.locator('[data-test="member-stored-value"] .stat-value')
    assert.equal((await balance.innerText()).trim(), '¥0.00')
    await page.locator('input[data-test="topup-amount"]').fill('500')
    await page.locator('[data-test="topup-bonus-preview"]', { hasText: '赠送 ¥50.00（充值满 ¥500.00）' }).waitFor()
    await page.locator('[data-test="topup-submit"]').click()
    await page.locator('[data-test="sv-table"] .el-table__row', { hasText: 'top up ≥ ¥500.00 get ¥50.00' }).waitFor()
    await page.waitForFunction(() => document.querySelector('[data-test="member-stored-value"] .stat-value')?.textContent?.trim() === '¥550.00')
    const sv = await rowsOf(page, 'sv-table')
    assert.equal(sv.length, 2)
    assert.match(sv[0], /赠送 ¥50\.00 ¥550\.00 top up ≥ ¥500\.00 get ¥50\.00 owner/)
    assert.match(sv[1], /充值 ¥500\.00 ¥500\.00 top-up \(cash\) · 现金 owner/)

    // Join the club, paying from stored value.
    await page.locator('#tab-clubs').click()
    await page.locator('[data-test="club-join-terms"]', { hasText: '¥199.00' }).waitFor()
    await chooseOption(page, page.locator('[data-test="club-join-method"]'), '储值余额')
    await page.locator('[data-test="club-join-submit"]', { hasText: '开通' }).click()
    await page.locator('[data-test="club-memberships"] .el-table__row', { hasText: '有效' }).waitFor()
    await page.waitForFunction(() => document.querySelector('[data-test="member-stored-value"] .stat-value')?.textContent?.trim() === '¥351.00')
    assert.match((await rowsOf(page, 'club-payments'))[0], /开通 .* ¥199\.00 储值余额/)
    await page.locator('[data-test="club-join-submit"]', { hasText: '续费' }).waitFor()

    // Stamps: two, then two more fill the card (one reward, one stamp carried over).
    await page.locator('#tab-stamps').click()
    const stamp = async (count, reason) => {
      await page.locator('[data-test="stamp-count"] input').fill(String(count))
      await page.locator('input[data-test="stamp-reason"]').fill(reason)
      await page.locator('[data-test="stamp-submit"]').click()
    }
    await page.locator('[data-test="stamp-card-select"]', { hasText: '买三送一' }).waitFor()
    await stamp(2, '旧系统小票')
    await page.locator('[data-test="stamp-count-text"]', { hasText: '2 / 3' }).waitFor()
    assert.equal(await page.locator('[data-test="stamp-rewards"] .el-table__row').count(), 0)
    await stamp(2, '活动补盖')
    await page.locator('[data-test="stamp-count-text"]', { hasText: '1 / 3' }).waitFor()
    const reward = page.locator('[data-test="stamp-rewards"] .el-table__row', { hasText: '任选一本 ¥50 以内的书' })
    await reward.waitFor()
    await reward.getByRole('button', { name: '兑换' }).click()
    await page.locator('.el-message--success', { hasText: '已兑换' }).waitFor()
    await page.locator('[data-test="stamp-rewards"]').getByText('暂无待兑换奖励').waitFor()
    await page.locator('[data-test="stamp-redeemed"]', { hasText: '1' }).waitFor()

    const stored = await (await page.request.get(`/api/v1/members/${memberId}/stamps`)).json()
    assert.equal(stored.cards[0].stamps, 1)
    assert.equal(stored.rewards.length, 0)
    assert.equal(stored.redeemed.length, 1)
  } catch (e) {
    await failureShot(page, 'wallet-flow')
    throw e
  } finally {
    await context.close()
  }
})

test('the wallet panels follow the switch to English', { timeout: 120_000 }, async () => {
  const { context, page } = await signedInPage(OWNER)
  try {
    await page.getByText('English', { exact: true }).click()
    await page.locator('[data-test="sign-out"]', { hasText: 'Sign out' }).waitFor()
    await page.goto(`/members/${memberId}`)
    await page.locator('#tab-stored-value', { hasText: 'Stored value' }).waitFor()
    await page.locator('[data-test="topup-submit"]', { hasText: 'Top up' }).waitFor()
    assert.match(await page.locator('[data-test="sv-table"]').innerText(), /Bonus/)
    await page.locator('[data-test="nav-clubs"]', { hasText: 'Clubs' }).waitFor({ state: 'attached' })
    assert.equal(await page.getByText('储值', { exact: true }).count(), 0)
  } catch (e) {
    await failureShot(page, 'wallet-english')
    throw e
  } finally {
    await context.close()
  }
})
