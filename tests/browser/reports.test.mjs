// Reports and the owner's dashboard on a demo database with members and three months of sales:
// the dashboard is the owner's landing page and shows what GET /api/v1/reports/dashboard
// answers; every report page, in Chinese and in English, shows a key number and a table row
// equal to the API's answer for the same filters and draws its chart; changing the date range
// (a preset) and the store changes the request; CSV and XLSX exports download with the current
// filters; an RFM segment opens its member list, whose rows open the member; a cashier gets no
// reports and no dashboard. Starts its own server (see harness.mjs).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { startServer, launchBrowser, newPage, signIn, failureShot, chooseOption, OWNER } from './harness.mjs'

let server
let browser

before(async () => {
  server = await startServer({ demoArgs: ['--members', '400', '--months', '3'] })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

/** As the screens format money: 123456 → "¥1,234.56". */
function money(minor) {
  if (minor === null || minor === undefined) return '—'
  const sign = minor < 0 ? '-' : ''
  const abs = Math.abs(minor)
  return `${sign}¥${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`
}
const count = (n) => n.toLocaleString('en-US')
const share = (r) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)}%`)

const squash = (s) => s.replace(/\s+/g, ' ').trim()
const textOf = async (locator) => squash(await locator.first().innerText())

/** 'YYYY-MM-DD' of a Date in the local calendar of this process. */
function iso(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}
const TODAY = new Date()
const RANGE = { from: iso(new Date(TODAY.getFullYear(), TODAY.getMonth(), TODAY.getDate() - 89)), to: iso(TODAY) }

/** Waits for the page's GET of /api/v1/reports/<name> (matching `match` on its query) and answers its JSON and query. */
function reportResponse(page, name, match = () => true) {
  return page
    .waitForResponse((r) => {
      const u = new URL(r.url())
      return r.request().method() === 'GET' && u.pathname === `/api/v1/reports/${name}` && match(u.searchParams)
    })
    .then(async (r) => {
      assert.equal(r.status(), 200, `${r.url()}: ${await r.text()}`)
      return { body: await r.json(), query: new URL(r.url()).searchParams }
    })
}

async function signedIn(account) {
  const { context, page } = await newPage(browser, server.baseURL)
  await page.goto('/login')
  await signIn(page, account)
  await page.locator('[data-test="welcome-card"]').waitFor()
  return { context, page }
}

/** A chart has been drawn: its container holds a canvas with a size. */
async function assertChart(page, test) {
  const canvas = page.locator(`[data-test="${test}"] canvas`).first()
  await canvas.waitFor()
  const box = await canvas.boundingBox()
  assert.ok(box && box.width > 100 && box.height > 100, `${test}: chart canvas ${JSON.stringify(box)}`)
}

const kpi = (page, name, scope = page) => scope.locator(`[data-test="kpi-${name}"] [data-test="kpi-value"]`)

test('the dashboard is the owner\'s landing page and shows the server\'s numbers', { timeout: 180_000 }, async () => {
  const { context, page } = await newPage(browser, server.baseURL)
  try {
    await page.goto('/login')
    const answer = reportResponse(page, 'dashboard')
    await signIn(page, OWNER)
    await page.waitForURL((url) => url.pathname === '/')
    const { body: d, query } = await answer
    // The same question asked directly gets the same answer the page shows.
    const direct = await (await page.request.get(`/api/v1/reports/dashboard?${query}`)).json()
    assert.deepEqual(direct.month, d.month)
    assert.ok(d.month.sales > 0, 'the demo month has sales')

    const today = page.locator('[data-test="dashboard-today"]')
    const month = page.locator('[data-test="dashboard-month"]')
    await kpi(page, 'net_after_returns', month).waitFor()
    assert.equal(await textOf(kpi(page, 'net_after_returns', today)), money(d.today.net_after_returns))
    assert.equal(await textOf(kpi(page, 'sales', today)), count(d.today.sales))
    assert.equal(await textOf(kpi(page, 'net_after_returns', month)), money(d.month.net_after_returns))
    assert.equal(await textOf(kpi(page, 'sales', month)), count(d.month.sales))
    assert.equal(await textOf(kpi(page, 'average_basket', month)), money(d.month.average_basket))
    assert.equal(await textOf(kpi(page, 'new_members', month)), count(d.month.new_members))
    // The arrow follows the server's change against the same days of last month.
    const change = d.month_change.net_after_returns
    const direction = await month.locator('[data-test="kpi-net_after_returns"] [data-test="kpi-change"]').getAttribute('data-direction')
    assert.equal(direction, change === null ? 'none' : String(Math.abs(change) < 1e-9 ? 0 : Math.sign(change)))

    assert.equal(await textOf(page.locator('[data-test="members-total"]')), count(d.members.total))
    assert.equal(await textOf(page.locator('[data-test="members-active"]')), count(d.members.active_90_days))
    assert.equal(await textOf(page.locator('[data-test="points-outstanding"]')), count(d.liabilities.points_outstanding))
    assert.equal(await textOf(page.locator('[data-test="points-value"]')), money(d.liabilities.points_value))
    assert.equal(await textOf(page.locator('[data-test="stored-value"]')), money(d.liabilities.stored_value))

    assert.ok(d.top_books.length > 0)
    const top = page.locator('[data-test="dashboard-top-books"] .el-table__body .el-table__row')
    assert.equal(await top.count(), d.top_books.length)
    assert.equal(await textOf(top.first().locator('[data-test="top-title"]')), d.top_books[0].title)
    assert.equal(await textOf(top.first().locator('[data-test="top-quantity"]')), count(d.top_books[0].quantity))
    assert.equal(await textOf(top.first().locator('[data-test="top-net"]')), money(d.top_books[0].net))
    await assertChart(page, 'dashboard-chart')

    // Another day: the dashboard asks for it and shows its numbers.
    const previousDay = d.previous_day
    const again = reportResponse(page, 'dashboard', (q) => q.get('to') === previousDay)
    const dayInput = page.locator('[data-test="dashboard-day"] input')
    await dayInput.fill(previousDay)
    await dayInput.press('Enter')
    const { body: d2 } = await again
    assert.equal(d2.day, previousDay)
    await today.locator('.block-title', { hasText: previousDay }).waitFor()
    assert.equal(await textOf(kpi(page, 'net_after_returns', today)), money(d2.today.net_after_returns))
  } catch (e) {
    await failureShot(page, 'reports-dashboard')
    throw e
  } finally {
    await context.close()
  }
})

/** What each report page must show from its answer; `lang` is the UI language. */
const CHECKS = {
  async sales(page, r) {
    assert.ok(r.totals.sales > 0)
    assert.equal(await textOf(kpi(page, 'net_after_returns')), money(r.totals.net_after_returns))
    assert.equal(await textOf(kpi(page, 'sales')), count(r.totals.sales))
    const rows = page.locator('[data-test="sales-table"] .el-table__body .el-table__row')
    assert.equal(await rows.count(), r.rows.length)
    const busiest = r.rows.reduce((a, b) => (b.net_after_returns > a.net_after_returns ? b : a))
    const row = rows.filter({ has: page.locator('[data-test="row-label"]', { hasText: busiest.label }) }).first()
    assert.equal(await textOf(row.locator('[data-test="row-net-after-returns"]')), money(busiest.net_after_returns))
    await assertChart(page, 'sales-chart')
  },
  async books(page, r) {
    assert.ok(r.best_sellers.length > 0)
    assert.equal(await textOf(kpi(page, 'quantity')), count(r.summary.quantity))
    const first = page.locator('[data-test="books-best"] .el-table__body .el-table__row').first()
    assert.equal(await textOf(first.locator('[data-test="book-title"]')), r.best_sellers[0].title)
    assert.equal(await textOf(first.locator('[data-test="book-quantity"]')), count(r.best_sellers[0].quantity))
    assert.equal(await textOf(first.locator('[data-test="book-net"]')), money(r.best_sellers[0].net))
    await assertChart(page, 'books-chart')
  },
  async hours(page, r) {
    const rows = page.locator('[data-test="hours-weekdays"] .el-table__body .el-table__row')
    assert.equal(await rows.count(), 7)
    for (let i = 0; i < 7; i++) {
      assert.equal(await textOf(rows.nth(i).locator('[data-test="row-sales"]')), count(r.weekdays[i].sales))
      assert.equal(await textOf(rows.nth(i).locator('[data-test="row-net"]')), money(r.weekdays[i].net))
    }
    await assertChart(page, 'hours-heatmap')
  },
  async members(page, r) {
    assert.ok(r.status.total > 0)
    assert.equal(await textOf(kpi(page, 'total')), count(r.status.total))
    assert.equal(await textOf(kpi(page, 'active')), count(r.status.active))
    assert.equal(await textOf(kpi(page, 'repeat_rate')), share(r.totals.repeat_purchase_rate))
    const rows = page.locator('[data-test="members-months"] .el-table__body .el-table__row')
    assert.equal(await rows.count(), r.months.length)
    const last = r.months[r.months.length - 1]
    const row = rows.nth(r.months.length - 1)
    assert.equal(await textOf(row.locator('[data-test="row-label"]')), last.month)
    assert.equal(await textOf(row.locator('[data-test="row-buyers"]')), count(last.buyers))
    await assertChart(page, 'members-months-chart')
  },
  async rfm(page, r) {
    assert.ok(r.scored_members > 0)
    assert.equal(await textOf(kpi(page, 'scored_members')), count(r.scored_members))
    assert.equal(await textOf(kpi(page, 'clv')), money(r.clv.clv))
    const rows = page.locator('[data-test="rfm-segments"] .el-table__body .el-table__row')
    assert.equal(await rows.count(), 11)
    for (let i = 0; i < 11; i++) {
      assert.equal(await textOf(rows.nth(i).locator('[data-test="segment-members"]')), count(r.segments[i].members))
      assert.equal(await textOf(rows.nth(i).locator('[data-test="segment-revenue"]')), money(r.segments[i].revenue))
    }
    await assertChart(page, 'rfm-treemap')
  },
  async cohorts(page, r) {
    assert.ok(r.cohorts.length > 0)
    const rows = page.locator('[data-test="cohort-row"]')
    assert.equal(await rows.count(), r.cohorts.length)
    const c = r.cohorts[0]
    assert.equal(await textOf(rows.first().locator('[data-test="cohort-label"]')), c.cohort)
    assert.equal(await textOf(rows.first().locator('[data-test="cohort-size"]')), count(c.size))
    assert.equal(await textOf(rows.first().locator('[data-test="cohort-cell"]')), share(c.months[0].rate))
    if (r.average_rates.length) await assertChart(page, 'cohorts-chart')
  },
  async loyalty(page, r) {
    assert.equal(await textOf(kpi(page, 'points_outstanding')), count(r.outstanding.points))
    assert.equal(await textOf(kpi(page, 'points_liability')), money(r.outstanding.liability))
    assert.equal(await textOf(kpi(page, 'sv_liability')), money(r.stored_value.liability))
    const rows = page.locator('[data-test="loyalty-points"] .el-table__body .el-table__row')
    assert.equal(await rows.count(), r.points_months.length)
    const first = r.points_months[0]
    assert.equal(await textOf(rows.first().locator('[data-test="row-earned"]')), count(first.earned))
    assert.equal(await textOf(rows.first().locator('[data-test="row-redeemed"]')), count(first.redeemed))
    assert.ok(r.tiers.length > 0)
    assert.equal(await textOf(page.locator('[data-test="tier-members"]')), count(r.tiers[0].members))
    await assertChart(page, 'loyalty-points-chart')
  },
}

const TAB_NAMES = {
  'zh-CN': { sales: '销售', books: '图书', hours: '时段', members: '会员', rfm: '会员价值', cohorts: '留存', loyalty: '积分与储值' },
  en: { sales: 'Sales', books: 'Books', hours: 'When', members: 'Members', rfm: 'Member value', cohorts: 'Cohorts', loyalty: 'Loyalty' },
}

for (const lang of ['zh-CN', 'en']) {
  test(`every report page in ${lang} shows the API's numbers and draws its chart`, { timeout: 300_000 }, async () => {
    const { context, page } = await signedIn(OWNER)
    try {
      if (lang === 'en') {
        await page.getByText('English', { exact: true }).click()
        await page.locator('[data-test="sign-out"]', { hasText: 'Sign out' }).waitFor()
      }
      // Through the navigation: /reports opens the sales report.
      const first = reportResponse(page, 'sales')
      await page.locator('[data-test="nav-reports"]').click()
      await page.waitForURL((url) => url.pathname === '/reports/sales')
      await first
      for (const [name, check] of Object.entries(CHECKS)) {
        const answer = reportResponse(page, name, (q) => q.get('from') === RANGE.from && q.get('to') === RANGE.to)
        await page.goto(`/reports/${name}?from=${RANGE.from}&to=${RANGE.to}`)
        const { body, query } = await answer
        assert.equal(query.get('lang'), lang, `${name} asks in the UI language`)
        await page.locator(`[data-test="report-${name}"] :is(.el-table__body .el-table__row, [data-test="cohort-row"])`).first().waitFor()
        assert.equal(await textOf(page.locator(`#tab-${name}`)), TAB_NAMES[lang][name])
        await check(page, body)
      }
    } catch (e) {
      await failureShot(page, `reports-pages-${lang}`)
      throw e
    } finally {
      await context.close()
    }
  })
}

