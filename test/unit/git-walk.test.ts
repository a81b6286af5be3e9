/**
 * The walk inside a git work tree (src/core/git-files.ts) lists what the folder walk lists: git answers
 * .gitignore, the folder rules (dependency and build folders, excludeDirs, exclude) still apply, a
 * tracked file deleted from disk is not listed, and an ignored scan root falls back to the folder walk.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { walk, type WalkOptions } from '../../src/core/files';
import { gitListing } from '../../src/core/git-files';

const hasGit = (() => {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function write(root: string, rel: string, text = 'module.exports = 1;\n'): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

async function bothWalks(roots: string[], opts: Partial<WalkOptions> = {}) {
  const o: WalkOptions = { isEnvFile: (b) => b === '.env', ...opts };
  const norm = (r: Awaited<ReturnType<typeof walk>>) => ({
    sources: [...r.sources].sort(),
    envFiles: [...r.envFiles].sort(),
  });
  const viaGit = await walk(roots, o);
  process.env.MAIL_OAUTH_NO_GIT = '1';
  try {
    return { git: norm(viaGit), gitSkipped: viaGit.skipped, folders: norm(await walk(roots, o)) };
  } finally {
    delete process.env.MAIL_OAUTH_NO_GIT;
  }
}

describe('walk inside a git work tree', function () {
  before(function () {
    if (!hasGit) {
      this.skip();
    }
  });
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mom-gitwalk-')));
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  before(() => {
    const git = (...args: string[]) =>
      execFileSync(
        'git',
        ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'commit.gpgsign=false', ...args],
        {
          cwd: root,
          stdio: 'ignore',
        },
      );
    git('init', '-q');
    write(root, '.gitignore', 'generated/\n*.tmp.js\n');
    write(root, 'src/a.js');
    write(root, 'src/b.ts');
    write(root, 'src/types.d.ts');
    write(root, 'src/lib/.gitignore', 'local.js\n');
    write(root, 'src/lib/local.js');
    write(root, 'src/lib/kept.mjs');
    write(root, 'src/x.tmp.js');
    write(root, 'generated/out.js');
    write(root, 'dist/bundle.js');
    write(root, 'node_modules/pkg/index.js');
    write(root, 'vendor/v.js');
    write(root, 'gone.js');
    write(root, '.env', 'A=1\n');
    write(root, 'README.md', '# r\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'init');
    fs.rmSync(path.join(root, 'gone.js'));
    write(root, 'src/untracked.cjs');
  });

  it('lists the same files as the folder walk, through git', async () => {
    assert.ok(await gitListing(root), 'git lists the work tree');
    const r = await bothWalks([root], { excludeDirs: ['vendor'] });
    assert.deepEqual(r.git, r.folders);
    assert.deepEqual(
      r.git.sources.map((f) => path.relative(root, f)),
      ['src/a.js', 'src/b.ts', 'src/lib/kept.mjs', 'src/untracked.cjs'],
    );
    assert.deepEqual(r.git.envFiles, [path.join(root, '.env')]);
    const reasons = Object.fromEntries(r.gitSkipped.map((s) => [path.relative(root, s.file), s.reason]));
    assert.equal(reasons.dist, 'build output');
    assert.equal(reasons.vendor, 'excluded by settings');
  });

  it('honours exclude patterns and a subfolder root, and the .gitignore above it', async () => {
    const r = await bothWalks([path.join(root, 'src')], { exclude: ['lib/'] });
    // the folder walk reads the .gitignore files from the scanned folder down only
    assert.deepEqual(
      r.folders.sources.filter((f) => !r.git.sources.includes(f)),
      [path.join(root, 'src/x.tmp.js')],
    );
    assert.deepEqual(
      r.git.sources.map((f) => path.relative(root, f)),
      ['src/a.js', 'src/b.ts', 'src/untracked.cjs'],
    );
  });

  it('walks the folders when a repository sits inside the work tree (git lists it as one entry)', async () => {
    const nested = path.join(root, 'src/nested');
    write(root, 'src/nested/inner.js');
    execFileSync('git', ['init', '-q'], { cwd: nested, stdio: 'ignore' });
    try {
      assert.equal(await gitListing(root), undefined);
      const r = await walk([root], { isEnvFile: () => false });
      assert.ok(r.sources.includes(path.join(nested, 'inner.js')));
    } finally {
      fs.rmSync(nested, { recursive: true, force: true });
    }
  });

  it('walks the folders of an ignored root (git would list nothing there)', async () => {
    assert.equal(await gitListing(path.join(root, 'generated')), undefined);
    const r = await walk([path.join(root, 'generated')], { isEnvFile: () => false });
    assert.deepEqual(r.sources, [path.join(root, 'generated/out.js')]);
  });
});

describe('walk inside a git work tree: symbolic links to folders', function () {
  before(function () {
    if (!hasGit) {
      this.skip();
    }
  });
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mom-gitlinks-')));
  const root = path.join(base, 'repo');
  after(() => fs.rmSync(base, { recursive: true, force: true }));
  before(() => {
    write(base, 'ext/shared/mail.js');
    write(base, 'ext/node_modules/dep/index.js');
    write(base, 'ext2/extra.ts');
    write(root, 'src/a.js');
    // a loop inside the linked folder, and a link from there back into the work tree
    fs.symlinkSync(path.join(base, 'ext'), path.join(base, 'ext/back'));
    fs.symlinkSync(path.join(root, 'src'), path.join(base, 'ext/into-repo'));
    fs.symlinkSync('../ext', path.join(root, 'lib')); // tracked
    fs.symlinkSync('.', path.join(root, 'self')); // tracked, a loop to the root
    fs.symlinkSync('../ext', path.join(root, 'node_modules')); // a dependency folder, through a link
    const git = (...args: string[]) =>
      execFileSync(
        'git',
        ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'commit.gpgsign=false', ...args],
        { cwd: root, stdio: 'ignore' },
      );
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'init');
    fs.symlinkSync('../ext2', path.join(root, 'more')); // untracked
  });

  it('follows linked folders (tracked and untracked) with the folder rules, and stops at loops', async () => {
    const listing = await gitListing(root);
    assert.ok(listing, 'git lists the work tree');
    assert.deepEqual([...listing.links].sort(), ['lib', 'more', 'node_modules', 'self']);
    const r = await bothWalks([root]);
    assert.deepEqual(
      r.git.sources.map((f) => path.relative(root, f)),
      ['lib/shared/mail.js', 'more/extra.ts', 'src/a.js'],
    );
    // the same files as the folder walk (which may reach one through another link first)
    const real = (files: string[]) => files.map((f) => fs.realpathSync(f)).sort();
    assert.deepEqual(real(r.git.sources), real(r.folders.sources));
    const reasons = Object.fromEntries(r.gitSkipped.map((s) => [path.relative(root, s.file), s.reason]));
    assert.equal(reasons.self, 'symlink loop');
    assert.equal(reasons['lib/back'], 'symlink loop');
    assert.equal(reasons['lib/into-repo'], 'symlink to a folder that is already scanned');
    assert.equal(reasons.node_modules, undefined, 'dependency folders are skipped without a line');
  });
});
