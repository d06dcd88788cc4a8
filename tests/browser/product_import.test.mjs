// Product import on the catalog screen: the owner opens Import, chooses a CSV with good rows and
// a bad ISBN, sees the bad line with its reason and the category that would be created, imports,
// and finds an imported book through the catalog search with its opening stock.
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
  'ISBN,书名,作者,出版社,出版年,分类,定价,税率,库存',
  '9787101111118,导入测试之书,林语堂,中华书局,2016,导入分类/散文,¥45.5,9%,6',
  '9787101111119,校验位错误,某人,,,,20,,',
  '7222222227,第二本导入书,钱锺书,三联书店,2002,导入分类/散文,32,9,',
].join('\r\n') + '\r\n'

test('owner checks a catalog CSV, sees the bad line, imports and finds the book', { timeout: 180_000 }, async () => {
  const { context, page } = await newPage(browser, server.baseURL)
  try {
    await page.goto('/login')
    await signIn(page, OWNER)
    await page.locator('[data-test="nav-catalog"]').click()
    await page.waitForURL((url) => url.pathname === '/catalog')
    await page.locator('[data-test="product-import"]').click()
    const dialog = page.locator('[data-test="product-import-dialog"]')
    await dialog.waitFor()

    await page.locator('[data-test="product-import-file"]').setInputFiles({
      name: 'catalog.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf8'),
    })
    await page.locator('[data-test="product-import-report"]').waitFor()
    assert.equal((await page.locator('[data-test="product-import-created"]').innerText()).trim(), '2')
    assert.equal((await page.locator('[data-test="product-import-invalid"]').innerText()).trim(), '1')
    assert.match(await page.locator('[data-test="product-import-categories"]').innerText(), /导入分类\/散文/)
    const rows = (await page.locator('[data-test="product-import-errors"] .el-table__body .el-table__row').allInnerTexts())
      .map((s) => s.replace(/\s+/g, ' ').trim())
    assert.equal(rows.length, 1, rows.join('\n'))
    assert.match(rows[0], /^3 ISBN 9787101111119 .*check digit/)

    await page.locator('[data-test="product-import-run"]').click()
    await page.locator('[data-test="product-import-done"]').waitFor()
    assert.match(await page.locator('[data-test="product-import-done"]').innerText(), /已新增 2 个商品/)
    await dialog.getByRole('button', { name: '关闭', exact: true }).click()
    await dialog.waitFor({ state: 'hidden' })

    // The catalog search finds the imported books, the ISBN-10 one by its ISBN-13.
    await page.locator('input[data-test="product-search"]').fill('导入测试')
    const table = page.locator('[data-test="product-table"]')
    const row = table.locator('.el-table__row', { hasText: '导入测试之书' })
    await row.waitFor()
    assert.match(await row.innerText(), /¥45\.50/)
    assert.match(await row.innerText(), /散文/)
    await page.locator('input[data-test="product-search"]').fill('第二本导入书')
    const second = table.locator('.el-table__row', { hasText: '第二本导入书' })
    await second.waitFor()
    assert.equal((await second.locator('[data-test="product-code"]').innerText()).trim(), '9787222222229')
  } catch (e) {
    await failureShot(page, 'product-import')
    throw e
  } finally {
    await context.close()
  }
})