test('date presets and the store change the request; CSV and XLSX download with the filters', { timeout: 180_000 }, async () => {
  const { context, page } = await signedIn(OWNER)
  try {
    // A second store makes the store filter appear.
    const { csrf_token: csrf } = await (await page.request.get('/api/v1/auth/me')).json()
    const created = await page.request.post('/api/v1/stores', {
      headers: { 'X-CSRF-Token': csrf },
      data: { code: 'RPT2', name: '报表二店', address: '', phone: '', timezone: 'Asia/Shanghai', currency: 'CNY' },
    })
    assert.equal(created.status(), 201, await created.text())
    const store2 = await created.json()

    let answer = reportResponse(page, 'sales', (q) => q.get('from') === RANGE.from)
    await page.goto(`/reports/sales?from=${RANGE.from}&to=${RANGE.to}`)
    await answer

    // The preset "last 7 days", in the browser's calendar.
    const [from7, to7] = await page.evaluate(() => {
      const d = new Date()
      const f = (x) => `${x.getFullYear()}-${String(x.getMonth() + 1).padStart(2, '0')}-${String(x.getDate()).padStart(2, '0')}`
      return [f(new Date(d.getFullYear(), d.getMonth(), d.getDate() - 6)), f(d)]
    })
    answer = reportResponse(page, 'sales', (q) => q.get('from') === from7)
    await page.locator('[data-test="report-range"] input').first().click()
    await page.locator('.el-picker-panel__shortcut', { hasText: '近 7 天' }).click()
    let { body, query } = await answer
    assert.equal(query.get('to'), to7)
    assert.equal(body.period.days, 7)
    await page.waitForURL((url) => url.searchParams.get('from') === from7 && url.searchParams.get('to') === to7)
    // The card shows the new answer once it has rendered (until then it shows the 30 days').
    await kpi(page, 'sales').filter({ hasText: new RegExp(`^${count(body.totals.sales)}$`) }).waitFor()
    assert.equal(await textOf(kpi(page, 'sales')), count(body.totals.sales))

    // Group by week: the request and the table follow.
    answer = reportResponse(page, 'sales', (q) => q.get('group') === 'week' && q.get('from') === from7)
    await page.locator('[data-test="sales-group-week"]').click()
    ;({ body } = await answer)
    await page.locator('[data-test="sales-table"] [data-test="row-label"]', { hasText: body.rows[0].label }).waitFor()

    // The new store: its own request, and (no sales there) zero.
    answer = reportResponse(page, 'sales', (q) => q.get('store_id') === String(store2.id))
    await chooseOption(page, page.locator('[data-test="report-store"]'), '报表二店')
    ;({ body } = await answer)
    assert.equal(body.totals.sales, 0)
    await page.waitForURL((url) => url.searchParams.get('store_id') === String(store2.id))
    await page.locator('[data-test="kpi-sales"] [data-test="kpi-value"]', { hasText: /^0$/ }).waitFor()
    // Back to every store.
    answer = reportResponse(page, 'sales', (q) => !q.has('store_id') && q.get('group') === 'week')
    await chooseOption(page, page.locator('[data-test="report-store"]'), '全部门店')
    await answer

    // CSV: named after the report and the period, UTF-8 with a BOM, the grouping on screen.
    let download = page.waitForEvent('download')
    const csvRequest = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/reports/sales' && new URL(r.url()).searchParams.get('format') === 'csv')
    await page.locator('[data-test="export-csv"]').click()
    const csvQuery = new URL((await csvRequest).url()).searchParams
    assert.equal(csvQuery.get('from'), from7)
    assert.equal(csvQuery.get('to'), to7)
    assert.equal(csvQuery.get('group'), 'week')
    let file = await download
    assert.equal(file.suggestedFilename(), `sales-${from7}-${to7}.csv`)
    const csv = fs.readFileSync(await file.path(), 'utf8')
    assert.ok(csv.startsWith('\ufeff'), 'CSV starts with a BOM')
    assert.ok(csv.split(/\r?\n/).filter(Boolean).length >= 2, csv)

    // XLSX of the books report: a zip (an Excel workbook).
    answer = reportResponse(page, 'books')
    await page.locator('#tab-books').click()
    await answer
    download = page.waitForEvent('download')
    await page.locator('[data-test="export-xlsx"]').click()
    file = await download
    assert.equal(file.suggestedFilename(), `books-${from7}-${to7}.xlsx`)
    const xlsx = fs.readFileSync(await file.path())
    assert.equal(xlsx.subarray(0, 2).toString('latin1'), 'PK')
  } catch (e) {
    await failureShot(page, 'reports-filters')
    throw e
  } finally {
    await context.close()
  }
})

