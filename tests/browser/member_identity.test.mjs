// The member card and merging duplicates on the member page: the owner opens a member,
// sees the card's QR code (the image is the server's SVG of the card number) and prints
// only the card; then finds the same reader's second registration by the last 4 digits
// of its phone, merges it in with a reason, sees the result and the combined points, and
// the duplicate is gone. In English the panel's labels follow.
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

let keep = null

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

async function post(page, path, data) {
  const res = await page.request.post(path, { headers: { 'X-CSRF-Token': await csrf(page) }, data })
  assert.ok(res.ok(), `${path} → ${res.status()} ${await res.text()}`)
  return res.json()
}

test('owner sees the card QR code, prints it and merges a duplicate member', { timeout: 180_000 }, async () => {
  const { context, page } = await signedInPage(OWNER)
  try {
    keep = await post(page, '/api/v1/members', { phone: '139 0000 1111', name: '周读者', notes: '老顾客' })
    const dup = await post(page, '/api/v1/members', { phone: '137 0000 2222', email: 'zhou@example.com' })
    await post(page, `/api/v1/members/${keep.id}/points/adjustments`, { points: 300, reason: '开卡礼' })
    await post(page, `/api/v1/members/${dup.id}/points/adjustments`, { points: 200, reason: '旧卡积分' })

    await page.goto(`/members/${keep.id}`)
    const panel = page.locator('[data-test="member-card-panel"]')
    await panel.getByText('会员卡', { exact: true }).waitFor()

    // The QR image is loaded from the server and is the SVG of this member's card number.
    const qr = panel.locator('img[data-test="member-card-qr"]')
    await page.waitForFunction(() => {
      const img = document.querySelector('img[data-test="member-card-qr"]')
      return img && img.complete && img.naturalWidth > 0
    })
    assert.match(await qr.getAttribute('alt'), new RegExp(keep.card_number))
    const svg = await (await page.request.get(await qr.getAttribute('src'))).text()
    assert.match(svg, /^<svg [^>]*data-modules="\d+"/)
    assert.ok(svg.includes(keep.card_number.replace(/(\d{4})(?=\d)/g, '$1 ')), 'the number is printed in the image')

    // Printing prints just the card: the print stylesheet is switched on while printing.
    await page.evaluate(() => {
      window.__printed = []
      window.print = () => window.__printed.push(document.body.classList.contains('printing-member-card'))
    })
    await panel.locator('[data-test="member-card-print"]', { hasText: '打印会员卡' }).click()
    assert.deepEqual(await page.evaluate(() => window.__printed), [true])
    assert.equal(await page.evaluate(() => document.body.classList.contains('printing-member-card')), false)
    const png = await page.request.get(await panel.locator('[data-test="member-card-png"]').getAttribute('href'))
    assert.equal(png.headers()['content-type'], 'image/png')

    // Merge the duplicate: find it by the last 4 digits, compare, give a reason, confirm.
    await panel.locator('[data-test="member-merge-open"]', { hasText: '合并重复会员' }).click()
    const dialog = page.locator('[data-test="merge-dialog"]')
    await dialog.getByText('合并重复会员到：周读者').waitFor()
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-test') === 'merge-search')
    await page.keyboard.type('2222')
    await page.keyboard.press('Enter')
    const row = dialog.locator('[data-test="merge-results"] .el-table__row', { hasText: dup.card_number })
    await row.waitFor()
    assert.equal(await dialog.locator('[data-test="merge-results"] .el-table__row').count(), 1)
    await row.locator('[data-test="merge-pick"]').click()
    const compare = dialog.locator('[data-test="merge-compare"]')
    await compare.waitFor()
    const compareText = (await compare.innerText()).replace(/\s+/g, ' ')
    assert.match(compareText, /积分 300 200/)
    assert.match(compareText, /\+8613700002222/)

    // No reason: the dialog says so and nothing is sent.
    await dialog.locator('[data-test="merge-confirm"]').click()
    await dialog.getByText('请填写合并原因').waitFor()
    assert.equal((await (await page.request.get(`/api/v1/members/${dup.id}`)).json()).id, dup.id)

    await dialog.locator('input[data-test="merge-reason"]').fill('同一人两张卡')
    await dialog.locator('[data-test="merge-confirm"]', { hasText: '确认合并' }).click()
    const result = dialog.locator('[data-test="merge-result"]')
    await result.getByText('合并完成').waitFor()
    const resultText = (await result.innerText()).replace(/\s+/g, ' ')
    assert.match(resultText, /转入 200 积分（1 条记录）/)
    assert.match(resultText, /当前积分 500/)
    assert.match(resultText, /电子邮箱/)
    await dialog.locator('[data-test="merge-done"]').click()
    await dialog.waitFor({ state: 'hidden' })

    // The page shows the combined points and history; the duplicate is gone.
    await page.locator('[data-test="member-points"] .stat-value', { hasText: '500' }).waitFor()
    await page.locator('[data-test="points-table"] .el-table__row', { hasText: '旧卡积分' }).waitFor()
    await page.locator('[data-test="points-table"] .el-table__row', { hasText: '开卡礼' }).waitFor()
    assert.equal(await page.locator('[data-test="member-profile"] input[name="email"]').inputValue(), 'zhou@example.com')
    const gone = await page.request.get(`/api/v1/members/${dup.id}`)
    assert.equal(gone.status(), 404)
    assert.equal((await gone.json()).error.details.find((d) => d.field === 'merged_into').message, String(keep.id))
    // The old card still finds the member who stays.
    const found = await (await page.request.get(`/api/v1/members?q=${dup.card_number}`)).json()
    assert.deepEqual(found.items.map((m) => m.id), [keep.id])
  } catch (e) {
    await failureShot(page, 'member-identity')
    throw e
  } finally {
    await context.close()
  }
})

test('the member card panel follows the switch to English', { timeout: 120_000 }, async () => {
  const { context, page } = await signedInPage(OWNER)
  try {
    await page.getByText('English', { exact: true }).click()
    await page.locator('[data-test="sign-out"]', { hasText: 'Sign out' }).waitFor()
    await page.goto(`/members/${keep.id}`)
    const panel = page.locator('[data-test="member-card-panel"]')
    await panel.getByText('Member card', { exact: true }).waitFor()
    await panel.locator('[data-test="member-card-print"]', { hasText: 'Print card' }).waitFor()
    await panel.locator('[data-test="member-merge-open"]', { hasText: 'Merge duplicate' }).click()
    await page.locator('[data-test="merge-dialog"]').getByText('Merge a duplicate into:').waitFor()
    assert.equal(await page.getByText('合并重复会员', { exact: true }).count(), 0)
  } catch (e) {
    await failureShot(page, 'member-identity-english')
    throw e
  } finally {
    await context.close()
  }
})
