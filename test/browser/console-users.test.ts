import type { Browser, Locator, Page } from 'playwright-core';
import { hashPassword } from '../../lib/credentials';
import { consolePages, expectAccessible, launchChromium, nav, pwExpect, screenshot } from '../support/browser';
import { lockAndWait, waitForLockdownRecord } from '../support/lockdowns';
import { adminSession, createManyUsers, createUser, startStack, uniqueName, type Stack } from '../support/stack';

/**
 * Finding and selecting users in the console, at incident scale and for a help-desk admin
 * holding change_user on a few users only: "select all matching" over 300+ users, a pasted
 * list, the CLI's CSV uploaded, the preview of who will be locked and who cannot be, the
 * lockdown started from it; the menu of a per-user admin; the user page of a locked user.
 * Debian's Chromium at 1280×800 against the real stack, each new screen scanned with axe.
 */
const PASSWORD = 'console-users-password';

let stack: Stack;
let browser: Browser;
let pages: ReturnType<typeof consolePages>;
let adminKey: string;
let superuser: { id: string; username: string };
let superuserPage: Page;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  pages = consolePages(stack, browser);
  adminKey = await adminSession(stack);
  superuser = await createUser(stack.db, { username: uniqueName('console-su'), password: PASSWORD, isSuperuser: true });
  superuserPage = await pages.signIn(superuser.username, PASSWORD);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A user who logs in with PASSWORD and holds change_user on `targets` only. */
async function helpDeskAdmin(prefix: string, targets: string[]) {
  const user = await stack.db.user.create({ data: { username: uniqueName(prefix), passwordHash: await hashPassword(PASSWORD) } });
  await stack.db.permission.createMany({ data: targets.map((targetUserId) => ({ userId: user.id, permission: 'change_user' as const, targetUserId })) });
  return user;
}

const previewDialog = (page: Page) => page.getByRole('dialog', { name: 'Review who will be locked' });
/** A PatternFly table by its label (a grid once it is interactive). */
const table = (scope: Locator, name: string) => scope.getByRole('grid', { name }).or(scope.getByRole('table', { name }));
/** The row of an entry in the preview's refusals. */
const refusalOf = (page: Page, entry: string) => table(previewDialog(page), 'Cannot be locked').getByRole('row', { name: new RegExp(entry) });

async function search(page: Page, text: string) {
  await page.getByRole('textbox', { name: /Search users/ }).fill(text);
  await page.keyboard.press('Enter');
}

