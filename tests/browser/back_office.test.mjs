// The back-office scenario a shop owner goes through on day one: sign in, find
// the navigation, switch language both ways, create a cashier and a manager,
// sign out; then the new accounts see only the menu their role allows.
// Starts its own server (see harness.mjs for how to run and configure).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import {
  startServer, launchBrowser, newPage, signIn, chooseOption, chooseFirstOption, shotsDir, failureShot, OWNER,
} from './harness.mjs'

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

const NAV_ZH = ['首页', '会员', '会员权益', '收银', '销售单', '商品', '促销', '营销', '报表', '员工', '设置']
const NAV_EN = ['Home', 'Members', 'Loyalty', 'Cashier', 'Sales', 'Catalog', 'Promotions', 'Marketing', 'Reports', 'Staff', 'Settings']

const CASHIER = { username: 'cashier1', display: '收银员小李', password: 'cashier-pass-2024' }
const MANAGER = { username: 'manager1', display: '店长老王', password: 'manager-pass-2024' }

async function navTexts(page) {
  // Top-level entries: menu items and the titles of sub-menu groups (e.g. "loyalty").
  return (await page.locator('[data-test="side-nav"] > .el-menu-item, [data-test="side-nav"] > .el-sub-menu > .el-sub-menu__title').allInnerTexts())
    .map((s) => s.trim())
}

async function createStaff(page, account, roleLabel) {
  await page.locator('[data-test="staff-new"]').click()
  const dialog = page.locator('.el-dialog:visible')
  await dialog.locator('input[name="username"]').fill(account.username)
  await dialog.locator('input[name="display_name"]').fill(account.display)
  await chooseOption(page, dialog.locator('[data-test="staff-role"]'), roleLabel)
  const store = await chooseFirstOption(page, dialog.locator('[data-test="staff-store"]'))
  await dialog.locator('input[name="password"]').fill(account.password)
  await dialog.locator('[data-test="staff-save"]').click()
  await dialog.waitFor({ state: 'hidden' })
  return store
}

