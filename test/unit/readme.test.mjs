// The README's runnable code blocks (marked `<!-- runnable -->` or `<!-- runnable: FILE -->` above the fence) run as
// copied, in a fresh folder beside the built extension: a JavaScript block saved as FILE and run with node, each line
// of a shell block run with bash. Each must exit with 0 and print something.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/<!-- runnable(?:: (\S+))? -->\n```(\w+)\n([\s\S]*?)```/g)].map(([, file, language, code]) => ({ file, language, code }));

/** A folder with what a clone has after `npm run build`: dist/ and examples/. */
function freshFolder() {
  const folder = mkdtempSync(join(tmpdir(), 'optiscope-readme-'));
  for (const name of ['dist', 'examples']) symlinkSync(join(root, name), join(folder, name));
  return folder;
}

test('the README marks its engine snippet and its CLI lines as runnable', () => {
  assert.deepEqual(blocks.map((b) => [b.language, b.file]), [['js', 'demo.cjs'], ['sh', undefined]]);
});

for (const block of blocks.filter((b) => b.language === 'js')) {
  test(`README: ${block.file} runs as copied`, () => {
    const folder = freshFolder();
    writeFileSync(join(folder, block.file), block.code);
    const { status, stdout, stderr } = spawnSync(process.execPath, [block.file], { cwd: folder, encoding: 'utf8', timeout: 120_000 });
    assert.equal(status, 0, stderr);
    assert.match(stdout, /completed/);
    assert.match(stdout, /paused/, 'the breakpoint example pauses');
  });
}

for (const block of blocks.filter((b) => b.language === 'sh')) {
  const lines = block.code.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter(Boolean);
  for (const line of lines) {
    test(`README: \`${line}\` runs as copied`, () => {
      const { status, stdout, stderr } = spawnSync('bash', ['-c', line], { cwd: freshFolder(), encoding: 'utf8', timeout: 120_000 });
      assert.equal(status, 0, stderr);
      assert.ok(JSON.parse(stdout), 'prints JSON');
    });
  }
}
