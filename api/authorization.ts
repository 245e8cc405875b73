import { forbidden } from './http/errors';

/** Turns a decision of domain/permissions into a 403. */
export async function authorize(decision: boolean | Promise<boolean>, message?: string): Promise<void> {
  if (!(await decision)) throw forbidden(message);
}
