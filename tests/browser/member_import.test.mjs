// Member import in the back office: the owner opens Import from the members list, chooses a CSV
// with good and bad rows, sees each bad row with its line and reason, imports the good rows and
// finds an imported member by phone; a second check of the same file finds nothing to import.
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
  '手机号,姓名,生日,积分,备注',
  '13700137001,宋书香,1988-08-08,150,"常客, 爱读诗"',
  '12345,坏号码,,,',
  '13700137003,日期错,1990-02-30,,',
  '13700137004,负积分,,-3,',
  '137 0013 7001,重复,,,',
  '13700137006,周末读者,,,',
].join('\r\n') + '\r\n'

test('owner checks a CSV, sees the bad rows, imports the good ones and finds a member', { timeout: 180_000 }, async () => {
  const { context, page } = await newPage(browser, server.baseURL)
  try {
    await page.goto('/login')
    await signIn(page, OWNER)
    await page.locator('[data-test="welcome-card"]').waitFor()
    await page.locator('[data-test="nav-members"]').click()
    await page.waitForURL((url) => url.pathname === '/members')
    await page.locator('[data-test="member-import"]').click()
    await page.waitForURL((url) => url.pathname === '/members/import')

    await page.locator('[data-test="import-file"]').setInputFiles({
      name: 'old-members.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf8'),
    })
    const report = page.locator('[data-test="import-report"]')
    await report.waitFor()
    assert.equal((await page.locator('[data-test="import-valid"]').innerText()).trim(), '2')
    assert.equal((await page.locator('[data-test="import-invalid"]').innerText()).trim(), '4')
    const rows = (await page.locator('[data-test="import-errors"] .el-table__body .el-table__row').allInnerTexts())
      .map((s) => s.replace(/\s+/g, ' ').trim())
    assert.equal(rows.length, 4, rows.join('\n'))
    assert.match(rows[0], /^3 手机号 12345 /)
    assert.match(rows[1], /^4 生日 1990-02-30 .*not a real date/)
    assert.match(rows[2], /^5 积分 -3 .*must not be negative/)
    assert.match(rows[3], /^6 手机号 137 0013 7001 .*first on line 2/)

    await page.locator('[data-test="import-run"]').click()
    await page.locator('[data-test="import-done"]').waitFor()
    assert.match(await page.locator('[data-test="import-done"]').innerText(), /已导入 2 位会员/)

    await page.locator('[data-test="import-to-members"]').click()
    await page.waitForURL((url) => url.pathname === '/members')
    await page.locator('input[data-test="member-search"]').fill('13700137001')
    const table = page.locator('[data-test="member-table"]')
    await table.locator('.el-table__row', { hasText: '宋书香' }).waitFor()
    await table.locator('.el-table__row', { hasText: '宋书香' }).click()
    await page.waitForURL((url) => /^\/members\/\d+$/.test(url.pathname))
    // The opening balance is the first row of the points history; the quoted notes kept their comma.
    await page.locator('[data-test="points-table"] .el-table__row', { hasText: 'imported opening balance' }).waitFor()
    assert.match(await page.locator('[data-test="points-table"] .el-table__row').first().innerText(), /\+150/)
    const notes = await page.locator('textarea').evaluateAll((els) => els.map((e) => e.value))
    assert.ok(notes.includes('常客, 爱读诗'), JSON.stringify(notes))

    // The same file again: everything good is already a member.
    await page.goto('/members/import')
    await page.locator('[data-test="import-file"]').setInputFiles({
      name: 'old-members.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf8'),
    })
    await page.locator('[data-test="import-report"]').waitFor()
    assert.equal((await page.locator('[data-test="import-valid"]').innerText()).trim(), '0')
    assert.equal(await page.locator('[data-test="import-run"]').isDisabled(), true)
  } catch (e) {
    await failureShot(page, 'member-import')
    throw e
  } finally {
    await context.close()
  }
})