test('an RFM segment opens its member list, and a member opens from it', { timeout: 120_000 }, async () => {
  const { context, page } = await signedIn(OWNER)
  try {
    const answer = reportResponse(page, 'rfm')
    await page.goto('/reports/rfm')
    const { body } = await answer
    const seg = body.segments.find((s) => s.members > 0)
    assert.ok(seg, 'some segment has members')

    const list = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/reports/rfm/members')
    await page.locator(`[data-test="open-segment-${seg.segment}"]`).click()
    const listRes = await list
    assert.equal(new URL(listRes.url()).searchParams.get('segment'), seg.segment)
    const members = await listRes.json()
    const drawer = page.locator('[data-test="rfm-members"]')
    const rows = drawer.locator('[data-test="rfm-members-table"] .el-table__body .el-table__row')
    await rows.first().waitFor()
    assert.equal(await rows.count(), Math.min(seg.members, 50))
    assert.equal(members.items.length, Math.min(seg.members, 50))
    assert.equal(await textOf(rows.first().locator('[data-test="rfm-member-spend"]')), money(members.items[0].total_spend))
    await page.waitForURL((url) => url.searchParams.get('segment') === seg.segment)

    await rows.first().locator('[data-test="rfm-member-link"]').click()
    await page.waitForURL((url) => url.pathname === `/members/${members.items[0].id}`)
    // Back: the list is open again.
    await page.goBack()
    await drawer.locator('[data-test="rfm-members-table"] .el-table__body .el-table__row').first().waitFor()
  } catch (e) {
    await failureShot(page, 'reports-rfm')
    throw e
  } finally {
    await context.close()
  }
})

