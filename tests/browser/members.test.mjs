// Members at the till and in the back office: register a member (Enter submits),
// find them by the last 4 digits, adjust points and see the history; the server's
// field errors for a bad or taken phone appear beside the field (a taken phone
// offers the member who has it); the page follows
// the English switch; a cashier does not get the adjust button.
// Starts its own server (see harness.mjs for how to run and configure).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { startServer, launchBrowser, newPage, signIn, shotsDir, failureShot, OWNER } from './harness.mjs'

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

const MEMBER = { phone: '139 1234 5678', e164: '+8613912345678', name: '林小书', email: 'lin.xiaoshu@example.com', birthday: '1990-05-17' }
const CASHIER = { username: 'till1', display: '收银员阿珍', password: 'till-pass-2024' }

// Shared between tests (they run in order in one process).
let memberId = null

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

const formItem = (dialog, page, name) => dialog.locator('.el-form-item', { has: page.locator(`input[name="${name}"]`) })

/** The text of the ledger rows in the points table, top first. */
async function pointsRows(page) {
  return (await page.locator('[data-test="points-table"] .el-table__body .el-table__row').allInnerTexts())
    .map((s) => s.replace(/\s+/g, ' ').trim())
}

test('owner registers a member, finds them, adjusts points and sees the history', { timeout: 180_000 }, async () => {
  const { context, page } = await signedInPage(OWNER)
  try {
    await page.locator('[data-test="nav-members"]').click()
    await page.waitForURL((url) => url.pathname === '/members')
    assert.equal(
      await page.locator('input[data-test="member-search"]').getAttribute('placeholder'),
      '手机号、手机尾号 4 位、卡号或姓名',
    )

    // Register: the phone field has the focus; Enter in any field submits.
    await page.locator('[data-test="member-register"]').click()
    const dialog = page.locator('.el-dialog:visible')
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'phone')
    await page.keyboard.type(MEMBER.phone)
    await dialog.locator('input[name="email"]').fill(MEMBER.email)
    await dialog.locator('input[name="birthday"]').fill(MEMBER.birthday)
    await dialog.locator('input[name="birthday"]').press('Enter')
    await dialog.locator('[data-test="register-gender"]').getByText('女', { exact: true }).click()
    await dialog.locator('[data-test="register-consent-sms"]').click()
    await dialog.locator('input[name="name"]').fill(MEMBER.name)
    await dialog.locator('input[name="name"]').press('Enter')

    // The member opens, with the new card number shown.
    await page.waitForURL(/\/members\/\d+$/)
    memberId = Number(new URL(page.url()).pathname.split('/').pop())
    const card = (await page.locator('[data-test="member-card"]').innerText()).trim()
    assert.match(card, /^8601\d{9}$/)
    await page.locator('.el-message--success', { hasText: card }).waitFor()
    assert.equal((await page.locator('[data-test="member-name"]').innerText()).trim(), MEMBER.name)

    // The server holds what the form sent.
    const stored = await (await page.request.get(`/api/v1/members/${memberId}`)).json()
    assert.equal(stored.card_number, card)
    assert.equal(stored.phone, MEMBER.e164)
    assert.equal(stored.name, MEMBER.name)
    assert.equal(stored.email, MEMBER.email)
    assert.equal(stored.birthday, MEMBER.birthday)
    assert.equal(stored.gender, 'female')
    assert.equal(stored.consent_sms, true)
    assert.equal(stored.consent_email, false)
    assert.equal(stored.points_balance, 0)

    // Find them again by the last 4 digits of the phone.
    await page.locator('[data-test="member-back"]').click()
    await page.waitForURL((url) => url.pathname === '/members')
    await page.locator('input[data-test="member-search"]').fill('5678')
    const row = page.locator('[data-test="member-table"] .el-table__row', { hasText: card })
    await row.waitFor()
    assert.equal(await page.locator('[data-test="member-table"] .el-table__row').count(), 1)
    const rowText = await row.innerText()
    assert.match(rowText, new RegExp(MEMBER.name))
    assert.match(rowText, /\+8613912345678/)
    assert.match(rowText, /普通会员/)
    await row.click()
    await page.waitForURL((url) => url.pathname === `/members/${memberId}`)
    await page.locator('[data-test="points-table"]').getByText('暂无数据').waitFor()

    // Adjust points: +500, then -120; each new row goes on top and the balance follows.
    const adjust = async (points, reason) => {
      await page.locator('[data-test="member-adjust"]').click()
      const d = page.locator('.el-dialog:visible')
      await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'points')
      await d.locator('input[name="points"]').fill(points)
      await d.locator('input[name="reason"]').fill(reason)
      await d.locator('input[name="reason"]').press('Enter')
      return d
    }
    const points = page.locator('[data-test="member-points"] .stat-value')

    await (await adjust('500', '开卡礼')).waitFor({ state: 'hidden' })
    await page.locator('[data-test="points-table"] .el-table__row', { hasText: '开卡礼' }).waitFor()
    assert.equal((await points.innerText()).trim(), '500')

    await (await adjust('-120', '重复小票')).waitFor({ state: 'hidden' })
    await page.locator('[data-test="points-table"] .el-table__row', { hasText: '重复小票' }).waitFor()
    assert.equal((await points.innerText()).trim(), '380')
    let rows = await pointsRows(page)
    assert.equal(rows.length, 2)
    assert.match(rows[0], /人工调整 -120 380 重复小票 owner/)
    assert.match(rows[1], /人工调整 \+500 500 开卡礼 owner/)

    // Taking more than the balance is refused; the server's reason is shown at the field.
    const tooMuch = await adjust('-1000', '测试')
    await tooMuch.locator('.el-form-item__error', { hasText: /380/ }).waitFor()
    await tooMuch.getByRole('button', { name: '取消' }).click()
    await tooMuch.waitFor({ state: 'hidden' })
    // A non-integer never leaves the browser.
    const bad = await adjust('1.5', '测试')
    await bad.getByText('请输入非 0 的整数').waitFor()
    await bad.getByRole('button', { name: '取消' }).click()
    await bad.waitFor({ state: 'hidden' })

    // The history comes from the server, newest first, after a reload too.
    await page.reload()
    await page.locator('[data-test="points-table"] .el-table__row', { hasText: '重复小票' }).waitFor()
    rows = await pointsRows(page)
    assert.equal(rows.length, 2)
    assert.match(rows[0], /-120 380 重复小票/)
    assert.equal((await points.innerText()).trim(), '380')
    assert.equal((await page.locator('[data-test="member-stored-value"] .stat-value').innerText()).trim(), '¥0.00')
    const ledger = await (await page.request.get(`/api/v1/members/${memberId}/points`)).json()
    assert.equal(ledger.balance, 380)
    assert.deepEqual(ledger.entries.map((e) => [e.points, e.balance_after, e.reason]), [[-120, 380, '重复小票'], [500, 500, '开卡礼']])

    // Edit the profile: only what changed is sent, and it is kept.
    await page.locator('[data-test="member-consent-email"]').click()
    await page.locator('[data-test="member-profile"] textarea[name="notes"]').fill('喜欢推理小说')
    await page.locator('[data-test="member-save"]').click()
    await page.locator('.el-message--success', { hasText: '已保存' }).waitFor()
    const edited = await (await page.request.get(`/api/v1/members/${memberId}`)).json()
    assert.equal(edited.consent_email, true)
    assert.equal(edited.notes, '喜欢推理小说')
    assert.equal(edited.consent_source, 'staff:owner')

    // For the human reader: the detail screen at a till-sized window.
    await page.setViewportSize({ width: 1366, height: 768 })
    const shot = path.join(shotsDir(), 'member-detail.png')
    await page.screenshot({ path: shot })
    console.log(`screenshot: ${shot}`)
  } catch (e) {
    await failureShot(page, 'members-main')
    throw e
  } finally {
    await context.close()
  }
})

