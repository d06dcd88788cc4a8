// The coupons screen: the owner finds it under 促销 in the navigation, creates a 满100减20 coupon
// for fiction (the dialog explains the kind and shows the worked example: ¥230 gets ¥40 off with
// "every X"), issues a batch of 5 single-use vouchers and sees their codes, finds both in the
// list (filtered by code), reads the usage drawer, deactivates the coupon, and the screen
// follows the switch to English. Starts its own server (see harness.mjs).
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

test('owner creates a spend-get coupon and a batch of vouchers, in Chinese then English', { timeout: 240_000 }, async () => {
  const { context, page } = await newPage(browser, server.baseURL)
  try {
    await page.goto('/login')
    await signIn(page, OWNER)
    await page.locator('[data-test="nav-group-promotions"]', { hasText: '促销' }).click()
    await page.locator('[data-test="nav-coupons"]', { hasText: '优惠券' }).click()
    await page.waitForURL((url) => url.pathname === '/promotions/coupons')
    await page.locator('[data-test="coupons-table"]', { hasText: '还没有优惠券' }).waitFor()

    // 满100减20, every 100, fiction only.
    await page.locator('[data-test="coupon-new"]').click()
    const dialog = page.locator('.el-dialog:visible')
    await dialog.locator('input[name="coupon-code"]').fill('man100jian20')
    assert.equal(await dialog.locator('input[name="coupon-code"]').inputValue(), 'MAN100JIAN20')
    await dialog.locator('input[name="coupon-name"]').fill('小说满100减20')
    await dialog.locator('[data-test="coupon-kind-help"]', { hasText: '满 X 元减 Y 元' }).waitFor()
    await dialog.locator('[data-test="coupon-example"]', { hasText: '填写金额' }).waitFor()
    await dialog.locator('input[name="coupon-threshold"]').fill('100')
    await dialog.locator('input[name="coupon-amount"]').fill('20')
    await dialog.locator('[data-test="coupon-example"]', { hasText: '满100减20：¥230.00 的商品只减一次 ¥20.00' }).waitFor()
    await dialog.locator('[data-test="coupon-repeat"]').click()
    await dialog.locator('[data-test="coupon-example"]', { hasText: '满100减20：¥230.00 的商品减 ¥40.00（满了 2 个 ¥100）' }).waitFor()
    await chooseOption(page, dialog.locator('[data-test="coupon-genres"]'), /^\s*小说\s*$/)
    await dialog.locator('.el-dialog__title').click() // close the option list
    // A bad amount is caught beside its field before anything is sent.
    await dialog.locator('input[name="coupon-amount"]').fill('20.001')
    await dialog.locator('[data-test="coupon-save"]').click()
    await dialog.locator('.el-form-item__error', { hasText: '请输入金额' }).waitFor()
    await dialog.locator('input[name="coupon-amount"]').fill('20')
    await dialog.locator('[data-test="coupon-save"]').click()
    await dialog.waitFor({ state: 'hidden' })
    await page.locator('.el-message--success', { hasText: 'MAN100JIAN20' }).waitFor()
    const row = page.locator('[data-test="coupons-table"] .el-table__row', { hasText: 'MAN100JIAN20' })
    await row.waitFor()
    assert.match(await row.innerText(), /满减券/)
    assert.match(await row.innerText(), /每满 ¥100\.00 减 ¥20\.00/)
    assert.match(await row.innerText(), /可用/)

    // A batch of 5 single-use ¥10 vouchers.
    await page.locator('[data-test="coupon-batch"]').click()
    const batch = page.locator('.el-dialog:visible')
    await batch.locator('input[name="batch-prefix"]').fill('xmas-')
    await batch.locator('input[name="batch-count"]').fill('5')
    await batch.locator('input[name="coupon-name"]').fill('圣诞代金券')
    await batch.locator('input[name="coupon-amount"]').fill('10')
    await batch.locator('[data-test="coupon-example"]', { hasText: '减 ¥10.00' }).waitFor()
    await batch.locator('[data-test="batch-issue"]').click()
    const codesBox = batch.locator('textarea[data-test="batch-codes"]')
    await codesBox.waitFor()
    const codes = (await codesBox.inputValue()).split('\n')
    assert.equal(codes.length, 5)
    assert.equal(new Set(codes).size, 5)
    for (const code of codes) assert.match(code, /^XMAS-[A-HJKMNP-Z2-9]{8}$/)
    const [download] = await Promise.all([page.waitForEvent('download'), batch.locator('[data-test="batch-download"]').click()])
    assert.equal(download.suggestedFilename(), 'coupons-XMAS-.csv')
    await page.keyboard.press('Escape')
    await batch.waitFor({ state: 'hidden' })

    // Both in the list; the search finds the batch by its prefix.
    await page.locator('[data-test="coupons-table"] .el-table__row', { hasText: codes[0] }).waitFor()
    await page.locator('input[data-test="coupon-search"]').fill('xmas')
    await page.keyboard.press('Enter')
    await page.locator('[data-test="coupons-table"] .el-table__row', { hasText: 'MAN100JIAN20' }).waitFor({ state: 'hidden' })
    assert.equal(await page.locator('[data-test="coupons-table"] .el-table__row').count(), 5)
    assert.match(await page.locator('[data-test="coupons-table"] .el-table__row').first().innerText(), /0 \/ 1/)
    await page.locator('input[data-test="coupon-search"]').fill('')
    await page.keyboard.press('Enter')

    // Usage, then deactivate.
    await row.getByRole('button', { name: '使用情况' }).click()
    const drawer = page.locator('[data-test="coupon-usage"]')
    await drawer.locator('text=使用情况：MAN100JIAN20').waitFor()
    await drawer.locator('text=还没有使用记录').waitFor()
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'hidden' })
    await row.getByRole('button', { name: '停用' }).click()
    await row.locator('.el-tag', { hasText: '已停用' }).waitFor()

    // Once in English.
    await page.getByText('English', { exact: true }).click()
    await page.locator('[data-test="coupons-table"] th', { hasText: 'Code' }).waitFor()
    await row.locator('.el-tag', { hasText: 'Inactive' }).waitFor()
    assert.match(await row.innerText(), /Spend X, get Y off/)
    assert.match(await row.innerText(), /¥20\.00 off every ¥100\.00/)
    await page.locator('[data-test="nav-group-promotions"]', { hasText: 'Promotions' }).waitFor()
    await row.getByRole('button', { name: 'Edit' }).click()
    const edit = page.locator('.el-dialog:visible')
    await edit.locator('[data-test="coupon-example"]', { hasText: 'Spend 100 get 20 off: a ¥230.00 basket gets ¥40.00 off (2 × ¥100)' }).waitFor()
    assert.equal(await edit.locator('input[name="coupon-code"]').inputValue(), 'MAN100JIAN20')
  } catch (e) {
    await failureShot(page, 'coupons-main')
    throw e
  } finally {
    await context.close()
  }
})
