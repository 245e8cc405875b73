import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../scripts/lib/ports';
import { startTemporalWebUi, type WebUi } from '../../scripts/lib/temporal-web-ui';
import { CANCELLED_AFTER_CONTAINMENT, UNDO_CANCELLED_AFTER_CONTAINMENT } from '../../domain/cancellation';
import { expectAccessible, launchChromium, nav, pwExpect, screenshot, signIn, until, VIEWPORT } from '../support/browser';
import { startLockdown } from '../support/lockdowns';
import { adminSession, bearer, createManyUsers, createUser, login, startStack, uniqueName, waitForLockdown, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

/**
 * The console at the scale of an incident (issue 18), in Debian's Chromium against the real
 * stack, as someone who is not a superuser runs it: a 300-user bulk run summarised first, its
 * per-user table in the first viewport; a bulk selection that includes its requester; a cancel
 * confirmed in the API's words; an auditor's timeline, export and the Temporal Web UI reading
 * payloads in clear; one alert for a 300-user lockdown. Screenshots 21–29 (docs/screenshots
 * with UPDATE_SCREENSHOTS=1).
 */
const PASSWORD = 'console-runs-password';
/** The 300-user run is requested from this address: the alert rules of this file match it alone. */
const INCIDENT_IP = '127.0.77.1';
const REASON = 'Phishing wave INC-4711 across finance';

let stack: Stack;
/** A stack whose bulk runs start two users at a time: a cancel finds users not yet started. */
let slow: Stack;
let browser: Browser;
let webUi: WebUi;
let superuser: string;
/** change_user on everyone, not a superuser: who runs the incident. */
let incident: { id: string; username: string; key: string; page: Page };
/** view_audit only. */
let auditor: { id: string; username: string; page: Page };
/** The 300-user run, for the tests after the first. */
let bulk: { id: string; failing: { id: string; username: string }[] };

beforeAll(async () => {
  const uiPort = await freePort();
  stack = await startStack({ TEMPORAL_UI_URL: `http://127.0.0.1:${uiPort}` });
  slow = await startStack({ LOCKDOWN_BULK_WINDOW: '2' });
  // The Web UI as `npm run dev` starts it: the API's codec endpoint, with the browser's credentials.
  webUi = await startTemporalWebUi({ temporalAddress: stack.config.TEMPORAL_ADDRESS, port: uiPort, codecEndpoint: `${stack.baseUrl}/api/v1/temporal-codec` });
  browser = await launchChromium();
  superuser = await adminSession(stack);
  const incidentUser = await createUser(stack.db, { username: uniqueName('incident-lead'), password: PASSWORD });
  await stack.db.permission.create({ data: { userId: incidentUser.id, permission: 'change_user' } });
  incident = { ...incidentUser, key: await login(stack, incidentUser.username, PASSWORD), page: await signIn(browser, stack.baseUrl, incidentUser.username, PASSWORD) };
  const auditorUser = await createUser(stack.db, { username: uniqueName('auditor'), password: PASSWORD });
  await stack.db.permission.create({ data: { userId: auditorUser.id, permission: 'view_audit' } });
  auditor = { ...auditorUser, page: await signIn(browser, stack.baseUrl, auditorUser.username, PASSWORD) };
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await webUi?.stop();
  await slow?.stop();
  await stack?.stop();
});

const post = (path: string, body: object, key = superuser) => stack.http.post(path).set(bearer(key)).send(body);

/** Alerting for this file's incident address: a group, a policy on the per-user lockdown event, an inbox transport and a rule. */
async function alertRule(member: string, alertPer: 'lockdown' | 'user') {
  const group = await post('/api/v1/groups', { name: uniqueName('soc') });
  await post(`/api/v1/groups/${group.body.id}/members`, { userId: member });
  const policy = await post('/api/v1/policies/event_matcher', { name: uniqueName('incident'), action: 'account_lockdown_triggered', clientIp: INCIDENT_IP });
  const transport = await post('/api/v1/notification_transports', { name: uniqueName('inbox'), mode: 'local' });
  const rule = await post('/api/v1/notification_rules', {
    name: uniqueName(`per-${alertPer}`),
    severity: 'alert',
    alertPer,
    destinationGroupId: group.body.id,
    transportIds: [transport.body.id],
    policyIds: [policy.body.id],
  });
  expect(rule.status).toBe(201);
}

/** A trigger of this test's own: `body` runs for updates of `table` rows matching `when`. */
async function trigger(db: Stack['db'], table: 'users' | 'lockdown_targets', when: string, body: string) {
  const name = `console_runs_${uniqueName('t').replace(/-/g, '_')}`;
  await db.$executeRawUnsafe(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body}; RETURN NEW; END $$`);
  await db.$executeRawUnsafe(`CREATE TRIGGER ${name} BEFORE UPDATE ON ${table} FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION ${name}()`);
  return async () => {
    await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS ${name} ON ${table}`);
    await db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS ${name}()`);
  };
}

const resultsTable = (page: Page) => page.locator('table[aria-label="Results per user"]');

it('a 300-user bulk run opened in the console: contained 300/300 first, then the summary with the failures and their reasons, the per-user table in the first viewport; one alert in the inbox', async () => {
  await alertRule(incident.id, 'lockdown');
  // The auditor's rule asks for one alert per user: their inbox groups the 300 under the lockdown.
  await alertRule(auditor.id, 'user');
  const prefix = uniqueName('runs300');
  const ids = await createManyUsers(stack.db, 298, prefix);
  const failing = [await createUser(stack.db, { username: `${prefix}-refused-a` }), await createUser(stack.db, { username: `${prefix}-refused-b` })];
  ids.splice(100, 0, failing[0].id);
  ids.splice(200, 0, failing[1].id);
  // The directory refuses these two users' password change: their runs fail, with why.
  const dropTrigger = await trigger(stack.db, 'users', `OLD.id IN ('${failing[0].id}', '${failing[1].id}') AND NEW.password_hash IS DISTINCT FROM OLD.password_hash`, "RAISE EXCEPTION 'the directory refused the password change'");
  try {
    const started = await startLockdown(stack, incident.key, { users: ids, reason: REASON }).agent(new Agent({ localAddress: INCIDENT_IP }));
    expect(started.status).toBe(201);
    bulk = { id: started.body.id, failing };
    const page = incident.page;
    await page.goto(`/flows/${started.body.flow.slug}?lockdown=${bulk.id}`);
    // Containment is the first thing shown: every account inactive long before every user's run ended.
    await pwExpect(page.getByTestId('containment').first()).toContainText('Contained 300/300', { timeout: 60_000 });
    await screenshot(page, '21-flow-bulk-contained');
    await pwExpect(page.getByTestId('lockdown-summary')).toContainText('Lockdown finished with failures: 2 of 300 failed, 298 locked', { timeout: 240_000 });
  } finally {
    await dropTrigger();
  }
  const page = incident.page;
  const summary = page.getByTestId('lockdown-summary');
  await pwExpect(summary).toContainText('Contained 300/300');
  // Failures first, with their reasons.
  for (const user of failing) await pwExpect(page.getByTestId('summary-failures')).toContainText(`${user.username}: `);
  await pwExpect(page.getByTestId('summary-failures')).toContainText('the directory refused the password change');
  // The result heading has the focus, not the page body.
  expect(await page.evaluate<string>("document.activeElement?.textContent ?? ''")).toContain('Lockdown finished with failures');
  // The flow's results prompt is a summary too, not 300 lines.
  await pwExpect(page.getByTestId('results-prompt')).toContainText('298 of 300 users locked, 2 failed.');

  // The per-user table starts in the first viewport, below the summary, at the page's full width.
  await page.evaluate('window.scrollTo(0, 0)');
  const table = resultsTable(page);
  const [summaryBox, tableBox, headerBox, firstRowBox] = [
    await summary.boundingBox(),
    await table.boundingBox(),
    await table.locator('thead').boundingBox(),
    await table.locator('tbody tr').first().boundingBox(),
  ];
  expect(summaryBox!.y + summaryBox!.height).toBeLessThanOrEqual(tableBox!.y);
  expect(headerBox!.y + headerBox!.height).toBeLessThan(VIEWPORT.height);
  expect(firstRowBox!.y + firstRowBox!.height).toBeLessThan(VIEWPORT.height);
  // As wide as the summary above it, less the card's padding: the page's full width.
  expect(tableBox!.width).toBeGreaterThan(summaryBox!.width * 0.95);
  for (const column of ['User', 'Result', 'Sessions ended', 'Tokens revoked', 'Error']) await pwExpect(table.getByRole('columnheader', { name: column })).toBeVisible();
  // Usernames on one line, headers not cut.
  const firstUser = table.locator('tbody tr').first().locator('td').first();
  expect((await firstUser.boundingBox())!.height).toBeLessThan(40);
  await pwExpect(page.getByText('1–50 of 300')).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, '21-flow-bulk-summary');

  // "Show only the failed users": the server filters; sorting by user too.
  await page.getByRole('button', { name: 'Show only the 2 failed users below' }).click();
  await pwExpect(table.locator('tbody tr')).toHaveCount(2);
  await pwExpect(table).toContainText('the directory refused the password change');
  await screenshot(page, '21-flow-bulk-failures');
  await page.getByRole('combobox', { name: 'Filter results' }).selectOption('');
  await table.getByRole('button', { name: 'User' }).click();
  await until(async () => expect(await firstUser.innerText()).toBe(`${prefix}-0`));
  await table.getByRole('button', { name: 'User' }).click();
  await until(async () => expect(await firstUser.innerText()).toBe(`${prefix}-refused-b`));

  // One alert for the whole lockdown in the incident lead's inbox.
  await nav(page, 'Notifications').click();
  const inbox = page.getByRole('list', { name: 'Notifications by lockdown' });
  await pwExpect(inbox.getByText(/Lockdown completed — 300 users: 298 locked, 2 failed/)).toBeVisible({ timeout: 60_000 });
  expect(await stack.db.notification.count({ where: { userId: incident.id, event: { lockdownId: bulk.id } } })).toBe(1);
  await pwExpect(inbox).toContainText(`${incident.username} locked down 300 users: 298 locked, 2 failed; contained 300/300. Reason: ${REASON}`);
  await expectAccessible(page);
  await screenshot(page, '27-notifications-summary');
  await page.getByRole('button', { name: 'Mark all seen' }).click();
  await pwExpect(inbox.getByText('New', { exact: true })).toHaveCount(0);

  // The auditor's per-user rule: 298 alerts (one per locked user), one group in the inbox.
  await waitFor('the per-user alerts', async () => ((await stack.db.notification.count({ where: { userId: auditor.id, event: { lockdownId: bulk.id } } })) >= 298 ? true : undefined), {
    timeoutMs: 180_000,
    intervalMs: 1_000,
  });
  await nav(auditor.page, 'Notifications').click();
  await pwExpect(auditor.page.getByText('298 notifications')).toBeVisible({ timeout: 30_000 });
  await auditor.page.getByRole('button', { name: 'All 298 notifications of this lockdown' }).click();
  await pwExpect(auditor.page.locator('.notification-group li')).toHaveCount(20);
  await expectAccessible(auditor.page);
  await screenshot(auditor.page, '27-notifications-grouped');
}, 600_000);

it('a bulk selection that includes the requester: the prompt names every user and says the requester is logged out; the list calls it what it is', async () => {
  const caller = await createUser(stack.db, { username: uniqueName('lead'), password: PASSWORD });
  await stack.db.permission.create({ data: { userId: caller.id, permission: 'change_user' } });
  const others = [await createUser(stack.db, { username: uniqueName('anna') }), await createUser(stack.db, { username: uniqueName('bert') })];
  const key = await login(stack, caller.username, PASSWORD);
  const started = await startLockdown(stack, key, { users: [others[0].id, caller.id, others[1].id] });
  expect(started.status).toBe(201);
  const page = await signIn(browser, stack.baseUrl, caller.username, PASSWORD);
  await page.goto(`/flows/${started.body.flow.slug}?lockdown=${started.body.id}`);
  await pwExpect(page.getByText(`You are about to lock down 3 users, your own account (${caller.username}) among them.`)).toBeVisible();
  await pwExpect(page.getByText('You will be logged out too.')).toBeVisible();
  await pwExpect(page.getByText(`Users: ${others[0].username}, ${caller.username}, ${others[1].username}`)).toBeVisible();
  await pwExpect(page.getByRole('heading', { name: 'Who will be locked: 3 users' })).toBeVisible();
  await pwExpect(resultsTable(page).locator('tbody tr')).toHaveCount(3);
  // "Reason is required." goes as soon as something is typed.
  await page.getByRole('button', { name: 'Continue' }).click();
  await pwExpect(page.getByText('Reason is required.')).toBeVisible();
  await page.getByRole('textbox', { name: 'Reason' }).fill('Shared laptop stolen');
  await pwExpect(page.getByText('Reason is required.')).toHaveCount(0);
  await expectAccessible(page);
  await page.getByRole('heading', { level: 1 }).scrollIntoViewIfNeeded();
  await screenshot(page, '22-flow-prompt-caller');
  await page.getByRole('button', { name: 'Continue' }).click();
  // The requester's own session ends with the others: the run ends on the completion page.
  await pwExpect(page).toHaveURL(/\/flows\/default-account-lockdown-complete$/, { timeout: 60_000 });
  expect(await stack.db.user.count({ where: { id: { in: [caller.id, ...others.map((user) => user.id)] }, isActive: true } })).toBe(0);

  // Listed as what it is: a bulk lockdown of 3 users, the requester among them — not "(self-service)".
  const list = incident.page;
  await list.goto('/lockdowns');
  const row = list.getByRole('row', { name: /Shared laptop stolen/ });
  await pwExpect(row).toContainText(`3 users, ${caller.username}’s own account among them`);
  await pwExpect(row).toContainText('bulk, requester included');
  await pwExpect(list.getByText('(self-service)')).toHaveCount(0);
  await expectAccessible(list);
  await screenshot(list, '24-lockdowns-list');
  await page.context().close();
});

it('a cancel is confirmed, and the console, the API, each left-out user and the README say what it means in the same words', async () => {
  const ids = await createManyUsers(slow.db, 12, uniqueName('runs-cancel'));
  // The first two users (the whole window) wait 10 s in their target check: the other ten are not started when the cancel comes.
  const dropTrigger = await trigger(slow.db, 'lockdown_targets', `OLD.user_id IN ('${ids[0]}', '${ids[1]}') AND OLD.status = 'pending' AND NEW.status = 'running'`, 'PERFORM pg_sleep(10)');
  const page = await signIn(browser, slow.baseUrl, incident.username, PASSWORD);
  const key = await login(slow, incident.username, PASSWORD);
  try {
    const started = await startLockdown(slow, key, { users: ids, reason: 'Wrong list exported' });
    expect(started.status).toBe(201);
    await page.goto(`/flows/${started.body.flow.slug}?lockdown=${started.body.id}`);
    await pwExpect(page.getByTestId('containment').first()).toContainText('Contained 12/12');
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel the lockdown of 12 users?' });
    const effect = (await slow.http.get(`/api/v1/lockdowns/${started.body.id}`).set(bearer(key))).body.cancellation.effect as string;
    expect(effect).toContain(UNDO_CANCELLED_AFTER_CONTAINMENT);
    await pwExpect(dialog.getByTestId('cancel-effect')).toHaveText(effect);
    await expectAccessible(page);
    await screenshot(page, '23-cancel-confirm');
    await dialog.getByRole('button', { name: 'Cancel the lockdown' }).click();

    const summary = page.getByTestId('lockdown-summary');
    await pwExpect(summary).toContainText('Lockdown cancelled: 2 of 12 locked, 10 not started', { timeout: 60_000 });
    const done = await waitForLockdown(slow, key, started.body.id);
    expect(done.cancellation.leftDeactivated).toBe(10);
    await pwExpect(page.getByTestId('cancel-outcome')).toHaveText(done.cancellation.outcome);
    // The rows say it too, and it is true: every one of them is inactive.
    await page.getByRole('combobox', { name: 'Filter results' }).selectOption('cancelled');
    const rows = resultsTable(page).locator('tbody tr');
    await pwExpect(rows).toHaveCount(10);
    for (const text of await rows.allInnerTexts()) expect(text).toContain(CANCELLED_AFTER_CONTAINMENT);
    expect(await slow.db.user.count({ where: { id: { in: ids }, isActive: true } })).toBe(0);
    expect(readFileSync(`${__dirname}/../../README.md`, 'utf8').replace(/\s+/g, ' ')).toContain(UNDO_CANCELLED_AFTER_CONTAINMENT);
    await expectAccessible(page);
    await screenshot(page, '23-cancel-summary');
  } finally {
    await dropTrigger();
    await page.context().close();
  }
}, 300_000);

it('an auditor opens the 300-user lockdown: no dead-end user links, the timeline, a CSV export, and the reason in clear in the Temporal Web UI', async () => {
  const page = auditor.page;
  await page.goto(`/lockdowns/${bulk.id}`);
  await pwExpect(page.getByRole('heading', { level: 1, name: 'Lockdown' })).toBeVisible();
  await pwExpect(page.getByText('300/300 inactive')).toBeVisible();
  // An auditor without change_user opens no user page: the names are plain text, the lockdown says what happened to each.
  await pwExpect(resultsTable(page).locator('tbody tr').first()).toBeVisible();
  await pwExpect(resultsTable(page).getByRole('link')).toHaveCount(0);
  await expectAccessible(page);
  await screenshot(page, '25-lockdown-detail-auditor');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Results (CSV)' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
  expect(csv[0]).toBe('lockdownId,userId,username,status,success,error,sessionsRevoked,tokensRevoked,completedAt');
  expect(csv).toHaveLength(301);
  expect(csv.filter((line) => line.includes('the directory refused the password change'))).toHaveLength(2);

  await page.getByRole('tab', { name: 'Timeline' }).click();
  const events = page.locator('table[aria-label="Lockdown events"]');
  await pwExpect(events).toContainText(`by: ${incident.username}`, { timeout: 60_000 });
  await pwExpect(events).toContainText(REASON);
  const steps = page.locator('table[aria-label="Steps per user"]');
  await pwExpect(steps).toContainText('deactivated');
  await pwExpect(steps).toContainText('sessions ended (1)');
  await expectAccessible(page);
  await screenshot(page, '25-lockdown-timeline');
  await page.getByRole('heading', { name: 'Each user’s steps' }).scrollIntoViewIfNeeded();
  await screenshot(page, '25-lockdown-timeline-steps');
  const [timelineDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Timeline (CSV)' }).click()]);
  expect(readFileSync(await timelineDownload.path(), 'utf8')).toContain('revokeTokens');

  // The Temporal Web UI, opened from the console, reads the workflow's payloads in clear for the auditor.
  const [ui] = await Promise.all([page.context().waitForEvent('page'), page.getByRole('link', { name: /Temporal Web UI/ }).click()]);
  await ui.setViewportSize(VIEWPORT);
  await ui.waitForURL(new RegExp(`/workflows/lockdown-${bulk.id}`));
  // The input, decoded: the requester's name is at its top (Temporal stores it encrypted).
  await until(async () => expect(await ui.locator('body').innerText()).toContain(`"username": "${incident.username}"`), 90_000);
  expect(await ui.locator('body').innerText()).not.toContain('Codec Server could not connect');
  await screenshot(ui, '26-temporal-ui-decoded');
  // The reason is near its end: the code view draws only the lines in view, so scroll it there.
  await until(async () => {
    await ui.evaluate("document.querySelectorAll('.cm-scroller').forEach((view) => { view.scrollTop = view.scrollHeight; })");
    expect(await ui.locator('body').innerText()).toContain(REASON);
  }, 30_000);
  await ui.getByText(REASON).first().scrollIntoViewIfNeeded();
  await screenshot(ui, '26-temporal-ui-reason');
  await ui.close();
}, 300_000);

it('the audit log names every action, filters on the summary; the matcher form sets up an alert on approval requests; the security switches say why they are off', async () => {
  const page = auditor.page;
  await nav(page, 'Logs').click();
  await pwExpect(page.getByRole('heading', { level: 1, name: 'Events' })).toBeVisible();
  const actions = (await stack.http.get('/api/v1/events/actions').set(bearer(superuser))).body.items as { action: string; label: string }[];
  await until(async () => expect(await page.locator('#filter-action option').count()).toBe(actions.length + 1));
  await page.locator('#filter-category').selectOption('lockdown');
  await page.locator('#filter-action').selectOption({ label: 'Lockdown Finished (summary)' });
  await page.locator('#filter-actor').fill(incident.username);
  await page.getByRole('button', { name: 'Filter' }).click();
  const row = page.getByRole('row', { name: new RegExp(REASON) }).first();
  await pwExpect(row).toContainText('Lockdown Finished (summary)');
  await pwExpect(row).toContainText('300 users · 298 locked, 2 failed, 0 cancelled');
  // No raw action id anywhere in the Action column.
  for (const cell of await page.locator('td[data-label="Action"]').allInnerTexts()) expect(actions.map((action) => action.label)).toContain(cell);
  await expectAccessible(page);
  await screenshot(page, '28-events-summary');

  // Configuration as the incident lead: change_user, not a superuser.
  const admin = incident.page;
  await nav(admin, 'Configuration').click();
  await admin.getByRole('tab', { name: 'Account Lockdown stage' }).click();
  await pwExpect(admin.getByTestId('security-settings-note').first()).toBeVisible();
  expect(await admin.locator('input[id$="-deactivateUser"]').first().isDisabled()).toBe(true);
  await expectAccessible(admin);
  await screenshot(admin, '29-configuration-stage-not-superuser');

  await admin.getByRole('tab', { name: 'Event matcher policies' }).click();
  const name = uniqueName('approval-requests');
  await admin.locator('#policy-name').fill(name);
  await admin.locator('#policy-action').selectOption({ label: 'Lockdown Approval Requested' });
  await screenshot(admin, '29-configuration-policy-approval');
  await admin.getByRole('button', { name: 'Create' }).click();
  await pwExpect(admin.getByRole('gridcell', { name: name })).toBeVisible();
  const policy = await stack.db.eventMatcherPolicy.findUniqueOrThrow({ where: { name } });
  expect(policy.action).toBe('account_lockdown_approval_requested');
  await pwExpect(admin.getByRole('row', { name: new RegExp(name) })).toContainText('Lockdown Approval Requested');

  await admin.getByRole('tab', { name: 'Notification rules' }).click();
  await pwExpect(admin.locator('#rule-alert-per')).toBeVisible();
  expect(await admin.locator('#rule-alert-per').inputValue()).toBe('lockdown');
  await expectAccessible(admin);
  await screenshot(admin, '29-configuration-rule-alert-per');
});