test('a bad phone and a taken phone show the server’s field errors', { timeout: 120_000 }, async () => {
  const { context, page } = await signedInPage(OWNER)
  try {
    const token = await csrf(page)
    const direct = async (phone) => {
      const res = await page.request.post('/api/v1/members', { headers: { 'X-CSRF-Token': token }, data: { phone } })
      return { status: res.status(), body: await res.json() }
    }
    const bad = await direct('12345')
    assert.equal(bad.status, 400)
    const badMessage = bad.body.error.details.find((d) => d.field === 'phone').message
    const taken = await direct(MEMBER.e164)
    assert.equal(taken.status, 409)
    const takenMessage = taken.body.error.details.find((d) => d.field === 'phone').message

    await page.goto('/members')
    await page.locator('[data-test="member-register"]').click()
    const dialog = page.locator('.el-dialog:visible')
    const phone = dialog.locator('input[name="phone"]')
    const phoneItem = formItem(dialog, page, 'phone')

    await phone.fill('12345')
    await dialog.locator('[data-test="register-save"]').click()
    await phoneItem.locator('.el-form-item__error', { hasText: badMessage }).waitFor()

    await phone.fill('139-1234-5678')
    await phone.press('Enter')
    await phoneItem.locator('.el-form-item__error', { hasText: takenMessage }).waitFor()
    // The conflict itself (which member has the number) is announced too.
    await page.locator('.el-message--error', { hasText: String(memberId) }).waitFor()
    assert.ok(await dialog.isVisible())
    await page.screenshot({ path: path.join(shotsDir(), 'member-register-taken.png') })

    // The cashier can open the member who already has the number instead.
    await dialog.locator('[data-test="register-open-existing"]', { hasText: MEMBER.name }).click()
    await page.waitForURL((url) => url.pathname === `/members/${memberId}`)
    await page.locator('[data-test="member-summary"]').waitFor()

    // Nothing was registered by either attempt.
    const found = await (await page.request.get('/api/v1/members?q=5678')).json()
    assert.equal(found.items.length, 1)
  } catch (e) {
    await failureShot(page, 'members-errors')
    throw e
  } finally {
    await context.close()
  }
})

