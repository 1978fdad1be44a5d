// `avfs shell` with a scripted session on stdin (no terminal): commands run
// in order, output and errors come out as a user would see them.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const cli = join(import.meta.dirname, '..', 'bench', 'dist', 'cli.js');

function session(script: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'shell'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code }));
    child.stdin.end(script);
  });
}

test('a scripted shell session', async () => {
  const { stdout, stderr, code } = await session(
    [
      'mkdir -p /home/alice/docs',
      'echo "hello, world" > /home/alice/greeting',
      'echo second line >> /home/alice/greeting',
      'cd /home/alice',
      'ls',
      'cat greeting',
      'cat missing.txt',
      'mkdir /mnt',
      'mount /mnt ro',
      'df',
      'echo nope > /mnt/file',
      'exit',
      'echo never printed',
    ].join('\n'),
  );
  expect(code).toBe(0);
  // ls lists the directory, sorted; cat prints both lines.
  expect(stdout).toContain('docs  greeting\n');
  expect(stdout).toContain('hello, world\nsecond line\n');
  // Errors are Node's messages, and the shell carries on after them.
  expect(stderr).toContain("cat: ENOENT: no such file or directory, open '/home/alice/missing.txt'");
  expect(stderr).toContain("echo: EROFS: read-only file system, open '/mnt/file'");
  // df shows the root and the read-only mount.
  expect(stdout).toMatch(/^Filesystem\s+Size\s+Used\s+Avail\s+Use%/m);
  expect(stdout).toMatch(/^tmpfs\s.*\s\/$/m);
  expect(stdout).toMatch(/^tmpfs\s.*\s\/mnt \(ro\)$/m);
  // No prompt clutter when stdin is not a terminal, and nothing after exit.
  expect(stdout).not.toContain('avfs:/');
  expect(stdout).not.toContain('never printed');
}, 60_000);
