// Shared by the integration harness (run-vscode-tests.cjs) and the screenshot script (screenshots.cjs): argument
// parsing, free ports, HTTP probes and where the offline VS Code test host (.ci/install-vscode-host.sh) lives.
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const http = require('http');

function parseArgs(argv) {
  const out = {};
  for (const a of argv) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      throw new Error(`bad argument ${a}`);
    }
    out[m[1]] = m[2] === undefined ? true : m[2];
  }
  return out;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

const REPO = path.resolve(__dirname, '..', '..');
const HOST_DIR =
  process.env.VSCODE_HOST_DIR || path.join(os.homedir(), '.cache/vscode-host/cs-4.139.1-node-24.21.0');

/** CODE_SERVER_NODE / CODE_SERVER_DIR / CHROMIUM from the environment, else from the install's env.sh. */
function hostEnv() {
  const out = {
    node: process.env.CODE_SERVER_NODE,
    dir: process.env.CODE_SERVER_DIR,
    chromium: process.env.CHROMIUM,
  };
  const envSh = path.join(HOST_DIR, 'env.sh');
  if ((!out.node || !out.dir) && fs.existsSync(envSh) && fs.existsSync(path.join(HOST_DIR, '.ok'))) {
    for (const line of fs.readFileSync(envSh, 'utf8').split('\n')) {
      const m = /^export (\w+)="?([^"]*)"?$/.exec(line.trim());
      if (m && m[1] === 'CODE_SERVER_NODE') {
        out.node = out.node || m[2];
      }
      if (m && m[1] === 'CODE_SERVER_DIR') {
        out.dir = out.dir || m[2];
      }
      if (m && m[1] === 'CHROMIUM') {
        out.chromium = out.chromium || m[2];
      }
    }
  }
  out.chromium = out.chromium || '/usr/bin/chromium';
  const problems = [];
  if (!out.node || !fs.existsSync(out.node)) {
    problems.push(`Node 24 for the VS Code server not found (CODE_SERVER_NODE=${out.node || 'unset'})`);
  }
  if (!out.dir || !fs.existsSync(path.join(out.dir, 'lib/vscode/out/server-main.js'))) {
    problems.push(`code-server not found (CODE_SERVER_DIR=${out.dir || 'unset'})`);
  }
  if (!fs.existsSync(out.chromium)) {
    problems.push(`Chromium not found at ${out.chromium}`);
  }
  let playwright = true;
  try {
    require.resolve('playwright-core', { paths: [REPO] });
  } catch {
    playwright = false;
    problems.push('playwright-core is not installed (npm ci)');
  }
  return { ...out, problems, playwright };
}

/** Polls the server's health URL until it answers 200 (60 s at most, or until `exited()` says it died). */
async function waitForServer(url, exited) {
  const deadline = Date.now() + 60000;
  while ((await httpStatus(url)) !== 200) {
    if (exited()) {
      throw new Error('server exited during startup; see server.log');
    }
    if (Date.now() > deadline) {
      throw new Error('server did not answer within 60s; see server.log');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Headless Debian Chromium through playwright-core (no browser download), offline-friendly flags. */
function launchChromium(executablePath, extraArgs = []) {
  const { chromium } = require(require.resolve('playwright-core', { paths: [REPO] }));
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/** Environment for the VS Code server: its config, state, cache and sockets kept inside `tmp`. */
function serverEnv(tmp, extra = {}) {
  return {
    ...process.env,
    XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'),
    XDG_DATA_HOME: path.join(tmp, 'xdg-data'),
    XDG_CACHE_HOME: path.join(tmp, 'xdg-cache'),
    // the server, git extension and agent host create sockets in the temp dir: keep them in ours
    TMPDIR: path.join(tmp, 't'),
    ...extra,
  };
}

/**
 * Stops a server started `detached` (its own process group): SIGTERM, then SIGKILL after 5 s, then
 * whatever is left in the group (extension host, pty host, ...).
 */
async function stopServerGroup(server, exited) {
  for (const sig of ['SIGTERM', 'SIGKILL']) {
    if (exited()) {
      break;
    }
    try {
      process.kill(-server.pid, sig);
    } catch {
      /* gone */
    }
    for (let i = 0; i < 50 && !exited(); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    process.kill(-server.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

module.exports = {
  REPO,
  HOST_DIR,
  parseArgs,
  freePort,
  httpStatus,
  hostEnv,
  waitForServer,
  launchChromium,
  serverEnv,
  stopServerGroup,
};