test('a cashier sees neither reports nor the dashboard', { timeout: 120_000 }, async () => {
  const owner = await signedIn(OWNER)
  const cashier = { username: 'rptcashier', password: 'cashier-pass-2024' }
  try {
    const { csrf_token: csrf } = await (await owner.page.request.get('/api/v1/auth/me')).json()
    const res = await owner.page.request.post('/api/v1/staff', {
      headers: { 'X-CSRF-Token': csrf },
      data: { username: cashier.username, display_name: '报表测试收银员', role: 'cashier', home_store_id: null, password: cashier.password },
    })
    assert.equal(res.status(), 201, await res.text())
  } finally {
    await owner.context.close()
  }
  const { context, page } = await signedIn(cashier)
  try {
    await page.locator('[data-test="home-shortcuts"]').waitFor()
    assert.equal(await page.locator('[data-test="dashboard"]').count(), 0)
    assert.equal(await page.locator('[data-test="nav-reports"]').count(), 0)
    assert.equal((await page.request.get('/api/v1/reports/dashboard')).status(), 403)
    await page.goto('/reports/sales')
    await page.waitForURL((url) => url.pathname === '/')
  } catch (e) {
    await failureShot(page, 'reports-cashier')
    throw e
  } finally {
    await context.close()
  }
})
