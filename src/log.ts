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
