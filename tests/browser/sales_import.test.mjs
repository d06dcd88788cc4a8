// Sales history import: the owner goes from the catalog to "导入历史销售", chooses a CSV of past
// sales with a bad date, sees the bad line with its reason and what would be imported and created,
// imports, and choosing the same file again shows every receipt as already imported.
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

const CSV = [
  '小票号,销售时间,手机号,ISBN,书名,数量,单价',
  'H1,2024-03-05 14:30,16612345678,9787101111118,历史导入之书,2,45.50',
  'H1,2024-03-05 14:30,16612345678,7222222227,第二本历史书,1,32',
  'H2,2024-02-30 10:00,,9787101111118,历史导入之书,1,45.50',
  'H3,2024-03-09 11:00,16612345678,9787101111118,历史导入之书,-1,45.50',
].join('\r\n') + '\r\n'

test('owner checks a sales history, sees the bad line, imports, and a repeat skips everything', { timeout: 180_000 }, async () => {
  const { context, page } = await newPage(browser, server.baseURL)
  try {
    await page.goto('/login')
    await signIn(page, OWNER)
    await page.locator('[data-test="nav-catalog"]').click()
    await page.waitForURL((url) => url.pathname === '/catalog')
    await page.locator('[data-test="sales-import-link"]').click()
    await page.waitForURL((url) => url.pathname === '/sales/import')
    await page.locator('[data-test="sales-import"]').waitFor()

    const file = { name: 'history.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf8') }
    await page.locator('[data-test="sales-import-file"]').setInputFiles(file)
    await page.locator('[data-test="sales-import-report"]').waitFor()
    assert.equal((await page.locator('[data-test="sales-import-valid"]').innerText()).trim(), '3')
    assert.equal((await page.locator('[data-test="sales-import-invalid"]').innerText()).trim(), '1')
    assert.match(await page.locator('[data-test="sales-import-sales"]').innerText(), /1 笔，2 行，¥123\.00/)
    assert.match(await page.locator('[data-test="sales-import-returns"]').innerText(), /1 笔，退款 ¥45\.50/)
    assert.equal((await page.locator('[data-test="sales-import-members"]').innerText()).trim(), '1')
    assert.equal((await page.locator('[data-test="sales-import-products"]').innerText()).trim(), '2')
    const rows = (await page.locator('[data-test="sales-import-errors"] .el-table__body .el-table__row').allInnerTexts())
      .map((s) => s.replace(/\s+/g, ' ').trim())
    assert.equal(rows.length, 1, rows.join('\n'))
    assert.match(rows[0], /^4 销售时间 2024-02-30 10:00 is not a real date/)

    await page.locator('[data-test="sales-import-run"]').click()
    await page.locator('[data-test="sales-import-done"]').waitFor()
    assert.match(await page.locator('[data-test="sales-import-done"]').innerText(), /已导入 1 笔销售、1 笔退货/)

    // The same file again: both good receipts are already imported, nothing is left to import.
    await page.locator('[data-test="sales-import-file"]').setInputFiles([])
    await page.locator('[data-test="sales-import-file"]').setInputFiles(file)
    await page.locator('[data-test="sales-import-report"]').waitFor()
    assert.match(await page.locator('[data-test="sales-import-skipped"]').innerText(), /2 张小票（3 行）/)
    assert.equal(await page.locator('[data-test="sales-import-run"]').isDisabled(), true)
  } catch (e) {
    await failureShot(page, 'sales-import')
    throw e
  } finally {
    await context.close()
  }
})