it('selects all 321 users matching a search, adds pasted names, previews who cannot be locked and why, and starts the lockdown of the rest', async () => {
  const prefix = uniqueName('dept');
  const ids = await createManyUsers(stack.db, 320, prefix);
  const service = await createUser(stack.db, { username: `${prefix}-svc`, type: 'internal_service_account' });
  const someoneElse = await createUser(stack.db, { username: uniqueName('other-dept') });
  const responder = await helpDeskAdmin('responder', [...ids, service.id]);
  // One of them was locked in an earlier incident.
  const earlier = await lockAndWait(stack, adminKey, { user: ids[1], reason: 'Earlier incident' });
  const earlierUsername = `${prefix}-1`;

  const page = await pages.signIn(responder.username, PASSWORD);
  await nav(page, 'Users').click();
  await pwExpect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  await search(page, prefix);
  await pwExpect(page.getByText('1–20 of 321')).toBeVisible();
  // A whole page, then every match on every page.
  await page.getByRole('columnheader', { name: 'Select' }).getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Select all 321 users matching this filter' }).click();
  await pwExpect(page.getByTestId('selection')).toContainText(`All 321 users matching “${prefix}”`);
  await expectAccessible(page);
  await screenshot(page, '30-users-select-all');

  await page.getByRole('button', { name: 'Paste list' }).click();
  const paste = page.getByRole('dialog', { name: 'Paste usernames or emails' });
  await paste.getByRole('textbox', { name: 'Users' }).fill(`${prefix}-ghost\n${someoneElse.username}`);
  await expectAccessible(page);
  await screenshot(page, '31-paste-list');
  await paste.getByRole('button', { name: 'Add and preview' }).click();

  const dialog = previewDialog(page);
  await pwExpect(dialog.getByTestId('preview-summary')).toContainText('319 users will be locked');
  await pwExpect(dialog.getByTestId('preview-summary')).toContainText('4 entries cannot be locked');
  await pwExpect(refusalOf(page, `${prefix}-svc`)).toContainText('A protected account');
  await pwExpect(refusalOf(page, earlierUsername)).toContainText('Already locked');
  await pwExpect(refusalOf(page, earlierUsername).getByRole('link', { name: 'Its lockdown' })).toBeVisible();
  // Unknown, and someone the responder may not lock: told the same, nothing more.
  const notYours = 'Cannot be locked by you: no such user, or not a user you hold change_user on.';
  await pwExpect(refusalOf(page, `${prefix}-ghost`)).toContainText(notYours);
  await pwExpect(refusalOf(page, someoneElse.username)).toContainText(notYours);
  await expectAccessible(page);
  await screenshot(page, '32-lockdown-preview');

  await dialog.getByRole('button', { name: 'Lock 319 users' }).click();
  await pwExpect(page).toHaveURL(/\/flows\/default-account-lockdown\?lockdown=/);
  await pwExpect(page.getByText('You are about to lock down 319 users.')).toBeVisible();
  const lockdownId = new URL(page.url()).searchParams.get('lockdown')!;
  const targets = await stack.db.lockdownTarget.findMany({ where: { lockdownId }, select: { userId: true } });
  expect(targets).toHaveLength(319);
  expect(targets.map((target) => target.userId)).not.toContain(ids[1]);
  expect(targets.map((target) => target.userId)).not.toContain(service.id);
  await page.getByRole('textbox', { name: 'Reason' }).fill('Department mailbox compromised');
  await page.getByRole('button', { name: 'Continue' }).click();
  // The run starts (the progress and results screens are tested elsewhere); it ends with every one of them locked.
  const finished = await waitForLockdownRecord(stack.db, lockdownId, 240_000);
  expect(finished.status).toBe('completed');
  expect(await stack.db.user.count({ where: { id: { in: targets.map((target) => target.userId) }, isActive: true } })).toBe(0);
  expect(earlier.id).not.toBe(lockdownId);
  await page.context().close();
});

