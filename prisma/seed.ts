import { randomBytes } from 'node:crypto';
import { ANONYMOUS_USERNAME } from '../domain/accounts';
import { warningList } from '../domain/lockdown-actions';
import { DEFAULT_SELF_SERVICE_MESSAGE, DEFAULT_SELF_SERVICE_TITLE } from '../domain/self-service';
import { hashPassword, unusablePasswordHash } from '../lib/credentials';
import type { Db } from '../lib/db';

/**
 * What a new installation has, like the identity provider's own defaults: the `admin`
 * superuser, the protected anonymous user, the default brand, and the default lockdown
 * and completion flows. Idempotent: running it again changes nothing an operator set.
 */
export const DEFAULT_LOCKDOWN_FLOW = 'default-account-lockdown';
export const DEFAULT_COMPLETION_FLOW = 'default-account-lockdown-complete';

// Liquid. `lockdown_target_users` is always the full list; `lockdown_target_user` exists only for one target.
// The lists of what will happen come from the actions' declaration (domain/lockdown-actions.ts).
// A bulk selection that includes the requester names every user and says plainly that the
// requester is logged out too (the whole run ends as a self-service run).
const TARGET_NAMES = `{% for target in lockdown_target_users limit: 50 %}{{ target.username }}{% unless forloop.last %}, {% endunless %}{% endfor %}{% if count > 50 %} and {{ count | minus: 50 }} more (the list below names every one){% endif %}`;
const WARNING_TEMPLATE = `{% assign count = lockdown_target_users | size %}{% if lockdown_self_service and count == 1 %}<p><strong>You are about to lock your own account.</strong> This will immediately:</p>
${warningList('self')}
<p>You will not be able to log in again until an administrator restores your access.</p>
{% elsif lockdown_self_service %}<p><strong>You are about to lock down {{ count }} users, your own account ({{ user.username }}) among them.</strong> This will immediately:</p>
${warningList('many')}
<p><strong>You will be logged out too.</strong> Your own account is locked with the others: you will not see the results here, and you cannot log in again until another administrator restores your access. Ask a colleague to follow this lockdown.</p>
<p>Users: ${TARGET_NAMES}</p>
{% else %}<p><strong>You are about to lock down {% if count == 1 %}{{ lockdown_target_users.first.username }}{% else %}{{ count }} users{% endif %}.</strong> This will immediately:</p>
{% if count == 1 %}${warningList('one')}{% else %}${warningList('many')}{% endif %}
{% if count > 1 %}<p>Users: ${TARGET_NAMES}</p>{% endif %}
{% endif %}`;

const WHEN_TO_USE = `<p>Use account lockdown when an account is suspected to be compromised: unexpected logins, leaked credentials, or unusual activity. Access can be restored later by an administrator (activate the user, set a password or send a recovery link, and re-enrol MFA devices).</p>`;

// One line for one user; for a bulk run a summary (the console pages every user's result below it), failures first.
const RESULTS_TEMPLATE = `{% assign count = lockdown_results | size %}{% if lockdown_progress.total == 1 and count == 1 %}{% assign result = lockdown_results.first %}{% if result.success %}Successfully locked down {{ result.username }}.{% else %}Failed to lock down {{ result.username }}: {{ result.error }}{% endif %}{% else %}{% assign failures = lockdown_results | where: "success", false %}<p>{{ lockdown_progress.locked }} of {{ lockdown_progress.total }} users locked{% if lockdown_progress.failed > 0 %}, {{ lockdown_progress.failed }} failed{% endif %}{% if lockdown_progress.cancelled > 0 %}, {{ lockdown_progress.cancelled }} cancelled{% endif %}.</p>{% if lockdown_progress.failed > 0 %}<ul>{% for result in failures limit: 10 %}<li>Failed to lock down {{ result.username }}: {{ result.error }}</li>{% endfor %}</ul>{% if lockdown_progress.failed > 10 %}<p>… and {{ lockdown_progress.failed | minus: 10 }} more failures in the results.</p>{% endif %}{% endif %}{% endif %}`;

/** The seeded templates of the default lockdown flow (exported for their tests). */
export const SEEDED_TEMPLATES = { warning: WARNING_TEMPLATE, results: RESULTS_TEMPLATE };

const COMPLETION_MESSAGE = `<p><strong>Your account has been locked.</strong></p><p>You have been logged out everywhere and your password no longer works. To regain access, contact your IT administrator or security team.</p>`;

