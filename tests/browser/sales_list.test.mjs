// The back office's Sales screen: a sale made through the API (a member with an e-mail address,
// a 10 %-off coupon) is the newest row of the list; the receipt number typed into the search
// opens it with its lines, the coupon's rule and the payments; the receipt is e-mailed to the
// member's address (queued in the outbox); a manager voids it with a reason and the drawer, the
// list and the API all say voided, with the stock back. Then the same screen in English.
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

const text = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim()

test('find a sale by its receipt number, e-mail the receipt and void it', { timeout: 180_000 }, async () => {
  const { context, page } = await newPage(browser, server.baseURL)
  try {
    await page.goto('/login')
    await signIn(page, OWNER)
    await page.locator('[data-test="side-nav"]').waitFor()
    const token = (await (await page.request.get('/api/v1/auth/me')).json()).csrf_token
    const post = async (path, data, status = 201, headers = {}) => {
      const res = await page.request.post(path, { data, headers: { 'X-CSRF-Token': token, ...headers } })
      assert.equal(res.status(), status, `${path}: ${await res.text()}`)
      return res.json()
    }
    const store = (await (await page.request.get('/api/v1/stores')).json()).items[0]
    const book = await post('/api/v1/products', { isbn: '9787020002207', title: '销售单测试：红楼梦', list_price: 5990 })
    await post('/api/v1/stock/receipts', { store_id: store.id, lines: [{ product_id: book.id, quantity: 4 }] })
    const member = await post('/api/v1/members', { phone: '13977776666', name: '销售单会员', email: 'reader@example.com' })
    await post('/api/v1/coupons', { code: 'LIST10', name: '九折', kind: 'percent', percent: 10 })
    // 2 × ¥59.90 = ¥119.80, 10 % off = ¥11.98: ¥107.82, paid in cash.
    const sale = await post('/api/v1/sales', {
      store_id: store.id, member_id: member.id, coupon_codes: ['LIST10'],
      lines: [{ product_id: book.id, quantity: 2 }],
      payments: [{ method: 'cash', amount: 10782 }],
    }, 201, { 'Idempotency-Key': 'sales-list-test-1' })
    assert.equal(sale.total, 10782)

    // ---- the list: the new sale is the first row
    await page.locator('[data-test="nav-sales"]').click()
    const table = page.locator('[data-test="sales-table"]')
    const firstRow = table.locator('.el-table__body tr').first()
    await firstRow.filter({ hasText: sale.receipt_number }).waitFor()
    assert.match(await text(firstRow), /¥107\.82/)
    assert.match(await text(firstRow), /已完成/)

    // ---- the receipt number finds it and opens the drawer
    await page.locator('input[name="receipt-number"]').fill(sale.receipt_number)
    await page.locator('input[name="receipt-number"]').press('Enter')
    const drawer = page.locator('[data-test="sale-detail"]')
    await drawer.locator('[data-test="sale-lines"]', { hasText: '销售单测试：红楼梦' }).waitFor()
    assert.match(await text(drawer.locator('[data-test="sale-discounts"]')), /优惠券 coupon:LIST10.*−¥11\.98/)
    assert.match(await text(drawer.locator('[data-test="sale-totals"]')), /现金 ¥107\.82/)

    // ---- e-mail: the member's address is filled in; the server queues it
    await drawer.locator('[data-test="sale-email"]').click()
    const emailDialog = page.locator('[data-test="sale-email-dialog"]')
    await emailDialog.waitFor()
    assert.equal(await emailDialog.locator('input[name="receipt-email"]').inputValue(), 'reader@example.com')
    await emailDialog.locator('[data-test="sale-email-send"]').click()
    await page.locator('.el-message--success', { hasText: 'reader@example.com' }).waitFor()
    await emailDialog.waitFor({ state: 'hidden' })

    // ---- void: a reason is required; afterwards everything says voided and the stock is back
    await drawer.locator('[data-test="sale-void"]').click()
    const voidDialog = page.locator('[data-test="sale-void-dialog"]')
    await voidDialog.waitFor()
    assert.equal(await voidDialog.locator('[data-test="sale-void-confirm"]').isDisabled(), true)
    await voidDialog.locator('input[name="void-reason"]').fill('顾客取消')
    await voidDialog.locator('[data-test="sale-void-confirm"]').click()
    await page.locator('.el-message--success', { hasText: '¥107.82' }).waitFor()
    await drawer.locator('[data-test="sale-status"]', { hasText: '已作废' }).waitFor()
    assert.match(await text(drawer.locator('[data-test="sale-return"]')), /作废.*¥107\.82.*顾客取消/)
    assert.equal(await drawer.locator('[data-test="sale-void"]').count(), 0, 'a voided sale cannot be voided again')
    const after = await (await page.request.get(`/api/v1/sales/${sale.id}`)).json()
    assert.equal(after.status, 'voided')
    assert.equal(after.refunded_total, 10782)
    const stock = await (await page.request.get(`/api/v1/stock?store_id=${store.id}&q=${encodeURIComponent('销售单测试')}`)).json()
    assert.equal(stock.items.find((l) => l.product_id === book.id)?.on_hand, 4, JSON.stringify(stock))
    await drawer.locator('.el-drawer__close-btn').click()
    await table.locator('.el-table__body tr', { hasText: sale.receipt_number }).filter({ hasText: '已作废' }).waitFor()

    // ---- English
    await page.getByText('English', { exact: true }).click()
    await page.locator('[data-test="sales-table"] th', { hasText: 'Receipt' }).first().waitFor()
    await table.locator('.el-table__body tr', { hasText: sale.receipt_number }).filter({ hasText: 'Voided' }).waitFor()
  } catch (e) {
    await failureShot(page, 'sales-list')
    throw e
  } finally {
    await context.close()
  }
})
