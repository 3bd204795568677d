// A small WebDriver BiDi client for Debian's firefox-esr, for the browser tests.
//
// Why not playwright-core: it drives Firefox through Juggler, a protocol only Playwright's own
// Firefox builds have (Debian's has not), and its WebDriver BiDi channel fails on ESR 140
// (`network.addDataCollector: unknown command`). Firefox itself speaks WebDriver BiDi (a W3C
// protocol over one WebSocket), so this file does what the tests need with a dozen commands:
// session.new/end, browsingContext.getTree/create/close/navigate/reload/setViewport/captureScreenshot,
// script.evaluate/addPreloadScript, input.performActions, session.subscribe + log.entryAdded.
//
// Firefox runs headless with a fresh profile in a temporary folder (deleted at close), started
// with --remote-debugging-port=0: it prints the port it chose ("WebDriver BiDi listening on
// ws://127.0.0.1:N") and the client connects to ws://127.0.0.1:N/session.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

export const FIREFOX = '/usr/bin/firefox-esr';

// Quiet, test-friendly prefs (the ones geckodriver and Playwright set, trimmed to what matters here).
const PREFS: Record<string, string | number | boolean> = {
  'remote.active-protocols': 1, // WebDriver BiDi only
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'browser.startup.page': 0,
  'browser.tabs.warnOnClose': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'app.update.disabledForTesting': true,
  'app.normandy.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'extensions.update.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'browser.newtabpage.enabled': false,
  'browser.aboutwelcome.enabled': false,
  'dom.disable_open_during_load': false,
  'browser.download.folderList': 2,
  'browser.download.useDownloadDir': true,
  'browser.download.always_ask_before_handling_new_types': false,
};

interface Pending { resolve(v: unknown): void; reject(e: Error): void; method: string }

/** A RemoteValue from script.evaluate, as BiDi serializes it. */
interface RemoteValue { type: string; value?: unknown }

export interface LogEntry { level: string; text: string; type: string }

export class Firefox {
  readonly logs: LogEntry[] = [];
  private nextId = 1;
  private pending = new Map<number, Pending>();
  context = '';
  version = '';

