// Favourite genres on the member page ("阅读偏好 / Interests"): a member's spend per genre
// (written into member_genres with sqlite3, as the checkout's RecordPurchase would; there is
// no sale endpoint yet) shows as the cashier's summary line, a bar chart and the figures —
// the top 5 by spend with shares, the demo catalog's names (the raw code for a genre that no
// category has), the last purchase day — with the rest summed and "show all" listing them.
// In English the names and the summary follow; a member without purchases sees the empty state.
// Starts its own server (see harness.mjs for how to run and configure).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { startServer, launchBrowser, newPage, signIn, failureShot, OWNER } from './harness.mjs'

const execFileP = promisify(execFile)
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

async function csrf(page) {
  return (await (await page.request.get('/api/v1/auth/me')).json()).csrf_token
}

async function post(page, p, data) {
  const res = await page.request.post(p, { headers: { 'X-CSRF-Token': await csrf(page) }, data })
  assert.ok(res.ok(), `${p} → ${res.status()} ${await res.text()}`)
  return res.json()
}

// Spend per genre of one member, straight into the running server's SQLite file.
async function recordGenres(memberId, rows) {
  const values = rows
    .map(([genre, spend, purchases, day]) => `(${memberId}, '${genre}', ${spend}, ${purchases}, ${day ? `'${day}'` : 'NULL'})`)
    .join(', ')
  const sql = `INSERT INTO member_genres (member_id, genre, spend, purchases, last_purchased_on) VALUES ${values};`
  await execFileP('sqlite3', ['-cmd', '.timeout 5000', path.join(server.tmp, 'shuyou.db'), sql])
}

const rowTexts = async (panel) =>
  (await panel.locator('[data-test="interests-table"] .el-table__body .el-table__row').allInnerTexts()).map((s) =>
    s.replace(/\s+/g, ' ').trim(),
  )

test('the member page shows favourite genres with shares, the summary, all genres on demand, and English', { timeout: 180_000 }, async () => {
  const { page } = await newPage(browser, server.baseURL)
  try {
    await page.goto('/login')
    await signIn(page, OWNER)
    await page.locator('[data-test="welcome-card"]').waitFor()
    const reader = await post(page, '/api/v1/members', { phone: '139 0000 3333', name: '林读者' })
    const newcomer = await post(page, '/api/v1/members', { phone: '137 0000 4444', name: '新会员' })
    // 22000 fen in 7 genres: 科幻 54.5 %, 历史 27.3 %, 文学 (no such category) 9.1 %, …
    await recordGenres(reader.id, [
      ['fiction.scifi', 12000, 4, '2026-11-20'],
      ['humanities.history', 6000, 2, '2026-10-02'],
      ['文学', 2000, 1, null],
      ['arts', 1000, 1, '2026-09-09'],
      ['lifestyle', 500, 1, '2026-08-08'],
      ['children', 300, 1, '2026-07-07'],
      ['computing', 200, 1, '2026-06-06'],
    ])

    await page.goto(`/members/${reader.id}`)
    const panel = page.locator('[data-test="member-interests"]')
    await panel.getByText('阅读偏好', { exact: true }).waitFor()
    await panel.locator('[data-test="interests-summary"]', { hasText: '以科幻和历史为主' }).waitFor()
    assert.match(await panel.innerText(), /共 7 类，合计 ¥220\.00/)
    assert.equal(await panel.locator('canvas').count(), 1, 'the bar chart is drawn')
    let rows = await rowTexts(panel)
    assert.equal(rows.length, 5)
    assert.match(rows[0], /^科幻 54\.5% ¥120\.00 4 2026-11-20$/)
    assert.match(rows[1], /^历史 27\.3% ¥60\.00 2 2026-10-02$/)
    assert.match(rows[2], /^文学 文学 9\.1% ¥20\.00 1 —$/, 'a genre no category has shows its code, tagged')
    assert.match(rows[3], /^艺术设计 4\.5% ¥10\.00/)
    assert.match(rows[4], /^生活 2\.3% ¥5\.00/)
    assert.match(await panel.locator('[data-test="interests-others"]').innerText(), /其他 2 类 · 2\.3% · ¥5\.00/)

    await panel.locator('[data-test="interests-toggle"]', { hasText: '显示全部（7）' }).click()
    await panel.locator('[data-test="interests-genre"]', { hasText: '计算机' }).waitFor()
    rows = await rowTexts(panel)
    assert.equal(rows.length, 7)
    assert.match(rows[5], /^童书 1\.4% ¥3\.00 1 2026-07-07$/)
    assert.equal(await panel.locator('[data-test="interests-others"]').count(), 0)
    await panel.locator('[data-test="interests-toggle"]', { hasText: '只看前 5' }).click()
    await panel.locator('[data-test="interests-others"]').waitFor()

    // English: the category names and the summary follow the language.
    await page.getByText('English', { exact: true }).click()
    await panel.getByText('Interests', { exact: true }).waitFor()
    await panel.locator('[data-test="interests-summary"]', { hasText: 'mostly Science fiction and History' }).waitFor()
    rows = await rowTexts(panel)
    assert.match(rows[0], /^Science fiction 54\.5% ¥120\.00 4 2026-11-20$/)
    assert.match(rows[3], /^Arts and design 4\.5%/)
    assert.match(await panel.innerText(), /7 genres, ¥220\.00 in total/)

    // A member who has bought nothing: the empty state.
    await page.goto(`/members/${newcomer.id}`)
    await panel.locator('[data-test="interests-empty"]', { hasText: 'No purchases yet' }).waitFor()
    assert.equal(await panel.locator('canvas').count(), 0)
  } catch (e) {
    await failureShot(page, 'member-interests')
    throw e
  }
})
