#!/usr/bin/env node
// Takes the README / Marketplace screenshots (media/screenshot-*.png) in a REAL VS Code 1.139: the same host as
// the integration tests (test/integration/run-vscode-tests.cjs: the VS Code server bundled in code-server, the
// web workbench in headless Debian Chromium driven by playwright-core, the extension loaded through the
// URL payload's extensionDevelopmentPath), but instead of running the mocha suite it drives the UI with
// playwright (quick open, keyboard shortcuts, the command palette) and calls page.screenshot.
//
// Usage: node esbuild.js && node test/integration/screenshots.cjs [--out=DIR] [--only=NAME,...] [--keep]
//   --out   where to write the PNGs (default: media/ of the repository)
//   --only  comma separated subset of: problem, quickfix, preview, walkthrough
//   --keep  keep the temp dir (workspace copy, server log, browser console log, debug screenshots)
// The opened folder is a temp copy of test/integration/workspace plus a few demo files written below.
// Needs the VS Code host: bash .ci/install-vscode-host.sh (see run-vscode-tests.cjs for CODE_SERVER_NODE,
// CODE_SERVER_DIR, VSCODE_HOST_DIR, CHROMIUM). Exit code 0 = all screenshots written, 1 = a step failed
// (a debug screenshot of the failing state is left in the kept temp dir), 2 = harness error, 3 = host not
// installed. The server runs in its own process group and is killed (with its children) on exit.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const VIEWPORT = { width: 1280, height: 800 };
const SHOTS = ['problem', 'quickfix', 'preview', 'walkthrough'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.log('[screenshots]', ...a);

const {
  REPO,
  parseArgs,
  freePort,
  hostEnv,
  waitForServer,
  launchChromium,
  serverEnv,
  stopServerGroup,
} = require('./host.cjs');

// ------------------------------------------------------------------------------------------ demo workspace

/** User settings (application scope: not read from the folder's .vscode/settings.json). */
const USER_SETTINGS = {
  'telemetry.telemetryLevel': 'off', // no usage-data footer on the walkthrough page
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.startupEditor': 'none',
  'remote.autoForwardPorts': false,
  'update.showReleaseNotes': false,
};

/** Files added to the copy of test/integration/workspace: a realistic service with a couple of findings. */
const DEMO_FILES = {
  // settings of the opened folder: a clean, quiet workbench for the pictures
  '.vscode/settings.json': JSON.stringify(
    {
      'workbench.colorTheme': 'Default Dark Modern',
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'workbench.layoutControl.enabled': false,
      'chat.disableAIFeatures': true,
      'chat.commandCenter.enabled': false,
      'window.commandCenter': false,
      'editor.minimap.enabled': false,
      'editor.fontSize': 14,
      'editor.lineHeight': 21,
      'editor.stickyScroll.enabled': false,
      'editor.lightbulb.enabled': 'on',
      'editor.hover.delay': 100,
      'breadcrumbs.enabled': false,
      'diffEditor.renderSideBySide': false,
      'diffEditor.hideUnchangedRegions.enabled': true,
      'git.enabled': false,
      'typescript.disableAutomaticTypeAcquisition': true,
      'extensions.ignoreRecommendations': true,
      'telemetry.telemetryLevel': 'off',
      'update.showReleaseNotes': false,
      'files.exclude': { '.vscode': true },
      'mailOAuth.extraHosts': ['mail.corp.example'],
    },
    null,
    2,
  ),
  '.env': 'SMTP_HOST=smtp.office365.com\nSMTP_USER=alerts@contoso.example\n',
  'src/notify.js': `// Nightly order report, sent from the shared alerts mailbox.
const nodemailer = require('nodemailer');
const { formatCsv } = require('./report');

const FROM = '"Order bot" <alerts@contoso.example>';
const REPORT_TO = process.env.REPORT_TO ?? 'sales@contoso.example';

// Microsoft 365 SMTP submission (STARTTLS on 587)
const transporter = nodemailer.createTransport({
  host: 'smtp.office365.com',
  port: 587,
  secure: false,
  auth: {
    user: 'alerts@contoso.example',
    pass: process.env.SMTP_PASSWORD,
  },
});

async function sendReport(orders) {
  await transporter.sendMail({
    from: FROM,
    to: REPORT_TO,
    subject: 'Nightly order report',
    text: \`\${orders.length} orders, see the attachment.\`,
    attachments: [{ filename: 'orders.csv', content: formatCsv(orders) }],
  });
}

module.exports = { sendReport };
`,
  'src/report.js': `function formatCsv(orders) {
  return ['id,total', ...orders.map((o) => \`\${o.id},\${o.total}\`)].join('\\n');
}

module.exports = { formatCsv };
`,
};

/** In src/notify.js: the \`{\` of \`nodemailer.createTransport({\` (inside the finding, no TypeScript hover). */
const CALL = { line: 9, column: 48 };

// ------------------------------------------------------------------------------------------------ main

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const host = hostEnv();
  if (host.problems.length) {
    for (const p of host.problems) {
      console.error(`[screenshots] ${p}`);
    }
    console.error('[screenshots] install the VS Code host once with: bash .ci/install-vscode-host.sh');
    process.exit(3);
  }
  for (const f of ['dist/extension.js', 'dist/analyzer.js']) {
    if (!fs.existsSync(path.join(REPO, f))) {
      throw new Error(`missing ${f}: run \`node esbuild.js\` first`);
    }
  }
  const outDir = path.resolve(args.out || path.join(REPO, 'media'));
  const only = args.only ? String(args.only).split(',') : SHOTS;
  for (const o of only) {
    if (!SHOTS.includes(o)) {
      throw new Error(`unknown screenshot ${o} (one of ${SHOTS.join(', ')})`);
    }
  }
  fs.mkdirSync(outDir, { recursive: true });

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vscode-shots-'));
  const workspace = path.join(tmp, 'mail-service');
  fs.cpSync(path.join(REPO, 'test/integration/workspace'), workspace, { recursive: true });
  for (const [rel, text] of Object.entries(DEMO_FILES)) {
    fs.mkdirSync(path.dirname(path.join(workspace, rel)), { recursive: true });
    fs.writeFileSync(path.join(workspace, rel), text);
  }
  // application-scoped settings (ignored in the folder's settings) go to the server's user settings
  fs.mkdirSync(path.join(tmp, 'user-data/User'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'user-data/User/settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const logDir = path.join(tmp, 'logs');
  fs.mkdirSync(logDir);
  fs.mkdirSync(path.join(tmp, 't'));
  log(`workspace: ${workspace}`);

  const port = await freePort();
  const authority = `127.0.0.1:${port}`;
  const env = serverEnv(tmp);
  const serverLog = fs.openSync(path.join(logDir, 'server.log'), 'w');
  // the bundled VS Code server with the smoke-test driver: without it the URL payload (which loads the
  // extension under development) is ignored
  const server = spawn(
    host.node,
    [
      path.join(host.dir, 'lib/vscode/out/server-main.js'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--without-connection-token',
      '--accept-server-license-terms',
      '--server-data-dir',
      path.join(tmp, 'server-data'),
      '--user-data-dir',
      path.join(tmp, 'user-data'),
      '--extensions-dir',
      path.join(tmp, 'extensions'),
      '--disable-telemetry',
      '--disable-workspace-trust',
      '--enable-smoke-test-driver',
      '--skip-welcome',
      '--skip-release-notes',
    ],
    { env, detached: true, stdio: ['ignore', serverLog, serverLog] },
  );
  let serverExited = false;
  server.on('exit', () => {
    serverExited = true;
  });
  log(`server pid ${server.pid} on http://${authority}`);

  let browser;
  let exitCode = 1;
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) {
      return;
    }
    cleaned = true;
    if (browser) {
      await browser.close().catch(() => {});
    }
    await stopServerGroup(server, () => serverExited);
    if (args.keep || exitCode !== 0) {
      log(`temp dir kept: ${tmp}`);
    } else {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  };
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      exitCode = 130;
      cleanup().finally(() => process.exit(130));
    });
  }

  let page;
  let step = 'startup';
  try {
    await waitForServer(`http://${authority}/version`, () => serverExited);
    browser = await launchChromium(host.chromium, ['--font-render-hinting=none']);
    page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    const browserLog = fs.createWriteStream(path.join(logDir, 'browser-console.log'));
    page.on('console', (msg) => browserLog.write(`[${msg.type()}] ${msg.text()}\n`));
    page.on('pageerror', (err) => browserLog.write(`[pageerror] ${err.stack || err}\n`));
    await page.exposeFunction('codeAutomationLog', (type, a) => {
      browserLog.write(`[automation:${type}] ${Array.isArray(a) ? a.join(' ') : a}\n`);
    });
    await page.exposeFunction('codeAutomationExit', () => {});

    const remote = (p) =>
      `vscode-remote://${authority}${p.split(path.sep).map(encodeURIComponent).join('/')}`;
    const q = new URLSearchParams();
    q.set('folder', workspace);
    q.set(
      'payload',
      JSON.stringify([
        ['extensionDevelopmentPath', remote(REPO)],
        ['skipWelcome', 'true'],
        ['skipReleaseNotes', 'true'],
      ]),
    );
    await page.goto(`http://${authority}/?${q}`);
    const ui = new Ui(page, logDir);
    await ui.ready();

    const shoot = async (name) => {
      const file = path.join(outDir, `screenshot-${name}.png`);
      await page.screenshot({ path: file });
      log(`wrote ${path.relative(process.cwd(), file)} (${Math.round(fs.statSync(file).size / 1024)} KB)`);
    };

    if (only.includes('problem')) {
      step = 'problem';
      log('problem: hover and Problems panel on src/notify.js');
      await ui.openFile('src/notify.js');
      await ui.waitForSquiggle();
      await ui.command('View: Focus Problems'); // the finding with its related information
      await ui.goTo(CALL.line, CALL.column);
      await ui.hover();
      await shoot('problem');
      await ui.escape();
    }
    if (only.includes('quickfix')) {
      step = 'quickfix';
      log('quickfix: Ctrl+. on the finding');
      await ui.openFile('src/notify.js');
      await ui.waitForSquiggle();
      await ui.closePanel();
      await ui.goTo(CALL.line, CALL.column);
      await ui.quickFix();
      await shoot('quickfix');
      await ui.escape();
    }
    if (only.includes('preview')) {
      step = 'preview';
      log('preview: scan, findings view, Migrate All (Preview)');
      await ui.command('Mail OAuth: Scan Workspace for Password Mail Logins');
      await ui.waitForScanCount();
      await ui.command('Notifications: Clear All Notifications');
      await ui.collapsePane('mail-service'); // the folder view: room for the findings tree below it
      await ui.command('Mail OAuth: Show Mail Login Findings');
      await ui.debug('findings');
      await ui.command('Mail OAuth: Migrate All Mail Logins in the Workspace to OAuth2 (Preview)');
      // the extension asks first: apply at once, or review in the refactor preview
      await ui.page.getByRole('button', { name: 'Review in Preview' }).click();
      await ui.waitForRefactorPreview();
      await ui.debug('refactor');
      // VS Code starts edits whose metadata says needsConfirmation unchecked (nothing in the diff, nothing
      // applied): tick them, as the user would have to
      const ticked = await ui.checkAllRefactorEdits();
      if (ticked) {
        log(
          `  ticked ${ticked} unchecked file(s) of the refactor preview (needsConfirmation edits start unchecked)`,
        );
      }
      await ui.openRefactorPreviewDiff('notify.js');
      await ui.scrollPanelListToTop();
      await ui.page.mouse.move(20, 500); // nothing hovered
      await sleep(500);
      await shoot('preview');
      await ui.discardRefactorPreview();
    }
    if (only.includes('walkthrough')) {
      step = 'walkthrough';
      log('walkthrough');
      await ui.command('Close Primary Side Bar'); // the wide layout, with the step's markdown
      await ui.command('Welcome: Open Walkthrough...');
      await ui.pick('Move Node.js mail code off passwords');
      await ui.waitForWalkthrough();
      await shoot('walkthrough');
    }
    exitCode = 0;
  } catch (err) {
    log(`failed in step "${step}":`, (err && err.stack) || err);
    if (page) {
      await page.screenshot({ path: path.join(logDir, `failed-${step}.png`) }).catch(() => {});
    }
    exitCode = 1;
  } finally {
    await cleanup();
  }
  process.exit(exitCode);
}

