// The sign-in page: the server's own message for a wrong password, the page
// language switch, the return to the page asked for, and a clear message once
// the server throttles sign-in attempts (429). Starts its own server (see harness.mjs).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launchBrowser, newPage, signIn, OWNER } from './harness.mjs'

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

async function failedLoginMessage(username) {
  const res = await fetch(`${server.baseURL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: 'not-the-password' }),
  })
  return { status: res.status, body: await res.json() }
}

test('wrong password shows the server message, then the right one signs in', { timeout: 90_000 }, async () => {
  // What the server says for a wrong password, asked directly.
  const direct = await failedLoginMessage(OWNER.username)
  assert.equal(direct.status, 401)
  assert.equal(direct.body.error.code, 'unauthenticated')
  const serverMessage = direct.body.error.message
  assert.ok(serverMessage, 'the 401 answer carries a message')

  const { context, page } = await newPage(browser, server.baseURL)
  try {
    await page.goto('/settings')
    await page.waitForURL(/\/login/)

    // The page follows the language switch before signing in.
    await page.getByText('English', { exact: true }).click()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await page.getByText('中文', { exact: true }).click()
    await page.getByRole('heading', { name: '登录' }).waitFor()

    // Empty form: client-side validation, nothing sent.
    await page.locator('[data-test="login-submit"]').click()
    await page.getByText('请输入用户名').waitFor()

    await signIn(page, { username: OWNER.username, password: 'not-the-password' })
    const alert = page.locator('[data-test="login-error"]')
    await alert.waitFor()
    assert.equal((await alert.innerText()).trim(), serverMessage)
    assert.equal(new URL(page.url()).pathname, '/login')

    // The right password leads to the page that was asked for.
    await signIn(page, OWNER)
    await page.waitForURL((url) => url.pathname === '/settings')
    await page.locator('[data-test="stores-table"]').waitFor()
  } finally {
    await context.close()
  }
})

test('throttled sign-in shows a clear message', { timeout: 90_000 }, async () => {
  // Fail until the server throttles (bounded), then try once more in the page.
  const victim = 'nobody-here'
  let throttled = false
  for (let i = 0; i < 30 && !throttled; i++) {
    throttled = (await failedLoginMessage(victim)).status === 429
  }
  assert.ok(throttled, 'the server answered 429 within 30 failed sign-ins')

  const { context, page } = await newPage(browser, server.baseURL)
  try {
    await page.goto('/login')
    await signIn(page, { username: victim, password: 'not-the-password' })
    const alert = page.locator('[data-test="login-error"]')
    await alert.waitFor()
    assert.match(await alert.innerText(), /尝试次数过多/)
  } finally {
    await context.close()
  }
})
