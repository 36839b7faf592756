/**
 * winston, configured from the `log` section. Pushkeys are never logged in full: use
 * `pushkeyRef`, a short hash that lets an operator correlate lines without the token.
 */
import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import winston from 'winston';

export interface LogSettings {
  level: 'error' | 'warn' | 'info' | 'debug';
  format: 'json' | 'pretty';
}

export function createLogger(settings: LogSettings, stream: Writable = process.stdout): winston.Logger {
  const format =
    settings.format === 'json'
      ? winston.format.combine(winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          winston.format.timestamp(),
          // Colour only for a terminal: escape codes in a log file or collector are noise.
          ...((stream as { isTTY?: boolean }).isTTY ? [winston.format.colorize()] : []),
          winston.format.printf(({ timestamp, level, message, ...rest }) => {
            const extra = Object.keys(rest).length > 0 ? ' ' + JSON.stringify(rest) : '';
            return `${String(timestamp)} ${level} ${String(message)}${extra}`;
          }),
        );
  return skippingDisabledLevels(
    winston.createLogger({
      level: settings.level,
      format,
      transports: [new winston.transports.Stream({ stream })],
    }),
  );
}

/**
 * winston builds, copies and streams every entry before its level filter drops it; a notify
 * request makes several info/debug calls, so at `warn` that was per-request work for nothing.
 * The check is made on each call (children inherit it), so a changed level still applies.
 */
function skippingDisabledLevels(logger: winston.Logger): winston.Logger {
  const levelMethods = logger as unknown as Record<string, (...args: unknown[]) => winston.Logger>;
  for (const level of Object.keys(logger.levels)) {
    const write = levelMethods[level];
    levelMethods[level] = function (this: winston.Logger, ...args: unknown[]) {
      const self = this ?? logger;
      return self.isLevelEnabled(level) ? write.apply(self, args) : self;
    };
  }
  return logger;
}

/** A stable 10-hex-digit reference for a pushkey: enough to correlate, useless as a token. */
export function pushkeyRef(pushkey: string): string {
  return createHash('sha256').update(pushkey).digest('hex').slice(0, 10);
}