it('reaches the same preview from a pasted list of usernames and emails and from the CSV file the CLI reads', async () => {
  const prefix = uniqueName('listed');
  const users = await Promise.all(['ann', 'ben', 'cat'].map((name) => createUser(stack.db, { username: `${prefix}-${name}` })));
  const page = superuserPage;
  await nav(page, 'Users').click();
  await pwExpect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();

  await page.getByRole('button', { name: 'Paste list' }).click();
  const paste = page.getByRole('dialog', { name: 'Paste usernames or emails' });
  await paste.getByRole('textbox', { name: 'Users' }).fill(`${users[0].username}, ${users[1].email.toUpperCase()}\n"Cat" <${users[2].email}>`);
  await paste.getByRole('button', { name: 'Add and preview' }).click();
  const dialog = previewDialog(page);
  await pwExpect(dialog.getByTestId('preview-summary')).toContainText('3 users will be locked');
  const lockable = table(dialog, 'Will be locked');
  for (const user of users) await pwExpect(lockable.getByRole('gridcell', { name: user.username, exact: true }).or(lockable.getByRole('cell', { name: user.username, exact: true }))).toBeVisible();
  const fromPaste = await lockable.innerText();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Remove Pasted list' }).click();

  // The same users as a file exported from a SIEM: a header, a comment, more columns.
  const csv = `username,reason\n# exported 2026-12-04\n${users.map((user) => `${user.username},clicked the link`).join('\n')}\n`;
  await page.getByLabel('CSV file of users to lock').setInputFiles({ name: 'incident-users.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await pwExpect(dialog.getByTestId('preview-summary')).toContainText('3 users will be locked');
  expect(await table(dialog, 'Will be locked').innerText()).toBe(fromPaste);
  await pwExpect(page.getByTestId('selection')).toContainText('File incident-users.csv');
  await expectAccessible(page);
  await screenshot(page, '33-csv-preview');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Clear selection' }).click();
});

it('lets an admin holding change_user on three users find them from the menu and lock one; its page then shows the last lockdown and no lockdown button', async () => {
  const prefix = uniqueName('team');
  const mine = await Promise.all([1, 2, 3].map((n) => createUser(stack.db, { username: `${prefix}-${n}`, password: PASSWORD })));
  const helpDesk = await helpDeskAdmin('helpdesk', mine.map((user) => user.id));
  const page = await pages.signIn(helpDesk.username, PASSWORD);

  // The menu offers what the API says this identity may use: Users and Lockdowns, not Configuration or Logs.
  await pwExpect(nav(page, 'Users')).toBeVisible();
  await pwExpect(nav(page, 'Lockdowns')).toBeVisible();
  await pwExpect(nav(page, 'Configuration')).toHaveCount(0);
  await pwExpect(nav(page, 'Logs')).toHaveCount(0);
  await nav(page, 'Users').click();
  await pwExpect(page.getByText('1–3 of 3')).toBeVisible();
  for (const user of mine) await pwExpect(page.getByRole('link', { name: user.username })).toBeVisible();
  await page.getByRole('row', { name: new RegExp(mine[1].username) }).getByRole('checkbox').check();
  await expectAccessible(page);
  await screenshot(page, '34-users-per-user-admin');
  await page.getByRole('button', { name: 'Account Lockdown' }).click();
  const dialog = previewDialog(page);
  await pwExpect(dialog.getByTestId('preview-summary')).toContainText('1 user will be locked');
  await dialog.getByRole('button', { name: 'Lock 1 user' }).click();
  await pwExpect(page.getByText(`You are about to lock down ${mine[1].username}.`)).toBeVisible();
  const lockdownId = new URL(page.url()).searchParams.get('lockdown')!;
  await page.getByRole('textbox', { name: 'Reason' }).fill('Reported a suspicious MFA prompt');
  await page.getByRole('button', { name: 'Continue' }).click();
  expect((await waitForLockdownRecord(stack.db, lockdownId)).status).toBe('completed');

  await nav(page, 'Users').click();
  await page.getByRole('link', { name: mine[1].username }).click();
  await pwExpect(page.getByRole('heading', { level: 1, name: mine[1].username })).toBeVisible();
  const last = page.getByTestId('last-lockdown');
  await pwExpect(last).toContainText('Reported a suspicious MFA prompt');
  await pwExpect(last).toContainText(helpDesk.username);
  await pwExpect(last.getByRole('link', { name: 'Open the lockdown' })).toBeVisible();
  await pwExpect(page.getByTestId('already-locked')).toBeVisible();
  await pwExpect(page.getByRole('button', { name: 'Account Lockdown' })).toHaveCount(0);
  await pwExpect(page.getByRole('button', { name: 'Activate' })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, '35-user-locked');
  await last.getByRole('link', { name: 'Open the lockdown' }).click();
  await pwExpect(page).toHaveURL(new RegExp(`/lockdowns/${lockdownId}$`));
  await page.context().close();
});

it('offers no lockdown, password or recovery link on a protected account', async () => {
  const service = await createUser(stack.db, { username: uniqueName('svc'), type: 'internal_service_account' });
  const page = superuserPage;
  for (const id of [service.id, (await stack.db.user.findUniqueOrThrow({ where: { username: 'AnonymousUser' } })).id]) {
    await page.goto(`/users/${id}`);
    await pwExpect(page.getByText('Protected account', { exact: true })).toBeVisible();
    await pwExpect(page.getByRole('button', { name: 'Account Lockdown' })).toHaveCount(0);
    await pwExpect(page.getByRole('button', { name: 'Set password' })).toHaveCount(0);
    await pwExpect(page.getByRole('button', { name: 'Create recovery link' })).toHaveCount(0);
  }
  await expectAccessible(page);
  await screenshot(page, '36-user-protected');
});