  private constructor(private proc: ChildProcess, private ws: WebSocket, private profile: string) {
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw));
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.type === 'error') p.reject(new Error(`firefox ${p.method}: ${msg.error}: ${msg.message}`));
        else p.resolve(msg.result);
      } else if (msg.method === 'log.entryAdded') {
        const e = msg.params;
        this.logs.push({ level: e.level, text: e.text ?? '', type: e.type });
      }
    });
    ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error(`firefox ${p.method}: the connection closed`));
      this.pending.clear();
    });
  }

  /** Starts headless Firefox with a fresh profile and opens a BiDi session on its first tab. */
  static async launch({ width = 1280, height = 800, timeoutMs = 60_000 } = {}): Promise<Firefox> {
    if (!existsSync(FIREFOX)) throw new Error(`${FIREFOX} not found: the Firefox tests need Debian's firefox-esr package`);
    const profile = mkdtempSync(join(tmpdir(), 'simdnet-firefox-'));
    // downloads (io.download) land in the profile folder, deleted at close
    const prefs = { ...PREFS, 'browser.download.dir': join(profile, 'downloads') };
    writeFileSync(join(profile, 'user.js'), Object.entries(prefs).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`).join('\n'));
    const proc = spawn(FIREFOX, ['--headless', '--no-remote', '--profile', profile, '--remote-debugging-port=0', `--window-size=${width},${height}`, 'about:blank'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1', MOZ_HEADLESS: '1' },
    });
    // never outlive the test process (a failed or killed run must not leave Firefox behind)
    const reap = () => { if (proc.exitCode === null) proc.kill('SIGKILL'); };
    process.once('exit', reap);
    proc.once('exit', () => { process.removeListener('exit', reap); });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`firefox did not open its WebDriver BiDi port in ${timeoutMs} ms:\n${output.slice(-2000)}`)), timeoutMs);
      const onData = (d: Buffer) => {
        output += String(d);
        const m = /WebDriver BiDi listening on (ws:\/\/[^\s]+)/.exec(output);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`firefox exited (code ${code}) before opening its port:\n${output.slice(-2000)}`)); });
    }).catch((e) => { proc.kill('SIGKILL'); rmSync(profile, { recursive: true, force: true }); throw e; });
    const ws = new WebSocket(`${url.replace(/\/$/, '')}/session`);
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    const ff = new Firefox(proc, ws, profile);
    const session = await ff.send('session.new', { capabilities: { alwaysMatch: { acceptInsecureCerts: true, unhandledPromptBehavior: { default: 'dismiss' } } } }) as { capabilities: { browserVersion: string } };
    ff.version = session.capabilities.browserVersion;
    await ff.send('session.subscribe', { events: ['log.entryAdded'] });
    const tree = await ff.send('browsingContext.getTree', {}) as { contexts: Array<{ context: string }> };
    ff.context = tree.contexts[0].context;
    await ff.send('browsingContext.setViewport', { context: ff.context, viewport: { width, height } });
    return ff;
  }

  send(method: string, params: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Navigates the first tab, or the browsing context `context` (one from newWindow()). */
  async goto(url: string, context = this.context): Promise<void> {
    await this.send('browsingContext.navigate', { context, url, wait: 'complete' });
  }

  /** Opens another top-level window (a browsing context of its own, e.g. a page per benchmark child); returns its id. */
  async newWindow(): Promise<string> {
    const r = await this.send('browsingContext.create', { type: 'window' }) as { context: string };
    return r.context;
  }

  /** Closes a browsing context opened by newWindow(). */
  async closeContext(context: string): Promise<void> {
    await this.send('browsingContext.close', { context });
  }

  async reload(): Promise<void> {
    await this.send('browsingContext.reload', { context: this.context, wait: 'complete' });
  }

  async setViewport(width: number, height: number): Promise<void> {
    await this.send('browsingContext.setViewport', { context: this.context, viewport: { width, height } });
  }

  /** Runs `source` before any page script of every later navigation. */
  async addInitScript(source: string): Promise<string> {
    const r = await this.send('script.addPreloadScript', { functionDeclaration: `() => { ${source} }` }) as { script: string };
    return r.script;
  }

  async removeInitScript(id: string): Promise<void> {
    await this.send('script.removePreloadScript', { script: id });
  }

  /**
   * Evaluates an expression in the page (promises awaited) and returns its value through
   * JSON: the expression's result must be JSON-serializable. A thrown error rejects with its text.
   * In the first tab, or in the browsing context `context`.
   */
  async evaluate<T = unknown>(expression: string, context = this.context): Promise<T> {
    const r = await this.send('script.evaluate', {
      expression: `(async () => JSON.stringify(await (${expression})))()`,
      target: { context }, awaitPromise: true, resultOwnership: 'none',
    }) as { type: 'success' | 'exception'; result?: RemoteValue; exceptionDetails?: { text: string } };
    if (r.type === 'exception') throw new Error(`firefox evaluate: ${r.exceptionDetails?.text ?? 'exception'}`);
    const v = r.result;
    if (!v || v.type === 'undefined') return undefined as T;
    return JSON.parse(String(v.value)) as T;
  }

  /** Real pointer input: press at the first point, move through the others, release (viewport CSS pixels). */
  async drag(points: Array<[number, number]>, pointerType: 'mouse' | 'touch' = 'mouse'): Promise<void> {
    const [first, ...rest] = points.map(([x, y]) => [Math.round(x), Math.round(y)] as const);
    const actions = [
      { type: 'pointerMove', x: first[0], y: first[1], origin: 'viewport' },
      { type: 'pointerDown', button: 0 },
      ...rest.map(([x, y]) => ({ type: 'pointerMove', x, y, origin: 'viewport', duration: 16 })),
      { type: 'pointerUp', button: 0 },
    ];
    await this.send('input.performActions', { context: this.context, actions: [{ type: 'pointer', id: `p-${pointerType}`, parameters: { pointerType }, actions }] });
    await this.send('input.releaseActions', { context: this.context });
  }

  /** PNG bytes of the viewport. */
  async screenshot(): Promise<Buffer> {
    const r = await this.send('browsingContext.captureScreenshot', { context: this.context }) as { data: string };
    return Buffer.from(r.data, 'base64');
  }

  async close(): Promise<void> {
    try {
      await Promise.race([this.send('session.end', {}), new Promise((r) => setTimeout(r, 2000))]);
    } catch { /* already gone */ }
    this.ws.close();
    this.proc.kill('SIGTERM');
    await Promise.race([new Promise((r) => this.proc.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    rmSync(this.profile, { recursive: true, force: true });
  }
}
