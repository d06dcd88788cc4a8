// Shared set-up for the browser tests: starts a real `shuyou serve` on a fresh
// SQLite database seeded by `shuyou demo`, and drives Debian's Chromium with
// playwright-core. Not a test file itself (node --test only runs *.test.mjs).
//
// How to run (from the repository root, after building server and web):
//   cmake --build build && (cd web && npm ci && npm run build)
//   node --test tests/browser/
// playwright-core is resolved from web/node_modules through web/package.json,
// so the current directory does not matter. No browser is ever downloaded.
//
// Environment:
//   SHUYOU_BINARY      server binary (default build/shuyou; relative paths are
//                      taken from the repository root)
//   SHUYOU_STATIC_DIR  built front end (default web/dist)
//   CHROMIUM_PATH      browser (default /usr/bin/chromium)
//   SHUYOU_SHOTS_DIR   where screenshots go (default a new directory in the OS temp dir)
//   SHUYOU_KEEP_TMP=1  keep each test's temp dir (database, server log) for debugging
import { spawn, execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { once } from 'node:events'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const requireFromWeb = createRequire(path.join(repoRoot, 'web', 'package.json'))
const { chromium } = requireFromWeb('playwright-core')

export const binary = path.resolve(repoRoot, process.env.SHUYOU_BINARY || 'build/shuyou')
export const staticDir = path.resolve(repoRoot, process.env.SHUYOU_STATIC_DIR || 'web/dist')
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

/** The demo owner seeded by `shuyou demo`. */
export const OWNER = { username: 'owner', password: 'shuyou-demo' }

const execFileP = promisify(execFile)

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/**
 * Seeds a demo database in a new temp dir and starts the server on a free port.
 * Resolves once GET /healthz answers 200. Call stop() when done.
 * options.demoArgs: extra `shuyou demo` flags (e.g. ['--members', '300']);
 * options.prepare: further `shuyou` commands run on the database before serving
 * (each an argument list; `--db` is added).
 */
export async function startServer(options = {}) {
  if (!fs.existsSync(binary)) {
    throw new Error(`server binary not found at ${binary}; build it or set SHUYOU_BINARY`)
  }
  if (!fs.existsSync(path.join(staticDir, 'index.html'))) {
    throw new Error(`front end not built: ${staticDir}/index.html missing; run "npm ci && npm run build" in web/`)
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shuyou-browser-'))
  const db = path.join(tmp, 'shuyou.db')
  await execFileP(binary, ['demo', '--db', db, ...(options.demoArgs ?? [])], { timeout: 120_000 })
  for (const args of options.prepare ?? []) await execFileP(binary, [...args, '--db', db], { timeout: 120_000 })

  const port = await freePort()
  const baseURL = `http://127.0.0.1:${port}`
  const logPath = path.join(tmp, 'server.log')
  const log = fs.openSync(logPath, 'a')
  const child = spawn(binary, ['serve', '--listen', `127.0.0.1:${port}`, '--db', db, '--static-dir', staticDir], {
    stdio: ['ignore', log, log],
  })
  fs.closeSync(log)
  let exited = null
  child.on('exit', (code, signal) => { exited = { code, signal } })

  const serverLog = () => (fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : '')
  const deadline = Date.now() + 30_000
  for (;;) {
    if (exited) throw new Error(`server exited early (${JSON.stringify(exited)}):\n${serverLog()}`)
    try {
      const res = await fetch(`${baseURL}/healthz`)
      if (res.status === 200) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`server did not answer /healthz within 30 s:\n${serverLog()}`)
    }
    await sleep(100)
  }

  async function stop() {
    if (!exited) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await once(child, 'exit').catch(() => {})
      clearTimeout(timer)
    }
    if (process.env.SHUYOU_KEEP_TMP) console.log(`kept ${tmp}`)
    else fs.rmSync(tmp, { recursive: true, force: true })
  }

  return { baseURL, tmp, stop, serverLog, exitStatus: () => exited }
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** A fresh browser context (own cookies and localStorage) with one page. */
export async function newPage(browser, baseURL, options = {}) {
  const context = await browser.newContext({ baseURL, viewport: { width: 1366, height: 860 }, ...options })
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  return { context, page }
}

/** Fills and submits the sign-in form (the page must show it). */
export async function signIn(page, { username, password }) {
  await page.locator('input[name="username"]').fill(username)
  await page.locator('input[name="password"]').fill(password)
  await page.locator('[data-test="login-submit"]').click()
}

/** The open option list of an Element Plus <el-select> (found through its combobox's aria-controls). */
async function openOptions(page, selectLocator) {
  await selectLocator.click()
  const listId = await selectLocator.locator('input[role="combobox"]').getAttribute('aria-controls')
  const list = page.locator(`[id="${listId}"]`)
  await list.waitFor()
  return list.locator('.el-select-dropdown__item')
}

/** Picks an option of an Element Plus <el-select> found by `selectLocator`; `option` is its text or a RegExp. */
export async function chooseOption(page, selectLocator, option) {
  const items = await openOptions(page, selectLocator)
  await items.filter({ hasText: option }).first().click()
}

/** Picks the first option of an Element Plus <el-select>; returns its text. */
export async function chooseFirstOption(page, selectLocator) {
  const item = (await openOptions(page, selectLocator)).first()
  const text = (await item.innerText()).trim()
  await item.click()
  return text
}

let shots = null

/** Directory for debugging screenshots (never committed); one per test process. */
export function shotsDir() {
  if (!shots) {
    shots = process.env.SHUYOU_SHOTS_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'shuyou-shots-'))
    fs.mkdirSync(shots, { recursive: true })
  }
  return shots
}

/** Saves a full-page screenshot for a failed test and prints where; never throws. */
export async function failureShot(page, name) {
  try {
    const file = path.join(shotsDir(), `FAILED-${name}.png`)
    await page.screenshot({ path: file, fullPage: true })
    console.log(`failure screenshot: ${file}`)
  } catch {
    // The page may already be gone; the test's own error is what matters.
  }
}

/** Wraps a test body so that a failure leaves a screenshot of `getPage()` behind. */
export function shotOnFailure(getPage, name, fn) {
  return async (t) => {
    try {
      await fn(t)
    } catch (e) {
      await failureShot(getPage(), name)
      throw e
    }
  }
}
