import AxeBuilder from '@axe-core/playwright';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { startScimServer, type ScimServer } from '../../scripts/lib/scim-server';
import { privateDatabase } from '../support/private-database';
import { adminSession, createUser, startStack, uniqueName, type Stack } from '../support/stack';
import { lockAndWait } from '../support/lockdowns';
import { waitFor } from '../support/wait';

/**
 * The console's connector screens in Debian's Chromium against the real stack and a real SCIM
 * server (scim2-server): a superuser adds a connector in the form (a refusal shown beside its
 * field), tests it, sees a lockdown's result on it in the per-user results, and re-enables the
 * account from the user's page. On a database of its own (connectors are global).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(__dirname, '..', '..', process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : '.data/screenshots');
const PASSWORD = 'connector-browser-password';
const SCIM_TOKEN = 'scim-token-for-the-browser';

let scim: ScimServer;
let database: { url: string; drop(): Promise<void> };
let stack: Stack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  [scim, database] = await Promise.all([startScimServer({ bearerToken: SCIM_TOKEN }), privateDatabase()]);
  stack = await startStack({ DATABASE_URL: database.url, OUTBOUND_ALLOWED_DESTINATIONS: '127.0.0.1' });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const admin = await createUser(stack.db, { username: uniqueName('connector-admin'), password: PASSWORD, isSuperuser: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: stack.baseUrl });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto('/login');
  await page.locator('#pf-login-username-id').fill(admin.username);
  await page.locator('#pf-login-password-id').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { level: 1, name: /Welcome/ }).waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await database?.drop();
  await scim?.stop();
});

async function until(assertion: () => Promise<void>, timeoutMs = 30_000) {
  let failure: unknown;
  await waitFor(
    'the page to show what the test expects',
    async () => {
      try {
        await assertion();
        return true;
      } catch (err) {
        failure = err;
        return undefined;
      }
    },
    { timeoutMs, intervalMs: 200, lastSeen: () => String(failure) },
  );
}
const shows = (locator: Locator, text: string, timeoutMs?: number) => until(async () => expect(await locator.innerText()).toContain(text), timeoutMs);

async function expectAccessible() {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const severe = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  expect(severe.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`)).toEqual([]);
}

async function scimUser(user: { id: string; username: string }) {
  const response = await fetch(`${scim.url}/Users`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${SCIM_TOKEN}`, 'Content-Type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: user.username, externalId: user.id, active: true }),
  });
  return ((await response.json()) as { id: string }).id;
}
const scimActive = async (id: string) => ((await (await fetch(`${scim.url}/Users/${id}`, { headers: { Authorization: `Bearer ${SCIM_TOKEN}` } })).json()) as { active: boolean }).active;

it('configures, tests and follows a SCIM connector: lockdown results show it, and the user page re-enables the account', async () => {
  const user = await createUser(stack.db);
  const scimId = await scimUser(user);

  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Connectors', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Connectors' }).waitFor();
  await page.getByRole('button', { name: 'Add connector' }).click();
  const form = page.getByRole('form', { name: 'Add connector' });
  await form.getByLabel('Name').fill('Ticketing (SCIM)');
  await form.getByLabel('Kind').selectOption('scim');
  await form.getByLabel('Base URL').fill(scim.url);
  await form.getByLabel('Bearer token').fill(SCIM_TOKEN);
  await form.getByLabel('Finds the account by').selectOption('external_id');
  // The API's refusal, beside the field it names.
  await form.getByLabel('Attribute').fill('externalId or true');
  await form.getByRole('button', { name: 'Add' }).click();
  await shows(form, 'A SCIM attribute path');
  await form.getByLabel('Attribute').fill('externalId');
  await form.getByRole('button', { name: 'Add' }).click();
  const row = page.getByRole('row', { name: /Ticketing \(SCIM\)/ });
  await shows(row, 'attribute externalId');
  expect(await row.innerText()).not.toContain(SCIM_TOKEN);
  await expectAccessible();
  await page.screenshot({ path: path.join(SCREENSHOTS, '20-connectors.png') });

  await row.getByRole('button', { name: 'Test' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel(/A user who has an account there/).fill(user.username);
  await dialog.getByRole('button', { name: 'Test' }).click();
  await shows(dialog.getByTestId('connector-test-result'), 'The connector works.');
  await expectAccessible();
  await dialog.getByRole('contentinfo').getByRole('button', { name: 'Close' }).click();

  const key = await adminSession(stack);
  const locked = await lockAndWait(stack, key, { user: user.id, reason: 'browser: downstream' });
  await page.goto(`/lockdowns/${locked.id}`);
  await shows(page.getByTestId('downstream-summary'), 'Ticketing (SCIM): 1 locked');
  await shows(page.getByRole('table', { name: 'Results per user' }).or(page.getByRole('grid', { name: 'Results per user' })), 'Ticketing (SCIM): locked');
  expect(await scimActive(scimId)).toBe(false);
  await page.screenshot({ path: path.join(SCREENSHOTS, '21-lockdown-downstream.png') });

  await page.goto(`/users/${user.id}`);
  const card = page.getByRole('table', { name: 'Downstream accounts' }).or(page.getByRole('grid', { name: 'Downstream accounts' }));
  await shows(card, scimId);
  await card.getByRole('button', { name: 'Enable in Ticketing (SCIM)' }).click();
  const confirm = page.getByRole('dialog');
  await confirm.getByLabel('Reason').fill('cleared');
  await confirm.getByRole('button', { name: 'Enable' }).click();
  await page.getByTestId('downstream-enabled').waitFor();
  await until(async () => expect(await scimActive(scimId)).toBe(true));
  await expectAccessible();
});
