import AxeBuilder from '@axe-core/playwright';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { addSession, adminSession, bearer, createUser, startStack, uniqueName, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

/**
 * The console's parts of lockdowns that start themselves, in Debian's Chromium against the
 * real stack: the Signals page (a brand's password lockout saved, a transmitter added with
 * its push token shown once), a user's "Password locked" with Unlock password, and the
 * trigger on a lockdown a password lockout started. Each screen is scanned with axe.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(__dirname, '..', '..', process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : '.data/screenshots');
const PASSWORD = 'browser-signals-password';

let stack: Stack;
let browser: Browser;
let page: Page;
let admin: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  stack = await startStack();
  admin = await adminSession(stack);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const superuser = await createUser(stack.db, { username: uniqueName('signals-admin'), password: PASSWORD, isSuperuser: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: stack.baseUrl });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto('/login');
  await page.locator('#pf-login-username-id').fill(superuser.username);
  await page.locator('#pf-login-password-id').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { level: 1, name: /Welcome/ }).waitFor();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function expectAccessible() {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const severe = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  expect(severe.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`)).toEqual([]);
}

it('shows the Signals page: a brand’s password lockout is saved, a transmitter is added and its push token shown once', async () => {
  const brand = await stack.db.brand.create({ data: { domain: `${uniqueName('signals')}.test` } });
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Signals', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Signals' }).waitFor();

  // PatternFly's toggle covers the switch's input (it takes the click a person makes).
  await page.getByRole('switch', { name: `Password lockout on ${brand.domain}` }).check({ force: true });
  await page.getByRole('spinbutton', { name: `Failed logins before the password locks on ${brand.domain}` }).fill('4');
  await page.getByRole('row', { name: new RegExp(brand.domain) }).getByRole('button', { name: 'Save' }).click();
  await waitFor('the policy to be saved', async () => (await stack.db.passwordLockoutPolicy.findUnique({ where: { brandId: brand.id } })) ?? undefined).then((policy) =>
    expect(policy).toMatchObject({ enabled: true, attempts: 4, escalate: false }),
  );

  const name = uniqueName('idp');
  await page.getByRole('button', { name: 'Add transmitter' }).click();
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await page.getByRole('textbox', { name: 'Issuer (iss)' }).fill('https://idp.example.test');
  await page.getByRole('textbox', { name: 'JWKS URL' }).fill('https://idp.example.test/keys');
  await expectAccessible();
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const issued = page.getByTestId('push-token');
  await issued.waitFor();
  expect(await issued.innerText()).toContain(`Push token of ${name}`);
  const transmitter = await stack.db.ssfTransmitter.findUniqueOrThrow({ where: { name } });
  expect(transmitter).toMatchObject({ issuer: 'https://idp.example.test', jwksUrl: 'https://idp.example.test/keys', events: { 'credential-change': 'lockdown', 'credential-compromise': 'lockdown' } });
  await page.getByRole('row', { name: new RegExp(name) }).waitFor();
  await expectAccessible();
  await page.screenshot({ path: path.join(SCREENSHOTS, '21-signals.png'), fullPage: true });
});

it('shows a locked password on the user, unlocks it, and shows what started a lockdown', async () => {
  const user = await createUser(stack.db, { password: 'a-password-of-theirs' });
  await stack.db.passwordLockout.create({ data: { userId: user.id, failedAttempts: 7, lockedAt: new Date(), lastFailedIp: '203.0.113.9' } });
  await page.goto(`/users/${user.id}`);
  await page.getByTestId('password-locked').waitFor();
  expect(await page.getByTestId('password-locked').innerText()).toContain('203.0.113.9');
  await expectAccessible();
  await page.getByRole('button', { name: 'Unlock password' }).click();
  await page.getByText('The password is unlocked.').waitFor();
  expect(await stack.db.passwordLockout.findUnique({ where: { userId: user.id } })).toBeNull();

  // A lockdown as an escalated password lockout records it: its page says what started it.
  const target = await createUser(stack.db);
  await addSession(stack.db, target.id);
  const lockdown = await stack.http.post('/api/v1/lockdowns').set(bearer(admin)).send({ user: target.id, reason: 'console trigger' });
  await stack.db.lockdown.update({ where: { id: lockdown.body.id }, data: { trigger: { kind: 'password_lockout', failedAttempts: 5, lockedAt: new Date().toISOString() } } });
  await page.goto(`/lockdowns/${lockdown.body.id}`);
  await page.getByTestId('lockdown-trigger').waitFor();
  expect(await page.getByTestId('lockdown-trigger').innerText()).toContain('after 5 consecutive failed logins');
  await expectAccessible();
});
