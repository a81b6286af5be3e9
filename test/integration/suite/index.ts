// Test-runner glue (adapted from /work/shared/vscode-host). VS Code's extension host require()s this file (the
// extensionTestsPath) and calls run(); a resolved promise means exit code 0, a rejected one exit code 1.
// Output: inside a test run the extension host's console is forwarded to the workbench log, mixed with the
// workbench's own messages, so the report is (also) appended to $VSCODE_TEST_OUTPUT, which the harness
// (test/integration/run-vscode-tests.cjs) creates, streams to its stdout and passes down through the environment.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const outFile = process.env.VSCODE_TEST_OUTPUT;
  const write = (s: string): void => {
    if (outFile) {
      fs.appendFileSync(outFile, s + '\n');
    }
  };
  const restore: (() => void)[] = [];
  if (outFile) {
    Mocha.reporters.Base.consoleLog = (...a: unknown[]) => write(util.format(...a));
    // Tee console.* of the tests into the report too. The extension host made console.log & co.
    // non-configurable accessors (forwarding to the workbench), so swap the global console object for one
    // that writes to the report and then calls the forwarding original.
    const orig = globalThis.console;
    const tee = Object.create(orig) as Console;
    for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      Object.defineProperty(tee, m, {
        value: (...a: unknown[]) => {
          write(util.format(...a));
          orig[m](...a);
        },
      });
    }
    globalThis.console = tee;
    restore.push(() => {
      globalThis.console = orig;
    });
  }
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    reporter: 'spec',
    timeout: Number(process.env.MOCHA_TIMEOUT ?? 60000),
    grep: process.env.MOCHA_GREP || undefined,
  });
  // Files run in name order: 01-activation must come first (it checks that the analyzer is not loaded yet).
  // MOCHA_FILES (a regular expression on the file name) limits the files loaded: the multi-root and
  // no-folder sessions load only their own suite (the others need the single test folder to load).
  const only = process.env.MOCHA_FILES ? new RegExp(process.env.MOCHA_FILES) : undefined;
  const dir = __dirname;
  for (const f of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.test.js') && (!only || only.test(f)))
    .sort()) {
    mocha.addFile(path.join(dir, f));
  }
  return new Promise<void>((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const s = runner.stats;
        restore.forEach((r) => r());
        // plain closing line, understood by CI
        write(
          `${s?.passes ?? 0} passed, ${s?.failures ?? failures} failed` +
            (s?.pending ? `, ${s.pending} skipped` : ''),
        );
        if (failures > 0) {
          reject(new Error(`${failures} tests failed.`));
        } else if (!s || s.tests === 0) {
          reject(new Error('no tests ran'));
        } else {
          resolve();
        }
      });
    } catch (err) {
      restore.forEach((r) => r());
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
