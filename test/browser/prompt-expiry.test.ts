import type { Browser, Page } from 'playwright-core';
import { consolePages, expectAccessible, launchChromium, pwExpect, screenshot } from '../support/browser';
import { waitForLockdownRecord } from '../support/lockdowns';
import { addSession, createUser, startStack, uniqueName, type Stack } from '../support/stack';

/**
 * A lockdown whose prompt nobody answers ends `expired` after LOCKDOWN_PROMPT_TIMEOUT_SECONDS
 * (here 5 s) with nobody locked (issue 23 §2), and the console says so: on the flow page left
 * open at the prompt, and on the lockdown's own page. Debian's Chromium at 1280×800 against the
 * real stack, scanned with axe.
 */
const PASSWORD = 'prompt-expiry-password';
const EXPIRED = 'Lockdown expired: nobody was locked';
const WHY = 'Nobody answered the prompt within 5 seconds: the lockdown expired and nobody was locked.';

let stack: Stack;
let browser: Browser;
let adminPage: Page;

beforeAll(async () => {
  stack = await startStack({ LOCKDOWN_PROMPT_TIMEOUT_SECONDS: '5' });
  browser = await launchChromium();
  const admin = await createUser(stack.db, { username: uniqueName('expiry-su'), password: PASSWORD, isSuperuser: true });
  adminPage = await consolePages(stack, browser).signIn(admin.username, PASSWORD);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

it('when nobody answers the prompt, the flow page and the lockdown page say it expired and nobody was locked; the target keeps working', async () => {
  const target = await createUser(stack.db, { username: uniqueName('expiry-target'), password: PASSWORD });
  await addSession(stack.db, target.id);
  const page = adminPage;

  await page.goto(`/users/${target.id}`);
  await pwExpect(page.getByRole('heading', { level: 1, name: target.username })).toBeVisible();
  await page.getByRole('button', { name: 'Account Lockdown' }).click();
  await pwExpect(page).toHaveURL(/\/flows\/default-account-lockdown\?lockdown=/);
  await pwExpect(page.getByRole('textbox', { name: 'Reason' })).toBeVisible();
  const lockdownId = new URL(page.url()).searchParams.get('lockdown')!;

  // Nobody answers: the workflow's durable timer ends the run, and the open page notices on its own.
  const ended = await waitForLockdownRecord(stack.db, lockdownId);
  expect(ended.status).toBe('expired');
  expect(ended.error).toBe(WHY);
  const summary = page.getByTestId('lockdown-summary');
  await pwExpect(summary).toContainText(EXPIRED, { timeout: 30_000 });
  await pwExpect(summary).toContainText(WHY);
  await pwExpect(summary).toContainText('Locked: 0');
  // Nothing is asked any more.
  expect(await page.getByRole('textbox', { name: 'Reason' }).count()).toBe(0);
  await expectAccessible(page);
  await screenshot(page, '38-prompt-expired');

  // Nobody was locked: the target is active, its password and session still there.
  const after = await stack.db.user.findUniqueOrThrow({ where: { id: target.id } });
  expect(after.isActive).toBe(true);
  expect(after.passwordHash).toBe(target.passwordHash);
  expect(await stack.db.session.count({ where: { userId: target.id } })).toBe(1);
  expect(await stack.db.lockdownTarget.findMany({ where: { lockdownId }, select: { userId: true, status: true } })).toEqual([{ userId: target.id, status: 'cancelled' }]);

  // The lockdown's own page tells the same story.
  await page.getByRole('link', { name: 'Lockdown details' }).click();
  await pwExpect(page).toHaveURL(new RegExp(`/lockdowns/${lockdownId}$`));
  await pwExpect(page.getByTestId('lockdown-summary')).toContainText(EXPIRED);
  await pwExpect(page.getByTestId('lockdown-summary')).toContainText(WHY);
  await expectAccessible(page);
});