// ------------------------------------------------------------------------------------------- UI driving

class Ui {
  constructor(page, logDir) {
    this.page = page;
    this.logDir = logDir;
    this.kb = page.keyboard;
  }

  async debug(name) {
    await this.page.screenshot({ path: path.join(this.logDir, `debug-${name}.png`) });
  }

  /** The workbench is up, the folder is open and the extension is loaded. */
  async ready() {
    await this.page.waitForSelector('.monaco-workbench .part.editor', { timeout: 90000 });
    await this.page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
    await sleep(1500);
    if (await this.page.locator('.part.auxiliarybar').isVisible()) {
      await this.command('View: Hide Secondary Side Bar');
    }
    await this.resizeSideBar(390);
    // close whatever the workbench opened by itself (welcome page, release notes, notifications)
    await this.command('View: Close All Editors');
    await this.command('Notifications: Clear All Notifications');
  }

  /** Drags the sash between the side bar and the editor area so that the side bar is about `width` wide. */
  async resizeSideBar(width) {
    const box = await this.page.locator('.part.sidebar').boundingBox();
    if (!box) {
      return;
    }
    const x = box.x + box.width + 1;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(x, y);
    await sleep(300);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + width, y, { steps: 8 });
    await this.page.mouse.up();
    await this.page.mouse.move(VIEWPORT.width / 2, VIEWPORT.height / 2);
    await sleep(300);
  }

  /** Runs a command through the command palette (F1), by its full "Category: Title" label. */
  async command(label) {
    await this.kb.press('F1');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10000 });
    await input.fill(`>${label}`);
    await this.pick(label);
  }

  /** Picks the quick input entry with exactly this label and accepts it. */
  async pick(label) {
    const row = this.page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: label }) })
      .first();
    await row.waitFor({ state: 'visible', timeout: 15000 });
    await row.click();
    await this.page
      .locator('.quick-input-widget')
      .waitFor({ state: 'hidden', timeout: 10000 })
      .catch(() => {});
    await sleep(300);
  }

  /** Opens a workspace file with quick open (Ctrl+P). */
  async openFile(rel) {
    await this.kb.press('Control+P');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10000 });
    await input.fill(rel);
    const base = path.basename(rel);
    const row = this.page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: base }) })
      .first();
    await row.waitFor({ state: 'visible', timeout: 15000 });
    await this.kb.press('Enter');
    await this.page.locator(`.tabs-container .tab.active[aria-label*="${base}"]`).waitFor({ timeout: 15000 });
    await this.page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor();
    await sleep(200);
  }

  /** The extension's diagnostics are drawn (squiggles in the active editor). */
  async waitForSquiggle() {
    await this.page
      .locator(
        '.editor-instance .monaco-editor .squiggly-warning, .editor-instance .monaco-editor .squiggly-error',
      )
      .first()
      .waitFor({ state: 'attached', timeout: 60000 });
    await sleep(500);
  }

  /** Go to line:column (Ctrl+G). */
  async goTo(line, column) {
    await this.kb.press('Control+G');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10000 });
    await input.fill(`:${line}:${column}`);
    await sleep(200);
    await this.kb.press('Enter');
    await sleep(300);
  }

  /** Shows the hover at the cursor (editor.action.showHover, Ctrl+K Ctrl+I). */
  async hover() {
    await this.kb.press('Control+K');
    await this.kb.press('Control+I');
    await this.page.locator('.monaco-hover:not(.hidden) .marker').first().waitFor({ timeout: 10000 });
    await sleep(600);
  }

  /** Opens the quick fix menu at the cursor (Ctrl+.). */
  async quickFix() {
    await this.kb.press('Control+.');
    await this.page.locator('.action-widget .monaco-list-row').first().waitFor({ timeout: 15000 });
    await sleep(600);
  }

  async escape() {
    await this.kb.press('Escape');
    await sleep(300);
  }

  async closePanel() {
    if (await this.page.locator('.part.panel').isVisible()) {
      await this.command('View: Hide Panel');
    }
  }

  /** The extension's status bar item ($(mail) <count>) shows the scan result: the count, stable for 2s. */
  async waitForScanCount() {
    const item = this.page.locator('.statusbar-item:has(.codicon-mail)').first();
    let last = '';
    let since = Date.now();
    const end = Date.now() + 90000;
    while (Date.now() < end) {
      const text = (await item.textContent({ timeout: 1000 }).catch(() => '')).trim();
      const spinning = await this.page.locator('.statusbar-item .codicon-sync').count();
      if (text !== last || spinning) {
        last = text;
        since = Date.now();
      } else if (/^\d+$/.test(text) && Date.now() - since > 2000) {
        return Number(text);
      }
      await sleep(250);
    }
    throw new Error(`no stable finding count in the status bar (last: "${last}")`);
  }

  /** The refactor preview is open in the panel (its Apply button). */
  async waitForRefactorPreview() {
    await this.page
      .locator('.part.panel .monaco-button', { hasText: 'Apply' })
      .first()
      .waitFor({ timeout: 60000 });
    await sleep(1000);
  }

  /** Collapses a view of the side bar by clicking its header. */
  async collapsePane(title) {
    const header = this.page.locator('.part.sidebar .pane-header', { hasText: title }).first();
    if ((await header.getAttribute('aria-expanded')) !== 'false') {
      await header.click();
    }
    await sleep(300);
  }

  /**
   * Ticks every unchecked file of the refactor preview (edits whose metadata has needsConfirmation start
   * unchecked, and unchecked edits are neither shown in the diff nor applied). Returns how many it ticked.
   */
  async checkAllRefactorEdits() {
    const list = this.page.locator('.part.panel .monaco-list').first();
    const listBox = await list.boundingBox();
    await list.hover();
    await this.page.mouse.wheel(0, -10000);
    await sleep(200);
    let ticked = 0;
    let lastRows = '';
    for (let i = 0; i < 200; i++) {
      const boxes = this.page.locator(
        '.part.panel .monaco-list-row[aria-level="1"] .edit-checkbox[aria-checked="false"]',
      );
      let clicked = false;
      for (const box of await boxes.all()) {
        const b = await box.boundingBox();
        if (b && b.y >= listBox.y && b.y + b.height <= listBox.y + listBox.height) {
          await box.click();
          await sleep(150);
          ticked++;
          clicked = true;
          break;
        }
      }
      if (clicked) {
        continue;
      }
      const rows = (
        await this.page.locator('.part.panel .monaco-list-row').evaluateAll((rs) => rs.map((r) => r.id))
      ).join();
      if (rows === lastRows) {
        break; // scrolled to the end
      }
      lastRows = rows;
      await list.hover();
      await this.page.mouse.wheel(0, 60);
      await sleep(200);
    }
    await list.hover();
    await this.page.mouse.wheel(0, -10000);
    await sleep(200);
    return ticked;
  }

  /** Scrolls the (virtual) list of the panel back to its first row. */
  async scrollPanelListToTop() {
    const list = this.page.locator('.part.panel .monaco-list:visible').first();
    const box = await list.boundingBox();
    const first = list.locator('.monaco-list-row[data-index="0"]');
    for (let i = 0; i < 40; i++) {
      const b = (await first.count()) ? await first.boundingBox() : undefined;
      if (b && b.y >= box.y - 1) {
        break;
      }
      await this.page.mouse.move(box.x + box.width / 2, box.y + 20);
      await this.page.mouse.wheel(0, -200);
      await sleep(150);
    }
  }

  /** Clicks a file of the refactor preview, which opens its diff in the editor area. */
  async openRefactorPreviewDiff(base) {
    const list = this.page.locator('.part.panel .monaco-list').first();
    const row = this.page.locator('.part.panel .monaco-list-row', { hasText: base }).first();
    for (let i = 0; i < 40 && !(await row.count()); i++) {
      await list.hover();
      await this.page.mouse.wheel(0, 120); // the list is virtual: scroll until the row is rendered
      await sleep(150);
    }
    await row.click();
    await this.page.mouse.move(VIEWPORT.width / 2, 10); // no tooltip left on the list
    await this.page.locator('.editor-instance .monaco-diff-editor').first().waitFor({ timeout: 20000 });
    // the diff is computed asynchronously: wait for its inserted lines
    await this.page
      .locator(
        '.editor-instance .monaco-diff-editor .line-insert, .editor-instance .monaco-diff-editor .char-insert',
      )
      .first()
      .waitFor({ state: 'attached', timeout: 20000 });
    await sleep(1500);
  }

  async discardRefactorPreview() {
    await this.page.locator('.part.panel .monaco-button', { hasText: 'Discard' }).first().click();
    await sleep(500);
    await this.command('View: Close All Editors');
    await this.closePanel();
  }

  async waitForWalkthrough() {
    await this.page.locator('.gettingStartedContainer').first().waitFor({ timeout: 20000 });
    await sleep(1000);
  }
}

main().catch((err) => {
  console.error('[screenshots]', (err && err.message) || err);
  process.exit(2);
});
