/** Where the core reports progress; each adapter maps it to its CI's log. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, debug() {} };

export const consoleLogger = (verbose = false): Logger => ({
  info: (m) => console.error(m),
  warn: (m) => console.error(`warning: ${m}`),
  debug: (m) => {
    if (verbose) console.error(`debug: ${m}`);
  },
});

/** "(3 of 12) …" progress lines once a run has more than a few items; silent for a few. */
export function progress(log: Logger, total: number): (message: string) => void {
  let done = 0;
  return (message) => {
    done++;
    if (total > 3) log.info(`(${done} of ${total}) ${message}`);
  };
}
