// The sign-in page: the server's own message for a wrong password, the page
// language switch, the return to the page asked for, and a clear message once
// the server throttles sign-in attempts (429). Starts its own server (see harness.mjs).
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

async function failedLoginMessage(username) {
  const res = await fetch(`${server.baseURL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: 'not-the-password' }),
  })
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() }
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
  } catch (e) {
    await failureShot(page, 'sign-in-wrong-password')
    throw e
  } finally {
    await context.close()
  }
})

test('throttled sign-in shows a clear message', { timeout: 90_000 }, async () => {
  // Fail until the server throttles (bounded), then try once more in the page.
  const victim = 'nobody-here'
  let answer = null
  for (let i = 0; i < 30 && answer?.status !== 429; i++) answer = await failedLoginMessage(victim)
  assert.equal(answer.status, 429, 'the server answered 429 within 30 failed sign-ins')
  assert.equal(answer.body.error.code, 'too_many_requests')
  // The page words the wait from Retry-After: seconds below two minutes, else whole minutes
  // (the server may count down between the two answers, hence no exact seconds).
  const wait = Number(answer.retryAfter)
  const expected = !wait ? /尝试次数过多，请稍后再试/
    : wait < 120 ? /请在 \d+ 秒后再试/
    : new RegExp(`请在 ${Math.ceil(wait / 60)} 分钟后再试`)

  const { context, page } = await newPage(browser, server.baseURL)
  try {
    await page.goto('/login')
    await signIn(page, { username: victim, password: 'not-the-password' })
    const alert = page.locator('[data-test="login-error"]')
    await alert.waitFor()
    assert.match(await alert.innerText(), expected)
  } catch (e) {
    await failureShot(page, 'sign-in-throttled')
    throw e
  } finally {
    await context.close()
  }
})
