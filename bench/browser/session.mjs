// The browser runtimes of run.mjs (`--runtime chromium|firefox`): the page bundle, the
// server (cross-origin isolated) and one headless browser for the whole run; then one page
// per child of the harness — (workload, contender, thread count) — as Node gets one process
// per child: a page has its own module instances, wasm memories and workers, and in
// Chromium its own browser context (its own renderer process), in Firefox its own window.
// The parent calls window.__bench(msg) in the page (lib/cell-host.mjs) and gets its answer.
//
//   chromium  Debian's /usr/bin/chromium, driven by playwright-core (as tests/browser/parity.test.ts)
//   firefox   Debian's /usr/bin/firefox-esr over WebDriver BiDi, by the client of the
//             browser tests (tests/browser/firefox.ts; playwright-core cannot drive it)
//
// CPU time: a page cannot read its own, so for each timed repeat the parent sums the CPU time
// of every process below it (the browser's, from /proc: lib/proc-cpu.mjs), which is the
// browser alone while a repeat runs (one page works at a time; the others wait idle).

import { existsSync, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { bundlePage } from './bundle.mjs';
import { serveBench } from './server.mjs';
import { descendantsCpuSeconds } from '../lib/proc-cpu.mjs';

const CHROMIUM = '/usr/bin/chromium';
const FIREFOX = '/usr/bin/firefox-esr';
/** No single request may take longer (the slowest, tfjs-cpu's CNN repeat, takes ~70 s in Node). */
const CALL_TIMEOUT_MS = 10 * 60_000;
const READY_TIMEOUT_MS = 60_000;

const withTimeout = (p, ms, what) => new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms);
  p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
});

/** A child of the harness in a page: `open()` resolves to { evaluate(expr), close(), errors() }. */
class PageChild {
  constructor(name, open) {
    this.name = name;
    this.dead = null;
    this.page = null;
    this.ready = withTimeout(open(), READY_TIMEOUT_MS, `page ${name}`).then(
      (page) => { this.page = page; },
      (e) => { this.dead = `page ${name} did not start: ${e.message}`; },
    );
  }

  async call(msg) {
    await this.ready;
    if (this.dead) throw new Error(this.dead);
    if (msg.cmd === 'exit') return { ok: true };
    const cpu0 = msg.cmd === 'repeat' ? descendantsCpuSeconds(process.pid) : 0;
    let answer;
    try {
      answer = await withTimeout(this.page.evaluate(`window.__bench(${JSON.stringify(msg)})`), CALL_TIMEOUT_MS, `page ${this.name}, '${msg.cmd}'`);
    } catch (e) {
      // The page crashed, hung or went away: it answers nothing more.
      const errors = this.page.errors();
      this.dead = `page ${this.name}: ${e.message.split('\n')[0]}${errors.length ? ` (page errors: ${errors.slice(-3).join(' | ')})` : ''}`;
      throw new Error(this.dead);
    }
    if (!answer?.ok) throw Object.assign(new Error(answer?.error ?? `no answer from page ${this.name}`), answer?.status ? { status: answer.status } : {});
    if (msg.cmd === 'repeat' && answer.cpuSeconds === null) answer.cpuSeconds = descendantsCpuSeconds(process.pid) - cpu0;
    return answer;
  }

  async close() {
    await this.ready;
    this.dead ??= `page ${this.name} closed`;
    await this.page?.close().catch(() => {});
  }
}

/** Flags for a quiet, test-like headless Chromium (the parity test's, plus no background throttling). */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'];

async function launchChromium(origin) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: the Chromium bench needs Debian's chromium package`);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const open = async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('crash', () => errors.push('the page crashed'));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => window.__benchReady === true, null, { timeout: READY_TIMEOUT_MS });
    return { evaluate: (e) => page.evaluate(e), close: () => context.close(), errors: () => errors };
  };
  return { version: `Chromium ${browser.version()}`, open, close: () => browser.close() };
}

async function launchFirefox(origin, firefoxModule) {
  if (!existsSync(FIREFOX)) throw new Error(`${FIREFOX} not found: the Firefox bench needs Debian's firefox-esr package`);
  const { Firefox } = await import(pathToFileURL(firefoxModule).href);
  const ff = await Firefox.launch();
  const open = async () => {
    const context = await ff.newWindow();
    const seen = ff.logs.length;
    await ff.goto(`${origin}/`, context);
    const until = Date.now() + READY_TIMEOUT_MS;
    while (await ff.evaluate('window.__benchReady === true', context) !== true) {
      if (Date.now() > until) throw new Error('the bench page did not run its script');
      await new Promise((r) => setTimeout(r, 50));
    }
    // NOTE: the log is the whole browser's; errors logged since this page opened are shown.
    const errors = () => ff.logs.slice(seen).filter((l) => l.level === 'error').map((l) => l.text);
    return { evaluate: (e) => ff.evaluate(e, context), close: () => ff.closeContext(context), errors };
  };
  return { version: `Firefox ${ff.version}`, open, close: () => ff.close() };
}

/**
 * A browser runtime for run.mjs: { info, spawn(name) → child, close() }. Bundles the page,
 * starts the server and the browser, and reads what a page sees (isolation, cores).
 */
export async function startBrowserRuntime(kind) {
  const { dir, firefox } = await bundlePage();
  const server = await serveBench(dir);
  const cleanUp = async () => { await server.close(); rmSync(dir, { recursive: true, force: true }); };
  let browser;
  try {
    browser = kind === 'chromium' ? await launchChromium(server.origin) : await launchFirefox(server.origin, firefox);
    const probe = await browser.open();
    const seen = await probe.evaluate('({ userAgent: navigator.userAgent, crossOriginIsolated: globalThis.crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency })');
    await probe.close();
    return {
      info: { id: kind, version: browser.version, ...seen },
      spawn: (name) => new PageChild(name, browser.open),
      close: async () => { await browser.close().catch(() => {}); await cleanUp(); },
    };
  } catch (e) {
    await browser?.close().catch(() => {});
    await cleanUp();
    throw e;
  }
}
