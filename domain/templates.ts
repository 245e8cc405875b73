import { Liquid } from 'liquidjs';
import type { PromptFieldSnapshot } from './stages';

/**
 * Prompt `initialValue` templates: Liquid, sandboxed (no file system, own properties only,
 * bounded parse/render work) and HTML-escaped by default.
 *
 * Variables: `lockdown_target_user` (only when there is exactly one target),
 * `lockdown_target_users` (always the full list: bulk-aware templates must use it),
 * `lockdown_self_service`, `lockdown_results`, `lockdown_reason`, `user` (the actor).
 */
const noFileSystem = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => {
    throw new Error('templates cannot include files');
  },
  readFileSync: () => {
    throw new Error('templates cannot include files');
  },
  resolve: (_root: string, file: string) => file,
  sep: '/',
};

const liquid = new Liquid({
  fs: noFileSystem,
  outputEscape: 'escape',
  ownPropertyOnly: true,
  strictFilters: true,
  cache: 200,
  parseLimit: 100_000,
  renderLimit: 2_000,
  memoryLimit: 50_000_000,
  relativeReference: false,
  root: [],
  partials: [],
  layouts: [],
});

export interface TemplateUser {
  id: string;
  username: string;
  name: string;
  email: string;
}

export interface TemplateResult {
  user: TemplateUser;
  username: string;
  success: boolean;
  error: string | null;
  sessions_revoked: number;
  tokens_revoked: number;
}

export interface PromptContext {
  lockdown_target_user: TemplateUser | null;
  lockdown_target_users: TemplateUser[];
  lockdown_self_service: boolean;
  lockdown_results: TemplateResult[];
  lockdown_reason: string | null;
  user: TemplateUser;
}

export interface RenderedField {
  fieldKey: string;
  label: string;
  type: string;
  required: boolean;
  placeholder: string;
  subText: string;
  initialValue: string;
}

export async function renderTemplate(template: string, context: PromptContext): Promise<string> {
  if (!template.includes('{')) return template;
  try {
    return (await liquid.parseAndRender(template, context)).trim();
  } catch (err) {
    // A broken template must not break the lockdown: show the admin what is wrong.
    return `[template error: ${(err as Error).message}]`;
  }
}

export async function renderFields(fields: PromptFieldSnapshot[], context: PromptContext): Promise<RenderedField[]> {
  const sorted = [...fields].sort((a, b) => a.order - b.order);
  return Promise.all(
    sorted.map(async (field) => ({
      fieldKey: field.fieldKey,
      label: field.label,
      type: field.type,
      required: field.required,
      placeholder: field.placeholder,
      subText: field.subText,
      initialValue: await renderTemplate(field.initialValue, context),
    })),
  );
}
