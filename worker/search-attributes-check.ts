import type { NativeConnection } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const TYPE_NAMES: Record<number, string> = { 1: 'Text', 2: 'Keyword', 3: 'Int', 4: 'Double', 5: 'Bool', 6: 'Datetime', 7: 'KeywordList' };

export class MissingSearchAttributesError extends Error {}

/**
 * Lockdown workflows set custom search attributes; on a namespace without them every start
 * fails. Checked once at worker start, with the commands that fix it.
 */
export async function checkSearchAttributes(connection: NativeConnection, namespace: string): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const problems: string[] = [];
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
    const registered = customAttributes?.[name];
    if (registered === undefined) problems.push(`temporal operator search-attribute create --namespace ${namespace} --name ${name} --type ${type}`);
    else if (TYPE_NAMES[registered] !== type) problems.push(`${name} is registered as ${TYPE_NAMES[registered] ?? registered}, but must be ${type}`);
  }
  if (problems.length > 0) {
    throw new MissingSearchAttributesError(
      `The Temporal namespace "${namespace}" lacks the lockdown search attributes. Register them, then start the worker again:\n  ${problems.join('\n  ')}`,
    );
  }
}
