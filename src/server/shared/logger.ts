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

/**
 * Errors as pino prints them, minus the values a failed query was run with:
 * drizzle puts them in `params` and in the message ("Failed query: …\nparams: …"),
 * and they hold names, addresses and password hashes.
 */
export function serializeError(err: unknown): unknown {
  const out = pino.stdSerializers.errWithCause(err as Error) as unknown as Record<string, unknown> | undefined;
  return out ? scrubQuery(out) : out;
}

function scrubQuery(e: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...e };
  delete copy.params;
  // The parameters run to the end of the message (they may hold newlines), and up to the first frame in the stack.
  if (typeof copy.message === 'string') copy.message = copy.message.replace(/\nparams: [\s\S]*$/, '\nparams: [redacted]');
  if (typeof copy.stack === 'string') copy.stack = copy.stack.replace(/\nparams: [\s\S]*?(?=\n\s+at |$)/, '\nparams: [redacted]');
  if (copy.cause && typeof copy.cause === 'object') copy.cause = scrubQuery(copy.cause as Record<string, unknown>);
  return copy;
}

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
  const options = { level, redact, base: undefined, serializers: { err: serializeError } };
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
