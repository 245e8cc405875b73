import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Lets every zod schema carry OpenAPI metadata; the same schemas validate requests.
extendZodWithOpenApi(z);

export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'A session key or an API token key.' });
  registry.registerComponent('securitySchemes', 'basic', { type: 'http', scheme: 'basic', description: 'username and an app password.' });
  registry.registerComponent('securitySchemes', 'cookie', { type: 'apiKey', in: 'cookie', name: 'lockdown_session' });
  return registry;
}

export function generateDocument(registry: OpenAPIRegistry, serverUrl: string) {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Account Lockdown API',
      version: '1.0.0',
      description:
        'Lock compromised accounts: deactivate, invalidate the password, end every session, revoke every token, ' +
        'audit and notify — one user or thousands, as durable Temporal workflows.',
    },
    servers: [{ url: serverUrl }],
  });
}

/** Express `/a/:id` → OpenAPI `/a/{id}`. */
export const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');
