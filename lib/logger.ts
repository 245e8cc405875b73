import pino from 'pino';

/**
 * Structured logs for operators. Never log secrets, emails or usernames at info level:
 * log ids, and keep personal data to debug.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', name = 'lockdown') {
  return pino({
    name,
    level,
    // `npm run dev` asks for human-readable lines; services log JSON for collectors.
    ...(process.env.LOG_FORMAT === 'pretty' ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname', translateTime: 'HH:MM:ss' } } } : {}),
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.key', '*.sessionKey'],
      censor: '[redacted]',
    },
  });
}

export type Logger = ReturnType<typeof createLogger>;
