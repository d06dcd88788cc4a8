// The cashier screen at 1366×768: open a shift, scan two books by typing into the focused scan
// field (as a scanner does), attach a member by phone (F2), apply a 满100减20 coupon (F4), pay
// 500 points (F8), then pay split (stored value + cash with change) with F12; the first answer
// is lost on the way back and the retry (same Idempotency-Key) sells once. The summary shows the
// totals, the discount with its rule and the points. Then a return of one line, the switch to
// English, and the shift's Z-report. Expected numbers are worked out by hand in the comments.
// Starts its own server (see harness.mjs).
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

/** 12 digits + the ISBN-13 check digit. */
function isbn13(twelve) {
  let sum = 0
  for (let i = 0; i < 12; i++) sum += Number(twelve[i]) * (i % 2 ? 3 : 1)
  return twelve + String((10 - (sum % 10)) % 10)
}

const text = async (page, test) => (await page.locator(`[data-test="${test}"]`).innerText()).replace(/\s+/g, ' ').trim()
const focusedName = (page) => page.evaluate(() => document.activeElement?.getAttribute('name') ?? '')

test('a sale with member, coupon, points and split payment, then a return', { timeout: 300_000 }, async () => {
  const { context, page } = await newPage(browser, server.baseURL, { viewport: { width: 1366, height: 768 } })
  try {
    await page.goto('/login')
    await signIn(page, OWNER)
    await page.locator('[data-test="welcome-card"]').waitFor()

    // ---- seed through the API: two books with stock, a member with points and stored value, a coupon
    const token = (await (await page.request.get('/api/v1/auth/me')).json()).csrf_token
    const post = async (path, data, status = 201) => {
      const res = await page.request.post(path, { data, headers: { 'X-CSRF-Token': token } })
      assert.equal(res.status(), status, `${path}: ${await res.text()}`)
      return res.json()
    }
    const store = (await (await page.request.get('/api/v1/stores')).json()).items[0]
    const isbnA = isbn13('979888100001')
    const isbnB = isbn13('979888100002')
    const bookA = await post('/api/v1/products', { isbn: isbnA, title: '收银测试：长夜', list_price: 6000, tax_rate_bp: 900 })
    const bookB = await post('/api/v1/products', { isbn: isbnB, title: '收银测试：短歌', list_price: 4000, tax_rate_bp: 900 })
    await post('/api/v1/stock/receipts', {
      store_id: store.id, supplier_reference: 'POS-TEST',
      lines: [{ product_id: bookA.id, quantity: 5 }, { product_id: bookB.id, quantity: 5 }],
    })
    const member = await post('/api/v1/members', { phone: '13988887777', name: '收银测试会员' })
    await post(`/api/v1/members/${member.id}/points/adjustments`, { points: 1000, reason: 'pos test' })
    await post(`/api/v1/members/${member.id}/stored-value/top-ups`, { amount: 3000, payment_method: 'cash' })
    await post('/api/v1/coupons', { code: 'POSMAN100JIAN20', name: '满100减20', kind: 'spend_get', threshold: 10000, amount: 2000 })
    const memberTier = (await (await page.request.get(`/api/v1/members/${member.id}`)).json()).tier
    const program = await (await page.request.get('/api/v1/loyalty/program')).json()
    const tier = program.tiers.find((t) => t.name === memberTier)
    assert.equal(tier.discount_percent, 0, 'the new member has no tier discount (the numbers below assume it)')

    // ---- open the till: the screen asks for the float first
    await page.locator('[data-test="nav-pos"]').click()
    const shiftDialog = page.locator('[data-test="shift-dialog"]')
    await shiftDialog.waitFor()
    await shiftDialog.locator('input[name="shift-amount"]').fill('200')
    await shiftDialog.locator('[data-test="shift-submit"]').click()
    await shiftDialog.waitFor({ state: 'hidden' })
    await page.locator('[data-test="till-info"]', { hasText: '¥200.00' }).waitFor()

    // ---- scan: the scan field has the focus; a scanner types the digits and Enter
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'scan')
    await page.keyboard.type(isbnA)
    await page.keyboard.press('Enter')
    await page.locator('[data-test="basket-line"]', { hasText: '收银测试：长夜' }).waitFor()
    await page.keyboard.type(isbnB)
    await page.keyboard.press('Enter')
    await page.locator('[data-test="basket-line"]', { hasText: '收银测试：短歌' }).waitFor()
    // "*2" sets the last line's quantity, "*1" back.
    await page.keyboard.type('*2')
    await page.keyboard.press('Enter')
    await page.locator('[data-test="basket-line"]').nth(1).locator('[data-test="basket-qty"]', { hasText: '2' }).waitFor()
    await page.locator('[data-test="due"]', { hasText: '¥140.00' }).waitFor()
    await page.keyboard.type('*1')
    await page.keyboard.press('Enter')
    await page.locator('[data-test="due"]', { hasText: '¥100.00' }).waitFor()
    // An unknown code: a clear message, and the focus stays for the next scan.
    await page.keyboard.type('12345670')
    await page.keyboard.press('Enter')
    await page.locator('[data-test="scan-message"]', { hasText: '未找到条码 12345670 对应的商品' }).waitFor()
    assert.equal(await focusedName(page), 'scan')
    assert.equal(await page.locator('[data-test="basket-line"]').count(), 2)
    // Esc clears the message; Delete (in the empty scan field) removes the last line; scan it again.
    await page.keyboard.press('Escape')
    await page.locator('[data-test="scan-message"]').waitFor({ state: 'detached' })
    await page.keyboard.press('Delete')
    await page.locator('[data-test="due"]', { hasText: '¥60.00' }).waitFor()
    assert.equal(await page.locator('[data-test="basket-line"]').count(), 1)
    await page.keyboard.type(isbnB)
    await page.keyboard.press('Enter')
    await page.locator('[data-test="due"]', { hasText: '¥100.00' }).waitFor()
    assert.equal(await page.locator('[data-test="basket-line"]').count(), 2)

    // ---- F2: the member by phone
    await page.keyboard.press('F2')
    assert.equal(await focusedName(page), 'member-lookup')
    await page.keyboard.type('13988887777')
    await page.keyboard.press('Enter')
    await page.locator('[data-test="member-name"]', { hasText: '收银测试会员' }).waitFor()
    await page.locator('[data-test="member-points"]', { hasText: '1000' }).waitFor()
    assert.equal(await text(page, 'member-stored-value'), '¥30.00')
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'scan')

    // ---- F4: the coupon, checked before it is added; ¥100.00 reaches 满100 → ¥20.00 off
    await page.keyboard.press('F4')
    await page.keyboard.type('posman100jian20')
    await page.keyboard.press('Enter')
    await page.locator('[data-test="coupon-applied"]', { hasText: 'POSMAN100JIAN20' }).waitFor()
    await page.locator('[data-test="due"]', { hasText: '¥80.00' }).waitFor()
    const discount = await text(page, 'discounts')
    assert.match(discount, /优惠券 coupon:POSMAN100JIAN20/)
    assert.match(discount, /−¥20\.00/)
    assert.equal(await text(page, 'discount-total'), '−¥20.00')

    // ---- F8: 500 points (100 points = ¥1.00 by default) → ¥5.00; due ¥75.00
    await page.keyboard.press('F8')
    await page.locator('[data-test="points-input"] input').fill('500')
    await page.keyboard.press('Enter')
    await page.locator('[data-test="due"]', { hasText: '¥75.00' }).waitFor()
    assert.equal(await text(page, 'points-value'), '−¥5.00')
    // 1 point per ¥1.00 paid in money: ⌊75.00⌋ = 75.
    await page.locator('[data-test="points-to-earn"]', { hasText: '+75' }).waitFor()
    assert.equal(await focusedName(page), 'scan')

    // ---- F12: split payment. Stored value defaults to min(¥30.00, ¥75.00); cash ¥100 → change ¥55.00.
    // The first answer is lost on the way back (the server did sell); the retry must not sell again.
    const keys = []
    await page.route('**/api/v1/sales', async (route) => {
      if (route.request().method() !== 'POST') return route.continue()
      keys.push(route.request().headers()['idempotency-key'])
      if (keys.length === 1) {
        await route.fetch()
        return route.abort('failed')
      }
      return route.continue()
    })
    await page.keyboard.press('F12')
    const pay = page.locator('[data-test="pay-dialog"]')
    await pay.waitFor()
    assert.equal(await text(page, 'pay-due'), '¥75.00')
    const rows = pay.locator('[data-test="pay-row"]')
    assert.equal(await rows.count(), 2)
    assert.equal(await rows.nth(0).locator('input[data-test="pay-amount"]').inputValue(), '30.00')
    assert.equal(await rows.nth(1).locator('input[data-test="pay-amount"]').inputValue(), '45.00')
    assert.equal(await text(page, 'pay-change'), '¥0.00')
    await pay.locator('[data-test="cash-100"]').click()
    await page.locator('[data-test="pay-change"]', { hasText: '¥55.00' }).waitFor()
    await page.keyboard.press('Enter')
    await page.locator('[data-test="pay-error"]').waitFor()
    await page.keyboard.press('Enter')

    const summary = page.locator('[data-test="sale-summary"]')
    await summary.waitFor()
    assert.equal(keys.length, 2)
    assert.ok(keys[0] && keys[0] === keys[1], 'the retry reuses the payment attempt\'s key')
    await page.unroute('**/api/v1/sales')
    assert.equal(await text(page, 'summary-total'), '¥80.00')
    assert.equal(await text(page, 'summary-discount-total'), '−¥20.00')
    assert.equal(await text(page, 'summary-points-value'), '−¥5.00')
    assert.equal(await text(page, 'summary-change'), '¥55.00')
    assert.equal(await text(page, 'summary-paid-stored_value'), '¥30.00')
    assert.equal(await text(page, 'summary-paid-cash'), '¥100.00')
    assert.equal(await text(page, 'summary-points-earned'), '+75')
    assert.equal(await text(page, 'summary-points-balance'), '575') // 1000 − 500 + 75
    assert.equal(await text(page, 'summary-stored-value'), '¥0.00')
    assert.match(await text(page, 'summary-discount'), /coupon:POSMAN100JIAN20 .*−¥20\.00/)
    assert.equal(await page.locator('[data-test="summary-line"]').count(), 2)
    const receipt = await text(page, 'summary-receipt')

    // One sale only, in this shift.
    const shift = await (await page.request.get(`/api/v1/shifts/current?store_id=${store.id}&till=1`)).json()
    const sold = await (await page.request.get(`/api/v1/sales?shift_id=${shift.id}`)).json()
    assert.equal(sold.items.length, 1)
    assert.equal(sold.items[0].receipt_number, receipt)

    // Enter: the next sale, with an empty basket and the focus back in the scan field.
    await page.keyboard.press('Enter')
    await summary.waitFor({ state: 'hidden' })
    await page.locator('[data-test="basket-empty"]').waitFor()
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'scan')

    // ---- return the second book (短歌). Its share: coupon 2000 × 40/100 = 800 → net ¥32.00;
    // points 500 × 40/100 = 200 (¥2.00) → money ¥30.00, refunded to stored value first (it paid ¥30.00).
    // Points: 200 redeemed are given back; of the 75 earned, 75 × 30/75 = 30 are taken back.
    await page.keyboard.press('F9')
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'return-receipt')
    await page.keyboard.type(receipt)
    await page.keyboard.press('Enter')
    const lines = page.locator('[data-test="return-line"]')
    await lines.first().waitFor()
    assert.equal(await lines.count(), 2)
    await lines.filter({ hasText: '收银测试：长夜' }).locator('[data-test="return-qty"] input').fill('0')
    await page.locator('input[name="return-reason"]').fill('重复购买')
    await page.locator('[data-test="return-confirm"]').click()
    await page.locator('[data-test="return-result"]').waitFor()
    assert.equal(await text(page, 'return-refund'), '¥30.00')
    assert.deepEqual(
      (await page.locator('[data-test="return-result-line"]').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim()),
      ['收银测试：短歌 × 1 ¥30.00'],
    )
    assert.equal(await text(page, 'return-refund-stored_value'), '¥30.00')
    assert.equal(await text(page, 'return-points-taken'), '−30')
    assert.equal(await text(page, 'return-points-given'), '+200')
    assert.equal(await text(page, 'return-sale-status'), '部分退货')
    const after = await (await page.request.get(`/api/v1/members/${member.id}`)).json()
    assert.equal(after.points_balance, 575 - 30 + 200)
    assert.equal(after.stored_value_balance, 3000)

    // ---- English
    await page.getByText('English', { exact: true }).click()
    await page.locator('[data-test="mode-return"]', { hasText: 'Return' }).waitFor()
    await page.locator('[data-test="return-sale-status"]', { hasText: 'Partly returned' }).waitFor()
    await page.locator('[data-test="mode-sale"]').click()
    await page.locator('[data-test="pay"]', { hasText: 'Pay' }).waitFor()
    await page.locator('[data-test="shortcut-hints"]', { hasText: 'remove last line' }).waitFor()

    // ---- close the shift: cash expected = float ¥200.00 + cash kept ¥45.00 (nothing refunded in cash)
    await page.locator('[data-test="close-shift"]').click()
    await shiftDialog.waitFor()
    await shiftDialog.locator('input[name="shift-amount"]').fill('245')
    await shiftDialog.locator('[data-test="shift-submit"]').click()
    await page.locator('[data-test="z-report"]').waitFor()
    assert.equal(await text(page, 'z-expected'), '¥245.00')
    assert.equal(await text(page, 'z-difference'), '¥0.00')
    assert.match(await text(page, 'z-method-stored_value'), /¥30\.00 − ¥30\.00/)
    assert.match(await shiftDialog.innerText(), /Expected cash/)
    await shiftDialog.locator('[data-test="shift-submit"]').click()
    // The till is closed: the screen asks for the next float.
    await page.locator('[data-test="shift-dialog"] .el-dialog__title', { hasText: 'Open the shift' }).waitFor()

    // ---- the member's page lists the purchase, partly returned, and opens its lines
    await page.goto(`/members/${member.id}`)
    const purchases = page.locator('[data-test="member-purchases"]')
    await purchases.locator('.el-table__row', { hasText: 'Partly returned' }).waitFor()
    assert.match(await purchases.innerText(), /¥80\.00/)
    assert.match(await purchases.innerText(), /\+75/)
    await purchases.locator('.el-table__row').first().click()
    const detail = page.locator('[data-test="purchase-detail"]')
    await detail.locator('text=coupon:POSMAN100JIAN20').waitFor()
  } catch (e) {
    await failureShot(page, 'pos-sale')
    throw e
  } finally {
    await context.close()
  }
})
