import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

/** Keys whose values never reach a log line, wherever they appear. */
const redactPaths = [
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'apiKey',
  '*.apiKey',
  'masterKey',
  '*.masterKey',
  'authorization',
  '*.authorization',
  'cookie',
  '*.cookie',
  'headers.cookie',
  'headers.authorization',
  'databaseUrl',
  'smtpUrl',
  '*.databaseUrl',
  '*.smtpUrl',
];

const redact = { paths: redactPaths, censor: '[redacted]' };

/** JSON lines in production, readable lines in development; `destination` defaults to stdout. */
export function createLogger({
  level,
  pretty: usePretty,
  destination,
}: {
  level: string;
  pretty: boolean;
  destination?: DestinationStream;
}): Logger {
  const options = { level, redact, base: undefined };
  // pino-pretty as a stream (not a worker transport), so it also works inside the Astro bundle.
  if (usePretty)
    return pino(options, pretty({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', destination }));
  return destination ? pino(options, destination) : pino(options);
}

/** Removes the password from a connection URL before it is shown anywhere. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}

export type { Logger };
