import AxeBuilder from '@axe-core/playwright';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { Stack } from './stack';
import { waitFor } from './wait';

/**
 * The browser tests' shared tools: Debian's Chromium driven by playwright-core (never a
 * downloaded browser), a page at 1280×800 per person, waiting assertions on what it shows,
 * the axe scan and the screenshots (into .data/screenshots, or docs/screenshots with
 * UPDATE_SCREENSHOTS=1 — the README shows those).
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(__dirname, '..', '..', process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : '.data/screenshots');
export const VIEWPORT = { width: 1280, height: 800 };

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Test brands are chosen by host name (`<name>.test`): all of them are this machine.
      '--host-resolver-rules=MAP *.test 127.0.0.1',
    ],
  });
}

/** Retries a jest assertion until it holds (the page updates on its own). */
export async function until(assertion: () => Promise<void>, timeout = 20_000) {
  let failure: unknown;
  const holds = async () => {
    try {
      await assertion();
      return true;
    } catch (err) {
      failure = err;
      return undefined;
    }
  };
  await waitFor('the page to show what the test expects', holds, { timeoutMs: timeout, intervalMs: 200, lastSeen: () => String(failure) });
}

/** Waiting assertions on what the browser shows. */
export function pwExpect(target: Locator | Page) {
  const locator = target as Locator;
  return {
    toBeVisible: (options: { timeout?: number } = {}) => locator.waitFor({ state: 'visible', timeout: options.timeout }),
    toHaveURL: (url: RegExp, options: { timeout?: number } = {}) => (target as Page).waitForURL(url, { timeout: options.timeout }),
    toContainText: (text: string, options: { timeout?: number } = {}) => until(async () => expect(await locator.innerText()).toContain(text), options.timeout),
    toHaveText: (text: string) => until(async () => expect((await locator.innerText()).trim()).toBe(text)),
    toHaveCount: (count: number) => until(async () => expect(await locator.count()).toBe(count)),
    toHaveAttribute: (name: string, value: RegExp) => until(async () => expect(await locator.getAttribute(name)).toMatch(value)),
  };
}

/** A link of the console's navigation. */
export const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true });

/** A browser context of its own (cookies and all) at the console's address. */
export async function newPage(browser: Browser, baseURL: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: VIEWPORT, baseURL });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return { context, page };
}

export async function logIn(page: Page, username: string, password: string) {
  await page.locator('#pf-login-username-id').fill(username);
  await page.locator('#pf-login-password-id').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** A browser of its own for `username`, logged in through the login page. */
export async function signIn(browser: Browser, baseURL: string, username: string, password: string): Promise<Page> {
  const { page } = await newPage(browser, baseURL);
  await page.goto('/login');
  await logIn(page, username, password);
  await pwExpect(page.getByRole('heading', { level: 1, name: /Welcome/ })).toBeVisible();
  return page;
}

/** No serious or critical accessibility violation on the page as it is now. */
export async function expectAccessible(page: Page) {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const severe = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  expect(severe.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`)).toEqual([]);
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** `newPage`, `logIn` and `signIn` bound to one stack's console. */
export function consolePages(stack: Stack, browser: Browser) {
  return {
    newPage: () => newPage(browser, stack.baseUrl),
    logIn,
    signIn: (username: string, password: string) => signIn(browser, stack.baseUrl, username, password),
  };
}
