import { Liquid } from 'liquidjs';
import sanitizeHtml from 'sanitize-html';
import type { PromptFieldSnapshot, PromptFieldType } from './stages';

/**
 * Prompt `initialValue` templates: Liquid, sandboxed (no file system, own properties only,
 * bounded parse/render work) and HTML-escaped by default.
 *
 * Variables: `lockdown_target_user` (only when there is exactly one target),
 * `lockdown_target_users` (always the full list: bulk-aware templates must use it),
 * `lockdown_self_service`, `lockdown_results` (the first 1,000 locked or failed),
 * `lockdown_progress` (lockdown prompts: the counts of every target — total, locked, failed, cancelled, pending),
 * `lockdown_reason`, `user` (the actor).
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
  lockdown_progress?: { total: number; locked: number; failed: number; cancelled: number; pending: number };
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

/** Field types whose value clients show as HTML (the console's alerts); the others carry plain values. */
export const HTML_FIELD_TYPES: readonly PromptFieldType[] = ['alert_info', 'alert_warning', 'alert_danger'];

/**
 * The HTML prompts may show: text formatting, lists and links (http, https, mailto). Applied to
 * rendered HTML fields on the server, whatever the template did (`| raw` included), because
 * the CLI and other clients show what the API returns; the console sanitises it again.
 */
const PROMPT_HTML: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'b', 'em', 'i', 'u', 's', 'small', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'span', 'div', 'h3', 'h4', 'h5', 'h6', 'hr'],
  allowedAttributes: { a: ['href', 'title', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer' }) },
};

export function sanitizePromptHtml(html: string): string {
  return sanitizeHtml(html, PROMPT_HTML);
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
      initialValue: await renderFieldValue(field, context),
    })),
  );
}

async function renderFieldValue(field: PromptFieldSnapshot, context: PromptContext): Promise<string> {
  const rendered = await renderTemplate(field.initialValue, context);
  return (HTML_FIELD_TYPES as readonly string[]).includes(field.type) ? sanitizePromptHtml(rendered) : rendered;
}
