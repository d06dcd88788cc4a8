// The catalog and stock screens: the owner creates a category and a book typed by its ISBN-10
// (a wrong check digit is caught in the form; the book is stored and shown as ISBN-13), finds it
// by scanning the ISBN-13 into the search box, receives 5 copies, adjusts -1 with a reason,
// sees 4 on hand and both movements, and the stock page follows the switch to English.
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

const BOOK = { isbn10: '7-5327-4451-5', isbn13: '9787532744510', title: '挪威的森林', author: '村上春树' }

async function pickOption(page, select, label) {
  await select.click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: label }).first().click()
}

test('owner creates a category and a book by ISBN-10, receives, adjusts and reads the movements', { timeout: 240_000 }, async () => {
  const { context, page } = await newPage(browser, server.baseURL)
  try {
    await page.goto('/login')
    await signIn(page, OWNER)
    await page.locator('[data-test="nav-catalog"]').click()
    await page.waitForURL((url) => url.pathname === '/catalog')
    // The demo catalog is there.
    await page.locator('[data-test="product-table"] .el-table__row').first().waitFor()

    // A category.
    await page.locator('#tab-categories').click()
    await page.locator('[data-test="category-new"]').click()
    const cat = page.locator('.el-dialog:visible')
    await cat.locator('input[name="code"]').fill('essays')
    await cat.locator('input[name="name"]').fill('散文随笔')
    await cat.locator('input[name="name_en"]').fill('Essays')
    await cat.locator('[data-test="category-save"]').click()
    await cat.waitFor({ state: 'hidden' })
    await page.locator('[data-test="category-name"]', { hasText: '散文随笔' }).waitFor()

    // A book by its ISBN-10; a wrong check digit is caught before saving.
    await page.locator('#tab-products').click()
    await page.locator('[data-test="product-new"]').click()
    const dialog = page.locator('.el-dialog:visible')
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'isbn')
    await page.keyboard.type('7-5327-4451-6')
    await dialog.locator('input[name="title"]').click()
    await dialog.locator('.el-form-item__error', { hasText: '校验位' }).waitFor()
    await dialog.locator('input[name="isbn"]').fill(BOOK.isbn10)
    await dialog.locator('input[name="title"]').fill(BOOK.title)
    await dialog.locator('input[name="authors"]').fill(BOOK.author)
    await dialog.locator('input[name="publisher"]').fill('上海译文出版社')
    await pickOption(page, dialog.locator('[data-test="product-category"]'), '散文随笔')
    await dialog.locator('input[name="list_price"]').fill('36')
    await dialog.locator('[data-test="product-save"]').click()
    await dialog.waitFor({ state: 'hidden' })
    await page.locator('.el-message--success', { hasText: BOOK.title }).waitFor()
    const row = page.locator('[data-test="product-table"] .el-table__row', { hasText: BOOK.title })
    await row.waitFor()
    assert.equal((await row.locator('[data-test="product-code"]').innerText()).trim(), BOOK.isbn13)
    assert.match(await row.innerText(), /¥36\.00/)
    assert.match(await row.innerText(), /散文随笔/)

    // A scanner types the ISBN-13 and Enter: the product opens for editing.
    const search = page.locator('input[data-test="product-search"]')
    await search.fill('')
    await search.click()
    await page.keyboard.type(BOOK.isbn13)
    await page.keyboard.press('Enter')
    const edit = page.locator('.el-dialog:visible')
    await edit.locator('input[name="title"]').waitFor()
    assert.equal(await edit.locator('input[name="title"]').inputValue(), BOOK.title)
    assert.equal(await edit.locator('input[name="isbn"]').inputValue(), BOOK.isbn13)
    await edit.getByRole('button', { name: '取消' }).click()
    await edit.waitFor({ state: 'hidden' })

    // Receive 5 copies in the demo store, by the ISBN-10.
    await page.locator('#tab-stock').click()
    await page.locator('[data-test="stock-receive"]').click()
    const receive = page.locator('.el-dialog:visible')
    await receive.locator('input[name="supplier_reference"]').fill('SH-2026-118')
    await receive.locator('input[data-test="stock-line-code"]').first().fill('7532744515')
    await receive.locator('input[data-test="stock-line-qty"]').first().fill('5')
    await receive.locator('[data-test="stock-save"]').click()
    await receive.waitFor({ state: 'hidden' })
    await page.locator('input[data-test="stock-search"]').fill(BOOK.title)
    const stockRow = page.locator('[data-test="stock-table"] .el-table__row', { hasText: BOOK.title })
    await stockRow.locator('[data-test="stock-on-hand"]', { hasText: /^5$/ }).waitFor()

    // Adjust -1: a reason is required.
    await stockRow.locator('[data-test="stock-row-adjust"]').click()
    const adjust = page.locator('.el-dialog:visible')
    assert.equal(await adjust.locator('input[data-test="stock-line-code"]').inputValue(), BOOK.isbn13)
    await adjust.locator('input[data-test="stock-line-qty"]').fill('-1')
    await adjust.locator('[data-test="stock-save"]').click()
    await adjust.locator('.el-form-item__error', { hasText: '请填写调整原因' }).waitFor()
    await adjust.locator('input[name="reason"]').fill('水渍损坏')
    await adjust.locator('[data-test="stock-save"]').click()
    await adjust.waitFor({ state: 'hidden' })
    await stockRow.locator('[data-test="stock-on-hand"]', { hasText: /^4$/ }).waitFor()

    // The movements, newest first.
    await stockRow.locator('[data-test="stock-row-movements"]').click()
    const drawer = page.locator('[data-test="movements-drawer"]:visible')
    const moves = drawer.locator('.el-table__body .el-table__row')
    await moves.nth(1).waitFor()
    assert.equal(await moves.count(), 2)
    const texts = (await moves.allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim())
    assert.match(texts[0], /调整 -1 4 水渍损坏 owner/)
    assert.match(texts[1], /进货 \+5 5 SH-2026-118 owner/)

    // Once in English.
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'hidden' })
    await page.getByText('English', { exact: true }).click()
    await page.locator('#tab-stock', { hasText: 'Stock' }).waitFor()
    await page.locator('[data-test="stock-table"] th', { hasText: 'On hand' }).waitFor()
    await page.locator('[data-test="stock-receive"]', { hasText: 'Receive' }).waitFor()
    await stockRow.locator('[data-test="stock-row-movements"]').click()
    await drawer.locator('.el-table__row', { hasText: 'Adjust' }).waitFor()
    const english = (await drawer.locator('.el-table__body .el-table__row').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim())
    assert.match(english[0], /Adjust -1 4 水渍损坏 owner/)
    assert.match(english[1], /Receive \+5 5 SH-2026-118 owner/)
  } catch (e) {
    await failureShot(page, 'catalog-main')
    throw e
  } finally {
    await context.close()
  }
})
