import DOMPurify from 'dompurify';

/**
 * Prompt texts are HTML rendered by the server from admin-written Liquid templates (values
 * HTML-escaped there); they are sanitised again here so a template can never run script.
 */
export function SafeHtml({ html, className }: { html: string; className?: string }) {
  return <div className={className} dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(html, { USE_PROFILES: { html: true } }) }} />;
}