test('owner signs in, switches language, creates staff and signs out', { timeout: 180_000 }, async () => {
  const { context, page } = await newPage(browser, server.baseURL)
  try {
    // Unauthenticated: any back-office address leads to the sign-in page (Chinese by default).
    await page.goto('/staff')
    await page.waitForURL(/\/login\?redirect=(%2F|\/)staff$/)
    await page.getByRole('heading', { name: '登录' }).waitFor()

    await signIn(page, OWNER)
    await page.waitForURL((url) => url.pathname === '/staff')
    await page.goto('/')
    await page.locator('[data-test="welcome-card"]').waitFor()

    // The shell: every section for the owner, the user's role in the header.
    assert.deepEqual(await navTexts(page), NAV_ZH)
    assert.equal((await page.locator('[data-test="current-role"]').innerText()).trim(), '店主')
    assert.match(await page.locator('[data-test="welcome-card"]').innerText(), /owner/)

    // Chinese → English: the navigation, header and page change.
    await page.getByText('English', { exact: true }).click()
    await page.locator('[data-test="sign-out"]', { hasText: 'Sign out' }).waitFor()
    assert.deepEqual(await navTexts(page), NAV_EN)
    assert.equal((await page.locator('[data-test="current-role"]').innerText()).trim(), 'Owner')
    assert.equal(await page.getByText('会员', { exact: true }).count(), 0)

    // The choice survives a reload, and the session is restored from the cookie.
    await page.reload()
    await page.locator('[data-test="welcome-card"]').waitFor()
    assert.deepEqual(await navTexts(page), NAV_EN)

    // English → Chinese.
    await page.getByText('中文', { exact: true }).click()
    await page.locator('[data-test="sign-out"]', { hasText: '退出登录' }).waitFor()
    assert.deepEqual(await navTexts(page), NAV_ZH)
    assert.equal(await page.getByText('Members', { exact: true }).count(), 0)

    // A section not built yet says so.
    await page.locator('[data-test="nav-marketing"]').click()
    await page.waitForURL((url) => url.pathname === '/marketing')
    assert.match(await page.locator('[data-test="coming-soon"]').innerText(), /营销.*后续版本/)

    // Staff: create a cashier and a manager for the demo store.
    await page.locator('[data-test="nav-staff"]').click()
    await page.waitForURL((url) => url.pathname === '/staff')
    const table = page.locator('[data-test="staff-table"]')
    await table.locator('.el-table__row', { hasText: 'owner' }).waitFor()

    const cashierStore = await createStaff(page, CASHIER, '收银员')
    await table.locator('.el-table__row', { hasText: CASHIER.username }).waitFor()
    const managerStore = await createStaff(page, MANAGER, '店长')
    await table.locator('.el-table__row', { hasText: MANAGER.username }).waitFor()

    const cashierRow = await table.locator('.el-table__row', { hasText: CASHIER.username }).innerText()
    assert.match(cashierRow, /收银员小李/)
    assert.match(cashierRow, /收银员/)
    const managerRow = await table.locator('.el-table__row', { hasText: MANAGER.username }).innerText()
    assert.match(managerRow, /店长老王/)
    assert.match(managerRow, /店长/)

    // The server, asked directly, holds what the form sent.
    const stores = await (await page.request.get('/api/v1/stores')).json()
    const demoStore = stores.items.find((s) => cashierStore.startsWith(s.name))
    assert.ok(demoStore, `store "${cashierStore}" not in ${JSON.stringify(stores.items)}`)
    assert.ok(managerStore.startsWith(demoStore.name))
    for (const [account, role] of [[CASHIER, 'cashier'], [MANAGER, 'manager']]) {
      const res = await page.request.get(`/api/v1/staff?q=${account.username}`)
      assert.equal(res.status(), 200)
      const found = (await res.json()).items.find((s) => s.username === account.username)
      assert.ok(found, `${account.username} not returned by the server`)
      assert.equal(found.role, role)
      assert.equal(found.display_name, account.display)
      assert.equal(found.home_store_id, demoStore.id)
      assert.equal(found.active, true)
    }

    const shot = path.join(shotsDir(), 'back-office-staff.png')
    await page.screenshot({ path: shot, fullPage: true })
    console.log(`screenshot: ${shot}`)

    // Sign out: back on the sign-in page, and the session is gone on the server too.
    await page.locator('[data-test="sign-out"]').click()
    await page.waitForURL((url) => url.pathname === '/login')
    await page.locator('input[name="username"]').waitFor()
    const me = await page.request.get('/api/v1/auth/me')
    assert.equal(me.status(), 401)
    await page.goto('/staff')
    await page.waitForURL(/\/login/)
  } catch (e) {
    await failureShot(page, 'back-office-main')
    throw e
  } finally {
    await context.close()
  }
})

test('menu follows the role: cashier and manager', { timeout: 120_000 }, async () => {
  // Depends on the accounts created by the previous test.
  for (const [account, expected] of [
    [CASHIER, NAV_ZH.filter((n) => n !== '员工' && n !== '设置' && n !== '会员权益' && n !== '报表')],
    [MANAGER, NAV_ZH.filter((n) => n !== '设置')],
  ]) {
    const { context, page } = await newPage(browser, server.baseURL)
    try {
      await page.goto('/login')
      await signIn(page, account)
      await page.locator('[data-test="welcome-card"]').waitFor()
      assert.deepEqual(await navTexts(page), expected, account.username)
      assert.match(await page.locator('[data-test="current-user"]').innerText(), new RegExp(account.display))

      // A route outside the role is not reachable by typing its address.
      await page.goto('/settings')
      await page.locator('[data-test="welcome-card"]').waitFor()
      assert.equal(new URL(page.url()).pathname, '/')
    } catch (e) {
      await failureShot(page, `menu-${account.username}`)
      throw e
    } finally {
      await context.close()
    }
  }
})