export interface SeedResult {
  adminCreated: boolean;
  /** Set only when the admin was created with a generated password: show it once. */
  generatedAdminPassword: string | null;
}

export async function seed(db: Db, options: { adminPassword?: string } = {}): Promise<SeedResult> {
  let generatedAdminPassword: string | null = null;
  let adminCreated = false;
  if (!(await db.user.findUnique({ where: { username: 'admin' } }))) {
    const password = options.adminPassword || (generatedAdminPassword = randomBytes(18).toString('base64url'));
    await db.user.create({
      data: { username: 'admin', name: 'Administrator', isSuperuser: true, type: 'internal', passwordHash: await hashPassword(password) },
    });
    adminCreated = true;
  }
  await db.user.upsert({
    where: { username: ANONYMOUS_USERNAME },
    update: {},
    create: { username: ANONYMOUS_USERNAME, name: 'Anonymous User', type: 'internal', passwordHash: unusablePasswordHash() },
  });

  const completionFlow = await upsertFlow(DEFAULT_COMPLETION_FLOW, 'Account locked', 'none');
  const completionPrompt = await upsertPromptStage('default-account-lockdown-complete-prompt', [
    { fieldKey: 'lockdown_complete', label: 'Account locked', type: 'alert_warning', order: 0, initialValue: COMPLETION_MESSAGE },
  ]);
  await bind(completionFlow.id, completionPrompt.id, 0, 'always');

  const lockdownFlow = await upsertFlow(DEFAULT_LOCKDOWN_FLOW, 'Account lockdown', 'require_authenticated');
  const warningPrompt = await upsertPromptStage('default-account-lockdown-prompt', [
    { fieldKey: 'lockdown_warning', label: 'Warning', type: 'alert_danger', order: 0, initialValue: WARNING_TEMPLATE },
    { fieldKey: 'lockdown_info', label: 'When to use this', type: 'alert_info', order: 10, initialValue: WHEN_TO_USE },
    {
      fieldKey: 'reason',
      label: 'Reason',
      type: 'text_area',
      order: 20,
      required: true,
      placeholder: 'What happened? e.g. credentials leaked, phishing wave INC-4711',
      subText: 'This explanation will be recorded in the audit log.',
    },
  ]);
  const lockdownStage = await db.stage.upsert({
    where: { name: 'default-account-lockdown-stage' },
    update: {},
    create: {
      name: 'default-account-lockdown-stage',
      kind: 'account_lockdown',
      accountLockdown: {
        create: {
          selfServiceMessageTitle: DEFAULT_SELF_SERVICE_TITLE,
          selfServiceMessage: DEFAULT_SELF_SERVICE_MESSAGE,
          completionFlowId: completionFlow.id,
        },
      },
    },
  });
  const resultsPrompt = await upsertPromptStage('default-account-lockdown-results', [
    { fieldKey: 'lockdown_results', label: 'Results', type: 'alert_info', order: 0, initialValue: RESULTS_TEMPLATE },
  ]);
  await bind(lockdownFlow.id, warningPrompt.id, 0, 'always');
  await bind(lockdownFlow.id, lockdownStage.id, 10, 'always');
  await bind(lockdownFlow.id, resultsPrompt.id, 20, 'admin_only');

  // The brand points at the default flow when it is created; an operator may unset it later.
  await db.brand.upsert({
    where: { domain: 'default' },
    update: {},
    create: { domain: 'default', isDefault: true, flowLockdownId: lockdownFlow.id },
  });
  return { adminCreated, generatedAdminPassword };

  function upsertFlow(slug: string, title: string, authentication: 'none' | 'require_authenticated') {
    return db.flow.upsert({
      where: { slug },
      update: {},
      create: { slug, name: title, title, designation: 'stage_configuration', authentication },
    });
  }

  async function upsertPromptStage(
    name: string,
    fields: { fieldKey: string; label: string; type: 'alert_info' | 'alert_warning' | 'alert_danger' | 'text_area'; order: number; initialValue?: string; required?: boolean; placeholder?: string; subText?: string }[],
  ) {
    const existing = await db.stage.findUnique({ where: { name } });
    if (existing) return existing;
    return db.stage.create({ data: { name, kind: 'prompt', promptFields: { create: fields } } });
  }

  async function bind(flowId: string, stageId: string, order: number, condition: 'always' | 'admin_only') {
    await db.flowStageBinding.upsert({
      where: { flowId_order: { flowId, order } },
      update: {},
      create: { flowId, stageId, order, condition },
    });
  }
}