test('the members page follows the switch to English', { timeout: 120_000 }, async () => {
  const { context, page } = await signedInPage(OWNER)
  try {
    await page.getByText('English', { exact: true }).click()
    await page.locator('[data-test="sign-out"]', { hasText: 'Sign out' }).waitFor()
    await page.locator('[data-test="nav-members"]').click()
    await page.waitForURL((url) => url.pathname === '/members')
    await page.locator('[data-test="member-register"]', { hasText: 'Register member' }).waitFor()
    assert.equal(
      await page.locator('input[data-test="member-search"]').getAttribute('placeholder'),
      'Phone, last 4 digits, card number or name',
    )
    const headers = (await page.locator('[data-test="member-table"] .el-table__header th').allInnerTexts()).map((s) => s.trim())
    for (const h of ['Card number', 'Name', 'Phone', 'Tier', 'Points', 'Joined']) assert.ok(headers.includes(h), `${h} in ${headers}`)
    await page.locator('[data-test="member-table"] .el-table__row', { hasText: 'Regular' }).first().waitFor()

    await page.goto(`/members/${memberId}`)
    await page.getByText('Points history', { exact: true }).waitFor()
    await page.locator('[data-test="member-adjust"]', { hasText: 'Adjust points' }).waitFor()
    assert.match(await page.locator('[data-test="points-table"]').innerText(), /Adjustment/)
    assert.equal(await page.getByText('积分明细', { exact: true }).count(), 0)
  } catch (e) {
    await failureShot(page, 'members-english')
    throw e
  } finally {
    await context.close()
  }
})

test('a cashier registers and edits members but cannot adjust points', { timeout: 120_000 }, async () => {
  const owner = await signedInPage(OWNER)
  let cashier = null
  try {
    const res = await owner.page.request.post('/api/v1/staff', {
      headers: { 'X-CSRF-Token': await csrf(owner.page) },
      data: { username: CASHIER.username, display_name: CASHIER.display, role: 'cashier', home_store_id: null, password: CASHIER.password },
    })
    assert.equal(res.status(), 201)

    cashier = await signedInPage(CASHIER)
    const page = cashier.page
    await page.goto(`/members/${memberId}`)
    await page.locator('[data-test="member-summary"]').waitFor()
    await page.locator('[data-test="points-table"] .el-table__row', { hasText: '重复小票' }).waitFor()
    assert.equal(await page.locator('[data-test="member-adjust"]').count(), 0)

    // The profile stays editable at the till.
    await page.locator('[data-test="member-profile"] input[name="name"]').fill('林小书（学生）')
    await page.locator('[data-test="member-save"]').click()
    await page.locator('.el-message--success').waitFor()
    const edited = await (await page.request.get(`/api/v1/members/${memberId}`)).json()
    assert.equal(edited.name, '林小书（学生）')

    // And so does registration.
    await page.goto('/members')
    await page.locator('[data-test="member-register"]').waitFor()
  } catch (e) {
    if (cashier) await failureShot(cashier.page, 'members-cashier')
    throw e
  } finally {
    await cashier?.context.close()
    await owner.context.close()
  }
})