test('owner searches, edits an account, sees field errors, and signs a manager out everywhere', { timeout: 180_000 }, async () => {
  // Depends on the accounts created by the first test.
  const manager = await newPage(browser, server.baseURL)
  const owner = await newPage(browser, server.baseURL)
  try {
    await manager.page.goto('/login')
    await signIn(manager.page, MANAGER)
    await manager.page.locator('[data-test="welcome-card"]').waitFor()

    const page = owner.page
    await page.goto('/login')
    await signIn(page, OWNER)
    await page.locator('[data-test="welcome-card"]').waitFor()
    await page.goto('/staff')
    const table = page.locator('[data-test="staff-table"]')
    const rowOf = (username) => table.locator('.el-table__row', { hasText: username })
    await rowOf(MANAGER.username).waitFor()

    // Search narrows the list on the server (q=…).
    await page.locator('input[data-test="staff-search"]').fill('cash')
    await rowOf(MANAGER.username).waitFor({ state: 'detached' })
    assert.equal(await table.locator('.el-table__row').count(), 1)
    await rowOf(CASHIER.username).waitFor()
    await page.locator('input[data-test="staff-search"]').fill('')
    await rowOf(MANAGER.username).waitFor()

    // A taken username: the server's field message appears beside the field.
    const { csrf_token: csrf } = await (await page.request.get('/api/v1/auth/me')).json()
    const direct = await page.request.post('/api/v1/staff', {
      headers: { 'X-CSRF-Token': csrf },
      data: { username: CASHIER.username, display_name: 'x', role: 'cashier', home_store_id: null, password: 'long-enough-pw' },
    })
    assert.equal(direct.status(), 409)
    const takenMessage = (await direct.json()).error.details.find((d) => d.field === 'username').message
    await page.locator('[data-test="staff-new"]').click()
    const dialog = page.locator('.el-dialog:visible')
    await dialog.locator('input[name="username"]').fill(CASHIER.username)
    await dialog.locator('input[name="display_name"]').fill('重名测试')
    await dialog.locator('input[name="password"]').fill('long-enough-pw')
    await dialog.locator('[data-test="staff-save"]').click()
    const usernameItem = dialog.locator('.el-form-item', { has: page.locator('input[name="username"]') })
    await usernameItem.locator('.el-form-item__error', { hasText: takenMessage }).waitFor()
    await dialog.getByRole('button', { name: '取消' }).click()
    await dialog.waitFor({ state: 'hidden' })

    // Edit the cashier: rename and deactivate; a too-short new password is caught first.
    await rowOf(CASHIER.username).locator('[data-test="staff-edit"]').click()
    await dialog.locator('input[name="display_name"]').fill('收银员小李（晚班）')
    await dialog.locator('[data-test="staff-active"]').click()
    await dialog.locator('input[name="password"]').fill('short')
    await dialog.locator('[data-test="staff-save"]').click()
    await dialog.getByText('密码至少 10 个字符').waitFor()
    await dialog.locator('input[name="password"]').fill('')
    await dialog.locator('[data-test="staff-save"]').click()
    await dialog.waitFor({ state: 'hidden' })
    await rowOf('收银员小李（晚班）').getByText('停用').waitFor()
    const edited = (await (await page.request.get(`/api/v1/staff?q=${CASHIER.username}`)).json()).items
      .find((s) => s.username === CASHIER.username)
    assert.equal(edited.display_name, '收银员小李（晚班）')
    assert.equal(edited.active, false)

    // A deactivated account cannot sign in.
    const cashier = await newPage(browser, server.baseURL)
    try {
      await cashier.page.goto('/login')
      await signIn(cashier.page, CASHIER)
      await cashier.page.locator('[data-test="login-error"]').waitFor()
      assert.equal(new URL(cashier.page.url()).pathname, '/login')
    } finally {
      await cashier.context.close()
    }

    // Sign the manager out everywhere: their open page falls back to sign-in.
    await rowOf(MANAGER.username).locator('[data-test="staff-revoke"]').click()
    await page.locator('.el-message-box').getByRole('button', { name: '全部设备下线' }).click()
    await page.getByText(`${MANAGER.username} 已在所有设备上退出登录`).waitFor()
    await manager.page.locator('[data-test="nav-staff"]').click()
    await manager.page.waitForURL((url) => url.pathname === '/login')
    assert.equal((await manager.page.request.get('/api/v1/auth/me')).status(), 401)
  } catch (e) {
    await failureShot(owner.page, 'staff-edit-owner')
    await failureShot(manager.page, 'staff-edit-manager')
    throw e
  } finally {
    await owner.context.close()
    await manager.context.close()
  }
})
