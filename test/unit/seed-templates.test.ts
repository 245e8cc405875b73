import { renderTemplate, type PromptContext, type TemplateResult } from '../../domain/templates';
import { SEEDED_TEMPLATES } from '../../prisma/seed';

/** The seeded prompts say what a bulk run is: every user named, the requester told they are logged out, a summary of the results. */
const user = (username: string) => ({ id: username, username, name: '', email: '' });
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();

function context(targets: string[], options: Partial<PromptContext> = {}): PromptContext {
  const users = targets.map(user);
  return {
    lockdown_target_user: users.length === 1 ? users[0] : null,
    lockdown_target_users: users,
    lockdown_self_service: false,
    lockdown_results: [],
    lockdown_reason: null,
    user: user('admin'),
    ...options,
  };
}

describe('the seeded warning', () => {
  it('when the requester is among several targets, then it names every other user and says the requester is logged out too', async () => {
    const rendered = text(await renderTemplate(SEEDED_TEMPLATES.warning, context(['anna', 'bert', 'admin'], { lockdown_self_service: true })));
    expect(rendered).toContain('You are about to lock down 3 users, your own account (admin) among them.');
    expect(rendered).toContain('You will be logged out too.');
    expect(rendered).toContain('Users: anna, bert, admin');
    expect(rendered).not.toContain('You are about to lock your own account');
  });

  it('when only the requester is the target, then it speaks in the first person', async () => {
    const rendered = text(await renderTemplate(SEEDED_TEMPLATES.warning, context(['admin'], { lockdown_self_service: true })));
    expect(rendered).toContain('You are about to lock your own account.');
  });

  it('when 300 users are selected, then it names 50 and counts the rest', async () => {
    const names = Array.from({ length: 300 }, (_, index) => `user-${index}`);
    const rendered = text(await renderTemplate(SEEDED_TEMPLATES.warning, context(names)));
    expect(rendered).toContain('You are about to lock down 300 users.');
    expect(rendered).toContain('user-49 and 250 more (the list below names every one)');
  });
});

describe('the seeded results', () => {
  const result = (username: string, success: boolean): TemplateResult => ({
    user: user(username),
    username,
    success,
    error: success ? null : 'database refused',
    sessions_revoked: 1,
    tokens_revoked: 1,
  });

  it('when one user was locked, then it says so in one line', async () => {
    const rendered = await renderTemplate(SEEDED_TEMPLATES.results, context(['anna'], { lockdown_results: [result('anna', true)], lockdown_progress: { total: 1, locked: 1, failed: 0, cancelled: 0, pending: 0 } }));
    expect(rendered).toBe('Successfully locked down anna.');
  });

  it('when 300 users ran, then it is a summary with the failures, not a line per user', async () => {
    const results = Array.from({ length: 300 }, (_, index) => result(`user-${index}`, index % 100 !== 7));
    const rendered = text(await renderTemplate(SEEDED_TEMPLATES.results, context([], { lockdown_results: results, lockdown_progress: { total: 300, locked: 297, failed: 3, cancelled: 0, pending: 0 } })));
    expect(rendered).toContain('297 of 300 users locked, 3 failed.');
    expect(rendered).toContain('Failed to lock down user-7: database refused');
    expect(rendered).not.toContain('user-8');
  });
});
